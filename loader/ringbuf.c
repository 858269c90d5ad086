/* The BPF ring buffer reader.
 *
 * Producers (programs on any CPU) reserve space at producer_pos under a
 * kernel spinlock, write the record, then commit it by clearing the BUSY
 * bit in its header with release ordering. We read producer_pos and each
 * header with acquire ordering, so the record's bytes are visible before
 * we look at them, and stop at the first record still busy: records are
 * delivered in reservation order, never out of it. We publish
 * consumer_pos with release ordering once we are done with the bytes,
 * which lets the kernel reuse them. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "elf/error.h"
#include "loader/ringbuf.h"
#include "loader/sys.h"

/* A record's length, then the kernel's page offset (ours to ignore). */
#define HDR_SIZE 8u

static uint64_t round_up8(uint64_t n)
{
	return (n + 7) & ~7ull;
}

int ringbuf_drain(struct ringbuf *rb, ringbuf_sample_fn on_sample, void *ctx)
{
	uint64_t cons = __atomic_load_n(rb->consumer, __ATOMIC_ACQUIRE);
	uint64_t prod = __atomic_load_n(rb->producer, __ATOMIC_ACQUIRE);
	int n = 0, err = 0;

	while (cons < prod) {
		const uint32_t *hdr = (const uint32_t *)
			(rb->data + (cons & (rb->size - 1)));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		uint64_t total;

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;          /* reserved, not committed yet */
		total = round_up8((uint64_t)(len & ~BPF_RINGBUF_DISCARD_BIT) +
				  HDR_SIZE);
		if (total > rb->size || total > prod - cons) {
			err = error_set(EINVAL, "ring buffer: corrupt record at %llu: length %u (%llu bytes published, ring %llu)",
					(unsigned long long)cons, len,
					(unsigned long long)(prod - cons),
					(unsigned long long)rb->size);
			break;
		}
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			rb->samples++;
			n++;
			if (on_sample)
				on_sample(ctx, -1, hdr + 2, len);
		}
		cons += total;
	}
	__atomic_store_n(rb->consumer, cons, __ATOMIC_RELEASE);
	return err ? err : n;
}

int ringbuf_open(struct ringbuf *rb, int map_fd, uint32_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct epoll_event ev;
	int err;

	memset(rb, 0, sizeof *rb);
	rb->epfd = -1;
	if (size < page || (size & (size - 1)))
		return error_set(EINVAL, "ring buffer: %u bytes is not a power-of-two number of pages",
				 size);
	rb->size = size;
	rb->cons_len = page;
	err = sys_mmap(&rb->cons_map, rb->cons_len, PROT_READ | PROT_WRITE,
		       map_fd, 0);
	if (err)
		goto fail_mmap;
	/* the producer page, then the data twice over */
	rb->prod_len = page + 2 * (size_t)size;
	err = sys_mmap(&rb->prod_map, rb->prod_len, PROT_READ, map_fd,
		       (off_t)page);
	if (err)
		goto fail_mmap;
	rb->consumer = rb->cons_map;
	rb->producer = rb->prod_map;
	rb->data = (const unsigned char *)rb->prod_map + page;
	rb->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rb->epfd < 0) {
		err = error_set(errno, "ring buffer: epoll_create1: %s",
				strerror(errno));
		goto fail;
	}
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	if (epoll_ctl(rb->epfd, EPOLL_CTL_ADD, map_fd, &ev) < 0) {
		err = error_set(errno, "ring buffer: epoll_ctl: %s",
				strerror(errno));
		goto fail;
	}
	return 0;
fail_mmap:
	err = error_set(-err, "ring buffer: mmap: %s", strerror(-err));
fail:
	ringbuf_close(rb);
	return err;
}

int ringbuf_poll(struct ringbuf *rb, int timeout_ms,
		 ringbuf_sample_fn on_sample, void *ctx)
{
	struct epoll_event ev;

	if (epoll_wait(rb->epfd, &ev, 1, timeout_ms) < 0)
		return error_set(errno, "ring buffer: epoll_wait: %s",
				 strerror(errno));
	return ringbuf_drain(rb, on_sample, ctx);
}

void ringbuf_close(struct ringbuf *rb)
{
	/* cons_map marks a mapped ring: a zeroed struct has epfd 0 (stdin) */
	if (rb->prod_map)
		sys_munmap(rb->prod_map, rb->prod_len);
	if (rb->cons_map)
		sys_munmap(rb->cons_map, rb->cons_len);
	if (rb->epfd > 0)
		close(rb->epfd);
	memset(rb, 0, sizeof *rb);
	rb->epfd = -1;
}
