/* Maps whose metric and label names collide once `rawtrace run
 * --metrics` names them (review of issue 22), for
 * tests/sh/test_run_metrics.sh:
 *
 * h: a hash of struct hist whose key has 17 members, the first named le:
 *    the key's labels are full, yet every bucket needs its own le;
 * cnt: a counter map named as the global cnt_total's gauge is
 *    (bad_metrics_cnt_total both);
 * twins: a key whose members x.y and x_y are both the label x_y;
 * b: an array of more counters than a family holds (100000): the
 *    family says it was cut.
 * Each getppid() call of any process fills them. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct k17 {
	__u8 le, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14,
	     a15, a16;
};

struct hist {
	__u32 slots[4];
};

struct twin_key {
	struct {
		__u32 y;
	} x;
	__u32 x_y;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, struct k17);
	__type(value, struct hist);
} h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, struct twin_key);
	__type(value, __u64);
} twins SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 100001);
	__type(key, __u32);
	__type(value, __u64);
} b SEC(".maps");

__u64 cnt_total = 3;

SEC("tracepoint/syscalls/sys_enter_getppid")
int tp(void *ctx)
{
	struct k17 k = { .le = 7, .a1 = 1 };
	struct hist v = { .slots = { 0, 2 } };
	struct twin_key t = { .x = { .y = 1 }, .x_y = 2 };
	__u32 z = 0;
	__u64 one = 1, *first = bpf_map_lookup_elem(&b, &z);

	if (first)
		*first += 1;
	bpf_map_update_elem(&h, &k, &v, BPF_ANY);
	bpf_map_update_elem(&cnt, &z, &one, BPF_ANY);
	bpf_map_update_elem(&twins, &t, &one, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
