/* N getppid() calls after a pause, for `rawtrace run`'s ring tests
 * (tests/bpf/two_rings.bpf.c writes a record to each of its rings per
 * call of the process it is told).
 *
 * Usage: getppids MS N
 * Sleeps MS milliseconds (the tracer, told our pid, attaches), then
 * calls getppid() N times, and exits 0. Static (musl), as the others. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	struct timespec pause;
	long ms, n, i;

	if (argc != 3)
		return 2;
	ms = atol(argv[1]);
	n = atol(argv[2]);
	pause.tv_sec = ms / 1000;
	pause.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&pause, NULL);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);   /* not cached by any libc */
	return 0;
}
