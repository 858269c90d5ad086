/* CO-RE relocation (obj/core.c) against two real kernels' BTF.
 *
 * build/bpf/tests/core.bpf.o (tests/bpf/core.bpf.c) holds records of every
 * kind. Each program's instructions are copied and relocated against
 *   - tests/fixtures/btf/core-6.18.44-fc-v657.btf and
 *   - tests/fixtures/btf/core-6.1.0-57-cloud-amd64.btf,
 * the types core.bpf.o asks for, cut from those two kernels' BTF with
 * `bpftool gen min_core_btf` (tests/fixtures/btf/README). The expected
 * numbers were read from the same files with `bpftool btf dump file F
 * format raw`: committed, so no kernel update can move them.
 *
 * The running kernel and the VM's kernel change without notice, so against
 * them the suite asserts no number of its own: test_live_kernels compares
 * what core_relocate finds with what bpftool reads from the same BTF at
 * test time. (tests/sh/test_diff_libbpf.sh compares whole programs with
 * libbpf's.)
 *
 * Set RAWTRACE_CORE_DUMP=1 to print every resolved record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/btf.h"
#include "elf/elf.h"
#include "elf/error.h"
#include "obj/core.h"
#include "tests/testutil.h"

#define OBJ "build/bpf/tests/core.bpf.o"
#define MAX_RESULTS 128

struct relo_out {
	char sec[64];
	size_t idx;             /* insn index in its section */
	unsigned kind;
	int err;
	struct core_result res;
	struct bpf_insn before[2], after[2];
};

struct kernel_run {
	const char *btf_path;
	int lazy;               /* read through btf_open_lazy, no names given */
	int ok;                 /* 0: BTF missing (live kernels only): skip */
	struct relo_out out[MAX_RESULTS];
	size_t n;
};

/* The object, parsed once. */
static void *obj_buf, *obj_btf_buf, *obj_ext_buf;
static struct elf obj;
static struct btf obj_btf;
static struct btf_ext obj_ext;

#define FX618 "tests/fixtures/btf/core-6.18.44-fc-v657.btf"
#define FX61  "tests/fixtures/btf/core-6.1.0-57-cloud-amd64.btf"
#define LIVE  "/sys/kernel/btf/vmlinux"

static struct kernel_run k618 = { .btf_path = FX618 };
static struct kernel_run k61 = { .btf_path = FX61 };
static struct kernel_run k618_lazy = { .btf_path = FX618, .lazy = 1 };
static struct kernel_run k61_lazy = { .btf_path = FX61, .lazy = 1 };
static struct kernel_run live = { .btf_path = LIVE };
static struct kernel_run live_lazy = { .btf_path = LIVE, .lazy = 1 };
static struct kernel_run vm61;          /* build/vm's 6.1 BTF, if fetched */

/* Copies section name's bytes into a fresh 8-aligned buffer (BTF is read
 * in place and needs 4-byte alignment). */
static void *section_copy(const char *name, size_t *size)
{
	const void *data;
	void *copy;
	int idx = elf_find_section(&obj, name);

	ck_assert_msg(idx > 0, "%s: no section %s", OBJ, name);
	ck_assert_int_eq(elf_section_data(&obj, (unsigned)idx, &data, size), 0);
	ck_assert_int_eq(posix_memalign(&copy, 8, *size ? *size : 1), 0);
	memcpy(copy, data, *size);
	return copy;
}

static void load_object(void)
{
	size_t size, btf_size, ext_size;

	if (obj_buf)
		return;
	obj_buf = test_read_file(OBJ, &size);
	ck_assert_msg(obj_buf, "cannot read %s (make %s)", OBJ, OBJ);
	ck_assert_int_eq(elf_open(&obj, obj_buf, size), 0);
	obj_btf_buf = section_copy(".BTF", &btf_size);
	obj_ext_buf = section_copy(".BTF.ext", &ext_size);
	ck_assert_msg(btf_parse(&obj_btf, obj_btf_buf, btf_size) == 0, "%s",
		      error_msg());
	ck_assert_msg(btf_ext_parse(&obj_ext, obj_ext_buf, ext_size,
				    &obj_btf) == 0, "%s", error_msg());
}

static void dump(const struct kernel_run *k, const struct relo_out *o)
{
	printf("%s %s+%zu %-14s %-55s err=%d local=%llu target=%llu%s%s\n",
	       k->btf_path, o->sec, o->idx, core_kind_name(o->kind),
	       o->res.path, o->err, (unsigned long long)o->res.local,
	       (unsigned long long)o->res.target,
	       o->res.poisoned ? " POISON: " : "", o->res.why);
}

/* Relocates every CO-RE record of every section against the kernel BTF
 * at k->btf_path, keeping the outcome of each. */
static void run_kernel(struct kernel_run *k)
{
	struct btf kbtf;
	struct btf_ext_sec sec;
	size_t cursor = 0, size;
	void *kbuf;

	load_object();
	if (k->ok || k->n)
		return;
	kbuf = test_read_file(k->btf_path, &size);
	if (!kbuf)
		return;
	if (k->lazy) {
		struct btf_source src = test_mem_source(kbuf, size);

		ck_assert_msg(btf_open_lazy(&kbtf, &src, NULL, 0) == 0,
			      "%s: %s", k->btf_path, error_msg());
	} else {
		ck_assert_msg(btf_parse(&kbtf, kbuf, size) == 0, "%s: %s",
			      k->btf_path, error_msg());
	}
	while (btf_ext_next(&obj_ext, BTF_EXT_CORE, &obj_btf, &cursor, &sec)) {
		const void *code;
		size_t code_size, count, i;
		struct bpf_insn *insns;
		int idx = elf_find_section(&obj, sec.name);

		ck_assert_msg(idx > 0, "no ELF section %s", sec.name);
		ck_assert_int_eq(elf_section_data(&obj, (unsigned)idx, &code,
						  &code_size), 0);
		count = code_size / sizeof *insns;
		insns = malloc(code_size);
		ck_assert_ptr_nonnull(insns);
		memcpy(insns, code, code_size);
		for (i = 0; i < sec.count; i++) {
			struct bpf_core_relo rec;
			struct relo_out *o = &k->out[k->n++];

			ck_assert_uint_lt(k->n, MAX_RESULTS);
			memcpy(&rec, sec.recs + i * sec.rec_size, sizeof rec);
			snprintf(o->sec, sizeof o->sec, "%s", sec.name);
			o->idx = rec.insn_off / 8;
			o->kind = rec.kind;
			ck_assert_uint_lt(o->idx, count);
			memcpy(o->before, &insns[o->idx],
			       (o->idx + 1 < count ? 2 : 1) * sizeof *insns);
			o->err = core_relocate(insns, count, o->idx, &obj_btf,
					       &kbtf, &rec, &o->res);
			memcpy(o->after, &insns[o->idx],
			       (o->idx + 1 < count ? 2 : 1) * sizeof *insns);
			if (getenv("RAWTRACE_CORE_DUMP"))
				dump(k, o);
			ck_assert_msg(o->err == 0, "%s+%zu: %s", sec.name,
				      o->idx, error_msg());
		}
		free(insns);
	}
	btf_free(&kbtf);
	free(kbuf);
	k->ok = 1;
}

