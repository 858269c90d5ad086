/* The tools' events conventions (progs/events.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/error.h"
#include "loader/sys.h"
#include "progs/events.h"
#include "render/output.h"

/* Whether this kernel has BPF ring buffers: it makes one of a page. */
static int have_ringbuf(void)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_RINGBUF;
	a.max_entries = (uint32_t)sysconf(_SC_PAGESIZE);
	fd = sys_bpf(BPF_MAP_CREATE, &a, sizeof a);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static uint32_t pow2_at_least(uint64_t n)
{
	uint64_t p = 1;

	while (p < n && p < (1u << 31))
		p <<= 1;
	return (uint32_t)p;
}

int events_set_ring(struct session *s, enum events_ring ring,
		     unsigned pages)
{
	struct obj_map *m = obj_map(&s->obj, "events");
	long page = sysconf(_SC_PAGESIZE), cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint32_t bytes, quarter;
	uint8_t on = 1;
	int err;

	if (!m)
		return error_set(ENOENT, "%s: no map events", s->obj.name);
	if (ring == RING_PERF) {
		sys_note("events: perf event arrays, %u pages per CPU", pages);
		return 0;
	}
	if (!have_ringbuf()) {
		if (ring == RING_BUF)
			return error_set(ENOTSUP, "this kernel has no BPF ring "
					 "buffer (5.8+): use --ring perf");
		sys_note("events: perf event arrays, %u pages per CPU (this "
			 "kernel has no BPF ring buffer)", pages);
		return 0;
	}
	bytes = pow2_at_least((uint64_t)pages * (uint64_t)(cpus > 0 ? cpus : 1) *
			      (uint64_t)page);
	quarter = bytes / 4;
	m->type = BPF_MAP_TYPE_RINGBUF;
	m->key_size = m->value_size = 0;
	m->max_entries = bytes;
	err = obj_set_var(&s->obj, "use_ringbuf", &on, 1);
	if (!err)
		err = obj_set_var(&s->obj, "ring_wakeup_bytes", &quarter,
				  sizeof quarter);
	if (err)
		return err;
	sys_note("events: BPF ring buffer of %u KiB (%u pages x %ld CPUs, "
		 "rounded up to a power of two)", bytes / 1024, pages, cpus);
	return 0;
}

/* A lost event is never silent: say so while running (the total is the
 * tool's to print at exit, from its lost_count). */
static void report_lost(uint64_t lost)
{
	err_line("rawtrace: lost %llu events (ring full: try a larger -b)",
		 (unsigned long long)lost);
}

/* The programs count each event that found no room in events_lost, per
 * CPU (include/events.bpf.h): a new total is reported while running, read
 * every LOST_READ_MS, and once more at the end (force). This, not perf's
 * LOST records, is the lost figure: the kernel writes a LOST record only
 * when a later event fits into the same CPU's ring. */
#define LOST_READ_MS 500

void events_count_lost(struct session *s, struct lost_count *lc, int final)
{
	struct obj_map *m = obj_map(&s->obj, "events_lost");
	int fd = m ? loaded_map_fd(&s->loaded, m) : -1;
	int cpus, i, key = 0, explain = sys_explain;
	double now = monotonic_ms();
	uint64_t *v, sum = 0;

	/* every poll comes here: the time first, sysfs only when due */
	if (fd < 0 || (!final && now - lc->read_ms < LOST_READ_MS))
		return;
	cpus = possible_cpus();
	if (cpus <= 0)
		return;
	/* --explain shows the first read, not the same call twice a second */
	if (lc->read_ms)
		sys_explain = 0;
	lc->read_ms = now;
	v = calloc((size_t)cpus, sizeof *v);
	if (v && bpf_map_lookup(fd, &key, v) == 0) {
		for (i = 0; i < cpus; i++)
			sum += v[i];
		if (sum > lc->lost)
			report_lost(sum - lc->lost);
		lc->lost = sum;
	}
	sys_explain = explain;
	free(v);
}
