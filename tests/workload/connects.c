/* A known set of TCP connects, for the end-to-end tests of
 * `rawtrace connect`.
 *
 * Makes each connect below over loopback and prints, for each, the JSON
 * line `rawtrace connect -U -x --result -j` must report for it (without
 * "ts"); without --result the test drops the "result" key. Source ports
 * are fixed with bind() first, so every field is known in advance.
 * Checks that connect() itself behaved as planned (accepted, refused,
 * ...) and fails loudly otherwise: a wrong environment must not pass as
 * a tracer bug. Static (musl) so it runs in the VM's busybox initramfs.
 * Usage: connects [BASE_PORT [UID]]   (ports BASE..BASE+19 are used; with
 * UID, runs as that user after setting up the listeners) */
#define _GNU_SOURCE   /* setresuid */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum how {
	BLOCKING,       /* connect() waits for the handshake */
	NONBLOCKING,    /* EINPROGRESS, then poll for the outcome */
	ABANDON,        /* EINPROGRESS, no answer; close() before one comes */
	SHORT_ADDRLEN,  /* addrlen 8: tcp_v4_connect says EINVAL */
};

struct connect_case {
	int family;
	const char *src;        /* NULL: no bind, the kernel picks (or not) */
	int sport_offset;
	const char *dst;
	int dport_offset;
	enum how how;
	int expect_errno;       /* what connect()/SO_ERROR must give */
	int ret;                /* what tcp_v*_connect returns: RET */
	const char *result;     /* RESULT */
};

/* Listeners: 127.0.0.1 and ::1 on BASE (backlog 64), 127.0.0.1 on
 * BASE+1 with backlog 0 (one connection fills it; the next SYN is
 * dropped). BASE+2 is closed. */
static const struct connect_case cases[] = {
	{ AF_INET,  "127.0.0.1", 10, "127.0.0.1", 0, BLOCKING, 0, 0, "ok" },
	{ AF_INET,  "127.0.0.1", 11, "127.0.0.1", 2, BLOCKING,
	  ECONNREFUSED, 0, "refused" },
	{ AF_INET6, "::1", 12, "::1", 0, BLOCKING, 0, 0, "ok" },
	{ AF_INET6, "::1", 13, "::1", 2, BLOCKING, ECONNREFUSED, 0, "refused" },
	{ AF_INET,  "127.0.0.1", 14, "127.0.0.1", 0, NONBLOCKING, 0, 0, "ok" },
	{ AF_INET6, "::1", 15, "::1", 2, NONBLOCKING,
	  ECONNREFUSED, 0, "refused" },
	{ AF_INET,  "127.0.0.1", 16, "127.0.0.1", 1, BLOCKING, 0, 0, "ok" },
	{ AF_INET,  "127.0.0.1", 17, "127.0.0.1", 1, ABANDON, 0, 0, "closed" },
	/* The kernel will not start these: RET is the error, no RESULT. */
	{ AF_INET,  NULL, 0, "224.0.0.1", 3, BLOCKING,
	  ENETUNREACH, -ENETUNREACH, "-" },
	{ AF_INET6, NULL, 0, "ff02::1", 3, BLOCKING,
	  ENETUNREACH, -ENETUNREACH, "-" },
	{ AF_INET,  "127.0.0.1", 18, "127.0.0.1", 4, SHORT_ADDRLEN,
	  EINVAL, -EINVAL, "-" },
};

static socklen_t make_addr(int family, const char *addr, int port,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &in->sin_addr) != 1)
			return 0;
		return sizeof *in;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &in6->sin6_addr) != 1)
			return 0;
		return sizeof *in6;
	}
}

static int listen_on(int family, const char *addr, int port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, addr, port, &ss);
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || !len)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, backlog))
		return -1;
	return fd;  /* left open until exit */
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The errno the connect ends with (0: connected). */
static int do_connect(int fd, const struct sockaddr_storage *ss,
		      socklen_t len, enum how how)
{
	struct pollfd p = { fd, POLLOUT, 0 };
	socklen_t elen = sizeof(int);
	int err = 0;

	if (how == SHORT_ADDRLEN)
		len = 8;
	if (connect(fd, (const struct sockaddr *)ss, len) == 0)
		return 0;
	if (errno != EINPROGRESS || how == BLOCKING || how == SHORT_ADDRLEN)
		return errno;
	if (how == ABANDON) {
		/* The SYN sits dropped at a full listener: no answer yet. */
		sleep_ms(100);
		return poll(&p, 1, 0) == 0 ? 0 : -1;
	}
	if (poll(&p, 1, 5000) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		return -1;
	return err;
}

static void report(const struct connect_case *c, int base)
{
	char comm[17] = "";

	prctl(PR_GET_NAME, comm);
	printf("{\"uid\":%u,\"pid\":%d,\"tid\":%ld,\"comm\":\"%s\",\"ip\":%d,"
	       "\"saddr\":\"%s\",\"sport\":%d,\"daddr\":\"%s\",\"dport\":%d,"
	       "\"ret\":%d,\"result\":\"%s\"}\n",
	       (unsigned)getuid(), (int)getpid(), (long)syscall(SYS_gettid),
	       comm, c->family == AF_INET ? 4 : 6,
	       c->src ? c->src : c->family == AF_INET ? "0.0.0.0" : "::",
	       c->src ? base + c->sport_offset : 0, c->dst,
	       base + c->dport_offset, c->ret, c->result);
}

static int run_case(const struct connect_case *c, int base)
{
	struct sockaddr_storage src, dst;
	socklen_t slen, dlen;
	int fd, one = 1, type = SOCK_STREAM, err;

	if (c->how != BLOCKING && c->how != SHORT_ADDRLEN)
		type |= SOCK_NONBLOCK;
	fd = socket(c->family, type, 0);
	dlen = make_addr(c->family, c->dst, base + c->dport_offset, &dst);
	if (fd < 0 || !dlen)
		return -1;
	if (c->src) {
		slen = make_addr(c->family, c->src, base + c->sport_offset,
				 &src);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (!slen || bind(fd, (struct sockaddr *)&src, slen))
			return -1;
	}
	err = do_connect(fd, &dst, dlen, c->how);
	if (err != c->expect_errno) {
		fprintf(stderr, "connects: %s port %d: connect gave %s, "
			"expected %s\n", c->dst, base + c->dport_offset,
			err < 0 ? "no answer" : strerror(err),
			strerror(c->expect_errno));
		errno = 0;
		return -1;
	}
	if (c->how == ABANDON)
		close(fd);      /* SYN_SENT -> CLOSE, no error: "closed" */
	report(c, base);
	return 0;           /* other sockets stay open until exit */
}

int main(int argc, char **argv)
{
	int base = argc > 1 ? atoi(argv[1]) : 47500;
	size_t i;

	prctl(PR_SET_NAME, "rt-connects");
	if (listen_on(AF_INET, "127.0.0.1", base, 64) < 0 ||
	    listen_on(AF_INET6, "::1", base, 64) < 0 ||
	    listen_on(AF_INET, "127.0.0.1", base + 1, 0) < 0) {
		perror("connects: listen");
		return 1;
	}
	if (argc > 2) {
		uid_t uid = (uid_t)atoi(argv[2]);

		if (setresuid(uid, uid, uid)) {
			perror("connects: setresuid");
			return 1;
		}
	}
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (run_case(&cases[i], base)) {
			if (errno)
				fprintf(stderr, "connects: case %zu: %s\n", i,
					strerror(errno));
			return 1;
		}
	}
	fflush(stdout);
	return 0;
}
