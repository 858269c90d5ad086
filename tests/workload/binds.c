/* A known set of binds, for the end-to-end tests of `rawtrace bind`.
 *
 * Makes each bind below and prints, for each, the JSON line rawtrace
 * must report for it (without "ts"), so the test only has to compare.
 * Static (musl) so it runs in the VM's busybox initramfs too.
 * Usage: binds [BASE_PORT]   (ports BASE..BASE+9 are used) */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define F_FREEBIND    'F'
#define OPTS_NONE     "....."

struct bind_case {
	int family, type;
	const char *addr;
	int port_offset;        /* -1: port 0, the kernel picks */
	int level, opt;         /* a socket option to set first (opt 0: none) */
	const char *opts;       /* what rawtrace must print */
	int bindtodevice;       /* SO_BINDTODEVICE "lo" */
	int fail;               /* bind twice: the second fails */
};

static const struct bind_case cases[] = {
	{ AF_INET,  SOCK_STREAM, "127.0.0.1", 0, 0, 0, ".....", 0, 0 },
	{ AF_INET,  SOCK_DGRAM,  "0.0.0.0",  -1, 0, 0, ".....", 0, 0 },
	{ AF_INET6, SOCK_STREAM, "::1",       1, 0, 0, ".....", 0, 0 },
	{ AF_INET6, SOCK_DGRAM,  "::",        2, 0, 0, ".....", 0, 0 },
	{ AF_INET,  SOCK_STREAM, "127.0.0.1", 3, SOL_IP, IP_FREEBIND,
	  "F....", 0, 0 },
	{ AF_INET,  SOCK_STREAM, "127.0.0.1", 4, SOL_IP, IP_TRANSPARENT,
	  ".T...", 0, 0 },
	{ AF_INET,  SOCK_STREAM, "127.0.0.1", -1, SOL_IP,
	  IP_BIND_ADDRESS_NO_PORT, "..N..", 0, 0 },
	{ AF_INET,  SOCK_STREAM, "127.0.0.1", 5, SOL_SOCKET, SO_REUSEADDR,
	  "...R.", 0, 0 },
	{ AF_INET6, SOCK_DGRAM,  "::1",       6, SOL_SOCKET, SO_REUSEPORT,
	  "....r", 0, 0 },
	{ AF_INET,  SOCK_DGRAM,  "127.0.0.1", 7, 0, 0, ".....", 1, 0 },
	{ AF_INET,  SOCK_STREAM, "127.0.0.1", 8, 0, 0, ".....", 0, 1 },
};

static int make_addr(const struct bind_case *c, int port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (c->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*len = sizeof *in;
		return inet_pton(AF_INET, c->addr, &in->sin_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof *in6;
		return inet_pton(AF_INET6, c->addr, &in6->sin6_addr) == 1 ?
		       0 : -1;
	}
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void report(const struct bind_case *c, int ret, int port)
{
	char comm[17] = "";

	prctl(PR_GET_NAME, comm);
	printf("{\"pid\":%d,\"tid\":%ld,\"comm\":\"%s\",\"ret\":%d,"
	       "\"proto\":\"%s\",\"opts\":\"%s\",\"if\":%u,\"port\":%d,"
	       "\"addr\":\"%s\"}\n", (int)getpid(), (long)syscall(SYS_gettid),
	       comm, ret, c->type == SOCK_STREAM ? "TCP" : "UDP",
	       ret ? "....." : c->opts,
	       c->bindtodevice && !ret ? if_nametoindex("lo") : 0, port,
	       c->addr);
}

static int run_case(const struct bind_case *c, int base)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, port = c->port_offset < 0 ? 0 : base + c->port_offset;
	int fd = socket(c->family, c->type, 0), fd2;

	if (fd < 0 || make_addr(c, port, &ss, &len))
		return -1;
	if (c->opt && setsockopt(fd, c->level, c->opt, &one, sizeof one))
		return -1;
	if (c->bindtodevice &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3))
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, len))
		return -1;
	/* With IP_BIND_ADDRESS_NO_PORT the port stays 0 until connect. */
	report(c, 0, bound_port(fd));
	if (c->fail) {
		fd2 = socket(c->family, c->type, 0);
		if (bind(fd2, (struct sockaddr *)&ss, len) == 0)
			return -1;
		report(c, -errno, port);
	}
	return 0;   /* sockets stay open until exit, so ports stay taken */
}

int main(int argc, char **argv)
{
	int base = argc > 1 ? atoi(argv[1]) : 47000;
	size_t i;

	prctl(PR_SET_NAME, "rt-binds");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (run_case(&cases[i], base)) {
			fprintf(stderr, "binds: case %zu: %s\n", i,
				strerror(errno));
			return 1;
		}
	}
	fflush(stdout);
	return 0;
}
