/* The disassembler against hand-built instructions: each string is what
 * the kernel verifier prints for that instruction (minus "(code) "). */
#include <string.h>
#include "obj/disasm.h"
#include "tests/testutil.h"

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80     /* not in the 6.1 uapi headers */
#endif

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

/* Disassembles one instruction (two for ld_imm64) and checks the text
 * and the slot count. */
static void expect_n(const struct bpf_insn *in, size_t count, int slots,
		     const char *want, disasm_map_fn fn, void *ctx)
{
	char buf[128];
	int n;

	memset(buf, 'x', sizeof buf);
	n = disasm_insn(in, count, 0, buf, sizeof buf, fn, ctx);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(n, slots);
}

static void expect(struct bpf_insn in, const char *want)
{
	expect_n(&in, 1, 1, want, NULL, NULL);
}

START_TEST(alu64)
{
	expect(INSN(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 0), "r1 += r2");
	expect(INSN(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -8), "r1 += -8");
	expect(INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0), "r1 = 0");
	expect(INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0), "r6 = r1");
	expect(INSN(BPF_ALU64 | BPF_NEG, 1, 0, 0, 0), "r1 = -r1");
	expect(INSN(BPF_ALU64 | BPF_ARSH | BPF_K, 1, 0, 0, 3), "r1 s>>= 3");
	expect(INSN(BPF_ALU64 | BPF_LSH | BPF_K, 3, 0, 0, 32), "r3 <<= 32");
	expect(INSN(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 255), "r2 &= 255");
	expect(INSN(BPF_ALU64 | BPF_MOD | BPF_X, 0, 1, 0, 0), "r0 %= r1");
}
END_TEST

START_TEST(alu32)
{
	expect(INSN(BPF_ALU | BPF_MOV | BPF_X, 1, 2, 0, 0), "w1 = w2");
	expect(INSN(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, -1), "w0 = -1");
	expect(INSN(BPF_ALU | BPF_NEG, 3, 0, 0, 0), "w3 = -w3");
	expect(INSN(BPF_ALU | BPF_RSH | BPF_K, 1, 0, 0, 16), "w1 >>= 16");
	expect(INSN(BPF_ALU | BPF_XOR | BPF_X, 4, 5, 0, 0), "w4 ^= w5");
}
END_TEST

START_TEST(alu_v4)
{
	/* Signed division and sign-extending moves carry a flag in off. */
	expect(INSN(BPF_ALU64 | BPF_DIV | BPF_X, 1, 2, 1, 0), "r1 s/= r2");
	expect(INSN(BPF_ALU | BPF_MOD | BPF_K, 1, 0, 1, 7), "w1 s%= 7");
	expect(INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 8, 0), "r1 = (s8)r2");
	expect(INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 32, 0), "r1 = (s32)r2");
}
END_TEST

START_TEST(endian)
{
	expect(INSN(BPF_ALU | BPF_END | BPF_TO_BE, 1, 0, 0, 16), "r1 = be16 r1");
	expect(INSN(BPF_ALU | BPF_END | BPF_TO_LE, 2, 0, 0, 64), "r2 = le64 r2");
	expect(INSN(BPF_ALU64 | BPF_END, 3, 0, 0, 32), "r3 = bswap32 r3");
}
END_TEST

START_TEST(load_store)
{
	expect(INSN(BPF_LDX | BPF_MEM | BPF_W, 1, 6, 16, 0),
	       "r1 = *(u32 *)(r6 +16)");
	expect(INSN(BPF_LDX | BPF_MEM | BPF_B, 2, 1, 0, 0),
	       "r2 = *(u8 *)(r1 +0)");
	expect(INSN(BPF_LDX | BPF_MEM | BPF_DW, 3, 10, -24, 0),
	       "r3 = *(u64 *)(r10 -24)");
	expect(INSN(BPF_LDX | BPF_MEMSX | BPF_H, 3, 1, 2, 0),
	       "r3 = *(s16 *)(r1 +2)");
	expect(INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 0),
	       "*(u64 *)(r10 -8) = r1");
	expect(INSN(BPF_STX | BPF_MEM | BPF_H, 10, 2, -2, 0),
	       "*(u16 *)(r10 -2) = r2");
	expect(INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0),
	       "*(u32 *)(r10 -4) = 0");
	expect(INSN(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, -1),
	       "*(u64 *)(r10 -16) = -1");
}
END_TEST

