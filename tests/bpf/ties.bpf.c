/* A hash of counters with many ties: rawtrace run shows counters
 * largest first, and ties in the order the kernel walks them (as
 * bpftool dumps them). Each getppid() of a process named target_comm
 * sets 32 keys spread over the hash, to 1 or 2, 16 of each. */
#include "include/rawtrace_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} rt_ties SEC(".maps");

const volatile char target_comm[16] = "";

SEC("tracepoint/syscalls/sys_enter_getppid")
int fill(void *ctx)
{
	char comm[16];
	__u32 i;

	bpf_get_current_comm(comm, sizeof comm);
	for (i = 0; i < sizeof comm; i++) {
		if (comm[i] != target_comm[i])
			return 0;
		if (!comm[i])
			break;
	}
	for (i = 0; i < 32; i++) {
		__u32 key = i * 2654435761u;
		__u64 value = 1 + (i & 1);

		bpf_map_update_elem(&rt_ties, &key, &value, BPF_ANY);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
