/* A libbpf-style object that `rawtrace run --metrics` serves to
 * Prometheus (issue 22): counts the getppid() calls of the processes
 * whose name starts with target_prefix (tests/workload/getppids) in a
 * hash with a struct key (comm, pid: labels), a per-CPU array (summed),
 * an array of log2 slots named *hist* and a hash of libbpf-tools'
 * struct hist (Prometheus histograms), a .bss counter and a .data int
 * (gauges). The n-th call of a process goes to log2 slot log2(n). Each
 * call counted also sends n through a ring buffer: the test sees the
 * rings read on time while a client holds the metrics socket. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 8

struct key {
	char comm[16];
	__u32 pid;
};

struct hist {
	__u32 slots[MAX_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct key);
	__type(value, __u64);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cpu_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} call_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct hist);
} pid_hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

const volatile char target_prefix[8] = "rtm";
__u64 total_calls = 0;
int offset = -3;

static __u32 log2_slot(__u64 n)
{
	__u32 slot = 0;

	for (int i = 0; i < MAX_SLOTS - 1; i++)
		if (n >> (i + 1))
			slot = i + 1;
	return slot;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32, zero = 0, slot;
	struct key k = {};
	struct hist empty = {}, *h;
	__u64 one = 1, n, *v;

	bpf_get_current_comm(k.comm, sizeof k.comm);
	for (int i = 0; i < sizeof target_prefix && target_prefix[i]; i++)
		if (k.comm[i] != target_prefix[i])
			return 0;
	k.pid = pid;
	v = bpf_map_lookup_elem(&calls, &k);
	if (v) {
		n = __sync_fetch_and_add(v, 1) + 1;
	} else {
		bpf_map_update_elem(&calls, &k, &one, BPF_NOEXIST);
		n = 1;
	}
	slot = log2_slot(n);
	v = bpf_map_lookup_elem(&cpu_calls, &zero);
	if (v)
		*v += 1;
	v = bpf_map_lookup_elem(&call_hist, &slot);
	if (v)
		__sync_fetch_and_add(v, 1);
	bpf_map_update_elem(&pid_hists, &pid, &empty, BPF_NOEXIST);
	h = bpf_map_lookup_elem(&pid_hists, &pid);
	if (h && slot < MAX_SLOTS)
		__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&total_calls, 1);
	bpf_ringbuf_output(&events, &n, sizeof n, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
