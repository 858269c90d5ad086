/* Externs, maps and struct_ops of libbpf-style objects (issue 21), on
 * tests/bpf/externs.bpf.c and struct_ops.bpf.c: the extern records and
 * the kconfig layout (libbpf's: bpftool's skeleton of the same object
 * has the same offsets), the BTF rewritten for the kernel, and the
 * relocation of each kind of extern with a fake provider of the
 * kernel's values. No kernel needed. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "elf/error.h"
#include "loader/externs.h"
#include "loader/kbtf.h"
#include "loader/load.h"
#include "obj/object.h"
#include "tests/testutil.h"

#define OBJ "build/bpf/tests/externs.bpf.o"
#define STRUCT_OPS_OBJ "build/bpf/tests/struct_ops.bpf.o"

static struct obj o;
static void *buf;

static void setup(void)
{
	size_t size;

	buf = test_read_file(OBJ, &size);
	ck_assert_msg(buf, "cannot read %s (make tests builds it)", OBJ);
	ck_assert_msg(obj_open(&o, "externs", buf, size) == 0, "%s",
		      error_msg());
	o.keep_notes = 1;
}

static void teardown(void)
{
	obj_close(&o);
	free(buf);
}

static const struct obj_extern *ext(const char *name)
{
	size_t i;

	for (i = 0; i < o.nr_externs; i++)
		if (strcmp(o.externs[i].name, name) == 0)
			return &o.externs[i];
	ck_abort_msg("no extern %s", name);
	return NULL;
}

static struct obj_map *kconfig_map(void)
{
	size_t i;

	for (i = 0; i < o.nr_maps; i++)
		if (o.maps[i].is_kconfig)
			return &o.maps[i];
	ck_abort_msg("no .kconfig map");
	return NULL;
}

START_TEST(extern_records)
{
	const struct obj_extern *e;

	ck_assert_uint_eq(o.nr_externs, 9);
	/* libbpf's layout: by alignment, then size, then name */
	e = ext("CONFIG_HZ");
	ck_assert_int_eq(e->kind, EXTERN_KCONFIG);
	ck_assert_int_eq(e->kc_type, KCONFIG_INT);
	ck_assert_uint_eq(e->offset, 0);
	ck_assert_uint_eq(e->size, 8);
	ck_assert_int_eq(e->weak, 1);
	ck_assert_uint_eq(ext("CONFIG_NF_CONNTRACK")->offset, 8);
	ck_assert_int_eq(ext("CONFIG_NF_CONNTRACK")->kc_type, KCONFIG_TRISTATE);
	e = ext("LINUX_KERNEL_VERSION");
	ck_assert_uint_eq(e->offset, 12);
	ck_assert_int_eq(e->weak, 0);
	ck_assert_int_eq(e->kc_signed, 1);
	ck_assert_int_eq(ext("CONFIG_BPF_SYSCALL")->kc_type, KCONFIG_BOOL);
	ck_assert_uint_eq(ext("CONFIG_BPF_SYSCALL")->offset, 16);
	e = ext("CONFIG_LOCALVERSION");
	ck_assert_int_eq(e->kc_type, KCONFIG_CHAR_ARRAY);
	ck_assert_uint_eq(e->offset, 17);
	ck_assert_uint_eq(o.kconfig_size, 25);
	ck_assert_uint_eq(kconfig_map()->value_size, 25);
	e = ext("bpf_prog_active");
	ck_assert_int_eq(e->kind, EXTERN_KSYM);
	ck_assert_int_eq(e->is_func, 0);
	ck_assert_uint_ne(e->type_id, 0);
	ck_assert_int_eq(e->weak, 0);
	ck_assert_uint_eq(ext("bpf_link_fops")->type_id, 0);  /* typeless */
	e = ext("bpf_task_from_pid");
	ck_assert_int_eq(e->is_func, 1);
	ck_assert_int_eq(e->weak, 1);
	ck_assert_int_eq(ext("bpf_task_release")->weak, 0);
	/* kconfig first, then ksyms by name: the index a poisoned call
	 * carries is libbpf's */
	ck_assert_str_eq(o.externs[5].name, "bpf_link_fops");
}
END_TEST

/* As libbpf leaves it for BPF_BTF_LOAD: allocated VARs at their
 * offsets, .ksyms entries as ints, kfuncs global. */
