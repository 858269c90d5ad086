/* The Prometheus text format of `rawtrace run --metrics` (render/prom.c):
 * names made valid, label values and HELP escaped, log2 histograms as
 * cumulative buckets, the bound, and map keys as labels from the BTF of
 * tests/bpf/metrics.bpf.c. */
#include <errno.h>
#include "elf/error.h"
#include "obj/object.h"
#include "render/prom.h"
#include "tests/testutil.h"

#define OBJ "build/bpf/tests/metrics.bpf.o"
#define BAD_KEYS "build/bpf/tests/bad_prom_keys.bpf.o"

/* b's text, NUL-terminated (b has room: max is far above its length). */
static const char *text(struct prom_buf *b)
{
	static char s[8192];

	ck_assert_uint_lt(b->len, sizeof s);
	memcpy(s, b->p, b->len);
	s[b->len] = 0;
	return s;
}

START_TEST(test_names)
{
	char n[PROM_NAME_MAX];

	prom_metric_name(n, sizeof n, "show.bpf.o", "counts", "_total");
	ck_assert_str_eq(n, "show_counts_total");
	prom_metric_name(n, sizeof n, "dir/x.o", "a.b", "");
	ck_assert_str_eq(n, "x_a_b");
	prom_metric_name(n, sizeof n, "9lives-é.bpf.o", "m", "");
	ck_assert_str_eq(n, "_9lives____m");    /* é: two bytes */
	prom_metric_name(n, sizeof n, "plain", "m:x", "");
	ck_assert_str_eq(n, "plain_m:x");
	prom_label_name(n, sizeof n, "__reserved");
	ck_assert_str_eq(n, "_reserved");
	prom_label_name(n, sizeof n, "1st:x");
	ck_assert_str_eq(n, "_1st_x");
	prom_label_name(n, sizeof n, "");
	ck_assert_str_eq(n, "_");
}
END_TEST

START_TEST(test_escaping)
{
	struct prom_buf b;
	struct prom_labels l = { 0 };

	prom_init(&b, 1 << 16);
	prom_family(&b, "m", "counter", "a \\ and a\nnewline, \"quoted\"");
	prom_label(&l, "comm", "a\"b\\c\nd", 64);
	prom_label(&l, "bad", "x\xff\xc3y\xe2\x82", 64);
	prom_label(&l, "ok", "\xc3\xa9\xf0\x9f\x98\x80", 64);
	prom_label(&l, "over", "\xc0\xaf\xed\xa0\x80", 64);
	prom_sample(&b, "m", &l, "3");
	prom_sample(&b, "m", NULL, "4");
	ck_assert_str_eq(text(&b),
		"# HELP m a \\\\ and a\\nnewline, \"quoted\"\n"
		"# TYPE m counter\n"
		"m{comm=\"a\\\"b\\\\c\\nd\",bad=\"x\xef\xbf\xbd\xef\xbf\xbdy"
		"\xef\xbf\xbd\xef\xbf\xbd\",ok=\"\xc3\xa9\xf0\x9f\x98\x80\","
		"over=\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		"\xef\xbf\xbd\"} 3\n"
		"m 4\n");
	prom_free(&b);
}
END_TEST

START_TEST(test_log2_hist)
{
	const uint64_t slots[4] = { 1, 2, 0, 3 };
	struct prom_buf b;
	struct prom_labels l = { 0 };

	prom_init(&b, 1 << 16);
	prom_label(&l, "pid", "7", 8);
	prom_log2_hist(&b, "h", &l, slots, 4);
	/* the midpoints: 0.5, 2.5, 5.5, 11.5 */
	ck_assert_str_eq(text(&b),
		"h_bucket{pid=\"7\",le=\"1\"} 1\n"
		"h_bucket{pid=\"7\",le=\"3\"} 3\n"
		"h_bucket{pid=\"7\",le=\"7\"} 3\n"
		"h_bucket{pid=\"7\",le=\"15\"} 6\n"
		"h_bucket{pid=\"7\",le=\"+Inf\"} 6\n"
		"h_sum{pid=\"7\"} 40\n"
		"h_count{pid=\"7\"} 6\n");
	prom_free(&b);
	prom_init(&b, 1 << 16);
	prom_log2_hist(&b, "e", NULL, slots, 0);
	ck_assert_str_eq(text(&b), "e_bucket{le=\"+Inf\"} 0\ne_sum 0\n"
			 "e_count 0\n");
	prom_free(&b);
}
END_TEST

