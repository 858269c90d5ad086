/* The kernel's run-time statistics of BPF programs (--cost): how often
 * each program ran and how long it took, counted by the kernel itself
 * while the statistics are on (bpf_prog_info.run_cnt, run_time_ns).
 * They are off by default because keeping them costs every run of every
 * program two clock reads; BPF_ENABLE_STATS (5.8+) turns them on for as
 * long as its fd is open, so they go off with the process, however it
 * ends. */
#ifndef RAWTRACE_STATS_H
#define RAWTRACE_STATS_H

#include <stdint.h>

/* One program's counts, as the kernel keeps them since its load. */
struct prog_runs {
	uint64_t runs;          /* run_cnt */
	uint64_t ns;            /* run_time_ns */
	uint64_t missed;        /* recursion_misses (5.12+; else 0): runs
				   the kernel skipped, their events lost */
	uint32_t id;            /* the program's id */
};

/* How the statistics were turned on: fd from BPF_ENABLE_STATS, or -1
 * where the sysctl kernel.bpf_stats_enabled was found on already. */
struct stats_hold {
	int fd;
};

#define BPF_STATS_SYSCTL "/proc/sys/kernel/bpf_stats_enabled"

/* Turns the statistics on for this process's life (BPF_ENABLE_STATS).
 * A kernel without that command (before 5.8) is used only if the sysctl
 * is on already: we never write it, since a process killed with -9
 * could not turn it off again. Returns 0, or -errno with error_msg set. */
int stats_on(struct stats_hold *h);

/* Closes the fd: the statistics go off unless another holder keeps them. */
void stats_off(struct stats_hold *h);

/* Whether BPF_ENABLE_STATS works here: 0 (the fd opened and closed
 * again), or -errno. For doctor. */
int stats_probe(void);

/* The counts of the program prog_fd (BPF_OBJ_GET_INFO_BY_FD). */
int prog_runs_read(int prog_fd, struct prog_runs *r);

#endif
