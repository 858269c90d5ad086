/* The output layer's two rules for strings from outside rawtrace
 * (render/output.h): text escapes every byte outside 0x20-0x7e and the
 * backslash, with widths counted escaped; JSON keeps valid UTF-8, writes
 * controls as \uXXXX and each byte of an invalid sequence as \ufffd. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include "render/columns.h"
#include "render/output.h"
#include "tests/testutil.h"

/* What fn wrote to fd (1 or 2), through a temporary file. */
static char captured[1 << 19];
static size_t captured_len;

static const char *capture(int fd, void (*fn)(void))
{
	char path[] = "/tmp/rawtrace-test-XXXXXX";
	int tmp = mkstemp(path), saved = dup(fd);
	ssize_t n;

	ck_assert_int_ge(tmp, 0);
	unlink(path);
	fflush(stderr);
	dup2(tmp, fd);
	fn();
	ck_assert_int_eq(out_flush(), 0);
	fflush(stderr);
	dup2(saved, fd);
	close(saved);
	n = pread(tmp, captured, sizeof captured - 1, 0);
	close(tmp);
	captured_len = n > 0 ? (size_t)n : 0;
	captured[captured_len] = 0;
	return captured;
}

/* The input of the case being run, and the width out_text returned. */
static const char *in;
static size_t in_len, width;

static void write_text(void)
{
	width = out_text(in, in_len);
}

static void write_json(void)
{
	out_json_str(in, in_len);
}

#define TEXT(s, want) do { \
	in = (s); \
	in_len = sizeof(s) - 1; \
	ck_assert_str_eq(capture(1, write_text), (want)); \
	ck_assert_uint_eq(width, sizeof(want) - 1); \
	ck_assert_uint_eq(text_width(s, sizeof(s) - 1), sizeof(want) - 1); \
} while (0)

#define JSON(s, want) do { \
	in = (s); \
	in_len = sizeof(s) - 1; \
	ck_assert_str_eq(capture(1, write_json), (want)); \
} while (0)

/* The name issue 16 forges a table line with. */
#define FORGER "e\n9 fake\x1b[2J\x07"

START_TEST(text_escapes_controls)
{
	TEXT(FORGER, "e\\n9 fake\\x1b[2J\\x07");
	TEXT("a\tb\rc", "a\\tb\\rc");
	TEXT("back\\slash", "back\\\\slash");
	TEXT("\x7f\x80\xff", "\\x7f\\x80\\xff");
	TEXT("", "");
}
END_TEST

START_TEST(text_escapes_utf8)
{
	TEXT("\xc3\xa9", "\\xc3\\xa9");                 /* é */
	TEXT("\xc2\x9b" "2J", "\\xc2\\x9b2J");          /* U+009B: CSI */
	TEXT("a\xe2\x80\xae" "b", "a\\xe2\\x80\\xaeb"); /* U+202E RLO */
}
END_TEST

START_TEST(text_keeps_printable_ascii)
{
	char s[0x7f - 0x20 + 1];
	size_t n = 0;
	int c;

	for (c = 0x20; c <= 0x7e; c++)
		if (c != '\\')
			s[n++] = (char)c;
	s[n] = 0;
	in = s;
	in_len = n;
	ck_assert_str_eq(capture(1, write_text), s);
	ck_assert_uint_eq(width, n);
}
END_TEST

/* Every byte on its own: only printable ASCII comes out, and it reads
 * back as the byte that went in. */
START_TEST(text_every_byte_reads_back)
{
	char s[2] = { 0, 0 };
	const char *out;
	unsigned v;
	int c;
	size_t i;

	for (c = 1; c < 256; c++) {
		s[0] = (char)c;
		in = s;
		in_len = 1;
		out = capture(1, write_text);
		for (i = 0; i < captured_len; i++)
			ck_assert_msg(out[i] >= 0x20 && out[i] <= 0x7e,
				      "byte 0x%02x: raw 0x%02x in output", c,
				      (unsigned char)out[i]);
		if (captured_len == 1) {
			ck_assert_int_eq((unsigned char)out[0], c);
			ck_assert_int_ne(c, '\\');
		} else if (captured_len == 2) {
			ck_assert_int_eq(out[0], '\\');
			ck_assert_int_eq(c, out[1] == 'n' ? '\n' : out[1] == 't' ?
					 '\t' : out[1] == 'r' ? '\r' : out[1]);
		} else {
			ck_assert_uint_eq(captured_len, 4);
			ck_assert_int_eq(sscanf(out, "\\x%2x", &v), 1);
			ck_assert_uint_eq(v, (unsigned)c);
		}
	}
}
END_TEST

