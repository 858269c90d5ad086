/* relocs.bpf.c: one object with every non-CO-RE relocation the loader
 * fixes, for tests that check the program instruction by instruction
 * after relocation. Nothing here is meant to be useful at run time.
 *
 * What each piece exercises:
 *   two BTF maps (counts, totals)  map fd references (BPF_PSEUDO_MAP_FD);
 *                                  the map is the one whose offset in .maps
 *                                  equals the symbol's value (clang puts
 *                                  one of the two at a non-zero offset);
 *   .rodata/.data/.bss globals     map value references
 *                                  (BPF_PSEUDO_MAP_VALUE) against the
 *                                  variable's symbol: the value offset
 *                                  (insn[1].imm) is st_value, non-zero for
 *                                  all but one variable per section;
 *   data_static                    a static global: clang relocates it
 *                                  against the .data section symbol and
 *                                  leaves its offset in insn[0].imm;
 *   add_one (static, .text)        called from reloc_tp through the .text
 *                                  section symbol (call imm = offset/8 - 1);
 *                                  it references a map, .bss and .rodata,
 *                                  so .rel.text must be applied to every
 *                                  copy;
 *   count_event (global, .text)    called through its own symbol (imm -1);
 *                                  it calls add_one with no relocation at
 *                                  all (a pc-relative call inside .text),
 *                                  a nested call that pulls add_one into
 *                                  reloc_sock as well;
 *   two programs, two sections     each gets its own copy of both
 *                                  subprograms, at different offsets.
 * Both subprograms stay out of line (__noinline). The kernel verifies the
 * global one on its own (BTF FUNC with global linkage), so it takes and
 * returns only scalars. The exact layout is whatever clang chose: tests
 * should read symbol values, not assume declaration order.
 */
#include "include/rawtrace_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

/* .rodata: read-only knobs. */
const volatile __u32 ro_first = 1;
const volatile __u32 ro_second = 2;
const volatile __u64 ro_third = 3;

/* .data: initialised, writable. */
__u64 data_a = 10;
__u64 data_b = 20;
static __u64 data_static = 30;

/* .bss: zeroed. */
__u64 bss_a;
__u64 bss_b;
__u64 bss_c;

/* Static subprogram in .text: a map reference and a .bss reference inside
 * .text, both relocated in each program's copy. */
static __noinline __u64 add_one(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	bss_b += 1;
	if (!v)
		return 0;
	*v += ro_second;
	return *v;
}

/* Global subprogram in .text, calling the static one (nested call) and
 * using .data at a non-zero offset and the second map. */
__noinline __u64 count_event(__u32 key)
{
	__u64 total = add_one(key & 3) + data_b;

	bpf_map_update_elem(&totals, &key, &total, BPF_ANY);
	return total;
}

SEC("tracepoint/syscalls/sys_enter_bind")
int reloc_tp(void *ctx)
{
	bss_c = ro_third;                 /* .rodata+8 into .bss+16 */
	data_a += add_one(ro_first);      /* direct static call */
	return (int)count_event(1);       /* global call */
}

SEC("socket")
int reloc_sock(void *ctx)
{
	bss_a = data_a + ro_first;
	data_static++;                    /* section symbol + offset in imm */
	return count_event(2) ? 0 : 1;    /* same subprograms, other copy */
}

char LICENSE[] SEC("license") = "GPL";
