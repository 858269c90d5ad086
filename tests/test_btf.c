/* elf/btf.c and elf/btf_ext.c: the test object's BTF and .BTF.ext read
 * correctly, malformed copies refused with their own messages, and the
 * kernel's BTF parsed (and timed) and searched. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include "tests/testutil.h"
#include "elf/btf.h"
#include "elf/elf.h"
#include "elf/error.h"

#define OBJ "build/bpf/tests/minimal.bpf.o"
#define VMLINUX "/sys/kernel/btf/vmlinux"
#define PROG_SEC "tracepoint/syscalls/sys_enter_bind"

/* The object's .BTF and .BTF.ext, copied into aligned buffers. */
static unsigned char *obj, *raw, *ext_raw;
static size_t raw_size, ext_size;

static void *section_copy(const struct elf *e, const char *name, size_t *size)
{
	const void *data;
	void *buf;
	int idx = elf_find_section(e, name);

	ck_assert_msg(idx > 0, "%s", error_msg());
	ck_assert_int_eq(elf_section_data(e, (unsigned)idx, &data, size), 0);
	buf = malloc(*size);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, data, *size);
	return buf;
}

static void load_obj(void)
{
	struct elf e;
	size_t size;

	obj = test_read_file(OBJ, &size);
	ck_assert_msg(obj != NULL, "cannot read %s: run `make %s` first",
		      OBJ, OBJ);
	ck_assert_msg(elf_open(&e, obj, size) == 0, "%s", error_msg());
	raw = section_copy(&e, ".BTF", &raw_size);
	ext_raw = section_copy(&e, ".BTF.ext", &ext_size);
}

static void free_obj(void)
{
	free(obj);
	free(raw);
	free(ext_raw);
}

static unsigned char *copy(const unsigned char *src, size_t n)
{
	unsigned char *c = malloc(n);

	ck_assert_ptr_nonnull(c);
	memcpy(c, src, n);
	return c;
}

static uint32_t get32(const unsigned char *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, 4);
	return v;
}

static void put32(unsigned char *b, size_t off, uint32_t v)
{
	memcpy(b + off, &v, 4);
}

static void expect_msg(int err, const char *msg)
{
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_msg(strstr(error_msg(), msg) != NULL,
		      "error \"%s\" lacks \"%s\"", error_msg(), msg);
}

/* Through btf_open_lazy, a bad record is refused at open (a bad kind or
 * length) or when it is read (a name or id out of range): msg either
 * way, and NULL for the record. */
static void expect_lazy_fails(unsigned char *c, const char *msg)
{
	struct btf_source src = test_mem_source(c, raw_size);
	const char *want[] = { "task_struct" };
	struct btf b;
	uint32_t id;
	int err = btf_open_lazy(&b, &src, want, 1);

	if (err) {
		expect_msg(err, msg);
		ck_assert_ptr_null(b.lazy);
		return;
	}
	for (id = 1; id < b.nr_types && btf_type(&b, id); id++)
		;
	ck_assert_msg(id < b.nr_types, "no record refused (%s)", msg);
	expect_msg(-EINVAL, msg);
	btf_free(&b);
}

/* Parses a mutated copy of the object's BTF, expecting msg, both in
 * memory and through btf_open_lazy. */
static void expect_btf_fails(unsigned char *c, const char *msg)
{
	struct btf b;

	expect_msg(btf_parse(&b, c, raw_size), msg);
	ck_assert_ptr_null(b.offs);
	expect_lazy_fails(c, msg);
	free(c);
}

/* Byte offset, in the blob, of type id's record. */
static size_t type_at(const struct btf *b, uint32_t id)
{
	return (size_t)((const unsigned char *)btf_type(b, id) - b->data);
}

static struct btf parse_ok(void)
{
	struct btf b;

	ck_assert_msg(btf_parse(&b, raw, raw_size) == 0, "%s", error_msg());
	return b;
}