START_TEST(text_stops_at_max_and_nul)
{
	in = "abcdef";
	in_len = 3;
	ck_assert_str_eq(capture(1, write_text), "abc");
	in = "ab\0\ncd";
	in_len = 6;
	ck_assert_str_eq(capture(1, write_text), "ab");
	ck_assert_uint_eq(text_width("ab\0\ncd", 6), 2);
}
END_TEST

/* More escaped output than the 64 KB buffer holds, from one call. */
static char big[40000];

static void write_big(void)
{
	memset(big, 0x1b, sizeof big - 1);
	out_text(big, sizeof big);
}

START_TEST(text_larger_than_buffer)
{
	const char *out = capture(1, write_big);
	size_t i;

	ck_assert_uint_eq(captured_len, 4 * (sizeof big - 1));
	for (i = 0; i < captured_len; i += 4)
		ck_assert_int_eq(memcmp(out + i, "\\x1b", 4), 0);
}
END_TEST

/* Columns count the escaped form. */
struct task_ev {
	uint64_t ts_ns;
	uint32_t pid, tid;
	char comm[16];
	char name[8];
};

static const char *bar(const void *event, char *buf)
{
	(void)event;
	(void)buf;
	return "|";
}

static const struct column task_cols[] = {
	COL_U(NULL, "ts", struct task_ev, ts_ns, 0, 0),
	COL_TASK(struct task_ev),
	COL_STRING(NULL, "name", struct task_ev, name, 0, 0),
	COL_CALC("|", NULL, bar, 0, 0),
};
#define NTASK (sizeof task_cols / sizeof task_cols[0])
static const struct column name5[] = {
	COL_STRING("N", NULL, struct task_ev, name, 5, 0),
	COL_CALC("|", NULL, bar, 0, 0),
};
static const struct column name3[] = {
	COL_STRING("N", NULL, struct task_ev, name, 3, 0),
	COL_CALC("|", NULL, bar, 0, 0),
};

static struct task_ev task(uint32_t pid, const char *comm, const char *name)
{
	struct task_ev e;

	memset(&e, 0, sizeof e);
	e.ts_ns = 5;
	e.pid = pid;
	e.tid = pid + 1;
	memcpy(e.comm, comm, strnlen(comm, 16));
	memcpy(e.name, name, strnlen(name, 8));
	return e;
}

static void write_columns(void)
{
	struct task_ev e;

	e = task(42, "ab\t", "");
	render_table(task_cols, NTASK, 0, &e);
	e = task(7, FORGER, "");
	render_table(task_cols, NTASK, 0, &e);
	e = task(1, "0123456789abcdef", "");   /* 16 bytes, no NUL */
	render_table(task_cols, NTASK, 0, &e);
	e = task(1, "", "a\x01");
	render_table(name5, 2, 0, &e);
	e = task(1, "", "\\");
	render_table(name3, 2, 0, &e);
}

START_TEST(text_widths_count_escapes)
{
	ck_assert_str_eq(capture(1, write_columns),
			 "42      ab\\t             |\n"
			 "7       e\\n9 fake\\x1b[2J\\x07 |\n"
			 "1       0123456789abcdef |\n"
			 "a\\x01 |\n"
			 "\\\\  |\n");
}
END_TEST

static void write_lines(void)
{
	out_line("program %s: %d", FORGER, 3);
	out_line("%s", "tab\there");
}

static void write_err(void)
{
	err_line("rawtrace %s: %s", "inspect", "section " FORGER ": bad");
	err_text("  # map \x9b" "31m");
}

START_TEST(lines_escape_all_but_their_end)
{
	ck_assert_str_eq(capture(1, write_lines),
			 "program e\\n9 fake\\x1b[2J\\x07: 3\n"
			 "tab\\there\n");
	ck_assert_str_eq(capture(2, write_err),
			 "rawtrace inspect: section e\\n9 fake\\x1b[2J\\x07: "
			 "bad\n"
			 "  # map \\x9b31m\n");
}
END_TEST