/* The nth record (0-based) of kind whose path is path. */
static const struct relo_out *find(const struct kernel_run *k,
				   const char *path, unsigned kind, int nth)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->out[i].kind == kind &&
		    strcmp(k->out[i].res.path, path) == 0 && nth-- == 0)
			return &k->out[i];
	ck_abort_msg("no %s record for %s (#%d)", core_kind_name(kind), path,
		     nth);
	return NULL;
}

/* The value the record resolved to, and that it was not poisoned. */
static uint64_t value(const struct kernel_run *k, const char *path,
		      unsigned kind)
{
	const struct relo_out *o = find(k, path, kind, 0);

	ck_assert_msg(!o->res.poisoned, "%s %s poisoned: %s",
		      core_kind_name(kind), path, o->res.why);
	return o->res.target;
}

static void assert_poisoned(const struct kernel_run *k, const char *path,
			    unsigned kind, const char *why)
{
	const struct relo_out *o = find(k, path, kind, 0);

	ck_assert_msg(o->res.poisoned, "%s %s not poisoned", core_kind_name(kind),
		      path);
	ck_assert_str_eq(o->res.why, why);
	ck_assert_uint_eq(o->after[0].code, BPF_JMP | BPF_CALL);
	ck_assert_int_eq(o->after[0].imm, CORE_POISON);
	ck_assert_uint_eq(o->after[0].src_reg, 0);
	ck_assert_int_eq(o->after[0].off, 0);
}

/* A fixture must be there: it is part of the tree. */
static void setup(struct kernel_run *k)
{
	run_kernel(k);
	ck_assert_msg(k->ok, "%s: cannot read the fixture", k->btf_path);
}

/* The same records resolved through btf_open_lazy (records read on
 * demand, names found by a pass of their own) give the same results. */
static void assert_same_runs(const struct kernel_run *a,
			     const struct kernel_run *b)
{
	size_t i;

	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct relo_out *x = &a->out[i], *y = &b->out[i];

		ck_assert_str_eq(x->res.path, y->res.path);
		ck_assert_int_eq(x->err, y->err);
		ck_assert_uint_eq(x->res.local, y->res.local);
		ck_assert_uint_eq(x->res.target, y->res.target);
		ck_assert_int_eq(x->res.poisoned, y->res.poisoned);
		ck_assert_str_eq(x->res.why, y->res.why);
		ck_assert_int_eq(memcmp(x->after, y->after, sizeof x->after), 0);
	}
}

START_TEST(test_lazy_same_as_parsed)
{
	setup(&k618);
	setup(&k618_lazy);
	assert_same_runs(&k618, &k618_lazy);
	setup(&k61);
	setup(&k61_lazy);
	assert_same_runs(&k61, &k61_lazy);
	run_kernel(&live);
	run_kernel(&live_lazy);
	if (!live.ok)
		SKIP("no " LIVE);
	assert_same_runs(&live, &live_lazy);
}
END_TEST

#define SK    "struct sock"
#define SKC   "struct sock.__sk_common"
#define INET  "struct inet_sock"
#define OLD   "struct inet_sock___old"
#define SC    "struct sock_common"

/* One fixture's expected numbers. Offsets are bits_offset / 8 from
 * `bpftool btf dump file F format raw` (skc_num: the anonymous union at
 * 96 bits + skc_num at 16 inside its anonymous struct; u6_addr32[3]:
 * skc_v6_rcv_saddr + 3 * 4). Bitfields: from bits_offset/bitfield_size,
 * with the load unit of the field's type (u8): byte_off = bit / 8,
 * lshift = 64 - (bit + size - byte_off * 8), rshift = 64 - size. */
struct expect {
	uint64_t sk_protocol, inet_saddr, inet_sport, pid;
	uint64_t sock_id, sock_size, inet_sock_size, nr_shmem;
};

/* FX618: sock [19] size=784, sk_protocol bits 4256;
 * inet_sock [24] size=1016, inet_saddr 6464, inet_sport 6512,
 * inet_flags 6400 (unsigned long); task_struct pid bits 10112;
 * node_stat_item NR_SHMEM val=22. */
static const struct expect e618 = {
	.sk_protocol = 532, .inet_saddr = 808, .inet_sport = 814,
	.pid = 1264, .sock_id = 19, .sock_size = 784,
	.inet_sock_size = 1016, .nr_shmem = 22,
};

/* FX61: sock [14] size=776, sk_protocol bits 4128;
 * inet_sock [24] size=992, inet_saddr 6272, inet_sport 6432,
 * freebind 6482:1, transparent 6485:1, bind_address_no_port 6488:1, no
 * inet_flags; task_struct pid bits 19328; NR_SHMEM val=23. */
static const struct expect e61 = {
	.sk_protocol = 516, .inet_saddr = 784, .inet_sport = 804,
	.pid = 2416, .sock_id = 14, .sock_size = 776,
	.inet_sock_size = 992, .nr_shmem = 23,
};

/* What both kernels share: sock_common did not change. */
static void check_common(const struct kernel_run *k, const struct expect *e)
{
	ck_assert_uint_eq(value(k, SKC ".skc_family", BPF_CORE_FIELD_BYTE_OFFSET), 16);
	ck_assert_uint_eq(value(k, SKC ".skc_bound_dev_if", BPF_CORE_FIELD_BYTE_OFFSET), 20);
	ck_assert_uint_eq(value(k, SKC ".skc_num", BPF_CORE_FIELD_BYTE_OFFSET), 14);
	ck_assert_uint_eq(value(k, SKC ".skc_v6_rcv_saddr.in6_u.u6_addr32[3]",
				BPF_CORE_FIELD_BYTE_OFFSET), 72 + 12);
	ck_assert_uint_eq(value(k, SK ".sk_protocol", BPF_CORE_FIELD_BYTE_OFFSET),
			  e->sk_protocol);
	ck_assert_uint_eq(value(k, INET ".inet_saddr", BPF_CORE_FIELD_BYTE_OFFSET),
			  e->inet_saddr);
	ck_assert_uint_eq(value(k, INET ".inet_sport", BPF_CORE_FIELD_BYTE_OFFSET),
			  e->inet_sport);
	ck_assert_uint_eq(value(k, "struct task_struct.pid",
				BPF_CORE_FIELD_BYTE_OFFSET), e->pid);

	/* skc_reuse: bits 152:4 of u8; skc_reuseport: bits 156:1 */
	ck_assert_uint_eq(value(k, SC ".skc_reuse", BPF_CORE_FIELD_BYTE_OFFSET), 19);
	ck_assert_uint_eq(value(k, SC ".skc_reuse", BPF_CORE_FIELD_BYTE_SIZE), 1);
	ck_assert_uint_eq(value(k, SC ".skc_reuse", BPF_CORE_FIELD_LSHIFT_U64), 60);
	ck_assert_uint_eq(value(k, SC ".skc_reuse", BPF_CORE_FIELD_RSHIFT_U64), 60);
	ck_assert_uint_eq(value(k, SC ".skc_reuse", BPF_CORE_FIELD_SIGNED), 0);
	ck_assert_uint_eq(value(k, SC ".skc_reuseport", BPF_CORE_FIELD_BYTE_OFFSET), 19);
	ck_assert_uint_eq(value(k, SC ".skc_reuseport", BPF_CORE_FIELD_LSHIFT_U64), 59);
	ck_assert_uint_eq(value(k, SC ".skc_reuseport", BPF_CORE_FIELD_RSHIFT_U64), 63);
}

