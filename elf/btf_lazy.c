/* BTF read on demand. The kernel's BTF is ~5 MB; CO-RE and attach need a
 * few hundred of its records. Holding it whole was most of rawtrace's
 * memory, and checking all of it most of its start-up under emulation.
 * So one streamed pass checks the structure (the header, each record's
 * kind and length, the string section's ends), remembers where every
 * MARK_STRIDE-th record starts and which ids carry the names the caller
 * said it will look up, and lets the rest go. A record is read when first
 * asked for, checked as btf_parse checks it (names and ids in range), and
 * kept; so are strings.
 *
 * Pure: every byte comes through the caller's btf_source. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "elf/btf.h"
#include "elf/btf_impl.h"
#include "elf/error.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MARK_STRIDE 64          /* ids between remembered offsets */
#define PASS_CHUNK (64 << 10)   /* read size of a pass over a section */
/* Read size when fetching on demand: a page. sysfs hands out at most a
 * page per read (6.1 and 6.18 alike), and a fetch rarely needs more: with
 * 16 KiB windows bind's relocation took 46 of them, 184 reads; with 4 KiB
 * it takes 50 reads. */
#define FETCH_CHUNK 4096

/* A window onto the region [.., end) of the source. */
struct stream {
	struct btf_source src;
	uint64_t base;           /* source offset of buf[0] */
	uint64_t end;
	unsigned char *buf;
	size_t cap, len, at;     /* buf[at..len) not yet consumed */
	size_t chunk;
};

/* Small open-addressing map from a nonzero 32-bit key to a pointer. */
struct table {
	struct { uint32_t key; void *val; } *slots;
	uint32_t mask, used;
};

/* A name the caller looks up, and the types that carry it. */
struct want {
	char *name;
	size_t len;
	struct want *next;       /* the next of the same length % NR_BUCKETS */
	struct { uint32_t id, kind; } *types;
	size_t ntypes;
};

struct btf_lazy {
	uint64_t types, strs;    /* source offsets of the two sections */
	uint32_t types_len;
	uint32_t *marks;         /* [k]: section offset of id max(1, k*STRIDE) */
	struct table records;    /* id -> a copy of its record */
	struct table strings;    /* name offset -> a copy of its string */
	struct want *wants;
	size_t nwants;
	struct btf_source src;
	/* Windows that fetches reuse, one per section: the names of a
	 * struct's members lie near each other, and so do related types. */
	struct stream type_win, str_win;
};

/* --- stream --- */

/* Bytes left in the region from the read position. */
static uint64_t remaining(const struct stream *s)
{
	return s->end - (s->base + s->at);
}

/* Reads on until at least n bytes follow the read position (the caller
 * has checked remaining() >= n), keeping the unread bytes at the front;
 * -errno with the error set if memory or a read fails. */
static int refill(struct stream *s, size_t n)
{
	uint64_t pos;
	size_t want, cap;
	unsigned char *bigger;
	int err;

	if (s->at) {
		memmove(s->buf, s->buf + s->at, s->len - s->at);
		s->base += s->at;
		s->len -= s->at;
		s->at = 0;
	}
	cap = n > s->chunk ? n : s->chunk;
	if (cap > s->cap) {
		if (!(bigger = realloc(s->buf, cap)))
			return error_set(ENOMEM, "BTF: no memory for %zu bytes",
					 cap);
		s->buf = bigger;
		s->cap = cap;
	}
	pos = s->base + s->len;
	want = s->cap - s->len;
	if (want > s->end - pos)
		want = (size_t)(s->end - pos);
	if ((err = s->src.read(s->src.ctx, pos, s->buf + s->len, want)))
		return err;
	s->len += want;
	return 0;
}

/* Points *p at the next n bytes, reading them first if they are not in
 * the window (the common case, that they are, inline). */
static inline int ensure(struct stream *s, size_t n, const unsigned char **p)
{
	int err = s->len - s->at < n ? refill(s, n) : 0;

	*p = s->buf + s->at;
	return err;
}

/* Points *str at the NUL-terminated string at the read position and
 * consumes it; -EINVAL if the region ends before a NUL. */