START_TEST(btf_rewritten_for_the_kernel)
{
	int id = btf_find_one(&o.btf, ".kconfig", BTF_KIND_DATASEC);
	const struct btf_type *t, *var, *f;
	const struct btf_var_secinfo *v;
	unsigned i;

	ck_assert_int_gt(id, 0);
	t = btf_type(&o.btf, (uint32_t)id);
	ck_assert_uint_eq(t->size, 25);
	v = btf_tail(t);
	for (i = 0; i < btf_vlen(t); i++) {
		var = btf_type(&o.btf, v[i].type);
		ck_assert_int_eq(((const struct btf_var *)btf_tail(var))->linkage,
				 BTF_VAR_GLOBAL_ALLOCATED);
		ck_assert_uint_eq(v[i].offset,
				  ext(btf_str(&o.btf, var->name_off))->offset);
	}
	id = btf_find_one(&o.btf, ".ksyms", BTF_KIND_DATASEC);
	ck_assert_int_gt(id, 0);
	t = btf_type(&o.btf, (uint32_t)id);
	ck_assert_uint_eq(t->size, 4 * btf_vlen(t));
	v = btf_tail(t);
	for (i = 0; i < btf_vlen(t); i++)   /* kfuncs: the stand-in VAR */
		ck_assert_int_eq(btf_kind(btf_type(&o.btf, v[i].type)),
				 BTF_KIND_VAR);
	f = btf_type(&o.btf, ext("bpf_task_release")->btf_id);
	ck_assert_int_eq(btf_vlen(f), BTF_FUNC_GLOBAL);
	var = btf_type(&o.btf, ext("bpf_prog_active")->btf_id);
	ck_assert_int_eq(btf_kind(btf_type(&o.btf, var->type)), BTF_KIND_INT);
}
END_TEST

/* The proof of the rewriting: this kernel loads the BTF (libbpf's
 * objects would not load as clang wrote them). */
START_TEST(kernel_takes_the_btf)
{
	static char log[1 << 16];
	union bpf_attr a;
	long fd;

	SKIP_UNLESS_ROOT();
	memset(&a, 0, sizeof a);
	a.btf = (uintptr_t)o.btf_copy;
	a.btf_size = (uint32_t)o.btf.size;
	a.btf_log_buf = (uintptr_t)log;
	a.btf_log_size = sizeof log;
	a.btf_log_level = 1;
	fd = syscall(__NR_bpf, BPF_BTF_LOAD, &a, sizeof a);
	if (fd < 0 && (errno == EPERM || errno == ENOSYS))
		SKIP("no BPF_BTF_LOAD here");
	ck_assert_msg(fd >= 0, "BPF_BTF_LOAD: %s", log);
	close((int)fd);
}
END_TEST

/* The fake kernel: every kconfig value, bpf_prog_active (in a module:
 * BTF fd 41) and bpf_task_release (in one: BTF fd 42, fd_array slot 3);
 * no bpf_link_fops, no bpf_task_from_pid. */
static int fake_kernel(void *ctx, const struct obj_extern *e,
		       struct extern_value *v)
{
	static const struct { const char *name, *value; } kc[] = {
		{ "LINUX_KERNEL_VERSION", "0x060112" },
		{ "CONFIG_BPF_SYSCALL", "y" },
		{ "CONFIG_NF_CONNTRACK", "m" },
		{ "CONFIG_LOCALVERSION", "\"-cloud-amd64\"" },
		{ "CONFIG_HZ", "250" },
	};
	size_t i;

	(void)ctx;
	for (i = 0; i < sizeof kc / sizeof kc[0]; i++)
		if (strcmp(e->name, kc[i].name) == 0) {
			v->found = 1;
			v->kconfig = kc[i].value;
		}
	if (strcmp(e->name, "bpf_prog_active") == 0) {    /* a module's */
		v->found = 1;
		v->btf_id = 1234;
		v->btf_fd = 41;
	}
	if (strcmp(e->name, "bpf_task_release") == 0) {   /* a module's */
		v->found = 1;
		v->btf_id = 777;
		v->btf_fd = 42;
		v->fd_idx = 3;
	}
	return 0;
}

/* The instruction a note about `what` was made for. */
static const struct bpf_insn *noted(const struct obj_prog_image *p,
				    const char *what)
{
	size_t i;

	for (i = 0; i < p->nr_notes; i++)
		if (strstr(p->notes[i].text, what))
			return &p->insns[p->notes[i].insn];
	ck_abort_msg("no relocation note on %s", what);
	return NULL;
}

