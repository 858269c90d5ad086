/* kernel_types.h: the few kernel structs rawtrace's BPF programs read.
 *
 * This stands in for a generated vmlinux.h. Each struct lists only the
 * fields we read, with the kernel's names; order, padding and sizes here
 * do not matter, because every struct is marked preserve_access_index
 * (KERNEL_TYPE below): clang emits a CO-RE record for each access, and
 * the loader patches in the offsets it finds by name in the running
 * kernel's BTF.
 *
 * Where the kernel nests fields inside anonymous unions or structs
 * (sock_common's skc_daddr, skc_num, ...), we declare them flat: matching
 * is by name, and the matcher looks inside the kernel's anonymous members
 * as libbpf does.
 *
 * A type named "x___flavor" matches kernel type "x": that is how one
 * object carries two layouts of the same struct (inet_sock___old).
 *
 * BPF side only. Include after rawtrace_bpf.h. */
#ifndef RAWTRACE_KERNEL_TYPES_H
#define RAWTRACE_KERNEL_TYPES_H

#include <linux/types.h>

#define KERNEL_TYPE __attribute__((preserve_access_index))

/* Address families (linux/socket.h; not in the uapi headers we use). */
#define AF_INET  2
#define AF_INET6 10

/* ---- networking --------------------------------------------------------- */

/* Read as a whole (16 bytes), never field by field, so no CO-RE needed. */
struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be16 u6_addr16[8];
		__be32 u6_addr32[4];
	} in6_u;
};

struct ns_common {
	unsigned int inum;           /* the netns "inode" number ip netns shows */
} KERNEL_TYPE;

/* Per-netns core sysctls (net.core.*). */
struct netns_core {
	int sysctl_somaxconn;        /* listen() clamps its backlog to this */
} KERNEL_TYPE;

struct net {
	struct ns_common ns;
	struct netns_core core;
} KERNEL_TYPE;

/* The kernel's possible_net_t is a typedef of an anonymous struct that
 * holds the pointer only when CONFIG_NET_NS is set. */
typedef struct {
	struct net *net;
} KERNEL_TYPE possible_net_t;

/* The part of every socket shared with request and timewait socks. */
struct sock_common {
	__be32 skc_daddr;            /* remote IPv4 address */
	__be32 skc_rcv_saddr;        /* bound local IPv4 address */
	__be16 skc_dport;            /* remote port, network order */
	__u16 skc_num;               /* local port, host order */
	unsigned short skc_family;   /* AF_INET, AF_INET6, ... */
	volatile unsigned char skc_state; /* TCP_ESTABLISHED, TCP_LISTEN, ... */
	unsigned char skc_reuse : 4;      /* SO_REUSEADDR */
	unsigned char skc_reuseport : 1;  /* SO_REUSEPORT */
	int skc_bound_dev_if;        /* SO_BINDTODEVICE ifindex, 0 if none */
	possible_net_t skc_net;      /* network namespace */
	struct in6_addr skc_v6_daddr;     /* only with IPv6: SKC_HAS_V6 */
	struct in6_addr skc_v6_rcv_saddr;
} KERNEL_TYPE;

/* A kernel built without IPv6 has no skc_v6_* fields (nor v6 sockets).
 * Reads of them go behind SKC_HAS_V6, a constant the loader patches in:
 * there the verifier sees the branch is dead, so the fields' unresolved
 * (poisoned) CO-RE records do not fail the whole program, v4 included. */
#define SKC_HAS_V6                                                           \
	(CORE_FIELD_EXISTS(struct sock_common, skc_v6_daddr) &&              \
	 CORE_FIELD_EXISTS(struct sock_common, skc_v6_rcv_saddr))

struct sock {
	struct sock_common __sk_common;
	/* sk_protocol was an 8-bit bitfield before 5.6 and a u16 since: read
	 * it with CORE_READ_BITFIELD so both layouts work. */
	__u16 sk_protocol;
	__u16 sk_type;               /* SOCK_STREAM, SOCK_DGRAM, ... */
	__u32 sk_max_ack_backlog;    /* listen() backlog */
	int sk_err;                  /* pending error: ECONNREFUSED after a RST, ... */
} KERNEL_TYPE;

/* Bit numbers in inet_sock.inet_flags (Linux 6.6+, include/net/inet_sock.h).
 * The kernel's enum is anonymous; ours has a name so a CO-RE enum-value
 * record can refer to it. The values are the kernel's, used as they are
 * when the running kernel's BTF does not answer. */
