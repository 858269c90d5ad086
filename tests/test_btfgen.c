/* btfgen (obj/btfgen.c): the minimal BTF it cuts from a kernel's.
 *
 * Inputs: this machine's /sys/kernel/btf/vmlinux, the VM kernel's 6.1 BTF
 * (build/vm/vmlinux-6.1.btf, from tests/vm/kernel.sh) and the committed
 * fixtures (tests/fixtures/btf), each skipped when absent. Objects: every
 * embedded tool object, tests/bpf/core.bpf.o, which holds records of
 * every kind (type and enum records, arrays, flavors) the tools lack,
 * tests/bpf/btfgen.bpf.o, type records that look behind pointers, and
 * tests/bpf/core_match.bpf.o, type_matches records, which look into
 * members, enumerators and prototypes.
 *
 * For each input, what btfgen writes must
 *   - read back with our reader and with `bpftool btf dump file`;
 *   - resolve every CO-RE record of every object exactly as the whole
 *     input does (offset, size, poison, the patched instruction);
 *   - agree, record by record, with what `bpftool gen min_core_btf`
 *     keeps for the same objects (an independent cut);
 *   - stay under 64 KiB.
 * No number is read off a kernel: every expectation compares two
 * resolutions of the same record.
 *
 * With --drop of sock_common's skc_v6_* (a kernel built without IPv6),
 * those reads must be poisoned or answer "does not exist", everything
 * else unchanged, and (as root) each tool's tracepoint programs must still
 * pass the verifier: the SKC_HAS_V6 guards make the v6 reads dead code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "elf/btf.h"
#include "elf/error.h"
#include "obj/btfgen.h"
#include "obj/core.h"
#include "loader/embedded.h"
#include "obj/object.h"
#include "loader/session.h"
#include "tests/testutil.h"

#define HOST_BTF "/sys/kernel/btf/vmlinux"
#define VM61_BTF "build/vm/vmlinux-6.1.btf"
#define FX618 "tests/fixtures/btf/core-6.18.44-fc-v657.btf"
#define FX61 "tests/fixtures/btf/core-6.1.0-57-cloud-amd64.btf"
#define CORE_OBJ "build/bpf/tests/core.bpf.o"
#define TYPES_OBJ "build/bpf/tests/btfgen.bpf.o"
#define MATCH_OBJ "build/bpf/tests/core_match.bpf.o"
#define MAX_OBJS 16
#define SIZE_LIMIT (64 * 1024)

static const char *const no_v6[] = {
	"sock_common.skc_v6_daddr", "sock_common.skc_v6_rcv_saddr",
};

struct objs {
	struct obj o[MAX_OBJS];
	char file[MAX_OBJS][64];        /* the .o bpftool reads */
	size_t n;
	void *bufs[3];
	void *data[MAX_OBJS];           /* the embedded ones, inflated */
};

static void open_file(struct objs *s, const char *path, const char *name)
{
	void **buf = &s->bufs[!s->bufs[0] ? 0 : !s->bufs[1] ? 1 : 2];
	size_t size;

	*buf = test_read_file(path, &size);
	ck_assert_msg(*buf, "cannot read %s", path);
	ck_assert_msg(obj_open(&s->o[s->n], name, *buf, size) == 0, "%s: %s",
		      path, error_msg());
	snprintf(s->file[s->n++], sizeof s->file[0], "%s", path);
}

/* Every embedded object, plus the test objects core.bpf.o, btfgen.bpf.o
 * and core_match.bpf.o when with_tests. */
static void open_objs(struct objs *s, int with_tests)
{
	const struct embedded_obj *e;
	size_t size;

	memset(s, 0, sizeof *s);
	for (e = embedded_objs; e->name; e++, s->n++) {
		ck_assert_uint_lt(s->n, MAX_OBJS);
		ck_assert_msg(embedded_inflate(e, &s->data[s->n], &size) == 0,
			      "%s: %s", e->name, error_msg());
		ck_assert_msg(obj_open(&s->o[s->n], e->name, s->data[s->n],
				       size) == 0,
			      "%s: %s", e->name, error_msg());
		snprintf(s->file[s->n], sizeof s->file[0], "build/bpf/%s.bpf.o",
			 e->name);
	}
	if (with_tests) {
		open_file(s, CORE_OBJ, "core");
		open_file(s, TYPES_OBJ, "types");
		open_file(s, MATCH_OBJ, "core_match");
	}
}

static void close_objs(struct objs *s)
{
	size_t i;

	while (s->n > 0)
		obj_close(&s->o[--s->n]);
	for (i = 0; i < MAX_OBJS; i++)
		free(s->data[i]);
	free(s->bufs[0]);
	free(s->bufs[1]);
	free(s->bufs[2]);
}

