/* btfgen: cut a kernel's BTF down to what CO-RE records read.
 *
 * A kernel's BTF is ~5 MB; rawtrace's tools read a few dozen structs and
 * a handful of their members. For each CO-RE record, every kernel type it
 * matches is found by core_for_each_match (the very matching
 * core_relocate does, so the two cannot drift apart), and kept as
 * `bpftool gen min_core_btf` keeps it:
 *   - a field: each struct or union on the access path with only the
 *     members on it (anonymous ones included), and the types of those
 *     members through typedefs, modifiers and arrays, but not behind a
 *     pointer: a pointer to a type nobody reads becomes void *;
 *   - an enum value: the enum with only the values asked for;
 *   - a type: the type, behind pointers and in function prototypes too
 *     (type compatibility looks there), structs without their members;
 *   - a type match: as a type, and where the match looks into a struct
 *     or union by value, the members named like the local type's, and
 *     every value of an enum.
 * What is kept keeps its size, member offsets, bitfield widths and int
 * encodings, so each record resolves against the result as against the
 * whole. Ids are renumbered in their original order; the string table
 * holds only the names kept. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf/error.h"
#include "obj/btfgen.h"
#include "obj/core.h"
#include "obj/object.h"

#define KEEP 1          /* the type is in the output */
#define DEEP 2          /* ... and what it points to (type records) */
#define DEPTH_MAX 64    /* typedef/modifier/pointer chains followed */

/* The members of one struct or union (or the values of one enum) kept:
 * one bit per index. */
struct btfgen_items {
	uint32_t id;
	uint32_t vlen;
	unsigned char bits[];
};

int btfgen_init(struct btfgen *g, const struct btf *target)
{
	memset(g, 0, sizeof *g);
	g->target = target;
	g->flags = calloc(target->nr_types ? target->nr_types : 1, 1);
	if (!g->flags)
		return error_set(ENOMEM, "btfgen: no memory for %u types",
				 target->nr_types);
	return 0;
}

void btfgen_free(struct btfgen *g)
{
	size_t i;

	for (i = 0; i < g->nr_items; i++)
		free(g->items[i]);
	free(g->items);
	free(g->flags);
	free(g->drop);
	memset(g, 0, sizeof *g);
}

static struct btfgen_items *find_items(const struct btfgen *g, uint32_t id)
{
	size_t i;

	for (i = 0; i < g->nr_items; i++)
		if (g->items[i]->id == id)
			return g->items[i];
	return NULL;
}

/* Keeps member (or enumerator) idx of type id, which has vlen of them. */
static int keep_item(struct btfgen *g, uint32_t id, uint32_t vlen,
		     uint32_t idx)
{
	struct btfgen_items *it = find_items(g, id), **more;

	if (idx >= vlen)
		return error_set(EINVAL, "btfgen: type [%u] has no member %u",
				 id, idx);
	if (!it) {
		more = realloc(g->items, (g->nr_items + 1) * sizeof *more);
		if (!more)
			return error_set(ENOMEM, "btfgen: no memory");
		g->items = more;
		it = calloc(1, sizeof *it + vlen / 8 + 1);
		if (!it)
			return error_set(ENOMEM, "btfgen: no memory");
		it->id = id;
		it->vlen = vlen;
		g->items[g->nr_items++] = it;
	}
	it->bits[idx / 8] |= (unsigned char)(1u << idx % 8);
	return 0;
}

static int item_kept(const struct btfgen_items *it, uint32_t idx)
{
	return it && idx < it->vlen && it->bits[idx / 8] >> idx % 8 & 1;
}

/* Keeps type id and what its layout depends on; behind pointers too
 * when deep. Structs and unions are kept without members: keep_field
 * adds the ones read. */
