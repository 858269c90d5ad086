/* knobs.h: each tool's knobs, one struct shared by both sides.
 *
 * The BPF side declares `const volatile struct X_knobs knobs` in .rodata;
 * the tool fills the whole struct from its options and sets it once
 * before load (obj_set_var(obj, "knobs", ...)). The loader freezes
 * .rodata, so the verifier knows every member's value and never visits
 * a branch a knob turns off: a filter not asked for costs nothing.
 *
 * Every struct starts with struct common_knobs (include/events.bpf.h
 * reads want_time there); the port list, where a tool has one, is a
 * struct port_list named `ports` (include/port_filter.bpf.h). Fixed-size
 * types only, padding spelled out, as in events.h. */
#ifndef RAWTRACE_KNOBS_H
#define RAWTRACE_KNOBS_H

#include <linux/types.h>
#include "include/events.h"

struct common_knobs {
	__u32 target_pid;       /* -p; 0: every process */
	__u32 netns;            /* --netns: the inode number of the one
				   network namespace whose sockets count;
				   0: every one (include/scope.bpf.h) */
	__u8 want_time;         /* -t or -j: take bpf_ktime_get_ns() */
	__u8 kernel_btf;        /* CO-RE uses the kernel's own BTF (no
				   --btf), which bpf_get_current_task_btf()
				   needs (include/sock_fd.bpf.h) */
	__u8 filter_cgroup;     /* -c, --container: only tasks under the
				   cgroup in scope_cgroup[0] */
	__u8 pad;
};

/* -P / --port: at most PORT_FILTER_MAX ports, host order. */
struct port_list {
	__u32 n;                /* 0: every port */
	__u16 port[PORT_FILTER_MAX];
};

struct bind_knobs {
	struct common_knobs c;
	struct port_list ports;  /* the local port */
	__u8 ignore_errors;     /* drop ret != 0 (off with -x) */
	__u8 pad[3];
};

struct listen_knobs {
	struct common_knobs c;
};

struct connect_knobs {
	struct common_knobs c;
	struct port_list ports;  /* the destination port */
	__u32 target_uid;       /* -u; (__u32)-1: every user */
	__u8 ignore_errors;     /* drop ret != 0 (off with -x) */
	__u8 wait_result;       /* --result: hold the event till the
				   handshake ends */
	__u8 pad[2];
};

struct packets_knobs {
	struct common_knobs c;  /* target_pid, netns, filter_cgroup unused:
				   packets have no task, and their socket
				   is opened in the namespace --netns names */
	__u16 port;             /* --port, either side; 0: every port */
	__u8 proto;             /* --proto, IPPROTO_*; 0: every protocol */
	__u8 host_ver;          /* --host: 4 or 6; 0: every host */
	__u8 host[16];          /* --host, network order */
};

struct deny_bind_knobs {
	struct common_knobs c;  /* target_pid, netns, filter_cgroup unused:
				   the policy is per cgroup */
	struct port_list ports;  /* the bound port */
	__u32 addr_words[4];    /* --addr in IPv6 form (v4 as ::ffff:a.b.c.d),
				   network order */
	__u8 filter_addr;       /* --addr given */
	__u8 audit;             /* --audit: log, but let the bind stand */
	__u8 log_events;        /* off where this kernel refuses the
				   helpers to cgroup sock programs */
	__u8 pad;
};

#endif