static void check_types(const struct kernel_run *k, const struct expect *e)
{
	const struct relo_out *o;

	ck_assert_uint_eq(value(k, SK, BPF_CORE_TYPE_ID_TARGET), e->sock_id);
	ck_assert_uint_eq(value(k, SK, BPF_CORE_TYPE_EXISTS), 1);
	ck_assert_uint_eq(value(k, SK, BPF_CORE_TYPE_SIZE), e->sock_size);
	ck_assert_uint_eq(value(k, INET, BPF_CORE_TYPE_SIZE), e->inet_sock_size);
	/* the local id is the object's own id of struct sock */
	ck_assert_int_eq((int)value(k, SK, BPF_CORE_TYPE_ID_LOCAL),
			 btf_find_one(&obj_btf, "sock", BTF_KIND_STRUCT));
	/* a type no kernel has: exists is 0, not poison */
	o = find(k, "struct rawtrace_no_such_type", BPF_CORE_TYPE_EXISTS, 0);
	ck_assert(!o->res.poisoned);
	ck_assert_uint_eq(o->res.target, 0);
	assert_poisoned(k, "struct rawtrace_no_such_type.x",
			BPF_CORE_FIELD_BYTE_OFFSET,
			"no struct rawtrace_no_such_type in kernel BTF");

	ck_assert_uint_eq(value(k, "enum node_stat_item::NR_SHMEM",
				BPF_CORE_ENUMVAL_VALUE), e->nr_shmem);
	ck_assert_uint_eq(value(k, "enum bpf_attach_type::BPF_CGROUP_INET4_BIND",
				BPF_CORE_ENUMVAL_VALUE), 8);
	/* an ENUM64 in the kernel (val=18446744073709551584ULL) matched by
	 * clang 14's 32-bit ENUM */
	ck_assert_uint_eq(value(k, "enum perf_callchain_context::PERF_CONTEXT_HV",
				BPF_CORE_ENUMVAL_VALUE), (uint64_t)-32);
}

/* The instruction carries the value: ALU imm for probe-read addresses. */
static void check_patched_alu(const struct kernel_run *k, const char *path,
			      uint64_t want)
{
	const struct relo_out *o = find(k, path, BPF_CORE_FIELD_BYTE_OFFSET, 0);

	ck_assert_uint_eq(BPF_CLASS(o->after[0].code), BPF_ALU64);
	ck_assert_int_eq(o->after[0].imm, (int32_t)want);
	ck_assert_uint_eq(o->after[0].code, o->before[0].code);
}

START_TEST(test_618_fields)
{
	setup(&k618);
	check_common(&k618, &e618);
	check_patched_alu(&k618, SK ".sk_protocol", 532);
	check_patched_alu(&k618, INET ".inet_sport", 814);
}
END_TEST

START_TEST(test_61_fields)
{
	setup(&k61);
	check_common(&k61, &e61);
	check_patched_alu(&k61, SK ".sk_protocol", 516);
	check_patched_alu(&k61, INET ".inet_sport", 804);
}
END_TEST

/* 6.18: inet_flags (bits 6400, unsigned long) exists, the old bitfields
 * do not: their reads are poisoned, their exists checks give 0. */
START_TEST(test_618_inet_flags)
{
	setup(&k618);
	ck_assert_uint_eq(value(&k618, INET ".inet_flags", BPF_CORE_FIELD_EXISTS), 1);
	ck_assert_uint_eq(value(&k618, INET ".inet_flags", BPF_CORE_FIELD_BYTE_OFFSET), 800);
	ck_assert_uint_eq(value(&k618, OLD ".freebind", BPF_CORE_FIELD_EXISTS), 0);
	assert_poisoned(&k618, OLD ".freebind", BPF_CORE_FIELD_BYTE_OFFSET,
			"no such field in kernel BTF");
	assert_poisoned(&k618, OLD ".transparent", BPF_CORE_FIELD_LSHIFT_U64,
			"no such field in kernel BTF");
	assert_poisoned(&k618, OLD ".bind_address_no_port",
			BPF_CORE_FIELD_RSHIFT_U64, "no such field in kernel BTF");
}
END_TEST

/* 6.1: the reverse; freebind 6482:1, transparent 6485:1,
 * bind_address_no_port 6488:1, all u8. */
START_TEST(test_61_inet_bitfields)
{
	setup(&k61);
	ck_assert_uint_eq(value(&k61, INET ".inet_flags", BPF_CORE_FIELD_EXISTS), 0);
	assert_poisoned(&k61, INET ".inet_flags", BPF_CORE_FIELD_BYTE_OFFSET,
			"no such field in kernel BTF");
	ck_assert_uint_eq(value(&k61, OLD ".freebind", BPF_CORE_FIELD_EXISTS), 1);
	ck_assert_uint_eq(value(&k61, OLD ".freebind", BPF_CORE_FIELD_BYTE_OFFSET), 810);
	ck_assert_uint_eq(value(&k61, OLD ".freebind", BPF_CORE_FIELD_BYTE_SIZE), 1);
	ck_assert_uint_eq(value(&k61, OLD ".freebind", BPF_CORE_FIELD_LSHIFT_U64), 61);
	ck_assert_uint_eq(value(&k61, OLD ".freebind", BPF_CORE_FIELD_RSHIFT_U64), 63);
	ck_assert_uint_eq(value(&k61, OLD ".transparent", BPF_CORE_FIELD_BYTE_OFFSET), 810);
	ck_assert_uint_eq(value(&k61, OLD ".transparent", BPF_CORE_FIELD_LSHIFT_U64), 58);
	ck_assert_uint_eq(value(&k61, OLD ".bind_address_no_port",
				BPF_CORE_FIELD_BYTE_OFFSET), 811);
	ck_assert_uint_eq(value(&k61, OLD ".bind_address_no_port",
				BPF_CORE_FIELD_LSHIFT_U64), 63);
}
END_TEST

START_TEST(test_618_types_enums)
{
	setup(&k618);
	check_types(&k618, &e618);
	/* BPF_NETFILTER val=45, new in 6.4 */
	ck_assert_uint_eq(value(&k618, "enum bpf_attach_type::BPF_NETFILTER",
				BPF_CORE_ENUMVAL_EXISTS), 1);
	ck_assert_uint_eq(value(&k618, "enum bpf_attach_type::BPF_NETFILTER",
				BPF_CORE_ENUMVAL_VALUE), 45);
}
END_TEST

START_TEST(test_61_types_enums)
{
	setup(&k61);
	check_types(&k61, &e61);
	ck_assert_uint_eq(value(&k61, "enum bpf_attach_type::BPF_NETFILTER",
				BPF_CORE_ENUMVAL_EXISTS), 0);
	assert_poisoned(&k61, "enum bpf_attach_type::BPF_NETFILTER",
			BPF_CORE_ENUMVAL_VALUE, "no such enum value in kernel BTF");
}
END_TEST

