/* What an object keeps, shown at the end of `rawtrace run` (issue 22):
 * each map's entries and each global of .bss and .data, decoded with the
 * object's BTF (render/btf_value.c); hex where it has none. Counters
 * (integer values) in a hash come largest first; per-CPU values are
 * shown per CPU and, when integers, summed. A map that holds histograms
 * is drawn as the libbpf-tools draw theirs (render/hist.c). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/run_maps.h"
#include "elf/error.h"
#include "loader/load.h"
#include "loader/map_read.h"
#include "loader/sys.h"
#include "obj/names.h"
#include "render/btf_value.h"
#include "render/hist.h"
#include "render/output.h"

#define MAX_ENTRIES 100000      /* shown of one map; more are counted */
#define MAX_BYTES (64u << 20)   /* of one map's entries kept to be shown */

struct entries {
	const struct obj *o;
	const struct obj_map *m;
	unsigned char *buf;             /* n records: key, value */
	size_t n, cap, rec, ksize, vsize;
	int ncpus;
	int cut;                        /* stopped at MAX_BYTES */
	int oom;                        /* stopped for want of memory */
};

static int keep(void *ctx, const void *key, const void *value, int ncpus)
{
	struct entries *e = ctx;
	unsigned char *p;

	if ((e->n + 1) * e->rec > MAX_BYTES) {
		e->cut = 1;
		return 1;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;

		if (cap * e->rec > MAX_BYTES)
			cap = MAX_BYTES / e->rec;
		p = realloc(e->buf, cap * e->rec);
		if (!p) {
			e->oom = 1;
			return 1;
		}
		e->buf = p, e->cap = cap;
	}
	p = e->buf + e->n++ * e->rec;
	memcpy(p, key, e->ksize);
	memcpy(p + e->ksize, value, e->vsize);
	e->ncpus = ncpus;
	return 0;
}

static int shown_type(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH: case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH: case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_HASH: case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		return 1;
	}
	return 0;
}

/* "percpu_array", as bpftool names map types. */
static const char *type_name(uint32_t type, char *buf, size_t size)
{
	const char *name = map_type_name(type);
	size_t i;

	if (strncmp(name, "BPF_MAP_TYPE_", 13) == 0)
		name += 13;
	for (i = 0; name[i] && i + 1 < size; i++)
		buf[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
				name[i] - 'A' + 'a' : name[i]);
	buf[i] = 0;
	return buf;
}

static int is_array_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/* One CPU's slot of a per-CPU value, or the value itself. */
static const unsigned char *slot(const struct entries *e,
				 const unsigned char *v, int cpu)
{
	return v + (size_t)cpu * map_value_stride(e->m);
}

/* The value as one number (summed over CPUs), if it is an integer. */
static int value_sum(const struct entries *e, const unsigned char *v,
		     uint64_t *sum)
{
	int cpu, n = map_is_percpu(e->m->type) ? e->ncpus : 1;
	uint64_t x;

	*sum = 0;
	for (cpu = 0; cpu < n; cpu++) {
		if (!e->m->value_type_id ||
		    btf_value_u64(&e->o->btf, e->m->value_type_id,
				  slot(e, v, cpu), e->m->value_size, &x))
			return 0;
		*sum += x;
	}
	return 1;
}