/* err_text writes a long line in pieces: none may be lost or cut. */
static void write_long_err(void)
{
	memset(big, 0x07, 999);
	big[999] = 0;
	err_text(big);
}

START_TEST(err_long_line)
{
	const char *out = capture(2, write_long_err);
	size_t i;

	ck_assert_uint_eq(captured_len, 4 * 999 + 1);
	for (i = 0; i < 4 * 999; i += 4)
		ck_assert_int_eq(memcmp(out + i, "\\x07", 4), 0);
	ck_assert_int_eq(out[4 * 999], '\n');
}
END_TEST

START_TEST(json_escapes_c0_quote_backslash)
{
	JSON(FORGER, "\"e\\u000a9 fake\\u001b[2J\\u0007\"");
	JSON("a\"b\\c", "\"a\\\"b\\\\c\"");
	JSON("\x7f", "\"\\u007f\"");
	JSON("", "\"\"");
}
END_TEST

START_TEST(json_keeps_valid_utf8)
{
	JSON("\xc3\xa9\xe2\x9c\x93", "\"\xc3\xa9\xe2\x9c\x93\"");    /* é✓ */
	JSON("\xc2\xa0", "\"\xc2\xa0\"");                  /* U+00A0 */
	JSON("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");          /* U+D7FF */
	JSON("\xee\x80\x80", "\"\xee\x80\x80\"");          /* U+E000 */
	JSON("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");          /* U+FFFD */
	JSON("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");  /* U+1F600 */
	JSON("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");  /* U+10FFFF */
	JSON("\xe2\x80\xaf", "\"\xe2\x80\xaf\"");          /* U+202F */
}
END_TEST

START_TEST(json_escapes_unicode_controls)
{
	JSON("\xc2\x80\xc2\x85\xc2\x9b\xc2\x9f",
	     "\"\\u0080\\u0085\\u009b\\u009f\"");                /* C1 */
	JSON("a\xe2\x80\xa8" "b\xe2\x80\xa9", "\"a\\u2028b\\u2029\"");
	JSON("\xe2\x80\xaa\xe2\x80\xae", "\"\\u202a\\u202e\"");
	JSON("\xe2\x81\xa6\xe2\x81\xa9", "\"\\u2066\\u2069\"");
	JSON("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
	     "\"\\u200e\\u200f\\u061c\"");
}
END_TEST

/* As Go's encoding/json: each byte of an invalid sequence is one U+FFFD,
 * and what follows is read afresh. */
