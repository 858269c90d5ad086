/* N getppid() calls after a pause, under a name of our own if given, for
 * `rawtrace run`'s tests: tests/bpf/two_rings.bpf.c writes a record to
 * each of its rings per call of the process it is told, and
 * tests/bpf/show.bpf.c counts the calls of the processes of a name.
 *
 * Usage: getppids MS N [NAME]
 * Sets its comm to NAME (prctl PR_SET_NAME, 15 bytes kept) and prints
 *   getppids: pid 123
 * if NAME is given; sleeps MS milliseconds (the tracer, told our pid,
 * attaches), then calls getppid() N times, and exits 0. Static (musl),
 * as the others. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	struct timespec pause;
	long ms, n, i;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: getppids MS N [NAME]\n");
		return 2;
	}
	ms = atol(argv[1]);
	n = atol(argv[2]);
	if (argc == 4) {
		prctl(PR_SET_NAME, argv[3], 0, 0, 0);
		printf("getppids: pid %d\n", (int)getpid());
		fflush(stdout);
	}
	pause.tv_sec = ms / 1000;
	pause.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&pause, NULL);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);   /* not cached by any libc */
	return 0;
}