static int next_string(struct stream *s, const char **str, size_t *len)
{
	const unsigned char *p, *nul;
	size_t have, need = 1;
	int err;

	for (;;) {
		if (remaining(s) < need)
			return btf_bad_strings();
		if ((err = ensure(s, need, &p)))
			return err;
		have = s->len - s->at;
		if (have > remaining(s))
			have = (size_t)remaining(s);
		nul = memchr(p, 0, have);
		if (nul) {
			*str = (const char *)p;
			*len = (size_t)(nul - p);
			s->at += *len + 1;
			return 0;
		}
		need = have + 1;
	}
}

/* Positions a fetch window at off. Unless the window holds off already,
 * it is refilled with the chunk-aligned (from start) block around off, so
 * that nearby fetches, before or after, find their bytes in it. */
static int window_seek(struct stream *s, uint64_t off, uint64_t start,
		       uint64_t end)
{
	int err;

	s->end = end;
	if (off >= s->base && off < s->base + s->len) {
		s->at = (size_t)(off - s->base);
		return 0;
	}
	s->base = start + (off - start) / s->chunk * s->chunk;
	s->len = s->at = 0;
	if ((err = refill(s, (size_t)(off - s->base) + 1)))
		return err;
	s->at = (size_t)(off - s->base);
	return 0;
}

/* --- table --- */

static uint32_t slot_of(uint32_t key, uint32_t mask)
{
	return (key * 0x9e3779b1u) >> 7 & mask;
}

static void *table_get(const struct table *t, uint32_t key)
{
	uint32_t i;

	if (!t->slots)
		return NULL;
	for (i = slot_of(key, t->mask); t->slots[i].key; i = (i + 1) & t->mask)
		if (t->slots[i].key == key)
			return t->slots[i].val;
	return NULL;
}

static int table_put(struct table *t, uint32_t key, void *val)
{
	uint32_t i, n;

	if (2 * (t->used + 1) > t->mask + 1 || !t->slots) {
		struct table big = { .mask = t->slots ? 2 * t->mask + 1 : 63 };

		big.slots = calloc(big.mask + 1, sizeof *big.slots);
		if (!big.slots)
			return error_set(ENOMEM, "BTF: no memory for a cache");
		for (n = 0; t->slots && n <= t->mask; n++)
			if (t->slots[n].key)
				table_put(&big, t->slots[n].key, t->slots[n].val);
		free(t->slots);
		*t = big;
	}
	for (i = slot_of(key, t->mask); t->slots[i].key; i = (i + 1) & t->mask)
		;
	t->slots[i].key = key;
	t->slots[i].val = val;
	t->used++;
	return 0;
}

static void table_free(struct table *t, int free_vals)
{
	uint32_t i;

	for (i = 0; free_vals && t->slots && i <= t->mask; i++)
		free(t->slots[i].val);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

/* --- the passes --- */

/* The wanted names by their length and first byte (five bits of each:
 * the names C allows differ there), each bucket a chain: a string is
 * compared with a wanted name only when both agree, so most of the ~120k
 * strings of a kernel cost a few instructions and one load. */
#define NAME_HASH_BITS 10

struct buckets {
	uint64_t lens;                  /* bit len % 64 set: a wanted name
					   may be len bytes long */
	struct want *head[1u << NAME_HASH_BITS];
	const unsigned char *buf;       /* the chunk being scanned, */
	uint64_t base;                  /* at this section offset */
	struct table *by_off;           /* where found names are noted */
};

static inline unsigned name_hash(size_t len, unsigned char first)
{
	return ((unsigned)len & 31) << 5 | (first & 31);
}

static void fill_buckets(struct buckets *b, struct want *wants, size_t n)
{
	unsigned h;

	memset(b, 0, sizeof *b);
	while (n-- > 0) {
		if (!wants[n].len)
			continue;
		h = name_hash(wants[n].len, (unsigned char)wants[n].name[0]);
		b->lens |= 1ull << (wants[n].len & 63);
		wants[n].next = b->head[h];
		b->head[h] = &wants[n];
	}
}

/* NULs in a block of NUL_BLOCK bytes, as a mask whose lowest set bit
 * marks the first: bit i for p[i] with SSE2 (32 bytes), bit 8i+7
 * without (8 bytes). The scan looks at a block per step and calls
 * nothing per string: a kernel's ~120k strings are ~19 bytes long on
 * average, and strlen on each was a quarter of rawtrace's start-up. */
#ifdef __SSE2__
#define NUL_BLOCK 32
#define NUL_SHIFT 0

static inline uint64_t nul_mask(const unsigned char *p)
{
	const __m128i zero = _mm_setzero_si128();
	__m128i lo = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));

	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(lo, zero)) |
	       (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(hi, zero))
	       << 16;
}
#else
#define NUL_BLOCK 8
#define NUL_SHIFT 3