START_TEST(json_invalid_utf8_per_byte)
{
	JSON("\x80", "\"\\ufffd\"");                          /* stray */
	JSON("a\xffz", "\"a\\ufffdz\"");
	JSON("\xc0\xaf", "\"\\ufffd\\ufffd\"");               /* overlong / */
	JSON("\xc1\xbf", "\"\\ufffd\\ufffd\"");
	JSON("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");    /* overlong */
	JSON("\xf0\x8f\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	JSON("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");    /* surrogate */
	JSON("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	JSON("\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	JSON("\xe2\x9c", "\"\\ufffd\\ufffd\"");               /* truncated */
	JSON("\xe2\x9cx\xc3\xa9", "\"\\ufffd\\ufffdx\xc3\xa9\"");
	JSON("\xe2" "\xc3\xa9", "\"\\ufffd\xc3\xa9\"");
}
END_TEST

/* A sequence cut by max (a comm is 16 bytes, without NUL when full) or
 * by a NUL is truncated, not read past. */
START_TEST(json_stops_at_max_and_nul)
{
	in = "ab\xc3\xa9";
	in_len = 3;
	ck_assert_str_eq(capture(1, write_json), "\"ab\\ufffd\"");
	in = "\xe2\x9c\0\x93";
	in_len = 4;
	ck_assert_str_eq(capture(1, write_json), "\"\\ufffd\\ufffd\"");
}
END_TEST

/* out_json_str writes long strings in pieces: no piece may cut a valid
 * sequence, whatever stray continuation bytes follow it (a piece ends
 * near byte 256: here U+10000 at 249-252, then four stray bytes). */
START_TEST(json_long_string_keeps_sequences)
{
	static char s[300], want[400];
	char *w = want;
	size_t i;

	memset(s, 'a', 249);
	memcpy(s + 249, "\xf0\x90\x80\x80\x80\x80\x80\x80", 8);
	memset(s + 257, 'b', 33);
	*w++ = '"';
	memcpy(w, s, 253);
	w += 253;
	for (i = 0; i < 4; i++)
		w += sprintf(w, "\\ufffd");
	memset(w, 'b', 33);
	w += 33;
	*w++ = '"';
	in = s;
	in_len = 290;
	ck_assert_str_eq(capture(1, write_json), want);
}
END_TEST

static void write_task(void)
{
	struct task_ev e = task(1, "0123456789abcde\xc3", "\xc3\xa9\n");

	render_json(task_cols, NTASK, 0, &e);
}

START_TEST(json_task_and_text)
{
	ck_assert_str_eq(capture(1, write_task),
			 "{\"ts\":5,\"pid\":1,\"tid\":2,"
			 "\"comm\":\"0123456789abcde\\ufffd\","
			 "\"name\":\"\xc3\xa9\\u000a\"}\n");
}
END_TEST

/* ---- numbers: put_uint and put_int against printf ---- */

static void number_is(uint64_t v)
{
	char got[24], want[24], *end;

	end = put_uint(got, v);
	*end = 0;
	snprintf(want, sizeof want, "%llu", (unsigned long long)v);
	ck_assert_str_eq(got, want);
	end = put_int(got, (int64_t)v);
	*end = 0;
	snprintf(want, sizeof want, "%lld", (long long)(int64_t)v);
	ck_assert_str_eq(got, want);
}

START_TEST(numbers_every_length)
{
	uint64_t p = 1;
	unsigned i;

	number_is(0);
	number_is(UINT64_MAX);
	number_is((uint64_t)INT64_MAX);
	number_is((uint64_t)INT64_MIN);
	for (i = 0; i < 20; i++, p *= 10) {
		number_is(p);
		number_is(p - 1);
		number_is(p + 1);
		number_is(p * 9 + p - 1);
	}
	srand(2);
	for (i = 0; i < 100000; i++)
		number_is((uint64_t)rand() << 40 ^ (uint64_t)rand() << 20 ^
			  (uint64_t)rand() >> (i % 31));
}
END_TEST

/* ---- addresses: our own formatter against the C library's inet_ntop ---- */

static void addr_is(int ver, const uint8_t *a, const char *want)
{
	char got[OUT_ADDR_MAX + 1], *end = put_addr(got, ver, a);

	ck_assert_int_le(end - got, OUT_ADDR_MAX);
	*end = 0;
	ck_assert_str_eq(got, want);
}

/* glibc writes the deprecated IPv4-compatible form ::a.b.c.d dotted
 * (first six groups zero, the seventh not); RFC 5952 and musl, which the
 * tools link, do not. */
static int ipv4_compatible(const uint8_t *a)
{
	static const uint8_t zero[12];

	return memcmp(a, zero, 12) == 0 && (a[12] || a[13]);
}

static void against_ntop(const uint8_t *a)
{
	char want[INET6_ADDRSTRLEN];

	ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a, want, sizeof want));
	if (!ipv4_compatible(a))
		addr_is(6, a, want);
}

START_TEST(ipv6_every_zero_pattern)
{
	/* Every choice of which of the 8 groups are zero (so every run and
	 * every tie between runs), with small, large and leading-zero
	 * values in the others; and the same with the mapped prefix. */
	static const unsigned vals[] = { 1, 0xabcd, 0x10, 0xf00, 0xffff };
	uint8_t a[16];
	unsigned mask, i, v;

	for (v = 0; v < sizeof vals / sizeof vals[0]; v++)
		for (mask = 0; mask < 256; mask++) {
			for (i = 0; i < 8; i++) {
				unsigned w = mask >> i & 1 ? 0 :
					     vals[(v + i) % 5];

				a[2 * i] = (uint8_t)(w >> 8);
				a[2 * i + 1] = (uint8_t)w;
			}
			against_ntop(a);
		}
}
END_TEST

