/* Every ring of an object: each BPF ring buffer and perf event array
 * map that was made, read and counted. For `rawtrace run`, which knows
 * nothing of what the records hold (decoding them is the next step). */
#ifndef RAWTRACE_RINGS_H
#define RAWTRACE_RINGS_H

#include <stdint.h>
#include "loader/load.h"
#include "loader/perf.h"
#include "loader/ringbuf.h"

struct ring {
	const struct obj_map *map;
	int is_perf;
	struct ringbuf rb;
	struct perf_reader pr;
};

struct rings {
	struct ring *r;
	size_t n;
};

/* Opens a reader on each ring map of l that was made (perf rings of
 * pages pages per CPU). -errno if one cannot be read; then none is
 * open. */
int rings_open(struct rings *rs, const struct loaded *l, unsigned pages);

/* Reads every ring to its end; the records are counted, not kept. */
void rings_drain(struct rings *rs);

/* Records read from ring i, and records the kernel lost (perf only). */
uint64_t ring_records(const struct ring *r);
uint64_t ring_lost(const struct ring *r);

void rings_close(struct rings *rs);

#endif