START_TEST(atomics)
{
	expect(INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 0, BPF_ADD),
	       "lock *(u64 *)(r0 +0) += r1");
	expect(INSN(BPF_STX | BPF_ATOMIC | BPF_W, 2, 3, 8, BPF_OR),
	       "lock *(u32 *)(r2 +8) |= r3");
	expect(INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, BPF_ADD | BPF_FETCH),
	       "r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)");
	expect(INSN(BPF_STX | BPF_ATOMIC | BPF_W, 2, 4, 4, BPF_XOR | BPF_FETCH),
	       "r4 = atomic_fetch_xor((u32 *)(r2 +4), r4)");
	expect(INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 2, 3, 0, BPF_XCHG),
	       "r3 = atomic64_xchg((u64 *)(r2 +0), r3)");
	expect(INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 2, 3, 0, BPF_CMPXCHG),
	       "r0 = atomic64_cmpxchg((u64 *)(r2 +0), r0, r3)");
	expect(INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 2, 3, 0, BPF_SUB),
	       "(db) unknown");
}
END_TEST

START_TEST(ld_imm64_plain)
{
	struct bpf_insn in[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 0x1234),
		INSN(0, 0, 0, 0, 0),
	};
	struct bpf_insn big[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 2, 0, 0, -1),
		INSN(0, 0, 0, 0, 0x12),
	};

	expect_n(in, 2, 2, "r1 = 0x1234", NULL, NULL);
	expect_n(big, 2, 2, "r2 = 0x12ffffffff", NULL, NULL);
	/* No second half: one slot, and no read past the array. */
	expect_n(in, 1, 1, "(18) ld_imm64 without its second half", NULL, NULL);
}
END_TEST

START_TEST(ld_imm64_pseudo_raw)
{
	struct bpf_insn fd[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, 3),
		INSN(0, 0, 0, 0, 0),
	};
	struct bpf_insn val[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_MAP_VALUE, 0, 4),
		INSN(0, 0, 0, 0, 8),
	};
	struct bpf_insn func[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_FUNC, 0, 12),
		INSN(0, 0, 0, 0, 0),
	};
	struct bpf_insn btf[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_BTF_ID, 0, 77),
		INSN(0, 0, 0, 0, 0),
	};

	expect_n(fd, 2, 2, "r1 = map[id:3]", NULL, NULL);
	expect_n(val, 2, 2, "r2 = map[id:4][0]+8", NULL, NULL);
	expect_n(func, 2, 2, "r2 = subprog[+12]", NULL, NULL);
	expect_n(btf, 2, 2, "r1 = 0x4d", NULL, NULL);
}
END_TEST

/* A callback as the inspect command would write one: names maps by
 * their index, subprograms and BTF ids by number. */
static void name_it(void *ctx, const struct bpf_insn *in, char *buf,
		    size_t len)
{
	const char *const *maps = ctx;

	switch (in->src_reg) {
	case BPF_PSEUDO_MAP_FD:
		snprintf(buf, len, "map[%s]", maps[in[0].imm]);
		break;
	case BPF_PSEUDO_MAP_VALUE:
		snprintf(buf, len, "map[%s]+%d", maps[in[0].imm], in[1].imm);
		break;
	case BPF_PSEUDO_FUNC:
		snprintf(buf, len, "func[%+d]", in[0].imm);
		break;
	case BPF_PSEUDO_BTF_ID:
		snprintf(buf, len, "btf_id[%d]", in[0].imm);
		break;
	}
}

START_TEST(ld_imm64_pseudo_named)
{
	const char *maps[] = { "events", ".rodata" };
	struct bpf_insn fd[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_MAP_FD, 0, 0),
		INSN(0, 0, 0, 0, 0),
	};
	struct bpf_insn val[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_VALUE, 0, 1),
		INSN(0, 0, 0, 0, 8),
	};
	struct bpf_insn func[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_FUNC, 0, -3),
		INSN(0, 0, 0, 0, 0),
	};
	struct bpf_insn btf[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_BTF_ID, 0, 77),
		INSN(0, 0, 0, 0, 0),
	};
	struct bpf_insn plain[2] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 5),
		INSN(0, 0, 0, 0, 0),
	};

	expect_n(fd, 2, 2, "r2 = map[events]", name_it, maps);
	expect_n(val, 2, 2, "r1 = map[.rodata]+8", name_it, maps);
	expect_n(func, 2, 2, "r2 = func[-3]", name_it, maps);
	expect_n(btf, 2, 2, "r1 = btf_id[77]", name_it, maps);
	/* A plain constant never goes to the callback. */
	expect_n(plain, 2, 2, "r1 = 0x5", name_it, maps);
}
END_TEST

