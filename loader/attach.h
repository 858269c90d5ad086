/* Attaching loaded programs to where they run. Every attachment is one
 * struct link, whose detach undoes it. One file per attach kind
 * (loader/attach_*.c), one row per kind in attach.c's table, all sharing
 * loader/link.c: BPF links wherever the kernel has them (they die with
 * our fd), perf events for kprobes, uprobes, tracepoints and perf_event
 * programs (a perf link on 5.15+, else PERF_EVENT_IOC_SET_BPF):
 *   kprobe/kretprobe    kprobe PMU, or a tracefs kprobe_events entry
 *   ksyscall            a kprobe on the arch's syscall entry (__x64_sys_)
 *   kprobe.multi        BPF_LINK_CREATE(BPF_TRACE_KPROBE_MULTI), 5.18+
 *   uprobe/uretprobe    uprobe PMU on PATH at FUNC's file offset
 *   usdt                a uprobe at each .note.stapsdt note's address,
 *                       its argument spec in __bpf_usdt_specs
 *   tracepoint          PERF_TYPE_TRACEPOINT, id from tracefs
 *   raw_tp, tp_btf,     BPF_RAW_TRACEPOINT_OPEN, whose fd is a BPF link
 *   fentry/fexit, lsm
 *   perf_event          one perf event per CPU (or per process)
 *   iter                BPF_LINK_CREATE(BPF_TRACE_ITER); read with
 *                       attach_iter_read
 *   xdp                 BPF_LINK_CREATE on an ifindex (5.9+)
 *   tc/tcx              a tcx link (6.6+); before, a clsact qdisc (if
 *                       the device has none) and a cls_bpf filter made
 *                       through rtnetlink, removed at detach (left by a
 *                       SIGKILL: the kernel cannot tie them to our fds;
 *                       the next rawtrace on the device removes them)
 *   socket              setsockopt(SO_ATTACH_BPF) on a given socket
 *   cgroup, sockops     BPF_LINK_CREATE on a cgroup directory's fd
 *   sk_msg, sk_skb      BPF_PROG_ATTACH on a sockmap (until detach or
 *                       the map's end)
 * Everything but the kprobe_events entry and the netlink tc filter ends
 * with rawtrace's fds, so a rawtrace killed with SIGKILL leaves no other
 * program attached; the kprobe entries and tc filters of dead rawtraces
 * are removed by the next one that makes such (not a clsact qdisc it
 * made: another may use it since).
 */
#ifndef RAWTRACE_ATTACH_H
#define RAWTRACE_ATTACH_H

#include <stddef.h>
#include <stdint.h>
#include "obj/object.h"

struct link {
	void (*detach)(struct link *l); /* NULL: nothing attached */
	int fd;                 /* BPF link or perf event (owned), or -1 */
	int sock;               /* socket filter's socket (not owned), or -1 */
	int target_fd;          /* sockmap (not owned), or -1 */
	int prog_fd;            /* sockmap: the program, for PROG_DETACH */
	uint32_t attach_type;   /* sockmap: the PROG_ATTACH type */
	char event[64];         /* tracefs kprobe event to remove, or "" */
	int ifindex, egress;    /* netlink tc filter: where it is */
	int own_qdisc;          /* netlink tc: the clsact qdisc is ours */
	int tc_prio;            /* netlink tc: our filter's priority */
	struct link *subs;      /* perf_event: one link per CPU (owned) */
	size_t nr_subs;
};

/* Where and how to attach; zero means "the default" for every field, so
 * `struct attach_opts o = { .ifindex = 3 }` is enough. Targets named by
 * the section (kprobe/FUNC, uprobe/PATH:FUNC) need nothing here. */
struct attach_opts {
	int target_fd;          /* socket, cgroup dir, sockmap; iter: a map
				   to iterate (0 none) */
	int ifindex;            /* xdp, tc */
	int egress;             /* tc: 1 egress, 0 ingress (SEC("tc")) */
	uint32_t xdp_flags;     /* xdp: XDP_FLAGS_SKB_MODE, ... */
	int pid;                /* uprobe, usdt, perf_event: one process
				   (0: all) */
	const char *path;       /* uprobe, usdt: the binary or library */
	const char *func;       /* uprobe: function; kprobe: overrides the
				   section's */
	uint64_t offset;        /* uprobe: added to func's file offset (or
				   the file offset if no func); kprobe: in
				   func */
	uint64_t cookie;        /* bpf_get_attach_cookie() (perf links) */
	uint64_t perf_freq;     /* perf_event: samples per second (default
				   99 if no period) */
	uint64_t perf_period;   /* perf_event: every N events */
	uint32_t perf_type;     /* perf_event: PERF_TYPE_* (default
				   SOFTWARE cpu-clock) */
	uint64_t perf_config;
	const char *usdt_provider, *usdt_name; /* usdt: overrides section */
	int usdt_specs_fd;      /* usdt: the object's __bpf_usdt_specs map,
				   which gets each site's argument spec (0:
				   none; then probes with arguments are
				   refused) */
};

/* Attaches the program p of a spec, loaded as prog_fd (loaded_prog_fd),
 * as o says (NULL: all defaults). On failure nothing stays attached and
 * error_msg says why in one line. */
int attach_prog(const struct obj_prog *p, int prog_fd,
		const struct attach_opts *o, struct link *l);
/* Detaches (l->detach) and clears l; safe on a cleared link. */
void link_destroy(struct link *l);
/* Gives l n cleared sub-links, undone with it (NULL: no memory). */
struct link *link_subs(struct link *l, size_t n);

/* An iterator's output: BPF_ITER_CREATE on the iter link l, read to its
 * end into *out (malloc'd, NUL-terminated; the caller frees it). Each
 * call runs the iterator anew. Length or -errno. */
long attach_iter_read(const struct link *l, char **out);

/* The architecture's syscall entry for a ksyscall: "__x64_sys_" NAME
 * where the kernel has syscall wrappers (as libbpf decides, by kallsyms),
 * else "sys_" NAME. */
int ksyscall_function(const char *name, char *buf, size_t size);
/* 1 if syscalls enter through the architecture's pt_regs wrappers
 * (__x64_sys_bpf, __arm64_sys_bpf in kallsyms): ksyscall's choice, and
 * the LINUX_HAS_SYSCALL_WRAPPER extern's value. */
int syscalls_wrapped(void);

/* 0 if the kernel has what p attaches to, or if that cannot be told;
 * -ENOENT, with error_msg saying so, if it has no such thing at all:
 * no such function (kprobes, ksyscalls: /proc/kallsyms; fentry/fexit,
 * lsm: kbtf), no such tracepoint (tracefs; tp_btf: kbtf). kbtf may be
 * NULL. A tool uses this to leave out a program whose target is optional (inet6_bind on a
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
