/* BTF reader: validate once, then look up in O(1).
 *
 * Pass 1 walks the type section record by record, checking each record
 * (and its kind-specific tail) fits and recording where it starts.
 * Pass 2, now that the number of ids is known, checks every type id and
 * name offset the records mention and fills the name index. Both passes
 * are linear; the kernel's ~150k types parse in a few milliseconds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "elf/btf.h"
#include "elf/btf_impl.h"
#include "elf/error.h"

/* Loops through modifiers are refused after this many steps, as in
 * libbpf; real types are never nearly this deep. */
#define MAX_RESOLVE_DEPTH 32

/* Bytes that follow struct btf_type for kind with vlen entries; -1 for a
 * kind we do not know. */
long btf_tail_size(unsigned kind, unsigned vlen)
{
	switch (kind) {
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC: case BTF_KIND_FLOAT: case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_INT:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return sizeof(struct btf_decl_tag);
	case BTF_KIND_ENUM64:
		return (long)vlen * sizeof(struct btf_enum64);
	}
	return -1;
}

/* Hash of the first len bytes of s, eight bytes at a time (a multiply
 * and a fold per word, in the spirit of FNV-1a): the index hashes ~100k
 * kernel names at start-up, so a byte-at-a-time loop would show. */
static uint32_t name_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3u;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w ^ len) * 0x100000001b3u;
	h ^= h >> 32;
	return (uint32_t)h;
}

/* The header's numbers against the blob's size: both sections inside it,
 * the type section aligned. */
int btf_check_layout(const struct btf_header *h, uint64_t size)
{
	uint64_t types, strs;

	if (h->magic != BTF_MAGIC)
		return error_set(EINVAL, "BTF: bad magic 0x%04x (want 0x%04x)",
				 h->magic, BTF_MAGIC);
	if (h->version != BTF_VERSION)
		return error_set(EINVAL, "BTF: version %u is not supported",
				 h->version);
	if (h->hdr_len < sizeof *h || h->hdr_len > size)
		return error_set(EINVAL, "BTF: header length %u outside blob "
				 "(%llu bytes)", h->hdr_len,
				 (unsigned long long)size);
	types = (uint64_t)h->hdr_len + h->type_off;
	strs = (uint64_t)h->hdr_len + h->str_off;
	if (types > size || h->type_len > size - types)
		return error_set(EINVAL, "BTF: type section extends past end "
				 "(offset %llu + len %u > %llu)",
				 (unsigned long long)types, h->type_len,
				 (unsigned long long)size);
	if (strs > size || h->str_len > size - strs)
		return error_set(EINVAL, "BTF: string section extends past end "
				 "(offset %llu + len %u > %llu)",
				 (unsigned long long)strs, h->str_len,
				 (unsigned long long)size);
	if (types % 4 || h->type_len % 4)
		return error_set(EINVAL, "BTF: type section offset %llu or length "
				 "%u not 4-byte aligned",
				 (unsigned long long)types, h->type_len);
	if (h->str_len == 0)
		return btf_bad_strings();
	return 0;
}

/* Offset 0 is "", and a final NUL makes every offset a C string. */
int btf_bad_strings(void)
{
	return error_set(EINVAL, "BTF: string section must start and end "
			 "with NUL");
}

static int check_header(struct btf *btf, const struct btf_header *h)
{
	uint64_t strs = (uint64_t)h->hdr_len + h->str_off;
	int err = btf_check_layout(h, btf->size);

	if (err)
		return err;
	/* a split BTF's "" is its base's */
	if ((!btf->base && btf->data[strs] != 0) ||
	    btf->data[strs + h->str_len - 1] != 0)
		return btf_bad_strings();
	btf->strs = (const char *)btf->data + strs;
	btf->strs_len = h->str_len;
	return 0;
}

