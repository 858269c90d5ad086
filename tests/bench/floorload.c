/* floorload OBJ PROG...: loads the named programs of the BPF object OBJ
 * with rawtrace's own loader (loader/session.c, as the tools do), attaches
 * them, says so on stderr, and waits for SIGINT, SIGTERM or SIGHUP; then
 * detaches. For `make bench`, with tests/bench/floor.bpf.o: the storm's
 * rate under programs that do nothing. Test-only: not part of rawtrace. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include "elf/error.h"
#include "loader/session.h"

static volatile sig_atomic_t stopped;

static void on_stop(int sig)
{
	(void)sig;
	stopped = 1;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*size = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	struct session s;
	sigset_t stop, old;
	size_t size;
	void *data;
	int err;

	if (argc < 3) {
		fprintf(stderr, "usage: floorload OBJ PROG...\n");
		return 2;
	}
	data = read_file(argv[1], &size);
	if (!data) {
		fprintf(stderr, "floorload: %s: cannot read\n", argv[1]);
		return 1;
	}
	/* Blocked from here to sigsuspend, so a signal cannot slip in
	 * between the check and the wait. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	/* The library installs no handlers (the tools' runner does): ours
	 * only notes the signal, so that we detach before exiting. */
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_stop);
	err = session_open_mem(&s, "floor", data, size);
	if (!err)
		err = session_load(&s, (const char *const *)argv + 2, NULL);
	if (!err)
		err = session_attach(&s, -1);
	if (err) {
		fprintf(stderr, "floorload: %s\n", error_msg());
		session_close(&s);
		return 1;
	}
	fprintf(stderr, "floorload: %d programs attached; Ctrl-C to stop\n",
		s.nr_links);
	while (!stopped)
		sigsuspend(&old);
	session_close(&s);
	free(data);
	return 0;
}
