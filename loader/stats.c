#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "elf/error.h"
#include "obj/names.h"
#include "loader/stats.h"
#include "loader/sys.h"

static int enable_stats(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.enable_stats.type = BPF_STATS_RUN_TIME;
	return sys_bpf(BPF_ENABLE_STATS, &a, sizeof a.enable_stats);
}

int stats_probe(void)
{
	int fd = enable_stats();

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* The sysctl's value: 1 on, 0 off, -errno when it cannot be read. */
static int sysctl_value(void)
{
	FILE *f = fopen(BPF_STATS_SYSCTL, "r");
	int v = -1, err;

	if (!f)
		return -errno;
	err = fscanf(f, "%d", &v) == 1 ? 0 : -EINVAL;
	fclose(f);
	return err ? err : v;
}

int stats_on(struct stats_hold *h)
{
	int fd = enable_stats(), on;

	h->fd = -1;
	if (fd >= 0) {
		h->fd = fd;
		return 0;
	}
	/* EINVAL: a kernel that knows no such command (before 5.8) */
	if (fd != -EINVAL)
		return error_set(-fd, "--cost: BPF_ENABLE_STATS: %s",
				 errno_text(-fd));
	on = sysctl_value();
	if (on == 1) {
		sys_note("no BPF_ENABLE_STATS here; %s is on already: "
			 "counting with it", BPF_STATS_SYSCTL);
		return 0;
	}
	return error_set(EOPNOTSUPP, "--cost: this kernel has no "
			 "BPF_ENABLE_STATS (5.8+); turn the statistics on "
			 "with `sysctl kernel.bpf_stats_enabled=1` (and off "
			 "after: every program pays for them) and run again");
}

void stats_off(struct stats_hold *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

int prog_runs_read(int prog_fd, struct prog_runs *r)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	int err;

	memset(&info, 0, sizeof info);
	memset(&a, 0, sizeof a);
	a.info.bpf_fd = (uint32_t)prog_fd;
	a.info.info_len = sizeof info;
	a.info.info = (uintptr_t)&info;
	err = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof a.info);
	if (err)
		return error_set(-err, "program info: %s", errno_text(-err));
	r->runs = info.run_cnt;
	r->ns = info.run_time_ns;
	/* an older kernel fills less of info and says how much: the rest
	 * stays zero */
	r->missed = a.info.info_len >= offsetof(struct bpf_prog_info,
						recursion_misses) + 8 ?
		    info.recursion_misses : 0;
	r->id = info.id;
	return 0;
}
