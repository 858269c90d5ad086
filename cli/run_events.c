/* The records of a user's object's rings, decoded with its BTF
 * (cli/run_events.h). Each ring's column list is built once, from the
 * record's struct, when its type is known: at the start when named
 * (--event-type, the ring's name, struct event), at its first record
 * when only the size tells. A record then goes through the tools'
 * renderers as it lies in the ring: nothing walks BTF per record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/run_events.h"
#include "elf/error.h"
#include "progs/options.h"
#include "render/btf_value.h"
#include "render/columns.h"
#include "render/output.h"

#define MAX_COLS 256
#define MAX_DEPTH 8             /* nested structs, as columns */
#define HEX_CHUNK 1024          /* record bytes per reserved room */
/* Members looked at to build one struct's columns: anonymous unions
 * of anonymous unions make few columns of much work (3^22 visits). */
#define MAX_VISITS 4096

struct ev_ring {
	const char *forced;             /* --event-type's NAME for it */
	uint32_t id;                    /* the record's struct; 0: none */
	int decided;                    /* id chosen, or hex */
	struct column *cols;            /* NULL: hex */
	size_t n, size;                 /* columns; the struct's size */
	unsigned char *scratch;         /* a short record, zero-filled */
	int headed;                     /* its table header printed */
	uint64_t lost;                  /* reported so far */
};

struct run_events {
	struct session *s;
	const struct btf *btf;          /* NULL: the object has none */
	enum render_format format;
	int several;
	struct ev_ring *r;
	size_t n;
	void **owned;                   /* freed with it */
	size_t nowned;
};

static void *own(struct run_events *e, size_t size)
{
	void **grown = realloc(e->owned, (e->nowned + 1) * sizeof *grown);
	void *p = calloc(1, size ? size : 1);

	if (grown)
		e->owned = grown;
	if (!grown || !p) {
		free(p);
		return NULL;
	}
	e->owned[e->nowned++] = p;
	return p;
}

/* The struct or union named name (through typedefs), or 0. */
static uint32_t find_struct(const struct btf *btf, const char *name)
{
	uint32_t ids[16];
	size_t i, n;

	if (!btf)
		return 0;
	n = btf_find(btf, name, strlen(name), -1, ids, 16);
	for (i = 0; i < n && i < 16; i++) {
		uint32_t id = btf_skip_mods(btf, ids[i]);
		const struct btf_type *t = btf_type(btf, id);

		if (t && (btf_kind(t) == BTF_KIND_STRUCT ||
			  btf_kind(t) == BTF_KIND_UNION) && t->size)
			return id;
	}
	return 0;
}

/* ---- the column list, from the struct ---------------------------------- */

struct builder {
	struct run_events *e;
	const struct btf *btf;
	struct column *c;
	size_t n;
	int full;                       /* more than MAX_COLS, or no memory */
	unsigned visits;                /* members looked at; full past
					   MAX_VISITS */
};

static void add(struct builder *b, const struct column *c)
{
	if (b->n == MAX_COLS) {
		b->full = 1;
		return;
	}
	b->c[b->n++] = *c;
}

/* "IN.PORT": the table's header of member name under path. */
static const char *header(struct builder *b, const char *path,
			  const char *name)
{
	size_t lp = strlen(path), ln = strlen(name), i;
	char *h = own(b->e, lp + ln + 1);

	if (!h) {
		b->full = 1;
		return "?";
	}
	memcpy(h, path, lp);
	memcpy(h + lp, name, ln + 1);
	for (i = 0; h[i]; i++)
		if (h[i] >= 'a' && h[i] <= 'z')
			h[i] = (char)(h[i] - 'a' + 'A');
	return h;
}

/* As wide as the type's largest value, but 8-byte numbers (times in ns,
 * addresses, counters) get 16: a 20-wide column would mostly be blank. */
