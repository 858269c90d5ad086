/* CO-RE test object: one relocation record of every kind obj/core.c
 * implements, against kernel structs whose layout differs between Debian's
 * 6.1 kernel and 6.18 (inet_sock lost its flag bitfields to inet_flags in
 * 6.6; sock and inet_sock fields moved; node_stat_item was renumbered).
 *
 * No libbpf headers: the few macros and struct definitions it needs are
 * here. Each struct lists only the fields the programs touch; their local
 * offsets are irrelevant, CO-RE finds the kernel's by name. The programs
 * are never loaded by tests/test_core.c, only relocated; they still do
 * what a real tool would (probe-read through the relocated addresses). */
#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))
#define CORE __attribute__((preserve_access_index))

/* clang's __builtin_preserve_field_info kinds */
enum { BYTE_OFFSET, BYTE_SIZE, FIELD_EXISTS, SIGNED, LSHIFT_U64, RSHIFT_U64 };
/* __builtin_preserve_type_info, __builtin_btf_type_id and
 * __builtin_preserve_enum_value kinds */
enum { TYPE_EXISTS, TYPE_SIZE };
enum { TYPE_ID_LOCAL, TYPE_ID_TARGET };
enum { ENUMVAL_EXISTS, ENUMVAL_VALUE };

#define field_info(f, k) __builtin_preserve_field_info(f, k)
#define type_info(T, k) __builtin_preserve_type_info(*(typeof(T) *)0, k)
#define type_id(T, k) __builtin_btf_type_id(*(typeof(T) *)0, k)
#define enum_info(E, v, k) __builtin_preserve_enum_value(*(typeof(E) *)v, k)

static long (*bpf_probe_read_kernel)(void *dst, __u32 size,
				     const void *src) = (void *)113;

/* Reads a bitfield (or any integer field) the way libbpf's
 * BPF_CORE_READ_BITFIELD_PROBED does: load the bytes that hold it, shift
 * it to the top, shift it back down with or without sign extension. */
#define read_bits(s, f) ({ \
	__u64 _v = 0; \
	bpf_probe_read_kernel(&_v, field_info((s)->f, BYTE_SIZE), \
			      (const char *)(s) + field_info((s)->f, BYTE_OFFSET)); \
	_v <<= field_info((s)->f, LSHIFT_U64); \
	if (field_info((s)->f, SIGNED)) \
		_v = (__u64)((__s64)_v >> field_info((s)->f, RSHIFT_U64)); \
	else \
		_v >>= field_info((s)->f, RSHIFT_U64); \
	_v; \
})

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be32 u6_addr32[4];
	} in6_u;
} CORE;

struct sock_common {
	union {
		struct {
			__be16 skc_dport;
			__u16 skc_num;
		};
	};
	unsigned short skc_family;
	unsigned char skc_reuse:4;
	unsigned char skc_reuseport:1;
	int skc_bound_dev_if;
	struct in6_addr skc_v6_rcv_saddr;
} CORE;

struct sock {
	struct sock_common __sk_common;
	__u16 sk_protocol;
} CORE;

/* 6.6+: the flag bitfields became bits of inet_flags */
struct inet_sock {
	struct sock sk;
	unsigned long inet_flags;
	__be32 inet_saddr;
	__be16 inet_sport;
} CORE;

/* before 6.6 */
struct inet_sock___old {
	struct sock sk;
	__u8 freebind:1;
	__u8 transparent:1;
	__u8 bind_address_no_port:1;
} CORE;

/* A local field wider than the kernel's u16: the load is narrowed. */
struct sock___wide {
	__u32 sk_protocol;
} CORE;

/* A signed local field of another size: narrowing would lose the sign,
 * so the load is poisoned. */
struct sock___signed {
	int sk_protocol;
} CORE;

struct task_struct {
	int pid;
} CORE;

/* A field no kernel has, and a type no kernel has. */
struct task_struct___nope {
	int rawtrace_no_such_field;
} CORE;

struct rawtrace_no_such_type {
	int x;
} CORE;

/* Named kernel enums: node_stat_item was renumbered after 6.1,
 * BPF_NETFILTER is new in 6.4, perf_callchain_context is an ENUM64 in the
 * kernel (clang 14 writes it as a 32-bit ENUM here). */
enum node_stat_item { NR_SHMEM = 22 };
enum bpf_attach_type { BPF_CGROUP_INET4_BIND = 8, BPF_NETFILTER = 45 };
enum perf_callchain_context { PERF_CONTEXT_HV = -32 };

/* The 6.6+ inet_flags bit numbers (an anonymous enum in the kernel, so not
 * relocatable by name: used as plain constants). */
enum { INET_FLAGS_FREEBIND = 11, INET_FLAGS_TRANSPARENT = 15,
       INET_FLAGS_BIND_ADDRESS_NO_PORT = 18 };

