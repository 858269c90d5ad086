/* loader/gunzip.c on members written here bit by bit (each path of the
 * decoder: copies that overlap what they write, codes of 15 bits, stored
 * blocks, the input's last bytes, bad codes) and on what gzip and zopfli
 * write, compared with their input. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "loader/gunzip.h"
#include "tests/testutil.h"

/* A gzip member being written, first bit in the low bit. */
struct bitw {
	unsigned char buf[8192];
	size_t pos;
	int n;
};

static void put_bits(struct bitw *w, unsigned v, int n)
{
	for (; n > 0; n--, v >>= 1) {
		if (!w->n)
			w->buf[w->pos] = 0;
		w->buf[w->pos] |= (unsigned char)((v & 1) << w->n);
		if (++w->n == 8) {
			w->n = 0;
			w->pos++;
		}
	}
}

/* A Huffman code goes in most significant bit first. */
static void put_code(struct bitw *w, unsigned code, int len)
{
	while (len--)
		put_bits(w, code >> len & 1, 1);
}

static void put_byte(struct bitw *w, unsigned v)
{
	w->buf[w->pos++] = (unsigned char)v;
}

static void align(struct bitw *w)
{
	if (w->n) {
		w->n = 0;
		w->pos++;
	}
}

static void start(struct bitw *w)
{
	static const unsigned char head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0,
						0, 0, 3 };

	memset(w, 0, sizeof *w);
	memcpy(w->buf, head, sizeof head);
	w->pos = sizeof head;
}

