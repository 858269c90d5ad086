/* Map keys whose BTF would make a walk of their members as Prometheus
 * labels (render/prom.c) cost vlen^depth member visits (review of issue
 * 22): tests/test_prom.c opens this object, never loads it.
 *
 * wide: 256 members of empty structs of 256 members ... four levels deep,
 * nothing but the last __u32 to show: 256^4 visits without a budget.
 * full: 17 labels' worth of scalars first (more than a key can have),
 * then the same wide member: nothing after the labels are full is
 * worth a visit. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define M16(T, p) T p##_0, p##_1, p##_2, p##_3, p##_4, p##_5, p##_6, \
	p##_7, p##_8, p##_9, p##_10, p##_11, p##_12, p##_13, p##_14, p##_15;
#define M256(T) M16(T, a0) M16(T, a1) M16(T, a2) M16(T, a3) M16(T, a4) \
	M16(T, a5) M16(T, a6) M16(T, a7) M16(T, a8) M16(T, a9) M16(T, a10) \
	M16(T, a11) M16(T, a12) M16(T, a13) M16(T, a14) M16(T, a15)

struct e0 { };
struct e1 { M256(struct e0) };
struct e2 { M256(struct e1) };
struct e3 { M256(struct e2) };

struct wide {
	M256(struct e3)
	__u32 id;
};

struct full {
	M16(__u8, s)
	__u8 seventeenth;
	struct e3 rest;
	__u32 id;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, struct wide);
	__type(value, __u64);
} wide SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, struct full);
	__type(value, __u64);
} full SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int tp(void *ctx)
{
	struct wide w = { .id = 1 };
	struct full f = { .id = 2 };
	__u64 one = 1;

	bpf_map_update_elem(&wide, &w, &one, BPF_ANY);
	bpf_map_update_elem(&full, &f, &one, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
