/* render/hist.c: histograms drawn exactly as libbpf-tools' print_log2_hist
 * and print_linear_hist draw them (the expected texts are their output
 * for the same slots), their JSON buckets, and the heading of one
 * histogram per key, decoded with tests/bpf/hist.bpf.o's BTF; and
 * render/btf_value.c's bounds on what one value may cost to show. */
#include <stdint.h>
#include "tests/testutil.h"
#include "elf/btf.h"
#include "elf/elf.h"
#include "elf/error.h"
#include "render/btf_value.h"
#include "render/hist.h"
#include "render/output.h"

#define OBJ "build/bpf/tests/hist.bpf.o"

static char captured[1 << 16];

/* What fn wrote to stdout through out_*, as a string. */
static const char *capture(void (*fn)(void))
{
	char path[] = "/tmp/rawtrace-test-XXXXXX";
	int tmp = mkstemp(path), saved = dup(1);
	ssize_t n;

	ck_assert_int_ge(tmp, 0);
	unlink(path);
	dup2(tmp, 1);
	fn();
	ck_assert_int_eq(out_flush(), 0);
	dup2(saved, 1);
	close(saved);
	n = pread(tmp, captured, sizeof captured - 1, 0);
	close(tmp);
	captured[n > 0 ? n : 0] = 0;
	return captured;
}

static struct histogram h;

static void draw(void)
{
	hist_out(&h);
}

static void draw_json(void)
{
	hist_json_out(&h);
}

#define LOG2(u, ...) do { \
	static const uint64_t s_[] = { __VA_ARGS__ }; \
	memset(&h, 0, sizeof h); \
	h.units = (u), h.slots = s_, h.n = sizeof s_ / sizeof s_[0]; \
} while (0)

START_TEST(log2_as_libbpf_tools)
{
	LOG2("usecs", 3, 0, 7, 20, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	     0, 0, 0, 0, 0, 0, 0, 0);
	ck_assert_str_eq(capture(draw),
"     usecs               : count    distribution\n"
"         0 -> 1          : 3        |******                                  |\n"
"         2 -> 3          : 0        |                                        |\n"
"         4 -> 7          : 7        |**************                          |\n"
"         8 -> 15         : 20       |****************************************|\n"
"        16 -> 31         : 1        |**                                      |\n"
"        32 -> 63         : 0        |                                        |\n"
"        64 -> 127        : 0        |                                        |\n"
"       128 -> 255        : 2        |****                                    |\n");
}
END_TEST

START_TEST(log2_single_slot)
{
	LOG2("value", 0, 0, 0, 0, 0, 1, 0, 0);
	ck_assert_str_eq(capture(draw),
"     value               : count    distribution\n"
"         0 -> 1          : 0        |                                        |\n"
"         2 -> 3          : 0        |                                        |\n"
"         4 -> 7          : 0        |                                        |\n"
"         8 -> 15         : 0        |                                        |\n"
"        16 -> 31         : 0        |                                        |\n"
"        32 -> 63         : 1        |****************************************|\n");
	LOG2("value", 1, 0, 0, 0);
	ck_assert_str_eq(capture(draw),
"     value               : count    distribution\n"
"         0 -> 1          : 1        |****************************************|\n");
}
END_TEST

START_TEST(empty_draws_nothing)
{
	LOG2("value", 0, 0, 0, 0);
	ck_assert(hist_empty(&h));
	ck_assert_str_eq(capture(draw), "");
	ck_assert_str_eq(capture(draw_json), "[]");
	h.linear = 1, h.step = 1;
	ck_assert_str_eq(capture(draw), "");
	ck_assert_str_eq(capture(draw_json), "[]");
}
END_TEST

/* Past slot 32 the columns widen and the bar halves, as theirs; counts
 * up to 2^32/40 scale as theirs do. */
