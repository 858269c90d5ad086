/* gunzip for /proc/config.gz and the embedded BPF objects (RFC 1952
 * around RFC 1951 deflate): a kernel's .config, some 300 KB, or one
 * object of up to some 170 KB, at every start. The decoder follows the
 * RFC's canonical Huffman construction (as zlib's contrib/puff does),
 * with a one-step table for the short codes, a 64-bit bit buffer and
 * copies 8 bytes a step: inflating the bind object costs 2.7 M
 * instructions, 6.8 M a bit and a byte at a time. Nothing here makes a
 * syscall. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "loader/gunzip.h"

#define MAXBITS 15
/* At -Os gcc calls these small functions instead of inlining them, and
 * the bit buffer then lives in memory: a third more instructions. */
#define INLINE static inline __attribute__((always_inline))
#define GUNZIP_MAX (64u << 20)

/* The bit buffer holds up to 64 bits, least significant first; bits
 * above bitcnt are 0 or the input's next bits (a refill ORs the same
 * bits in again). */
struct inflate {
	const uint8_t *in;
	size_t in_len, in_pos;
	uint64_t bitbuf;
	int bitcnt;
	uint8_t *out;
	size_t out_len, out_pos;
};

/* Codes of up to h->fast_bits bits are looked up in one step: fast[]
 * holds, for each value of the next fast_bits input bits, the symbol
 * they start with and its code's length (len << 10 | symbol), or, where
 * the code is longer, its first fast_bits bits (len 0): those go on a
 * bit at a time with first[] and index[]. An index no code starts at (an
 * incomplete code) holds 0 and goes on as well, to no code. Bit by bit
 * from the first, an embedded object's inflate cost 7 M instructions.
 * zopfli writes a block every few KB, so filling the table is a good
 * part of the cost: it is no wider than the longest code, and at most
 * 10 bits for literals/lengths, 8 for distances (and never more than 10:
 * a long code's first bits must stay below 1 << 10). */
struct huffman {
	int fast_bits;
	unsigned fast_mask;             /* (1 << fast_bits) - 1 */
	short count[MAXBITS + 1];       /* codes of each length */
	short first[MAXBITS + 1];       /* the first code of each length */
	short index[MAXBITS + 1];       /* its symbol's index in symbol[] */
	short symbol[320];              /* symbols by code */
	uint16_t fast[1 << 10];
};

/* As many whole bytes as fit: eight at once while eight remain (the
 * bytes past the ones counted are the next input's, see above), then
 * one at a time at the input's end. */
INLINE void refill(struct inflate *s)
{
	const uint8_t *p = s->in + s->in_pos;
	uint64_t v;

	if (s->in_len - s->in_pos >= 8) {
		memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v = __builtin_bswap64(v);
#endif
		s->bitbuf |= v << s->bitcnt;
		s->in_pos += (size_t)(63 - s->bitcnt) >> 3;
		s->bitcnt |= 56;
		return;
	}
	while (s->bitcnt <= 56 && s->in_pos < s->in_len) {
		s->bitbuf |= (uint64_t)s->in[s->in_pos++] << s->bitcnt;
		s->bitcnt += 8;
	}
}

/* n bits, least significant first, of those in the buffer; -1 if it
 * holds fewer. */
INLINE int take(struct inflate *s, int n)
{
	int v;

	if (s->bitcnt < n)
		return -1;
	v = (int)(s->bitbuf & ((1u << n) - 1));
	s->bitbuf >>= n;
	s->bitcnt -= n;
	return v;
}

/* n bits, refilling first; -1 past the end of the input. */
static int bits(struct inflate *s, int n)
{
	if (s->bitcnt < n)
		refill(s);
	return take(s, n);
}

/* The low len bits of code in reverse order: the input gives a code's
 * first (most significant) bit first, in the low bit. */
static unsigned reverse(unsigned code, int len)
{
	code = (code & 0x5555) << 1 | (code >> 1 & 0x5555);
	code = (code & 0x3333) << 2 | (code >> 2 & 0x3333);
	code = (code & 0x0f0f) << 4 | (code >> 4 & 0x0f0f);
	code = (code & 0x00ff) << 8 | (code >> 8 & 0x00ff);
	return code >> (16 - len);
}

/* h->fast from h->count and h->symbol: the canonical codes in order,
 * each stored reversed at every index whose low bits it is (a code of
 * len bits at every 1 << len-th). A longer code marks its first
 * fast_bits bits' index (the codes sharing those bits are neighbours). */
