/* getppid() N times, under a name of its own, for the tests of what
 * `rawtrace run` shows of an object's maps and globals (tests/bpf/
 * show.bpf.c counts these calls).
 *
 * Usage: getppids N NAME
 * Sets its comm to NAME (prctl PR_SET_NAME, 15 bytes kept), prints
 *   getppids: pid 123
 * then calls getppid N times and exits 0.
 * Static (musl) so it runs in the VM's busybox initramfs too. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long i, n;

	if (argc != 3) {
		fprintf(stderr, "usage: getppids N NAME\n");
		return 2;
	}
	n = strtol(argv[1], NULL, 10);
	prctl(PR_SET_NAME, argv[2], 0, 0, 0);
	printf("getppids: pid %d\n", (int)getpid());
	fflush(stdout);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);   /* not a libc that caches it */
	return 0;
}
