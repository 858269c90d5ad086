/* What the attach_*.c files share, and nothing outside loader/ needs:
 * the shared perf-event/link helper (loader/link.c), the small file
 * readers, and each kind's attach function for the table in attach.c. */
#ifndef RAWTRACE_ATTACH_IMPL_H
#define RAWTRACE_ATTACH_IMPL_H

#include "loader/attach.h"
#include "loader/sys.h"
#include "obj/names.h"

/* Attach types newer than the uapi headers we build with (6.1's). */
#define RT_BPF_TCX_INGRESS 46
#define RT_BPF_TCX_EGRESS  47

typedef int attach_fn(const struct obj_prog *p, int prog_fd,
		      const struct attach_opts *o, struct link *l);

attach_fn attach_kprobe, attach_kprobe_multi, attach_ksyscall;
attach_fn attach_tracepoint, attach_tracing, attach_uprobe, attach_usdt;
attach_fn attach_perf_event_kind, attach_iter, attach_xdp, attach_tc;
attach_fn attach_cgroup, attach_socket, attach_sockmap;

/* ---- loader/link.c ---- */
void link_clear(struct link *l);
/* l holds fd, a BPF link: detach closes it. */
void link_hold(struct link *l, int fd);
/* BPF_LINK_CREATE with a filled a (link_create.*); the link fd or
 * -errno. */
int link_create_attr(union bpf_attr *a);
/* The plain BPF_LINK_CREATE: prog_fd on target (an fd, or an ifindex
 * for devices), no extras. */
int link_create(int prog_fd, int target, uint32_t attach_type);
/* Puts prog_fd on the perf event pfd (taken by l, or closed on failure)
 * and enables it: a perf link (5.15+, carrying cookie), else
 * PERF_EVENT_IOC_SET_BPF (legacy forces that). what names the target in
 * the error. */
int link_perf_event(int pfd, int prog_fd, uint64_t cookie, int legacy,
		    struct link *l, const char *what);
/* perf_event_open(attr, pid, cpu), then link_perf_event. On an open
 * failure returns -errno with error_msg unset: the caller says what. */
int link_perf_open(struct perf_event_attr *attr, int pid, int cpu,
		   int prog_fd, uint64_t cookie, int legacy, struct link *l,
		   const char *what);
/* Detach functions other files set. */
void link_close_perf_event(struct link *l);

/* ---- loader/tc_netlink.c ---- */
/* A clsact qdisc (if the device has none) and a cls_bpf filter holding
 * prog_fd on ifindex's ingress or egress; detach removes them. */
int tc_attach_netlink(const struct obj_prog *p, int prog_fd, int ifindex,
		      int egress, struct link *l);

/* ---- small helpers (loader/attach.c) ---- */
int read_int(const char *path, const char *fmt, int *out);
int is_dir(const char *path);
/* The tracefs tracepoint category/name with p on it (legacy: SET_BPF). */
int open_tracepoint(const struct obj_prog *p, int prog_fd,
		    const char *category, const char *name, int legacy,
		    uint64_t cookie, struct link *l, const char *what);
/* Is name a text symbol in /proc/kallsyms? 1, 0 or -errno. */
int kallsyms_has(const char *name);

#endif
