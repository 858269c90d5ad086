/* BPF instructions printed the way the kernel verifier prints them
 * (kernel/bpf/disasm.c), without the "(code) " prefix, so that what
 * `rawtrace inspect` shows reads like a verifier log.
 *
 * Conventions of that notation worth knowing:
 *   - r0..r10 are 64-bit registers; wN is the low half of rN, used by
 *     the 32-bit classes (ALU, JMP32).
 *   - ALU immediates and memory offsets are signed decimal ("r1 += -8",
 *     "(r10 -8)"); jump comparands are unsigned hex ("if r1 > 0x4");
 *     ld_imm64 values are hex.
 *   - Jump and call targets are relative to the next instruction. */
#include <stdio.h>
#include <string.h>
#include "obj/disasm.h"

/* Opcodes newer than the 6.1 uapi headers we build against. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80          /* sign-extending load */
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0          /* may_goto, when src_reg is 0 */
#endif
#ifndef BPF_LOAD_ACQ
#define BPF_LOAD_ACQ 0x100
#endif
#ifndef BPF_STORE_REL
#define BPF_STORE_REL 0x110
#endif

/* The helper names, in id order, from the uapi list itself so a newer
 * header brings new names without edits here. The macro takes one
 * argument in 6.1 headers and (name, id, ctx) in later ones. */
#define HELPER_NAME(name, ...) [BPF_FUNC_ ## name] = #name
static const char *const helper_names[] = {
	__BPF_FUNC_MAPPER(HELPER_NAME)
};
#undef HELPER_NAME

const char *disasm_helper_name(int32_t id)
{
	if (id < 0 || (size_t)id >= sizeof helper_names / sizeof *helper_names)
		return NULL;
	return helper_names[id];
}

/* Indexed by BPF_OP(code) >> 4. */
static const char *const alu_op[16] = {
	[BPF_ADD >> 4] = "+=",  [BPF_SUB >> 4] = "-=",
	[BPF_MUL >> 4] = "*=",  [BPF_DIV >> 4] = "/=",
	[BPF_OR >> 4] = "|=",   [BPF_AND >> 4] = "&=",
	[BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=",
	[BPF_MOD >> 4] = "%=",  [BPF_XOR >> 4] = "^=",
	[BPF_MOV >> 4] = "=",   [BPF_ARSH >> 4] = "s>>=",
};

static const char *const jmp_op[16] = {
	[BPF_JEQ >> 4] = "==",   [BPF_JNE >> 4] = "!=",
	[BPF_JGT >> 4] = ">",    [BPF_JGE >> 4] = ">=",
	[BPF_JLT >> 4] = "<",    [BPF_JLE >> 4] = "<=",
	[BPF_JSGT >> 4] = "s>",  [BPF_JSGE >> 4] = "s>=",
	[BPF_JSLT >> 4] = "s<",  [BPF_JSLE >> 4] = "s<=",
	[BPF_JSET >> 4] = "&",
};

/* Indexed by BPF_SIZE(code) >> 3: W, H, B, DW. */
static const char *const mem_size[4] = { "u32", "u16", "u8", "u64" };
static const char *const mem_ssize[4] = { "s32", "s16", "s8", NULL };

static const char *const atomic_op[16] = {
	[BPF_ADD >> 4] = "add", [BPF_AND >> 4] = "and",
	[BPF_OR >> 4] = "or",   [BPF_XOR >> 4] = "xor",
};

static int unknown(const struct bpf_insn *in, char *buf, size_t len)
{
	snprintf(buf, len, "(%02x) unknown", in->code);
	return 1;
}

static int alu(const struct bpf_insn *in, char *buf, size_t len)
{
	int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	char w = cls == BPF_ALU ? 'w' : 'r';
	const char *name = alu_op[op >> 4], *cast = "";

	if (op == BPF_END) {
		if (cls == BPF_ALU64)   /* unconditional byte swap (v4) */
			snprintf(buf, len, "r%d = bswap%d r%d", in->dst_reg,
				 in->imm, in->dst_reg);
		else
			snprintf(buf, len, "r%d = %s%d r%d", in->dst_reg,
				 BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le",
				 in->imm, in->dst_reg);
		return 1;
	}
	if (op == BPF_NEG) {
		snprintf(buf, len, "%c%d = -%c%d", w, in->dst_reg, w,
			 in->dst_reg);
		return 1;
	}
	if (!name)
		return unknown(in, buf, len);
	/* off turns div/mod signed and mov sign-extending (cpu v4). */
	if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1)
		name = op == BPF_DIV ? "s/=" : "s%=";
	if (op == BPF_MOV && BPF_SRC(in->code) == BPF_X) {
		if (in->off == 8)
			cast = "(s8)";
		else if (in->off == 16)
			cast = "(s16)";
		else if (in->off == 32)
			cast = "(s32)";
	}
	if (BPF_SRC(in->code) == BPF_X)
		snprintf(buf, len, "%c%d %s %s%c%d", w, in->dst_reg, name, cast,
			 w, in->src_reg);
	else
		snprintf(buf, len, "%c%d %s %d", w, in->dst_reg, name, in->imm);
	return 1;
}