/* Direct loads: the LDX offset is patched; a wider unsigned local field
 * narrows the load to the kernel's u16; a signed one is poisoned, as is
 * a field no kernel has. */
START_TEST(test_618_loads)
{
	const struct relo_out *o;

	setup(&k618);
	o = find(&k618, SKC ".skc_bound_dev_if", BPF_CORE_FIELD_BYTE_OFFSET, 1);
	ck_assert_uint_eq(o->after[0].code, BPF_LDX | BPF_MEM | BPF_W);
	ck_assert_int_eq(o->after[0].off, 20);

	o = find(&k618, "struct sock___wide.sk_protocol",
		 BPF_CORE_FIELD_BYTE_OFFSET, 0);
	ck_assert_uint_eq(o->before[0].code, BPF_LDX | BPF_MEM | BPF_W);
	ck_assert_uint_eq(o->after[0].code, BPF_LDX | BPF_MEM | BPF_H);
	ck_assert_int_eq(o->after[0].off, 532);
	ck_assert_uint_eq(o->after[0].dst_reg, o->before[0].dst_reg);
	ck_assert_uint_eq(o->after[0].src_reg, o->before[0].src_reg);

	assert_poisoned(&k618, "struct sock___signed.sk_protocol",
			BPF_CORE_FIELD_BYTE_OFFSET,
			"field is 2 bytes in kernel, 4 here: unsafe to resize");
	assert_poisoned(&k618, "struct task_struct___nope.rawtrace_no_such_field",
			BPF_CORE_FIELD_BYTE_OFFSET, "no such field in kernel BTF");
}
END_TEST

/* --- the kernels under the suite, checked against bpftool --- */

/* What bpftool says of struct name in the BTF file btf: its type id, its
 * size and the bit offset of member (if member is not NULL). 0 if bpftool
 * is missing or the struct or member is not found. */
static int bpftool_struct(const char *btf, const char *name,
			  const char *member, unsigned *id, unsigned *size,
			  unsigned *bits)
{
	char cmd[512], line[512], want[128], mwant[128];
	int found = 0, in_struct = 0;
	FILE *p;

	snprintf(cmd, sizeof cmd,
		 "bpftool btf dump file '%s' format raw 2>/dev/null", btf);
	snprintf(want, sizeof want, "STRUCT '%s' size=", name);
	snprintf(mwant, sizeof mwant, "\t'%s' type_id=", member ? member : "");
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof line, p)) {
		const char *q;

		if (line[0] == '[') {
			in_struct = 0;
			if (found || !(q = strstr(line, want)))
				continue;
			*id = (unsigned)strtoul(line + 1, NULL, 10);
			*size = (unsigned)strtoul(q + strlen(want), NULL, 10);
			found = member ? 0 : 1;
			in_struct = member != NULL;
		} else if (in_struct && strncmp(line, mwant, strlen(mwant)) == 0 &&
			   (q = strstr(line, "bits_offset="))) {
			*bits = (unsigned)strtoul(q + 12, NULL, 10);
			found = 1;
			in_struct = 0;
		}
	}
	pclose(p);
	return found;
}

/* Direct members of a struct the object reads: core_relocate's offset is
 * bpftool's bits_offset / 8, its type id and size are bpftool's. */
static void check_against_bpftool(struct kernel_run *k)
{
	static const struct { const char *s, *m; } fields[] = {
		{ "sock", "sk_protocol" }, { "inet_sock", "inet_saddr" },
		{ "inet_sock", "inet_sport" }, { "task_struct", "pid" },
	};
	unsigned id, size, bits, i;
	char path[128];

	ck_assert_msg(bpftool_struct(k->btf_path, "sock", NULL, &id, &size,
				     &bits), "bpftool finds no struct sock in %s",
		      k->btf_path);
	ck_assert_uint_eq(value(k, SK, BPF_CORE_TYPE_ID_TARGET), id);
	ck_assert_uint_eq(value(k, SK, BPF_CORE_TYPE_SIZE), size);
	ck_assert(bpftool_struct(k->btf_path, "inet_sock", NULL, &id, &size,
				 &bits));
	ck_assert_uint_eq(value(k, INET, BPF_CORE_TYPE_SIZE), size);
	for (i = 0; i < sizeof fields / sizeof *fields; i++) {
		ck_assert_msg(bpftool_struct(k->btf_path, fields[i].s,
					     fields[i].m, &id, &size, &bits),
			      "bpftool: no %s.%s", fields[i].s, fields[i].m);
		snprintf(path, sizeof path, "struct %s.%s", fields[i].s,
			 fields[i].m);
		ck_assert_uint_eq(value(k, path, BPF_CORE_FIELD_BYTE_OFFSET),
				  bits / 8);
	}
}

START_TEST(test_live_kernels)
{
	const char *p = getenv("RAWTRACE_BTF_61");
	unsigned id, size, bits;

	if (!bpftool_struct(FX618, "sock", NULL, &id, &size, &bits))
		SKIP("no bpftool (make deps)");
	/* The same question of a fixture, whose answer is pinned above. */
	ck_assert_uint_eq(id, e618.sock_id);
	run_kernel(&live);
	vm61.btf_path = p && *p ? p : "build/vm/vmlinux-6.1.btf";
	run_kernel(&vm61);
	if (live.ok)
		check_against_bpftool(&live);
	if (vm61.ok)
		check_against_bpftool(&vm61);
	if (!live.ok || !vm61.ok)
		SKIP(!live.ok ? "no " LIVE : "no 6.1 BTF (tests/vm/kernel.sh)");
}
END_TEST

/* --- records made by hand --- */

static struct btf kernel;
static void *kernel_buf;

/* The 6.18 fixture, for hand-made records (independent of run_kernel). */
static int open_kernel(void)
{
	size_t size;

	load_object();
	if (kernel_buf)
		return 1;
	kernel_buf = test_read_file(FX618, &size);
	ck_assert_msg(kernel_buf, "%s: cannot read the fixture", FX618);
	ck_assert_int_eq(btf_parse(&kernel, kernel_buf, size), 0);
	return 1;
}

/* A copy of the object's BTF with extra strings appended to its string
 * section, so records can name access strings clang would never write.
 * Returns the offset of the first extra string. */
static uint32_t btf_with_strings(struct btf *out, void **buf,
				 const char *const *strs, size_t n,
				 uint32_t *offs)
{
	const struct btf_header *h = (const void *)obj_btf.data;
	size_t extra = 0, i, pos;
	struct btf_header *nh;
	char *p;

	for (i = 0; i < n; i++)
		extra += strlen(strs[i]) + 1;
	/* the strings must be last in the blob for this to work */
	ck_assert_uint_eq(h->hdr_len + h->str_off + h->str_len, obj_btf.size);
	ck_assert_int_eq(posix_memalign(buf, 8, obj_btf.size + extra), 0);
	memcpy(*buf, obj_btf.data, obj_btf.size);
	p = *buf;
	pos = obj_btf.size;
	for (i = 0; i < n; i++) {
		offs[i] = (uint32_t)(pos - h->hdr_len - h->str_off);
		strcpy(p + pos, strs[i]);
		pos += strlen(strs[i]) + 1;
	}
	nh = *buf;
	nh->str_len += (uint32_t)extra;
	ck_assert_msg(btf_parse(out, *buf, pos) == 0, "%s", error_msg());
	return offs[0];
}

