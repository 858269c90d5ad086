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

/* Most ports the -P filter takes (size of the filter_ports rodata array). */
#define BIND_MAX_PORTS 16

/* One bind() on an AF_INET/AF_INET6 socket. On success, port and addr are
 * what the socket got (port 0 asks for an ephemeral one; this shows it);
 * on failure, what the caller asked for. */
struct bind_event {
	__u64 ts_ns;          /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
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
};                            /* 64 bytes */

_Static_assert(sizeof(struct bind_event) == 64, "bind_event layout");

#endif /* RAWTRACE_EVENTS_H */
