/* A hash of histograms whose key has no type (__uint(key_size, 4)): its
 * histograms are drawn with no key, and their JSON objects must still
 * parse (the review of issue 22 found `{"map":"keyless",,"hist":...`).
 * Each getppid() counts in slot 3 of the entry of key 0. */
#include "include/rawtrace_bpf.h"

struct hist {
	__u32 slots[20];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__type(value, struct hist);
} keyless SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int count(void *ctx)
{
	struct hist h = {}, *p;
	__u32 key = 0;

	p = bpf_map_lookup_elem(&keyless, &key);
	if (p) {
		__sync_fetch_and_add(&p->slots[3], 1);
		return 0;
	}
	h.slots[3] = 1;
	bpf_map_update_elem(&keyless, &key, &h, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
