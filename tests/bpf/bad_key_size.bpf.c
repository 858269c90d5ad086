/* A key size given before a key type that disagrees with it: refused
 * as bad_value_size.bpf.c's value, whatever the order. */
#include "include/rawtrace_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(key_size, 2);
	__type(key, __u64);
	__type(value, __u32);
} mism SEC(".maps");

SEC("socket")
int uses_mism(void *ctx)
{
	__u64 key = 0;

	return bpf_map_lookup_elem(&mism, &key) ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