START_TEST(ipv6_known_forms)
{
	uint8_t a[16];

	memset(a, 0, sizeof a);
	addr_is(6, a, "::");
	a[15] = 1;
	addr_is(6, a, "::1");
	/* a tie: the first run of two zero groups is the one shortened */
	inet_pton(AF_INET6, "1:0:0:2:0:0:3:4", a);
	addr_is(6, a, "1::2:0:0:3:4");
	/* a single zero group is not shortened */
	inet_pton(AF_INET6, "1:0:2:3:4:5:6:7", a);
	addr_is(6, a, "1:0:2:3:4:5:6:7");
	inet_pton(AF_INET6, "::ffff:127.0.0.1", a);
	addr_is(6, a, "::ffff:127.0.0.1");
	inet_pton(AF_INET6, "ff02::1", a);
	addr_is(6, a, "ff02::1");
	inet_pton(AF_INET6, "2001:db8::", a);
	addr_is(6, a, "2001:db8::");
	/* IPv4-compatible: hex, as RFC 5952 and musl write it */
	inet_pton(AF_INET6, "::1.2.3.4", a);
	addr_is(6, a, "::102:304");
}
END_TEST

START_TEST(ipv4_forms)
{
	static const uint8_t zero[4], lo[4] = { 127, 0, 0, 1 },
		max[4] = { 255, 255, 255, 255 }, mixed[4] = { 10, 200, 3, 99 };
	uint8_t rnd[16];
	char want[INET_ADDRSTRLEN];
	unsigned i;

	addr_is(4, zero, "0.0.0.0");
	addr_is(4, lo, "127.0.0.1");
	addr_is(4, max, "255.255.255.255");
	addr_is(4, mixed, "10.200.3.99");
	srand(1);
	for (i = 0; i < 10000; i++) {
		unsigned j;

		for (j = 0; j < 16; j++)
			rnd[j] = (uint8_t)(rand() >> 8);
		inet_ntop(AF_INET, rnd, want, sizeof want);
		addr_is(4, rnd, want);
		against_ntop(rnd);
	}
}
END_TEST

/* ---- the column renderers ---- */

struct ev {
	uint64_t ts_ns;
	uint32_t pid, tid;
	int32_t ret;
	uint16_t port;
	uint8_t ver, flags;
	uint8_t addr[16];
	char comm[16];
};

static const char *calc_name(const void *event, char *buf)
{
	const struct ev *e = event;

	return e->ret ? "bad" : "";
}

static const struct column cols[] = {
	COL_U(NULL, "ts", struct ev, ts_ns, 0, 0),
	COL_TASK(struct ev),
	COL_S("RET", "ret", struct ev, ret, 3, 0),
	COL_B("F", "frag", struct ev, flags, 1, 2),
	COL_IP("ADDR", "addr", struct ev, addr, ver, 15, 0),
	COL_U("PORT", "port", struct ev, port, 5, 0),
	COL_CALC("WHY", "why", calc_name, 4, 0),
};
#define NCOLS (sizeof cols / sizeof cols[0])

static struct ev ev;
static uint32_t show;

static void write_header(void) { render_header(cols, NCOLS, show); }
static void write_table(void) { render_table(cols, NCOLS, show, &ev); }
static void write_jsonl(void) { render_json(cols, NCOLS, show, &ev); }
static void write_kv(void) { render_kv(cols, NCOLS, show, &ev); }

static void set_event(int ver, const char *comm, int32_t ret)
{
	memset(&ev, 0, sizeof ev);
	ev.ts_ns = 123456789;
	ev.pid = 42;
	ev.tid = 43;
	ev.ret = ret;
	ev.port = 8080;
	ev.ver = (uint8_t)ver;
	ev.flags = 3;
	if (ver == 6)
		ev.addr[15] = 1;
	else
		memcpy(ev.addr, "\x7f\0\0\x01", 4);
	memcpy(ev.comm, comm, strnlen(comm, 16));
}

