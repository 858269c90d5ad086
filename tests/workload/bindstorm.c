/* A storm of binds for the benchmarks: N times socket, bind to
 * 127.0.0.1 port 0, close. Prints "binds/s" on stdout. With -i MS it
 * instead binds once every MS milliseconds until killed (for measuring
 * how soon a tracer shows its first event). With -w N it first waits for
 * SIGUSR1, so a tracer can be started on its pid. A socket() that fails
 * is said on stderr: no bind was made for it. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* socket() calls that failed: no bind() was made for them. A tracer's
 * count is checked against the binds really made, so they are told. */
static long no_socket;

static void one_bind(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0) {
		bind(fd, (struct sockaddr *)&a, sizeof a);
		close(fd);
	} else {
		no_socket++;
	}
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
	long i, n;
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
		one_bind();
	printf("%.0f\n", (double)n / (now() - t0));
	if (no_socket)
		fprintf(stderr, "bindstorm: %ld of %ld socket() calls failed: "
			"%ld binds made\n", no_socket, n, n - no_socket);
	return 0;
}