START_TEST(test_object_btf)
{
	struct btf b = parse_ok();
	const struct btf_type *t;
	const struct btf_member *m;
	int id, ts;

	ts = btf_find_one(&b, "task_struct", BTF_KIND_STRUCT);
	ck_assert_int_gt(ts, 0);
	t = btf_type(&b, (uint32_t)ts);
	ck_assert_uint_eq(btf_vlen(t), 2);
	m = btf_tail(t);
	ck_assert_str_eq(btf_str(&b, m[1].name_off), "tgid");
	ck_assert_uint_eq(m[1].offset, 32);
	ck_assert_int_eq(btf_resolve_size(&b, (uint32_t)ts), 8);

	/* The map: a VAR whose struct is four pointers. */
	id = btf_find_one(&b, "counts", BTF_KIND_VAR);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(btf_resolve_size(&b, (uint32_t)id), 32);
	id = btf_find_one(&b, ".maps", BTF_KIND_DATASEC);
	ck_assert_int_gt(id, 0);
	ck_assert_uint_eq(btf_vlen(btf_type(&b, (uint32_t)id)), 1);

	/* const volatile __u32 -> 4 bytes, through the modifiers. */
	id = btf_find_one(&b, "target_tgid", BTF_KIND_VAR);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(btf_resolve_size(&b, (uint32_t)id), 4);
	t = btf_type(&b, btf_skip_mods(&b, btf_type(&b, (uint32_t)id)->type));
	ck_assert_uint_eq(btf_kind(t), BTF_KIND_INT);

	ck_assert_int_gt(btf_find_one(&b, "handle_bind", BTF_KIND_FUNC), 0);
	ck_assert_int_gt(btf_find_one(&b, "bump", BTF_KIND_FUNC), 0);
	ck_assert_int_eq(btf_find_one(&b, "bump", BTF_KIND_STRUCT), -ENOENT);
	ck_assert_int_eq(btf_find_one(&b, "nope", -1), -ENOENT);
	ck_assert_str_eq(error_msg(), "BTF: no type named nope");

	ck_assert_ptr_null(btf_type(&b, 0));
	ck_assert_ptr_null(btf_type(&b, b.nr_types));
	ck_assert_str_eq(btf_str(&b, b.strs_len), "");
	ck_assert_str_eq(btf_type_name(&b, 0), "");
	expect_msg((int)btf_resolve_size(&b, 0), "void has no size");
	btf_free(&b);
}
END_TEST

START_TEST(test_object_btf_ext)
{
	struct btf b = parse_ok();
	struct btf_ext ext;
	struct btf_ext_sec sec;
	struct bpf_core_relo r;
	struct bpf_func_info fi;
	size_t cursor = 0;
	int n = 0;

	ck_assert_msg(btf_ext_parse(&ext, ext_raw, ext_size, &b) == 0, "%s",
		      error_msg());

	/* func info: one function per code section, in file order. */
	ck_assert_int_eq(btf_ext_next(&ext, BTF_EXT_FUNC, &b, &cursor, &sec), 1);
	ck_assert_str_eq(sec.name, PROG_SEC);
	ck_assert_uint_eq(sec.count, 1);
	ck_assert_uint_eq(sec.rec_size, 8);
	memcpy(&fi, sec.recs, sizeof fi);
	ck_assert_str_eq(btf_type_name(&b, fi.type_id), "handle_bind");
	ck_assert_int_eq(btf_ext_next(&ext, BTF_EXT_FUNC, &b, &cursor, &sec), 1);
	ck_assert_str_eq(sec.name, ".text");
	memcpy(&fi, sec.recs, sizeof fi);
	ck_assert_str_eq(btf_type_name(&b, fi.type_id), "bump");
	ck_assert_int_eq(btf_ext_next(&ext, BTF_EXT_FUNC, &b, &cursor, &sec), 0);

	cursor = 0;
	while (btf_ext_next(&ext, BTF_EXT_LINE, &b, &cursor, &sec)) {
		ck_assert_uint_eq(sec.rec_size, 16);
		n += (int)sec.count;
	}
	ck_assert_int_gt(n, 5);

	/* The one CO-RE record: task->tgid, field 1 of task_struct. */
	ck_assert_int_eq(btf_ext_find(&ext, BTF_EXT_CORE, &b, PROG_SEC, &sec), 0);
	ck_assert_uint_eq(sec.count, 1);
	memcpy(&r, sec.recs, sizeof r);
	ck_assert_uint_eq(r.kind, BPF_CORE_FIELD_BYTE_OFFSET);
	ck_assert_str_eq(btf_type_name(&b, r.type_id), "task_struct");
	ck_assert_str_eq(btf_str(&b, r.access_str_off), "0:1");
	ck_assert_int_eq(btf_ext_find(&ext, BTF_EXT_CORE, &b, ".text", &sec),
			 -ENOENT);
	ck_assert_str_eq(error_msg(),
			 ".BTF.ext: no core_relo records for section .text");
	btf_free(&b);
}
END_TEST

START_TEST(test_bad_btf_header)
{
	uint32_t hdr = get32(raw, 4), str_off = get32(raw, 16);
	unsigned char *c;
	struct btf b;
	char want[128];

	c = copy(raw, raw_size); c[0] = 0;
	expect_btf_fails(c, "BTF: bad magic 0xeb00 (want 0xeb9f)");
	c = copy(raw, raw_size); c[2] = 2;
	expect_btf_fails(c, "BTF: version 2 is not supported");
	c = copy(raw, raw_size); put32(c, 4, (uint32_t)raw_size + 4);
	snprintf(want, sizeof want, "BTF: header length %zu outside blob "
		 "(%zu bytes)", raw_size + 4, raw_size);
	expect_btf_fails(c, want);
	c = copy(raw, raw_size); put32(c, 4, 8);
	expect_btf_fails(c, "BTF: header length 8 outside blob");
	c = copy(raw, raw_size); put32(c, 12, (uint32_t)raw_size);
	expect_btf_fails(c, "BTF: type section extends past end");
	c = copy(raw, raw_size); put32(c, 8, UINT32_MAX);
	expect_btf_fails(c, "BTF: type section extends past end");
	c = copy(raw, raw_size); put32(c, 20, get32(raw, 20) + 100);
	snprintf(want, sizeof want, "BTF: string section extends past end "
		 "(offset %u + len %u > %zu)", hdr + str_off,
		 get32(raw, 20) + 100, raw_size);
	expect_btf_fails(c, want);
	expect_msg(btf_parse(&b, raw, 20), "BTF: truncated header (20 bytes)");
	c = copy(raw, raw_size);
	expect_msg(btf_parse(&b, c + 1, raw_size - 1), "not 4-byte aligned");
	free(c);
}
END_TEST

