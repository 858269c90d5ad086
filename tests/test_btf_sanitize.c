/* obj/btf_sanitize.c: each rewrite on a hand-built blob that has every
 * kind an older kernel may not know (ids unchanged, only what is missing
 * rewritten); the test object's BTF sanitised for 5.10 passes our copy of
 * the kernel's BTF rules; and, as root, the kernel takes a blob
 * sanitised of everything, and its probes find this kernel knows all. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include "tests/testutil.h"
#include "elf/btf.h"
#include "elf/elf.h"
#include "elf/error.h"
#include "obj/btf_sanitize.h"
#include "obj/object.h"
#include "loader/btf_features.h"
#include "loader/sys.h"

#define OBJ "build/bpf/tests/bad_btf_kinds.bpf.o"
#define T(name, kind, kflag, vlen, size_or_type) \
	(name), BTF_INFO(kind, kflag, vlen), (size_or_type)

/* Strings, at their offsets. */
static const char strs[] =
	"\0int"         /* 1 */
	"\0f"           /* 5 */
	"\0a"           /* 7 */
	"\0.data"       /* 9 */
	"\0x"           /* 15 */
	"\0float"       /* 17 */
	"\0tag"         /* 23 */
	"\0e"           /* 27 */
	"\0V"           /* 29 */
	"\0?.bss";      /* 31 */

static const uint32_t types[] = {
	T(1, BTF_KIND_INT, 0, 0, 4), BTF_INT(BTF_INT_SIGNED, 0, 32), /* [1] */
	T(0, BTF_KIND_FUNC_PROTO, 0, 1, 1), 7, 1,                    /* [2] */
	T(5, BTF_KIND_FUNC, 0, BTF_FUNC_GLOBAL, 2),                  /* [3] */
	T(15, BTF_KIND_VAR, 0, 0, 1), BTF_VAR_GLOBAL_ALLOCATED,      /* [4] */
	T(9, BTF_KIND_DATASEC, 0, 1, 8), 4, 4, 4,                    /* [5] */
	T(17, BTF_KIND_FLOAT, 0, 0, 8),                              /* [6] */
	T(23, BTF_KIND_DECL_TAG, 0, 0, 4), (uint32_t)-1,             /* [7] */
	T(23, BTF_KIND_TYPE_TAG, 0, 0, 1),                           /* [8] */
	T(0, BTF_KIND_PTR, 0, 0, 8),                                 /* [9] */
	T(27, BTF_KIND_ENUM64, 1, 1, 8), 29, 0, 1,                   /* [10] */
	T(27, BTF_KIND_ENUM, 1, 1, 4), 29, (uint32_t)-1,             /* [11] */
	T(7, BTF_KIND_VAR, 0, 0, 1), BTF_VAR_STATIC,                 /* [12] */
	T(31, BTF_KIND_DATASEC, 0, 1, 4), 12, 0, 4,                  /* [13] */
};
#define NR_IDS 14

static const unsigned all = BTF_FEAT_FUNC_GLOBAL | BTF_FEAT_DATASEC |
	BTF_FEAT_QMARK_DATASEC | BTF_FEAT_FLOAT | BTF_FEAT_DECL_TAG |
	BTF_FEAT_TYPE_TAG | BTF_FEAT_ENUM64;

/* The blob of types and strs, parsed into *b (the blob is returned, to
 * free after btf_free). */
static void *blob_parse(struct btf *b, size_t *size)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION,
		.hdr_len = sizeof h, .type_len = sizeof types,
		.str_off = sizeof types, .str_len = sizeof strs,
	};
	unsigned char *buf;

	*size = sizeof h + sizeof types + sizeof strs;
	ck_assert_int_eq(posix_memalign((void **)&buf, 8, *size), 0);
	memcpy(buf, &h, sizeof h);
	memcpy(buf + sizeof h, types, sizeof types);
	memcpy(buf + sizeof h + sizeof types, strs, sizeof strs);
	ck_assert_msg(btf_parse(b, buf, *size) == 0, "%s", error_msg());
	return buf;
}

static struct btf in, out;
static void *in_blob, *out_blob;
static size_t in_size, out_size;

/* Sanitises the hand-built blob for a kernel without missing, and parses
 * the result into out. */
static void sanitize(unsigned missing)
{
	in_blob = blob_parse(&in, &in_size);
	ck_assert_msg(btf_sanitize(&in, missing, &out_blob, &out_size) == 0,
		      "%s", error_msg());
	ck_assert_msg(btf_parse(&out, out_blob, out_size) == 0, "%s",
		      error_msg());
}

static void teardown(void)
{
	btf_free(&in);
	btf_free(&out);
	free(in_blob);
	free(out_blob);
	in_blob = out_blob = NULL;
	memset(&in, 0, sizeof in);
	memset(&out, 0, sizeof out);
}

