/* The tools' events conventions (include/events.bpf.h), above the
 * object session: the one "events" map made a BPF ring buffer where the
 * kernel has one (or left a perf event array), and the programs' own
 * count of the events that found it full (events_lost), reported while
 * running and at the end. */
#ifndef RAWTRACE_TOOL_EVENTS_H
#define RAWTRACE_TOOL_EVENTS_H

#include <stdint.h>
#include "loader/session.h"

/* Which kind of map carries the events (include/events.bpf.h). */
enum events_ring { RING_AUTO, RING_PERF, RING_BUF };

/* Before session_load: makes the "events" map a BPF ring buffer of pages
 * x online CPUs pages (rounded up to a power of two), so that -b means the
 * same memory per CPU with either ring, or leaves it a perf event array.
 * RING_AUTO takes the ring buffer where the kernel has one (5.8+). */
int events_set_ring(struct session *s, enum events_ring ring,
		     unsigned pages);

/* The lost count: summed from events_lost, read every LOST_READ_MS. */
struct lost_count {
	uint64_t lost;
	double read_ms;                 /* when it was last read */
};

/* Reads events_lost when due (always when final) and says on stderr
 * how many more were lost since the last read. */
void events_count_lost(struct session *s, struct lost_count *lc, int final);

#endif