static void fill_fast(struct huffman *h)
{
	int fb = h->fast_bits, len, i, k, step, code = 0, index = 0;
	uint16_t e;

	memset(h->fast, 0, sizeof h->fast[0] << fb);
	for (len = 1; len <= MAXBITS; len++) {
		h->first[len] = (short)code;
		h->index[len] = (short)index;
		step = 1 << len;
		for (i = 0; i < h->count[len]; i++, code++, index++) {
			if (len > fb) {
				k = code >> (len - fb);
				h->fast[reverse((unsigned)k, fb)] = (uint16_t)k;
				continue;
			}
			e = (uint16_t)(len << 10 | h->symbol[index]);
			for (k = (int)reverse((unsigned)code, len);
			     k < 1 << fb; k += step)
				h->fast[k] = e;
		}
		code <<= 1;
	}
}

/* Canonical codes from code lengths, looked up fast_bits at a time; 0,
 * or -1 if over-subscribed. */
static int build(struct huffman *h, const short *length, int n,
		 int fast_bits)
{
	short offs[MAXBITS + 1];
	int left = 1, len, sym;

	memset(h->count, 0, sizeof h->count);
	for (sym = 0; sym < n; sym++)
		h->count[length[sym]]++;
	for (len = 1; len <= MAXBITS; len++) {
		left = (left << 1) - h->count[len];
		if (left < 0)
			return -1;
	}
	offs[1] = 0;
	for (len = 1; len < MAXBITS; len++)
		offs[len + 1] = (short)(offs[len] + h->count[len]);
	for (sym = 0; sym < n; sym++)
		if (length[sym])
			h->symbol[offs[length[sym]]++] = (short)sym;
	/* no wider than the longest code: less to fill */
	for (len = MAXBITS; len > 1 && !h->count[len]; len--)
		;
	h->fast_bits = len < fast_bits ? len : fast_bits;
	h->fast_mask = (1u << h->fast_bits) - 1;
	fill_fast(h);
	return 0;
}

/* One symbol from the bits in the buffer (the caller refills), -1 on a
 * bad code or too few bits. A code longer than fast_bits goes on a bit
 * at a time (Huffman codes are stored most significant bit first) from
 * its first fast_bits, as in RFC 1951's canonical order: the code of
 * len bits is one of that length when it is below first[len] +
 * count[len]. */
INLINE int decode(struct inflate *s, const struct huffman *h)
{
	int e, len, code;

	e = h->fast[s->bitbuf & h->fast_mask];
	len = e >> 10;
	if (len) {
		if (len > s->bitcnt)
			return -1;
		s->bitbuf >>= len;
		s->bitcnt -= len;
		return e & 1023;
	}
	/* unsigned: where no code starts (e is 0, an incomplete code), the
	 * walk goes on from 0, below first[len], and must find no code and
	 * not index symbol[] before index[len] */
	for (code = e, len = h->fast_bits + 1;
	     len <= MAXBITS && len <= s->bitcnt; len++) {
		code = code << 1 | (int)(s->bitbuf >> (len - 1) & 1);
		if ((unsigned)(code - h->first[len]) < (unsigned)h->count[len]) {
			s->bitbuf >>= len;
			s->bitcnt -= len;
			return h->symbol[h->index[len] + code - h->first[len]];
		}
	}
	return -1;
}

INLINE int put(struct inflate *s, uint8_t c)
{
	if (s->out_pos == s->out_len)
		return -1;
	s->out[s->out_pos++] = c;
	return 0;
}

static const short len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15,
	17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
	227, 258 };
static const short len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
	2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const short dist_base[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33,
	49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
	4097, 6145, 8193, 12289, 16385, 24577 };
static const short dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4,
	5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* len bytes from dist back (both checked), 8 at a time where the
 * source ends at or before the destination starts and 7 bytes of room
 * past the copy take the overshoot (rewritten later); a byte at a time
 * where the copy overlaps what it writes (dist < 8: a run of a byte or a
 * few repeated) or near the end of the output. */
INLINE void copy(struct inflate *s, size_t dist, size_t len)
{
	uint8_t *to = s->out + s->out_pos;
	const uint8_t *from = to - dist;

	s->out_pos += len;
	if (dist >= 8 && s->out_len - s->out_pos >= 7) {
		for (;;) {
			memcpy(to, from, 8);
			if (len <= 8)
				return;
			to += 8, from += 8, len -= 8;
		}
	}
	if (dist == 1) {
		memset(to, *from, len);
		return;
	}
	while (len--)
		*to++ = *from++;
}