enum inet_flags_bit {
	INET_FLAGS_PKTINFO = 0,
	INET_FLAGS_TTL = 1,
	INET_FLAGS_TOS = 2,
	INET_FLAGS_RECVOPTS = 3,
	INET_FLAGS_RETOPTS = 4,
	INET_FLAGS_PASSSEC = 5,
	INET_FLAGS_ORIGDSTADDR = 6,
	INET_FLAGS_CHECKSUM = 7,
	INET_FLAGS_RECVFRAGSIZE = 8,
	INET_FLAGS_RECVERR = 9,
	INET_FLAGS_RECVERR_RFC4884 = 10,
	INET_FLAGS_FREEBIND = 11,
	INET_FLAGS_HDRINCL = 12,
	INET_FLAGS_MC_LOOP = 13,
	INET_FLAGS_MC_ALL = 14,
	INET_FLAGS_TRANSPARENT = 15,
	INET_FLAGS_IS_ICSK = 16,
	INET_FLAGS_NODEFRAG = 17,
	INET_FLAGS_BIND_ADDRESS_NO_PORT = 18,
	INET_FLAGS_DEFER_CONNECT = 19,
};

/* An AF_INET or AF_INET6 socket (inet6 sockets embed it too). */
struct inet_sock {
	struct sock sk;
	unsigned long inet_flags;    /* 6.6+: bits numbered by INET_FLAGS_* */
	__be32 inet_saddr;           /* source address used for sending */
	__be16 inet_sport;           /* local port, network order */
} KERNEL_TYPE;

/* inet_sock before Linux 6.6, when the option flags were bitfields. The
 * flavor suffix makes CO-RE match it against the kernel's inet_sock; on
 * 6.6+ these fields do not exist, and CORE_FIELD_EXISTS says so. */
struct inet_sock___old {
	__u8 recverr : 1, is_icsk : 1, freebind : 1, hdrincl : 1,
	     mc_loop : 1, transparent : 1, mc_all : 1, nodefrag : 1;
	__u8 bind_address_no_port : 1, recverr_rfc4884 : 1, defer_connect : 1;
} KERNEL_TYPE;

/* The VFS face of a socket: what a socket fd's file points at. */
struct socket {
	short type;                  /* SOCK_STREAM, ... */
	struct file *file;
	struct sock *sk;
} KERNEL_TYPE;

/* ---- files and tasks ------------------------------------------------------ */

struct file {
	void *private_data;          /* for a socket file: its struct socket */
} KERNEL_TYPE;

struct fdtable {
	unsigned int max_fds;        /* fd[] has this many slots */
	struct file **fd;
} KERNEL_TYPE;

struct files_struct {
	struct fdtable *fdt;
} KERNEL_TYPE;

struct task_struct {
	int pid;                     /* thread id */
	int tgid;                    /* process id */
	struct files_struct *files;
} KERNEL_TYPE;

/* ---- user ABI structs (fixed layout, read from our own copies) ---------- */

/* Same layout on every kernel, and we read them from a copy on the BPF
 * stack or in a map, so plain structs: no CO-RE. Port and address are in
 * network order. */
struct sockaddr_in {
	unsigned short sin_family;
	__be16 sin_port;
	__be32 sin_addr;
	__u8 sin_zero[8];
};

struct sockaddr_in6 {
	unsigned short sin6_family;
	__be16 sin6_port;
	__be32 sin6_flowinfo;
	struct in6_addr sin6_addr;
	__u32 sin6_scope_id;
};

/* ---- tracepoint records ----------------------------------------------------
 * Syscall tracepoints are not in BTF; their layout is the "format" file in
 * tracefs (events/syscalls/sys_enter_bind/format). Every sys_enter_* record
 * is the common header, the syscall number, then each argument in its own
 * 8-byte slot; every sys_exit_* record ends with the return value. */
struct trace_sys_enter {
	__u64 common;                /* common_type, flags, preempt_count, pid */
	__s32 syscall_nr;
	__u32 pad;
	__u64 args[6];               /* arguments in order, widened to 64 bits */
};

struct trace_sys_exit {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__s64 ret;
};

/* sock:inet_sock_set_state (events/sock/inet_sock_set_state/format, the
 * same layout in 6.1 and 6.18). Ports are host order; v4 addresses are in
 * saddr/daddr, v6 ones in saddr_v6/daddr_v6 (v4-mapped for AF_INET). */
struct trace_inet_sock_set_state {
	__u64 common;
	const void *skaddr;          /* the struct sock */
	int oldstate;                /* TCP_CLOSE, TCP_SYN_SENT, ... */
	int newstate;
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u16 protocol;              /* IPPROTO_TCP, IPPROTO_MPTCP, ... */
	__u8 saddr[4];
	__u8 daddr[4];
	__u8 saddr_v6[16];
	__u8 daddr_v6[16];
};

#endif /* RAWTRACE_KERNEL_TYPES_H */