/* A family past the bound is taken back whole, and a comment says so;
 * nothing is written after it, though it would fit. */
START_TEST(test_bound)
{
	struct prom_buf b;
	char v[16];
	int i;

	prom_init(&b, 400);
	prom_family(&b, "small", "gauge", "fits");
	prom_sample(&b, "small", NULL, "1");
	prom_family(&b, "big", "counter", "does not fit");
	for (i = 0; i < 40; i++) {
		snprintf(v, sizeof v, "%d", i);
		prom_sample(&b, "big", NULL, v);
	}
	prom_family(&b, "late", "gauge", "would fit");
	prom_sample(&b, "late", NULL, "2");
	ck_assert(b.full);
	ck_assert_uint_le(b.len, 400);
	ck_assert_str_eq(text(&b),
		"# HELP small fits\n# TYPE small gauge\nsmall 1\n"
		"# rawtrace: truncated at 400 bytes: the metric families from "
		"here on left out\n");
	prom_free(&b);
}
END_TEST

/* The struct key of metrics.bpf.c (char comm[16], __u32 pid) as labels,
 * an integer key as "key", and its struct hist found. */
START_TEST(test_key_labels)
{
	struct { char comm[16]; uint32_t pid; } key = { "a\"b", 7 };
	uint32_t k = 42;
	struct prom_labels l;
	struct obj o;
	size_t size, off = 99, esize = 0;
	void *buf = test_read_file(OBJ, &size);
	int id, u32;
	char n[24];

	if (!buf)
		SKIP(OBJ " not built (make tests)");
	ck_assert_msg(obj_open(&o, "metrics.bpf.o", buf, size) == 0, "%s",
		      error_msg());
	id = btf_find_one(&o.btf, "key", BTF_KIND_STRUCT);
	ck_assert_int_gt(id, 0);
	prom_key_labels(&l, &o.btf, (uint32_t)id, &key, sizeof key);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.name[0], "comm");
	ck_assert_str_eq(l.value[0], "a\"b");
	ck_assert_str_eq(l.name[1], "pid");
	ck_assert_str_eq(l.value[1], "7");
	u32 = btf_find_one(&o.btf, "__u32", BTF_KIND_TYPEDEF);
	ck_assert_int_gt(u32, 0);
	prom_key_labels(&l, &o.btf, (uint32_t)u32, &k, sizeof k);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.name[0], "key");
	ck_assert_str_eq(l.value[0], "42");
	prom_key_labels(&l, &o.btf, 0, &k, sizeof k);
	ck_assert_str_eq(l.value[0], "0x2a000000");
	ck_assert_int_eq(prom_number(&o.btf, (uint32_t)u32, &k, sizeof k, n,
				     sizeof n), 0);
	ck_assert_str_eq(n, "42");
	ck_assert_int_eq(prom_number(&o.btf, (uint32_t)id, &key, sizeof key,
				     n, sizeof n), -EINVAL);
	id = btf_find_one(&o.btf, "hist", BTF_KIND_STRUCT);
	ck_assert_int_gt(id, 0);
	ck_assert_uint_eq(prom_hist_slots(&o.btf, (uint32_t)id, 32, &off,
					  &esize), 8);
	ck_assert_uint_eq(off, 0);
	ck_assert_uint_eq(esize, 4);
	obj_close(&o);
	free(buf);
}
END_TEST

/* A key of 16 labels, one named le: every bucket still has its le (the
 * key's last label makes room), the key's le is renamed, and _sum and
 * _count carry the same labels as the buckets. */