/* Pass 1: record offsets, check each record fits; counts named types. */
static int walk_types(struct btf *btf, size_t start, size_t len,
		      uint32_t *named)
{
	size_t pos = start, end = start + len;
	uint32_t i = btf->base ? 0 : 1, id;

	*named = 0;
	while (pos < end) {
		struct btf_type t;
		long tail;

		id = btf->start_id + i;
		if (end - pos < sizeof t)
			return error_set(EINVAL, "BTF type %u: record truncated "
					 "(%zu bytes left)", id, end - pos);
		memcpy(&t, btf->data + pos, sizeof t);
		tail = btf_tail_size(btf_kind(&t), btf_vlen(&t));
		if (tail < 0)
			return error_set(EINVAL, "BTF type %u: unknown kind %u",
					 id, btf_kind(&t));
		if ((size_t)tail > end - pos - sizeof t)
			return error_set(EINVAL, "BTF type %u: record truncated "
					 "(needs %zu bytes, %zu left)", id,
					 sizeof t + (size_t)tail, end - pos);
		btf->offs[i++] = (uint32_t)pos;
		*named += t.name_off != 0;
		pos += sizeof t + (size_t)tail;
	}
	btf->nr_types = btf->start_id + i;
	return 0;
}

static int bad_id(uint32_t id, const char *what, uint32_t ref, uint32_t nr)
{
	return error_set(EINVAL, "BTF type %u: %s type id %u out of range "
			 "(%u types)", id, what, ref, nr);
}

static int bad_name(uint32_t id, const char *what, uint32_t off, uint32_t len)
{
	return error_set(EINVAL, "BTF type %u: %s name offset %u out of range "
			 "(strings %u bytes)", id, what, off, len);
}

/* Pass 2 for one record: every id it refers to and every name it has. */
int btf_check_record(const struct btf *btf, uint32_t id,
		     const struct btf_type *t)
{
	uint32_t nr = btf->nr_types, sl = btf->start_str + btf->strs_len;
	const unsigned char *tail = btf_tail(t);
	unsigned i, vlen = btf_vlen(t);

	if (t->name_off >= sl)
		return bad_name(id, "its", t->name_off, sl);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC:
	case BTF_KIND_FUNC_PROTO: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
	case BTF_KIND_TYPE_TAG:
		if (t->type >= nr)
			return bad_id(id, "referenced", t->type, nr);
		break;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const void *)tail;

		if (a->type >= nr || a->index_type >= nr)
			return bad_id(id, "array element or index",
				      a->type >= nr ? a->type : a->index_type, nr);
		break;
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		const struct btf_member *m = (const void *)tail;

		for (i = 0; i < vlen; i++, m++) {
			if (m->type >= nr)
				return bad_id(id, "member", m->type, nr);
			if (m->name_off >= sl)
				return bad_name(id, "member", m->name_off, sl);
		}
		break;
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *v = (const void *)tail;

		for (i = 0; i < vlen; i++, v++)
			if (v->name_off >= sl)
				return bad_name(id, "enum value", v->name_off, sl);
		break;
	}
	case BTF_KIND_ENUM64: {
		const struct btf_enum64 *v = (const void *)tail;

		for (i = 0; i < vlen; i++, v++)
			if (v->name_off >= sl)
				return bad_name(id, "enum value", v->name_off, sl);
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = (const void *)tail;

		for (i = 0; i < vlen; i++, p++) {
			if (p->type >= nr)
				return bad_id(id, "parameter", p->type, nr);
			if (p->name_off >= sl)
				return bad_name(id, "parameter", p->name_off, sl);
		}
		break;
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = (const void *)tail;

		for (i = 0; i < vlen; i++, v++)
			if (v->type >= nr)
				return bad_id(id, "section variable", v->type, nr);
		break;
	}
	}
	return 0;
}

/* Linear probing, inserted in id order: equal names then sit along one
 * probe path in increasing id order, which btf_find relies on. A slot
 * holds an id; 0 marks a free slot. */