START_TEST(test_bad_btf_types)
{
	struct btf b = parse_ok();
	uint32_t hdr = get32(raw, 4), type_off = get32(raw, 8);
	uint32_t strs_len = b.strs_len;
	int ts = btf_find_one(&b, "task_struct", BTF_KIND_STRUCT);
	int var = btf_find_one(&b, "counts", BTF_KIND_VAR);
	size_t at = type_at(&b, (uint32_t)ts), vat = type_at(&b, (uint32_t)var);
	unsigned char *c;
	char want[128];

	btf_free(&b);

	/* End the type section after task_struct's first member. */
	c = copy(raw, raw_size);
	put32(c, 12, (uint32_t)(at - hdr - type_off) + 12 + 12);
	snprintf(want, sizeof want, "BTF type %d: record truncated (needs 36 "
		 "bytes, 24 left)", ts);
	expect_btf_fails(c, want);

	c = copy(raw, raw_size);
	put32(c, at + 12 + 12 + 4, 9999);   /* tgid's member type */
	snprintf(want, sizeof want, "BTF type %d: member type id 9999 out of "
		 "range", ts);
	expect_btf_fails(c, want);

	c = copy(raw, raw_size);
	put32(c, vat + 8, 7777);            /* the VAR's type */
	snprintf(want, sizeof want, "BTF type %d: referenced type id 7777 out "
		 "of range", var);
	expect_btf_fails(c, want);

	c = copy(raw, raw_size);
	put32(c, at, strs_len);
	snprintf(want, sizeof want, "BTF type %d: its name offset %u out of "
		 "range (strings %u bytes)", ts, strs_len, strs_len);
	expect_btf_fails(c, want);

	c = copy(raw, raw_size);
	put32(c, at + 12, strs_len + 40);   /* pid's member name */
	snprintf(want, sizeof want, "BTF type %d: member name offset %u", ts,
		 strs_len + 40);
	expect_btf_fails(c, want);

	c = copy(raw, raw_size);
	put32(c, at + 4, (25u << 24) | 2);
	snprintf(want, sizeof want, "BTF type %d: unknown kind 25", ts);
	expect_btf_fails(c, want);
}
END_TEST

/* A CONST that points at itself: size and skip_mods must terminate. */
START_TEST(test_btf_loop)
{
	struct btf b = parse_ok();
	int var = btf_find_one(&b, "target_tgid", BTF_KIND_VAR);
	uint32_t cv = btf_type(&b, (uint32_t)var)->type;   /* const volatile */
	unsigned char *c = copy(raw, raw_size);

	ck_assert_uint_eq(btf_kind(btf_type(&b, cv)), BTF_KIND_CONST);
	put32(c, type_at(&b, cv) + 8, cv);
	btf_free(&b);
	ck_assert_int_eq(btf_parse(&b, c, raw_size), 0);
	expect_msg((int)btf_resolve_size(&b, (uint32_t)var),
		   "deeper than 32");
	ck_assert_uint_eq(btf_skip_mods(&b, cv), 0);
	btf_free(&b);
	free(c);
}
END_TEST

/* Parses a mutated .BTF.ext against the good BTF, expecting msg. */
static void expect_ext_fails(unsigned char *c, size_t n, const char *msg)
{
	struct btf b = parse_ok();
	struct btf_ext ext;

	expect_msg(btf_ext_parse(&ext, c, n, &b), msg);
	btf_free(&b);
	free(c);
}