/* No carry crosses a byte, so no byte is marked that is not 0. */
static inline uint64_t nul_mask(const unsigned char *p)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
	uint64_t w;

	memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);     /* the first byte in the low bits */
#endif
	return ~(((w & low7) + low7) | w | low7);
}
#endif

/* Notes the string str of length len, at section offset base + (str -
 * buf), if it is one of the wanted names in chain w. Out of line: it is
 * seldom called, and the scan keeps its registers. */
__attribute__((noinline))
static int note_string(const struct buckets *b, const unsigned char *str,
		       size_t len, const struct want *w)
{
	for (; w; w = w->next)
		if (w->len == len && !memcmp(w->name, str, len))
			return table_put(b->by_off,
					 (uint32_t)(b->base + (size_t)(str - b->buf)),
					 (void *)w);
	return 0;
}

/* The strings in buf[0..size), which ends with a NUL and is followed by
 * NUL_BLOCK bytes that are not, at section offset b->base: the first
 * must be "", and wanted names are noted in b->by_off. Most strings are
 * passed over on their length alone; an empty string is harmless (no
 * wanted name is empty). */
static int scan_strings(struct buckets *b, const unsigned char *buf,
			size_t size)
{
	const unsigned char *p, *start = buf, *nul, *stop = buf + size;
	const struct want *w;
	uint64_t m;
	size_t len;
	int err;

	if (b->base == 0 && buf[0] != 0)
		return btf_bad_strings();
	b->buf = buf;
	for (p = buf; p < stop; p += NUL_BLOCK) {
		for (m = nul_mask(p); m; m &= m - 1) {
			nul = p + ((unsigned)__builtin_ctzll(m) >> NUL_SHIFT);
			len = (size_t)(nul - start);
			if ((b->lens >> (len & 63) & 1) &&
			    (w = b->head[name_hash(len, *start)]) &&
			    (err = note_string(b, start, len, w)))
				return err;
			start = nul + 1;
		}
	}
	return 0;
}

/* Strings: check the section is a run of C strings starting with "",
 * and note the offsets of the names in wants[0..n) in by_off. Read in
 * chunks, each cut after its last NUL. */
static int strings_pass(struct btf *btf, struct want *wants, size_t n,
			struct table *by_off)
{
	struct btf_lazy *z = btf->lazy;
	const struct btf_source *src = &z->src;
	uint64_t base = 0, total = btf->strs_len;
	size_t carry = 0, len, got;
	struct buckets *b = malloc(sizeof *b);
	unsigned char *buf = malloc(PASS_CHUNK + NUL_BLOCK), *last,
		      saved[NUL_BLOCK];
	int err = buf && b ? 0 :
		  error_set(ENOMEM, "BTF: no memory to read strings");

	if (!err) {
		fill_buckets(b, wants, n);
		b->by_off = by_off;
	}
	while (!err && base + carry < total) {
		got = PASS_CHUNK - carry;
		if (got > total - base - carry)
			got = (size_t)(total - base - carry);
		if ((err = src->read(src->ctx, z->strs + base + carry,
				     buf + carry, got)))
			break;
		len = carry + got;
		if (!(last = memrchr(buf, 0, len))) {
			err = len < PASS_CHUNK ? btf_bad_strings() :
			      error_set(EINVAL, "BTF: string at offset %llu "
					"longer than %d bytes",
					(unsigned long long)base, PASS_CHUNK);
			break;
		}
		carry = len - (size_t)(last + 1 - buf);
		memcpy(saved, last + 1, NUL_BLOCK);
		memset(last + 1, 0xff, NUL_BLOCK);  /* no NUL past the last */
		b->base = base;
		err = scan_strings(b, buf, (size_t)(last + 1 - buf));
		memcpy(last + 1, saved, NUL_BLOCK);
		memmove(buf, last + 1, carry);
		base += len - carry;
	}
	if (!err && carry)    /* the section does not end with a NUL */
		err = btf_bad_strings();
	free(buf);
	free(b);
	return err;
}

static int note_type(struct want *w, uint32_t id, unsigned kind)
{
	void *bigger = realloc(w->types, (w->ntypes + 1) * sizeof *w->types);

	if (!bigger)
		return error_set(ENOMEM, "BTF: no memory for a name's types");
	w->types = bigger;
	w->types[w->ntypes].id = id;
	w->types[w->ntypes++].kind = kind;
	return 0;
}

