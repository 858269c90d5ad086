/* Reading a BPF_MAP_TYPE_RINGBUF from user space (kernel 5.8+).
 *
 * One ring shared by every CPU. The map fd is mmap'd in two parts: the
 * consumer page (ours to write: how far we have read), and, read-only,
 * the producer page followed by the data pages mapped twice in a row, so
 * a record that runs past the end of the ring is still contiguous in
 * memory and never needs a copy. Each record starts with an 8-byte
 * header: its length, with a BUSY bit while the producer has reserved but
 * not yet committed it and a DISCARD bit if it was thrown away, then the
 * page offset the kernel keeps for itself; records are 8-byte aligned.
 * The ring has no "lost" record: a bpf_ringbuf_reserve() that finds no
 * room fails in the program, which counts the failure itself. */
#ifndef RAWTRACE_RINGBUF_H
#define RAWTRACE_RINGBUF_H

#include <stddef.h>
#include <stdint.h>

/* Called for each committed record, in the order they were reserved. The
 * cpu argument is -1 (one ring for all CPUs); data is 8-byte aligned. */
typedef void (*ringbuf_sample_fn)(void *ctx, int cpu, const void *data,
				  uint32_t size);

struct ringbuf {
	uint64_t *consumer;             /* consumer_pos, written by us */
	const uint64_t *producer;       /* producer_pos, written by the kernel */
	const unsigned char *data;      /* the ring, mapped twice in a row */
	uint64_t size;                  /* bytes, a power of two */
	void *cons_map, *prod_map;      /* the two mappings, for munmap */
	size_t cons_len, prod_len;
	int epfd;
	uint64_t samples;               /* records delivered */
};

/* Consumes every committed record from consumer_pos up to the first one
 * still busy, or to producer_pos, skipping discarded ones, and advances
 * consumer_pos. Pure memory work, so it can be tested on a synthetic
 * ring. Returns the number of records delivered, or -EINVAL for a record
 * whose length cannot be right (longer than the ring or than what the
 * producer has published), with consumer_pos left at it. */
int ringbuf_drain(struct ringbuf *rb, ringbuf_sample_fn on_sample, void *ctx);

/* Maps the ring of map_fd, a RINGBUF map of size bytes (its
 * max_entries), and makes an epoll set that wakes on new data. */
int ringbuf_open(struct ringbuf *rb, int map_fd, uint32_t size);

/* Waits up to timeout_ms (-1: forever) for the kernel's wakeup, then
 * drains, also after a timeout. Returns the number of records or -errno
 * (-EINTR when a signal arrived). */
int ringbuf_poll(struct ringbuf *rb, int timeout_ms,
		 ringbuf_sample_fn on_sample, void *ctx);

void ringbuf_close(struct ringbuf *rb);

#endif