START_TEST(test_bad_btf_ext)
{
	uint32_t hdr = get32(ext_raw, 4);
	size_t func = hdr + get32(ext_raw, 8), line = hdr + get32(ext_raw, 16);
	struct btf b = parse_ok();
	struct btf_ext ext;
	unsigned char *c;
	char want[160];

	c = copy(ext_raw, ext_size); c[1] = 0;
	expect_ext_fails(c, ext_size, ".BTF.ext: bad magic 0x009f");
	expect_ext_fails(copy(ext_raw, ext_size), 20,
			 ".BTF.ext: truncated header (20 bytes)");
	c = copy(ext_raw, ext_size); put32(c, 4, (uint32_t)ext_size + 1);
	expect_ext_fails(c, ext_size, ".BTF.ext: header length");
	c = copy(ext_raw, ext_size); put32(c, func, 4);
	expect_ext_fails(c, ext_size, ".BTF.ext func_info: rec_size 4 too small "
			 "(minimum 8)");
	c = copy(ext_raw, ext_size); put32(c, line, 12);
	expect_ext_fails(c, ext_size, ".BTF.ext line_info: rec_size 12 too small "
			 "(minimum 16)");
	c = copy(ext_raw, ext_size); put32(c, line, 18);
	expect_ext_fails(c, ext_size, ".BTF.ext line_info: rec_size 18 is not a "
			 "multiple of 4");
	c = copy(ext_raw, ext_size); put32(c, func + 4 + 4, 1000);
	expect_ext_fails(c, ext_size, ".BTF.ext func_info: section " PROG_SEC ": 1000 "
			 "records of 8 bytes extend past end of part");
	c = copy(ext_raw, ext_size); put32(c, func + 4, b.strs_len);
	snprintf(want, sizeof want, ".BTF.ext func_info: sec_name_off %u out of "
		 "range (strings %u bytes)", b.strs_len, b.strs_len);
	expect_ext_fails(c, ext_size, want);
	c = copy(ext_raw, ext_size); put32(c, 28, (uint32_t)ext_size);
	expect_ext_fails(c, ext_size, ".BTF.ext core_relo: extends past end");
	c = copy(ext_raw, ext_size); put32(c, 12, 6);
	expect_ext_fails(c, ext_size, ".BTF.ext func_info: section header "
			 "truncated");

	/* A 24-byte header has no CO-RE part: empty, not an error. */
	c = copy(ext_raw, ext_size); put32(c, 4, 24);
	put32(c, 8, get32(c, 8) + 8);
	put32(c, 16, get32(c, 16) + 8);
	ck_assert_msg(btf_ext_parse(&ext, c, ext_size, &b) == 0, "%s",
		      error_msg());
	ck_assert_uint_eq(ext.part[BTF_EXT_CORE].len, 0);
	ck_assert_uint_gt(ext.part[BTF_EXT_LINE].len, 0);
	free(c);
	btf_free(&b);
}
END_TEST

/* Every prefix of the BTF either parses or fails cleanly. */
START_TEST(test_btf_truncations)
{
	struct btf b;
	size_t n;

	for (n = 0; n < raw_size; n++) {
		int err = btf_parse(&b, raw, n);

		ck_assert_msg(err == -EINVAL, "size %zu: %d", n, err);
	}
}
END_TEST

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* btf_open_lazy over the kernel's BTF: the same count, every record and
 * name the same as btf_parse gives, and names found alike (given up
 * front or not). */
START_TEST(test_vmlinux_lazy)
{
	const char *want[] = { "sock", "inet_sock", "no_such_type_here" };
	uint32_t ids[8], more[8];
	struct btf b, z;
	struct btf_source src;
	size_t size, i, n;
	void *data = test_read_file(VMLINUX, &size);
	double t;

	if (!data)
		SKIP("no " VMLINUX);
	src = test_mem_source(data, size);
	ck_assert_msg(btf_parse(&b, data, size) == 0, "%s", error_msg());
	t = now_ms();
	ck_assert_msg(btf_open_lazy(&z, &src, want, 3) == 0, "%s", error_msg());
	printf("btf_open_lazy vmlinux: %.2f ms\n", now_ms() - t);
	fflush(stdout);
	ck_assert_uint_eq(z.nr_types, b.nr_types);
	ck_assert_uint_eq(z.strs_len, b.strs_len);
	for (i = 1; i < b.nr_types; i += 1 + i % 7) {
		const struct btf_type *x = btf_type(&b, (uint32_t)i);
		const struct btf_type *y = btf_type(&z, (uint32_t)i);
		long tail = (const char *)btf_type(&b, (uint32_t)i + 1) -
			    (const char *)x;

		ck_assert_ptr_nonnull(y);
		if (i + 1 < b.nr_types)
			ck_assert_int_eq(memcmp(x, y, (size_t)tail), 0);
		ck_assert_str_eq(btf_type_name(&b, (uint32_t)i),
				 btf_type_name(&z, (uint32_t)i));
	}
	ck_assert_ptr_null(btf_type(&z, b.nr_types));
	ck_assert_str_eq(btf_str(&z, b.strs_len), "");
	for (i = 1; i < b.nr_types; i += 9973) {
		const char *name = btf_type_name(&b, (uint32_t)i);

		n = btf_find(&b, name, strlen(name), -1, ids, 8);
		ck_assert_uint_eq(btf_find(&z, name, strlen(name), -1, more, 8), n);
		ck_assert_mem_eq(ids, more, (n < 8 ? n : 8) * sizeof *ids);
	}
	ck_assert_int_eq(btf_find_one(&z, "sock", BTF_KIND_STRUCT),
			 btf_find_one(&b, "sock", BTF_KIND_STRUCT));
	ck_assert_uint_eq(btf_find(&z, "sock___x", 4, -1, more, 8),
			  btf_find(&b, "sock", 4, -1, ids, 8));
	ck_assert_uint_eq(btf_find(&z, "no_such_type_here", 17, -1, ids, 8), 0);
	ck_assert_int_eq(btf_resolve_size(&z, (uint32_t)btf_find_one(&z,
			 "list_head", BTF_KIND_STRUCT)), 16);
	btf_free(&z);
	ck_assert_ptr_null(z.lazy);
	btf_free(&b);
	free(data);
}
END_TEST