/* How one record resolved against one BTF. */
struct outcome {
	int err, poisoned;
	uint64_t target;
	struct bpf_insn insn[2];
	char path[160];
};

static void resolve(struct obj *o, const char *sec, const struct bpf_core_relo *rec,
		    const struct btf *target, struct outcome *out)
{
	const void *code;
	size_t size, count, idx = rec->insn_off / sizeof(struct bpf_insn);
	struct bpf_insn *insns;
	struct core_result res;
	int s = elf_find_section(&o->elf, sec);

	ck_assert_msg(s > 0, "%s: no section %s", o->name, sec);
	ck_assert_int_eq(elf_section_data(&o->elf, (unsigned)s, &code, &size), 0);
	count = size / sizeof *insns;
	ck_assert_uint_lt(idx, count);
	insns = malloc(size);
	ck_assert_ptr_nonnull(insns);
	memcpy(insns, code, size);
	memset(out, 0, sizeof *out);
	out->err = core_relocate(insns, count, idx, &o->btf, target, rec, &res);
	out->poisoned = res.poisoned;
	out->target = res.target;
	memcpy(out->insn, &insns[idx], (idx + 1 < count ? 2 : 1) * sizeof *insns);
	snprintf(out->path, sizeof out->path, "%s", res.path);
	free(insns);
}

/* Every record of every object resolves the same against a as against
 * b, except (when v6_gone) the skc_v6_* reads, which must find nothing in
 * b. A target type id is b's own numbering: only its being there counts.
 * Returns the number of records compared. */
static size_t compare(struct objs *s, const struct btf *a, const char *an,
		      const struct btf *b, const char *bn, int v6_gone)
{
	struct btf_ext_sec sec;
	struct bpf_core_relo rec;
	struct outcome x, y;
	size_t i, cursor, n = 0, v6 = 0;
	uint32_t r;

	for (i = 0; i < s->n; i++) {
		struct obj *o = &s->o[i];

		for (cursor = 0; o->has_ext && btf_ext_next(&o->ext, BTF_EXT_CORE,
							     &o->btf, &cursor, &sec);) {
			for (r = 0; r < sec.count; r++, n++) {
				memcpy(&rec, sec.recs + (size_t)r * sec.rec_size,
				       sizeof rec);
				resolve(o, sec.name, &rec, a, &x);
				resolve(o, sec.name, &rec, b, &y);
				ck_assert_msg(x.err == 0 && y.err == 0,
					      "%s %s insn %u: %s", o->name,
					      sec.name, rec.insn_off / 8,
					      error_msg());
				if (v6_gone && strstr(x.path, ".skc_v6_")) {
					v6++;
					ck_assert_msg(y.poisoned || (rec.kind ==
						      BPF_CORE_FIELD_EXISTS &&
						      y.target == 0),
						      "%s %s %s: found in %s",
						      o->name, sec.name, x.path, bn);
					continue;
				}
				ck_assert_msg(x.poisoned == y.poisoned &&
					      (rec.kind == BPF_CORE_TYPE_ID_TARGET ?
					       !x.target == !y.target :
					       x.target == y.target &&
					       !memcmp(x.insn, y.insn, sizeof x.insn)),
					      "%s %s insn %u %s %s: %s gives %llu%s, "
					      "%s gives %llu%s", o->name, sec.name,
					      rec.insn_off / 8,
					      core_kind_name(rec.kind), x.path, an,
					      (unsigned long long)x.target,
					      x.poisoned ? " (poisoned)" : "", bn,
					      (unsigned long long)y.target,
					      y.poisoned ? " (poisoned)" : "");
			}
		}
	}
	ck_assert_msg(!v6_gone || v6 > 0, "no skc_v6_* record met");
	return n;
}

/* btfgen's cut of path for the objects (members of drop left out). */
static void *cut(const struct btf *full, struct objs *s, const char *const *drop,
		 size_t nr_drop, size_t *size)
{
	struct btfgen g;
	void *out;
	size_t i;

	ck_assert_msg(btfgen_init(&g, full) == 0, "%s", error_msg());
	for (i = 0; i < nr_drop; i++)
		ck_assert_msg(btfgen_drop(&g, drop[i]) == 0, "%s", error_msg());
	for (i = 0; i < s->n; i++)
		ck_assert_msg(btfgen_add_obj(&g, &s->o[i]) == 0, "%s",
			      error_msg());
	ck_assert_msg(btfgen_write(&g, &out, size) == 0, "%s", error_msg());
	btfgen_free(&g);
	return out;
}

