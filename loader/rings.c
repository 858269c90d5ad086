/* Every ring of an object, read and counted (loader/rings.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "loader/rings.h"

static int is_ring(const struct obj_map *m)
{
	return m->type == BPF_MAP_TYPE_RINGBUF ||
	       m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
}

static int ring_open(struct ring *r, const struct obj_map *m, int fd,
		     unsigned pages)
{
	r->map = m;
	r->is_perf = m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
	if (!r->is_perf)
		return ringbuf_open(&r->rb, fd, m->max_entries);
	/* woken per quarter ring, as the tools' readers are */
	return perf_reader_open(&r->pr, fd, pages, pages * 4096 / 4);
}

int rings_open(struct rings *rs, const struct loaded *l, unsigned pages)
{
	const struct obj *o = l->obj;
	size_t i;
	int err, fd;

	memset(rs, 0, sizeof *rs);
	rs->r = calloc(o->nr_maps ? o->nr_maps : 1, sizeof *rs->r);
	if (!rs->r)
		return error_set(ENOMEM, "no memory");
	for (i = 0; i < o->nr_maps; i++) {
		fd = loaded_map_fd(l, &o->maps[i]);
		if (fd < 0 || !is_ring(&o->maps[i]))
			continue;
		err = ring_open(&rs->r[rs->n], &o->maps[i], fd, pages);
		if (err) {
			rings_close(rs);
			return error_prefix(-err, "map %s: ", o->maps[i].name);
		}
		rs->n++;
	}
	return 0;
}

/* Counted by the readers themselves. */
static void ignore(void *ctx, int cpu, const void *data, uint32_t size)
{
	(void)ctx; (void)cpu; (void)data; (void)size;
}

void rings_drain(struct rings *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].is_perf)
			perf_reader_drain(&rs->r[i].pr, ignore, NULL, NULL);
		else
			ringbuf_drain(&rs->r[i].rb, ignore, NULL);
	}
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

	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].is_perf)
			perf_reader_close(&rs->r[i].pr);
		else
			ringbuf_close(&rs->r[i].rb);
	}
	free(rs->r);
	memset(rs, 0, sizeof *rs);
}