/* Names given up front are found in one pass over the strings, eight
 * bytes at a time: every one of a few hundred names, of every length
 * (past 64 too), finds the same ids as btf_parse's lookup. */
START_TEST(test_vmlinux_lazy_many)
{
	const char *want[512];
	uint32_t ids[8], more[8];
	struct btf b, z;
	struct btf_source src;
	size_t size, i, n, nwant = 0;
	void *data = test_read_file(VMLINUX, &size);

	if (!data)
		SKIP("no " VMLINUX);
	src = test_mem_source(data, size);
	ck_assert_msg(btf_parse(&b, data, size) == 0, "%s", error_msg());
	for (i = 1; i < b.nr_types && nwant < 500; i += 1 + i % 389)
		if (btf_type_name(&b, (uint32_t)i)[0])
			want[nwant++] = btf_type_name(&b, (uint32_t)i);
	want[nwant++] = "bpf_lsm_socket_bind";   /* a long one, or none */
	ck_assert_msg(btf_open_lazy(&z, &src, want, nwant) == 0, "%s",
		      error_msg());
	for (i = 0; i < nwant; i++) {
		n = btf_find(&b, want[i], strlen(want[i]), -1, ids, 8);
		ck_assert_msg(btf_find(&z, want[i], strlen(want[i]), -1, more,
				       8) == n, "%s", want[i]);
		ck_assert_mem_eq(ids, more, (n < 8 ? n : 8) * sizeof *ids);
	}
	btf_free(&z);
	btf_free(&b);
	free(data);
}
END_TEST

START_TEST(test_vmlinux)
{
	uint32_t ids[8], more[8];
	struct btf b;
	size_t size, n, i;
	void *data = test_read_file(VMLINUX, &size);
	double t;
	int id;

	if (!data)
		SKIP("no " VMLINUX);
	t = now_ms();
	ck_assert_msg(btf_parse(&b, data, size) == 0, "%s", error_msg());
	printf("btf_parse vmlinux: %.2f ms, %u types, %zu bytes\n",
	       now_ms() - t, b.nr_types, size);
	fflush(stdout);

	id = btf_find_one(&b, "sock", BTF_KIND_STRUCT);
	ck_assert_int_gt(id, 0);
	ck_assert_int_gt(btf_resolve_size(&b, (uint32_t)id), 100);
	ck_assert_int_gt(btf_find_one(&b, "task_struct", BTF_KIND_STRUCT), 0);
	ck_assert_int_eq(btf_resolve_size(&b, (uint32_t)btf_find_one(&b,
			 "list_head", BTF_KIND_STRUCT)), 16);
	ck_assert_int_eq(btf_resolve_size(&b, (uint32_t)btf_find_one(&b, "u64",
			 BTF_KIND_TYPEDEF)), 8);
	ck_assert_int_eq(btf_resolve_size(&b, (uint32_t)btf_find_one(&b, "int",
			 BTF_KIND_INT)), 4);

	/* A length prefix: "sock___x" cut at 4 is "sock". */
	n = btf_find(&b, "sock", 4, -1, ids, 8);
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_eq(btf_find(&b, "sock___x", 4, -1, more, 8), n);
	ck_assert_mem_eq(ids, more, (n < 8 ? n : 8) * sizeof *ids);
	ck_assert_uint_eq(btf_find(&b, "sock___x", 8, -1, more, 8), 0);

	/* Names that repeat (a struct and its per-cpu variable, say) give
	 * every id, in increasing order; and every named type is found. */
	n = 0;
	for (i = 1; i < b.nr_types; i++) {
		const char *s = btf_type_name(&b, (uint32_t)i);
		size_t k, j, found = 0;

		if (!*s)
			continue;
		k = btf_find(&b, s, strlen(s), -1, ids, 8);
		ck_assert_uint_ge(k, 1);
		for (j = 0; j < k && j < 8; j++) {
			found |= ids[j] == i;
			if (j)
				ck_assert_uint_lt(ids[j - 1], ids[j]);
		}
		ck_assert_msg(found || k > 8, "%s (%zu) not found", s, i);
		n += k > 1;
	}
	ck_assert_uint_gt(n, 10);
	btf_free(&b);
	free(data);
}
END_TEST

/* A BTF blob of header, types and strings, in a 4-byte aligned buffer
 * (the caller frees it). */