static int have_bpftool(void)
{
	return system("bpftool version >/dev/null 2>&1") == 0;
}

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, size, f), size);
	ck_assert_int_eq(fclose(f), 0);
}

/* The whole check for one input BTF file. */
static void check_input(const char *path, int with_tests)
{
	char tmp[] = "/tmp/rawtrace-btfgen-XXXXXX", file[64], cmd[1024];
	struct btf full, min, ref;
	struct objs s;
	void *buf, *out, *ref_buf;
	size_t size, out_size, ref_size, i, n;
	int len;

	buf = test_read_file(path, &size);
	if (!buf) {
		printf("skipped: btfgen of %s: cannot read it\n", path);
		return;
	}
	ck_assert_msg(btf_parse(&full, buf, size) == 0, "%s: %s", path,
		      error_msg());
	open_objs(&s, with_tests);
	out = cut(&full, &s, NULL, 0, &out_size);
	printf("btfgen of %s: %zu bytes\n", path, out_size);
	ck_assert_uint_lt(out_size, SIZE_LIMIT);

	/* read back by us, then compared record by record */
	ck_assert_msg(btf_parse(&min, out, out_size) == 0, "%s", error_msg());
	n = compare(&s, &full, path, &min, "btfgen's BTF", 0);
	ck_assert_uint_gt(n, 0);

	if (!have_bpftool()) {
		printf("skipped: bpftool checks of %s: no bpftool\n", path);
		goto done;
	}
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(file, sizeof file, "%s/min.btf", tmp);
	write_file(file, out, out_size);
	snprintf(cmd, sizeof cmd, "bpftool btf dump file %s >/dev/null", file);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);

	/* bpftool's own cut of the same objects */
	len = snprintf(cmd, sizeof cmd, "bpftool gen min_core_btf %s %s/ref.btf",
		       path, tmp);
	for (i = 0; i < s.n; i++)
		len += snprintf(cmd + len, sizeof cmd - (size_t)len, " %s",
				s.file[i]);
	ck_assert_int_lt(len, (int)sizeof cmd);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
	snprintf(file, sizeof file, "%s/ref.btf", tmp);
	ref_buf = test_read_file(file, &ref_size);
	ck_assert_ptr_nonnull(ref_buf);
	ck_assert_msg(btf_parse(&ref, ref_buf, ref_size) == 0, "%s", error_msg());
	printf("bpftool gen min_core_btf of %s: %zu bytes\n", path, ref_size);
	compare(&s, &ref, "bpftool's BTF", &min, "btfgen's BTF", 0);
	btf_free(&ref);
	free(ref_buf);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	ck_assert_int_eq(system(cmd), 0);
done:
	btf_free(&min);
	free(out);
	close_objs(&s);
	btf_free(&full);
	free(buf);
}

START_TEST(host_btf)
{
	if (access(HOST_BTF, R_OK) != 0)
		SKIP("no " HOST_BTF);
	check_input(HOST_BTF, 1);
}
END_TEST

START_TEST(vm61_btf)
{
	if (access(VM61_BTF, R_OK) != 0)
		SKIP("no " VM61_BTF " (tests/vm/kernel.sh fetches it)");
	check_input(VM61_BTF, 1);
}
END_TEST

/* The fixtures are bpftool's cuts for core.bpf.o; cut again, with the
 * tool objects too (whose types they partly lack): same answers. */
START_TEST(fixtures)
{
	check_input(FX618, 1);
	check_input(FX61, 1);
}
END_TEST

/* A kernel built without IPv6: skc_v6_* reads find nothing, all else as
 * before, in both kernels' BTF. */
START_TEST(without_ipv6_fields)
{
	const char *paths[] = { HOST_BTF, VM61_BTF };
	size_t i, size, out_size;
	struct btf full, min;
	struct objs s;
	void *buf, *out;

	for (i = 0; i < 2; i++) {
		buf = test_read_file(paths[i], &size);
		if (!buf) {
			printf("skipped: without_ipv6_fields: no %s\n", paths[i]);
			continue;
		}
		ck_assert_msg(btf_parse(&full, buf, size) == 0, "%s", error_msg());
		open_objs(&s, 0);
		out = cut(&full, &s, no_v6, 2, &out_size);
		ck_assert_msg(btf_parse(&min, out, out_size) == 0, "%s",
			      error_msg());
		compare(&s, &full, paths[i], &min, "btfgen's BTF without v6", 1);
		btf_free(&min);
		free(out);
		close_objs(&s);
		btf_free(&full);
		free(buf);
	}
}
END_TEST

/* btfgen_check_obj (what `rawtrace btfgen` runs before writing) notices
 * a cut that resolves differently: here one without the v6 fields. */