static int all_zero(const unsigned char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static void entry_out(const struct entries *e, const unsigned char *p,
		      int json)
{
	const struct obj_map *m = e->m;
	const unsigned char *v = p + e->ksize;
	uint64_t sum;
	int cpu;

	if (json) {
		out_str("{\"map\":");
		out_json_str(m->name, sizeof m->name);
		out_str(",\"key\":");
	} else {
		out_str("  key=");
	}
	btf_value_out(&e->o->btf, m->key_type_id, p, m->key_size, json);
	out_str(json ? (map_is_percpu(m->type) ? ",\"values\":" :
			",\"value\":") : " value=");
	if (!map_is_percpu(m->type)) {
		btf_value_out(&e->o->btf, m->value_type_id, v, m->value_size,
			      json);
	} else {
		out_char('[');
		for (cpu = 0; cpu < e->ncpus; cpu++) {
			if (cpu)
				out_str(json ? "," : ", ");
			btf_value_out(&e->o->btf, m->value_type_id,
				      slot(e, v, cpu), m->value_size, json);
		}
		out_char(']');
		if (value_sum(e, v, &sum))
			out_printf(json ? ",\"sum\":%llu" : " sum=%llu",
				   (unsigned long long)sum);
	}
	out_str(json ? "}\n" : "\n");
}

/* A record's place in the shown order: its counter, summed once, and
 * its place in the kernel's walk. */
struct ranked {
	uint64_t sum;
	size_t walk;
};

/* Largest counter first; ties in the kernel's order. The walk index is
 * the record's own, not its address, which qsort moves: a consistent
 * order, as qsort needs. */
static int by_value(const void *a, const void *b)
{
	const struct ranked *ra = a, *rb = b;

	if (ra->sum != rb->sum)
		return ra->sum < rb->sum ? 1 : -1;
	return ra->walk < rb->walk ? -1 : ra->walk > rb->walk;
}

/* The order e's records are shown in: counters of a hash by value,
 * anything else as the kernel walked it. NULL: no memory. */
static struct ranked *rank(const struct entries *e)
{
	struct ranked *r = malloc((e->n ? e->n : 1) * sizeof *r);
	uint64_t sum;
	size_t i;
	int sorted = !is_array_map(e->m->type) && e->n &&
		     value_sum(e, e->buf + e->ksize, &sum);

	for (i = 0; r && i < e->n; i++) {
		r[i].walk = i;
		r[i].sum = 0;
		if (sorted)
			value_sum(e, e->buf + i * e->rec + e->ksize,
				  &r[i].sum);
	}
	if (r && sorted)
		qsort(r, e->n, sizeof *r, by_value);
	return r;
}

/* Histograms. A map is drawn as histograms when its value is a struct
 * with an integer array named slots (libbpf-tools' struct hist: one
 * histogram per entry, headed by the key), or when it holds integer
 * counters indexed by an integer key (the slot) and its name says hist
 * or slots (one histogram for the map); --hist MAP asks for it by name,
 * where a struct's first integer array, or a value that is an integer
 * array, is taken for the slots too. log2 unless --hist says linear. */
#define MAX_HIST_OPTS 16
#define MAX_LINEAR_SLOTS 65536

static struct hist_opt {
	const char *map;                /* from argv: up to len */
	size_t len;
	int linear;
	uint64_t step;
} hist_opts[MAX_HIST_OPTS];
static unsigned nr_hist_opts;

enum { NOT_HIST, HIST_SLOTS, HIST_COUNTERS };

struct shape {
	int form;
	/* HIST_SLOTS: the integer array in the value */
	uint32_t off, n, elem_id, esize;
	const char *member;             /* its name; NULL: the whole value */
	int linear;
	uint64_t step;
	const char *units;
};

int run_hist_option(const char *arg)
{
	struct hist_opt *h = &hist_opts[nr_hist_opts];
	const char *colon = strchr(arg, ':');
	char *end;

	if (nr_hist_opts == MAX_HIST_OPTS)
		return error_set(E2BIG, "more than %d --hist", MAX_HIST_OPTS);
	memset(h, 0, sizeof *h);
	h->map = arg;
	h->len = colon ? (size_t)(colon - arg) : strlen(arg);
	h->step = 1;
	if (!colon || strcmp(colon, ":log2") == 0) {
		/* log2, the default */
	} else if (strncmp(colon, ":linear", 7) == 0 &&
		   (!colon[7] || colon[7] == ':')) {
		h->linear = 1;
		if (colon[7]) {
			errno = 0;
			h->step = strtoull(colon + 8, &end, 10);
			/* a slot's bounds, i * step + step - 1, fit 64 bits */
			if (errno || *end || end == colon + 8 || !h->step ||
			    colon[8] == '-' ||
			    h->step > UINT64_MAX / MAX_LINEAR_SLOTS)
				return error_set(EINVAL, "--hist %s: the step "
						 "is a positive integer of at "
						 "most %llu", arg,
						 (unsigned long long)
						 (UINT64_MAX / MAX_LINEAR_SLOTS));
		}
	} else {
		return error_set(EINVAL, "--hist %s: MAP, MAP:log2, "
				 "MAP:linear or MAP:linear:STEP", arg);
	}
	if (!h->len)
		return error_set(EINVAL, "--hist %s: no map named", arg);
	nr_hist_opts++;
	return 0;
}

static const struct hist_opt *hist_opt_of(const struct obj_map *m)
{
	unsigned i;

	for (i = 0; i < nr_hist_opts; i++)
		if (strlen(m->name) == hist_opts[i].len &&
		    memcmp(m->name, hist_opts[i].map, hist_opts[i].len) == 0)
			return &hist_opts[i];
	return NULL;
}

/* A word of name (split at what is not a letter or digit), any case. */
static int has_word(const char *name, const char *word)
{
	size_t n = strlen(word);
	const char *p = name;

	while (*p) {
		size_t len = 0;

		while (p[len] && isalnum((unsigned char)p[len]))
			len++;
		if (len == n && strncasecmp(p, word, n) == 0)
			return 1;
		p += len ? len : 1;
	}
	return 0;
}

/* The units a name says it counts in ("lat_us", "delta_nsecs"), as the
 * libbpf-tools name their first column; NULL when it says none. */
static const char *units_of(const char *name)
{
	static const char *const words[][2] = {
		{ "us", "usecs" }, { "usec", "usecs" }, { "usecs", "usecs" },
		{ "ns", "nsecs" }, { "nsec", "nsecs" }, { "nsecs", "nsecs" },
		{ "ms", "msecs" }, { "msec", "msecs" }, { "msecs", "msecs" },
	};
	size_t i;

	for (i = 0; name && i < sizeof words / sizeof words[0]; i++)
		if (has_word(name, words[i][0]))
			return words[i][1];
	return NULL;
}

int run_map_says_hist(const char *name)
{
	return strcasestr(name, "hist") || strcasestr(name, "slots");
}

/* An integer of at most 8 bytes (or an enum), not a bool. */
static int is_counter(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf_type(btf, btf_skip_mods(btf, id));

	if (!t || t->size > 8 || t->size == 0)
		return 0;
	if (btf_kind(t) == BTF_KIND_INT)
		return !(BTF_INT_ENCODING(*(const uint32_t *)btf_tail(t)) &
			 BTF_INT_BOOL) &&
		       BTF_INT_BITS(*(const uint32_t *)btf_tail(t)) <= 64;
	return btf_kind(t) == BTF_KIND_ENUM;
}

/* Type id as an array of counters: fills the shape's n, elem_id, esize. */
static int counter_array(const struct btf *btf, uint32_t id,
			 struct shape *sh)
{
	const struct btf_type *t = btf_type(btf, btf_skip_mods(btf, id));
	const struct btf_array *a;
	int64_t esz;

	if (!t || btf_kind(t) != BTF_KIND_ARRAY)
		return 0;
	a = btf_tail(t);
	esz = btf_resolve_size(btf, a->type);
	if (!is_counter(btf, a->type) || esz <= 0 || !a->nelems)
		return 0;
	sh->n = a->nelems, sh->elem_id = a->type, sh->esize = (uint32_t)esz;
	return 1;
}

/* The value struct's member named slots (or, with any, its first array
 * of counters). */
static int slots_member(const struct btf *btf, const struct btf_type *t,
			int any, struct shape *sh)
{
	const struct btf_member *m = btf_tail(t);
	uint32_t i, pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < btf_vlen(t); i++) {
			const char *name = btf_str(btf, m[i].name_off);
			uint32_t off = btf_kflag(t) ?
				BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;

			if ((pass == 0 ? strcmp(name, "slots") != 0 : !any) ||
			    off % 8 || !counter_array(btf, m[i].type, sh))
				continue;
			sh->off = off / 8;
			sh->member = name;
			return 1;
		}
	return 0;
}