static int int_width(size_t size, int is_signed)
{
	switch (size) {
	case 1: return 3 + is_signed;
	case 2: return 5 + is_signed;
	case 4: return 10 + is_signed;
	}
	return 16;
}

static int int_size(int64_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static const struct col_enum *enum_names(struct builder *b,
					 const struct btf_type *t)
{
	struct col_enum *ce = own(b->e, sizeof *ce);
	uint32_t i, n = btf_vlen(t);
	uint64_t *v = own(b->e, n * sizeof *v);
	const char **name = own(b->e, n * sizeof *name);

	if (!ce || !v || !name) {
		b->full = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		name[i] = btf_enum_at(b->btf, t, i, &v[i]);
		if (strlen(name[i]) > ce->longest)
			ce->longest = strlen(name[i]);
	}
	ce->n = n;
	ce->value = v;
	ce->name = name;
	return ce;
}

static void add_struct(struct builder *b, uint32_t id, size_t base,
		       const char *path, int depth);

/* A nested struct: its members between COL_BEGIN and COL_END. */
static void add_nested(struct builder *b, const char *path,
		       const char *name, uint32_t id, size_t at, int depth)
{
	struct column c = { 0 };
	size_t lp = strlen(path), ln = strlen(name);
	char *sub = own(b->e, lp + ln + 2);

	if (!sub) {
		b->full = 1;
		return;
	}
	memcpy(sub, path, lp);
	memcpy(sub + lp, name, ln);
	sub[lp + ln] = '.';
	c.key = name;
	c.kind = COL_BEGIN;
	add(b, &c);
	add_struct(b, id, at, sub, depth + 1);
	c.key = "";
	c.kind = COL_END;
	add(b, &c);
}

/* Member name of type id at byte at of the record. */
static void add_member(struct builder *b, const char *path, const char *name,
		       uint32_t id, size_t at, int depth)
{
	const struct btf_type *t = btf_type(b->btf, id);
	int64_t size = btf_resolve_size(b->btf, id);
	struct column c = { 0 };
	struct col_btf *cb;
	uint32_t info;

	if (!t || size <= 0 || at + (uint64_t)size > UINT16_MAX)
		return;                 /* nothing to show, or out of reach */
	c.name = header(b, path, name);
	c.key = name;
	c.offset = (uint16_t)at;
	c.size = (uint16_t)size;
	c.kind = COL_BTF;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		info = *(const uint32_t *)btf_tail(t);
		if (!int_size(size) || BTF_INT_BITS(info) != size * 8 ||
		    BTF_INT_OFFSET(info))
			break;
		c.kind = BTF_INT_ENCODING(info) & BTF_INT_BOOL ? COL_BOOL :
			 BTF_INT_ENCODING(info) & BTF_INT_SIGNED ? COL_INT :
			 COL_UINT;
		c.width = (int16_t)(c.kind == COL_BOOL ? 5 :
			  int_width((size_t)size, c.kind == COL_INT));
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!int_size(size))
			break;
		c.kind = COL_ENUM;
		c.data = enum_names(b, t);
		if (!c.data)
			return;
		c.width = (int16_t)((const struct col_enum *)c.data)->longest;
		break;
	case BTF_KIND_ARRAY:
		if (!btf_value_is_char(b->btf,
				       ((const struct btf_array *)
					btf_tail(t))->type))
			break;
		c.kind = COL_STR;
		c.width = (int16_t)(size - 1 < 16 ? size - 1 : 16);
		break;
	case BTF_KIND_STRUCT:
		if (depth >= MAX_DEPTH)
			break;
		add_nested(b, path, name, id, at, depth);
		return;
	}
	if (c.kind == COL_BTF) {
		cb = own(b->e, sizeof *cb);
		if (!cb) {
			b->full = 1;
			return;
		}
		cb->btf = b->btf;
		cb->id = id;
		c.data = cb;
	}
	if ((size_t)c.width < strlen(c.name))
		c.width = (int16_t)strlen(c.name);
	add(b, &c);
}