START_TEST(log2_wide_and_large)
{
	static uint64_t s[40];

	memset(&h, 0, sizeof h);
	s[0] = 1, s[20] = 50000000, s[34] = 100000000;
	h.units = "nsecs", h.slots = s, h.n = 40;
	ck_assert_str_eq(capture(draw),
"               nsecs                         : count    distribution\n"
"                   0 -> 1                    : 1        |                    |\n"
"                   2 -> 3                    : 0        |                    |\n"
"                   4 -> 7                    : 0        |                    |\n"
"                   8 -> 15                   : 0        |                    |\n"
"                  16 -> 31                   : 0        |                    |\n"
"                  32 -> 63                   : 0        |                    |\n"
"                  64 -> 127                  : 0        |                    |\n"
"                 128 -> 255                  : 0        |                    |\n"
"                 256 -> 511                  : 0        |                    |\n"
"                 512 -> 1023                 : 0        |                    |\n"
"                1024 -> 2047                 : 0        |                    |\n"
"                2048 -> 4095                 : 0        |                    |\n"
"                4096 -> 8191                 : 0        |                    |\n"
"                8192 -> 16383                : 0        |                    |\n"
"               16384 -> 32767                : 0        |                    |\n"
"               32768 -> 65535                : 0        |                    |\n"
"               65536 -> 131071               : 0        |                    |\n"
"              131072 -> 262143               : 0        |                    |\n"
"              262144 -> 524287               : 0        |                    |\n"
"              524288 -> 1048575              : 0        |                    |\n"
"             1048576 -> 2097151              : 50000000 |**********          |\n"
"             2097152 -> 4194303              : 0        |                    |\n"
"             4194304 -> 8388607              : 0        |                    |\n"
"             8388608 -> 16777215             : 0        |                    |\n"
"            16777216 -> 33554431             : 0        |                    |\n"
"            33554432 -> 67108863             : 0        |                    |\n"
"            67108864 -> 134217727            : 0        |                    |\n"
"           134217728 -> 268435455            : 0        |                    |\n"
"           268435456 -> 536870911            : 0        |                    |\n"
"           536870912 -> 1073741823           : 0        |                    |\n"
"          1073741824 -> 2147483647           : 0        |                    |\n"
"          2147483648 -> 4294967295           : 0        |                    |\n"
"          4294967296 -> 8589934591           : 0        |                    |\n"
"          8589934592 -> 17179869183          : 0        |                    |\n"
"         17179869184 -> 34359738367          : 100000000 |********************|\n");
	LOG2("value", 53687091, 107374182);
	ck_assert_str_eq(capture(draw),
"     value               : count    distribution\n"
"         0 -> 1          : 53687091 |********************                    |\n"
"         2 -> 3          : 107374182 |****************************************|\n");
}
END_TEST

/* Where theirs wraps (a __u32 count printed with %d, count * 40 in 32
 * bits), this draws the true counts and bars. */
START_TEST(log2_counts_past_32_bits)
{
	LOG2("value", 3000000000u, 1000000000u, 5000000000000ull);
	ck_assert_str_eq(capture(draw),
"     value               : count    distribution\n"
"         0 -> 1          : 3000000000 |                                        |\n"
"         2 -> 3          : 1000000000 |                                        |\n"
"         4 -> 7          : 5000000000000 |****************************************|\n");
	LOG2("value", 3000000000u, 1000000000u);
	ck_assert_str_eq(capture(draw),
"     value               : count    distribution\n"
"         0 -> 1          : 3000000000 |****************************************|\n"
"         2 -> 3          : 1000000000 |*************                           |\n");
}
END_TEST

START_TEST(linear_as_libbpf_tools)
{
	LOG2("msecs", 0, 0, 4, 0, 9, 1, 0, 0, 0, 0);
	h.linear = 1, h.step = 5;
	ck_assert_str_eq(capture(draw),
"     msecs         : count     distribution\n"
"        10         : 4        |*****************                       |\n"
"        20         : 9        |****************************************|\n"
"        25         : 1        |****                                    |\n");
	LOG2("nsecs", 0, 0, 3, 0, 0, 6);
	h.linear = 1, h.base = 100, h.step = 10;
	ck_assert_str_eq(capture(draw),
"     nsecs         : count     distribution\n"
"        120        : 3        |********************                    |\n"
"        150        : 6        |****************************************|\n");
}
END_TEST

START_TEST(json_buckets)
{
	LOG2("value", 2, 0, 5, 0);
	ck_assert_str_eq(capture(draw_json),
		"[{\"lo\":0,\"hi\":1,\"count\":2},{\"lo\":2,\"hi\":3,\"count\":0},"
		"{\"lo\":4,\"hi\":7,\"count\":5}]");
	LOG2("value", 0, 0, 3, 0, 0, 6, 0);
	h.linear = 1, h.base = 100, h.step = 10;
	ck_assert_str_eq(capture(draw_json),
		"[{\"lo\":120,\"hi\":129,\"count\":3},"
		"{\"lo\":150,\"hi\":159,\"count\":6}]");
}
END_TEST

START_TEST(log2_bounds_to_slot_63)
{
	uint64_t lo, hi;

	memset(&h, 0, sizeof h);
	hist_bounds(&h, 0, &lo, &hi);
	ck_assert(lo == 0 && hi == 1);
	hist_bounds(&h, 1, &lo, &hi);
	ck_assert(lo == 2 && hi == 3);
	hist_bounds(&h, 62, &lo, &hi);
	ck_assert(lo == 1ull << 62 && hi == (1ull << 63) - 1);
	hist_bounds(&h, 63, &lo, &hi);
	ck_assert(lo == 1ull << 63 && hi == UINT64_MAX);
}
END_TEST

/* The heading of one histogram per key, from the test object's types. */
static unsigned char *obj, *raw;
static struct btf btf;
static uint32_t key_id, value_id, u32_id;
static unsigned char key[8], value[26 * 4 + 16];
static int json;

