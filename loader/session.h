/* The loop every tool shares: load an embedded object with the programs
 * of one backend, attach them, read the perf event array until told to
 * stop, then undo everything. A tool is just data plus a print function. */
#ifndef RAWTRACE_SESSION_H
#define RAWTRACE_SESSION_H

#include <signal.h>
#include "loader/attach.h"
#include "loader/kbtf.h"
#include "loader/object.h"
#include "loader/perf.h"

#define SESSION_MAX_LINKS 16

struct session {
	struct obj obj;
	struct kbtf kbtf;               /* for CO-RE: --btf FILE's, or the
					   running kernel's */
	int has_kbtf;
	struct kbtf vmlinux;            /* with --btf FILE: the running
					   kernel's, for fexit and tp_btf */
	int has_vmlinux;
	struct link links[SESSION_MAX_LINKS];
	int nr_links;
	struct perf_reader reader;
	int has_reader;
	int (*flush)(void *ctx);        /* after each drained batch */
};

/* Set by SIGINT, SIGTERM, SIGHUP (handlers installed by session_open). */
extern volatile sig_atomic_t session_stop;

/* Opens the embedded object `name` (progs/NAME.bpf.c). */
int session_open(struct session *s, const char *name);

/* Loads exactly the programs named in progs (NULL-terminated), reading the
 * kernel's BTF first when they need CO-RE (btf_path NULL: the default). */
int session_load(struct session *s, const char *const *progs,
		 const char *btf_path);

/* Attaches every loaded program; target_fd for sockets and cgroups. On
 * failure, what was attached is detached again. */
int session_attach(struct session *s, int target_fd);

/* Opens the perf event array `map` with pages data pages per CPU. */
int session_open_events(struct session *s, const char *map, unsigned pages);

/* Polls and delivers events until a signal, or until seconds have passed
 * (0: no limit). Returns 0, or -errno (e.g. -EPIPE from flush). */
int session_run(struct session *s, double seconds, perf_sample_fn on_sample,
		void *ctx);

/* Detaches, closes, frees; safe on a partly set up session. */
void session_close(struct session *s);

#endif
