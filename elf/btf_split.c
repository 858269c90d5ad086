/* Split BTF: a kernel module's (/sys/kernel/btf/MODULE, or what
 * BPF_OBJ_GET_INFO_BY_FD gives for a module's BTF fd) holds only the
 * module's own types, on top of vmlinux's. Its ids go on from the
 * base's last, and a name offset below the base's string length names a
 * base string (deduplication points module names at vmlinux's copy when
 * there is one). Only looked through, by name, for the few externs
 * vmlinux lacks: one pass, nothing kept. */
#include <errno.h>
#include <string.h>
#include "elf/btf.h"
#include "elf/btf_impl.h"
#include "elf/error.h"

/* The name at off, in the base's strings or the split's; NULL if off is
 * past both. */
static const char *split_str(const struct btf *base, const char *strs,
			     uint32_t len, uint32_t off)
{
	if (off < base->strs_len)
		return btf_str(base, off);
	off -= base->strs_len;
	return off < len ? strs + off : NULL;
}

int btf_split_find(const struct btf *base, const void *data, size_t size,
		   const char *name, int kind)
{
	const unsigned char *p = data;
	struct btf_header h;
	const char *strs, *s;
	size_t pos, end;
	uint32_t id = base->nr_types;
	int err;

	if (size < sizeof h)
		return error_set(EINVAL, "split BTF: %zu bytes, shorter than "
				 "its header", size);
	memcpy(&h, p, sizeof h);
	if ((err = btf_check_layout(&h, size)))
		return err;
	strs = (const char *)p + h.hdr_len + h.str_off;
	if (strs[h.str_len - 1] != 0)
		return btf_bad_strings();
	pos = (size_t)h.hdr_len + h.type_off;
	end = pos + h.type_len;
	while (pos < end) {
		struct btf_type t;
		long tail;

		if (end - pos < sizeof t)
			return error_set(EINVAL, "split BTF type %u: record "
					 "truncated", id);
		memcpy(&t, p + pos, sizeof t);
		tail = btf_tail_size(btf_kind(&t), btf_vlen(&t));
		if (tail < 0 || (size_t)tail > end - pos - sizeof t)
			return error_set(EINVAL, "split BTF type %u: unknown "
					 "kind %u or record truncated", id,
					 btf_kind(&t));
		if ((kind < 0 || btf_kind(&t) == (unsigned)kind) && t.name_off &&
		    (s = split_str(base, strs, h.str_len, t.name_off)) &&
		    strcmp(s, name) == 0)
			return (int)id;
		pos += sizeof t + (size_t)tail;
		id++;
	}
	return error_set(ENOENT, "split BTF: no type named %s", name);
}
