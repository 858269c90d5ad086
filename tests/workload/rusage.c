/* rusage FILE CMD [ARGS...]: runs CMD (stdin, stdout and stderr are its
 * own), passes SIGINT, SIGTERM and SIGHUP on to it, and when it has ended
 * writes one line to FILE:
 *   <user CPU µs> <system CPU µs> <peak RSS KiB> <exit status>
 * from wait4()'s rusage, which is finer than /usr/bin/time's 10 ms or
 * /proc/PID/stat's clock ticks: the kernel keeps the exact CPU time of the
 * process and only splits it into user and system by its tick samples.
 * Exits with CMD's status. For `make bench`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static long usec(struct timeval tv)
{
	return (long)tv.tv_sec * 1000000L + (long)tv.tv_usec;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct rusage ru;
	sigset_t set, old;
	int status, code;
	FILE *f;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: rusage FILE CMD [ARGS...]\n");
		return 2;
	}
	/* Blocked until child is set: a signal in between is passed on. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = pass_on;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pid = fork();
	if (pid < 0) {
		perror("rusage: fork");
		return 2;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "rusage: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	child = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("rusage: wait4");
			return 2;
		}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%ld %ld %ld %d\n", usec(ru.ru_utime),
			  usec(ru.ru_stime), ru.ru_maxrss, code) < 0 ||
	    fclose(f)) {
		perror(argv[1]);
		return 2;
	}
	return code;
}
