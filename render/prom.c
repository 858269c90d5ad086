/* The Prometheus text exposition format (render/prom.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render/btf_value.h"
#include "render/prom.h"

/* Kept free for the line that says where the output was cut. */
#define TRUNC_ROOM 128
#define MAX_DEPTH 4
/* Member visits for one key's labels: a type nested wide and deep (each
 * level's members struct after struct) would otherwise cost vlen^depth. */
#define MAX_VISITS 4096

void prom_init(struct prom_buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max > TRUNC_ROOM ? max : TRUNC_ROOM * 2;
}

void prom_free(struct prom_buf *b)
{
	size_t i;

	for (i = 0; i < b->names_cap; i++)
		free(b->names[i]);
	free(b->names);
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* ---- the names written: a hash set, open addressing ---- */

static size_t name_hash(const char *s)
{
	size_t h = 2166136261u;         /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Where name is in the set, or the free slot it would go to. */
static char **name_slot(const struct prom_buf *b, const char *name)
{
	size_t i = name_hash(name) & (b->names_cap - 1);

	while (b->names[i] && strcmp(b->names[i], name))
		i = (i + 1) & (b->names_cap - 1);
	return &b->names[i];
}

static int name_taken(const struct prom_buf *b, const char *name)
{
	return b->names_cap && *name_slot(b, name);
}

static int names_grow(struct prom_buf *b)
{
	struct prom_buf old = *b;
	size_t i;

	b->names_cap = old.names_cap ? old.names_cap * 2 : 64;
	b->names = calloc(b->names_cap, sizeof *b->names);
	if (!b->names) {
		*b = old;
		return -ENOMEM;
	}
	for (i = 0; i < old.names_cap; i++)
		if (old.names[i])
			*name_slot(b, old.names[i]) = old.names[i];
	free(old.names);
	return 0;
}

static int name_add(struct prom_buf *b, const char *name)
{
	char **slot;

	if ((b->nnames + 1) * 2 > b->names_cap && names_grow(b))
		return -ENOMEM;
	slot = name_slot(b, name);
	if (*slot)
		return 0;
	*slot = strdup(name);
	if (!*slot)
		return -ENOMEM;
	b->nnames++;
	return 0;
}

static int grow(struct prom_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	while (cap < need)
		cap *= 2;
	if (cap > b->max)
		cap = b->max;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* The family being written does not fit: back to where it began, and a
 * comment instead of it and of all after it. */
static void truncate_here(struct prom_buf *b)
{
	int n;

	b->len = b->family;
	b->full = 1;
	if (grow(b, b->len + TRUNC_ROOM))
		return;
	n = snprintf(b->p + b->len, TRUNC_ROOM, "# rawtrace: truncated at %zu "
		     "bytes: the metric families from here on left out\n",
		     b->max);
	if (n > 0 && n < TRUNC_ROOM)
		b->len += (size_t)n;
}

static void put(struct prom_buf *b, const char *s, size_t n)
{
	if (b->full)
		return;
	if (b->len + n > b->max - TRUNC_ROOM ||
	    (b->len + n > b->cap && grow(b, b->len + n))) {
		truncate_here(b);
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void puts_(struct prom_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len > n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* s (n bytes) escaped: backslash and newline always, '"' in a label
 * value; bytes that are not UTF-8 as U+FFFD. */
static void put_escaped(struct prom_buf *b, const char *s, size_t n,
			int quote)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		if (u[i] == '\\') {
			put(b, "\\\\", 2);
		} else if (u[i] == '\n') {
			put(b, "\\n", 2);
		} else if (u[i] == '"' && quote) {
			put(b, "\\\"", 2);
		} else if ((len = utf8_len(u + i, n - i)) != 0) {
			put(b, s + i, len);
			i += len;
			continue;
		} else {
			put(b, "\xef\xbf\xbd", 3);
		}
		i++;
	}
}

/* name made of [a-zA-Z0-9_] (and ':' when colon), not starting with a
 * digit. */
static void sanitize(char *dst, size_t size, const char *name, int colon)
{
	size_t i = 0;
	char c;

	if (!size)
		return;
	if (*name >= '0' && *name <= '9' && i + 1 < size)
		dst[i++] = '_';
	for (; *name && i + 1 < size; name++) {
		c = *name;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || (c == ':' && colon)))
			c = '_';
		dst[i++] = c;
	}
	dst[i] = 0;
	if (!i && size > 1)
		dst[i++] = '_', dst[i] = 0;
}

void prom_metric_name(char *dst, size_t size, const char *obj,
		      const char *name, const char *suffix)
{
	char joined[PROM_NAME_MAX * 2];
	const char *slash = strrchr(obj, '/');
	size_t n;

	if (slash)
		obj = slash + 1;
	n = strlen(obj);
	if (n > 2 && strcmp(obj + n - 2, ".o") == 0)
		n -= 2;
	if (n > 4 && strncmp(obj + n - 4, ".bpf", 4) == 0)
		n -= 4;
	snprintf(joined, sizeof joined, "%.*s_%s%s", (int)(n < PROM_NAME_MAX ?
		 n : PROM_NAME_MAX), obj, name, suffix);
	sanitize(dst, size, joined, 1);
}

void prom_label_name(char *dst, size_t size, const char *name)
{
	while (name[0] == '_' && name[1] == '_')
		name++;
	sanitize(dst, size, name, 0);
}

static int label_taken(const struct prom_labels *l, const char *name,
		       const char *reserved)
{
	size_t i;

	if (reserved && strcmp(name, reserved) == 0)
		return 1;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->name[i], name) == 0)
			return 1;
	return 0;
}