START_TEST(test_malformed_access)
{
	static const char *const bad[] = {
		"0:", "0::1", ":0", "x", "0:99", "-1", "0:1:0:0:0:0:0", "1",
	};
	uint32_t offs[8];
	struct btf local;
	void *buf;
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 1, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_core_relo rec = { 0 };
	struct core_result res;
	int sock, i, err;

	open_kernel();
	btf_with_strings(&local, &buf, bad, 8, offs);
	sock = btf_find_one(&local, "sock", BTF_KIND_STRUCT);
	ck_assert_int_gt(sock, 0);
	rec.type_id = (uint32_t)sock;
	rec.kind = BPF_CORE_FIELD_BYTE_OFFSET;
	for (i = 0; i < 7; i++) {
		rec.access_str_off = offs[i];
		err = core_relocate(insns, 2, 0, &local, &kernel, &rec, &res);
		ck_assert_msg(err == -EINVAL, "\"%s\" gave %d", bad[i], err);
		ck_assert_ptr_nonnull(strstr(error_msg(), "\"")); /* names it */
		ck_assert_int_eq(insns[0].imm, 0);              /* untouched */
	}
	rec.access_str_off = offs[4];
	core_relocate(insns, 2, 0, &local, &kernel, &rec, &res);
	ck_assert_ptr_nonnull(strstr(error_msg(), "step 1: member 99 of a 2-member type"));

	/* the empty string (offset 0) and a type record with access "1" */
	rec.access_str_off = 0;
	ck_assert_int_eq(core_relocate(insns, 2, 0, &local, &kernel, &rec, &res),
			 -EINVAL);
	rec.access_str_off = offs[7];
	rec.kind = BPF_CORE_TYPE_SIZE;
	ck_assert_int_eq(core_relocate(insns, 2, 0, &local, &kernel, &rec, &res),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(error_msg(), "access must be \"0\""));

	/* insn index past the end, type id out of range, unsupported kind */
	rec.access_str_off = offs[4];
	rec.kind = BPF_CORE_FIELD_BYTE_OFFSET;
	ck_assert_int_eq(core_relocate(insns, 2, 2, &local, &kernel, &rec, &res),
			 -EINVAL);
	rec.type_id = local.nr_types;
	ck_assert_int_eq(core_relocate(insns, 2, 0, &local, &kernel, &rec, &res),
			 -EINVAL);
	rec.type_id = (uint32_t)sock;
	rec.kind = BPF_CORE_TYPE_MATCHES + 1;
	ck_assert_int_eq(core_relocate(insns, 2, 0, &local, &kernel, &rec, &res),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(error_msg(), "kind 13 is not supported"));
	btf_free(&local);
	free(buf);
}
END_TEST

/* The instruction must hold the local value: otherwise the record and the
 * code disagree and the object is broken. And an instruction that cannot
 * carry a value is refused. */
START_TEST(test_validation)
{
	static const char *const s[] = { "0:1", "0" };
	uint32_t offs[2];
	struct btf local;
	void *buf;
	struct bpf_insn insns[3];
	struct bpf_core_relo rec = { 0 };
	struct core_result res;
	int sock;

	open_kernel();
	btf_with_strings(&local, &buf, s, 2, offs);
	sock = btf_find_one(&local, "sock", BTF_KIND_STRUCT);
	rec.type_id = (uint32_t)sock;
	rec.access_str_off = offs[0];           /* sock.sk_protocol */
	rec.kind = BPF_CORE_FIELD_BYTE_SIZE;

	/* local sk_protocol is a __u16: imm 2 is right, imm 3 is not */
	memset(insns, 0, sizeof insns);
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].imm = 2;
	ck_assert_int_eq(core_relocate(insns, 3, 0, &local, &kernel, &rec, &res), 0);
	ck_assert_str_eq(res.path, "struct sock.sk_protocol");
	ck_assert_int_eq(insns[0].imm, 2);
	ck_assert_uint_eq(res.local, 2);
	insns[0].imm = 3;
	ck_assert_int_eq(core_relocate(insns, 3, 0, &local, &kernel, &rec, &res),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(error_msg(), "insn has imm 3, expected 2"));

	/* ld_imm64 carries 64 bits; TYPE_SIZE of struct sock is 784 */
	rec.access_str_off = offs[1];
	rec.kind = BPF_CORE_TYPE_SIZE;
	memset(insns, 0, sizeof insns);
	insns[0].code = BPF_LD | BPF_IMM | BPF_DW;
	insns[0].imm = (int32_t)btf_resolve_size(&local, (uint32_t)sock);
	ck_assert_int_eq(core_relocate(insns, 3, 0, &local, &kernel, &rec, &res), 0);
	ck_assert_int_eq(insns[0].imm, 784);
	ck_assert_int_eq(insns[1].imm, 0);
	/* an ld_imm64 cut off at the end of the program */
	ck_assert_int_eq(core_relocate(insns, 1, 0, &local, &kernel, &rec, &res),
			 -EINVAL);
	/* a jump cannot carry a value */
	insns[0].code = BPF_JMP | BPF_JA;
	insns[0].imm = 784;
	ck_assert_int_eq(core_relocate(insns, 3, 0, &local, &kernel, &rec, &res),
			 -EINVAL);
	btf_free(&local);
	free(buf);
}
END_TEST

/* A missing field on an ld_imm64 poisons both halves. */
START_TEST(test_poison_ld_imm64)
{
	static const char *const s[] = { "0:0" };
	uint32_t offs[1];
	struct btf local;
	void *buf;
	struct bpf_insn insns[3];
	struct bpf_core_relo rec = { 0 };
	struct core_result res;
	int nope;

	open_kernel();
	btf_with_strings(&local, &buf, s, 1, offs);
	nope = btf_find_one(&local, "task_struct___nope", BTF_KIND_STRUCT);
	ck_assert_int_gt(nope, 0);
	rec.type_id = (uint32_t)nope;
	rec.access_str_off = offs[0];
	rec.kind = BPF_CORE_FIELD_BYTE_OFFSET;
	memset(insns, 0, sizeof insns);
	insns[0].code = BPF_LD | BPF_IMM | BPF_DW;
	insns[2].code = BPF_JMP | BPF_EXIT;
	ck_assert_int_eq(core_relocate(insns, 3, 0, &local, &kernel, &rec, &res), 0);
	ck_assert(res.poisoned);
	ck_assert_str_eq(res.path, "struct task_struct___nope.rawtrace_no_such_field");
	ck_assert_str_eq(res.why, "no such field in kernel BTF");
	ck_assert_uint_eq(insns[0].code, BPF_JMP | BPF_CALL);
	ck_assert_int_eq(insns[0].imm, CORE_POISON);
	ck_assert_uint_eq(insns[1].code, BPF_JMP | BPF_CALL);
	ck_assert_int_eq(insns[1].imm, CORE_POISON);
	ck_assert_uint_eq(insns[2].code, BPF_JMP | BPF_EXIT);

	/* field_exists on the same record is 0, not poison */
	rec.kind = BPF_CORE_FIELD_EXISTS;
	memset(insns, 0, sizeof insns);
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].imm = 1;
	ck_assert_int_eq(core_relocate(insns, 3, 0, &local, &kernel, &rec, &res), 0);
	ck_assert(!res.poisoned);
	ck_assert_int_eq(insns[0].imm, 0);
	ck_assert_uint_eq(insns[0].code, BPF_ALU64 | BPF_MOV | BPF_K);
	btf_free(&local);
	free(buf);
}
END_TEST

