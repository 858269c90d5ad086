/* The records of a user's object's rings, shown by `rawtrace run`
 * (issue 22): each decoded with the object's BTF as the struct it is
 * (--event-type, or found by convention), through the tools' column
 * renderers (render/columns.h): a table, or JSON Lines. */
#ifndef RAWTRACE_RUN_EVENTS_H
#define RAWTRACE_RUN_EVENTS_H

#include "loader/session.h"
#include "render/columns.h"

struct run_events;

/* After session_open_rings: the column list of every ring whose record
 * type is known by name (--event-type [MAP=]NAME in types, ntypes of
 * them; else the struct named like the ring, else struct event); the
 * others wait for their first record (the one struct of its size, else
 * hex). Sets s->flush and s->polled. NULL with the error set for a bad
 * --event-type. */
struct run_events *run_events_open(struct session *s,
				   const char *const *types, unsigned ntypes,
				   enum render_format format);

/* The perf_sample_fn for session_run, with the run_events as ctx. */
void run_events_sample(void *ctx, int cpu, const void *data, uint32_t size);

void run_events_close(struct run_events *e);

#endif