/* Label name (made valid already) and value appended to l, the name
 * made one l does not have, nor reserved (NULL: none). */
static void add_label(struct prom_labels *l, const char *name,
		      const char *value, size_t n, const char *reserved)
{
	char *dst = l->name[l->n];
	unsigned k;

	if (l->n == PROM_MAX_LABELS)
		return;
	snprintf(dst, PROM_NAME_MAX, "%s", name);
	/* at most PROM_MAX_LABELS + 1 names to step past */
	for (k = 2; label_taken(l, dst, reserved); k++)
		snprintf(dst, PROM_NAME_MAX, "%.*s_%u", PROM_NAME_MAX - 8,
			 name, k);
	n = strnlen(value, n);
	if (n >= PROM_VALUE_MAX)
		n = PROM_VALUE_MAX - 1;
	memcpy(l->value[l->n], value, n);
	l->value[l->n][n] = 0;
	l->n++;
}

void prom_label(struct prom_labels *l, const char *name, const char *value,
		size_t n)
{
	char valid[PROM_NAME_MAX];

	prom_label_name(valid, sizeof valid, name);
	add_label(l, valid, value, n, NULL);
}

/* The sample names of a family of type: the name, and a histogram's
 * three more. */
static size_t family_names(char out[4][PROM_NAME_MAX + 8], const char *name,
			   const char *type)
{
	static const char *const suffix[] = { "_bucket", "_sum", "_count" };
	size_t i, n = 1;

	snprintf(out[0], sizeof out[0], "%s", name);
	if (strcmp(type, "histogram") == 0)
		for (i = 0; i < 3; i++, n++)
			snprintf(out[n], sizeof out[n], "%s%s", name,
				 suffix[i]);
	return n;
}