static uint32_t crc32_bits(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

/* The trailer for what the member should inflate to. */
static void finish(struct bitw *w, const void *text, size_t n)
{
	uint32_t crc = crc32_bits(text, n);

	align(w);
	for (int i = 0; i < 4; i++)
		put_byte(w, crc >> (8 * i) & 0xff);
	for (int i = 0; i < 4; i++)
		put_byte(w, (uint32_t)n >> (8 * i) & 0xff);
}

/* gunzip gives exactly want */
static void inflates_to(const struct bitw *w, const void *want, size_t n)
{
	char *text = NULL;
	size_t len = 0;

	ck_assert_int_eq(gunzip(w->buf, w->pos, &text, &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(text, want, n);
	free(text);
}

static void refused(const struct bitw *w)
{
	char *text = NULL;

	ck_assert_int_eq(gunzip(w->buf, w->pos, &text, NULL), -EINVAL);
	ck_assert_ptr_null(text);
}

/* Fixed codes (RFC 1951 3.2.6). */
static void fixed_literal(struct bitw *w, unsigned c)
{
	if (c < 144)
		put_code(w, 0x30 + c, 8);
	else
		put_code(w, 0x190 + c - 144, 9);
}

static void fixed_symbol(struct bitw *w, unsigned sym)        /* >= 256 */
{
	if (sym < 280)
		put_code(w, sym - 256, 7);
	else
		put_code(w, 0xc0 + sym - 280, 8);
}

static const short len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15,
	17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
	227, 258 };
static const short len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
	2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const int dist_base[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33,
	49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
	4097, 6145, 8193, 12289, 16385, 24577 };
static const short dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4,
	5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* A copy of len bytes from dist back, in fixed codes. */
static void fixed_match(struct bitw *w, int len, int dist)
{
	int i = 28, d = 29;

	while (len_base[i] > len)
		i--;
	fixed_symbol(w, 257 + (unsigned)i);
	put_bits(w, (unsigned)(len - len_base[i]), len_extra[i]);
	while (dist_base[d] > dist)
		d--;
	put_code(w, (unsigned)d, 5);
	put_bits(w, (unsigned)(dist - dist_base[d]), dist_extra[d]);
}

/* Copies from 1 to 40 bytes back, of 3 to 258 bytes: those from fewer
 * than 8 bytes back overlap what they write (a run of one byte, of a few
 * repeated), the others are copied 8 bytes a step, except near the
 * output's end. */
START_TEST(copies_near_and_far)
{
	static unsigned char want[8192];
	static struct bitw w;
	static const int lens[] = { 3, 7, 8, 9, 15, 16, 17, 100, 257, 258 };
	size_t n;

	for (int dist = 1; dist <= 40; dist++)
		for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
			start(&w);
			put_bits(&w, 1, 1);
			put_bits(&w, 1, 2);
			for (n = 0; n < (size_t)dist; n++) {
				want[n] = (unsigned char)('a' + n % 26 + n / 26);
				fixed_literal(&w, want[n]);
			}
			fixed_match(&w, lens[l], dist);
			for (int i = 0; i < lens[l]; i++, n++)
				want[n] = want[n - (size_t)dist];
			/* room after the copy for its 8-byte steps' overshoot */
			for (int i = 0; i < 16; i++, n++) {
				want[n] = (unsigned char)('A' + i);
				fixed_literal(&w, want[n]);
			}
			fixed_match(&w, lens[l], dist);
			for (int i = 0; i < lens[l]; i++, n++)
				want[n] = want[n - (size_t)dist];
			/* and one more, right at the output's end */
			fixed_match(&w, 3, dist);
			for (int i = 0; i < 3; i++, n++)
				want[n] = want[n - (size_t)dist];
			fixed_symbol(&w, 256);
			finish(&w, want, n);
			inflates_to(&w, want, n);
		}
}
END_TEST

/* A copy from before the output's start, or past its end (ISIZE). */
START_TEST(copy_out_of_bounds_is_refused)
{
	static struct bitw w;

	start(&w);
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	fixed_literal(&w, 'a');
	fixed_match(&w, 5, 2);
	fixed_symbol(&w, 256);
	finish(&w, "aaaaaa", 6);
	refused(&w);

	start(&w);
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	fixed_literal(&w, 'a');
	fixed_match(&w, 5, 1);
	fixed_symbol(&w, 256);
	finish(&w, "aaaa", 4);          /* ISIZE 4: the copy runs past it */
	refused(&w);
}
END_TEST

/* A dynamic block's header: the literal/length code from lens[257],
 * one distance code of 1 bit. */
static void dynamic_header(struct bitw *w, const int *lens)
{
	int i;

	put_bits(w, 1, 1);
	put_bits(w, 2, 2);              /* dynamic */
	put_bits(w, 0, 5);              /* 257 literal/length codes */
	put_bits(w, 0, 5);              /* 1 distance code */
	put_bits(w, 15, 4);             /* 19 code length codes */
	/* code lengths 0-15 get 4-bit codes (code k for length k), the
	 * repeats 16-18 none; in RFC 1951's order 16 17 18 0 8 7 9 6 10 5
	 * 11 4 12 3 13 2 14 1 15 */
	for (i = 0; i < 19; i++)
		put_bits(w, i < 3 ? 0 : 4, 3);
	for (i = 0; i < 257; i++)
		put_code(w, (unsigned)lens[i], 4);
	put_code(w, 1, 4);              /* the distance code: 1 bit */
}

/* Codes of every length from 1 to 15 bits: 'a' 1 bit, 'b' 2, ... 'n'
 * 14, 'o' and end of block 15. complete = 0 leaves 'o' out, so that one
 * 15-bit code is no code. */
static void skewed_block(struct bitw *w, int complete)
{
	int lens[257] = { 0 };

	for (int c = 'a'; c <= 'n'; c++)
		lens[c] = c - 'a' + 1;
	lens['o'] = complete ? 15 : 0;
	lens[256] = 15;
	dynamic_header(w, lens);
}

static void skewed_literal(struct bitw *w, int c)
{
	int len = c - 'a' + 1;

	/* len - 1 ones, then a zero */
	put_code(w, ((1u << len) - 1) & ~1u, len);
}

START_TEST(codes_of_15_bits)
{
	static struct bitw w;
	const char *text = "abconmlkjihgfedcbaoonnmmoa";

	start(&w);
	skewed_block(&w, 1);
	for (const char *p = text; *p; p++)
		if (*p == 'o')
			put_code(&w, 0x7ffe, 15);
		else
			skewed_literal(&w, *p);
	put_code(&w, 0x7fff, 15);       /* end of block */
	finish(&w, text, strlen(text));
	inflates_to(&w, text, strlen(text));

	/* without 'o', 0x7ffe ends the block and 0x7fff is no code */
	start(&w);
	skewed_block(&w, 0);
	skewed_literal(&w, 'n');
	put_code(&w, 0x7fff, 15);
	put_code(&w, 0x7ffe, 15);
	finish(&w, "n", 1);
	refused(&w);
	start(&w);
	skewed_block(&w, 0);
	skewed_literal(&w, 'n');
	put_code(&w, 0x7ffe, 15);
	finish(&w, "n", 1);
	inflates_to(&w, "n", 1);
}
END_TEST

/* An incomplete code, 'a' 0, end of block 10, 'b' 110000000000: the
 * 10-bit prefixes from 1100000001 up start no code, and a code there is
 * refused (the walk from such a prefix must not find 'b' or read before
 * the symbols). */
START_TEST(incomplete_code_is_refused)
{
	static struct bitw w;
	int lens[257] = { 0 };

	lens['a'] = 1;
	lens['b'] = 12;
	lens[256] = 2;
	start(&w);
	dynamic_header(&w, lens);
	put_code(&w, 0, 1);
	put_code(&w, 0xc00, 12);
	put_code(&w, 2, 2);
	finish(&w, "ab", 2);
	inflates_to(&w, "ab", 2);

	for (unsigned bad = 0xc01; bad < 0x1000; bad += 0x155) {
		start(&w);
		dynamic_header(&w, lens);
		put_code(&w, 0, 1);
		put_code(&w, bad, 12);
		put_code(&w, 0x7, 3);
		put_code(&w, 2, 2);
		finish(&w, "ab", 2);
		refused(&w);
	}
}
END_TEST

/* Code length codes of 1 bit for all 19: more codes than fit. */
START_TEST(over_subscribed_code_is_refused)
{
	static struct bitw w;

	start(&w);
	put_bits(&w, 1, 1);
	put_bits(&w, 2, 2);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 15, 4);
	for (int i = 0; i < 19; i++)
		put_bits(&w, 1, 3);
	for (int i = 0; i < 40; i++)
		put_bits(&w, 0, 8);
	finish(&w, "", 0);
	refused(&w);
}
END_TEST