static int keep_type(struct btfgen *g, uint32_t id, int deep, int depth)
{
	unsigned char want = deep ? KEEP | DEEP : KEEP;
	const struct btf_type *t;
	const struct btf_param *p;
	const struct btf_array *a;
	unsigned i;
	int err;

	if (id == 0 || (g->flags[id] & want) == want)
		return 0;
	if (depth > DEPTH_MAX)
		return error_set(ELOOP, "btfgen: type [%u]: chain too long", id);
	t = btf_type(g->target, id);
	if (!t)
		return error_set(EINVAL, "btfgen: no type [%u]", id);
	g->flags[id] |= want;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FWD:
		return 0;
	case BTF_KIND_PTR:
		return deep ? keep_type(g, t->type, deep, depth + 1) : 0;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return keep_type(g, t->type, deep, depth + 1);
	case BTF_KIND_ARRAY:
		a = btf_tail(t);
		err = keep_type(g, a->type, deep, depth + 1);
		return err ? err : keep_type(g, a->index_type, deep, depth + 1);
	case BTF_KIND_FUNC_PROTO:
		p = btf_tail(t);
		err = keep_type(g, t->type, deep, depth + 1);
		for (i = 0; !err && i < btf_vlen(t); i++)
			err = keep_type(g, p[i].type, deep, depth + 1);
		return err;
	}
	return error_set(EINVAL, "btfgen: type [%u] is of kind %u, which no "
			 "CO-RE record reads", id, btf_kind(t));
}

/* A field record's path: raw[0] indexes the root itself; each later
 * step is a member of the struct or union reached, or an array index. */
static int keep_field(struct btfgen *g, const struct core_match *m)
{
	const struct btf *tb = g->target;
	uint32_t id = m->root_id;
	int i, err = keep_type(g, id, 0, 0);

	for (i = 1; !err && i < m->raw_len; i++) {
		const struct btf_type *t;

		id = btf_skip_mods(tb, id);
		t = btf_type(tb, id);
		if (t && (btf_kind(t) == BTF_KIND_STRUCT ||
			  btf_kind(t) == BTF_KIND_UNION)) {
			err = keep_item(g, id, btf_vlen(t), m->raw[i]);
			if (err)
				break;
			id = ((const struct btf_member *)btf_tail(t))[m->raw[i]].type;
			err = keep_type(g, id, 0, 0);
		} else if (t && btf_kind(t) == BTF_KIND_ARRAY) {
			id = ((const struct btf_array *)btf_tail(t))->type;
		} else {
			err = error_set(EINVAL, "btfgen: type [%u] on an access "
					"path is not a struct, union or array", id);
		}
	}
	return err;
}

/* Every member (or enumerator) of type id. */
static int keep_items(struct btfgen *g, uint32_t id, const struct btf_type *t)
{
	uint32_t i;
	int err = 0;

	for (i = 0; !err && i < btf_vlen(t); i++)
		err = keep_item(g, id, btf_vlen(t), i);
	return err;
}

static int keep_matched(struct btfgen *g, const struct btf *lb, uint32_t lid,
			uint32_t tid, int behind_ptr, int depth);

/* The kernel members a type match compares with the local struct lt's:
 * those named like one of them, and what they hold. */
static int keep_matched_members(struct btfgen *g, const struct btf *lb,
				const struct btf_type *lt, uint32_t tid,
				const struct btf_type *tt, int depth)
{
	const struct btf_member *lm = btf_tail(lt), *tm = btf_tail(tt);
	uint32_t i, j;
	int err = 0;

	for (i = 0; !err && i < btf_vlen(lt); i++)
		for (j = 0; !err && j < btf_vlen(tt); j++) {
			if (!core_names_match(btf_str(lb, lm[i].name_off),
					      btf_str(g->target, tm[j].name_off)))
				continue;
			err = keep_item(g, tid, btf_vlen(tt), j);
			if (!err)
				err = keep_matched(g, lb, lm[i].type, tm[j].type,
						   0, depth + 1);
		}
	return err;
}

/* What core.c's type match reads of kernel type tid while comparing it
 * with local type lid: walked the same way, local and kernel side by
 * side, keeping the kernel's half. Where the two differ in kind the
 * match stops, and so does this. */