/* --- type matches, on small BTF made here --- */

/* A BTF blob written type by type: mk_type starts a type (its id is
 * returned), mk_word appends its tail, mk_done parses the whole. */
struct mk {
	uint32_t words[1024];
	size_t nw;
	char strs[2048];
	size_t ns;
	uint32_t next_id;
	uint32_t zero;          /* offset of the access string "0" */
	void *buf;
	struct btf btf;
};

static uint32_t mk_str(struct mk *m, const char *s)
{
	uint32_t off = (uint32_t)m->ns;

	if (!*s)
		return 0;
	ck_assert_uint_lt(m->ns + strlen(s) + 1, sizeof m->strs);
	strcpy(m->strs + m->ns, s);
	m->ns += strlen(s) + 1;
	return off;
}

static void mk_word(struct mk *m, uint32_t w)
{
	ck_assert_uint_lt(m->nw, sizeof m->words / sizeof m->words[0]);
	m->words[m->nw++] = w;
}

static void mk_init(struct mk *m)
{
	memset(m, 0, sizeof *m);
	m->ns = 1;              /* offset 0 is the empty name */
	m->next_id = 1;
	m->zero = mk_str(m, "0");
}

static uint32_t mk_type(struct mk *m, const char *name, unsigned kind,
			unsigned vlen, int kflag, uint32_t size_or_type)
{
	mk_word(m, mk_str(m, name));
	mk_word(m, (uint32_t)kflag << 31 | kind << 24 | vlen);
	mk_word(m, size_or_type);
	return m->next_id++;
}

static uint32_t mk_int(struct mk *m, const char *name, uint32_t size,
		       int is_signed)
{
	uint32_t id = mk_type(m, name, BTF_KIND_INT, 0, 0, size);

	mk_word(m, (is_signed ? BTF_INT_SIGNED : 0u) << 24 | size * 8);
	return id;
}

static uint32_t mk_array(struct mk *m, uint32_t elem, uint32_t index,
			 uint32_t nelems)
{
	uint32_t id = mk_type(m, "", BTF_KIND_ARRAY, 0, 0, 0);

	mk_word(m, elem);
	mk_word(m, index);
	mk_word(m, nelems);
	return id;
}

/* A member or an enumerator or a parameter: a name and a value. */
static void mk_pair(struct mk *m, const char *name, uint32_t v)
{
	mk_word(m, mk_str(m, name));
	mk_word(m, v);
}

static void mk_member(struct mk *m, const char *name, uint32_t type,
		      uint32_t bit_off)
{
	mk_pair(m, name, type);
	mk_word(m, bit_off);
}

static void mk_done(struct mk *m)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION,
		.hdr_len = sizeof h,
		.type_off = 0, .type_len = (uint32_t)(m->nw * 4),
		.str_off = (uint32_t)(m->nw * 4), .str_len = (uint32_t)m->ns,
	};
	size_t size = sizeof h + m->nw * 4 + m->ns;
	char *p;

	ck_assert_int_eq(posix_memalign(&m->buf, 8, size), 0);
	p = m->buf;
	memcpy(p, &h, sizeof h);
	memcpy(p + sizeof h, m->words, m->nw * 4);
	memcpy(p + sizeof h + m->nw * 4, m->strs, m->ns);
	ck_assert_msg(btf_parse(&m->btf, m->buf, size) == 0, "%s", error_msg());
}

static void mk_free(struct mk *m)
{
	btf_free(&m->btf);
	free(m->buf);
}

/* What a TYPE_MATCHES record on local type id gives against target,
 * checked to be what went into the instruction (a mov of clang's 1). */
static int matches(struct mk *local, uint32_t id, struct mk *target)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_core_relo rec = {
		.type_id = id, .access_str_off = local->zero,
		.kind = BPF_CORE_TYPE_MATCHES,
	};
	struct core_result res;
	int err = core_relocate(insns, 2, 0, &local->btf, &target->btf, &rec,
				&res);

	ck_assert_msg(err == 0, "[%u] %s: %s", id,
		      btf_type_name(&local->btf, id), error_msg());
	ck_assert(!res.poisoned);
	ck_assert_uint_eq(res.local, 1);
	ck_assert_uint_eq(BPF_CLASS(insns[0].code), BPF_ALU64);
	ck_assert_uint_eq((uint64_t)insns[0].imm, res.target);
	return insns[0].imm;
}

/* The kernel side: a task_struct of every kind of member. */
static struct mk tgt;
static uint32_t t_int, t_uint, t_long, t_char;

static void make_target(void)
{
	struct mk *m = &tgt;
	uint32_t pid_t_, mm, mm_ptr, comm, ptype, proto, proto_ptr, anon,
		 file_fwd, file_ptr, dbl, void_ptr, int_ptr;

	mk_init(m);
	t_int = mk_int(m, "int", 4, 1);
	t_uint = mk_int(m, "unsigned int", 4, 0);
	t_long = mk_int(m, "long", 8, 1);
	t_char = mk_int(m, "char", 1, 1);
	pid_t_ = mk_type(m, "pid_t", BTF_KIND_TYPEDEF, 0, 0, t_int);
	mm = mk_type(m, "mm_struct", BTF_KIND_STRUCT, 1, 0, 4);
	mk_member(m, "users", t_int, 0);
	mm_ptr = mk_type(m, "", BTF_KIND_PTR, 0, 0, mm);
	comm = mk_array(m, t_char, t_uint, 16);
	ptype = mk_type(m, "pid_type", BTF_KIND_ENUM, 3, 0, 4);
	mk_pair(m, "PIDTYPE_PID", 0);
	mk_pair(m, "PIDTYPE_TGID", 1);
	mk_pair(m, "PIDTYPE_MAX", 2);
	proto = mk_type(m, "", BTF_KIND_FUNC_PROTO, 2, 0, t_long);
	mk_pair(m, "", mm_ptr);
	mk_pair(m, "", t_uint);
	proto_ptr = mk_type(m, "", BTF_KIND_PTR, 0, 0, proto);
	anon = mk_type(m, "", BTF_KIND_UNION, 2, 0, 8);
	mk_member(m, "a", t_int, 0);
	mk_member(m, "b", t_long, 0);
	file_fwd = mk_type(m, "file", BTF_KIND_FWD, 0, 0, 0);
	file_ptr = mk_type(m, "", BTF_KIND_PTR, 0, 0, file_fwd);
	dbl = mk_type(m, "double", BTF_KIND_FLOAT, 0, 0, 8);
	void_ptr = mk_type(m, "", BTF_KIND_PTR, 0, 0, 0);
	int_ptr = mk_type(m, "", BTF_KIND_PTR, 0, 0, t_int);
	mk_type(m, "task_struct", BTF_KIND_STRUCT, 11, 0, 96);
	mk_member(m, "pid", pid_t_, 0);
	mk_member(m, "tgid", pid_t_, 32);
	mk_member(m, "mm", mm_ptr, 64);
	mk_member(m, "comm", comm, 128);
	mk_member(m, "type", ptype, 256);
	mk_member(m, "op", proto_ptr, 320);
	mk_member(m, "", anon, 384);
	mk_member(m, "file", file_ptr, 448);
	mk_member(m, "d", dbl, 512);
	mk_member(m, "vp", void_ptr, 576);
	mk_member(m, "ip", int_ptr, 640);
	mk_type(m, "big", BTF_KIND_ENUM64, 2, 0, 8);
	mk_word(m, mk_str(m, "BIG_X"));
	mk_word(m, 0);
	mk_word(m, 1);
	mk_word(m, mk_str(m, "BIG_Y"));
	mk_word(m, 1);
	mk_word(m, 1);
	/* two types of one name: the one that matches counts */
	mk_type(m, "dup", BTF_KIND_STRUCT, 1, 0, 8);
	mk_member(m, "a", t_long, 0);
	mk_type(m, "dup", BTF_KIND_STRUCT, 1, 0, 4);
	mk_member(m, "a", t_int, 0);
	mk_done(m);
}

