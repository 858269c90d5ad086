/* events.h: the records the BPF programs send to user space.
 *
 * Both sides compile this file: clang for the BPF target and musl-gcc for
 * the tool. So it uses only fixed-size types from linux/types.h, and every
 * padding byte is spelled out: the layout is identical on both sides and
 * the BPF side can zero the whole record (no stack garbage leaks out). */
#ifndef RAWTRACE_EVENTS_H
#define RAWTRACE_EVENTS_H

#include <linux/types.h>

#define TASK_COMM_LEN 16

/* ---- rawtrace bind ---------------------------------------------------------- */

/* bind_event.opts bits: the letters bindsnoop prints, in this order. */
#define BIND_OPT_FREEBIND      (1u << 0) /* F  IP_FREEBIND */
#define BIND_OPT_TRANSPARENT   (1u << 1) /* T  IP_TRANSPARENT */
#define BIND_OPT_NO_PORT       (1u << 2) /* N  IP_BIND_ADDRESS_NO_PORT */
#define BIND_OPT_REUSEADDR     (1u << 3) /* R  SO_REUSEADDR */
#define BIND_OPT_REUSEPORT     (1u << 4) /* r  SO_REUSEPORT */
#define BIND_OPT_LETTERS       "FTNRr"

/* Most ports a -P / --port list takes: the size of the filter_ports
 * rodata array (include/port_filter.bpf.h), the same for every tool. */
#define PORT_FILTER_MAX 16

/* Most ports the -P filter takes. */
#define BIND_MAX_PORTS PORT_FILTER_MAX

/* One bind() on an AF_INET/AF_INET6 socket. On success, port and addr are
 * what the socket got (port 0 asks for an ephemeral one; this shows it);
 * on failure, what the caller asked for. */
struct bind_event {
	__u64 ts_ns;          /* CLOCK_MONOTONIC; 0 unless shown (-t, -j) */
	__u32 pid;            /* process (tgid) */
	__u32 tid;            /* thread */
	__s32 ret;            /* 0 or -errno */
	__u32 bound_dev_if;   /* SO_BINDTODEVICE ifindex, 0 if none */
	__u16 port;           /* host order */
	__u8 proto;           /* IPPROTO_TCP, IPPROTO_UDP, ... */
	__u8 opts;            /* BIND_OPT_* */
	__u8 ver;             /* 4 or 6 */
	__u8 pad[3];
	__u8 addr[16];        /* v4: first 4 bytes; network order */
	char comm[TASK_COMM_LEN];
	__u64 cgroup_id;      /* the caller's cgroup v2 */
	__u32 netns;          /* inode number of the socket's network namespace */
	__u32 pad2;
};                            /* 80 bytes */

_Static_assert(sizeof(struct bind_event) == 80, "bind_event layout");

/* ---- rawtrace listen -------------------------------------------------------- */

/* One listen() that reached inet_listen (TCP over IPv4 or IPv6). Port and
 * addr are read from the socket after the call, so a listen() without a
 * bind() before it shows the port the kernel picked. */
struct listen_event {
	__u64 ts_ns;          /* CLOCK_MONOTONIC; 0 unless shown (-t, -j) */
	__u32 pid;            /* process (tgid) */
	__u32 tid;            /* thread */
	__s32 ret;            /* 0 or -errno */
	__s32 backlog;        /* as inet_listen got it: clamped to somaxconn */
	__u32 netns;          /* inode number of the socket's network namespace */
	__u16 port;           /* host order */
	__u8 type;            /* SOCK_STREAM, ... (sk_type) */
	__u8 ver;             /* 4 or 6 */
	__u8 addr[16];        /* v4: first 4 bytes; network order */
	char comm[TASK_COMM_LEN];
	__u64 cgroup_id;      /* the caller's cgroup v2 */
};                            /* 72 bytes */

_Static_assert(sizeof(struct listen_event) == 72, "listen_event layout");

/* ---- rawtrace deny-bind ---------------------------------------------------- */

/* Most ports --port takes. */
#define DENY_BIND_MAX_PORTS PORT_FILTER_MAX

/* One bind() the cgroup post_bind program refused (denied = 1), or would
 * have refused under --audit (denied = 0). Port and addr are what the
 * socket got: for a bind to port 0, the port the kernel picked. */