/* Stored blocks between fixed ones, of 0 to 300 bytes: the decoder's
 * read-ahead (up to 8 bytes) is given back at each. */
START_TEST(stored_blocks)
{
	static unsigned char want[4096];
	static struct bitw w;
	size_t n = 0;

	for (int len = 0; len <= 300; len += 23) {
		start(&w);
		n = 0;
		put_bits(&w, 0, 1);
		put_bits(&w, 1, 2);
		fixed_literal(&w, 'x');
		want[n++] = 'x';
		fixed_symbol(&w, 256);
		put_bits(&w, 0, 1);
		put_bits(&w, 0, 2);
		align(&w);
		put_byte(&w, (unsigned)len & 0xff);
		put_byte(&w, (unsigned)len >> 8);
		put_byte(&w, ~(unsigned)len & 0xff);
		put_byte(&w, (~(unsigned)len >> 8) & 0xff);
		for (int i = 0; i < len; i++) {
			want[n] = (unsigned char)(i * 7 + len);
			put_byte(&w, want[n++]);
		}
		put_bits(&w, 1, 1);
		put_bits(&w, 1, 2);
		fixed_literal(&w, 'y');
		want[n++] = 'y';
		fixed_match(&w, 12, 2);
		for (int i = 0; i < 12; i++, n++)
			want[n] = want[n - 2];
		fixed_symbol(&w, 256);
		finish(&w, want, n);
		inflates_to(&w, want, n);
	}
	/* a length whose complement is wrong */
	start(&w);
	put_bits(&w, 1, 1);
	put_bits(&w, 0, 2);
	align(&w);
	put_byte(&w, 1);
	put_byte(&w, 0);
	put_byte(&w, 0xfe);
	put_byte(&w, 0xfe);
	put_byte(&w, 'z');
	finish(&w, "z", 1);
	refused(&w);
}
END_TEST

