/* --cost: what tracing cost, said at exit. The kernel's statistics are
 * on for the run (loader/stats.h); each program's runs and time are
 * counted from its attach (session_count_runs), and the reader's user
 * CPU and the events per second from the first attach to the last read.
 * Text on stderr beside the events total; JSON Lines on stdout with -j,
 * after the events. */
#ifndef RAWTRACE_COST_H
#define RAWTRACE_COST_H

#include <stddef.h>
#include <stdint.h>
#include "loader/session.h"
#include "loader/stats.h"

struct cost_prog {
	char *name;
	struct prog_runs r;
};

struct cost {
	struct stats_hold hold;
	int on;
	struct cost_prog *progs;
	size_t n;
	uint64_t events;
	double seconds, user_ms;
};

/* Turns the statistics on (before anything loads). 0 or -errno. */
int cost_start(struct cost *c);

/* After the run, before the session is closed: the numbers. */
void cost_collect(struct cost *c, const struct session *s);

/* The lines: one per program attached, then the totals. */
void cost_print(const struct cost *c, const char *tool, int json);

/* Statistics off (unless someone else holds them), memory freed. */
void cost_end(struct cost *c);

#endif