START_TEST(relocation_with_a_fake_kernel)
{
	struct obj_prog_image img = { 0 }, *p = &img;
	const struct bpf_insn *insn;
	struct obj_map *m = kconfig_map();
	uint64_t hz;
	uint32_t tri, ver;

	ck_assert_int_eq(obj_resolve_externs(&o, fake_kernel, NULL), 0);
	ck_assert_int_eq(obj_relocate_prog(&o, obj_prog(&o, "nanosleep_entry"),
					   NULL, NULL, &img), 0);
	memcpy(&hz, m->data + 0, 8);
	memcpy(&tri, m->data + 8, 4);
	memcpy(&ver, m->data + 12, 4);
	ck_assert_uint_eq(hz, 250);
	ck_assert_uint_eq(tri, 2);              /* TRI_MODULE */
	ck_assert_uint_eq(ver, 0x060112);
	ck_assert_uint_eq(m->data[16], 1);
	ck_assert_str_eq((const char *)m->data + 17, "-cloud-");  /* cut */
	insn = noted(p, "kconfig LINUX_KERNEL_VERSION");
	ck_assert_int_eq(insn[0].src_reg, BPF_PSEUDO_MAP_VALUE);
	ck_assert_int_eq(insn[0].imm, (int)(m - o.maps));
	ck_assert_int_eq(insn[1].imm, 12);
	insn = noted(p, "ksym bpf_prog_active");
	ck_assert_int_eq(insn[0].src_reg, BPF_PSEUDO_BTF_ID);
	ck_assert_int_eq(insn[0].imm, 1234);
	ck_assert_int_eq(insn[1].imm, 41);      /* its module's BTF fd */
	insn = noted(p, "ksym bpf_link_fops");
	ck_assert_int_eq(insn[0].src_reg, 0);
	ck_assert_int_eq(insn[0].imm, 0);
	ck_assert_int_eq(insn[1].imm, 0);
	insn = noted(p, "kfunc bpf_task_release");
	ck_assert_int_eq(insn->code, BPF_JMP | BPF_CALL);
	ck_assert_int_eq(insn->src_reg, BPF_PSEUDO_KFUNC_CALL);
	ck_assert_int_eq(insn->imm, 777);
	ck_assert_int_eq(insn->off, 3);         /* its module's fd_array slot */
	insn = noted(p, "kfunc bpf_task_from_pid");
	ck_assert_int_eq(insn->src_reg, 0);
	ck_assert_int_eq(insn->imm, 2002000000 +
			 (int)(ext("bpf_task_from_pid") - o.externs));
	obj_prog_image_free(&img);
}
END_TEST

static int empty_kernel(void *ctx, const struct obj_extern *e,
			struct extern_value *v)
{
	(void)ctx;
	(void)e;
	(void)v;
	return 0;
}

/* The fake kernel, but kfunc `name` is found in a BTF that is the
 * object's own, as its FUNC `as`: a prototype of our choosing. */
struct proto_case {
	const char *name, *as;
	int kind;               /* of as: BTF_KIND_FUNC or _VAR */
};

static int proto_kernel(void *ctx, const struct obj_extern *e,
			struct extern_value *v)
{
	const struct proto_case *c = ctx;

	fake_kernel(NULL, e, v);
	if (strcmp(e->name, c->name) == 0) {
		v->found = 1;
		v->btf = &o.btf;
		v->btf_id = (uint32_t)btf_find_one(&o.btf, c->as, c->kind);
	}
	return 0;
}

/* libbpf's rule for a kfunc: its prototype must be compatible with the
 * kernel's; if not, a strong one is an error and a weak one missing. A
 * typed ksym variable's type must be, or it is an error. */
START_TEST(kfunc_prototype_must_fit)
{
	const int F = BTF_KIND_FUNC, V = BTF_KIND_VAR;
	struct proto_case same = { "bpf_task_release", "bpf_task_release", F };
	struct proto_case strong = { "bpf_task_release", "bpf_task_from_pid",
				     F };
	struct proto_case weak = { "bpf_task_from_pid", "bpf_task_release",
				   F };
	/* the int against the map "pinned" (a VAR of a struct) */
	struct proto_case var = { "bpf_prog_active", "pinned", V };
	struct proto_case var_ok = { "bpf_prog_active", "bpf_prog_active", V };

	ck_assert_int_eq(obj_resolve_externs(&o, proto_kernel, &same), 0);
	ck_assert_int_eq(ext("bpf_task_release")->resolved, 1);
	ck_assert_int_eq(obj_resolve_externs(&o, proto_kernel, &strong),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(error_msg(), "bpf_task_release: its "
				     "prototype"));
	ck_assert_int_eq(obj_resolve_externs(&o, proto_kernel, &weak), 0);
	ck_assert_int_eq(ext("bpf_task_from_pid")->resolved, -1);
	/* a typed ksym's type likewise, weak or strong */
	ck_assert_int_eq(obj_resolve_externs(&o, proto_kernel, &var_ok), 0);
	ck_assert_int_eq(obj_resolve_externs(&o, proto_kernel, &var), -EINVAL);
	ck_assert_ptr_nonnull(strstr(error_msg(), "bpf_prog_active: its "
				     "type"));
}
END_TEST