__u64 out[32];

struct raw_tp_args {
	unsigned long long args[6];
};

/* Plain field reads through probe_read: byte_off records on ALU insns. */
SEC("raw_tracepoint/sys_enter")
int core_fields(struct raw_tp_args *ctx)
{
	struct inet_sock *inet = (void *)ctx->args[0];
	struct sock *sk = &inet->sk;
	struct task_struct *task = (void *)ctx->args[1];
	__u32 v32 = 0;
	__u16 v16 = 0;

	bpf_probe_read_kernel(&v16, 2, &sk->__sk_common.skc_family);
	out[0] = v16;
	bpf_probe_read_kernel(&v32, 4, &sk->__sk_common.skc_bound_dev_if);
	out[1] = v32;
	bpf_probe_read_kernel(&v16, 2, &sk->__sk_common.skc_num);
	out[2] = v16;
	bpf_probe_read_kernel(&v32, 4,
			      &sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[3]);
	out[3] = v32;
	bpf_probe_read_kernel(&v16, 2, &sk->sk_protocol);
	out[4] = v16;
	bpf_probe_read_kernel(&v32, 4, &inet->inet_saddr);
	out[5] = v32;
	bpf_probe_read_kernel(&v16, 2, &inet->inet_sport);
	out[6] = v16;
	bpf_probe_read_kernel(&v32, 4, &task->pid);
	out[7] = v32;
	return 0;
}

/* Bitfields (byte_off, byte_sz, signed, lshift, rshift) and the
 * inet_sock layout change guarded by field_exists. */
SEC("raw_tracepoint/sys_exit")
int core_bits(struct raw_tp_args *ctx)
{
	struct inet_sock *inet = (void *)ctx->args[0];
	struct inet_sock___old *old = (void *)inet;
	struct sock_common *skc = &inet->sk.__sk_common;
	__u64 flags = 0;

	out[8] = read_bits(skc, skc_reuse);
	out[9] = read_bits(skc, skc_reuseport);
	if (field_info(inet->inet_flags, FIELD_EXISTS)) {
		bpf_probe_read_kernel(&flags, 8, &inet->inet_flags);
		out[10] = flags >> INET_FLAGS_FREEBIND & 1;
		out[11] = flags >> INET_FLAGS_TRANSPARENT & 1;
		out[12] = flags >> INET_FLAGS_BIND_ADDRESS_NO_PORT & 1;
	} else if (field_info(old->freebind, FIELD_EXISTS)) {
		out[10] = read_bits(old, freebind);
		out[11] = read_bits(old, transparent);
		out[12] = read_bits(old, bind_address_no_port);
	}
	return 0;
}

/* Direct loads (LDX off records, as tp_btf/fentry programs make), one of
 * them narrowed, one poisoned for a missing field and one for an unsafe
 * size change. */
SEC("raw_tracepoint/sched_switch")
int core_loads(struct raw_tp_args *ctx)
{
	struct sock *sk = (void *)ctx->args[0];
	struct task_struct___nope *nope = (void *)ctx->args[1];

	out[13] = sk->__sk_common.skc_bound_dev_if;
	out[14] = ((struct sock___wide *)sk)->sk_protocol;
	out[15] = nope->rawtrace_no_such_field;
	out[16] = ((struct sock___signed *)sk)->sk_protocol;
	return 0;
}

/* Type and enum records. */
SEC("raw_tracepoint/sched_process_exec")
int core_types(struct raw_tp_args *ctx)
{
	out[17] = type_id(struct sock, TYPE_ID_LOCAL);
	out[18] = type_id(struct sock, TYPE_ID_TARGET);
	out[19] = type_info(struct sock, TYPE_EXISTS);
	out[20] = type_info(struct sock, TYPE_SIZE);
	out[21] = type_info(struct inet_sock, TYPE_SIZE);
	out[22] = type_info(struct rawtrace_no_such_type, TYPE_EXISTS);
	out[23] = enum_info(enum node_stat_item, NR_SHMEM, ENUMVAL_VALUE);
	out[24] = enum_info(enum bpf_attach_type, BPF_NETFILTER, ENUMVAL_EXISTS);
	out[25] = enum_info(enum bpf_attach_type, BPF_CGROUP_INET4_BIND,
			    ENUMVAL_VALUE);
	out[26] = enum_info(enum perf_callchain_context, PERF_CONTEXT_HV,
			    ENUMVAL_VALUE);
	if (enum_info(enum bpf_attach_type, BPF_NETFILTER, ENUMVAL_EXISTS))
		out[27] = enum_info(enum bpf_attach_type, BPF_NETFILTER,
				    ENUMVAL_VALUE);
	out[28] = field_info(((struct rawtrace_no_such_type *)0)->x, BYTE_OFFSET);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