static void open_btf(const char *path)
{
	const void *data;
	size_t size;
	struct elf e;
	int idx;

	obj = test_read_file(path, &size);
	ck_assert_msg(obj != NULL, "cannot read %s: run `make tests`", path);
	ck_assert_msg(elf_open(&e, obj, size) == 0, "%s", error_msg());
	idx = elf_find_section(&e, ".BTF");
	ck_assert_int_gt(idx, 0);
	ck_assert_int_eq(elf_section_data(&e, (unsigned)idx, &data, &size), 0);
	raw = malloc(size);
	ck_assert_ptr_nonnull(raw);
	memcpy(raw, data, size);
	ck_assert_msg(btf_parse(&btf, raw, size) == 0, "%s", error_msg());
}

static void load_btf(void)
{
	open_btf(OBJ);
	key_id = (uint32_t)btf_find_one(&btf, "hist_key", BTF_KIND_STRUCT);
	value_id = (uint32_t)btf_find_one(&btf, "hist", BTF_KIND_STRUCT);
	u32_id = (uint32_t)btf_find_one(&btf, "__u32", BTF_KIND_TYPEDEF);
	ck_assert(key_id > 0 && value_id > 0 && u32_id > 0);
}

static void free_btf(void)
{
	btf_free(&btf);
	free(raw);
	free(obj);
}

static void heading(void)
{
	hist_heading_out(&btf, key_id, key, sizeof key, value_id, value,
			 sizeof value, "slots", json);
}

static void heading_no_key(void)
{
	hist_heading_out(&btf, 0, key, 4, value_id, value, sizeof value,
			 "slots", json);
}

static void heading_u32_key(void)
{
	hist_heading_out(&btf, u32_id, key, 4, value_id, value, sizeof value,
			 "slots", json);
}

START_TEST(heading_per_key)
{
	uint32_t pid = 4242, odd = 1;

	memcpy(key, &pid, 4);
	memcpy(key + 4, &odd, 4);
	memset(value, 0, sizeof value);
	value[0] = 9;   /* a slot: not in the heading */
	memcpy(value + 26 * 4, "rt\nx", 4);
	json = 0;
	ck_assert_str_eq(capture(heading),
			 "pid = 4242, odd = 1, comm = \"rt\\nx\"\n");
	ck_assert_str_eq(capture(heading_u32_key),
			 "key = 4242, comm = \"rt\\nx\"\n");
	json = 1;
	ck_assert_str_eq(capture(heading),
		",\"key\":{\"pid\":4242,\"odd\":1},\"value\":{\"comm\":\"rt\\u000ax\"}");
	ck_assert_str_eq(capture(heading_u32_key),
		",\"key\":4242,\"value\":{\"comm\":\"rt\\u000ax\"}");
	/* no key: each member still after its comma, as the caller
	 * writes the map's name first */
	ck_assert_str_eq(capture(heading_no_key),
		",\"value\":{\"comm\":\"rt\\u000ax\"}");
}
END_TEST

/* A value whose type is a tree of anonymous unions, three of the level
 * below at each of 22 levels (tests/bpf/bad_anon.bpf.c): shown member
 * by member it is 3^22 visits; it is shown in hex, at once (check's
 * timeout fails the test otherwise). */
static void show_deep(void)
{
	btf_value_out(&btf, value_id, value, 4, json);
}

START_TEST(anonymous_tree_in_hex)
{
	uint32_t seven = 7;

	open_btf("build/bpf/tests/bad_anon.bpf.o");
	value_id = (uint32_t)btf_find_one(&btf, "event", BTF_KIND_UNION);
	ck_assert_int_gt(value_id, 0);
	memcpy(value, &seven, 4);
	json = 0;
	ck_assert_str_eq(capture(show_deep), "0x07000000");
	json = 1;
	ck_assert_str_eq(capture(show_deep), "\"0x07000000\"");
	/* one level of it is few visits: shown, anonymous members in their
	 * parent's place */
	value_id = (uint32_t)btf_find_one(&btf, "U21", BTF_KIND_UNION);
	json = 0;
	ck_assert_str_eq(capture(show_deep), "{x=7, x=7, x=7}");
	free_btf();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hist");
	TCase *tc = tcase_create("draw");

	tcase_add_test(tc, log2_as_libbpf_tools);
	tcase_add_test(tc, log2_single_slot);
	tcase_add_test(tc, empty_draws_nothing);
	tcase_add_test(tc, log2_wide_and_large);
	tcase_add_test(tc, log2_counts_past_32_bits);
	tcase_add_test(tc, linear_as_libbpf_tools);
	tcase_add_test(tc, json_buckets);
	tcase_add_test(tc, log2_bounds_to_slot_63);
	suite_add_tcase(s, tc);
	tc = tcase_create("heading");
	tcase_add_checked_fixture(tc, load_btf, free_btf);
	tcase_add_test(tc, heading_per_key);
	suite_add_tcase(s, tc);
	tc = tcase_create("btf_value");
	tcase_add_test(tc, anonymous_tree_in_hex);
	suite_add_tcase(s, tc);
	return test_main(s);
}
