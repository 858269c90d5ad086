/* BTF: the BPF type format, as in the .BTF section of an object and in
 * /sys/kernel/btf/vmlinux; and .BTF.ext, the per-instruction records
 * (func info, line info, CO-RE relocations) clang writes beside it.
 *
 * Pure: no syscalls. btf_parse() validates the whole blob once (header,
 * every record length, every type id a record refers to, every name
 * offset) and builds an id -> record table and a name index, so lookups
 * afterwards are O(1) and the accessors can trust what they return.
 * The kernel's BTF is ~5 MB and ~150k types: parsing it is the largest
 * part of start-up, so btf_parse is written to be one linear pass. */
#ifndef RAWTRACE_BTF_H
#define RAWTRACE_BTF_H

#include <stddef.h>
#include <stdint.h>
#include <linux/btf.h>
#include <linux/bpf.h>

struct btf {
	const unsigned char *data;  /* the blob as given (not copied) */
	size_t size;
	const char *strs;           /* string section */
	uint32_t strs_len;
	uint32_t nr_types;          /* number of ids, including void (0) */
	uint32_t *offs;             /* id - start_id -> byte offset of its
				       btf_type in data, offs[0] unused
				       unless split */
	uint32_t *hash;             /* name index, open addressing, owned */
	uint32_t hash_mask;
	struct btf_lazy *lazy;      /* set by btf_open_lazy (data is NULL) */
	/* split BTF (btf_parse_split): ids below start_id and name offsets
	 * below start_str are base's; NULL and 0 otherwise */
	const struct btf *base;
	uint32_t start_id, start_str;
};

/* The blob must stay alive and unchanged while btf is used. The blob must
 * be 4-byte aligned (records are read in place); an unaligned one is
 * refused with EINVAL. Unknown kinds are refused (EINVAL, naming the id).
 * Allocates the tables; btf_free releases them. */
int btf_parse(struct btf *btf, const void *data, size_t size);
/* A kernel module's BTF is split BTF over base, vmlinux's: its ids go on
 * after base's, and its name offsets below base's string length are
 * base's strings. btf_type and btf_str then answer for both (base must
 * outlive btf); btf_find finds only the split's own types. */
int btf_parse_split(struct btf *btf, const void *data, size_t size,
		    const struct btf *base);
void btf_free(struct btf *btf);

/* A blob read on demand instead of held in memory: the kernel's BTF is
 * ~5 MB and CO-RE needs a few hundred of its records. read() fills buf
 * with the len bytes at off, or returns -errno with the error set. */
struct btf_source {
	int (*read)(void *ctx, uint64_t off, void *buf, size_t len);
	void *ctx;
	uint64_t size;
};

/* Makes the checks btf_parse makes, in one streamed pass, keeping only
 * every 64th record's offset, and the ids of the types named in want[]
 * so that btf_find on those names reads nothing more. Afterwards
 * btf_type, btf_str and btf_find read records and strings when first
 * asked and keep them: their pointers stay valid until btf_free. btf_find
 * on a name not in want passes over the blob again. src is copied;
 * src->ctx must outlive btf. */
int btf_open_lazy(struct btf *btf, const struct btf_source *src,
		  const char *const *want, size_t nwant);

/* The record of id; NULL for id 0 (void) or out of range. */
const struct btf_type *btf_type(const struct btf *btf, uint32_t id);

/* String at offset off; "" for off out of range. */
const char *btf_str(const struct btf *btf, uint32_t off);

/* Name of type id ("" for anonymous types and void). */
const char *btf_type_name(const struct btf *btf, uint32_t id);

/* A btf_type's info word and an INT's encoding word, built (the uapi
 * header only takes them apart); constants, for tables. */
#define BTF_INFO(kind, kflag, vlen) \
	((uint32_t)(kflag) << 31 | (uint32_t)(kind) << 24 | (uint32_t)(vlen))
