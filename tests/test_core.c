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
	rec.kind = BPF_CORE_TYPE_MATCHES;
	ck_assert_int_eq(core_relocate(insns, 2, 0, &local, &kernel, &rec, &res),
			 -EINVAL);
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

START_TEST(test_kind_names)
{
	ck_assert_str_eq(core_kind_name(BPF_CORE_FIELD_BYTE_OFFSET), "byte_off");
	ck_assert_str_eq(core_kind_name(BPF_CORE_FIELD_EXISTS), "field_exists");
	ck_assert_str_eq(core_kind_name(BPF_CORE_ENUMVAL_VALUE), "enumval_value");
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
	tcase_add_test(tc, test_lazy_same_as_parsed);
	tcase_add_test(tc, test_live_kernels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