/* What the types pass consults for each record. */
struct type_pass {
	/* Record size by kind: fixed + per * vlen. A kind we do not know
	 * has a size no window holds, so that type_record meets it. */
	long fixed[32], per[32];
	/* Bit off % 65536: a name in by_off may lie at off (0 never does);
	 * most records' names are not looked up. */
	uint64_t maybe[1024];
	const struct table *by_off;
};

static void type_pass_init(struct type_pass *tp, const struct table *by_off)
{
	long none;
	unsigned k;
	uint32_t i, key;

	for (k = 0; k < 32; k++) {
		none = btf_tail_size(k, 0);
		tp->fixed[k] = none < 0 ? LONG_MAX / 2 :
			       (long)sizeof(struct btf_type) + none;
		tp->per[k] = none < 0 ? 0 : btf_tail_size(k, 1) - none;
	}
	memset(tp->maybe, 0, sizeof tp->maybe);
	for (i = 0; by_off->slots && i <= by_off->mask; i++)
		if ((key = by_off->slots[i].key))
			tp->maybe[key >> 6 & 1023] |= 1ull << (key & 63);
	tp->by_off = by_off;
}

static inline int maybe_wanted(const struct type_pass *tp, uint32_t off)
{
	return tp->maybe[off >> 6 & 1023] >> (off & 63) & 1;
}

/* Notes id as a type of the name at off, if that name is wanted. */
static int note_if_wanted(const struct type_pass *tp, uint32_t off,
			  uint32_t id, unsigned kind)
{
	struct want *w = off ? table_get(tp->by_off, off) : NULL;

	return w ? note_type(w, id, kind) : 0;
}

/* Where id's record starts, for ids that are multiples of MARK_STRIDE
 * (marks[0], id 1's, is 0 from calloc: the section's start). */
static void mark(struct btf_lazy *z, const struct stream *s, size_t at,
		 uint32_t id)
{
	z->marks[id / MARK_STRIDE] = (uint32_t)(s->base + at - z->types);
}

/* One record at the read position, the careful way (it may lie across
 * the window's end, or be bad): its kind and length checked, its offset
 * marked, its id noted if its name is wanted; consumed. */
static int type_record(struct btf_lazy *z, struct stream *s, uint32_t id,
		       const struct type_pass *tp)
{
	const unsigned char *p;
	struct btf_type t;
	long tail;
	int err;

	if (remaining(s) < sizeof t)
		return error_set(EINVAL, "BTF type %u: record truncated (%llu "
				 "bytes left)", id,
				 (unsigned long long)remaining(s));
	if ((err = ensure(s, sizeof t, &p)))
		return err;
	memcpy(&t, p, sizeof t);
	tail = btf_tail_size(btf_kind(&t), btf_vlen(&t));
	if (tail < 0)
		return error_set(EINVAL, "BTF type %u: unknown kind %u", id,
				 btf_kind(&t));
	if ((uint64_t)tail > remaining(s) - sizeof t)
		return error_set(EINVAL, "BTF type %u: record truncated (needs "
				 "%zu bytes, %llu left)", id,
				 sizeof t + (size_t)tail,
				 (unsigned long long)remaining(s));
	if ((err = ensure(s, sizeof t + (size_t)tail, &p)))
		return err;
	if (id % MARK_STRIDE == 0)
		mark(z, s, s->at, id);
	if ((err = note_if_wanted(tp, t.name_off, id, btf_kind(&t))))
		return err;
	s->at += sizeof t + (size_t)tail;
	return 0;
}

/* The records that lie whole in the window from the read position, the
 * fast way (no call per record): as type_record does, up to the first
 * that is not whole there or whose kind is unknown, which it leaves to
 * type_record. Returns the id of that one. */
