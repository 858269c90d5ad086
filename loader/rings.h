/* The rings a session reads: BPF ring buffers and perf event arrays,
 * each with its own reader, waited on together through one epoll set
 * (the readers' own epoll fds nested in it), so that one loop reads a
 * tool's events ring and every ring of a user's object alike. Records
 * are counted per ring by the readers themselves. */
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

/* An fd of the caller's waited on with the rings (rings_watch): fn(arg,
 * events) is called with what epoll reported for it. */
typedef void (*ring_watch_fn)(void *arg, uint32_t events);

/* run --metrics: its listener and 16 connections */
#define RINGS_MAX_WATCH 24

struct ring_watch {
	int fd;                         /* -1 or 0 with fn NULL: free */
	ring_watch_fn fn;
	void *arg;
	uint32_t gen;                   /* uses of the slot so far: an event
					   of an earlier use is not told */
};

/* All zero: none open. */
struct rings {
	struct ring *r;
	size_t n;
	int epfd;                       /* waits on every reader; valid
					   while r is set */
	struct ring_watch watch[RINGS_MAX_WATCH];
	size_t draining;                /* the ring being read: for an
					   on_sample that reads several */
};

/* Adds a reader on map m (fd: its fd): a ring buffer, or a perf ring
 * of pages data pages per CPU, woken per quarter ring. -errno naming the
 * map if it cannot be read; then nothing is added. */
int rings_add(struct rings *rs, const struct obj_map *m, int fd,
	      unsigned pages);

/* rings_add for each ring map of l that was made. -errno if one cannot
 * be read; then none is open. */
int rings_open(struct rings *rs, const struct loaded *l, unsigned pages);

/* Waits up to timeout_ms for any ring's wakeup (or a watched fd's,
 * whose fn is called first), then reads every ring to its end (also after a timeout: a ring below its watermark never
 * wakes us). on_sample gets each record (NULL: only counted). Returns
 * the records read, or -errno (-EINTR when a signal arrived). With no
 * ring open it only waits. */
int rings_poll(struct rings *rs, int timeout_ms, perf_sample_fn on_sample,
	       void *ctx);

/* Waits on fd in the same epoll set as the rings, for events (EPOLLIN,
 * EPOLLOUT): rings_poll calls fn(arg, what was reported) after the wait,
 * before it reads the rings. So a socket of the caller's (run --metrics)
 * is served in the loop that reads the rings and never holds them up, as
 * long as fn does not block. An fd already watched gets the new events
 * (and fn, arg); events 0 stops watching it. The fd stays the caller's
 * to close, after its watch ends or the rings are closed. */
int rings_watch(struct rings *rs, int fd, uint32_t events, ring_watch_fn fn,
		void *arg);

/* Records read from every ring so far. */
uint64_t rings_records(const struct rings *rs);

/* Records read from ring r, and records the kernel lost (perf only). */
uint64_t ring_records(const struct ring *r);
uint64_t ring_lost(const struct ring *r);

void rings_close(struct rings *rs);

#endif
