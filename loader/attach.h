/* Attaching loaded programs to where they run. Every attachment is one
 * struct link, whose detach undoes it; how depends on how it was made:
 *   kprobe/kretprobe  perf_event_open on the kprobe PMU, then a BPF link
 *                     on the perf event (BPF_LINK_CREATE, 5.15+), or
 *                     PERF_EVENT_IOC_SET_BPF on older kernels; on kernels
 *                     without the PMU, a tracefs kprobe_events entry
 *                     (removed at detach) with SET_BPF
 *   tracepoint        perf_event_open(PERF_TYPE_TRACEPOINT, id from
 *                     tracefs), then as a kprobe
 *   raw_tp, tp_btf,   BPF_RAW_TRACEPOINT_OPEN, whose fd is a BPF link
 *   fentry/fexit
 *   socket            setsockopt(SO_ATTACH_BPF) on a socket the caller
 *                     gives (SO_DETACH_BPF at detach)
 *   cgroup            BPF_LINK_CREATE on a cgroup directory's fd
 * Everything but the kprobe_events entry ends with rawtrace's fds, so a
 * rawtrace killed with SIGKILL leaves no program attached; the entries of
 * dead rawtraces are removed by the next one that makes entries. */
#ifndef RAWTRACE_ATTACH_H
#define RAWTRACE_ATTACH_H

#include <stdint.h>
#include "obj/object.h"

struct link {
	void (*detach)(struct link *l); /* NULL: nothing attached */
	int fd;                 /* BPF link or perf event (owned), or -1 */
	int sock;               /* socket filter's socket (not owned), or -1 */
	char event[64];         /* tracefs kprobe event to remove, or "" */
};

/* Attaches the program p of a spec, loaded as prog_fd (loaded_prog_fd).
 * target_fd: the socket (ATTACH_SOCKET) or cgroup fd (ATTACH_CGROUP);
 * ignored otherwise. On failure nothing stays attached. */
int attach_prog(const struct obj_prog *p, int prog_fd, int target_fd,
		struct link *l);
/* Detaches (l->detach) and clears l; safe on a cleared link. */
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
/* Unmounts tracefs if tracefs_path mounted it; for the end of a run,
 * after every link (and kprobe_events entry) is gone. */
void tracefs_unmount(void);

/* 1 if this kernel can attach kprobes (PMU or kprobe_events). */
int kprobes_available(void);

/* Writes text to a tracefs or cgroup control file (appending, as
 * kprobe_events needs); 0 or -errno. */
int control_write(const char *path, const char *text);
/* 1 if the kprobe PMU exists (/sys/bus/event_source/devices/kprobe). */
int kprobe_pmu_available(void);

/* Where cgroup v2 is mounted (from /proc/mounts), or NULL. */
const char *cgroup2_path(void);

/* How many programs are attached to the cgroup cgfd at attach_type
 * (BPF_PROG_QUERY), or -errno. */
int cgroup_prog_count(int cgfd, uint32_t attach_type);

/* Removes kprobe_events entries left by rawtrace processes that died. */
void kprobe_events_cleanup_stale(void);

#endif