START_TEST(test_hist_full_labels)
{
	const uint64_t slots[2] = { 1, 2 };
	struct prom_buf b;
	struct prom_labels l = { 0 };
	char name[8];
	int i;

	prom_label(&l, "le", "x", 2);
	for (i = 1; i < PROM_MAX_LABELS; i++) {
		snprintf(name, sizeof name, "k%d", i);
		prom_label(&l, name, "v", 2);
	}
	ck_assert_uint_eq(l.n, PROM_MAX_LABELS);
	prom_init(&b, 1 << 16);
	prom_log2_hist(&b, "h", &l, slots, 2);
	ck_assert_str_eq(text(&b),
		"h_bucket{le_2=\"x\",k1=\"v\",k2=\"v\",k3=\"v\",k4=\"v\","
		"k5=\"v\",k6=\"v\",k7=\"v\",k8=\"v\",k9=\"v\",k10=\"v\","
		"k11=\"v\",k12=\"v\",k13=\"v\",k14=\"v\",le=\"1\"} 1\n"
		"h_bucket{le_2=\"x\",k1=\"v\",k2=\"v\",k3=\"v\",k4=\"v\","
		"k5=\"v\",k6=\"v\",k7=\"v\",k8=\"v\",k9=\"v\",k10=\"v\","
		"k11=\"v\",k12=\"v\",k13=\"v\",k14=\"v\",le=\"3\"} 3\n"
		"h_bucket{le_2=\"x\",k1=\"v\",k2=\"v\",k3=\"v\",k4=\"v\","
		"k5=\"v\",k6=\"v\",k7=\"v\",k8=\"v\",k9=\"v\",k10=\"v\","
		"k11=\"v\",k12=\"v\",k13=\"v\",k14=\"v\",le=\"+Inf\"} 3\n"
		"h_sum{le_2=\"x\",k1=\"v\",k2=\"v\",k3=\"v\",k4=\"v\","
		"k5=\"v\",k6=\"v\",k7=\"v\",k8=\"v\",k9=\"v\",k10=\"v\","
		"k11=\"v\",k12=\"v\",k13=\"v\",k14=\"v\"} 5.5\n"
		"h_count{le_2=\"x\",k1=\"v\",k2=\"v\",k3=\"v\",k4=\"v\","
		"k5=\"v\",k6=\"v\",k7=\"v\",k8=\"v\",k9=\"v\",k10=\"v\","
		"k11=\"v\",k12=\"v\",k13=\"v\",k14=\"v\"} 3\n");
	prom_free(&b);
}
END_TEST

/* Two names alike once made label names: both kept, the second renamed. */
START_TEST(test_label_twins)
{
	struct prom_labels l = { 0 };

	prom_label(&l, "x_y", "1", 2);
	prom_label(&l, "x.y", "2", 2);
	prom_label(&l, "x-y", "3", 2);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.name[0], "x_y");
	ck_assert_str_eq(l.name[1], "x_y_2");
	ck_assert_str_eq(l.name[2], "x_y_3");
	ck_assert_str_eq(l.value[2], "3");
}
END_TEST

/* A family whose name, or a histogram's sample name, an earlier family
 * took: refused with a comment, in either order. */