static int keep_matched(struct btfgen *g, const struct btf *lb, uint32_t lid,
			uint32_t tid, int behind_ptr, int depth)
{
	const struct btf_type *lt, *tt;
	const struct btf_param *lp, *tp;
	unsigned i;
	int err;

	for (; depth <= DEPTH_MAX; depth++) {
		err = keep_type(g, tid, 0, 0);
		if (err)
			return err;
		lid = btf_skip_mods(lb, lid);
		tid = btf_skip_mods(g->target, tid);
		lt = btf_type(lb, lid);
		tt = btf_type(g->target, tid);
		if (!lt || !tt)
			return 0;
		switch (btf_kind(tt)) {
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return keep_items(g, tid, tt);
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (behind_ptr || btf_kind(lt) != btf_kind(tt))
				return 0;
			return keep_matched_members(g, lb, lt, tid, tt, depth);
		case BTF_KIND_PTR:
			if (btf_kind(lt) != BTF_KIND_PTR)
				return 0;
			behind_ptr = 1;
			lid = lt->type;
			tid = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			if (btf_kind(lt) != BTF_KIND_ARRAY)
				return 0;
			lid = ((const struct btf_array *)btf_tail(lt))->type;
			tid = ((const struct btf_array *)btf_tail(tt))->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			if (btf_kind(lt) != BTF_KIND_FUNC_PROTO ||
			    btf_vlen(lt) != btf_vlen(tt))
				return 0;
			lp = btf_tail(lt);
			tp = btf_tail(tt);
			for (i = 0; i < btf_vlen(lt); i++) {
				err = keep_matched(g, lb, lp[i].type, tp[i].type,
						   behind_ptr, depth + 1);
				if (err)
					return err;
			}
			lid = lt->type;
			tid = tt->type;
			continue;
		default:
			return 0;
		}
	}
	return error_set(ELOOP, "btfgen: type [%u]: chain too long", tid);
}

static int keep_match(void *ctx, const struct core_match *m)
{
	struct btfgen *g = ctx;
	const struct btf_type *t;
	uint32_t id;
	int err;

	switch (m->group) {
	case CORE_FIELD:
		return keep_field(g, m);
	case CORE_ENUM:
		err = keep_type(g, m->root_id, 0, 0);
		id = btf_skip_mods(g->target, m->root_id);
		t = btf_type(g->target, id);
		if (!err && t && m->raw_len == 1)
			err = keep_item(g, id, btf_vlen(t), m->raw[0]);
		return err;
	default:
		if (m->kind == BPF_CORE_TYPE_MATCHES)
			return keep_matched(g, m->local, m->local_id,
					    m->root_id, 0, 0);
		return keep_type(g, m->root_id, 1, 0);
	}
}

int btfgen_add_obj(struct btfgen *g, const struct obj *o)
{
	struct btf_ext_sec sec;
	struct bpf_core_relo rec;
	size_t cursor = 0;
	uint32_t i;
	int err;

	while (o->has_ext &&
	       btf_ext_next(&o->ext, BTF_EXT_CORE, &o->btf, &cursor, &sec) == 1) {
		for (i = 0; i < sec.count; i++) {
			memcpy(&rec, sec.recs + (size_t)i * sec.rec_size,
			       sizeof rec);
			err = core_for_each_match(&o->btf, g->target, &rec,
						  keep_match, g);
			if (err)
				return error_prefix(-err, "%s: %s: ", o->name,
						    sec.name);
		}
	}
	return 0;
}

int btfgen_drop(struct btfgen *g, const char *spec)
{
	const char **more;
	const char *dot = strchr(spec, '.');

	if (!dot || dot == spec || !dot[1] || strchr(dot + 1, '.'))
		return error_set(EINVAL, "\"%s\": expected TYPE.MEMBER", spec);
	more = realloc(g->drop, (g->nr_drop + 1) * sizeof *more);
	if (!more)
		return error_set(ENOMEM, "btfgen: no memory");
	g->drop = more;
	g->drop[g->nr_drop++] = spec;
	return 0;
}

/* spec ("TYPE.MEMBER") names member of type. */
static int spec_is(const char *spec, const char *type, const char *member)
{
	size_t len = strlen(type);

	return len && strncmp(spec, type, len) == 0 && spec[len] == '.' &&
	       strcmp(spec + len + 1, member) == 0;
}

static int dropped(const struct btfgen *g, const char *type,
		   const char *member)
{
	size_t i;

	for (i = 0; i < g->nr_drop; i++)
		if (spec_is(g->drop[i], type, member))
			return 1;
	return 0;
}

/* Each --drop names a member that would be kept: a typo must not pass
 * for a kernel without the member. */
