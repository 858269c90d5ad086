/* Attaching loaded programs to where they run, one way per kind:
 *   kprobe/kretprobe  perf_event_open on the kprobe PMU (or, on kernels
 *                     without it, a tracefs kprobe_events entry), then
 *                     PERF_EVENT_IOC_SET_BPF and PERF_EVENT_IOC_ENABLE
 *   tracepoint        perf_event_open(PERF_TYPE_TRACEPOINT, id from tracefs)
 *   raw_tracepoint    BPF_RAW_TRACEPOINT_OPEN
 *   socket            setsockopt(SO_ATTACH_BPF) on a socket the caller gives
 *   cgroup            BPF_PROG_ATTACH on a cgroup directory's fd
 * A link holds what must be undone; link_destroy undoes it. */
#ifndef RAWTRACE_ATTACH_H
#define RAWTRACE_ATTACH_H

#include <stdint.h>
#include "obj/object.h"

struct link {
	enum attach_kind kind;
	int fd;                 /* perf event or raw tracepoint fd, or -1 */
	int target_fd;          /* socket or cgroup fd (not owned), or -1 */
	int prog_fd;
	uint32_t attach_type;
	char event[64];         /* tracefs kprobe event to remove, or "" */
};

/* Attaches the program p of a spec, loaded as prog_fd (loaded_prog_fd).
 * target_fd: the socket (ATTACH_SOCKET) or cgroup fd (ATTACH_CGROUP);
 * ignored otherwise. */
int attach_prog(const struct obj_prog *p, int prog_fd, int target_fd,
		struct link *l);
void link_destroy(struct link *l);

/* 0 if the kernel has what p attaches to, or if that cannot be told;
 * -ENOENT, with error_msg saying so, if it has no such thing at all:
 * no such function (kprobes: /proc/kallsyms; fentry/fexit: kbtf), no
 * such tracepoint (tracefs; tp_btf: kbtf). kbtf may be NULL. A tool uses
 * this to leave out a program whose target is optional (inet6_bind on a
 * kernel built without IPv6) instead of giving up the whole backend. */
int attach_target_check(const struct obj_prog *p, const struct btf *kbtf);

/* Where tracefs is mounted ("/sys/kernel/tracing"); mounts it if it is
 * not. NULL (and error_msg) if there is none. */
const char *tracefs_path(void);

/* 1 if this kernel can attach kprobes (PMU or kprobe_events). */
int kprobes_available(void);
/* 1 if the kprobe PMU exists (/sys/bus/event_source/devices/kprobe). */
int kprobe_pmu_available(void);

/* Where cgroup v2 is mounted (from /proc/mounts), or NULL. */
const char *cgroup2_path(void);

/* Removes kprobe_events entries left by rawtrace processes that died. */
void kprobe_events_cleanup_stale(void);

#endif
