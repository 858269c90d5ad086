/* .BTF.ext reader: func info, line info and CO-RE relocation records.
 *
 * The blob is a header, then up to three parts. Each part is a rec_size
 * followed by per-section groups {sec_name_off, num_info, records...}.
 * btf_ext_parse validates all of it, so btf_ext_next can just walk. */
#include <errno.h>
#include <string.h>
#include "elf/btf.h"
#include "elf/error.h"

/* Our view of the header; the file's may be longer (honour hdr_len) or,
 * for objects without CO-RE records, shorter. */
struct ext_header {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_off, func_len;
	uint32_t line_off, line_len;
	uint32_t core_off, core_len;
};

#define EXT_MIN_HDR 24u     /* up to line_info_len */
#define EXT_CORE_HDR 32u    /* with core_relo_off/len */

static const char *const part_name[3] = {
	"func_info", "line_info", "core_relo"
};

static const uint32_t min_rec[3] = { 8, 16, 16 };

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

/* Validates one part whose bytes are [start, start + len) of the blob. */
static int check_part(struct btf_ext *ext, enum btf_ext_kind k,
		      uint64_t start, uint32_t len, const struct btf *btf)
{
	const char *what = part_name[k];
	uint32_t rec, pos;

	if (len == 0)
		return 0;
	if (start > ext->size || len > ext->size - start)
		return error_set(EINVAL, ".BTF.ext %s: extends past end (offset "
				 "%llu + len %u > %zu)", what,
				 (unsigned long long)start, len, ext->size);
	if (len < 4)
		return error_set(EINVAL, ".BTF.ext %s: no room for rec_size", what);
	rec = get32(ext->data + start);
	if (rec < min_rec[k])
		return error_set(EINVAL, ".BTF.ext %s: rec_size %u too small "
				 "(minimum %u)", what, rec, min_rec[k]);
	if (rec % 4)
		return error_set(EINVAL, ".BTF.ext %s: rec_size %u is not a "
				 "multiple of 4", what, rec);
	ext->part[k].off = (uint32_t)start + 4;
	ext->part[k].len = len - 4;
	ext->part[k].rec_size = rec;

	for (pos = 0; pos < ext->part[k].len; ) {
		const unsigned char *p = ext->data + ext->part[k].off + pos;
		uint32_t left = ext->part[k].len - pos, name, num;

		if (left < 8)
			return error_set(EINVAL, ".BTF.ext %s: section header "
					 "truncated at offset %u", what, pos);
		name = get32(p);
		num = get32(p + 4);
		if (name >= btf->strs_len)
			return error_set(EINVAL, ".BTF.ext %s: sec_name_off %u out "
					 "of range (strings %u bytes)", what, name,
					 btf->strs_len);
		if ((uint64_t)num * rec > left - 8)
			return error_set(EINVAL, ".BTF.ext %s: section %s: %u "
					 "records of %u bytes extend past end of "
					 "part", what, btf->strs + name, num, rec);
		pos += 8 + num * rec;
	}
	return 0;
}

int btf_ext_parse(struct btf_ext *ext, const void *data, size_t size,
		  const struct btf *btf)
{
	struct ext_header h;
	uint32_t offs[3], lens[3];
	int k, err;

	memset(ext, 0, sizeof *ext);
	ext->data = data;
	ext->size = size;
	memset(&h, 0, sizeof h);
	if (size > UINT32_MAX)
		return error_set(EINVAL, ".BTF.ext: %zu bytes is too large", size);
	if (size < EXT_MIN_HDR)
		return error_set(EINVAL, ".BTF.ext: truncated header (%zu bytes)",
				 size);
	memcpy(&h, data, size < sizeof h ? size : sizeof h);
	if (h.magic != BTF_MAGIC)
		return error_set(EINVAL, ".BTF.ext: bad magic 0x%04x (want 0x%04x)",
				 h.magic, BTF_MAGIC);
	if (h.version != BTF_VERSION)
		return error_set(EINVAL, ".BTF.ext: version %u is not supported",
				 h.version);
	if (h.hdr_len < EXT_MIN_HDR || h.hdr_len > size)
		return error_set(EINVAL, ".BTF.ext: header length %u outside blob "
				 "(%zu bytes)", h.hdr_len, size);
	if (h.hdr_len < EXT_CORE_HDR)
		h.core_off = h.core_len = 0;   /* what we copied is not header */
	offs[0] = h.func_off; lens[0] = h.func_len;
	offs[1] = h.line_off; lens[1] = h.line_len;
	offs[2] = h.core_off; lens[2] = h.core_len;
	for (k = 0; k < 3; k++) {
		err = check_part(ext, (enum btf_ext_kind)k,
				 (uint64_t)h.hdr_len + offs[k], lens[k], btf);
		if (err)
			return err;
	}
	return 0;
}

int btf_ext_next(const struct btf_ext *ext, enum btf_ext_kind kind,
		 const struct btf *btf, size_t *cursor,
		 struct btf_ext_sec *out)
{
	const unsigned char *p;

	if ((unsigned)kind > BTF_EXT_CORE || *cursor >= ext->part[kind].len)
		return 0;
	p = ext->data + ext->part[kind].off + *cursor;
	out->name = btf_str(btf, get32(p));
	out->count = get32(p + 4);
	out->rec_size = ext->part[kind].rec_size;
	out->recs = p + 8;
	*cursor += 8 + (size_t)out->count * out->rec_size;
	return 1;
}

int btf_ext_find(const struct btf_ext *ext, enum btf_ext_kind kind,
		 const struct btf *btf, const char *sec_name,
		 struct btf_ext_sec *out)
{
	size_t cursor = 0;

	while (btf_ext_next(ext, kind, btf, &cursor, out))
		if (strcmp(out->name, sec_name) == 0)
			return 0;
	return error_set(ENOENT, ".BTF.ext: no %s records for section %s",
			 (unsigned)kind <= BTF_EXT_CORE ? part_name[kind] : "?",
			 sec_name);
}
