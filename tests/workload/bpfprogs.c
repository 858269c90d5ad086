/* Prints the name of every BPF program loaded in the kernel, one a line,
 * so the tests can check rawtrace left none of its own behind. The
 * kernel's list is walked with BPF_PROG_GET_NEXT_ID. Static (musl) for the
 * VM's initramfs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

static long bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof *a);
}

int main(void)
{
	union bpf_attr a;
	struct bpf_prog_info info;
	unsigned id = 0;
	long fd;

	for (;;) {
		memset(&a, 0, sizeof a);
		a.start_id = id;
		if (bpf(BPF_PROG_GET_NEXT_ID, &a))
			break;
		id = a.next_id;
		memset(&a, 0, sizeof a);
		a.prog_id = id;
		fd = bpf(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof info);
		memset(&a, 0, sizeof a);
		a.info.bpf_fd = (unsigned)fd;
		a.info.info_len = sizeof info;
		a.info.info = (unsigned long)&info;
		if (bpf(BPF_OBJ_GET_INFO_BY_FD, &a) == 0)
			printf("%u %s\n", id, info.name);
		close((int)fd);
	}
	if (errno != ENOENT) {
		perror("bpfprogs: BPF_PROG_GET_NEXT_ID");
		return 1;
	}
	return 0;
}