/* A local struct "name" with one member of type member_type. */
static uint32_t one_member(struct mk *m, const char *name,
			   const char *member_name, uint32_t member_type)
{
	uint32_t id = mk_type(m, name, BTF_KIND_STRUCT, 1, 0, 8);

	mk_member(m, member_name, member_type, 0);
	return id;
}

START_TEST(test_type_matches_structs)
{
	struct mk l;
	uint32_t i_int, i_long, i_int8, i_uint4, pid, tgid, comm16, comm8,
		 all, sz, sign, none, nofield, order, nothing;

	make_target();
	mk_init(&l);
	i_int = mk_int(&l, "int", 4, 1);
	i_long = mk_int(&l, "long", 8, 1);
	i_int8 = mk_int(&l, "int", 8, 1);       /* an int of another size */
	i_uint4 = mk_int(&l, "int", 4, 0);      /* and of another sign */
	pid = mk_type(&l, "pid_t", BTF_KIND_TYPEDEF, 0, 0, i_int);
	tgid = mk_type(&l, "pid_t___other", BTF_KIND_TYPEDEF, 0, 0, i_long);
	comm16 = mk_array(&l, mk_int(&l, "char", 1, 1), i_int, 16);
	comm8 = mk_array(&l, comm16 - 1, i_int, 8);
	/* a subset of the kernel's members, through typedefs or not */
	all = mk_type(&l, "task_struct", BTF_KIND_STRUCT, 3, 0, 24);
	mk_member(&l, "pid", pid, 0);
	mk_member(&l, "tgid", i_int, 32);
	mk_member(&l, "comm", comm16, 64);
	sz = one_member(&l, "task_struct___sz", "pid", i_int8);
	sign = one_member(&l, "task_struct___sign", "pid", i_uint4);
	none = one_member(&l, "task_struct___long", "pid", i_long);
	nofield = one_member(&l, "task_struct___nofield", "nope", i_int);
	/* in another order than the kernel's */
	order = mk_type(&l, "task_struct___order", BTF_KIND_STRUCT, 2, 0, 8);
	mk_member(&l, "tgid", i_int, 0);
	mk_member(&l, "pid", i_int, 32);
	nothing = one_member(&l, "rawtrace_no_such_struct", "pid", i_int);
	mk_type(&l, "task_struct___comm8", BTF_KIND_STRUCT, 1, 0, 8);
	mk_member(&l, "comm", comm8, 0);
	mk_done(&l);

	ck_assert_int_eq(matches(&l, all, &tgt), 1);
	ck_assert_int_eq(matches(&l, sz, &tgt), 0);
	ck_assert_int_eq(matches(&l, sign, &tgt), 0);
	ck_assert_int_eq(matches(&l, none, &tgt), 0);   /* "long" is not "int" */
	ck_assert_int_eq(matches(&l, nofield, &tgt), 0);
	ck_assert_int_eq(matches(&l, order, &tgt), 1);
	ck_assert_int_eq(matches(&l, nothing, &tgt), 0);
	ck_assert_int_eq(matches(&l, nothing + 1, &tgt), 0);    /* comm[8] */
	/* a typedef root: candidates are typedefs, then what they name */
	ck_assert_int_eq(matches(&l, pid, &tgt), 1);
	ck_assert_int_eq(matches(&l, tgid, &tgt), 0);
	mk_free(&l);
	mk_free(&tgt);
}
END_TEST

/* Pointers: what they point to must match by name and kind, but a struct
 * behind one is not looked into, and matches a forward declaration. */
START_TEST(test_type_matches_pointers)
{
	struct mk l;
	uint32_t i_int, mm_fwd, mm_other, mm_union, other, file_struct,
		 file_union, v, roots[10];
	int want[10] = { 1, 1, 0, 0, 0, 1, 0, 1, 0, 0 }, i;

	make_target();
	mk_init(&l);
	i_int = mk_int(&l, "int", 4, 1);
	mm_fwd = mk_type(&l, "mm_struct", BTF_KIND_FWD, 0, 0, 0);
	mm_other = mk_type(&l, "mm_struct___x", BTF_KIND_STRUCT, 1, 0, 8);
	mk_member(&l, "rawtrace_not_there", i_int, 0);
	mm_union = mk_type(&l, "mm_struct", BTF_KIND_UNION, 0, 0, 0);
	other = mk_type(&l, "other", BTF_KIND_STRUCT, 0, 0, 0);
	file_struct = mk_type(&l, "file", BTF_KIND_STRUCT, 0, 0, 0);
	file_union = mk_type(&l, "file", BTF_KIND_FWD, 0, 1, 0);
	v = 0;
	roots[0] = one_member(&l, "task_struct___a", "mm",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, mm_fwd));
	roots[1] = one_member(&l, "task_struct___b", "mm",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, mm_other));
	roots[2] = one_member(&l, "task_struct___c", "mm",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, mm_union));
	roots[3] = one_member(&l, "task_struct___d", "mm",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, other));
	roots[4] = one_member(&l, "task_struct___e", "mm", i_int);
	/* the kernel's file is only declared: a local struct file matches
	 * it behind a pointer, a union file does not */
	roots[5] = one_member(&l, "task_struct___f", "file",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, file_struct));
	roots[6] = one_member(&l, "task_struct___g", "file",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, file_union));
	/* void * is void *, and int * is not void * */
	roots[7] = one_member(&l, "task_struct___h", "vp",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, v));
	roots[8] = one_member(&l, "task_struct___i", "ip",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, v));
	/* but the struct itself, not behind a pointer, is looked into */
	roots[9] = one_member(&l, "task_struct___j", "mm", mm_other);
	mk_done(&l);
	for (i = 0; i < 10; i++)
		ck_assert_msg(matches(&l, roots[i], &tgt) == want[i],
			      "%s: want %d", btf_type_name(&l.btf, roots[i]),
			      want[i]);
	mk_free(&l);
	mk_free(&tgt);
}
END_TEST

/* Enums by enumerator names (flavors ignored, values not compared) and
 * size, enum and enum64 alike; unions and anonymous members; function
 * prototypes parameter by parameter; floats never (libbpf's rule). */