int prom_family(struct prom_buf *b, const char *name, const char *type,
		const char *help)
{
	char names[4][PROM_NAME_MAX + 8], line[PROM_NAME_MAX * 3 + 64];
	size_t i, n = family_names(names, name, type);

	for (i = 0; i < n; i++) {
		if (!name_taken(b, names[i]))
			continue;
		snprintf(line, sizeof line, "rawtrace: %.16s %.*s left out: %.*s "
			 "is the name of a metric before it", type,
			 PROM_NAME_MAX, name, PROM_NAME_MAX + 8, names[i]);
		prom_comment(b, line);
		return -EEXIST;
	}
	for (i = 0; i < n; i++)
		if (name_add(b, names[i]))
			return -ENOMEM;
	b->family = b->len;
	puts_(b, "# HELP ");
	puts_(b, name);
	put(b, " ", 1);
	put_escaped(b, help, strlen(help), 0);
	puts_(b, "\n# TYPE ");
	puts_(b, name);
	put(b, " ", 1);
	puts_(b, type);
	put(b, "\n", 1);
	return 0;
}

void prom_comment(struct prom_buf *b, const char *text)
{
	b->family = b->len;
	puts_(b, "# ");
	put_escaped(b, text, strlen(text), 0);
	put(b, "\n", 1);
}

void prom_sample(struct prom_buf *b, const char *name,
		 const struct prom_labels *l, const char *value)
{
	size_t i;

	puts_(b, name);
	for (i = 0; l && i < l->n; i++) {
		puts_(b, i ? "," : "{");
		puts_(b, l->name[i]);
		puts_(b, "=\"");
		put_escaped(b, l->value[i], strlen(l->value[i]), 1);
		put(b, "\"", 1);
	}
	if (l && l->n)
		put(b, "}", 1);
	put(b, " ", 1);
	puts_(b, value);
	put(b, "\n", 1);
}

void prom_log2_hist(struct prom_buf *b, const char *name,
		    const struct prom_labels *l, const uint64_t *slots,
		    size_t n)
{
	struct prom_labels with = { 0 };
	char metric[PROM_NAME_MAX + 16], num[32] = "0";
	uint64_t total = 0;
	double sum = 0;
	size_t i, base;

	/* the key's labels with room for le, and none named le */
	for (i = 0; l && i < l->n && i < PROM_MAX_LABELS - 1; i++)
		add_label(&with, l->name[i], l->value[i], PROM_VALUE_MAX,
			  "le");
	base = with.n;
	/* le's bounds are 2^(i+1)-1: 64 slots is all a u64 can count */
	if (n > 63)
		n = 63;
	snprintf(metric, sizeof metric, "%s_bucket", name);
	for (i = 0; i < n; i++) {
		total += slots[i];
		sum += (double)slots[i] * (i ? (3.0 * (double)(1ull << i) - 1)
					       / 2 : 0.5);
		snprintf(num, sizeof num, "%llu", (1ull << (i + 1)) - 1);
		with.n = base;
		add_label(&with, "le", num, sizeof num, NULL);
		snprintf(num, sizeof num, "%llu", (unsigned long long)total);
		prom_sample(b, metric, &with, num);
	}
	with.n = base;
	add_label(&with, "le", "+Inf", 5, NULL);
	prom_sample(b, metric, &with, num);
	with.n = base;
	snprintf(metric, sizeof metric, "%s_sum", name);
	snprintf(num, sizeof num, "%.17g", sum);
	prom_sample(b, metric, &with, num);
	snprintf(metric, sizeof metric, "%s_count", name);
	snprintf(num, sizeof num, "%llu", (unsigned long long)total);
	prom_sample(b, metric, &with, num);
}

/* An integer's bits as text: bool, signed or unsigned by its encoding. */
static void int_text(const struct btf_type *t, uint64_t v, uint32_t bits,
		     int words, char *dst, size_t size)
{
	uint32_t enc = BTF_INT_ENCODING(*(const uint32_t *)btf_tail(t));

	if ((enc & BTF_INT_BOOL) && words)
		snprintf(dst, size, "%s", v ? "true" : "false");
	else if (enc & BTF_INT_SIGNED)
		snprintf(dst, size, "%lld", (long long)btf_sign_extend(v, bits));
	else
		snprintf(dst, size, "%llu", (unsigned long long)v);
}

