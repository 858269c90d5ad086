/* `rawtrace run` while it runs (issue 22): -i SECONDS dumps the maps and
 * globals every SECONDS, and --metrics [ADDR:]PORT serves them to
 * Prometheus at /metrics. Both are the session's: a timer and a watched
 * socket in session_run's one loop (loader/session.h), never a second
 * loop, so neither holds up the reading of the rings. */
#ifndef RAWTRACE_RUN_METRICS_H
#define RAWTRACE_RUN_METRICS_H

#include "loader/session.h"
#include "render/prom.h"

/* A request's head is at most METRICS_REQ_MAX bytes (Prometheus sends a
 * few hundred); at most METRICS_CONNS connections are served at once. */
#define METRICS_REQ_MAX 2048
#define METRICS_CONNS 16

struct run_live;

/* One client's connection: its request, then its response. */
struct run_conn {
	struct run_live *live;
	int fd;                         /* -1: free */
	double since, deadline;         /* accepted; closed at: monotonic
					   ms */
	char req[METRICS_REQ_MAX];
	size_t rlen;
	char head[256];                 /* the response: head, then body */
	size_t hlen, sent;              /* hlen 0: the request not whole */
	struct prom_buf body;
};

struct run_live {
	struct session *s;
	int json;
	int lfd;                        /* listening, or -1 */
	struct run_conn conn[METRICS_CONNS];
};

/* All off: no socket, no timer. */
void run_live_init(struct run_live *l);

/* On session s (opened, not yet run): with metrics (not NULL) the
 * listening socket, opened now, before anything is attached, and told
 * on stderr; with interval > 0 the dump every interval seconds (JSON
 * with json). 0, or -errno with the error set. */
int run_live_start(struct run_live *l, struct session *s,
		   const char *metrics, double interval, int json);

/* Closes the socket and any connection; safe when none. */
void run_live_close(struct run_live *l);

/* The /metrics body of the object of s as it is now, into b (bounded
 * by prom_init's max). */
void run_metrics_collect(struct prom_buf *b, const struct session *s);

#endif