START_TEST(check_obj_notices_a_difference)
{
	struct btf full, min;
	struct objs s;
	void *buf, *out;
	size_t size, out_size, i;
	int differs = 0;

	buf = test_read_file(FX618, &size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(btf_parse(&full, buf, size), 0);
	open_objs(&s, 1);
	out = cut(&full, &s, NULL, 0, &out_size);
	ck_assert_int_eq(btf_parse(&min, out, out_size), 0);
	for (i = 0; i < s.n; i++)
		ck_assert_msg(btfgen_check_obj(&s.o[i], &full, &min) == 0, "%s",
			      error_msg());
	btf_free(&min);
	free(out);
	/* the fixture has the one v6 field core.bpf.o reads */
	out = cut(&full, &s, no_v6 + 1, 1, &out_size);
	ck_assert_int_eq(btf_parse(&min, out, out_size), 0);
	for (i = 0; i < s.n; i++)
		if (btfgen_check_obj(&s.o[i], &full, &min) == -EPROTO)
			differs = 1;
	ck_assert_msg(differs, "no object resolved differently without v6");
	btf_free(&min);
	free(out);
	close_objs(&s);
	btf_free(&full);
	free(buf);
}
END_TEST

START_TEST(drop_spec_checked)
{
	struct btf full;
	struct btfgen g;
	struct objs s;
	void *buf, *out;
	size_t size, out_size, i;

	buf = test_read_file(FX618, &size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(btf_parse(&full, buf, size), 0);
	ck_assert_int_eq(btfgen_init(&g, &full), 0);
	ck_assert_int_eq(btfgen_drop(&g, "sock_common"), -EINVAL);
	ck_assert_int_eq(btfgen_drop(&g, ".skc_num"), -EINVAL);
	ck_assert_int_eq(btfgen_drop(&g, "sock_common."), -EINVAL);
	ck_assert_int_eq(btfgen_drop(&g, "sock_common.skc_family"), 0);
	/* a member no record reads: a typo, refused when writing */
	ck_assert_int_eq(btfgen_drop(&g, "sock_common.skc_nun"), 0);
	open_objs(&s, 1);
	for (i = 0; i < s.n; i++)
		ck_assert_int_eq(btfgen_add_obj(&g, &s.o[i]), 0);
	ck_assert_int_eq(btfgen_write(&g, &out, &out_size), -ENOENT);
	ck_assert_msg(strstr(error_msg(), "skc_nun"), "%s", error_msg());
	close_objs(&s);
	btfgen_free(&g);
	btf_free(&full);
	free(buf);
}
END_TEST

/* Root: the tracepoint programs of bind, listen and connect load (the
 * verifier accepts them) with the running kernel's BTF cut without the
 * v6 fields, given as --btf. */
START_TEST(tracepoints_load_without_ipv6_fields)
{
	static const char *const tools[] = { "bind", "listen", "connect" };
	static const char *const bind_tp[] = { "tp_enter_bind", "tp_exit_bind", NULL };
	static const char *const listen_tp[] = { "tp_enter_listen", "tp_exit_listen", NULL };
	static const char *const connect_tp[] = { "tp_enter_connect",
		"tp_exit_connect", "tp_state", NULL };
	const char *const *progs[] = { bind_tp, listen_tp, connect_tp };
	char path[] = "/tmp/rawtrace-btfgen-nov6-XXXXXX";
	struct btf full;
	struct objs s;
	struct session ss;
	void *buf, *out;
	size_t size, out_size, i;
	int fd, err;

	SKIP_UNLESS_ROOT();
	buf = test_read_file(HOST_BTF, &size);
	if (!buf)
		SKIP("no " HOST_BTF);
	ck_assert_int_eq(btf_parse(&full, buf, size), 0);
	open_objs(&s, 0);
	out = cut(&full, &s, no_v6, 2, &out_size);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file(path, out, out_size);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(session_open(&ss, tools[i]), 0);
		err = session_load(&ss, progs[i], path);
		session_close(&ss);
		ck_assert_msg(err == 0, "%s: %s", tools[i], error_msg());
	}
	unlink(path);
	free(out);
	close_objs(&s);
	btf_free(&full);
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("btfgen");
	TCase *tc = tcase_create("btfgen");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, host_btf);
	tcase_add_test(tc, vm61_btf);
	tcase_add_test(tc, fixtures);
	tcase_add_test(tc, without_ipv6_fields);
	tcase_add_test(tc, check_obj_notices_a_difference);
	tcase_add_test(tc, drop_spec_checked);
	tcase_add_test(tc, tracepoints_load_without_ipv6_fields);
	suite_add_tcase(s, tc);
	return test_main(s);
}