START_TEST(test_family_twins)
{
	struct prom_buf b;

	prom_init(&b, 1 << 16);
	ck_assert_int_eq(prom_family(&b, "o_cnt_total", "gauge", "g"), 0);
	ck_assert_int_eq(prom_family(&b, "o_cnt_total", "counter", "c"),
			 -EEXIST);
	ck_assert_int_eq(prom_family(&b, "o_h", "histogram", "h"), 0);
	ck_assert_int_eq(prom_family(&b, "o_h_sum", "gauge", "g"), -EEXIST);
	ck_assert_int_eq(prom_family(&b, "o_x_count", "gauge", "g"), 0);
	ck_assert_int_eq(prom_family(&b, "o_x", "histogram", "h"), -EEXIST);
	ck_assert_str_eq(text(&b),
		"# HELP o_cnt_total g\n# TYPE o_cnt_total gauge\n"
		"# rawtrace: counter o_cnt_total left out: o_cnt_total is the "
		"name of a metric before it\n"
		"# HELP o_h h\n# TYPE o_h histogram\n"
		"# rawtrace: gauge o_h_sum left out: o_h_sum is the name of a "
		"metric before it\n"
		"# HELP o_x_count g\n# TYPE o_x_count gauge\n"
		"# rawtrace: histogram o_x left out: o_x_count is the name of a "
		"metric before it\n");
	prom_free(&b);
	/* many names: the set grows and still finds every one */
	prom_init(&b, 1 << 24);
	for (int i = 0; i < 1000; i++) {
		char n[16];

		snprintf(n, sizeof n, "g%d", i);
		ck_assert_int_eq(prom_family(&b, n, "gauge", ""), 0);
	}
	ck_assert_int_eq(prom_family(&b, "g0", "gauge", ""), -EEXIST);
	ck_assert_int_eq(prom_family(&b, "g999", "gauge", ""), -EEXIST);
	prom_free(&b);
}
END_TEST

/* A struct hist whose slots pass the map's value_size (made without BTF
 * with a value_size of its own) is no histogram: its slots would be read
 * past the value. */
START_TEST(test_hist_slots_bound)
{
	struct obj o;
	size_t size, off = 99, esize = 0;
	void *buf = test_read_file(OBJ, &size);
	int id;

	if (!buf)
		SKIP(OBJ " not built (make tests)");
	ck_assert_msg(obj_open(&o, "metrics.bpf.o", buf, size) == 0, "%s",
		      error_msg());
	id = btf_find_one(&o.btf, "hist", BTF_KIND_STRUCT);
	ck_assert_int_gt(id, 0);
	ck_assert_uint_eq(prom_hist_slots(&o.btf, (uint32_t)id, 32, &off,
					  &esize), 8);
	ck_assert_uint_eq(prom_hist_slots(&o.btf, (uint32_t)id, 31, &off,
					  &esize), 0);
	ck_assert_uint_eq(prom_hist_slots(&o.btf, (uint32_t)id, 4, &off,
					  &esize), 0);
	obj_close(&o);
	free(buf);
}
END_TEST

/* Keys of tests/bpf/bad_prom_keys.bpf.c: 256^4 members to visit (hex,
 * at once), and a key whose labels are full before its wide member. */
START_TEST(test_key_budget)
{
	unsigned char key[24] = { 1 };
	struct prom_labels l;
	struct obj o;
	size_t size;
	void *buf = test_read_file(BAD_KEYS, &size);
	int id;

	if (!buf)
		SKIP(BAD_KEYS " not built (make tests)");
	ck_assert_msg(obj_open(&o, "bad_prom_keys.bpf.o", buf, size) == 0,
		      "%s", error_msg());
	id = btf_find_one(&o.btf, "wide", BTF_KIND_STRUCT);
	ck_assert_int_gt(id, 0);
	prom_key_labels(&l, &o.btf, (uint32_t)id, key, 4);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.name[0], "key");
	ck_assert_str_eq(l.value[0], "0x01000000");
	id = btf_find_one(&o.btf, "full", BTF_KIND_STRUCT);
	ck_assert_int_gt(id, 0);
	prom_key_labels(&l, &o.btf, (uint32_t)id, key, sizeof key);
	ck_assert_uint_eq(l.n, PROM_MAX_LABELS);
	ck_assert_str_eq(l.name[0], "s_0");
	ck_assert_str_eq(l.value[0], "1");
	ck_assert_str_eq(l.name[15], "s_15");
	obj_close(&o);
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("prom");
	TCase *tc = tcase_create("prom");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_log2_hist);
	tcase_add_test(tc, test_bound);
	tcase_add_test(tc, test_key_labels);
	tcase_add_test(tc, test_hist_full_labels);
	tcase_add_test(tc, test_label_twins);
	tcase_add_test(tc, test_family_twins);
	tcase_add_test(tc, test_hist_slots_bound);
	tcase_add_test(tc, test_key_budget);
	suite_add_tcase(s, tc);
	return test_main(s);
}
