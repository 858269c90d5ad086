/* Map sizes that disagree with their types, in either order: obj_open
 * must refuse them ("conflicting value size"), as libbpf does, or the
 * map would be made with a small value its type reads far past (the
 * review of issue 22: a histogram drawn from 8 bytes as 512 KiB). */
#include "include/rawtrace_bpf.h"

struct big {
	__u64 slots[65536];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct big);
	__uint(value_size, 8);
} mism SEC(".maps");

SEC("socket")
int uses_mism(void *ctx)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&mism, &key) ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