static int atomic(const struct bpf_insn *in, char *buf, size_t len)
{
	const char *sz = mem_size[BPF_SIZE(in->code) >> 3];
	const char *bits = BPF_SIZE(in->code) == BPF_DW ? "64" : "";
	int op = in->imm & ~BPF_FETCH;

	if (in->imm == BPF_CMPXCHG)
		snprintf(buf, len, "r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)",
			 bits, sz, in->dst_reg, in->off, in->src_reg);
	else if (in->imm == BPF_XCHG)
		snprintf(buf, len, "r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)",
			 in->src_reg, bits, sz, in->dst_reg, in->off,
			 in->src_reg);
	else if (in->imm == BPF_LOAD_ACQ)
		snprintf(buf, len, "r%d = load_acquire((%s *)(r%d %+d))",
			 in->dst_reg, sz, in->src_reg, in->off);
	else if (in->imm == BPF_STORE_REL)
		snprintf(buf, len, "store_release((%s *)(r%d %+d), r%d)",
			 sz, in->dst_reg, in->off, in->src_reg);
	else if ((op & ~0xf0) || !atomic_op[op >> 4])
		return unknown(in, buf, len);
	else if (in->imm & BPF_FETCH)
		/* The old value lands in src_reg. */
		snprintf(buf, len, "r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)",
			 in->src_reg, bits, atomic_op[op >> 4], sz,
			 in->dst_reg, in->off, in->src_reg);
	else
		snprintf(buf, len, "lock *(%s *)(r%d %+d) %s r%d", sz,
			 in->dst_reg, in->off, alu_op[op >> 4], in->src_reg);
	return 1;
}

static int mem(const struct bpf_insn *in, char *buf, size_t len)
{
	int cls = BPF_CLASS(in->code), mode = BPF_MODE(in->code);
	const char *sz = mem_size[BPF_SIZE(in->code) >> 3];

	if (cls == BPF_STX && mode == BPF_ATOMIC)
		return atomic(in, buf, len);
	if (cls == BPF_LDX && mode == BPF_MEMSX)
		sz = mem_ssize[BPF_SIZE(in->code) >> 3];
	else if (mode != BPF_MEM)
		return unknown(in, buf, len);
	if (!sz)
		return unknown(in, buf, len);
	if (cls == BPF_LDX)
		snprintf(buf, len, "r%d = *(%s *)(r%d %+d)", in->dst_reg, sz,
			 in->src_reg, in->off);
	else if (cls == BPF_STX)
		snprintf(buf, len, "*(%s *)(r%d %+d) = r%d", sz, in->dst_reg,
			 in->off, in->src_reg);
	else
		snprintf(buf, len, "*(%s *)(r%d %+d) = %d", sz, in->dst_reg,
			 in->off, in->imm);
	return 1;
}

/* The 64-bit immediate; src_reg says what it refers to. Without a
 * callback the raw numbers are shown as bpftool shows them. */