static void hex_text(const unsigned char *p, size_t n, char *dst,
		     size_t size)
{
	size_t i, at = 2;

	snprintf(dst, size, "0x");
	for (i = 0; i < n && at + 3 <= size; i++, at += 2)
		snprintf(dst + at, 3, "%02x", p[i]);
}

/* A value that is not a struct as label text. */
static void scalar_text(const struct btf *btf, uint32_t id,
			const unsigned char *p, size_t size, char *dst,
			size_t dsize)
{
	const struct btf_type *t = id ? btf_type(btf, btf_skip_mods(btf, id))
				      : NULL;
	const struct btf_array *a;
	unsigned kind = t ? btf_kind(t) : 0;
	uint32_t info;
	uint64_t v;

	if (kind == BTF_KIND_INT && t->size <= 8 && t->size <= size) {
		info = *(const uint32_t *)btf_tail(t);
		if (BTF_INT_BITS(info) && BTF_INT_BITS(info) <= 64) {
			int_text(t, btf_read_bits(p, BTF_INT_OFFSET(info),
					      BTF_INT_BITS(info)),
				 BTF_INT_BITS(info), 1, dst, dsize);
			return;
		}
	}
	if ((kind == BTF_KIND_ENUM || kind == BTF_KIND_ENUM64) &&
	    t->size <= 8 && t->size <= size) {
		const char *name;

		v = btf_read_bits(p, 0, t->size * 8);
		name = btf_enum_name(btf, t, v);
		if (name)
			snprintf(dst, dsize, "%s", name);
		else
			snprintf(dst, dsize, "%lld", btf_kflag(t) ? (long long)
				 btf_sign_extend(v, t->size * 8) : (long long)v);
		return;
	}
	if (kind == BTF_KIND_ARRAY) {
		a = btf_tail(t);
		if (btf_value_is_char(btf, a->type) && a->nelems <= size) {
			size_t n = strnlen((const char *)p, a->nelems);

			if (n >= dsize)
				n = dsize - 1;
			memcpy(dst, p, n);
			dst[n] = 0;
			return;
		}
	}
	hex_text(p, size, dst, dsize);
}

/* A key's walk: its labels, and the member visits left. */
struct key_walk {
	struct prom_labels *l;
	const struct btf *btf;
	unsigned visits;
};

/* t's members at p as labels; -E2BIG when the visits ran out. */
static int member_labels(struct key_walk *kw, const struct btf_type *t,
			 const unsigned char *p, size_t size,
			 const char *prefix, int depth)
{
	const struct btf *btf = kw->btf;
	struct prom_labels *l = kw->l;
	const struct btf_member *m = btf_tail(t);
	char name[PROM_NAME_MAX], text[PROM_VALUE_MAX];
	uint32_t i, off, bits;
	int err;

	for (i = 0; i < btf_vlen(t) && l->n < PROM_MAX_LABELS; i++) {
		const struct btf_type *mt = btf_type(btf, btf_skip_mods(btf,
						     m[i].type));
		int64_t msz = btf_resolve_size(btf, m[i].type);
		const char *mname = btf_str(btf, m[i].name_off);

		if (++kw->visits > MAX_VISITS)
			return -E2BIG;
		off = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m[i].offset)
				   : m[i].offset;
		bits = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0;
		snprintf(name, sizeof name, "%s%s%s", prefix,
			 *prefix && *mname ? "_" : "", mname);
		if (bits && bits <= 64 && (off + bits + 7) / 8 <= size) {
			uint64_t v = btf_read_bits(p, off, bits);

			if (mt && btf_kind(mt) == BTF_KIND_INT)
				int_text(mt, v, bits, 1, text, sizeof text);
			else
				snprintf(text, sizeof text, "%llu",
					 (unsigned long long)v);
			prom_label(l, name, text, sizeof text);
			continue;
		}
		if (off % 8 || msz < 0 || off / 8 + (uint64_t)msz > size)
			continue;
		if (mt && (btf_kind(mt) == BTF_KIND_STRUCT ||
			   btf_kind(mt) == BTF_KIND_UNION) && depth < MAX_DEPTH) {
			err = member_labels(kw, mt, p + off / 8, (size_t)msz,
					    name, depth + 1);
			if (err)
				return err;
			continue;
		}
		scalar_text(btf, m[i].type, p + off / 8, (size_t)msz, text,
			    sizeof text);
		prom_label(l, *name ? name : "key", text, sizeof text);
	}
	return 0;
}

