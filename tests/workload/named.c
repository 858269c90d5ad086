/* bind(), listen() and connect() from a process that names itself, for
 * the end-to-end tests of how rawtrace prints names it does not control
 * (tests/e2e/names.sh): any process may call itself "e\n9 fake\x1b[2J\x07",
 * and that must reach neither a forged table line nor root's terminal.
 *
 * Usage: named PORT NAME...
 * Prints
 *   named: pid 123
 * then for the i-th NAME (from 0): sets its comm to NAME (prctl
 * PR_SET_NAME, which keeps 15 bytes), binds a TCP socket to
 * 127.0.0.1:PORT+i, listens on it and connects a second socket to it: one
 * event for each of bind, listen and connect, told apart by the port.
 * One process for all names, so that a test can trace it alone (-p).
 * Exits 0 if every call worked, 1 if a bind failed with EPERM (what
 * deny-bind gives) and nothing else did, 2 otherwise.
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

static int failed(const char *what)
{
	int err = errno;

	printf("named: %s: errno %d (%s)\n", what, err, strerror(err));
	return strcmp(what, "bind") == 0 && err == EPERM ? 1 : 2;
}

/* The three calls as NAME on port; 0, or failed()'s status. */
static int calls(const char *name, int port)
{
	struct sockaddr_in a;
	int s, c, rc = 0;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (prctl(PR_SET_NAME, name))
		return failed("prctl");
	s = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || c < 0)
		return failed("socket");
	if (bind(s, (struct sockaddr *)&a, sizeof a))
		rc = failed("bind");
	else if (listen(s, 1))
		rc = failed("listen");
	else if (connect(c, (struct sockaddr *)&a, sizeof a))
		rc = failed("connect");
	close(c);
	close(s);
	return rc;
}

int main(int argc, char **argv)
{
	int port, i, rc, worst = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: named PORT NAME...\n");
		return 2;
	}
	port = atoi(argv[1]);
	printf("named: pid %d\n", (int)getpid());
	fflush(stdout);
	for (i = 2; i < argc; i++) {
		rc = calls(argv[i], port + i - 2);
		if (rc > worst)
			worst = rc;
	}
	return worst;
}