static int drops_match(const struct btfgen *g)
{
	size_t d, i;
	uint32_t k;

	for (d = 0; d < g->nr_drop; d++) {
		int found = 0;

		for (i = 0; !found && i < g->nr_items; i++) {
			const struct btf_type *t = btf_type(g->target,
							    g->items[i]->id);
			const struct btf_member *m = btf_tail(t);

			if (btf_kind(t) != BTF_KIND_STRUCT &&
			    btf_kind(t) != BTF_KIND_UNION)
				continue;
			for (k = 0; !found && k < btf_vlen(t); k++)
				found = item_kept(g->items[i], k) &&
					spec_is(g->drop[d],
						btf_str(g->target, t->name_off),
						btf_str(g->target, m[k].name_off));
		}
		if (!found)
			return error_set(ENOENT, "--drop %s: no such member "
					 "among those the tools read",
					 g->drop[d]);
	}
	return 0;
}

/* --- writing --- */

struct buf {
	unsigned char *data;
	size_t len, cap;
};

static int put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		unsigned char *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d)
			return error_set(ENOMEM, "btfgen: no memory");
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

/* The offset of s in the new string table, added if not there yet. A few
 * hundred names: a linear search is enough. */
static int64_t add_str(struct buf *strs, const char *s)
{
	size_t off = 0, n = strlen(s);

	while (off < strs->len) {
		size_t len = strlen((const char *)strs->data + off);

		if (len == n && memcmp(strs->data + off, s, n) == 0)
			return (int64_t)off;
		off += len + 1;
	}
	off = strs->len;
	return put(strs, s, n + 1) ? -ENOMEM : (int64_t)off;
}

struct writer {
	const struct btfgen *g;
	uint32_t *new_id;       /* target id -> output id, 0 if not kept */
	struct buf types, strs;
};

static int name_off(struct writer *w, uint32_t off, uint32_t *out)
{
	int64_t n = add_str(&w->strs, btf_str(w->g->target, off));

	if (n < 0)
		return (int)n;
	*out = (uint32_t)n;
	return 0;
}

/* The members kept of a struct or union, each with its offset word as is
 * (bitfield width included), its name and its type renumbered. */
static int put_members(struct writer *w, uint32_t id,
		       const struct btf_type *t, unsigned *vlen)
{
	const struct btf_member *m = btf_tail(t);
	const struct btfgen_items *it = find_items(w->g, id);
	const char *owner = btf_str(w->g->target, t->name_off);
	unsigned i;
	int err;

	*vlen = 0;
	for (i = 0; i < btf_vlen(t); i++) {
		struct btf_member nm = m[i];

		if (!item_kept(it, i) ||
		    dropped(w->g, owner, btf_str(w->g->target, m[i].name_off)))
			continue;
		nm.type = w->new_id[m[i].type];
		err = name_off(w, m[i].name_off, &nm.name_off);
		if (!err)
			err = put(&w->types, &nm, sizeof nm);
		if (err)
			return err;
		(*vlen)++;
	}
	return 0;
}

/* The enumerators kept, enum or enum64 alike (both start with name_off). */
static int put_enumerators(struct writer *w, uint32_t id,
			   const struct btf_type *t, unsigned *vlen)
{
	const struct btfgen_items *it = find_items(w->g, id);
	size_t size = btf_kind(t) == BTF_KIND_ENUM ?
		sizeof(struct btf_enum) : sizeof(struct btf_enum64);
	unsigned char e[sizeof(struct btf_enum64)];
	unsigned i;
	int err;

	*vlen = 0;
	for (i = 0; i < btf_vlen(t); i++) {
		uint32_t off;

		if (!item_kept(it, i))
			continue;
		memcpy(e, (const unsigned char *)btf_tail(t) + i * size, size);
		memcpy(&off, e, sizeof off);
		err = name_off(w, off, &off);
		memcpy(e, &off, sizeof off);
		if (!err)
			err = put(&w->types, e, size);
		if (err)
			return err;
		(*vlen)++;
	}
	return 0;
}

static int put_params(struct writer *w, const struct btf_type *t)
{
	const struct btf_param *p = btf_tail(t);
	unsigned i;
	int err = 0;

	for (i = 0; !err && i < btf_vlen(t); i++) {
		struct btf_param np = { .type = w->new_id[p[i].type] };

		err = name_off(w, p[i].name_off, &np.name_off);
		if (!err)
			err = put(&w->types, &np, sizeof np);
	}
	return err;
}