/* The members of struct (or union) id at byte base; an anonymous
 * struct or union member's members in its place, as btf_value shows
 * them. A bitfield is left out: a column is whole bytes. */
static void add_struct(struct builder *b, uint32_t id, size_t base,
		       const char *path, int depth)
{
	const struct btf_type *t = btf_type(b->btf, id);
	const struct btf_member *m = btf_tail(t);
	uint32_t i;

	for (i = 0; i < btf_vlen(t) && !b->full; i++) {
		uint32_t off = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m[i].offset)
					    : m[i].offset;
		uint32_t mid = btf_skip_mods(b->btf, m[i].type);
		const struct btf_type *mt = btf_type(b->btf, mid);
		const char *name = btf_str(b->btf, m[i].name_off);

		if (++b->visits > MAX_VISITS) {
			b->full = 1;
			return;
		}
		int64_t msize = mt ? btf_resolve_size(b->btf, mid) : -1;

		if ((btf_kflag(t) && BTF_MEMBER_BITFIELD_SIZE(m[i].offset)) ||
		    off % 8 || !mt)
			continue;
		/* Whole bytes inside the struct only: the kernel's checker
		 * lets an int of fewer bits than its bytes hang past the
		 * struct's end, and its column would read past the record. */
		if (msize < 0 || off / 8 + (uint64_t)msize > t->size)
			continue;
		/* an anonymous member is a level, as a named one */
		if (!*name && (btf_kind(mt) == BTF_KIND_STRUCT ||
			       btf_kind(mt) == BTF_KIND_UNION)) {
			if (depth < MAX_DEPTH)
				add_struct(b, mid, base + off / 8, path,
					   depth + 1);
		} else if (*name)
			add_member(b, path, name, mid, base + off / 8, depth);
	}
}

/* A top-level member named ts goes first (after the ring's name), as
 * the tools write their ts first. */
static void ts_first(struct column *c, size_t n, size_t first)
{
	size_t i;
	int level = 0;
	struct column ts;

	for (i = first; i < n; i++) {
		if (c[i].kind == COL_BEGIN)
			level++;
		else if (c[i].kind == COL_END)
			level--;
		else if (!level && strcmp(c[i].key, "ts") == 0)
			break;
	}
	if (i == n || i == first)
		return;
	ts = c[i];
	memmove(c + first + 1, c + first, (i - first) * sizeof *c);
	c[first] = ts;
}

/* The column list of ring r's records, of struct id. */
static int build(struct run_events *e, struct ev_ring *r, uint32_t id,
		 const char *ring)
{
	struct builder b = { e, e->btf, NULL, 0, 0, 0 };
	const struct btf_type *t = btf_type(e->btf, id);
	struct column label = { 0 };

	b.c = own(e, MAX_COLS * sizeof *b.c);
	if (!b.c)
		return error_set(ENOMEM, "no memory");
	if (e->several) {
		label.name = "RING";
		label.key = "ring";
		label.kind = COL_LABEL;
		label.data = ring;
		label.width = (int16_t)(strlen(ring) > 4 ? strlen(ring) : 4);
		add(&b, &label);
	}
	add_struct(&b, id, 0, "", 0);
	if (b.visits > MAX_VISITS)
		return error_set(E2BIG, "ring %s: struct %s: more than %d "
				 "members to look at", ring,
				 btf_type_name(e->btf, id), MAX_VISITS);
	if (b.full)
		return error_set(E2BIG, "ring %s: struct %s: more than %d "
				 "columns", ring, btf_type_name(e->btf, id),
				 MAX_COLS);
	ts_first(b.c, b.n, e->several);
	if (render_room(b.c, b.n, (uint32_t)-1) > OUT_ROOM_MAX)
		return error_set(E2BIG, "ring %s: struct %s: a line too long "
				 "for the output buffer", ring,
				 btf_type_name(e->btf, id));
	r->scratch = own(e, t->size);
	if (!r->scratch)
		return error_set(ENOMEM, "no memory");
	r->cols = b.c;
	r->n = b.n;
	r->size = t->size;
	r->id = id;
	return 0;
}