struct deny_bind_event {
	__u64 ts_ns;          /* CLOCK_MONOTONIC; 0 unless shown (-t, -j) */
	__u32 pid;            /* process (tgid) */
	__u32 tid;            /* thread */
	__u16 port;           /* host order */
	__u8 proto;           /* IPPROTO_TCP, IPPROTO_UDP, ... */
	__u8 ver;             /* 4 or 6: the socket's family */
	__u8 denied;          /* 1: bind() failed with EPERM; 0: audit only */
	__u8 pad[3];
	__u8 addr[16];        /* v4: first 4 bytes; network order */
	char comm[TASK_COMM_LEN];
	__u64 cgroup_id;      /* the caller's cgroup v2 */
};                            /* 64 bytes */

_Static_assert(sizeof(struct deny_bind_event) == 64, "deny_bind_event layout");

/* ---- rawtrace packets -------------------------------------------------------- */

/* packet_event.flags */
#define PKT_FRAG     (1u << 0) /* an IPv4 or IPv6 fragment (first or later) */
#define PKT_NO_PORTS (1u << 1) /* no ports, type or code read (a later
				  fragment, a protocol other than TCP, UDP,
				  ICMP, ICMPv6): sport, dport are 0 */
#define PKT_UNPARSED (1u << 2) /* its L4 header could not be read (too many
				  IPv6 extension headers, cut short), or its
				  IP header (then no addresses, proto 0):
				  with PKT_NO_PORTS; --proto, --port keep it */

/* One IPv4 or IPv6 packet seen on the traced interface. */
struct packet_event {
	__u64 ts_ns;          /* CLOCK_MONOTONIC; 0 unless shown (-t, -j) */
	__u32 ifindex;        /* device it was seen on */
	__u32 len;            /* IP length: v4 tot_len, v6 40 + payload_len;
				 0 when the header says 0 (BIG TCP, jumbo) */
	__u16 sport;          /* TCP/UDP: the source port, host order;
				 ICMP/ICMPv6: the type; 0 with PKT_NO_PORTS
				 (JSON "sport" null unless TCP/UDP read,
				 "icmp_type" null unless ICMP read) */
	__u16 dport;          /* TCP/UDP: the destination port; ICMP/ICMPv6:
				 the code; 0 with PKT_NO_PORTS (JSON "dport",
				 "icmp_code": as sport) */
	__u8 ver;             /* 4 or 6 */
	__u8 proto;           /* IPPROTO_*, after IPv6 extension headers */
	__u8 flags;           /* PKT_* */
	__u8 tcp_flags;       /* TCP: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08
				 ACK 0x10 URG 0x20; else 0 */
	__u8 pkt_type;        /* PACKET_HOST, PACKET_OUTGOING, ... */
	__u8 pad[7];
	__u8 saddr[16];       /* v4: first 4 bytes; network order */
	__u8 daddr[16];
};                            /* 64 bytes */

_Static_assert(sizeof(struct packet_event) == 64, "packet_event layout");

/* ---- rawtrace connect ------------------------------------------------------- */

/* Most destination ports the -P filter takes. */
#define CONNECT_MAX_PORTS PORT_FILTER_MAX

/* connect_event.result: how the handshake ended (only with --result). */
#define CONNECT_RESULT_NONE   0 /* not waited for, or ret != 0 (no SYN) */
#define CONNECT_RESULT_OK     1 /* SYN_SENT -> ESTABLISHED (or SYN_RECV) */
#define CONNECT_RESULT_CLOSED 2 /* SYN_SENT -> CLOSE; result_err says why */

/* One TCP connect that reached tcp_v4_connect/tcp_v6_connect. ret is what
 * that function returned: 0 when the SYN went out (the handshake is under
 * way, so a connect that is later refused has ret 0), -errno when the
 * kernel would not start it. Addresses and ports are the socket's after
 * the call, except for ret != 0: then daddr/dport are the ones asked for. */
struct connect_event {
	__u64 ts_ns;          /* CLOCK_MONOTONIC; 0 unless shown (-t, -j) */
	__u32 pid;            /* process (tgid) */
	__u32 tid;            /* thread */
	__u32 uid;            /* real uid of the caller */
	__s32 ret;            /* tcp_v*_connect's result: 0 or -errno */
	__u16 sport;          /* host order */
	__u16 dport;          /* host order */
	__u8 ver;             /* 4 or 6 */
	__u8 result;          /* CONNECT_RESULT_* */
	__u16 result_err;     /* sk_err when it closed: ECONNREFUSED, ... */
	__u8 saddr[16];       /* v4: first 4 bytes; network order */
	__u8 daddr[16];
	char comm[TASK_COMM_LEN];
	__u64 cgroup_id;      /* the caller's cgroup v2 */
	__u32 netns;          /* inode number of the socket's network namespace */
	__u32 pad;
};                            /* 96 bytes */

_Static_assert(sizeof(struct connect_event) == 96, "connect_event layout");

#endif /* RAWTRACE_EVENTS_H */