/* A block's literals and copies, until its end-of-block symbol. */
INLINE int codes_in(struct inflate *s, const struct huffman *lencode,
		 const struct huffman *distcode)
{
	int sym, e, len, dist;

	for (;;) {
		/* 48 bits hold a length's and a distance's codes and extra
		 * bits; fewer only at the input's end, where a short read is
		 * a truncated input */
		if (s->bitcnt < 48)
			refill(s);
		sym = decode(s, lencode);
		if (sym < 0)
			return -1;
		if (sym < 256) {
			if (put(s, (uint8_t)sym))
				return -1;
			continue;
		}
		if (sym == 256)
			return 0;
		sym -= 257;
		if (sym >= 29 || (e = take(s, len_extra[sym])) < 0)
			return -1;
		len = len_base[sym] + e;
		sym = decode(s, distcode);
		if (sym < 0 || sym >= 30 || (e = take(s, dist_extra[sym])) < 0)
			return -1;
		dist = dist_base[sym] + e;
		if ((size_t)dist > s->out_pos ||
		    (size_t)len > s->out_len - s->out_pos)
			return -1;
		copy(s, (size_t)dist, (size_t)len);
	}
}

/* codes_in on a copy of the state, whose bit buffer and positions gcc
 * can then keep in registers. */
static int codes(struct inflate *s, const struct huffman *lencode,
		 const struct huffman *distcode)
{
	struct inflate b = *s;
	int err = codes_in(&b, lencode, distcode);

	*s = b;
	return err;
}

static int stored(struct inflate *s)
{
	unsigned len;

	/* to the byte boundary: the whole bytes the refills took ahead go
	 * back to the input */
	s->in_pos -= (size_t)(s->bitcnt / 8);
	s->bitbuf = 0;
	s->bitcnt = 0;
	if (s->in_pos + 4 > s->in_len)
		return -1;
	len = s->in[s->in_pos] | (unsigned)s->in[s->in_pos + 1] << 8;
	if ((uint16_t)~len != (s->in[s->in_pos + 2] |
			       (unsigned)s->in[s->in_pos + 3] << 8))
		return -1;
	s->in_pos += 4;
	if (s->in_pos + len > s->in_len)
		return -1;
	if (len > s->out_len - s->out_pos)
		return -1;
	memcpy(s->out + s->out_pos, s->in + s->in_pos, len);
	s->in_pos += len;
	s->out_pos += len;
	return 0;
}

static int fixed(struct inflate *s)
{
	static struct huffman lencode, distcode;
	static int built;
	short lengths[288];
	int i;

	if (!built) {
		for (i = 0; i < 288; i++)
			lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
		build(&lencode, lengths, 288, 10);
		for (i = 0; i < 30; i++)
			lengths[i] = 5;
		build(&distcode, lengths, 30, 8);
		built = 1;
	}
	return codes(s, &lencode, &distcode);
}

static int dynamic(struct inflate *s)
{
	static const short order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
					 11, 4, 12, 3, 13, 2, 14, 1, 15 };
	struct huffman lencode, distcode;
	short lengths[320];
	int nlen, ndist, ncode, i, sym, len, rep, b;

	nlen = bits(s, 5) + 257;
	ndist = bits(s, 5) + 1;
	ncode = bits(s, 4) + 4;
	if (nlen < 257 || ndist < 1 || ncode < 4 || nlen > 286 || ndist > 30)
		return -1;
	for (i = 0; i < 19; i++)
		lengths[order[i]] = (short)(i < ncode ? bits(s, 3) : 0);
	for (i = 0; i < 19; i++)
		if (lengths[i] < 0)
			return -1;
	if (build(&lencode, lengths, 19, 7))
		return -1;
	for (i = 0; i < nlen + ndist;) {
		if (s->bitcnt < 14)     /* a code of 7 bits, 7 extra bits */
			refill(s);
		sym = decode(s, &lencode);
		if (sym < 0)
			return -1;
		if (sym < 16) {
			lengths[i++] = (short)sym;
			continue;
		}
		len = 0;
		if (sym == 16) {
			if (i == 0)
				return -1;
			len = lengths[i - 1];
			b = take(s, 2);
			rep = 3 + b;
		} else {
			b = take(s, sym == 17 ? 3 : 7);
			rep = (sym == 17 ? 3 : 11) + b;
		}
		if (b < 0 || i + rep > nlen + ndist)
			return -1;
		while (rep--)
			lengths[i++] = (short)len;
	}
	if (lengths[256] == 0 || build(&lencode, lengths, nlen, 10) ||
	    build(&distcode, lengths + nlen, ndist, 8))
		return -1;
	return codes(s, &lencode, &distcode);
}