static void insert(struct btf *btf, uint32_t id, uint32_t i)
{
	while (btf->hash[i])
		i = (i + 1) & btf->hash_mask;
	btf->hash[i] = id;
}

/* The table is larger than the cache and each insert lands somewhere
 * random: computing the slot PIPE names ahead and prefetching it hides
 * most of the miss (about 1 ms of 6 on the kernel's BTF, measured). */
#define PIPE 16

struct pipe {
	uint32_t id[PIPE], slot[PIPE];
	unsigned n;
};

static void index_name(struct btf *btf, struct pipe *p, uint32_t id,
		       const char *name)
{
	uint32_t slot = name_hash(name, strlen(name)) & btf->hash_mask;
	unsigned k = p->n++ % PIPE;

	__builtin_prefetch(&btf->hash[slot], 1);
	if (p->n > PIPE)
		insert(btf, p->id[k], p->slot[k]);
	p->id[k] = id;
	p->slot[k] = slot;
}

static void index_drain(struct btf *btf, struct pipe *p)
{
	unsigned k = p->n > PIPE ? p->n - PIPE : 0;

	for (; k < p->n; k++)
		insert(btf, p->id[k % PIPE], p->slot[k % PIPE]);
}

static int parse(struct btf *btf, const void *data, size_t size,
		 const struct btf *base)
{
	struct btf_header h;
	struct pipe pipe = { .n = 0 };
	size_t start, slots = 2;
	uint32_t id, named;
	int err;

	memset(btf, 0, sizeof *btf);
	btf->data = data;
	btf->size = size;
	if (base) {
		btf->base = base;
		btf->start_id = base->nr_types;
		btf->start_str = base->start_str + base->strs_len;
	}
	if ((uintptr_t)data % 4)
		return error_set(EINVAL, "BTF: blob is not 4-byte aligned");
	if (size < sizeof h)
		return error_set(EINVAL, "BTF: truncated header (%zu bytes)", size);
	if (size > UINT32_MAX)    /* record offsets are kept in 32 bits */
		return error_set(EINVAL, "BTF: %zu bytes is too large", size);
	memcpy(&h, data, sizeof h);
	if ((err = check_header(btf, &h)))
		return err;

	/* Every record is at least 12 bytes: an upper bound on the ids. */
	start = (size_t)h.hdr_len + h.type_off;
	btf->offs = malloc((h.type_len / sizeof(struct btf_type) + 1) *
			   sizeof *btf->offs);
	if (!btf->offs)
		return error_set(ENOMEM, "BTF: no memory for %u bytes of types",
				 h.type_len);
	btf->offs[0] = 0;
	if ((err = walk_types(btf, start, h.type_len, &named)))
		goto fail;

	while (slots < 2 * (size_t)named)
		slots *= 2;
	btf->hash = calloc(slots, sizeof *btf->hash);
	if (!btf->hash) {
		err = error_set(ENOMEM, "BTF: no memory for the name index");
		goto fail;
	}
	btf->hash_mask = (uint32_t)slots - 1;
	for (id = base ? btf->start_id : 1; id < btf->nr_types; id++) {
		const struct btf_type *t = btf_type(btf, id);

		if ((err = btf_check_record(btf, id, t)))
			goto fail;
		if (t->name_off)
			index_name(btf, &pipe, id, btf_str(btf, t->name_off));
	}
	index_drain(btf, &pipe);
	return 0;
fail:
	btf_free(btf);
	return err;
}

int btf_parse(struct btf *btf, const void *data, size_t size)
{
	return parse(btf, data, size, NULL);
}

int btf_parse_split(struct btf *btf, const void *data, size_t size,
		    const struct btf *base)
{
	return parse(btf, data, size, base);
}

void btf_free(struct btf *btf)
{
	if (btf->lazy)
		btf_lazy_free(btf);
	free(btf->offs);
	free(btf->hash);
	btf->offs = NULL;
	btf->hash = NULL;
	btf->nr_types = 0;
}