static uint32_t whole_records(struct btf_lazy *z, struct stream *s,
			      uint32_t id, const struct type_pass *tp,
			      int *err)
{
	const unsigned char *p, *end;
	struct btf_type t;      /* only its name_off and info are read */
	long size;

	if (!s->buf)            /* nothing read yet (NULL + 0 is undefined) */
		return id;
	p = s->buf + s->at;
	end = s->buf + s->len;
	while ((size_t)(end - p) >= sizeof t) {
		memcpy(&t.name_off, p, sizeof t.name_off);
		memcpy(&t.info, p + offsetof(struct btf_type, info),
		       sizeof t.info);
		size = tp->fixed[btf_kind(&t)] +
		       tp->per[btf_kind(&t)] * (long)btf_vlen(&t);
		if (size > end - p)
			break;
		if (id % MARK_STRIDE == 0)
			mark(z, s, (size_t)(p - s->buf), id);
		if (maybe_wanted(tp, t.name_off) &&
		    (*err = note_if_wanted(tp, t.name_off, id, btf_kind(&t))))
			break;
		p += size;
		id++;
	}
	s->at = (size_t)(p - s->buf);
	return id;
}

/* Types: every record's kind and length checked, the marks set, and the
 * ids whose names are in by_off noted. */
static int types_pass(struct btf *btf, const struct table *by_off)
{
	struct btf_lazy *z = btf->lazy;
	struct stream s = { .src = z->src, .chunk = PASS_CHUNK,
			    .base = z->types, .end = z->types + z->types_len };
	struct type_pass *tp = malloc(sizeof *tp);
	uint32_t id = 1;
	int err = tp ? 0 : error_set(ENOMEM, "BTF: no memory for a pass");

	if (tp)
		type_pass_init(tp, by_off);
	while (!err && remaining(&s)) {
		id = whole_records(z, &s, id, tp, &err);
		if (!err && remaining(&s))
			err = type_record(z, &s, id++, tp);
	}
	free(s.buf);
	free(tp);
	if (!err)
		btf->nr_types = id;
	return err;
}

/* Runs both passes for wants[first..nwants). */
static int find_wants(struct btf *btf, size_t first)
{
	struct btf_lazy *z = btf->lazy;
	struct table by_off = { 0 };
	int err;

	/* no names asked for: wants is NULL, and NULL + 0 is undefined */
	err = strings_pass(btf, z->wants ? z->wants + first : NULL,
			   z->nwants - first, &by_off);
	if (!err)
		err = types_pass(btf, &by_off);
	table_free(&by_off, 0);
	return err;
}

static int add_want(struct btf_lazy *z, const char *name, size_t len)
{
	struct want *bigger = realloc(z->wants, (z->nwants + 1) * sizeof *bigger);

	if (!bigger)
		return error_set(ENOMEM, "BTF: no memory for names");
	z->wants = bigger;
	bigger += z->nwants;
	memset(bigger, 0, sizeof *bigger);
	if (!(bigger->name = malloc(len + 1)))
		return error_set(ENOMEM, "BTF: no memory for names");
	memcpy(bigger->name, name, len);
	bigger->name[len] = 0;
	bigger->len = len;
	z->nwants++;
	return 0;
}

static int read_header(struct btf *btf, const struct btf_source *src,
		       struct btf_header *h)
{
	struct btf_lazy *z = btf->lazy;
	int err;

	if (src->size < sizeof *h)
		return error_set(EINVAL, "BTF: truncated header (%llu bytes)",
				 (unsigned long long)src->size);
	if (src->size > UINT32_MAX)
		return error_set(EINVAL, "BTF: %llu bytes is too large",
				 (unsigned long long)src->size);
	if ((err = src->read(src->ctx, 0, h, sizeof *h)))
		return err;
	if ((err = btf_check_layout(h, src->size)))
		return err;
	z->types = (uint64_t)h->hdr_len + h->type_off;
	z->strs = (uint64_t)h->hdr_len + h->str_off;
	z->types_len = h->type_len;
	btf->strs_len = h->str_len;
	btf->size = (size_t)src->size;
	/* Every record is at least 12 bytes: a bound on the marks. */
	z->marks = calloc(h->type_len / sizeof(struct btf_type) /
			  MARK_STRIDE + 1, sizeof *z->marks);
	return z->marks ? 0 : error_set(ENOMEM, "BTF: no memory for an index");
}

int btf_open_lazy(struct btf *btf, const struct btf_source *src,
		  const char *const *want, size_t nwant)
{
	struct btf_header h;
	size_t i;
	int err;

	memset(btf, 0, sizeof *btf);
	btf->lazy = calloc(1, sizeof *btf->lazy);
	if (!btf->lazy)
		return error_set(ENOMEM, "BTF: no memory");
	btf->lazy->src = *src;
	btf->lazy->type_win.src = btf->lazy->str_win.src = *src;
	btf->lazy->type_win.chunk = btf->lazy->str_win.chunk = FETCH_CHUNK;
	err = read_header(btf, src, &h);
	for (i = 0; !err && i < nwant; i++)
		err = add_want(btf->lazy, want[i], strlen(want[i]));
	if (!err)
		err = find_wants(btf, 0);
	if (err)
		btf_free(btf);
	return err;
}