/* How m is a histogram (NOT_HIST: it is none). */
static int shape_of(const struct obj *o, const struct obj_map *m,
		    struct shape *sh)
{
	const struct hist_opt *opt = hist_opt_of(m);
	const struct btf *btf = &o->btf;
	const struct btf_type *t;
	int asked = opt || run_map_says_hist(m->name);

	memset(sh, 0, sizeof *sh);
	if (!m->value_type_id || m->is_data)
		return NOT_HIST;
	t = btf_type(btf, btf_skip_mods(btf, m->value_type_id));
	if (t && btf_kind(t) == BTF_KIND_STRUCT &&
	    slots_member(btf, t, opt != NULL, sh))
		sh->form = HIST_SLOTS;
	else if (asked && counter_array(btf, m->value_type_id, sh))
		sh->form = HIST_SLOTS;
	else if (asked && is_counter(btf, m->value_type_id) &&
		 (is_array_map(m->type) ||
		  (m->key_type_id && is_counter(btf, m->key_type_id))))
		sh->form = HIST_COUNTERS;
	else
		return NOT_HIST;
	sh->linear = opt ? opt->linear : 0;
	sh->step = opt ? opt->step : 1;
	if (sh->form == HIST_SLOTS && sh->n > (sh->linear ? MAX_LINEAR_SLOTS :
						HIST_LOG2_SLOTS))
		return NOT_HIST;
	/* obj_open makes value_size the type's size; a value that still
	 * has no room for its slots is not read past */
	if (sh->form == HIST_SLOTS &&
	    sh->off + (uint64_t)sh->n * sh->esize > m->value_size)
		return NOT_HIST;
	sh->units = units_of(m->name);
	if (!sh->units)
		sh->units = units_of(sh->member);
	if (!sh->units)
		sh->units = "value";
	return sh->form;
}