START_TEST(missing_strong_extern_is_named)
{
	ck_assert_int_eq(obj_resolve_externs(&o, empty_kernel, NULL), -ENOENT);
	ck_assert_ptr_nonnull(strstr(error_msg(), "LINUX_KERNEL_VERSION"));
}
END_TEST

/* Before any provider (inspect): ksyms and kfuncs are left alone. */
START_TEST(unresolved_ksyms_are_left)
{
	struct obj_prog_image img = { 0 };

	ck_assert_int_eq(obj_relocate_prog(&o, obj_prog(&o, "nanosleep_entry"),
					   NULL, NULL, &img), 0);
	ck_assert_int_eq(noted(&img, "kfunc bpf_task_release: resolved at "
			       "load")->src_reg, BPF_PSEUDO_CALL);
	obj_prog_image_free(&img);
}
END_TEST

START_TEST(kconfig_values_must_fit)
{
	ck_assert_int_eq(obj_set_kconfig(&o, ext("CONFIG_BPF_SYSCALL"), "m"),
			 -EINVAL);
	ck_assert_int_eq(obj_set_kconfig(&o, ext("CONFIG_BPF_SYSCALL"), "2"),
			 -EINVAL);
	ck_assert_int_eq(obj_set_kconfig(&o, ext("LINUX_KERNEL_VERSION"),
					 "0x100000000"), -EINVAL);
	ck_assert_int_eq(obj_set_kconfig(&o, ext("LINUX_KERNEL_VERSION"),
					 "-5"), 0);
	ck_assert_int_eq(obj_set_kconfig(&o, ext("CONFIG_HZ"), "\"x\""),
			 -EINVAL);
	ck_assert_int_eq(obj_set_kconfig(&o, ext("CONFIG_HZ"), "12abc"),
			 -EINVAL);
	ck_assert_int_eq(obj_set_kconfig(&o, ext("CONFIG_LOCALVERSION"), "y"),
			 -EINVAL);
	ck_assert_int_eq(obj_set_kconfig(&o, ext("CONFIG_NF_CONNTRACK"), "n"),
			 0);
}
END_TEST

START_TEST(map_attributes)
{
	struct obj_map *m = obj_map(&o, "pinned");

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->pinning, MAP_PIN_BY_NAME);
	ck_assert_str_eq(btf_type_name(&o.btf, m->key_type_id), "__u32");
	ck_assert_str_eq(btf_type_name(&o.btf, m->value_type_id), "__u64");
	m = obj_map(&o, "outer");
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	ck_assert_uint_eq(m->value_size, 4);
	ck_assert_ptr_nonnull(m->inner);
	ck_assert_uint_eq(m->inner->type, BPF_MAP_TYPE_ARRAY);
	ck_assert_uint_eq(m->inner->max_entries, 4);
	/* initial values, from .rel.maps */
	ck_assert_uint_eq(m->nr_slots, 1);
	ck_assert_uint_eq(m->slots[0].slot, 1);
	ck_assert_int_eq(m->slots[0].is_prog, 0);
	ck_assert_str_eq(o.maps[m->slots[0].target].name, "inner_a");
	m = obj_map(&o, "jumps");
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->nr_slots, 1);
	ck_assert_uint_eq(m->slots[0].slot, 2);
	ck_assert_int_eq(m->slots[0].is_prog, 1);
	ck_assert_str_eq(o.progs[m->slots[0].target].name, "sleepable_uprobe");
}
END_TEST

START_TEST(sections_of_the_object)
{
	ck_assert_int_eq(obj_prog(&o, "nanosleep_entry")->kind, ATTACH_KSYSCALL);
	ck_assert_int_eq(obj_prog(&o, "not_autoloaded")->autoload, 0);
	ck_assert_uint_eq(obj_prog(&o, "sleepable_uprobe")->prog_flags,
			  BPF_F_SLEEPABLE);
	ck_assert_str_eq(obj_prog(&o, "sleepable_uprobe")->target,
			 "/bin/true:main");
}
END_TEST

/* lsm and iter programs are verified against a FUNC of the kernel's
 * BTF, as fentry ones are: bpf_lsm_<hook>, bpf_iter_<name>. */