static const struct btf_type *ot(uint32_t id)
{
	const struct btf_type *t = btf_type(&out, id);

	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(test_features_used)
{
	void *blob = blob_parse(&in, &in_size);

	ck_assert_uint_eq(btf_features_used(&in), all);
	btf_free(&in);
	free(blob);
	ck_assert_str_eq(btf_feature_name(BTF_FEAT_ENUM64), "enum64");
	ck_assert_str_eq(btf_feature_name(3), "?");
}
END_TEST

/* Nothing missing: the same bytes. */
START_TEST(test_nothing_missing)
{
	sanitize(0);
	ck_assert_uint_eq(out_size, in_size);
	ck_assert_mem_eq(out_blob, in_blob, in_size);
	teardown();
}
END_TEST

/* Only what is missing is rewritten: FLOAT here, TYPE_TAG left alone. */
START_TEST(test_float)
{
	sanitize(BTF_FEAT_FLOAT);
	ck_assert_uint_eq(out.nr_types, NR_IDS);
	ck_assert_uint_eq(btf_kind(ot(6)), BTF_KIND_STRUCT);
	ck_assert_uint_eq(btf_vlen(ot(6)), 0);
	ck_assert_uint_eq(ot(6)->size, 8);
	ck_assert_uint_eq(ot(6)->name_off, 0);
	ck_assert_uint_eq(btf_kind(ot(8)), BTF_KIND_TYPE_TAG);
	ck_assert_uint_eq(btf_features_used(&out), all & ~BTF_FEAT_FLOAT);
	teardown();
}
END_TEST

START_TEST(test_decl_tag)
{
	uint32_t enc;

	sanitize(BTF_FEAT_DECL_TAG);
	ck_assert_uint_eq(btf_kind(ot(7)), BTF_KIND_INT);
	ck_assert_uint_eq(ot(7)->size, 1);
	ck_assert_uint_eq(ot(7)->name_off, 0);
	memcpy(&enc, btf_tail(ot(7)), sizeof enc);
	ck_assert_uint_eq(enc, BTF_INT(0, 0, 8));
	ck_assert_uint_eq(btf_features_used(&out), all & ~BTF_FEAT_DECL_TAG);
	teardown();
}
END_TEST

/* TYPE_TAG -> CONST of the same type: the pointer still reaches int. */
START_TEST(test_type_tag)
{
	sanitize(BTF_FEAT_TYPE_TAG);
	ck_assert_uint_eq(btf_kind(ot(8)), BTF_KIND_CONST);
	ck_assert_uint_eq(ot(8)->type, 1);
	ck_assert_uint_eq(ot(8)->name_off, 0);
	ck_assert_uint_eq(btf_skip_mods(&out, ot(9)->type), 1);
	teardown();
}
END_TEST

START_TEST(test_func_global)
{
	sanitize(BTF_FEAT_FUNC_GLOBAL);
	ck_assert_uint_eq(btf_kind(ot(3)), BTF_KIND_FUNC);
	ck_assert_uint_eq(btf_vlen(ot(3)), BTF_FUNC_STATIC);
	ck_assert_uint_eq(ot(3)->type, 2);
	ck_assert_str_eq(btf_type_name(&out, 3), "f");
	teardown();
}
END_TEST

/* VAR -> 1-byte INT keeping its name; DATASEC -> STRUCT of the same
 * size, members named after the variables, offsets in bits, and a name
 * that is a C identifier. */
START_TEST(test_datasec)
{
	const struct btf_member *m;

	sanitize(BTF_FEAT_DATASEC);
	ck_assert_uint_eq(btf_kind(ot(4)), BTF_KIND_INT);
	ck_assert_uint_eq(ot(4)->size, 1);
	ck_assert_str_eq(btf_type_name(&out, 4), "x");
	ck_assert_uint_eq(btf_kind(ot(5)), BTF_KIND_STRUCT);
	ck_assert_uint_eq(ot(5)->size, 8);
	ck_assert_uint_eq(btf_vlen(ot(5)), 1);
	ck_assert_str_eq(btf_type_name(&out, 5), "_data");
	m = btf_tail(ot(5));
	ck_assert_str_eq(btf_str(&out, m->name_off), "x");
	ck_assert_uint_eq(m->type, 4);
	ck_assert_uint_eq(m->offset, 32);
	ck_assert_str_eq(btf_type_name(&out, 13), "__bss");
	/* the original is not touched */
	ck_assert_str_eq(btf_type_name(&in, 5), ".data");
	teardown();
}
END_TEST

/* A kernel that knows DATASEC but not a name starting with '?'. */
START_TEST(test_qmark_datasec)
{
	sanitize(BTF_FEAT_QMARK_DATASEC);
	ck_assert_uint_eq(btf_kind(ot(13)), BTF_KIND_DATASEC);
	ck_assert_str_eq(btf_type_name(&out, 13), "_.bss");
	ck_assert_str_eq(btf_type_name(&out, 5), ".data");
	teardown();
}
END_TEST

/* ENUM64 -> UNION of its size, the values' names as members of one INT
 * added after the last type; the strings moved up and still read; a
 * signed ENUM loses its kflag. */
START_TEST(test_enum64)
{
	const struct btf_member *m;
	struct btf_header h;

	sanitize(BTF_FEAT_ENUM64);
	ck_assert_uint_eq(out.nr_types, NR_IDS + 1);
	ck_assert_uint_eq(btf_kind(ot(10)), BTF_KIND_UNION);
	ck_assert_int_eq(btf_kflag(ot(10)), 0);
	ck_assert_uint_eq(ot(10)->size, 8);
	ck_assert_uint_eq(btf_vlen(ot(10)), 1);
	m = btf_tail(ot(10));
	ck_assert_str_eq(btf_str(&out, m->name_off), "V");
	ck_assert_uint_eq(m->type, NR_IDS);
	ck_assert_uint_eq(m->offset, 0);
	ck_assert_uint_eq(btf_kind(ot(NR_IDS)), BTF_KIND_INT);
	ck_assert_uint_eq(ot(NR_IDS)->size, 1);
	ck_assert_uint_eq(btf_kind(ot(11)), BTF_KIND_ENUM);
	ck_assert_int_eq(btf_kflag(ot(11)), 0);
	ck_assert_str_eq(btf_type_name(&out, 13), "?.bss");
	memcpy(&h, out_blob, sizeof h);
	ck_assert_uint_eq(h.type_len, sizeof types + 16);
	ck_assert_uint_eq(h.str_off, sizeof types + 16);
	ck_assert_uint_eq(out_size, in_size + 16);
	ck_assert_uint_eq(btf_features_used(&out), all & ~BTF_FEAT_ENUM64);
	teardown();
}
END_TEST

/* Everything at once: nothing of it left, every id where it was. */
START_TEST(test_all)
{
	uint32_t id;

	sanitize(all);
	ck_assert_uint_eq(btf_features_used(&out), 0);
	for (id = 1; id < NR_IDS; id++)
		ck_assert_uint_eq(out.offs[id] - in.offs[id], 0);
	teardown();
}
END_TEST

/* clang's BTF of the test object, sanitised for 5.10 (float, decl_tag,
 * type_tag, enum64 unknown), keeps to the kernel's rules (btf_check) and
 * its FUNC, which func_info names, where it was. */
START_TEST(test_object_for_5_10)
{
	unsigned missing = BTF_FEAT_FLOAT | BTF_FEAT_DECL_TAG |
		BTF_FEAT_TYPE_TAG | BTF_FEAT_ENUM64;
	size_t size;
	void *data = test_read_file(OBJ, &size);
	struct obj o;
	int id;

	ck_assert_msg(data != NULL, "cannot read %s: run make tests", OBJ);
	ck_assert_msg(obj_open(&o, "bad_btf_kinds", data, size) == 0, "%s",
		      error_msg());
	ck_assert_uint_eq(btf_features_used(&o.btf) & missing,
			  BTF_FEAT_FLOAT | BTF_FEAT_DECL_TAG |
			  BTF_FEAT_TYPE_TAG);
	ck_assert_msg(btf_sanitize(&o.btf, missing, &out_blob, &out_size) == 0,
		      "%s", error_msg());
	ck_assert_msg(btf_parse(&out, out_blob, out_size) == 0, "%s",
		      error_msg());
	ck_assert_uint_eq(btf_features_used(&out) & missing, 0);
	ck_assert_msg(btf_check(&out) == 0, "%s", error_msg());
	id = btf_find_one(&out, "sanitize_reads_past_ctx", BTF_KIND_FUNC);
	ck_assert_int_eq(id, btf_find_one(&o.btf, "sanitize_reads_past_ctx",
					  BTF_KIND_FUNC));
	ck_assert_int_gt(id, 0);
	btf_free(&out);
	memset(&out, 0, sizeof out);
	free(out_blob);
	out_blob = NULL;
	obj_close(&o);
	free(data);
}
END_TEST

/* As root: this kernel takes the blob sanitised of everything (the kinds
 * it becomes are all older than 5.10), and its probes say it knows every
 * feature (a 6.x kernel). */
START_TEST(test_kernel_takes_it)
{
	union bpf_attr a;
	int fd;

	SKIP_UNLESS_ROOT();
	sanitize(all);
	memset(&a, 0, sizeof a);
	a.btf = (uintptr_t)out_blob;
	a.btf_size = (uint32_t)out_size;
	fd = sys_bpf(BPF_BTF_LOAD, &a, sizeof a);
	teardown();
	ck_assert_msg(fd > 0, "BPF_BTF_LOAD: %s", strerror(-fd));
	close(fd);
	ck_assert_uint_eq(kernel_btf_missing(all), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("btf_sanitize");
	TCase *tc = tcase_create("btf_sanitize");

	tcase_add_test(tc, test_features_used);
	tcase_add_test(tc, test_nothing_missing);
	tcase_add_test(tc, test_float);
	tcase_add_test(tc, test_decl_tag);
	tcase_add_test(tc, test_type_tag);
	tcase_add_test(tc, test_func_global);
	tcase_add_test(tc, test_datasec);
	tcase_add_test(tc, test_qmark_datasec);
	tcase_add_test(tc, test_enum64);
	tcase_add_test(tc, test_all);
	tcase_add_test(tc, test_object_for_5_10);
	tcase_add_test(tc, test_kernel_takes_it);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