void btf_lazy_free(struct btf *btf)
{
	struct btf_lazy *z = btf->lazy;
	size_t i;

	for (i = 0; i < z->nwants; i++) {
		free(z->wants[i].name);
		free(z->wants[i].types);
	}
	free(z->wants);
	free(z->marks);
	free(z->type_win.buf);
	free(z->str_win.buf);
	table_free(&z->records, 1);
	table_free(&z->strings, 1);
	free(z);
	btf->lazy = NULL;
}

/* --- on demand --- */

static void *copy_out(const void *p, size_t n)
{
	void *c = malloc(n);

	if (c)
		memcpy(c, p, n);
	else
		error_set(ENOMEM, "BTF: no memory for a record");
	return c;
}

/* Walks from the mark before id to id; the record stays in the window. */
static const struct btf_type *seek_record(const struct btf *btf,
					  uint32_t id, size_t *size)
{
	struct btf_lazy *z = btf->lazy;
	struct stream *s = &z->type_win;
	uint32_t cur = id / MARK_STRIDE * MARK_STRIDE;
	const unsigned char *p;
	struct btf_type t;
	long tail;

	if (window_seek(s, z->types + z->marks[id / MARK_STRIDE], z->types,
			z->types + z->types_len))
		return NULL;
	for (cur = cur ? cur : 1;; cur++) {
		if (remaining(s) < sizeof t || ensure(s, sizeof t, &p))
			break;
		memcpy(&t, p, sizeof t);
		tail = btf_tail_size(btf_kind(&t), btf_vlen(&t));
		if (tail < 0 || (uint64_t)tail > remaining(s) - sizeof t)
			break;
		*size = sizeof t + (size_t)tail;
		if (ensure(s, *size, &p))
			return NULL;
		if (cur == id)
			return (const void *)p;
		s->at += *size;
	}
	error_set(EIO, "BTF type %u: changed since it was checked", id);
	return NULL;
}

const struct btf_type *btf_lazy_type(const struct btf *btf, uint32_t id)
{
	struct btf_lazy *z = btf->lazy;
	const struct btf_type *t = table_get(&z->records, id);
	struct btf_type *copy;
	size_t size;

	if (t || !(t = seek_record(btf, id, &size)))
		return t;
	if (btf_check_record(btf, id, t))
		return NULL;
	if (!(copy = copy_out(t, size)))
		return NULL;
	if (table_put(&z->records, id, copy)) {
		free(copy);
		return NULL;
	}
	return copy;
}

const char *btf_lazy_str(const struct btf *btf, uint32_t off)
{
	struct btf_lazy *z = btf->lazy;
	const char *str = table_get(&z->strings, off);
	char *copy;
	size_t len = 0;

	if (off == 0 || str)
		return str ? str : "";
	if (window_seek(&z->str_win, z->strs + off, z->strs,
			z->strs + btf->strs_len) ||
	    next_string(&z->str_win, &str, &len) ||
	    !(copy = copy_out(str, len + 1)))
		return "";
	if (table_put(&z->strings, off, copy)) {
		free(copy);
		return "";
	}
	return copy;
}

size_t btf_lazy_find(const struct btf *btf, const char *name, size_t len,
		     int kind, uint32_t *ids, size_t max)
{
	struct btf *b = (struct btf *)btf;    /* the caches change, not btf */
	struct btf_lazy *z = btf->lazy;
	struct want *w = NULL;
	size_t i, n = 0;

	for (i = 0; i < z->nwants && !w; i++)
		if (z->wants[i].len == len && !memcmp(z->wants[i].name, name, len))
			w = &z->wants[i];
	if (!w) {
		if (add_want(z, name, len) || find_wants(b, z->nwants - 1))
			return 0;
		w = &z->wants[z->nwants - 1];
	}
	for (i = 0; i < w->ntypes; i++) {
		if (kind >= 0 && w->types[i].kind != (uint32_t)kind)
			continue;
		if (n < max)
			ids[n] = w->types[i].id;
		n++;
	}
	return n;
}