#define BTF_INT(encoding, offset, bits) \
	((uint32_t)(encoding) << 24 | (uint32_t)(offset) << 16 | (uint32_t)(bits))

static inline unsigned btf_kind(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}

static inline unsigned btf_vlen(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}

static inline int btf_kflag(const struct btf_type *t)
{
	return BTF_INFO_KFLAG(t->info);
}

/* The records that follow a btf_type (members, params, enum values,
 * array info, var secinfos, int encoding): a pointer just past t. */
static inline const void *btf_tail(const struct btf_type *t)
{
	return t + 1;
}

/* Ids of every type whose name is exactly the first len bytes of name
 * (so callers can look up "sock" from "sock___old" without a copy) and
 * whose kind is kind (or any kind when kind < 0). Writes at most max ids
 * into ids, in increasing id order, and returns how many matched in all. */
size_t btf_find(const struct btf *btf, const char *name, size_t len,
		int kind, uint32_t *ids, size_t max);

/* First id for name and kind, or -ENOENT. */
int btf_find_one(const struct btf *btf, const char *name, int kind);


/* Follows TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG to the
 * underlying id (0 for void). */
uint32_t btf_skip_mods(const struct btf *btf, uint32_t id);

/* Size in bytes of a value of type id (arrays multiply out, pointers are
 * 8, modifiers and typedefs are followed, vars resolve to their type), or
 * -EINVAL for a type without a size (void, func, func_proto, fwd) or a
 * loop. */
int64_t btf_resolve_size(const struct btf *btf, uint32_t id);

/* The kernel's BTF checker's rules on a parsed blob (an object's, after
 * its DATASEC sizes and offsets are filled in): each kind's fields, names
 * that are C identifiers, FUNC -> FUNC_PROTO, DATASEC entries that are
 * VARs inside their section and do not overlap, no loop through
 * modifiers and pointers, no type containing itself by value, members
 * and arrays that fit (no overflow). -EINVAL with a message naming the
 * type and the rule. */
int btf_check(const struct btf *btf);

/* "STRUCT", "FUNC_PROTO", ...; "?" for an unknown kind. */
const char *btf_kind_name(unsigned kind);

/* .BTF.ext */
enum btf_ext_kind { BTF_EXT_FUNC, BTF_EXT_LINE, BTF_EXT_CORE };

struct btf_ext {
	const unsigned char *data;
	size_t size;
	struct {
		uint32_t off, len;      /* relative to data, validated */
		uint32_t rec_size;      /* as written in the file */
	} part[3];                      /* indexed by enum btf_ext_kind */
};

/* One section's records of one kind, e.g. the CO-RE records of
 * "kprobe/inet_bind". Record i starts at recs + i * rec_size; copy it
 * out with memcpy (struct bpf_func_info, bpf_line_info, bpf_core_relo). */
struct btf_ext_sec {
	const char *name;               /* from the object's BTF strings */
	uint32_t count;
	uint32_t rec_size;
	const unsigned char *recs;
};

/* Validates the header (magic 0xEB9F, version 1, hdr_len), each part
 * inside the blob, each rec_size at least the minimum for its kind and a
 * multiple of 4, each section header's name inside btf's strings and its
 * records inside the part. A missing part (hdr_len too short for
 * core_relo, or len 0) is empty, not an error. */
int btf_ext_parse(struct btf_ext *ext, const void *data, size_t size,
		  const struct btf *btf);

/* Visits sections of one kind in file order: call with *cursor = 0, then
 * pass it back; returns 1 with *out filled, 0 at the end. */
int btf_ext_next(const struct btf_ext *ext, enum btf_ext_kind kind,
		 const struct btf *btf, size_t *cursor,
		 struct btf_ext_sec *out);

/* The records of kind for the section named sec_name, or -ENOENT. */
int btf_ext_find(const struct btf_ext *ext, enum btf_ext_kind kind,
		 const struct btf *btf, const char *sec_name,
		 struct btf_ext_sec *out);

#endif