/* Raw deflate from in into out; the bytes written, or -1. */
static long inflate_raw(struct inflate *s)
{
	int last, type, err;

	do {
		last = bits(s, 1);
		type = bits(s, 2);
		if (last < 0 || type < 0 || type == 3)
			return -1;
		err = type == 0 ? stored(s) : type == 1 ? fixed(s) : dynamic(s);
		if (err)
			return -1;
	} while (!last);
	return (long)s->out_pos;
}

/* CRC-32 (IEEE, reflected): the trailer's check that what came out is
 * what went in. Eight bytes a step ("slicing by 8"): table[k][b] is
 * byte b's CRC followed by k zero bytes, so the eight lookups of a step
 * are independent of each other. The tables are made on first use (in
 * .bss, not in the binary). Bit by bit the CRC cost a third of inflating
 * an embedded object, a byte at a time still a quarter. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
	static uint32_t table[8][256];
	uint32_t c;
	int i, k;

	if (!table[0][1]) {
		for (i = 0; i < 256; i++) {
			c = (uint32_t)i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
			table[0][i] = c;
		}
		for (k = 1; k < 8; k++)
			for (i = 0; i < 256; i++)
				table[k][i] = table[0][table[k - 1][i] & 0xff] ^
					      table[k - 1][i] >> 8;
	}
	c = 0xffffffffu;
	for (; n >= 8; n -= 8, p += 8)
		c = table[7][(c ^ p[0]) & 0xff] ^
		    table[6][(c >> 8 ^ p[1]) & 0xff] ^
		    table[5][(c >> 16 ^ p[2]) & 0xff] ^
		    table[4][c >> 24 ^ p[3]] ^ table[3][p[4]] ^
		    table[2][p[5]] ^ table[1][p[6]] ^ table[0][p[7]];
	while (n--)
		c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Past the gzip header: its flags say which optional fields follow. */
static size_t skip_header(const uint8_t *in, size_t len)
{
	size_t pos = 10;
	uint8_t flg;

	if (len < 18 || in[0] != 0x1f || in[1] != 0x8b || in[2] != 8)
		return 0;
	flg = in[3];
	if (flg & 4) {                  /* FEXTRA */
		if (pos + 2 > len)
			return 0;
		pos += 2 + (in[pos] | (size_t)in[pos + 1] << 8);
	}
	for (int f = 8; f <= 16; f <<= 1)       /* FNAME, FCOMMENT */
		if (flg & f) {
			while (pos < len && in[pos])
				pos++;
			pos++;
		}
	if (flg & 2)                    /* FHCRC */
		pos += 2;
	/* the 8-byte trailer must still follow (len >= 18) */
	return pos + 8 < len ? pos : 0;
}

int gunzip(const void *data, size_t len, char **text, size_t *text_len)
{
	const uint8_t *in = data;
	struct inflate s;
	size_t start = skip_header(in, len);
	uint32_t isize;
	long n;

	if (!start)
		return -EINVAL;
	/* the trailer: CRC32, then ISIZE, the size of what comes out */
	isize = le32(in + len - 4);
	/* neither a .config nor a BPF object comes near: a larger size is
	 * a corrupt (or cut) member's, not worth a malloc */
	if (isize > GUNZIP_MAX)
		return -EINVAL;
	memset(&s, 0, sizeof s);
	s.in = in + start;
	s.in_len = len - start - 8;
	s.out_len = isize;
	s.out = malloc((size_t)isize + 1);
	if (!s.out)
		return -ENOMEM;
	n = inflate_raw(&s);
	if (n < 0 || (uint32_t)n != isize ||
	    crc32(s.out, (size_t)n) != le32(in + len - 8)) {
		free(s.out);
		return -EINVAL;
	}
	s.out[n] = 0;
	*text = (char *)s.out;
	if (text_len)
		*text_len = (size_t)n;
	return 0;
}