START_TEST(columns_table)
{
	show = 0;
	ck_assert_str_eq(capture(1, write_header),
		"PID     COMM             RET ADDR            PORT  WHY\n");
	set_event(4, "sh", 0);
	/* the empty last value is left out, and with it the padding */
	ck_assert_str_eq(capture(1, write_table),
		"42      sh               0   127.0.0.1       8080\n");
	set_event(6, FORGER, -98);
	ck_assert_str_eq(capture(1, write_table),
		"42      e\\n9 fake\\x1b[2J\\x07 -98 ::1             8080  bad\n");
	/* a full comm has no NUL: 16 bytes, no more */
	set_event(4, "0123456789abcdefXX", 0);
	ck_assert_str_eq(capture(1, write_table),
		"42      0123456789abcdef 0   127.0.0.1       8080\n");
	show = 2;
	ck_assert_str_eq(capture(1, write_header),
		"PID     COMM             RET F ADDR            PORT  WHY\n");
}
END_TEST

START_TEST(columns_json)
{
	show = 0;
	set_event(6, "a\"b\xc3\xa9", -1);
	ck_assert_str_eq(capture(1, write_jsonl),
		"{\"ts\":123456789,\"pid\":42,\"tid\":43,"
		"\"comm\":\"a\\\"b\xc3\xa9\",\"ret\":-1,\"addr\":\"::1\","
		"\"port\":8080,\"why\":\"bad\"}\n");
	show = 2;
	set_event(4, "0123456789abcde\xff", 0);
	ck_assert_str_eq(capture(1, write_jsonl),
		"{\"ts\":123456789,\"pid\":42,\"tid\":43,"
		"\"comm\":\"0123456789abcde\\ufffd\",\"ret\":0,\"frag\":1,"
		"\"addr\":\"127.0.0.1\",\"port\":8080,\"why\":\"\"}\n");
}
END_TEST

START_TEST(columns_kv)
{
	show = 2;
	set_event(6, "a b\n=\\", -98);
	ck_assert_str_eq(capture(1, write_kv),
		"ts=123456789 pid=42 tid=43 comm=a\\x20b\\n=\\\\ ret=-98 "
		"frag=1 addr=::1 port=8080 why=bad\n");
}
END_TEST

/* A COL_F flag: its key only on the events that have it. */
static const struct column flag_cols[] = {
	COL_U("PORT", "port", struct ev, port, 5, 0),
	COL_F(NULL, "odd", struct ev, flags, 4, 0),
	COL_U("VER", "ver", struct ev, ver, 0, 0),
};

static void write_flag_json(void) { render_json(flag_cols, 3, 0, &ev); }
static void write_flag_kv(void) { render_kv(flag_cols, 3, 0, &ev); }
static void write_flag_table(void) { render_table(flag_cols, 3, 0, &ev); }

START_TEST(columns_flag_only_when_set)
{
	set_event(4, "sh", 0);
	ck_assert_str_eq(capture(1, write_flag_json),
		"{\"port\":8080,\"ver\":4}\n");
	ck_assert_str_eq(capture(1, write_flag_kv), "port=8080 ver=4\n");
	ev.flags |= 4;
	ck_assert_str_eq(capture(1, write_flag_json),
		"{\"port\":8080,\"odd\":1,\"ver\":4}\n");
	ck_assert_str_eq(capture(1, write_flag_kv), "port=8080 odd=1 ver=4\n");
	/* no name: not in the table */
	ck_assert_str_eq(capture(1, write_flag_table), "8080  4\n");
}
END_TEST

/* COL_LOOKUP: a value by the string its lookup gives (null when none;
 * a long one in pieces, the table unpadded after it); COL_U_IF: a value
 * only some events have. */
static char long_name[1200];

static const char *name_of_port(uint64_t port)
{
	if (port == 8080)
		return "/system.slice/a b.scope";
	if (port == 9)
		return long_name;
	return NULL;
}

static int has_ver4(const void *event)
{
	return ((const struct ev *)event)->ver == 4;
}

static const struct column look_cols[] = {
	COL_U_IF("PORT", "port", struct ev, port, 5, 0, has_ver4),
	COL_LOOK("NAME", "name", struct ev, port, name_of_port, 6, 0),
	COL_U("VER", "ver", struct ev, ver, 0, 0),
};

static void write_look_json(void) { render_json(look_cols, 3, 0, &ev); }
static void write_look_kv(void) { render_kv(look_cols, 3, 0, &ev); }
static void write_look_table(void) { render_table(look_cols, 3, 0, &ev); }