/* One kept type: the header first (its vlen patched once the kept
 * members are counted), then its tail. */
static int put_type(struct writer *w, uint32_t id)
{
	const struct btf_type *t = btf_type(w->g->target, id);
	struct btf_type nt = *t;
	struct btf_array a;
	size_t at = w->types.len;
	unsigned vlen = btf_vlen(t);
	int err = name_off(w, t->name_off, &nt.name_off);

	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FUNC_PROTO:
		nt.type = w->new_id[t->type];
		break;
	}
	if (!err)
		err = put(&w->types, &nt, sizeof nt);
	if (err)
		return err;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return put(&w->types, btf_tail(t), sizeof(uint32_t));
	case BTF_KIND_ARRAY:
		a = *(const struct btf_array *)btf_tail(t);
		a.type = w->new_id[a.type];
		a.index_type = w->new_id[a.index_type];
		return put(&w->types, &a, sizeof a);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		err = put_members(w, id, t, &vlen);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		err = put_enumerators(w, id, t, &vlen);
		break;
	case BTF_KIND_FUNC_PROTO:
		return put_params(w, t);
	}
	nt.info = (nt.info & ~0xffffu) | vlen;
	memcpy(w->types.data + at, &nt, sizeof nt);
	return err;
}

int btfgen_write(const struct btfgen *g, void **out, size_t *size)
{
	struct writer w = { .g = g };
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION,
		.hdr_len = sizeof h,
	};
	unsigned char *blob = NULL;
	uint32_t id, n = 0;
	int err;

	*out = NULL;
	*size = 0;
	err = drops_match(g);
	if (err)
		return err;
	w.new_id = calloc(g->target->nr_types ? g->target->nr_types : 1,
			  sizeof *w.new_id);
	if (!w.new_id)
		return error_set(ENOMEM, "btfgen: no memory");
	for (id = 1; id < g->target->nr_types; id++)
		if (g->flags[id] & KEEP)
			w.new_id[id] = ++n;
	err = put(&w.strs, "", 1);      /* offset 0: the empty name */
	for (id = 1; !err && id < g->target->nr_types; id++)
		if (w.new_id[id])
			err = put_type(&w, id);
	h.type_len = (uint32_t)w.types.len;
	h.str_off = h.type_len;
	h.str_len = (uint32_t)w.strs.len;
	if (!err && !(blob = malloc(sizeof h + w.types.len + w.strs.len)))
		err = error_set(ENOMEM, "btfgen: no memory");
	if (!err) {
		memcpy(blob, &h, sizeof h);
		memcpy(blob + sizeof h, w.types.data, w.types.len);
		memcpy(blob + sizeof h + w.types.len, w.strs.data, w.strs.len);
		*out = blob;
		*size = sizeof h + w.types.len + w.strs.len;
	}
	free(w.new_id);
	free(w.types.data);
	free(w.strs.data);
	return err;
}

int btfgen_check_obj(const struct obj *o, const struct btf *full,
		     const struct btf *min)
{
	struct obj_prog_image *want = calloc(o->nr_progs + 1, sizeof *want);
	struct obj_prog_image *got = calloc(o->nr_progs + 1, sizeof *got);
	size_t i, j;
	int err = 0;

	if (!want || !got)
		err = error_set(ENOMEM, "btfgen: no memory");
	if (!err)
		err = obj_relocate(o, full, NULL, want);
	if (!err)
		err = obj_relocate(o, min, NULL, got);
	for (i = 0; !err && i < o->nr_progs; i++) {
		const struct obj_prog_image *w = &want[i], *g = &got[i];

		for (j = 0; !err && j < w->insn_cnt; j++)
			if (memcmp(&w->insns[j], &g->insns[j], sizeof *w->insns))
				err = error_set(EPROTO, "%s: program %s insn "
						"%zu: CO-RE resolves differently "
						"against the minimal BTF",
						o->name, o->progs[i].name, j);
	}
	obj_images_free(want, want ? o->nr_progs : 0);
	obj_images_free(got, got ? o->nr_progs : 0);
	return err;
}
