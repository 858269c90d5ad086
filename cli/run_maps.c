/* What an object keeps, shown at the end of `rawtrace run` (issue 22):
 * each map's entries and each global of .bss and .data, decoded with the
 * object's BTF (render/btf_value.c); hex where it has none. Counters
 * (integer values) in a hash come largest first; per-CPU values are
 * shown per CPU and, when integers, summed. */
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
#include "render/output.h"

#define MAX_ENTRIES 100000      /* shown of one map; more are counted */

struct entries {
	const struct obj *o;
	const struct obj_map *m;
	unsigned char *buf;             /* n records: key, value */
	size_t n, cap, rec, ksize, vsize;
	int ncpus;
};

static int keep(void *ctx, const void *key, const void *value, int ncpus)
{
	struct entries *e = ctx;
	unsigned char *p;

	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;

		p = realloc(e->buf, cap * e->rec);
		if (!p)
			return 1;
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

static void value_out(const struct obj *o, uint32_t id, const void *p,
		      size_t size, int json)
{
	size_t i;

	if (id) {
		btf_value_out(&o->btf, id, p, size, json);
		return;
	}
	out_str(json ? "\"0x" : "0x");
	for (i = 0; i < size; i++)
		out_printf("%02x", ((const unsigned char *)p)[i]);
	if (json)
		out_char('"');
}

/* One CPU's slot of a per-CPU value, or the value itself. */
static const unsigned char *slot(const struct entries *e,
				 const unsigned char *v, int cpu)
{
	return v + (size_t)cpu * ((e->m->value_size + 7) / 8 * 8);
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
	value_out(e->o, m->key_type_id, p, m->key_size, json);
	out_str(json ? (map_is_percpu(m->type) ? ",\"values\":" :
			",\"value\":") : " value=");
	if (!map_is_percpu(m->type)) {
		value_out(e->o, m->value_type_id, v, m->value_size, json);
	} else {
		out_char('[');
		for (cpu = 0; cpu < e->ncpus; cpu++) {
			if (cpu)
				out_str(json ? "," : ", ");
			value_out(e->o, m->value_type_id, slot(e, v, cpu),
				  m->value_size, json);
		}
		out_char(']');
		if (value_sum(e, v, &sum))
			out_printf(json ? ",\"sum\":%llu" : " sum=%llu",
				   (unsigned long long)sum);
	}
	out_str(json ? "}\n" : "\n");
}

static const struct entries *sorting;

/* Largest counter first; ties (and values that are no counters) in the
 * kernel's order. */
static int by_value(const void *a, const void *b)
{
	const unsigned char *pa = a, *pb = b;
	uint64_t va = 0, vb = 0;

	value_sum(sorting, pa + sorting->ksize, &va);
	value_sum(sorting, pb + sorting->ksize, &vb);
	if (va != vb)
		return va < vb ? 1 : -1;
	return pa < pb ? -1 : pa > pb;
}

static int show_map(const struct obj *o, const struct obj_map *m, int fd,
		    int json)
{
	struct entries e = { .o = o, .m = m };
	char kind[32];
	size_t i, zeros = 0;
	uint64_t sum;
	long n;
	int percpu = map_is_percpu(m->type);

	e.ksize = m->key_size;
	e.ncpus = 1;
	n = percpu ? possible_cpus() : 1;
	if (n < 0)
		return (int)n;
	e.vsize = percpu ? (m->value_size + 7) / 8 * 8 * (size_t)n :
		  m->value_size;
	e.rec = e.ksize + e.vsize;
	n = map_walk(fd, m, MAX_ENTRIES, keep, &e);
	if (n < 0) {
		free(e.buf);
		return (int)n;
	}
	if (m->type != BPF_MAP_TYPE_ARRAY &&
	    m->type != BPF_MAP_TYPE_PERCPU_ARRAY && e.n &&
	    value_sum(&e, e.buf + e.ksize, &sum)) {
		sorting = &e;
		qsort(e.buf, e.n, e.rec, by_value);
	}
	if (!json) {
		out_str("map ");
		out_text(m->name, sizeof m->name);
		out_printf(" (%s): %zu entr%s\n", type_name(m->type, kind,
			   sizeof kind), e.n, e.n == 1 ? "y" : "ies");
	}
	for (i = 0; i < e.n; i++) {
		const unsigned char *p = e.buf + i * e.rec;

		/* an array's untouched slots say nothing */
		if ((m->type == BPF_MAP_TYPE_ARRAY ||
		     m->type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
		    all_zero(p + e.ksize, e.vsize)) {
			zeros++;
			continue;
		}
		entry_out(&e, p, json);
	}
	if (zeros && !json)
		out_printf("  (%zu entries of zeros not shown)\n", zeros);
	if (n >= MAX_ENTRIES && !json)
		out_printf("  (the first %d entries shown)\n", MAX_ENTRIES);
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