START_TEST(columns_lookup_and_null)
{
	char want[4096];

	set_event(4, "sh", 0);
	ck_assert_str_eq(capture(1, write_look_json),
		"{\"port\":8080,\"name\":\"/system.slice/a b.scope\",\"ver\":4}\n");
	ck_assert_str_eq(capture(1, write_look_kv),
		"port=8080 name=/system.slice/a\\x20b.scope ver=4\n");
	ck_assert_str_eq(capture(1, write_look_table),
		"8080  /system.slice/a b.scope 4\n");
	set_event(6, "sh", 0);
	ev.port = 7;
	ck_assert_str_eq(capture(1, write_look_json),
		"{\"port\":null,\"name\":null,\"ver\":6}\n");
	ck_assert_str_eq(capture(1, write_look_kv), "port=- name=- ver=6\n");
	ck_assert_str_eq(capture(1, write_look_table), "-     -      6\n");
	memset(long_name, 'x', sizeof long_name - 1);
	ev.port = 9;
	snprintf(want, sizeof want, "{\"port\":null,\"name\":\"%s\",\"ver\":6}\n",
		 long_name);
	ck_assert_str_eq(capture(1, write_look_json), want);
	snprintf(want, sizeof want, "-     %s 6\n", long_name);
	ck_assert_str_eq(capture(1, write_look_table), want);
}
END_TEST

/* Many events: lines cross the buffer's end whole, none is cut. */
static void write_many(void)
{
	int i;

	for (i = 0; i < 5000; i++)
		render_json(cols, NCOLS, show, &ev);
}

START_TEST(columns_across_flushes)
{
	const char *line = "{\"ts\":123456789,\"pid\":42,\"tid\":43,"
		"\"comm\":\"sh\",\"ret\":0,\"addr\":\"127.0.0.1\","
		"\"port\":8080,\"why\":\"\"}\n";
	const char *got;
	size_t len = strlen(line);
	int i;

	show = 0;
	set_event(4, "sh", 0);
	got = capture(1, write_many);
	ck_assert_uint_eq(captured_len, 5000 * len);
	for (i = 0; i < 5000; i++)
		ck_assert_int_eq(memcmp(got + i * len, line, len), 0);
}
END_TEST

/* The kinds `rawtrace run` builds from BTF (cli/run_events.c): a label,
 * a nested object, an enum by name (its number when it has none), bools,
 * and a char array too long for the line's room, written in pieces
 * after what comes before it. */
struct btf_ev {
	uint16_t port;
	uint8_t ok;
	uint32_t color;
	char path[600];
	uint8_t last;
};
static const uint64_t colors[] = { 1, 2 };
static const char *const color_names[] = { "RED", "GREEN" };
static const struct col_enum color_enum = { 2, colors, color_names, 5 };
static const struct column btf_cols[] = {
	{ .name = "RING", .key = "ring", .kind = COL_LABEL, .width = 4,
	  .data = "rb" },
	{ .key = "in", .kind = COL_BEGIN },
	{ .name = "IN.PORT", .key = "port",
	  COL_AT(COL_UINT, struct btf_ev, port), .width = 7 },
	{ .name = "IN.OK", .key = "ok", COL_AT(COL_BOOL, struct btf_ev, ok),
	  .width = 5 },
	{ .key = "", .kind = COL_END },
	{ .name = "COLOR", .key = "color",
	  COL_AT(COL_ENUM, struct btf_ev, color), .width = 5,
	  .data = &color_enum },
	{ .name = "PATH", .key = "path", COL_AT(COL_STR, struct btf_ev, path),
	  .width = 4 },
	{ .name = "LAST", .key = "last", COL_AT(COL_BOOL, struct btf_ev, last) },
};
#define NBTF (sizeof btf_cols / sizeof btf_cols[0])
static struct btf_ev btf_event;

static void write_btf_table(void)
{
	render_header(btf_cols, NBTF, 0);
	render_table(btf_cols, NBTF, 0, &btf_event);
	btf_event.color = 7;
	render_table(btf_cols, NBTF, 0, &btf_event);
}

static void write_btf_json(void)
{
	render_json(btf_cols, NBTF, 0, &btf_event);
}