/* Members of 0 to 60 literals: the deflate data ends at every offset
 * from the last 8-byte refill, and one byte short of it is refused. */
START_TEST(input_ends_anywhere)
{
	static unsigned char want[64];
	static struct bitw w, cut;
	size_t data_end;

	for (int n = 0; n < 60; n++) {
		start(&w);
		put_bits(&w, 1, 1);
		put_bits(&w, 1, 2);
		for (int i = 0; i < n; i++) {
			want[i] = (unsigned char)(i * 37 + 200);
			fixed_literal(&w, want[i]);
		}
		fixed_symbol(&w, 256);
		align(&w);
		data_end = w.pos;
		finish(&w, want, (size_t)n);
		inflates_to(&w, want, (size_t)n);

		/* the last byte of the deflate data left out */
		cut = w;
		memmove(cut.buf + data_end - 1, cut.buf + data_end, 8);
		cut.pos--;
		refused(&cut);
	}
}
END_TEST

/* Random bytes (little to find), then text repeated with changes: the
 * tools' dynamic blocks with long codes and far copies. */
static unsigned char *sample(size_t *n)
{
	size_t len = 300000, i;
	unsigned char *p = malloc(len);
	uint32_t x = 12345;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < 70000; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (unsigned char)(x >> 16);
	}
	for (; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = "the quick brown fox jumps over the lazy dog\n"[i % 44];
		if ((x >> 16) % 50 == 0)
			p[i] = (unsigned char)(x >> 24);
	}
	*n = len;
	return p;
}

/* Run cmd on in's bytes (a temporary file), its output into *out; 0, or
 * -1 if the tool is not there. */
static int compress_with(const char *cmd, const unsigned char *in,
			 size_t n, unsigned char **out, size_t *out_len)
{
	char path[] = "/tmp/rawtrace-gunzip-XXXXXX", line[256];
	size_t cap = 1 << 20;
	int fd = mkstemp(path), st;
	FILE *f;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, in, n), (ssize_t)n);
	close(fd);
	snprintf(line, sizeof line, "%s < %s 2>/dev/null", cmd, path);
	f = popen(line, "r");
	ck_assert_ptr_nonnull(f);
	*out = malloc(cap);
	ck_assert_ptr_nonnull(*out);
	*out_len = fread(*out, 1, cap, f);
	st = pclose(f);
	unlink(path);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !*out_len) {
		free(*out);
		return -1;
	}
	return 0;
}

