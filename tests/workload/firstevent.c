/* Runs a tracer command and reports, when its first event line arrives:
 *   <ms from exec to first event> <peak RSS of the tracer in KiB>
 * An event line is one that starts with a digit or '{' (a header or a
 * blank line is not). Then stops the tracer with SIGINT. For `make bench`. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long peak_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

int main(int argc, char **argv)
{
	int fds[2];
	char line[4096];
	double t0;
	pid_t pid;
	FILE *in;

	if (argc < 2 || pipe(fds)) {
		fprintf(stderr, "usage: firstevent TRACER [ARGS...]\n");
		return 2;
	}
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (fgets(line, sizeof line, in)) {
		char c = line[0];

		if (c == '{' || (c >= '0' && c <= '9')) {
			printf("%.1f %ld\n", now_ms() - t0, peak_rss_kib(pid));
			break;
		}
	}
	kill(pid, SIGINT);
	while (fgets(line, sizeof line, in))
		;
	waitpid(pid, NULL, 0);
	return 0;
}