const struct btf_type *btf_type(const struct btf *btf, uint32_t id)
{
	if (id < btf->start_id)
		return btf_type(btf->base, id);
	if (id == 0 || id >= btf->nr_types)
		return NULL;
	if (btf->lazy)
		return btf_lazy_type(btf, id);
	return (const struct btf_type *)(btf->data +
					 btf->offs[id - btf->start_id]);
}

const char *btf_str(const struct btf *btf, uint32_t off)
{
	if (off < btf->start_str)
		return btf_str(btf->base, off);
	off -= btf->start_str;
	if (off >= btf->strs_len)
		return "";
	return btf->lazy ? btf_lazy_str(btf, off) : btf->strs + off;
}

const char *btf_type_name(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf_type(btf, id);

	return t ? btf_str(btf, t->name_off) : "";
}

size_t btf_find(const struct btf *btf, const char *name, size_t len,
		int kind, uint32_t *ids, size_t max)
{
	uint32_t h, i;
	size_t n = 0;

	if (btf->lazy)
		return btf_lazy_find(btf, name, len, kind, ids, max);
	if (!btf->hash)
		return 0;
	h = name_hash(name, len);
	for (i = h & btf->hash_mask; btf->hash[i]; i = (i + 1) & btf->hash_mask) {
		const struct btf_type *t = btf_type(btf, btf->hash[i]);
		const char *s = btf_str(btf, t->name_off);

		if (strncmp(s, name, len) != 0 || s[len] != 0)
			continue;
		if (kind >= 0 && btf_kind(t) != (unsigned)kind)
			continue;
		if (n < max)
			ids[n] = btf->hash[i];
		n++;
	}
	return n;
}

int btf_find_one(const struct btf *btf, const char *name, int kind)
{
	uint32_t id;

	if (btf_find(btf, name, strlen(name), kind, &id, 1) == 0)
		return error_set(ENOENT, "BTF: no type named %s", name);
	return (int)id;
}

static int is_mod(unsigned kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE ||
	       kind == BTF_KIND_CONST || kind == BTF_KIND_RESTRICT ||
	       kind == BTF_KIND_TYPE_TAG;
}

uint32_t btf_skip_mods(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t;
	int depth;

	for (depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
		t = btf_type(btf, id);
		if (!t || !is_mod(btf_kind(t)))
			return t ? id : 0;
		id = t->type;
	}
	return 0;    /* a loop: treat as void */
}

int64_t btf_resolve_size(const struct btf *btf, uint32_t id)
{
	const uint32_t first = id;
	uint64_t nelems = 1, size;
	int depth;

	for (depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
		const struct btf_type *t = btf_type(btf, id);
		struct btf_array a;

		if (!t)
			return error_set(EINVAL, "BTF type %u: void has no size",
					 first);
		switch (btf_kind(t)) {
		case BTF_KIND_INT: case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_FLOAT:
		case BTF_KIND_DATASEC:
			size = t->size;
			goto done;
		case BTF_KIND_PTR:
			size = 8;    /* BPF pointers are 64-bit */
			goto done;
		case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_VAR:
			id = t->type;
			break;
		case BTF_KIND_ARRAY:
			memcpy(&a, btf_tail(t), sizeof a);
			/* Bounded so the product fits in 64 bits below. */
			if (a.nelems && nelems > UINT32_MAX / a.nelems)
				return error_set(EINVAL, "BTF type %u: array size "
						 "overflows", first);
			nelems *= a.nelems;
			id = a.type;
			break;
		default:
			return error_set(EINVAL, "BTF type %u: kind %u has no size",
					 first, btf_kind(t));
		}
	}
	return error_set(EINVAL, "BTF type %u: type chain deeper than %d "
			 "(a loop?)", first, MAX_RESOLVE_DEPTH);
done:
	if (size * nelems > UINT32_MAX)
		return error_set(EINVAL, "BTF type %u: size overflows", first);
	return (int64_t)(size * nelems);
}
