/* Globals of the types rawtrace run --set must judge (tests/sh/
 * test_run.sh): a 64-bit unsigned, and a 16-byte integer no --set value
 * is parsed into. Self-contained, as minimal.bpf.c. */
#include <linux/bpf.h>
#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))

const volatile __u64 big_u64 = 0;
const volatile __s32 small_s32 = 0;
const volatile unsigned __int128 wide = 0;

SEC("socket")
int set_types(struct __sk_buff *skb)
{
	return (int)(big_u64 + small_s32 + (__u64)wide);
}

char LICENSE[] SEC("license") = "GPL";