static void tool_round_trip(const char *cmd)
{
	size_t n, gz_len, len;
	unsigned char *in = sample(&n), *gz;
	char *text = NULL;

	if (compress_with(cmd, in, n, &gz, &gz_len)) {
		free(in);
		printf("skipped: %s: cannot run\n", cmd);
		return;
	}
	ck_assert_int_eq(gunzip(gz, gz_len, &text, &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(text, in, n);
	free(text);
	/* a changed bit is refused, or (by chance) changes nothing */
	gz[gz_len / 2] ^= 0x10;
	text = NULL;
	if (gunzip(gz, gz_len, &text, &len) == 0) {
		ck_assert_uint_eq(len, n);
		ck_assert_mem_eq(text, in, n);
		free(text);
	}
	free(gz);
	free(in);
}

START_TEST(gzip_fast)
{
	tool_round_trip("gzip -1 -c");
}
END_TEST

START_TEST(gzip_best)
{
	tool_round_trip("gzip -9 -c");
}
END_TEST

START_TEST(zopfli)
{
	tool_round_trip("zopfli -c /dev/stdin");
}
END_TEST

/* /proc/config.gz is read through loader/gunzip.c: a small member (fixed
 * codes, as gzip writes short texts), a corrupt one and a truncated one. */
START_TEST(gunzip_config_text)
{
	static const unsigned char gz[] = {
		0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03,
		0x73, 0xf6, 0xf7, 0x73, 0xf3, 0x74, 0x8f, 0xf7, 0x88, 0xb2,
		0x35, 0x32, 0x35, 0xe0, 0x72, 0x86, 0xf0, 0x9c, 0x02, 0xdc,
		0x6c, 0x2b, 0xb9, 0x00, 0x5a, 0x54, 0x72, 0xbe, 0x1b, 0x00,
		0x00, 0x00 };
	unsigned char bad[sizeof gz];
	char *text = NULL;

	ck_assert_int_eq(gunzip(gz, sizeof gz, &text, NULL), 0);
	ck_assert_str_eq(text, "CONFIG_HZ=250\nCONFIG_BPF=y\n");
	free(text);
	memcpy(bad, gz, sizeof bad);
	bad[12] ^= 0xff;
	text = NULL;
	ck_assert_int_eq(gunzip(bad, sizeof bad, &text, NULL), -EINVAL);
	ck_assert_int_eq(gunzip(gz, 12, &text, NULL), -EINVAL);
	ck_assert_int_eq(gunzip("not gzip at all, not at all", 27, &text, NULL),
			 -EINVAL);
	ck_assert_ptr_null(text);
}
END_TEST

/* A header whose file name runs into the trailer: what is left for the
 * deflate data is less than the trailer, and its length must not wrap
 * (it read on past the buffer: here, into a page with no access). */
START_TEST(gunzip_header_into_trailer)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *p = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *gz;
	char *text = NULL;

	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(mprotect(p + page, (size_t)page, PROT_NONE), 0);
	gz = p + page - 18;
	memset(gz, 'a', 18);
	gz[0] = 0x1f, gz[1] = 0x8b, gz[2] = 8, gz[3] = 8;  /* FNAME */
	gz[14] = 0;                             /* the name ends at 14 */
	memset(gz + 15, 0, 3);          /* a stored block; ISIZE 0 */
	ck_assert_int_eq(gunzip(gz, 18, &text, NULL), -EINVAL);
	ck_assert_ptr_null(text);
	munmap(p, (size_t)page * 2);
}
END_TEST

/* A fixed-code block, then a stored one: the decoder reads ahead past
 * the first block's end into the stored block's header, and must give
 * those bytes back when it goes to the byte boundary. */
START_TEST(gunzip_stored_after_fixed)
{
	const char *lit = "abc", *raw = "defgh";
	struct bitw w;
	size_t i;

	start(&w);
	put_bits(&w, 0, 1);             /* not the last block */
	put_bits(&w, 1, 2);             /* fixed codes */
	for (i = 0; lit[i]; i++)
		fixed_literal(&w, (unsigned char)lit[i]);
	fixed_symbol(&w, 256);          /* end of block */
	put_bits(&w, 1, 1);             /* the last block */
	put_bits(&w, 0, 2);             /* stored */
	align(&w);
	put_byte(&w, 5);
	put_byte(&w, 0);
	put_byte(&w, 0xfa);
	put_byte(&w, 0xff);
	for (i = 0; raw[i]; i++)
		put_byte(&w, (unsigned char)raw[i]);
	finish(&w, "abcdefgh", 8);
	inflates_to(&w, "abcdefgh", 8);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gunzip");
	TCase *tc = tcase_create("gunzip");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, copies_near_and_far);
	tcase_add_test(tc, copy_out_of_bounds_is_refused);
	tcase_add_test(tc, codes_of_15_bits);
	tcase_add_test(tc, incomplete_code_is_refused);
	tcase_add_test(tc, over_subscribed_code_is_refused);
	tcase_add_test(tc, stored_blocks);
	tcase_add_test(tc, input_ends_anywhere);
	tcase_add_test(tc, gzip_fast);
	tcase_add_test(tc, gzip_best);
	tcase_add_test(tc, zopfli);
	tcase_add_test(tc, gunzip_config_text);
	tcase_add_test(tc, gunzip_header_into_trailer);
	tcase_add_test(tc, gunzip_stored_after_fixed);
	suite_add_tcase(s, tc);
	return test_main(s);
}
