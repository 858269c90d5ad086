/* An object's session: open it, load its programs (chosen ones, or
 * each on its own), attach them, read its events ring until told to
 * stop, then undo everything. Which programs a tool tries in which
 * order (its backends) is the tools' own: progs/ladder.h. */
#ifndef RAWTRACE_SESSION_H
#define RAWTRACE_SESSION_H

#include <signal.h>
#include "loader/attach.h"
#include "loader/kbtf.h"
#include "loader/load.h"
#include "obj/object.h"
#include "loader/perf.h"
#include "loader/rings.h"
#include "loader/stats.h"

/* A caller's periodic work while session_run runs (session_every). */
struct session_timer {
	double every_ms, next_ms;
	int (*fn)(void *arg);
	void *arg;
};

#define SESSION_MAX_TIMERS 4

/* --cost: each program's counts just before its first attach (base[i]
 * for obj.progs[i], obj.nr_progs of them; id 0 while not attached), so
 * that only the runs of this session are counted, and the wall clock and
 * this process's user CPU from that first attach to the last read of the
 * rings. */
struct session_cost {
	struct prog_runs *base;         /* NULL: not counting */
	double start_ms, end_ms;        /* monotonic_ms */
	double start_user_ms, end_user_ms;
};

struct session {
	struct obj obj;                 /* the spec */
	void *inflated;                 /* session_open's embedded object,
					   which obj points into */
	struct loaded loaded;           /* its maps and programs made */
	struct kbtf kbtf;               /* for CO-RE: --btf FILE's, or the
					   running kernel's */
	int has_kbtf;
	struct kbtf vmlinux;            /* with --btf FILE: the running
					   kernel's, for fexit and tp_btf */
	int has_vmlinux;
	struct link *links;             /* every attachment, detached at
					   the end (malloc'd, grown) */
	int nr_links, max_links;
	struct rings rings;             /* what session_run reads: a tool's
					   events map, or every ring */
	int (*flush)(void *ctx);        /* after each drained batch */
	/* After each poll (final: the one after the detach, which reads to
	 * the end), with session_run's ctx: a caller's own accounting, such
	 * as the tools' lost count. May be NULL. */
	void (*polled)(struct session *s, void *ctx, int final);
	/* At the end, before the detach: whatever else holds the links (a
	 * tool's helper process) lets them go, and what runs the programs
	 * stops. May be NULL. */
	void (*stopping)(void *ctx);
	struct session_timer timers[SESSION_MAX_TIMERS];
	int nr_timers;
	struct session_cost cost;
};

/* Ends session_run: set by the caller's signal handlers (the tools':
 * progs/tool.c process_policy). The library installs none, and leaves
 * SIGPIPE and RLIMIT_MEMLOCK to its caller too. */
extern volatile sig_atomic_t session_stop;

/* Opens the embedded object `name` (progs/NAME.bpf.c), trusted: see
 * OBJ_TRUSTED. */
int session_open(struct session *s, const char *name);

/* session_open for an object in memory (data must outlive s). */
int session_open_mem(struct session *s, const char *name, const void *data,
		     size_t size);

/* Loads exactly the programs named in progs (NULL-terminated), reading the
 * kernel's BTF first when they need CO-RE (btf_path NULL: the default). */
int session_load(struct session *s, const char *const *progs,
		 const char *btf_path);

/* For a user's object: loads every autoload program, each on its own
 * (obj_load_each: failed is told of those the kernel refuses). Returns
 * how many loaded, or -errno. */
int session_load_each(struct session *s, const char *btf_path,
		      load_failed_fn failed, void *ctx);

/* Attaches every loaded program; target_fd for sockets and cgroups. On
 * failure, what was attached is detached again. */
int session_attach(struct session *s, int target_fd);

/* Attaches loaded program p (fd) as o says, a link of the session's
 * from then on (detached by session_end); *l, if l is given, is that
 * link, valid until the next attach. On failure nothing is added. */
int session_attach_prog(struct session *s, const struct obj_prog *p,
			int fd, const struct attach_opts *o,
			struct link **l);

/* Opens the reader of the events map `map`: a ring buffer (by the map's
 * type), or a perf ring of pages data pages per CPU. */
int session_open_events(struct session *s, const char *map, unsigned pages);

/* For a user's object: a reader on every ring buffer and perf event
 * array that was made (perf rings of pages pages per CPU). */
int session_open_rings(struct session *s, unsigned pages);

/* After session_open: from now on each program's runs are counted from
 * its first attach (the kernel counts them only while its statistics
 * are on: stats_on). 0 or -ENOMEM. */
int session_count_runs(struct session *s);

/* Program i's (obj.progs[i]) runs since its first attach: 1 with *r
 * filled, or 0 when it was not attached (or is no longer loaded). */
int session_prog_runs(const struct session *s, size_t i,
		      struct prog_runs *r);

/* This process's user CPU time in ms (getrusage). */
double user_cpu_ms(void);

/* Events (ring records) delivered so far. */
uint64_t session_events(const struct session *s);

/* fn(arg) every ms milliseconds while session_run runs (the first ms
 * after it starts): the loop waits no longer than the next one is due.
 * fn's non-zero return (-errno, the error set) ends the run as flush's
 * does. For a caller's periodic work beside the rings: run -i's dumps,
 * run --metrics' connection deadline. */
int session_every(struct session *s, double ms, int (*fn)(void *arg),
		  void *arg);

/* rings_watch on the session's rings: fd waited on with them by
 * session_run, fn(arg, events) when it is ready. */
int session_watch(struct session *s, int fd, uint32_t events,
		  ring_watch_fn fn, void *arg);

/* Polls and delivers events until a signal, or until seconds have passed
 * (0: no limit), then ends as session_end. Returns 0, or -errno (e.g.
 * -EPIPE from flush; then nothing is detached yet). */
int session_run(struct session *s, double seconds, perf_sample_fn on_sample,
		void *ctx);

/* The end of a run: s->stopping, detaches every program, waits until no
 * run of one can still be going, then delivers everything left in the
 * rings and reads the lost count a last time. So events + lost is every
 * run that sent or tried to send an event. Returns 0 or -errno. */
int session_end(struct session *s, perf_sample_fn on_sample, void *ctx);

/* After the detach: returns once no run of a detached program can still
 * be going (membarrier; a pause where it is refused), so that what the
 * rings hold then is all there will be. */
void session_wait_runs(void);

/* Closes the rings' readers (session_open_events, _rings), if open. */
void session_close_events(struct session *s);

/* Detaches, closes, frees; safe on a partly set up session. */
void session_close(struct session *s);

#endif
