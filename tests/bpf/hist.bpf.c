/* A libbpf-style object whose histograms `rawtrace run` draws at its end
 * as the libbpf-tools draw theirs (issue 22). Each getppid() call of a
 * process named target_comm (tests/workload/getppids) is numbered
 * 1, 2, 3, ... per process, and the number n goes into:
 *   hists: a hash of libbpf-tools' struct hist (slots and a comm), keyed
 *     by a struct (the pid, and whether n is odd), log2(n) counted;
 *   lat_us_hist: a per-CPU array of counters named *hist*, log2(3n);
 *   step_counts: an array of counters named like no histogram, n / 5
 *     (drawn only with --hist step_counts:linear:5);
 *   by_key: counters keyed by hists' struct key, no slot: --hist refuses
 *     it.
 * The workload's N calls give buckets the test knows exactly. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 26

struct hist {
	__u32 slots[MAX_SLOTS];
	char comm[16];
};

struct hist_key {
	__u32 pid;
	__u32 odd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct hist_key);
	__type(value, struct hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lat_us_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} step_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct hist_key);
	__type(value, __u64);
} by_key SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

const volatile char target_comm[16] = "";

/* floor(log2(v)), 0 for 0 and 1: the libbpf-tools' slot of v */
static __u32 log2_slot(__u64 v)
{
	__u32 r = 0;

	for (int i = 0; i < 63 && v > 1; i++) {
		v >>= 1;
		r++;
	}
	return r;
}

static __u64 next_number(__u32 pid)
{
	__u64 one = 1, *n = bpf_map_lookup_elem(&calls, &pid);

	if (!n) {
		bpf_map_update_elem(&calls, &pid, &one, BPF_NOEXIST);
		return 1;
	}
	/* no fetch: an atomic that returns its value needs 5.12; the
	 * workload makes its calls from one thread */
	__sync_fetch_and_add(n, 1);
	return *n;
}

static void count_in_hists(__u32 pid, __u64 n, const char *comm)
{
	struct hist_key k = { .pid = pid, .odd = n & 1 };
	static const struct hist zero;
	struct hist *h;
	__u32 slot = log2_slot(n);
	__u64 one = 1, *c = bpf_map_lookup_elem(&by_key, &k);

	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&by_key, &k, &one, BPF_NOEXIST);

	h = bpf_map_lookup_elem(&hists, &k);
	if (!h) {
		bpf_map_update_elem(&hists, &k, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &k);
		if (!h)
			return;
		__builtin_memcpy(h->comm, comm, sizeof h->comm);
	}
	if (slot < MAX_SLOTS)
		__sync_fetch_and_add(&h->slots[slot], 1);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32, slot, step;
	char comm[16] = {};     /* 6.1 leaves what follows the NUL */
	__u64 n, *c;
	__u32 *s;

	bpf_get_current_comm(comm, sizeof comm);
	for (int i = 0; i < sizeof comm; i++)
		if (comm[i] != target_comm[i])
			return 0;
	n = next_number(pid);
	count_in_hists(pid, n, comm);
	slot = log2_slot(n * 3);
	c = bpf_map_lookup_elem(&lat_us_hist, &slot);
	if (c)
		*c += 1;
	step = n / 5;
	s = bpf_map_lookup_elem(&step_counts, &step);
	if (s)
		__sync_fetch_and_add(s, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