/* Every --hist names a map of o that can be drawn. */
int run_hist_check(const struct obj *o)
{
	struct shape sh;
	unsigned i;
	size_t j;

	for (i = 0; i < nr_hist_opts; i++) {
		const struct hist_opt *h = &hist_opts[i];
		const struct obj_map *m = NULL;

		for (j = 0; j < o->nr_maps && !m; j++)
			if (!o->maps[j].is_data &&
			    strlen(o->maps[j].name) == h->len &&
			    memcmp(o->maps[j].name, h->map, h->len) == 0)
				m = &o->maps[j];
		if (!m)
			return error_set(ENOENT, "--hist %s: no map %.*s in "
					 "%s", h->map, (int)h->len, h->map,
					 o->name);
		if (!shown_type(m->type) || shape_of(o, m, &sh) == NOT_HIST)
			return error_set(EINVAL, "--hist %s: map %s holds "
					 "no counters of slots (an array of "
					 "counters, a struct with one, or "
					 "counters keyed by slot%s)", h->map,
					 m->name, h->linear ? "" :
					 "; at most 64 slots for log2");
	}
	return 0;
}

/* The slots of the value at v (summed over CPUs). */
static void slots_of(const struct entries *e, const struct shape *sh,
		     const unsigned char *v, uint64_t *slots)
{
	int cpu, n = map_is_percpu(e->m->type) ? e->ncpus : 1;
	uint32_t i;
	uint64_t x;

	memset(slots, 0, sh->n * sizeof *slots);
	for (cpu = 0; cpu < n; cpu++)
		for (i = 0; i < sh->n; i++)
			if (!btf_value_u64(&e->o->btf, sh->elem_id,
					   slot(e, v, cpu) + sh->off +
					   (size_t)i * sh->esize, sh->esize,
					   &x))
				slots[i] += x;
}