START_TEST(lsm_and_iter_name_kernel_functions)
{
	char **names;
	size_t n, i;
	int lsm = 0, iter = 0;
	struct kbtf k;

	ck_assert_int_eq(obj_needs_attach_btf(&o), 1);
	ck_assert_int_eq(obj_kernel_btf_names(&o, &names, &n), 0);
	for (i = 0; i < n; i++) {
		lsm |= strcmp(names[i], "bpf_lsm_file_open") == 0;
		iter |= strcmp(names[i], "bpf_iter_task") == 0;
	}
	obj_names_free(names, n);
	ck_assert(lsm && iter);
	if (kbtf_open_for(&k, NULL, &o) != 0)
		SKIP("no kernel BTF here");
	ck_assert_msg(obj_attach_btf_id(obj_prog(&o, "lsm_file_open"),
					&k.btf) > 0, "%s", error_msg());
	ck_assert_msg(obj_attach_btf_id(obj_prog(&o, "iter_task"), &k.btf) > 0,
		      "%s", error_msg());
	kbtf_close(&k);
}
END_TEST

/* The loader's provider (loader/externs.c): without the kernel's BTF a
 * typed ksym cannot be found, and the error says so; with it, every
 * extern of the object resolves on this kernel, LINUX_KERNEL_VERSION as
 * libbpf computes it. */
START_TEST(loader_needs_kernel_btf_for_ksyms)
{
	struct loaded l;

	memset(&l, 0, sizeof l);
	ck_assert_int_eq(obj_load(&l, &o, NULL), -ENOENT);
	ck_assert_ptr_nonnull(strstr(error_msg(), "needs the kernel's BTF"));
	loaded_free(&l);
}
END_TEST

START_TEST(loader_resolves_externs_here)
{
	const struct obj_extern *e = ext("LINUX_KERNEL_VERSION");
	struct module_fds mods;
	uint32_t v;
	struct kbtf k;

	if (kbtf_open_for(&k, NULL, &o) != 0)
		SKIP("no kernel BTF here");
	ck_assert_msg(externs_resolve(&o, &k.btf, &mods) == 0, "%s",
		      error_msg());
	memcpy(&v, kconfig_map()->data + e->offset, sizeof v);
	ck_assert_uint_eq(v, kernel_version());
	ck_assert_uint_ne(v, 0);
	ck_assert_int_eq(ext("bpf_prog_active")->resolved, 1);
	ck_assert_uint_ne(ext("bpf_prog_active")->kernel_btf_id, 0);
	ck_assert_int_eq(ext("bpf_task_release")->resolved, 1);
	module_fds_close(&mods);
	kbtf_close(&k);
}
END_TEST

START_TEST(struct_ops_map_is_kept)
{
	struct obj so;
	size_t size;
	void *b = test_read_file(STRUCT_OPS_OBJ, &size);
	struct obj_map *m;
	struct loaded l;

	ck_assert_msg(b, "cannot read %s", STRUCT_OPS_OBJ);
	ck_assert_msg(obj_open(&so, "struct_ops", b, size) == 0, "%s",
		      error_msg());
	m = obj_map(&so, "rt_ops");
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->is_struct_ops, 1);
	ck_assert_uint_eq(m->type, BPF_MAP_TYPE_STRUCT_OPS);
	ck_assert_str_eq(btf_type_name(&so.btf, m->value_type_id),
			 "tcp_congestion_ops");
	ck_assert_int_eq(obj_prog(&so, "rt_init")->kind, ATTACH_STRUCT_OPS);
	/* refused at load, not at open, with one line (before any map is
	 * made: it is the only one) */
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(obj_load(&l, &so, NULL), -ENOTSUP);
	ck_assert_str_eq(error_msg(), "map rt_ops: struct_ops maps are not "
			 "supported");
	loaded_free(&l);
	obj_close(&so);
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("extern");
	TCase *tc = tcase_create("extern");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, extern_records);
	tcase_add_test(tc, btf_rewritten_for_the_kernel);
	tcase_add_test(tc, kernel_takes_the_btf);
	tcase_add_test(tc, relocation_with_a_fake_kernel);
	tcase_add_test(tc, missing_strong_extern_is_named);
	tcase_add_test(tc, kfunc_prototype_must_fit);
	tcase_add_test(tc, unresolved_ksyms_are_left);
	tcase_add_test(tc, kconfig_values_must_fit);
	tcase_add_test(tc, map_attributes);
	tcase_add_test(tc, sections_of_the_object);
	tcase_add_test(tc, lsm_and_iter_name_kernel_functions);
	tcase_add_test(tc, loader_needs_kernel_btf_for_ksyms);
	tcase_add_test(tc, loader_resolves_externs_here);
	tcase_add_test(tc, struct_ops_map_is_kept);
	suite_add_tcase(s, tc);
	return test_main(s);
}
