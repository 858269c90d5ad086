/* One bind(), for the end-to-end tests of `rawtrace deny-bind`.
 *
 * Usage: trybind 4|6 ADDR PORT [tcp|udp]
 * Binds a new socket to ADDR:PORT and prints one line saying what
 * happened, with its pid (the test needs it to find the event):
 *   trybind: pid 123 bind 127.0.0.1 47400 tcp: ok, port 47400
 *   trybind: pid 123 bind 127.0.0.1 47400 tcp: errno 1 (Operation not permitted)
 * Exits 0 if the bind worked, 1 on EPERM (what a cgroup post_bind program
 * that says no gives), 2 on anything else.
 * Static (musl) so it runs in the VM's busybox initramfs too. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: trybind 4|6 ADDR PORT [tcp|udp]\n");
	return 2;
}

static int make_addr(int family, const char *addr, long port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*len = sizeof *in;
		return inet_pton(AF_INET, addr, &in->sin_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof *in6;
		return inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1 ? 0 : -1;
	}
}

/* The port the socket got (differs from the one asked for with port 0). */
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

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *proto = argc > 4 ? argv[4] : "tcp";
	int family, type, fd, err;
	char *end;
	long port;

	if (argc < 4 || argc > 5)
		return usage();
	if (strcmp(argv[1], "4") == 0)
		family = AF_INET;
	else if (strcmp(argv[1], "6") == 0)
		family = AF_INET6;
	else
		return usage();
	if (strcmp(proto, "tcp") == 0)
		type = SOCK_STREAM;
	else if (strcmp(proto, "udp") == 0)
		type = SOCK_DGRAM;
	else
		return usage();
	port = strtol(argv[3], &end, 10);
	if (*end || end == argv[3] || port < 0 || port > 65535)
		return usage();
	if (make_addr(family, argv[2], port, &ss, &len)) {
		fprintf(stderr, "trybind: bad address %s\n", argv[2]);
		return 2;
	}

	printf("trybind: pid %d bind %s %ld %s: ", (int)getpid(), argv[2],
	       port, proto);
	fd = socket(family, type, 0);
	if (fd < 0) {
		err = errno;
		printf("socket: errno %d (%s)\n", err, strerror(err));
		return 2;
	}
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		err = errno;
		printf("errno %d (%s)\n", err, strerror(err));
		return err == EPERM ? 1 : 2;
	}
	printf("ok, port %d\n", bound_port(fd));
	close(fd);
	return 0;
}