static void hist_draw(const struct entries *e, const struct shape *sh,
		      const uint64_t *slots, size_t n, const unsigned char *p,
		      int json)
{
	struct histogram h = {
		.linear = sh->linear, .step = sh->step, .units = sh->units,
		.slots = slots, .n = n,
	};

	if (json) {
		out_str("{\"map\":");
		out_json_str(e->m->name, sizeof e->m->name);
		if (p)
			hist_heading_out(&e->o->btf, e->m->key_type_id, p,
					 e->m->key_size, e->m->value_type_id,
					 p + e->ksize, e->m->value_size,
					 sh->member, 1);
		out_printf(",\"hist\":\"%s\",\"units\":\"%s\",\"buckets\":",
			   sh->linear ? "linear" : "log2", sh->units);
		hist_json_out(&h);
		out_str("}\n");
		return;
	}
	if (p) {
		out_char('\n');
		hist_heading_out(&e->o->btf, e->m->key_type_id, p,
				 e->m->key_size, e->m->value_type_id,
				 p + e->ksize, e->m->value_size, sh->member, 0);
	}
	if (hist_empty(&h))
		out_str("  (all slots zero)\n");
	hist_out(&h);
}

/* One histogram per entry (an array's entries of zeros left out). */
static int draw_slots(const struct entries *e, const struct shape *sh,
		      int json)
{
	uint64_t *slots = malloc(sh->n * sizeof *slots);
	size_t i;

	if (!slots)
		return error_set(ENOMEM, "map %s: no memory", e->m->name);
	for (i = 0; i < e->n; i++) {
		const unsigned char *p = e->buf + i * e->rec;

		if (is_array_map(e->m->type) && all_zero(p + e->ksize, e->vsize))
			continue;
		slots_of(e, sh, p + e->ksize, slots);
		hist_draw(e, sh, slots, sh->n, p, json);
	}
	free(slots);
	return 0;
}

/* One histogram of the map's counters, each at the slot its key says;
 * 1 when a count lies past what can be drawn (the map is then shown as
 * it is). */
static int draw_counters(const struct entries *e, const struct shape *sh,
			 int json)
{
	size_t max = sh->linear ? MAX_LINEAR_SLOTS : HIST_LOG2_SLOTS, n = 0, i;
	uint64_t *slots = calloc(max, sizeof *slots), idx, count;

	if (!slots)
		return error_set(ENOMEM, "map %s: no memory", e->m->name);
	for (i = 0; i < e->n; i++) {
		const unsigned char *p = e->buf + i * e->rec;

		if (!value_sum(e, p + e->ksize, &count) || !count)
			continue;
		if (e->m->key_type_id ? btf_value_u64(&e->o->btf,
				e->m->key_type_id, p, e->ksize, &idx) :
		    e->ksize != 4) {
			free(slots);
			return 1;
		}
		if (!e->m->key_type_id) {
			uint32_t k;

			memcpy(&k, p, 4);
			idx = k;
		}
		if (idx >= max) {
			free(slots);
			return 1;
		}
		slots[idx] += count;
		if (idx + 1 > n)
			n = idx + 1;
	}
	hist_draw(e, sh, slots, n, NULL, json);
	free(slots);
	return 0;
}

/* A map shown in part (more than MAX_ENTRIES entries, or than MAX_BYTES
 * of them): said, in JSON too, never cut silently. */
static void said_cut(const struct obj_map *m, size_t shown, int json)
{
	if (!json) {
		out_printf("  (the first %zu entries shown: the map holds more "
			   "than rawtrace keeps to show, %d entries or %u MiB)\n",
			   shown, MAX_ENTRIES, MAX_BYTES >> 20);
		return;
	}
	out_str("{\"map\":");
	out_json_str(m->name, sizeof m->name);
	out_printf(",\"truncated\":true,\"shown\":%zu}\n", shown);
}

