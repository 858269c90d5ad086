/* Binds in a tight loop under `rawtrace deny-bind` and counts the binds
 * the policy refused, for the end-to-end test of what happens at stop.
 *
 * Usage: denyloop [-m CGROUP] OUT
 * Makes a few UDP sockets in the cgroup it runs in (the policy follows the
 * cgroup a socket was made in), with -m then moves itself into CGROUP
 * (so that a guardian killing what is left in the command's cgroup does
 * not kill it), and binds them to 127.0.0.1:0 over and over. A refused
 * bind (EPERM) leaves the socket unbound on 5.19+, so it is bound again;
 * where the kernel keeps the port (EINVAL on the next try) the socket is
 * replaced. Every EPERM is one run of the policy's program, and every run
 * is an EPERM: the count is the ground truth the test holds rawtrace's
 * "N events, N lost" against. OUT.run appears at the first EPERM; at the
 * first bind that works (the policy is gone) the count is written to OUT
 * and it exits 0. After 60 s without that it gives up (exit 1). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define POOL 16

static int new_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0) {
		perror("denyloop: socket");
		exit(2);
	}
	return fd;
}

static void join(const char *cgroup)
{
	char path[512], pid[16];
	int fd, n;

	snprintf(path, sizeof path, "%s/cgroup.procs", cgroup);
	n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, pid, (size_t)n) != n) {
		perror("denyloop: join cgroup");
		exit(2);
	}
	close(fd);
}

static void touch(const char *out, const char *suffix)
{
	char path[512];
	int fd;

	snprintf(path, sizeof path, "%s%s", out, suffix);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

/* Written whole, then renamed: the test never reads half a number. */
static void put_count(const char *out, unsigned long long n)
{
	char tmp[512];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%llu\n", n) < 0 || fclose(f) || rename(tmp, out)) {
		perror("denyloop: count");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	unsigned long long denied = 0;
	time_t end = time(NULL) + 60;
	int fd[POOL], i = 0, k;

	if (argc != 2 && !(argc == 4 && strcmp(argv[1], "-m") == 0)) {
		fprintf(stderr, "usage: denyloop [-m CGROUP] OUT\n");
		return 2;
	}
	for (k = 0; k < POOL; k++)
		fd[k] = new_socket();
	if (argc == 4)
		join(argv[2]);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (;;) {
		if (bind(fd[i], (struct sockaddr *)&a, sizeof a) == 0)
			break;
		if (errno == EPERM) {
			if (denied++ == 0)
				touch(argv[argc - 1], ".run");
		} else if (errno == EINVAL) {
			close(fd[i]);
			fd[i] = new_socket();
		} else {
			perror("denyloop: bind");
			return 2;
		}
		i = (i + 1) % POOL;
		if ((denied & 0xfff) == 0 && time(NULL) > end) {
			fprintf(stderr, "denyloop: the policy never went\n");
			return 1;
		}
	}
	put_count(argv[argc - 1], denied);
	return 0;
}