static unsigned char *btf_blob(const uint32_t *types, size_t tlen,
			       const char *strs, size_t slen, size_t *size)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION,
		.hdr_len = sizeof h, .type_off = 0, .type_len = (uint32_t)tlen,
		.str_off = (uint32_t)tlen, .str_len = (uint32_t)slen,
	};
	unsigned char *b = malloc(sizeof h + tlen + slen);

	ck_assert_ptr_nonnull(b);
	memcpy(b, &h, sizeof h);
	memcpy(b + sizeof h, types, tlen);
	memcpy(b + sizeof h + tlen, strs, slen);
	*size = sizeof h + tlen + slen;
	return b;
}

#define INFO(kind, vlen) ((uint32_t)(kind) << 24 | (vlen))

/* A module's BTF over a base: ids go on from the base's, names are the
 * base's below its string length and the module's own above; types of
 * either are reached through the split one, and found by name only in
 * its own. */
START_TEST(test_split_btf)
{
	/* base: [1] int, [2] int (void), [3] FUNC bpf_base_fn */
	static const char bstr[] = "\0int\0bpf_shared\0bpf_base_fn";
	const uint32_t btypes[] = {
		1, INFO(BTF_KIND_INT, 0), 4, 32,
		0, INFO(BTF_KIND_FUNC_PROTO, 0), 1,
		16, INFO(BTF_KIND_FUNC, BTF_FUNC_GLOBAL), 2,
	};
	/* module: [4] proto, [5] FUNC bpf_mod_fn (its own name), [6] VAR
	 * and [7] FUNC bpf_shared (named by the base's string) */
	static const char mstr[] = "\0bpf_mod_fn";
	const uint32_t boff = sizeof bstr, shared = 5;
	const uint32_t mtypes[] = {
		0, INFO(BTF_KIND_FUNC_PROTO, 1), 1, 0, 1,
		boff + 1, INFO(BTF_KIND_FUNC, BTF_FUNC_GLOBAL), 4,
		shared, INFO(BTF_KIND_VAR, 0), 1, BTF_VAR_GLOBAL_ALLOCATED,
		shared, INFO(BTF_KIND_FUNC, BTF_FUNC_GLOBAL), 4,
	};
	size_t bsize, msize;
	unsigned char *bb = btf_blob(btypes, sizeof btypes, bstr, sizeof bstr,
				     &bsize);
	unsigned char *mb = btf_blob(mtypes, sizeof mtypes, mstr, sizeof mstr,
				     &msize);
	struct btf base, mod;
	const struct btf_param *p;

	ck_assert_int_eq(btf_parse(&base, bb, bsize), 0);
	ck_assert_uint_eq(base.nr_types, 4);
	ck_assert_msg(btf_parse_split(&mod, mb, msize, &base) == 0, "%s",
		      error_msg());
	ck_assert_uint_eq(mod.nr_types, 8);
	ck_assert_int_eq(btf_find_one(&mod, "bpf_mod_fn", BTF_KIND_FUNC), 5);
	ck_assert_int_eq(btf_find_one(&mod, "bpf_shared", BTF_KIND_FUNC), 7);
	ck_assert_int_eq(btf_find_one(&mod, "bpf_shared", BTF_KIND_VAR), 6);
	ck_assert_int_eq(btf_find_one(&mod, "bpf_mod_fn", BTF_KIND_VAR),
			 -ENOENT);
	/* the base's own types are not looked for in the module's */
	ck_assert_int_eq(btf_find_one(&mod, "bpf_base_fn", -1), -ENOENT);
	/* but reached from it: [5]'s prototype takes the base's int */
	p = btf_tail(btf_type(&mod, btf_type(&mod, 5)->type));
	ck_assert_str_eq(btf_type_name(&mod, p[0].type), "int");
	ck_assert_str_eq(btf_type_name(&mod, 3), "bpf_base_fn");
	ck_assert_str_eq(btf_type_name(&mod, 5), "bpf_mod_fn");
	ck_assert_ptr_null(btf_type(&mod, 8));
	btf_free(&mod);
	/* cut in the last record; a kind nobody knows; a type past the end */
	mb[sizeof(struct btf_header) - 12] -= 4;        /* type_len */
	expect_msg(btf_parse_split(&mod, mb, msize, &base), "truncated");
	mb[sizeof(struct btf_header) - 12] += 4;
	mb[sizeof(struct btf_header) + 4 + 3] = 31;     /* [4]'s kind */
	expect_msg(btf_parse_split(&mod, mb, msize, &base), "unknown kind");
	mb[sizeof(struct btf_header) + 4 + 3] = BTF_KIND_FUNC_PROTO;
	put32(mb, sizeof(struct btf_header) + 20 + 8, 8);  /* [5]'s type */
	expect_msg(btf_parse_split(&mod, mb, msize, &base), "out of range");
	btf_free(&base);
	free(bb);
	free(mb);
}
END_TEST

/* --- the lazy reader's name index, on a BTF made for it --- */

