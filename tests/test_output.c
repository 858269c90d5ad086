/* The output layer's two rules for strings from outside rawtrace
 * (progs/output.h): text escapes every byte outside 0x20-0x7e and the
 * backslash, with widths counted escaped; JSON keeps valid UTF-8, writes
 * controls as \uXXXX and each byte of an invalid sequence as \ufffd. */
#include <stdarg.h>
#include "progs/output.h"
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
static void write_columns(void)
{
	out_col_task(42, "ab\t");
	out_str("|\n");
	out_col_task(7, FORGER);
	out_str("|\n");
	out_col_task(1, "0123456789abcdef");   /* 16 bytes, no NUL */
	out_str("|\n");
	out_pad("a\x01", 6);
	out_str("|\n");
	out_col("\\", 3);
	out_str("|\n");
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

static void write_task(void)
{
	out_json_begin(5);
	out_json_task(1, 2, "0123456789abcde\xc3");   /* 16 bytes, no NUL */
	out_json_text("name", "\xc3\xa9\n");
	out_json_end();
}

START_TEST(json_task_and_text)
{
	ck_assert_str_eq(capture(1, write_task),
			 "{\"ts\":5,\"pid\":1,\"tid\":2,"
			 "\"comm\":\"0123456789abcde\\ufffd\","
			 "\"name\":\"\xc3\xa9\\u000a\"}\n");
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
	tcase_add_test(tc, json_task_and_text);
	suite_add_tcase(s, tc);
	return test_main(s);
}