/* ---- which struct ----------------------------------------------------- */

/* The type a ring's records are by name: --event-type's, the ring's own
 * name (or without its plural s), else struct event. */
static uint32_t by_name(const struct run_events *e, const struct ev_ring *r,
			const char *ring)
{
	char single[64];
	size_t len = strlen(ring);
	uint32_t id;

	if (r->forced)
		return find_struct(e->btf, r->forced);
	id = find_struct(e->btf, ring);
	if (!id && len > 1 && len < sizeof single && ring[len - 1] == 's') {
		memcpy(single, ring, len - 1);
		single[len - 1] = 0;
		id = find_struct(e->btf, single);
	}
	return id ? id : find_struct(e->btf, "event");
}

/* The one struct the record's size fits (a perf sample is padded to 8
 * bytes with its 4-byte size: up to 7 more), or 0. */
static uint32_t by_size(const struct btf *btf, uint32_t size, int is_perf)
{
	uint32_t id, found = 0, slack = is_perf ? 7 : 0;

	if (!btf)
		return 0;
	for (id = 1; id < btf->nr_types; id++) {
		const struct btf_type *t = btf_type(btf, id);

		if (!t || btf_kind(t) != BTF_KIND_STRUCT || !t->size ||
		    t->size > size || size - t->size > slack)
			continue;
		if (found)
			return 0;       /* two fit: neither is sure */
		found = id;
	}
	return found;
}

static void decide(struct run_events *e, struct ev_ring *r,
		   const struct ring *ring, uint32_t size)
{
	const char *name = ring->map->name;
	uint32_t id = by_size(e->btf, size, ring->is_perf);

	r->decided = 1;
	if (id && build(e, r, id, name) == 0)
		return;
	if (id)
		err_line("rawtrace run: %s", error_msg());
	err_line("rawtrace run: ring %s: no struct found for its %u-byte "
		 "records: shown in hex (--event-type %s=NAME decodes them)",
		 name, size, name);
}

/* "MAP=NAME" or "NAME". */
static int parse_type(const char *arg, const char **map, size_t *maplen,
	       const char **name)
{
	const char *eq = strchr(arg, '=');

	*map = eq ? arg : NULL;
	*maplen = eq ? (size_t)(eq - arg) : 0;
	*name = eq ? eq + 1 : arg;
	return **name ? 0 : error_set(EINVAL, "--event-type %s: no type "
				      "name", arg);
}

/* Every --event-type names a ring of the object (or all of them) and a
 * struct of its BTF. */
static int apply_types(struct run_events *e, const char *const *types,
		       unsigned ntypes)
{
	const char *map, *name;
	size_t len, i;
	unsigned k;
	int err, hit;

	for (k = 0; k < ntypes; k++) {
		err = parse_type(types[k], &map, &len, &name);
		if (err)
			return err;
		if (!find_struct(e->btf, name))
			return error_set(ENOENT, "--event-type %s: no struct "
					 "%s in %s's BTF", types[k], name,
					 e->s->obj.name);
		hit = 0;
		for (i = 0; i < e->n; i++) {
			const char *ring = e->s->rings.r[i].map->name;

			if (map && (strlen(ring) != len ||
				    strncmp(ring, map, len)))
				continue;
			/* a ring's own MAP=NAME over a NAME for all */
			if (map || !e->r[i].forced)
				e->r[i].forced = name;
			hit = 1;
		}
		if (!hit && map)
			return error_set(ENOENT, "--event-type %s: no ring "
					 "%.*s in %s", types[k], (int)len, map,
					 e->s->obj.name);
	}
	return 0;
}

/* ---- the run ---------------------------------------------------------- */

