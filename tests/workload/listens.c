/* A known set of listen() calls, for the end-to-end tests of
 * `rawtrace listen`.
 *
 * Makes each listen below and prints, for each one rawtrace must report,
 * the JSON line it must print (without "ts"), so the test only has to
 * compare. Calls that never reach inet_listen (a UDP socket, a bad fd, a
 * file that is no socket, an unbound unix socket) are made too and print
 * nothing: rawtrace must not report them either. The last listen happens
 * in a new network namespace when unshare(CLONE_NEWNET) is allowed.
 * Static (musl) so it runs in the VM's busybox initramfs too.
 * Usage: listens [BASE_PORT]   (ports BASE..BASE+3 are used) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int base;

static int die(const char *what)
{
	fprintf(stderr, "listens: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The inode of our network namespace, as readlink /proc/self/ns/net
 * shows it: net:[INODE]. */
static unsigned long netns(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		die("stat /proc/self/ns/net");
	return (unsigned long)st.st_ino;
}

/* net.core.somaxconn of our netns: listen() clamps the backlog to it. */
static int somaxconn(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/net/core/somaxconn", O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof buf - 1) <= 0)
		die("read /proc/sys/net/core/somaxconn");
	close(fd);
	return atoi(buf);
}

/* Prints the line rawtrace must print for a listen(fd, backlog) that
 * returned ret, with address and port as the socket has them now. */
static void report(int fd, int ret, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char comm[17] = "", addr[INET6_ADDRSTRLEN];
	int port, v6;

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	v6 = ss.ss_family == AF_INET6;
	if (v6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof addr);
		port = ntohs(in6->sin6_port);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, addr, sizeof addr);
		port = ntohs(in->sin_port);
	}
	prctl(PR_GET_NAME, comm);
	printf("{\"pid\":%d,\"tid\":%ld,\"comm\":\"%s\",\"ret\":%d,"
	       "\"proto\":\"TCPv%d\",\"backlog\":%d,\"netns\":%lu,"
	       "\"addr\":\"%s\",\"port\":%d}\n", (int)getpid(),
	       (long)syscall(SYS_gettid), comm, ret, v6 ? 6 : 4, backlog,
	       netns(), addr, port);
}

/* A TCP socket, bound to addr:BASE+port_offset unless addr is NULL. */
static int tcp_socket(int family, const char *addr, int port_offset)
{
	struct sockaddr_in6 in6 = { 0 };
	struct sockaddr_in in = { 0 };
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket");
	if (!addr)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET) {
		in.sin_family = AF_INET;
		in.sin_port = htons((uint16_t)(base + port_offset));
		inet_pton(AF_INET, addr, &in.sin_addr);
		if (bind(fd, (struct sockaddr *)&in, sizeof in))
			die("bind");
	} else {
		in6.sin6_family = AF_INET6;
		in6.sin6_port = htons((uint16_t)(base + port_offset));
		inet_pton(AF_INET6, addr, &in6.sin6_addr);
		if (bind(fd, (struct sockaddr *)&in6, sizeof in6))
			die("bind");
	}
	return fd;
}

/* listen() that must succeed; reports it with the backlog the kernel
 * used (shown), which differs from the one asked for when clamped. */
static void listen_ok(int fd, int backlog, int shown)
{
	if (listen(fd, backlog))
		die("listen");
	report(fd, 0, shown);
}

/* listen() that must fail with err before inet_listen: no line. */
static void listen_unseen(int fd, int backlog, int err)
{
	if (listen(fd, backlog) == 0 || errno != err) {
		fprintf(stderr, "listens: listen(%d) gave %d, expected %s\n",
			fd, errno, strerror(err));
		exit(1);
	}
}

/* listen() on a connected TCP socket: inet_listen says -EINVAL. */
static void listen_connected(int server)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || getsockname(server, (struct sockaddr *)&ss, &len) ||
	    connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	if (listen(fd, 3) == 0 || errno != EINVAL)
		die("listen on a connected socket");
	report(fd, -EINVAL, 3);
}

int main(int argc, char **argv)
{
	int max, v4, v6, fd, pipefd[2];

	base = argc > 1 ? atoi(argv[1]) : 47400;
	prctl(PR_SET_NAME, "rt-listens");
	max = somaxconn();

	/* Bound first, v4 and v6; then the backlog changed on a listening
	 * socket (inet_listen allows that). */
	v4 = tcp_socket(AF_INET, "127.0.0.1", 0);
	listen_ok(v4, 5, 5);
	v6 = tcp_socket(AF_INET6, "::1", 1);
	listen_ok(v6, 128, 128);
	listen_ok(v4, 20, 20);
	/* No bind: the kernel picks the port inside inet_listen. */
	listen_ok(tcp_socket(AF_INET, NULL, 0), 10, 10);
	listen_ok(tcp_socket(AF_INET6, NULL, 0), 7, 7);
	/* Clamped to somaxconn, a negative backlog too. */
	listen_ok(tcp_socket(AF_INET, "127.0.0.1", 2), max + 1000, max);
	listen_ok(tcp_socket(AF_INET6, "::", 3), -1, max);
	/* A failure inet_listen itself returns. */
	listen_connected(v4);

	/* Failures before inet_listen, and sockets without it. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	listen_unseen(fd, 5, EOPNOTSUPP);
	listen_unseen(1000, 5, EBADF);
	if (pipe(pipefd))
		die("pipe");
	listen_unseen(pipefd[0], 5, ENOTSOCK);
	/* A unix socket that is not bound: unix_listen says -EINVAL, an
	 * error inet_listen also returns; only the family tells them apart. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket AF_UNIX");
	listen_unseen(fd, 5, EINVAL);

	/* Another network namespace: another NETNS, same port space. */
	fflush(stdout);
	if (unshare(CLONE_NEWNET) == 0)
		listen_ok(tcp_socket(AF_INET, NULL, 0), 9, 9);
	else
		fprintf(stderr, "listens: no new netns: %s\n",
			strerror(errno));
	fflush(stdout);
	return 0;
}
