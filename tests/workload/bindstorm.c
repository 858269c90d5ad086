/* A storm of binds for the benchmarks: N times socket, bind to
 * 127.0.0.1 port 0, close. Prints "binds/s" on stdout. With -i MS it
 * instead binds once every MS milliseconds until killed (for measuring
 * how soon a tracer shows its first event). With -w N it first waits for
 * SIGUSR1, so a tracer can be started on its pid. Every one of the N
 * binds is made, or it says how many were not and exits 1: the benchmark
 * checks a tracer's events against N. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* 1 if it made the bind() call (whatever bind returned), 0 if it could
 * not get a socket. */
static int one_bind(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return 0;
	bind(fd, (struct sockaddr *)&a, sizeof a);
	close(fd);
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_usr1(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	long i, n, made = 0;
	double t0;

	if (argc == 3 && strcmp(argv[1], "-w") == 0) {
		sigset_t usr1, old;

		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &usr1, &old);
		signal(SIGUSR1, on_usr1);
		sigsuspend(&old);       /* no window: blocked until here */
		argv++;
	}
	if (argc == 3 && strcmp(argv[1], "-i") == 0) {
		struct timespec gap = { 0, atol(argv[2]) * 1000000L };

		for (;;) {
			one_bind();
			nanosleep(&gap, NULL);
		}
	}
	n = argc > 1 ? atol(argv[1]) : 150000;
	t0 = now();
	for (i = 0; i < n; i++)
		made += one_bind();
	printf("%.0f\n", (double)n / (now() - t0));
	if (made < n) {
		fprintf(stderr, "bindstorm: %ld of %ld socket() calls failed: "
			"%ld binds made\n", n - made, n, made);
		return 1;
	}
	return 0;
}
