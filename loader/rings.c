/* The rings a session reads, waited on together (loader/rings.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include "elf/error.h"
#include "loader/rings.h"
#include "obj/names.h"

static int is_ring(const struct obj_map *m)
{
	return m->type == BPF_MAP_TYPE_RINGBUF ||
	       m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
}

static int ring_open(struct ring *r, const struct obj_map *m, int fd,
		     unsigned pages)
{
	memset(r, 0, sizeof *r);
	r->map = m;
	r->is_perf = m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
	if (!r->is_perf)
		return ringbuf_open(&r->rb, fd, m->max_entries);
	/* Woken when a quarter of a ring is full, not per record: at high
	 * rates that is what keeps the reader cheap; the poll timeout
	 * bounds how long a record below it waits. */
	return perf_reader_open(&r->pr, fd, pages, pages * 4096 / 4);
}

static void ring_close(struct ring *r)
{
	if (r->is_perf)
		perf_reader_close(&r->pr);
	else
		ringbuf_close(&r->rb);
}

/* The epoll set, made with the first ring (or by rings_open). */
static int rings_init(struct rings *rs)
{
	if (rs->r)
		return 0;
	rs->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rs->epfd < 0)
		return error_set(errno, "rings: epoll_create1: %s",
				 errno_text(errno));
	rs->r = malloc(sizeof *rs->r);
	if (!rs->r) {
		close(rs->epfd);
		return error_set(ENOMEM, "no memory");
	}
	rs->n = 0;
	return 0;
}

int rings_add(struct rings *rs, const struct obj_map *m, int fd,
	      unsigned pages)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ring *grown;
	struct ring *r;
	int err = rings_init(rs);

	if (err)
		return err;
	grown = realloc(rs->r, (rs->n + 1) * sizeof *rs->r);
	if (!grown)
		return error_set(ENOMEM, "no memory");
	rs->r = grown;
	r = &rs->r[rs->n];
	err = ring_open(r, m, fd, pages);
	if (err)
		return error_prefix(-err, "map %s: ", m->name);
	if (epoll_ctl(rs->epfd, EPOLL_CTL_ADD, r->is_perf ? r->pr.epfd :
		      r->rb.epfd, &ev) < 0) {
		err = error_set(errno, "map %s: epoll_ctl: %s", m->name,
				errno_text(errno));
		ring_close(r);
		return err;
	}
	rs->n++;
	return 0;
}

int rings_open(struct rings *rs, const struct loaded *l, unsigned pages)
{
	const struct obj *o = l->obj;
	size_t i;
	int err = rings_init(rs), fd;

	for (i = 0; !err && i < o->nr_maps; i++) {
		fd = loaded_map_fd(l, &o->maps[i]);
		if (fd >= 0 && is_ring(&o->maps[i]))
			err = rings_add(rs, &o->maps[i], fd, pages);
	}
	if (err)
		rings_close(rs);
	return err;
}

/* Counted by the readers themselves. */
static void ignore(void *ctx, int cpu, const void *data, uint32_t size)
{
	(void)ctx; (void)cpu; (void)data; (void)size;
}

static int rings_drain(struct rings *rs, perf_sample_fn on_sample,
		       void *ctx)
{
	size_t i;
	int n, total = 0;

	if (!on_sample)
		on_sample = ignore;
	/* perf's LOST records are counted by the reader (ring_lost); what
	 * a tool loses it counts itself */
	for (i = 0; i < rs->n; i++) {
		rs->draining = i;
		if (rs->r[i].is_perf)
			n = perf_reader_drain(&rs->r[i].pr, on_sample, NULL,
					      ctx);
		else
			n = ringbuf_drain(&rs->r[i].rb, on_sample, ctx);
		if (n < 0)
			return error_prefix(-n, "map %s: ", rs->r[i].map->name);
		total += n;
	}
	return total;
}

static struct ring_watch *watch_of(struct rings *rs, int fd)
{
	size_t i;

	for (i = 0; i < RINGS_MAX_WATCH; i++)
		if (rs->watch[i].fn && rs->watch[i].fd == fd)
			return &rs->watch[i];
	return NULL;
}

static struct ring_watch *free_watch(struct rings *rs)
{
	size_t i;

	for (i = 0; i < RINGS_MAX_WATCH; i++)
		if (!rs->watch[i].fn)
			return &rs->watch[i];
	return NULL;
}

int rings_watch(struct rings *rs, int fd, uint32_t events, ring_watch_fn fn,
		void *arg)
{
	/* a ring's events carry 0; a watch's, its slot + 1, and in the
	 * high half the slot's generation */
	struct epoll_event ev = { .events = events };
	struct ring_watch *w;
	int err = rings_init(rs), op;

	if (err)
		return err;
	w = watch_of(rs, fd);
	if (!w && !events)
		return 0;
	op = !w ? EPOLL_CTL_ADD : events ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
	if (!w && !(w = free_watch(rs)))
		return error_set(E2BIG, "rings: more than %d fds watched",
				 RINGS_MAX_WATCH);
	if (op == EPOLL_CTL_ADD)
		w->gen++;
	ev.data.u64 = ((uint64_t)w->gen << 32) | ((w - rs->watch) + 1);
	if (epoll_ctl(rs->epfd, op, fd, &ev) < 0)
		return error_set(errno, "rings: epoll_ctl on fd %d: %s", fd,
				 errno_text(errno));
	w->fd = events ? fd : -1;
	w->fn = events ? fn : NULL;
	w->arg = arg;
	return 0;
}

/* What the wait reported for watched fds, to their fns. A fn may change
 * the watches; a slot it freed is not called, nor one it freed and gave
 * to another fd (an event of the same wait is the old fd's). */
static void rings_tell(struct rings *rs, const struct epoll_event *ev, int n)
{
	struct ring_watch *w;
	uint32_t slot, gen;
	int i;

	for (i = 0; i < n; i++) {
		slot = (uint32_t)ev[i].data.u64;
		gen = (uint32_t)(ev[i].data.u64 >> 32);
		if (!slot || slot > RINGS_MAX_WATCH)
			continue;
		w = &rs->watch[slot - 1];
		if (w->fn && w->gen == gen)
			w->fn(w->arg, ev[i].events);
	}
}

int rings_poll(struct rings *rs, int timeout_ms, perf_sample_fn on_sample,
	       void *ctx)
{
	struct epoll_event ev[8];
	int n = rs->r ? epoll_wait(rs->epfd, ev, 8, timeout_ms) :
			poll(NULL, 0, timeout_ms);

	if (n < 0 && errno == EINTR)
		return -EINTR;
	if (n < 0)
		return error_set(errno, "rings: epoll_wait: %s",
				 errno_text(errno));
	if (rs->r)
		rings_tell(rs, ev, n);
	return rings_drain(rs, on_sample, ctx);
}

uint64_t rings_records(const struct rings *rs)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < rs->n; i++)
		n += ring_records(&rs->r[i]);
	return n;
}

uint64_t ring_records(const struct ring *r)
{
	return r->is_perf ? r->pr.samples : r->rb.samples;
}

uint64_t ring_lost(const struct ring *r)
{
	return r->is_perf ? r->pr.lost : 0;
}

void rings_close(struct rings *rs)
{
	size_t i;

	if (!rs->r)
		return;
	for (i = 0; i < rs->n; i++)
		ring_close(&rs->r[i]);
	free(rs->r);
	close(rs->epfd);
	memset(rs, 0, sizeof *rs);
}