/* Wanted names that share the index's filters: a length (mod 64) and
 * first byte (mod 32) with "abcd" (so one bucket), or only a length. */
static const char *const twins[] = {
	"abcd", "abzz", "Abcd", "a23456789012345678901234567890123456",
	"a2345678901234567890123456789012345678901234567890123456789012345678",
	"qqqq", "x",
};
/* Names that share those filters with a present name, or are a prefix,
 * or a suffix, or a longer form of one, but are nowhere in the BTF. */
static const char *const absent[] = {
	"abce", "Abce", "abc", "abcde", "bcd",
	"a23456789012345678901234567890123457", "no_such_type_here", "y",
};

struct blob {
	unsigned char *buf;
	size_t size;
};

static void put(struct blob *b, const void *p, size_t n)
{
	b->buf = realloc(b->buf, b->size + n);
	ck_assert_ptr_nonnull(b->buf);
	memcpy(b->buf + b->size, p, n);
	b->size += n;
}

static uint32_t put_str(struct blob *s, const char *str)
{
	uint32_t off = (uint32_t)s->size;

	put(s, str, strlen(str) + 1);
	return off;
}

static void put_type(struct blob *t, uint32_t name, unsigned kind,
		     unsigned vlen, uint32_t size_or_type)
{
	struct btf_type r = { name, (uint32_t)kind << 24 | vlen,
			      { size_or_type } };

	put(t, &r, sizeof r);
}

/* A BTF of ~300 KiB, more than the reader's 64 KiB chunks both in
 * strings and in records, so both lie across chunk ends (shift moves
 * where): filler strings of every length up to 60, each named by a
 * TYPEDEF, every fifth also by a STRUCT of three members; every twin
 * and the strings "abcdef" and "xabcd" a few times over, once just
 * before the first chunk's end (a STRUCT and a TYPEDEF each time). */