void prom_key_labels(struct prom_labels *l, const struct btf *btf,
		     uint32_t id, const void *key, size_t size)
{
	const struct btf_type *t = id ? btf_type(btf, btf_skip_mods(btf, id))
				      : NULL;
	struct key_walk kw = { .l = l, .btf = btf };
	char text[PROM_VALUE_MAX];

	l->n = 0;
	if (t && (btf_kind(t) == BTF_KIND_STRUCT ||
		  btf_kind(t) == BTF_KIND_UNION)) {
		if (!member_labels(&kw, t, key, size, "", 0))
			return;
		/* too big a type to walk: its bytes */
		l->n = 0;
		t = NULL;
	}
	scalar_text(btf, t ? id : 0, key, size, text, sizeof text);
	prom_label(l, "key", text, sizeof text);
}

int prom_number(const struct btf *btf, uint32_t id, const void *p,
		size_t size, char *dst, size_t dsize)
{
	const struct btf_type *t = id ? btf_type(btf, btf_skip_mods(btf, id))
				      : NULL;
	unsigned kind = t ? btf_kind(t) : 0;
	uint32_t info;
	uint64_t v;

	if (!t || t->size > 8 || t->size > size || !t->size)
		return -EINVAL;
	if (kind == BTF_KIND_INT) {
		info = *(const uint32_t *)btf_tail(t);
		if (!BTF_INT_BITS(info) || BTF_INT_BITS(info) > 64)
			return -EINVAL;
		int_text(t, btf_read_bits(p, BTF_INT_OFFSET(info),
				      BTF_INT_BITS(info)),
			 BTF_INT_BITS(info), 0, dst, dsize);
		return 0;
	}
	if (kind != BTF_KIND_ENUM && kind != BTF_KIND_ENUM64)
		return -EINVAL;
	v = btf_read_bits(p, 0, t->size * 8);
	if (btf_kflag(t))
		snprintf(dst, dsize, "%lld", (long long)btf_sign_extend(v,
			 t->size * 8));
	else
		snprintf(dst, dsize, "%llu", (unsigned long long)v);
	return 0;
}

uint32_t prom_hist_slots(const struct btf *btf, uint32_t id,
			 size_t value_size, size_t *off, size_t *esize)
{
	const struct btf_type *t = id ? btf_type(btf, btf_skip_mods(btf, id))
				      : NULL;
	const struct btf_member *m;
	const struct btf_type *at, *et;
	const struct btf_array *a;
	uint32_t i, moff;

	if (!t || btf_kind(t) != BTF_KIND_STRUCT)
		return 0;
	m = btf_tail(t);
	for (i = 0; i < btf_vlen(t); i++) {
		moff = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) :
		       m[i].offset;
		if (strcmp(btf_str(btf, m[i].name_off), "slots") || moff % 8)
			continue;
		at = btf_type(btf, btf_skip_mods(btf, m[i].type));
		if (!at || btf_kind(at) != BTF_KIND_ARRAY)
			return 0;
		a = btf_tail(at);
		et = btf_type(btf, btf_skip_mods(btf, a->type));
		if (!et || btf_kind(et) != BTF_KIND_INT ||
		    (et->size != 4 && et->size != 8))
			return 0;
		/* a map made without its BTF keeps the value_size it was
		 * given, which the type need not fit in */
		if (moff / 8 + (uint64_t)a->nelems * et->size > value_size)
			return 0;
		*off = moff / 8;
		*esize = et->size;
		return a->nelems;
	}
	return 0;
}