/* A record no struct was found for: its bytes in hex. */
static void show_hex(const struct run_events *e, const char *ring,
		     const unsigned char *p, uint32_t size)
{
	static const char digits[] = "0123456789abcdef";
	uint32_t i, k;
	char *q;

	if (e->format == RENDER_JSON) {
		out_str("{");
		if (e->several) {
			out_str("\"ring\":");
			out_json_str(ring, strlen(ring));
			out_str(",");
		}
		out_str("\"hex\":\"");
	} else if (e->format == RENDER_KV) {
		if (e->several) {
			out_str("ring=");
			out_text(ring, strlen(ring));
			out_char(' ');
		}
		out_str("hex=");
	} else if (e->several) {
		out_text(ring, strlen(ring));
		out_char(' ');
	}
	for (i = 0; i < size; i += k) {
		k = size - i < HEX_CHUNK ? size - i : HEX_CHUNK;
		q = out_room(2 * (size_t)k);
		for (uint32_t j = 0; j < k; j++) {
			*q++ = digits[p[i + j] >> 4];
			*q++ = digits[p[i + j] & 15];
		}
		out_done(q);
	}
	out_str(e->format == RENDER_JSON ? "\"}\n" : "\n");
}

void run_events_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	struct run_events *e = ctx;
	const struct ring *ring = &e->s->rings.r[e->s->rings.draining];
	struct ev_ring *r = &e->r[e->s->rings.draining];

	(void)cpu;
	if (!r->decided)
		decide(e, r, ring, size);
	if (!r->cols) {
		show_hex(e, ring->map->name, data, size);
		return;
	}
	/* a record may be shorter than its struct (execsnoop sends only
	 * the args it has): the rest reads as zeros */
	if (size < r->size) {
		memcpy(r->scratch, data, size);
		memset(r->scratch + size, 0, r->size - size);
		data = r->scratch;
	}
	if (e->format != RENDER_TABLE) {
		render_event(e->format, r->cols, r->n, 0, data);
		return;
	}
	if (!r->headed)
		render_header(r->cols, r->n, 0);
	r->headed = 1;
	render_table(r->cols, r->n, 0, data);
}

/* A perf ring's lost records, said as they are counted (as the tools
 * say theirs); each ring's total is in the run's closing lines. */
static void count_lost(struct session *s, void *ctx, int final)
{
	struct run_events *e = ctx;
	size_t i;

	(void)final;
	for (i = 0; i < e->n; i++) {
		uint64_t lost = ring_lost(&s->rings.r[i]);

		if (lost > e->r[i].lost)
			err_line("rawtrace run: ring %s: lost %llu records "
				 "(ring full)", s->rings.r[i].map->name,
				 (unsigned long long)(lost - e->r[i].lost));
		e->r[i].lost = lost;
	}
}

struct run_events *run_events_open(struct session *s,
				   const char *const *types, unsigned ntypes,
				   enum render_format format)
{
	struct run_events *e = calloc(1, sizeof *e);
	size_t i;
	int err = 0;

	if (!e || !(e->r = calloc(s->rings.n + 1, sizeof *e->r))) {
		free(e);
		error_set(ENOMEM, "no memory");
		return NULL;
	}
	e->s = s;
	e->btf = s->obj.has_btf ? &s->obj.btf : NULL;
	e->format = format;
	e->n = s->rings.n;
	e->several = e->n > 1;
	err = apply_types(e, types, ntypes);
	for (i = 0; !err && i < e->n; i++) {
		uint32_t id = by_name(e, &e->r[i], s->rings.r[i].map->name);

		if (id) {
			e->r[i].decided = 1;
			err = build(e, &e->r[i], id, s->rings.r[i].map->name);
		}
	}
	if (err) {
		run_events_close(e);
		return NULL;
	}
	s->flush = flush_output;
	s->polled = count_lost;
	return e;
}

void run_events_close(struct run_events *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->nowned; i++)
		free(e->owned[i]);
	free(e->owned);
	free(e->r);
	free(e);
}
