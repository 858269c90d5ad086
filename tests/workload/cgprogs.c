/* Prints every BPF program attached directly to a cgroup v2 directory,
 * one a line: "ATTACH_TYPE_NUMBER NAME". The end-to-end tests use it to
 * check that rawtrace left no policy behind (bpftool cgroup show does the
 * same, but is not in the VM). Every attach type is asked for with
 * BPF_PROG_QUERY; the kernel refuses the ones that are not cgroup hooks.
 * Static (musl) for the VM's initramfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

static long bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof *a);
}

static void print_name(unsigned type, unsigned id)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof a);
	a.prog_id = id;
	fd = bpf(BPF_PROG_GET_FD_BY_ID, &a);
	memset(&info, 0, sizeof info);
	memset(&a, 0, sizeof a);
	a.info.bpf_fd = (unsigned)fd;
	a.info.info_len = sizeof info;
	a.info.info = (unsigned long)&info;
	if (fd < 0 || bpf(BPF_OBJ_GET_INFO_BY_FD, &a))
		snprintf(info.name, sizeof info.name, "id-%u", id);
	printf("%u %s\n", type, info.name);
	if (fd >= 0)
		close((int)fd);
}

int main(int argc, char **argv)
{
	unsigned ids[64], type, i;
	union bpf_attr a;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: cgprogs CGROUP_DIR\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	for (type = 0; type < __MAX_BPF_ATTACH_TYPE; type++) {
		memset(&a, 0, sizeof a);
		a.query.target_fd = (unsigned)fd;
		a.query.attach_type = type;
		a.query.prog_ids = (unsigned long)ids;
		a.query.prog_cnt = 64;
		if (bpf(BPF_PROG_QUERY, &a))
			continue;
		for (i = 0; i < a.query.prog_cnt && i < 64; i++)
			print_name(type, ids[i]);
	}
	return 0;
}
