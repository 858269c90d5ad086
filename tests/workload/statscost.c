/* What the kernel's BPF run-time statistics add to one run of a program
 * (for --cost's figure in README.md, via tests/bench/cost.sh): an empty
 * socket filter is run by BPF_PROG_TEST_RUN, REPEAT times per call, the
 * kernel timing the loop itself; calls alternate between statistics off
 * and on (BPF_ENABLE_STATS held), ROUNDS of each. Prints the median ns
 * per run of each and their difference.
 * Usage: statscost [ROUNDS [REPEAT]]   (default 21, 1000000)
 * Static (musl), standalone: raw bpf() calls. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

static long bpf(int cmd, union bpf_attr *a, unsigned size)
{
	return syscall(__NR_bpf, cmd, a, size);
}

static int load(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (unsigned long)insns;
	a.insn_cnt = 2;
	a.license = (unsigned long)"GPL";
	return (int)bpf(BPF_PROG_LOAD, &a, sizeof a);
}

/* ns per run, as the kernel measured it; -1 on error */
static long test_run(int fd, unsigned repeat)
{
	unsigned char pkt[64] = { 0 };
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.test.prog_fd = (unsigned)fd;
	a.test.data_in = (unsigned long)pkt;
	a.test.data_size_in = sizeof pkt;
	a.test.repeat = repeat;
	if (bpf(BPF_PROG_TEST_RUN, &a, sizeof a))
		return -1;
	return (long)a.test.duration;
}

static int cmp(const void *x, const void *y)
{
	long a = *(const long *)x, b = *(const long *)y;

	return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 21, i, fd, stats;
	unsigned repeat = argc > 2 ? (unsigned)atoi(argv[2]) : 1000000;
	long *off, *on;
	union bpf_attr a;

	if (rounds < 1 || repeat < 1)
		return 2;
	off = calloc((size_t)rounds, sizeof *off);
	on = calloc((size_t)rounds, sizeof *on);
	fd = load();
	if (!off || !on || fd < 0) {
		fprintf(stderr, "statscost: load: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < rounds; i++) {
		off[i] = test_run(fd, repeat);
		memset(&a, 0, sizeof a);
		a.enable_stats.type = BPF_STATS_RUN_TIME;
		stats = (int)bpf(BPF_ENABLE_STATS, &a, sizeof a.enable_stats);
		if (stats < 0) {
			fprintf(stderr, "statscost: BPF_ENABLE_STATS: %s\n",
				strerror(errno));
			return 1;
		}
		on[i] = test_run(fd, repeat);
		close(stats);
		if (off[i] < 0 || on[i] < 0) {
			fprintf(stderr, "statscost: test run: %s\n",
				strerror(errno));
			return 1;
		}
	}
	qsort(off, (size_t)rounds, sizeof *off, cmp);
	qsort(on, (size_t)rounds, sizeof *on, cmp);
	printf("statscost: %d rounds of %u runs: %ld ns per run without the "
	       "statistics, %ld with: +%ld ns\n", rounds, repeat,
	       off[rounds / 2], on[rounds / 2], on[rounds / 2] - off[rounds / 2]);
	return 0;
}
