/* The embedded BPF objects (loader/embedded.c): each inflates to exactly
 * the stripped object the build wrote (build/embed/NAME.bpf.o), and a
 * damaged or cut gzip member is an error, never a crash or wrong bytes. */
#include <errno.h>
#include <glob.h>
#include <string.h>
#include "elf/error.h"
#include "loader/embedded.h"
#include "tests/testutil.h"

START_TEST(each_object_is_its_build_output)
{
	const struct embedded_obj *e;
	char path[128];
	void *data, *want;
	size_t size, want_size, n = 0;
	glob_t g;

	for (e = embedded_objs; e->name; e++, n++) {
		snprintf(path, sizeof path, "build/embed/%s.bpf.o", e->name);
		want = test_read_file(path, &want_size);
		ck_assert_msg(want, "cannot read %s", path);
		ck_assert_msg(embedded_inflate(e, &data, &size) == 0, "%s: %s",
			      e->name, error_msg());
		ck_assert_msg(size == want_size, "%s: %zu bytes, %s has %zu",
			      e->name, size, path, want_size);
		ck_assert_msg(memcmp(data, want, size) == 0, "%s differs from %s",
			      e->name, path);
		ck_assert_msg(((uintptr_t)data & 7) == 0, "%s: not aligned",
			      e->name);
		free(data);
		free(want);
	}
	/* and every object the build strips is embedded */
	ck_assert_int_eq(glob("build/embed/*.bpf.o", 0, NULL, &g), 0);
	ck_assert_uint_eq(g.gl_pathc, n);
	globfree(&g);
	ck_assert_ptr_null(embedded_find("no-such-object"));
	ck_assert_ptr_nonnull(embedded_find("bind"));
}
END_TEST

/* The smallest embedded object's gzip member (deny_bind's, 3.5 KB),
 * copied: the damaged copies below are made from it. */
static unsigned char *copy_member(size_t *len)
{
	const struct embedded_obj *e = embedded_find("deny_bind");
	unsigned char *p;

	ck_assert_ptr_nonnull(e);
	*len = (size_t)(e->end - e->start);
	p = malloc(*len);
	ck_assert_ptr_nonnull(p);
	memcpy(p, e->start, *len);
	return p;
}

/* embedded_inflate of p: its error, or 0 and *same set to whether the
 * bytes are deny_bind's own (its stripped build output). */
static int inflate_bytes(const unsigned char *p, size_t len, int *same)
{
	struct embedded_obj e = { "damaged", p, p + len };
	void *data = (void *)1, *want;
	size_t size, want_size;
	int err = embedded_inflate(&e, &data, &size);

	if (err) {
		ck_assert_ptr_eq(data, (void *)1);      /* left alone */
		return err;
	}
	want = test_read_file("build/embed/deny_bind.bpf.o", &want_size);
	ck_assert_ptr_nonnull(want);
	*same = size == want_size && memcmp(data, want, size) == 0;
	free(want);
	free(data);
	return 0;
}

START_TEST(cut_member_is_an_error)
{
	size_t len, n;
	unsigned char *p = copy_member(&len);

	int same = 0;

	ck_assert_int_eq(inflate_bytes(p, len, &same), 0);
	ck_assert(same);
	for (n = 0; n < len; n++)
		ck_assert_msg(inflate_bytes(p, n, &same) == -EINVAL,
			      "cut to %zu of %zu bytes: inflated", n, len);
	ck_assert_msg(strstr(error_msg(), "embedded object damaged: corrupt"),
		      "%s", error_msg());
	free(p);
}
END_TEST

/* Every byte past the header's (whose MTIME, XFL and OS no one reads)
 * changed in turn: the deflate data no longer decodes, or its CRC-32 or
 * length no longer match. A very few bytes of a dynamic block's header
 * can change without changing what the data decodes to (zlib too
 * inflates them to the same bytes): then the bytes must be the same. */
START_TEST(damaged_member_is_an_error)
{
	size_t len, i, errors = 0;
	unsigned char *p = copy_member(&len);
	int err, same;

	for (i = 10; i < len; i++) {
		p[i] ^= 0xff;
		same = 0;
		err = inflate_bytes(p, len, &same);
		ck_assert_msg(err == -EINVAL || (err == 0 && same),
			      "byte %zu of %zu changed: inflated to other "
			      "bytes", i, len);
		errors += err != 0;
		p[i] ^= 0xff;
	}
	ck_assert_msg(errors + 10 >= len - 10, "only %zu of %zu damaged "
		      "copies refused", errors, len - 10);
	p[0] ^= 0xff;   /* not gzip at all */
	ck_assert_int_eq(inflate_bytes(p, len, &same), -EINVAL);
	free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("embedded");
	TCase *tc = tcase_create("embedded");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, each_object_is_its_build_output);
	tcase_add_test(tc, cut_member_is_an_error);
	tcase_add_test(tc, damaged_member_is_an_error);
	suite_add_tcase(s, tc);
	return test_main(s);
}