static int show_map(const struct obj *o, const struct obj_map *m, int fd,
		    int json)
{
	struct entries e = { .o = o, .m = m };
	struct ranked *order;
	struct shape sh;
	char kind[32];
	size_t i, zeros = 0;
	long n;
	int percpu = map_is_percpu(m->type);
	int drawn = 1;                  /* 1: no histogram, entries shown */

	e.ksize = m->key_size;
	e.ncpus = 1;
	n = percpu ? possible_cpus() : 1;
	if (n < 0)
		return (int)n;
	e.vsize = map_value_stride(m) * (size_t)n;
	e.rec = e.ksize + e.vsize;
	n = map_walk(fd, m, MAX_ENTRIES, keep, &e);
	if (n >= 0 && e.oom)
		n = error_set(ENOMEM, "map %s: no memory for its entries "
			      "(%zu read)", m->name, e.n);
	if (n < 0) {
		free(e.buf);
		return (int)n;
	}
	if (!json) {
		out_str("map ");
		out_text(m->name, sizeof m->name);
		out_printf(" (%s): %zu entr%s\n", type_name(m->type, kind,
			   sizeof kind), e.n, e.n == 1 ? "y" : "ies");
	}
	switch (shape_of(o, m, &sh)) {
	case HIST_SLOTS:
		drawn = draw_slots(&e, &sh, json);
		break;
	case HIST_COUNTERS:
		drawn = draw_counters(&e, &sh, json);
		break;
	}
	if (drawn <= 0) {
		free(e.buf);
		return drawn;
	}
	order = rank(&e);
	if (!order) {
		free(e.buf);
		return error_set(ENOMEM, "map %s: no memory", m->name);
	}
	for (i = 0; i < e.n; i++) {
		const unsigned char *p = e.buf + order[i].walk * e.rec;

		/* an array's untouched slots say nothing */
		if (is_array_map(m->type) && all_zero(p + e.ksize, e.vsize)) {
			zeros++;
			continue;
		}
		entry_out(&e, p, json);
	}
	if (zeros && !json)
		out_printf("  (%zu entries of zeros not shown)\n", zeros);
	if (e.cut || n >= MAX_ENTRIES)
		said_cut(m, e.n, json);
	free(order);
	free(e.buf);
	return 0;
}

/* A global data map: each variable of its section's DATASEC, by name,
 * as it is at the end of the run. */
static int show_globals(const struct obj *o, const struct obj_map *m,
			int fd, int json)
{
	const char *sec = elf_section_name(&o->elf, m->sec);
	int id = btf_find_one(&o->btf, sec, BTF_KIND_DATASEC);
	const struct btf_var_secinfo *v;
	const struct btf_type *t;
	unsigned char *value;
	uint32_t i, key = 0;
	int err;

	t = id > 0 ? btf_type(&o->btf, (uint32_t)id) : NULL;
	if (!t)
		return 0;       /* no BTF says what is in it */
	value = malloc(m->value_size);
	if (!value)
		return error_set(ENOMEM, "map %s: no memory", m->name);
	err = bpf_map_lookup(fd, &key, value);
	if (err) {
		free(value);
		return error_set(-err, "map %s: BPF_MAP_LOOKUP_ELEM: %s",
				 m->name, errno_text(-err));
	}
	v = btf_tail(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *var = btf_type(&o->btf, v[i].type);

		if (!var || (uint64_t)v[i].offset + v[i].size > m->value_size)
			continue;
		if (json) {
			out_str("{\"global\":");
			out_json_str(btf_str(&o->btf, var->name_off), 256);
			out_str(",\"value\":");
		} else {
			out_str("global ");
			out_text(btf_str(&o->btf, var->name_off), 256);
			out_char('=');
		}
		btf_value_out(&o->btf, v[i].type, value + v[i].offset,
			      v[i].size, json);
		out_str(json ? "}\n" : "\n");
	}
	free(value);
	return 0;
}

int run_show_maps(const struct obj *o, const int *map_fds, int json)
{
	size_t i;
	int err = 0, e;

	for (i = 0; i < o->nr_maps; i++) {
		const struct obj_map *m = &o->maps[i];

		if (map_fds[i] < 0 || m->is_kconfig)
			continue;
		if (m->is_data && !m->frozen)
			e = show_globals(o, m, map_fds[i], json);
		else if (!m->is_data && shown_type(m->type))
			e = show_map(o, m, map_fds[i], json);
		else
			continue;
		if (e && !err)
			err = e;
	}
	return err;
}

int run_map_shown(uint32_t type)
{
	return shown_type(type);
}
