/* A storm of binds for the benchmarks: N times socket, bind to
 * 127.0.0.1 port 0, close. Prints "binds/s" on stdout. With -i MS it
 * instead binds once every MS milliseconds until killed (for measuring
 * how soon a tracer shows its first event). With -w N it first waits for
 * SIGUSR1, so a tracer can be started on its pid. Every one of the N
 * binds is made, or it says how many were not and exits 1: the benchmark
 * checks a tracer's events against N.
 *
 * With -l OUT PIDFILE (the tests of a tracer's stop) it waits for SIGUSR1,
 * reads the tracer's pid from PIDFILE, notes its attachments (the fds in
 * /proc/PID/fd that are BPF links or perf events), creates OUT.run, and
 * binds until one of them is closed: a bind after which all were still
 * open was traced. It writes to OUT how many were, and exits 0. The last
 * bind, the one after which one was found closed, may or may not have
 * been traced: the tracer's events + lost must be the count or one more. */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
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

static void wait_usr1(void)
{
	sigset_t usr1, old;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	signal(SIGUSR1, on_usr1);
	sigsuspend(&old);       /* no window: blocked until here */
}

#define MAX_LINKS 32

static struct {
	char path[300], target[64];
} links[MAX_LINKS];
static int nr_links;

static int read_link(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);

	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* The tracer's fds that attach something: BPF links, perf events. */
static void note_links(long pid)
{
	char dir[32];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof dir, "/proc/%ld/fd", pid);
	d = opendir(dir);
	while (d && (e = readdir(d)) && nr_links < MAX_LINKS) {
		snprintf(links[nr_links].path, sizeof links[0].path, "%s/%s",
			 dir, e->d_name);
		if (read_link(links[nr_links].path, links[nr_links].target,
			      sizeof links[0].target) == 0 &&
		    (strcmp(links[nr_links].target, "anon_inode:bpf_link") == 0 ||
		     strcmp(links[nr_links].target, "anon_inode:[perf_event]") == 0))
			nr_links++;
	}
	if (d)
		closedir(d);
}

static int links_open(void)
{
	char now[64];
	int i;

	for (i = 0; i < nr_links; i++)
		if (read_link(links[i].path, now, sizeof now) ||
		    strcmp(now, links[i].target))
			return 0;
	return 1;
}

static int until_detached(const char *out, const char *pidfile)
{
	char run[256];
	long traced = 0, pid = 0;
	FILE *f;

	wait_usr1();
	f = fopen(pidfile, "r");
	if (!f || fscanf(f, "%ld", &pid) != 1) {
		fprintf(stderr, "bindstorm: no pid in %s\n", pidfile);
		return 2;
	}
	fclose(f);
	note_links(pid);
	if (!nr_links) {
		fprintf(stderr, "bindstorm: pid %ld holds no BPF link or perf "
			"event\n", pid);
		return 2;
	}
	snprintf(run, sizeof run, "%s.run", out);
	close(open(run, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	while (one_bind() && links_open())
		traced++;
	f = fopen(out, "w");
	if (!f || fprintf(f, "%ld\n", traced) < 0 || fclose(f))
		return 2;
	return 0;
}

int main(int argc, char **argv)
{
	long i, n, made = 0;
	double t0;

	if (argc == 4 && strcmp(argv[1], "-l") == 0)
		return until_detached(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "-w") == 0) {
		wait_usr1();
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