static unsigned char *lazy_btf(size_t shift, size_t *size)
{
	struct blob t = { 0 }, s = { 0 }, out = { 0 };
	struct btf_header h = { BTF_MAGIC, 1, 0, sizeof h, 0, 0, 0, 0 };
	char name[96];
	uint32_t off, enc = 32, m[3];
	size_t i, j;

	put(&s, "", 1);
	memset(name, 'z', shift);
	name[shift] = 0;
	off = put_str(&s, shift ? name : "pad");
	put_type(&t, off, BTF_KIND_INT, 0, 4);          /* [1] */
	put(&t, &enc, sizeof enc);
	for (i = 0; i < 8000; i++) {
		if (i % 997 == 0 ||
		    (s.size > 65536 - 100 && s.size - 65536 + 100 < 40))
			for (j = 0; j < sizeof twins / sizeof *twins + 2; j++) {
				const char *n = j < 2 ? (j ? "xabcd" : "abcdef") :
						twins[j - 2];

				off = put_str(&s, n);
				put_type(&t, off, BTF_KIND_TYPEDEF, 0, 1);
				put_type(&t, off, BTF_KIND_STRUCT, 0, 0);
			}
		snprintf(name, sizeof name, "f%zu_%.*s", i, (int)(i % 55),
			 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
		off = put_str(&s, name);
		put_type(&t, off, BTF_KIND_TYPEDEF, 0, 1);
		if (i % 5)
			continue;
		put_type(&t, off, BTF_KIND_STRUCT, 3, 12);
		for (j = 0; j < 3; j++) {
			m[0] = off;
			m[1] = 1;
			m[2] = (uint32_t)j * 32;
			put(&t, m, sizeof m);
		}
	}
	h.type_len = (uint32_t)t.size;
	h.str_off = (uint32_t)t.size;
	h.str_len = (uint32_t)s.size;
	put(&out, &h, sizeof h);
	put(&out, t.buf, t.size);
	put(&out, s.buf, s.size);
	free(t.buf);
	free(s.buf);
	*size = out.size;
	return out.buf;
}

/* Does a copy of name lie across the end of the reader's first chunk of
 * strings (64 KiB)? */
static int name_across_chunks(const unsigned char *blob, const char *name)
{
	const struct btf_header *h = (const void *)blob;
	const char *strs = (const char *)blob + h->hdr_len + h->str_off;
	size_t len = strlen(name), at = 65536;
	const char *hit = memmem(strs + at - len, 2 * len, name, len);

	return hit && (size_t)(hit - strs) < at && hit[-1] == 0 &&
	       hit[len] == 0;
}

static void expect_same_find(const struct btf *b, const struct btf *z,
			     const char *name)
{
	uint32_t ids[16], more[16];
	size_t n = btf_find(b, name, strlen(name), -1, ids, 16);

	ck_assert_msg(btf_find(z, name, strlen(name), -1, more, 16) == n,
		      "%s: %zu ids in memory", name, n);
	ck_assert_mem_eq(ids, more, (n < 16 ? n : 16) * sizeof *ids);
}

/* Names given up front, names that collide with them in the index, and
 * names asked for later: the same ids as btf_parse's own index, at
 * every shift of the strings against the chunks; and every record the
 * same. */
START_TEST(test_lazy_index)
{
	const size_t ntwins = sizeof twins / sizeof *twins;
	const char *want[16];
	int crossed = 0;
	size_t shift, size, i;

	/* the last two twins and all but one absent name asked for later */
	for (i = 0; i < ntwins - 2; i++)
		want[i] = twins[i];
	want[ntwins - 2] = absent[0];
	for (shift = 0; shift < 48; shift += 7) {
		unsigned char *blob = lazy_btf(shift, &size);
		struct btf_source src = test_mem_source(blob, size);
		struct btf b, z;
		uint32_t id;

		ck_assert_msg(btf_parse(&b, blob, size) == 0, "%s", error_msg());
		ck_assert_msg(btf_open_lazy(&z, &src, want, ntwins - 1) == 0,
			      "%s", error_msg());
		ck_assert_uint_eq(z.nr_types, b.nr_types);
		for (i = 0; i < ntwins; i++) {
			ck_assert_uint_ge(btf_find(&b, twins[i],
				strlen(twins[i]), -1, NULL, 0), 18);
			expect_same_find(&b, &z, twins[i]);
			crossed |= name_across_chunks(blob, twins[i]);
		}
		for (i = 0; i < sizeof absent / sizeof *absent; i++) {
			ck_assert_uint_eq(btf_find(&z, absent[i],
				strlen(absent[i]), -1, NULL, 0), 0);
			expect_same_find(&b, &z, absent[i]);
		}
		expect_same_find(&b, &z, "abcdef");
		expect_same_find(&b, &z, "f7777_kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
		for (id = 1; id < b.nr_types; id++) {
			const struct btf_type *x = btf_type(&b, id);
			const struct btf_type *y = btf_type(&z, id);

			ck_assert_ptr_nonnull(y);
			ck_assert_int_eq(memcmp(x, y, sizeof *x), 0);
			ck_assert_str_eq(btf_type_name(&b, id),
					 btf_type_name(&z, id));
		}
		btf_free(&z);
		btf_free(&b);
		free(blob);
	}
	ck_assert_msg(crossed, "no wanted name lay across a chunk's end");
}
END_TEST

/* Broken past the first chunk, or at the ends: refused at open, as
 * btf_parse refuses it. */
static void expect_lazy_refused(unsigned char *blob, size_t size,
				const char *msg)
{
	struct btf_source src = test_mem_source(blob, size);
	const char *want[] = { "abcd", "f7999_kkkk" };
	struct btf b;

	expect_msg(btf_parse(&b, blob, size), msg);
	expect_msg(btf_open_lazy(&b, &src, want, 2), msg);
	ck_assert_ptr_null(b.lazy);
}

START_TEST(test_lazy_index_bad)
{
	size_t size;
	unsigned char *blob = lazy_btf(0, &size);
	const struct btf_header *h = (const void *)blob;
	size_t types = h->hdr_len + h->type_off, strs = h->hdr_len + h->str_off;
	size_t mid, last = types + h->type_len - sizeof(struct btf_type);
	struct btf b;

	ck_assert_msg(btf_parse(&b, blob, size) == 0, "%s", error_msg());
	mid = type_at(&b, b.nr_types / 2);
	ck_assert_uint_gt(mid - types, 65536);
	btf_free(&b);
	blob[mid + 7] = 31;                     /* a kind no one knows */
	expect_lazy_refused(blob, size, "unknown kind 31");
	blob[mid + 7] = BTF_KIND_TYPEDEF;
	blob[last + 7] = BTF_KIND_STRUCT;       /* members past the end */
	blob[last + 4] = 1;
	expect_lazy_refused(blob, size, "truncated");
	blob[last + 7] = BTF_KIND_TYPEDEF;
	blob[last + 4] = 0;
	blob[size - 1] = 'k';                   /* no NUL at the end */
	expect_lazy_refused(blob, size, "string");
	blob[size - 1] = 0;
	blob[strs] = 'k';                       /* the first string not "" */
	expect_lazy_refused(blob, size, "string");
	free(blob);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("btf");
	TCase *tc = tcase_create("btf");

	tcase_add_checked_fixture(tc, load_obj, free_obj);
	tcase_add_test(tc, test_object_btf);
	tcase_add_test(tc, test_object_btf_ext);
	tcase_add_test(tc, test_bad_btf_header);
	tcase_add_test(tc, test_bad_btf_types);
	tcase_add_test(tc, test_btf_loop);
	tcase_add_test(tc, test_bad_btf_ext);
	tcase_add_test(tc, test_vmlinux_lazy);
	tcase_add_test(tc, test_vmlinux_lazy_many);
	tcase_add_test(tc, test_lazy_index);
	tcase_add_test(tc, test_lazy_index_bad);
	tcase_add_test(tc, test_btf_truncations);
	tcase_add_test(tc, test_vmlinux);
	tcase_add_test(tc, test_split_btf);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
