/* One bind(), listen() and connect() from a process that names itself,
 * for the end-to-end tests of how rawtrace prints names it does not
 * control (tests/e2e/names.sh): any process may call itself
 * "e\n9 fake\x1b[2J\x07", and that must reach neither a forged table line
 * nor root's terminal.
 *
 * Usage: named NAME PORT
 * Sets its comm to NAME (prctl PR_SET_NAME, which keeps 15 bytes), prints
 *   named: pid 123
 * then binds a TCP socket to 127.0.0.1:PORT, listens on it and connects a
 * second socket to it: one event for each of bind, listen and connect.
 * Exits 0 if all three worked, 1 if bind failed with EPERM (what
 * deny-bind gives), 2 on anything else.
 * Static (musl) so it runs in the VM's busybox initramfs too. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what)
{
	int err = errno;

	printf("named: %s: errno %d (%s)\n", what, err, strerror(err));
	return strcmp(what, "bind") == 0 && err == EPERM ? 1 : 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	int s, c;

	if (argc != 3) {
		fprintf(stderr, "usage: named NAME PORT\n");
		return 2;
	}
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(argv[2]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (prctl(PR_SET_NAME, argv[1]))
		return fail("prctl");
	printf("named: pid %d\n", (int)getpid());
	fflush(stdout);
	s = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || c < 0)
		return fail("socket");
	if (bind(s, (struct sockaddr *)&a, sizeof a))
		return fail("bind");
	if (listen(s, 1))
		return fail("listen");
	if (connect(c, (struct sockaddr *)&a, sizeof a))
		return fail("connect");
	close(c);
	close(s);
	return 0;
}