START_TEST(columns_from_btf)
{
	char path[600], want[2048];

	memset(&btf_event, 0, sizeof btf_event);
	memset(path, 'a', sizeof path - 1);
	path[sizeof path - 1] = 0;
	path[0] = '\t';
	btf_event.port = 8080;
	btf_event.ok = 1;
	btf_event.color = 2;
	memcpy(btf_event.path, path, sizeof path);
	btf_event.last = 0;
	snprintf(want, sizeof want,
		 "RING IN.PORT IN.OK COLOR PATH LAST\n"
		 "rb   8080    true  GREEN \\t%s false\n"
		 "rb   8080    true  7     \\t%s false\n", path + 1, path + 1);
	ck_assert_str_eq(capture(1, write_btf_table), want);
	btf_event.color = 1;
	snprintf(want, sizeof want,
		 "{\"ring\":\"rb\",\"in\":{\"port\":8080,\"ok\":true},"
		 "\"color\":\"RED\",\"path\":\"\\u0009%s\",\"last\":false}\n",
		 path + 1);
	ck_assert_str_eq(capture(1, write_btf_json), want);
}
END_TEST

static void write_btf_kv(void)
{
	render_event(RENDER_KV, btf_cols, NBTF, 0, &btf_event);
}

/* -o kv: a char array too long for the line's room is written in pieces
 * by the key=value rule too: its spaces as \x20, so that the line still
 * splits on spaces, and nested members by their own keys. */
START_TEST(columns_from_btf_kv)
{
	char path[600], want[4096], *w;
	size_t i;

	memset(&btf_event, 0, sizeof btf_event);
	for (i = 0; i < sizeof path - 1; i++)
		path[i] = i % 3 ? 'a' : ' ';
	path[sizeof path - 1] = 0;
	btf_event.port = 8080;
	btf_event.ok = 1;
	btf_event.color = 1;
	memcpy(btf_event.path, path, sizeof path);
	w = want + sprintf(want, "ring=rb port=8080 ok=true color=RED path=");
	for (i = 0; i < sizeof path - 1; i++)
		w += sprintf(w, "%s", path[i] == ' ' ? "\\x20" : "a");
	sprintf(w, " last=false\n");
	ck_assert_str_eq(capture(1, write_btf_kv), want);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, text_escapes_controls);
	tcase_add_test(tc, text_escapes_utf8);
	tcase_add_test(tc, text_keeps_printable_ascii);
	tcase_add_test(tc, text_every_byte_reads_back);
	tcase_add_test(tc, text_stops_at_max_and_nul);
	tcase_add_test(tc, text_larger_than_buffer);
	tcase_add_test(tc, text_widths_count_escapes);
	tcase_add_test(tc, lines_escape_all_but_their_end);
	tcase_add_test(tc, err_long_line);
	tcase_add_test(tc, json_escapes_c0_quote_backslash);
	tcase_add_test(tc, json_keeps_valid_utf8);
	tcase_add_test(tc, json_escapes_unicode_controls);
	tcase_add_test(tc, json_invalid_utf8_per_byte);
	tcase_add_test(tc, json_stops_at_max_and_nul);
	tcase_add_test(tc, json_long_string_keeps_sequences);
	tcase_add_test(tc, json_task_and_text);
	suite_add_tcase(s, tc);
	tc = tcase_create("numbers");
	tcase_add_test(tc, numbers_every_length);
	suite_add_tcase(s, tc);
	tc = tcase_create("addresses");
	tcase_add_test(tc, ipv6_every_zero_pattern);
	tcase_add_test(tc, ipv6_known_forms);
	tcase_add_test(tc, ipv4_forms);
	suite_add_tcase(s, tc);
	tc = tcase_create("columns");
	tcase_add_test(tc, columns_table);
	tcase_add_test(tc, columns_json);
	tcase_add_test(tc, columns_kv);
	tcase_add_test(tc, columns_flag_only_when_set);
	tcase_add_test(tc, columns_lookup_and_null);
	tcase_add_test(tc, columns_across_flushes);
	tcase_add_test(tc, columns_from_btf);
	tcase_add_test(tc, columns_from_btf_kv);
	suite_add_tcase(s, tc);
	return test_main(s);
}