static void imm64_text(const struct bpf_insn *in, char *buf, size_t len,
		       disasm_map_fn map_name, void *ctx)
{
	uint64_t v = (uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in[0].imm;

	buf[0] = 0;
	if (in->src_reg && map_name) {
		map_name(ctx, in, buf, len);
		if (buf[0])
			return;
	}
	switch (in->src_reg) {
	case BPF_PSEUDO_MAP_FD:
		snprintf(buf, len, "map[id:%d]", in[0].imm);
		break;
	case BPF_PSEUDO_MAP_VALUE:
		snprintf(buf, len, "map[id:%d][0]+%d", in[0].imm, in[1].imm);
		break;
	case BPF_PSEUDO_MAP_IDX:
		snprintf(buf, len, "map[idx:%d]", in[0].imm);
		break;
	case BPF_PSEUDO_MAP_IDX_VALUE:
		snprintf(buf, len, "map[idx:%d]+%d", in[0].imm, in[1].imm);
		break;
	case BPF_PSEUDO_FUNC:
		snprintf(buf, len, "subprog[%+d]", in[0].imm);
		break;
	default:
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
		break;
	}
}

static int ld(const struct bpf_insn *insns, size_t count, size_t i,
	      char *buf, size_t len, disasm_map_fn map_name, void *ctx)
{
	const struct bpf_insn *in = &insns[i];
	const char *sz = mem_size[BPF_SIZE(in->code) >> 3];
	char val[128];

	switch (BPF_MODE(in->code)) {
	case BPF_ABS:   /* legacy socket-filter packet loads */
		snprintf(buf, len, "r0 = *(%s *)skb[%d]", sz, in->imm);
		return 1;
	case BPF_IND:
		snprintf(buf, len, "r0 = *(%s *)skb[r%d + %d]", sz, in->src_reg,
			 in->imm);
		return 1;
	case BPF_IMM:
		if (BPF_SIZE(in->code) != BPF_DW)
			break;
		if (i + 1 >= count) {
			snprintf(buf, len, "(%02x) ld_imm64 without its second half",
				 in->code);
			return 1;
		}
		imm64_text(in, val, sizeof val, map_name, ctx);
		snprintf(buf, len, "r%d = %s", in->dst_reg, val);
		return 2;
	}
	return unknown(in, buf, len);
}

static int call(const struct bpf_insn *in, char *buf, size_t len)
{
	const char *name = NULL;

	if (in->src_reg == BPF_PSEUDO_CALL) {
		snprintf(buf, len, "call pc%+d", in->imm);
		return 1;
	}
	if (in->src_reg == BPF_PSEUDO_KFUNC_CALL) {
		snprintf(buf, len, "call kernel-function#%d", in->imm);
		return 1;
	}
	if (in->src_reg == 0)
		name = disasm_helper_name(in->imm);
	/* An unknown id includes libbpf's CO-RE poison, 0xbad2310. */
	if (name)
		snprintf(buf, len, "call bpf_%s#%d", name, in->imm);
	else
		snprintf(buf, len, "call unknown#%d", in->imm);
	return 1;
}

static int jmp(const struct bpf_insn *in, char *buf, size_t len)
{
	int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	char w = cls == BPF_JMP32 ? 'w' : 'r';

	if (in->code == (BPF_JMP | BPF_CALL))
		return call(in, buf, len);
	if (in->code == (BPF_JMP | BPF_EXIT))
		snprintf(buf, len, "exit");
	else if (in->code == (BPF_JMP | BPF_JA))
		snprintf(buf, len, "goto pc%+d", in->off);
	else if (in->code == (BPF_JMP32 | BPF_JA))  /* long jump: imm */
		snprintf(buf, len, "gotol pc%+d", in->imm);
	else if (in->code == (BPF_JMP | BPF_JA | BPF_X))
		snprintf(buf, len, "gotox r%d", in->dst_reg);
	else if (in->code == (BPF_JMP | BPF_JCOND) && in->src_reg == 0)
		snprintf(buf, len, "may_goto pc%+d", in->off);
	else if (!jmp_op[op >> 4])
		return unknown(in, buf, len);
	else if (BPF_SRC(in->code) == BPF_X)
		snprintf(buf, len, "if %c%d %s %c%d goto pc%+d", w, in->dst_reg,
			 jmp_op[op >> 4], w, in->src_reg, in->off);
	else
		snprintf(buf, len, "if %c%d %s 0x%x goto pc%+d", w, in->dst_reg,
			 jmp_op[op >> 4], (unsigned)in->imm, in->off);
	return 1;
}

int disasm_insn(const struct bpf_insn *insns, size_t count, size_t i,
		char *buf, size_t len, disasm_map_fn map_name, void *ctx)
{
	const struct bpf_insn *in = &insns[i];

	if (len == 0)
		return 1;
	buf[0] = 0;
	if (i >= count)
		return 1;
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return alu(in, buf, len);
	case BPF_LDX:
	case BPF_STX:
	case BPF_ST:
		return mem(in, buf, len);
	case BPF_LD:
		return ld(insns, count, i, buf, len, map_name, ctx);
	default: /* BPF_JMP, BPF_JMP32 */
		return jmp(in, buf, len);
	}
}
