/* One socket call, for the end-to-end tests of the scope filters
 * (tests/e2e/scope.sh), which run it inside and outside a cgroup or a
 * network namespace and check which of its events rawtrace keeps.
 *
 * Usage: scopeop bind|listen|connect PORT
 *   bind     a TCP socket to 127.0.0.1:PORT
 *   listen   the same, then listen()
 *   connect  a listener on 127.0.0.1:PORT, and a TCP connect to it
 * Prints "scopeop: pid N" (the test finds the events by it) and exits 0,
 * or says what failed and exits 2: a wrong environment must not pass as
 * a tracer bug. Static (musl) so it runs in the VM's busybox too. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what)
{
	perror(what);
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s, c;

	if (argc != 3) {
		fprintf(stderr, "usage: scopeop bind|listen|connect PORT\n");
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	printf("scopeop: pid %d\n", (int)getpid());
	fflush(stdout);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return fail("socket");
	if (bind(s, (struct sockaddr *)&a, sizeof a))
		return fail("bind");
	if (strcmp(argv[1], "bind") == 0)
		return 0;
	if (listen(s, 1))
		return fail("listen");
	if (strcmp(argv[1], "listen") == 0)
		return 0;
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a))
		return fail("connect");
	return 0;
}
