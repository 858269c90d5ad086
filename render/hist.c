#include <string.h>
#include "render/btf_value.h"
#include "render/hist.h"
#include "render/output.h"

#define BAR 40

/* The index of the first (last) slot that is not zero, or -1. */
static long first_set(const struct histogram *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->slots[i])
			return (long)i;
	return -1;
}

static long last_set(const struct histogram *h)
{
	size_t i;

	for (i = h->n; i > 0; i--)
		if (h->slots[i - 1])
			return (long)i - 1;
	return -1;
}

int hist_empty(const struct histogram *h)
{
	return last_set(h) < 0;
}

void hist_bounds(const struct histogram *h, size_t i, uint64_t *lo,
		 uint64_t *hi)
{
	if (h->linear) {
		*lo = h->base + i * h->step;
		*hi = *lo + h->step - 1;
		return;
	}
	/* slot 0 holds 0 and 1; slot i >= 1 holds [2^i, 2^(i+1) - 1] */
	*lo = i ? 1ull << i : 0;
	*hi = i >= 63 ? UINT64_MAX : (2ull << i) - 1;
}

static uint64_t max_count(const struct histogram *h)
{
	uint64_t max = 0;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->slots[i] > max)
			max = h->slots[i];
	return max;
}

/* "|****     |\n": count's share of max, width stars wide. */
static void bar(uint64_t count, uint64_t max, int width)
{
	int stars = (int)((unsigned __int128)count * (unsigned)width / max), i;

	out_char('|');
	for (i = 0; i < width; i++)
		out_char(i < stars ? '*' : ' ');
	out_str("|\n");
}

static void log2_out(const struct histogram *h, long last, uint64_t max)
{
	/* the columns widen when the bounds reach 2^33 */
	int wide = last > 32, col = wide ? 20 : 10;
	uint64_t lo, hi;
	long i;

	out_printf("%*s%-*s : count    distribution\n", wide ? 15 : 5, "",
		   wide ? 29 : 19, h->units);
	for (i = 0; i <= last; i++) {
		hist_bounds(h, (size_t)i, &lo, &hi);
		out_printf("%*llu -> %-*llu : %-8llu ", col,
			   (unsigned long long)lo, col, (unsigned long long)hi,
			   (unsigned long long)h->slots[i]);
		bar(h->slots[i], max, wide ? BAR / 2 : BAR);
	}
}

static void linear_out(const struct histogram *h, long first, long last,
		       uint64_t max)
{
	uint64_t lo, hi;
	long i;

	out_printf("     %-13s : count     distribution\n", h->units);
	for (i = first; i <= last; i++) {
		if (!h->slots[i])
			continue;
		hist_bounds(h, (size_t)i, &lo, &hi);
		out_printf("        %-10llu : %-8llu ", (unsigned long long)lo,
			   (unsigned long long)h->slots[i]);
		bar(h->slots[i], max, BAR);
	}
}

void hist_out(const struct histogram *h)
{
	long first = first_set(h), last = last_set(h);

	if (last < 0)
		return;
	if (h->linear)
		linear_out(h, first, last, max_count(h));
	else
		log2_out(h, last, max_count(h));
}

void hist_json_out(const struct histogram *h)
{
	long i, last = last_set(h);
	uint64_t lo, hi;
	int first = 1;

	out_char('[');
	for (i = 0; i <= last; i++) {
		if (h->linear && !h->slots[i])
			continue;
		hist_bounds(h, (size_t)i, &lo, &hi);
		out_printf("%s{\"lo\":%llu,\"hi\":%llu,\"count\":%llu}",
			   first ? "" : ",", (unsigned long long)lo,
			   (unsigned long long)hi,
			   (unsigned long long)h->slots[i]);
		first = 0;
	}
	out_char(']');
}

/* A struct member that can be shown on its own: named, not a bitfield,
 * on a byte, inside size. Its byte offset and size, or -1. */
static int64_t plain_member(const struct btf *btf, const struct btf_type *t,
			    const struct btf_member *m, size_t size,
			    uint32_t *off)
{
	uint32_t bits = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m->offset) :
			m->offset;
	int64_t msz = btf_resolve_size(btf, m->type);

	if (!*btf_str(btf, m->name_off) ||
	    (btf_kflag(t) && BTF_MEMBER_BITFIELD_SIZE(m->offset)) ||
	    bits % 8 || msz < 0 || bits / 8 + (uint64_t)msz > size)
		return -1;
	*off = bits / 8;
	return msz;
}

/* The struct at p (type id), when each of its members can be shown on
 * its own; else NULL. */
static const struct btf_type *plain_struct(const struct btf *btf,
					   uint32_t id, size_t size)
{
	const struct btf_type *t = btf_type(btf, btf_skip_mods(btf, id));
	const struct btf_member *m;
	uint32_t i, off;

	if (!t || btf_kind(t) != BTF_KIND_STRUCT)
		return NULL;
	m = btf_tail(t);
	for (i = 0; i < btf_vlen(t); i++)
		if (plain_member(btf, t, &m[i], size, &off) < 0)
			return NULL;
	return t;
}

/* "name = value" (JSON: "name":value) for each member of t at p but
 * the one named skip, each after sep but the first when *first. */
static void members_out(const struct btf *btf, const struct btf_type *t,
			const unsigned char *p, size_t size, const char *skip,
			int json, int *first)
{
	const struct btf_member *m = btf_tail(t);
	uint32_t i, off;
	int64_t msz;

	for (i = 0; i < btf_vlen(t); i++) {
		const char *name = btf_str(btf, m[i].name_off);

		msz = plain_member(btf, t, &m[i], size, &off);
		if (msz < 0 || (skip && strcmp(name, skip) == 0))
			continue;
		if (!*first)
			out_str(json ? "," : ", ");
		*first = 0;
		if (json) {
			out_json_str(name, 256);
			out_char(':');
		} else {
			out_text(name, 256);
			out_str(" = ");
		}
		btf_value_out(btf, m[i].type, p + off, (size_t)msz, json);
	}
}

void hist_heading_out(const struct btf *btf, uint32_t key_id,
		      const void *key, size_t key_size, uint32_t value_id,
		      const void *value, size_t value_size, const char *slots,
		      int json)
{
	const struct btf_type *kt = plain_struct(btf, key_id, key_size);
	const struct btf_type *vt = plain_struct(btf, value_id, value_size);
	int first = 1;

	if (json && key_id) {
		out_str(",\"key\":");
		btf_value_out(btf, key_id, key, key_size, 1);
		first = 0;
	} else if (kt) {
		members_out(btf, kt, key, key_size, NULL, 0, &first);
	} else if (key_id) {
		out_str("key = ");
		btf_value_out(btf, key_id, key, key_size, 0);
		first = 0;
	}
	if (vt && btf_vlen(vt) > 1) {
		if (json) {
			out_str(",\"value\":{");
			first = 1;
		}
		members_out(btf, vt, value, value_size, slots, json, &first);
		if (json)
			out_char('}');
	}
	if (!json)
		out_char('\n');
}