START_TEST(test_type_matches_other_kinds)
{
	struct mk l;
	uint32_t i_int, i_uint, i_long, e_ok, e_bad, e_big, e_wide, u_ok, u_bad,
		 mm_fwd, mm_ptr, roots[14], p;
	int want[14] = { 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0 }, i;

	make_target();
	mk_init(&l);
	i_int = mk_int(&l, "int", 4, 1);
	i_uint = mk_int(&l, "unsigned int", 4, 0);
	i_long = mk_int(&l, "long", 8, 1);
	e_ok = mk_type(&l, "pid_type", BTF_KIND_ENUM, 2, 0, 4);
	mk_pair(&l, "PIDTYPE_MAX___old", 7);    /* value and flavor ignored */
	mk_pair(&l, "PIDTYPE_PID", 0);
	e_bad = mk_type(&l, "pid_type___b", BTF_KIND_ENUM, 1, 0, 4);
	mk_pair(&l, "PIDTYPE_RAWTRACE", 0);
	e_wide = mk_type(&l, "pid_type___w", BTF_KIND_ENUM64, 1, 0, 8);
	mk_word(&l, mk_str(&l, "PIDTYPE_PID"));
	mk_word(&l, 0);
	mk_word(&l, 0);
	/* a 64-bit enum written as ENUM still matches the kernel's ENUM64 */
	e_big = mk_type(&l, "big", BTF_KIND_ENUM, 1, 0, 8);
	mk_pair(&l, "BIG_Y", 0);
	roots[0] = e_ok;
	roots[1] = e_bad;
	roots[2] = e_wide;
	roots[3] = e_big;
	roots[4] = one_member(&l, "task_struct___e", "type", e_ok);
	/* the anonymous union member matched by its members */
	u_ok = mk_type(&l, "", BTF_KIND_UNION, 1, 0, 8);
	mk_member(&l, "b", i_long, 0);
	u_bad = mk_type(&l, "", BTF_KIND_UNION, 1, 0, 8);
	mk_member(&l, "c", i_long, 0);
	roots[5] = one_member(&l, "task_struct___u", "", u_ok);
	roots[6] = one_member(&l, "task_struct___v", "", u_bad);
	/* long (*op)(struct mm_struct *, unsigned int) */
	mm_fwd = mk_type(&l, "mm_struct", BTF_KIND_FWD, 0, 0, 0);
	mm_ptr = mk_type(&l, "", BTF_KIND_PTR, 0, 0, mm_fwd);
	p = mk_type(&l, "", BTF_KIND_FUNC_PROTO, 2, 0, i_long);
	mk_pair(&l, "mm", mm_ptr);
	mk_pair(&l, "flags", i_uint);
	roots[7] = one_member(&l, "task_struct___p", "op",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, p));
	p = mk_type(&l, "", BTF_KIND_FUNC_PROTO, 1, 0, i_long);
	mk_pair(&l, "", mm_ptr);
	roots[8] = one_member(&l, "task_struct___q", "op",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, p));
	p = mk_type(&l, "", BTF_KIND_FUNC_PROTO, 2, 0, i_long);
	mk_pair(&l, "", mm_ptr);
	mk_pair(&l, "", i_int);
	roots[9] = one_member(&l, "task_struct___r", "op",
			      mk_type(&l, "", BTF_KIND_PTR, 0, 0, p));
	p = mk_type(&l, "", BTF_KIND_FUNC_PROTO, 2, 0, i_int);
	mk_pair(&l, "", mm_ptr);
	mk_pair(&l, "", i_uint);
	roots[10] = one_member(&l, "task_struct___s", "op",
			       mk_type(&l, "", BTF_KIND_PTR, 0, 0, p));
	roots[11] = one_member(&l, "task_struct___t", "d",
			       mk_type(&l, "double", BTF_KIND_FLOAT, 0, 0, 8));
	/* of the kernel's two struct dup, one has an int a */
	roots[12] = one_member(&l, "dup", "a", i_int);
	roots[13] = one_member(&l, "dup___2", "a", i_uint);
	mk_done(&l);
	for (i = 0; i < 14; i++)
		ck_assert_msg(matches(&l, roots[i], &tgt) == want[i],
			      "root %d %s: want %d", i,
			      btf_type_name(&l.btf, roots[i]), want[i]);
	mk_free(&l);
	mk_free(&tgt);
}
END_TEST

/* Structs nested by value deeper than libbpf follows: an error, as in
 * libbpf, not a silent 0. */
START_TEST(test_type_matches_too_deep)
{
	struct mk l, t;
	struct mk *both[2] = { &l, &t };
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_core_relo rec = { .kind = BPF_CORE_TYPE_MATCHES };
	struct core_result res;
	uint32_t id = 0;
	int k, i, levels[2] = { 30, 40 };

	for (k = 0; k < 2; k++) {
		for (i = 0; i < 2; i++) {
			int d;

			mk_init(both[i]);
			id = mk_int(both[i], "int", 4, 1);
			for (d = 0; d < levels[k]; d++)
				id = one_member(both[i], "nest", "x", id);
			mk_done(both[i]);
		}
		rec.type_id = id;
		rec.access_str_off = l.zero;
		if (k == 0) {
			ck_assert_int_eq(core_relocate(insns, 2, 0, &l.btf, &t.btf,
						       &rec, &res), 0);
			ck_assert_int_eq(insns[0].imm, 1);
		} else {
			ck_assert_int_eq(core_relocate(insns, 2, 0, &l.btf, &t.btf,
						       &rec, &res), -EINVAL);
			ck_assert_ptr_nonnull(strstr(error_msg(), "nests too deep"));
		}
		mk_free(&l);
		mk_free(&t);
	}
}
END_TEST

START_TEST(test_kind_names)
{
	ck_assert_str_eq(core_kind_name(BPF_CORE_FIELD_BYTE_OFFSET), "byte_off");
	ck_assert_str_eq(core_kind_name(BPF_CORE_FIELD_EXISTS), "field_exists");
	ck_assert_str_eq(core_kind_name(BPF_CORE_ENUMVAL_VALUE), "enumval_value");
	ck_assert_str_eq(core_kind_name(BPF_CORE_TYPE_MATCHES), "type_matches");
	ck_assert_str_eq(core_kind_name(99), "unknown");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_618_fields);
	tcase_add_test(tc, test_61_fields);
	tcase_add_test(tc, test_618_inet_flags);
	tcase_add_test(tc, test_61_inet_bitfields);
	tcase_add_test(tc, test_618_types_enums);
	tcase_add_test(tc, test_61_types_enums);
	tcase_add_test(tc, test_618_loads);
	tcase_add_test(tc, test_malformed_access);
	tcase_add_test(tc, test_validation);
	tcase_add_test(tc, test_poison_ld_imm64);
	tcase_add_test(tc, test_kind_names);
	tcase_add_test(tc, test_type_matches_structs);
	tcase_add_test(tc, test_type_matches_pointers);
	tcase_add_test(tc, test_type_matches_other_kinds);
	tcase_add_test(tc, test_type_matches_too_deep);
	tcase_add_test(tc, test_lazy_same_as_parsed);
	tcase_add_test(tc, test_live_kernels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