START_TEST(jumps)
{
	expect(INSN(BPF_JMP | BPF_JNE | BPF_K, 1, 0, 3, 0),
	       "if r1 != 0x0 goto pc+3");
	expect(INSN(BPF_JMP32 | BPF_JGT | BPF_X, 1, 2, -5, 0),
	       "if w1 > w2 goto pc-5");
	expect(INSN(BPF_JMP | BPF_JSGT | BPF_K, 0, 0, 1, -1),
	       "if r0 s> 0xffffffff goto pc+1");
	expect(INSN(BPF_JMP | BPF_JSET | BPF_X, 3, 4, 0, 0),
	       "if r3 & r4 goto pc+0");
	expect(INSN(BPF_JMP | BPF_JLE | BPF_K, 2, 0, 7, 4096),
	       "if r2 <= 0x1000 goto pc+7");
	expect(INSN(BPF_JMP | BPF_JA, 0, 0, 2, 0), "goto pc+2");
	expect(INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, -100000), "gotol pc-100000");
	expect(INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), "exit");
}
END_TEST

START_TEST(calls)
{
	expect(INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel),
	       "call bpf_probe_read_kernel#113");
	expect(INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
	       "call bpf_map_lookup_elem#1");
	expect(INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_perf_event_output),
	       "call bpf_perf_event_output#25");
	expect(INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 12),
	       "call pc+12");
	expect(INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -4),
	       "call pc-4");
	/* libbpf's CO-RE poison for a relocation it could not resolve. */
	expect(INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 0xbad2310),
	       "call unknown#195896080");
	expect(INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 5),
	       "call kernel-function#5");
	ck_assert_str_eq(disasm_helper_name(113), "probe_read_kernel");
	ck_assert_ptr_null(disasm_helper_name(-1));
	ck_assert_ptr_null(disasm_helper_name(0xbad2310));
}
END_TEST

START_TEST(legacy_packet)
{
	expect(INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 12), "r0 = *(u8 *)skb[12]");
	expect(INSN(BPF_LD | BPF_ABS | BPF_H, 0, 0, 0, 12), "r0 = *(u16 *)skb[12]");
	expect(INSN(BPF_LD | BPF_IND | BPF_W, 0, 7, 0, 14),
	       "r0 = *(u32 *)skb[r7 + 14]");
}
END_TEST

START_TEST(unknown_and_sequence)
{
	struct bpf_insn prog[] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 1),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	const char *want[] = { "r1 = 0x1", "r0 = 0", "exit" };
	char buf[64];
	size_t i = 0, k = 0;

	expect(INSN(0xff, 0, 0, 0, 0), "(ff) unknown");
	expect(INSN(BPF_ALU64 | 0xe0 | BPF_K, 0, 0, 0, 0), "(e7) unknown");
	while (i < sizeof prog / sizeof *prog) {
		i += (size_t)disasm_insn(prog, 4, i, buf, sizeof buf, NULL, NULL);
		ck_assert_str_eq(buf, want[k++]);
	}
	ck_assert_uint_eq(k, 3);
	/* A short buffer is truncated, still terminated. */
	disasm_insn(prog + 2, 1, 0, buf, 3, NULL, NULL);
	ck_assert_str_eq(buf, "r0");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("disasm");
	TCase *tc = tcase_create("insn");

	tcase_add_test(tc, alu64);
	tcase_add_test(tc, alu32);
	tcase_add_test(tc, alu_v4);
	tcase_add_test(tc, endian);
	tcase_add_test(tc, load_store);
	tcase_add_test(tc, atomics);
	tcase_add_test(tc, ld_imm64_plain);
	tcase_add_test(tc, ld_imm64_pseudo_raw);
	tcase_add_test(tc, ld_imm64_pseudo_named);
	tcase_add_test(tc, jumps);
	tcase_add_test(tc, calls);
	tcase_add_test(tc, legacy_packet);
	tcase_add_test(tc, unknown_and_sequence);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
