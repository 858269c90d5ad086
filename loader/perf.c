/* The perf event array reader: one PERF_COUNT_SW_BPF_OUTPUT ring per
 * online CPU, drained from user space.
 *
 * The kernel writes records at data_head and we consume at data_tail;
 * both only grow (u64) and are reduced modulo the power-of-two ring size
 * on every access. The kernel publishes data_head after the record bytes
 * are in place, so we load it with acquire ordering before reading any
 * record; we store data_tail with release ordering after we have finished
 * reading, so the kernel does not overwrite bytes we still read. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>
#include "elf/error.h"
#include "obj/names.h"
#include "loader/perf.h"
#include "loader/sys.h"

/* The layout of the records we understand, after the common header. */
struct sample_rec {
	struct perf_event_header hdr;
	uint32_t size;              /* then size bytes of raw data */
};

struct lost_rec {
	struct perf_event_header hdr;
	uint64_t id;
	uint64_t lost;
};

/* Copies n bytes that start at ring position pos, which may run past the
 * end of the ring and continue at its start. */
static void ring_copy(const struct perf_ring *r, uint64_t pos, void *dst,
		      size_t n)
{
	size_t off = (size_t)(pos & (r->data_size - 1));
	size_t first = r->data_size - off;

	if (first > n)
		first = n;
	memcpy(dst, r->data + off, first);
	memcpy((unsigned char *)dst + first, r->data, n - first);
}

/* Returns the record at pos as one contiguous block: in place when it
 * does not wrap, else copied into the ring's scratch buffer. */
static const unsigned char *ring_record(struct perf_ring *r, uint64_t pos,
					size_t size)
{
	size_t off = (size_t)(pos & (r->data_size - 1));

	if (off + size <= r->data_size)
		return r->data + off;
	if (r->scratch_size < size) {
		unsigned char *p = realloc(r->scratch, size);

		if (!p)
			return NULL;
		r->scratch = p;
		r->scratch_size = size;
	}
	ring_copy(r, pos, r->scratch, size);
	return r->scratch;
}

static int check_size(const struct perf_ring *r, uint64_t tail,
		      uint64_t avail, uint32_t size)
{
	if (size == 0 || size % 8 || size > r->data_size || size > avail)
		return error_set(EINVAL,
				 "perf ring cpu %d: corrupt record at %llu: size %u (%llu bytes available, ring %llu)",
				 r->cpu, (unsigned long long)tail, size,
				 (unsigned long long)avail,
				 (unsigned long long)r->data_size);
	return 0;
}

/* Hands one complete record to the callbacks. */
static int deliver(struct perf_ring *r, const unsigned char *rec,
		   uint32_t size, perf_sample_fn on_sample,
		   perf_lost_fn on_lost, void *ctx)
{
	struct perf_event_header hdr;
	uint32_t len;
	uint64_t lost;

	memcpy(&hdr, rec, sizeof hdr);
	switch (hdr.type) {
	case PERF_RECORD_SAMPLE:
		if (size < sizeof(struct sample_rec))
			return error_set(EINVAL, "perf ring cpu %d: sample record of %u bytes is too short",
					 r->cpu, size);
		memcpy(&len, rec + offsetof(struct sample_rec, size),
		       sizeof len);
		if (len > size - sizeof(struct sample_rec))
			return error_set(EINVAL, "perf ring cpu %d: sample of %u bytes in a record of %u",
					 r->cpu, len, size);
		if (on_sample)
			on_sample(ctx, r->cpu, rec + sizeof(struct sample_rec),
				  len);
		break;
	case PERF_RECORD_LOST:
		if (size < sizeof(struct lost_rec))
			return error_set(EINVAL, "perf ring cpu %d: lost record of %u bytes is too short",
					 r->cpu, size);
		memcpy(&lost, rec + offsetof(struct lost_rec, lost),
		       sizeof lost);
		if (on_lost)
			on_lost(ctx, r->cpu, lost);
		break;
	default:
		/* Only SAMPLE and LOST are written for BPF output events;
		 * anything else is skipped by its size. */
		break;
	}
	return 0;
}

int perf_ring_drain(struct perf_ring *r, perf_sample_fn on_sample,
		    perf_lost_fn on_lost, void *ctx)
{
	uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->meta->data_tail;
	struct perf_event_header hdr;
	const unsigned char *rec;
	int n = 0, err = 0;

	while (tail != head) {
		uint64_t avail = head - tail;

		if (avail < sizeof hdr) {
			err = error_set(EINVAL, "perf ring cpu %d: %llu stray bytes at %llu",
					r->cpu, (unsigned long long)avail,
					(unsigned long long)tail);
			break;
		}
		/* The header itself may straddle the end of the ring. */
		ring_copy(r, tail, &hdr, sizeof hdr);
		err = check_size(r, tail, avail, hdr.size);
		if (err)
			break;
		rec = ring_record(r, tail, hdr.size);
		if (!rec) {
			err = error_set(ENOMEM, "perf ring cpu %d: no memory for a %u-byte record",
					r->cpu, hdr.size);
			break;
		}
		err = deliver(r, rec, hdr.size, on_sample, on_lost, ctx);
		if (err)
			break;
		tail += hdr.size;
		n++;
	}
	/* On corruption the tail stays at the start of the bad record, so
	 * records already delivered are not delivered twice. */
	__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
	return err ? err : n;
}

/* Parses a CPU list such as "0-3,5\n" into a malloc'd array. Returns the
 * number of CPUs or -errno. Not static so tests can reach it. */
int perf_parse_cpu_list(const char *s, int **cpus)
{
	int *list = NULL, n = 0, cap = 0;
	char *end;

	while (*s && *s != '\n') {
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s || lo < 0)
			goto bad;
		s = end;
		if (*s == '-') {
			hi = strtol(s + 1, &end, 10);
			if (end == s + 1 || hi < lo)
				goto bad;
			s = end;
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			goto bad;
		for (; lo <= hi; lo++) {
			if (n == cap) {
				int *p = realloc(list, (cap = cap ? 2 * cap : 16) *
						 sizeof *list);
				if (!p) {
					free(list);
					return error_set(ENOMEM, "cpu list: out of memory");
				}
				list = p;
			}
			list[n++] = (int)lo;
		}
	}
	if (n == 0)
		goto bad;
	*cpus = list;
	return n;
bad:
	free(list);
	return error_set(EINVAL, "cpu list: cannot parse \"%.40s\"", s);
}

int perf_read_cpu_list(const char *path, int **cpus)
{
	char buf[4096];
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return error_set(errno, "open %s: %s", path, errno_text(errno));
	len = read(fd, buf, sizeof buf - 1);
	if (len < 0) {
		int e = errno;

		close(fd);
		return error_set(e, "read %s: %s", path, errno_text(e));
	}
	close(fd);
	buf[len] = 0;
	return perf_parse_cpu_list(buf, cpus);
}

static void ring_close(struct perf_ring *r)
{
	if (r->meta)
		sys_munmap(r->meta, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	free(r->scratch);
	memset(r, 0, sizeof *r);
	r->fd = -1;
}

/* Opens, maps, enables and publishes one CPU's ring. */
static int ring_open(struct perf_ring *r, int cpu, int map_fd, int epfd,
		     int index, unsigned pages, unsigned wakeup_bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct perf_event_attr attr;
	struct epoll_event ev;
	void *base;
	int err;

	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	if (wakeup_bytes) {
		attr.watermark = 1;
		attr.wakeup_watermark = wakeup_bytes;
	} else {
		attr.wakeup_events = 1;
	}
	r->cpu = cpu;
	r->fd = sys_perf_event_open(&attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (r->fd < 0) {
		err = r->fd;
		r->fd = -1;
		return error_set(-err, "perf reader cpu %d: perf_event_open: %s",
				 cpu, errno_text(-err));
	}
	r->map_len = (1 + (size_t)pages) * page;
	err = sys_mmap(&base, r->map_len, PROT_READ | PROT_WRITE, r->fd, 0);
	if (err)
		return error_set(-err, "perf reader cpu %d: mmap %zu bytes: %s",
				 cpu, r->map_len, errno_text(-err));
	r->meta = base;
	r->data = (unsigned char *)base + page;
	r->data_size = (uint64_t)pages * page;
	err = sys_ioctl(r->fd, PERF_EVENT_IOC_ENABLE, 0);
	if (err)
		return error_set(-err, "perf reader cpu %d: PERF_EVENT_IOC_ENABLE: %s",
				 cpu, errno_text(-err));
	err = bpf_map_update(map_fd, &cpu, &r->fd, BPF_ANY);
	if (err)
		return error_set(-err, "perf reader cpu %d: store fd in map: %s",
				 cpu, errno_text(-err));
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.u32 = (uint32_t)index;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, r->fd, &ev) < 0)
		return error_set(errno, "perf reader cpu %d: epoll_ctl: %s",
				 cpu, errno_text(errno));
	return 0;
}

int perf_reader_open(struct perf_reader *pr, int map_fd, unsigned pages,
		     unsigned wakeup_bytes)
{
	int *cpus = NULL;
	int n, i, err;

	memset(pr, 0, sizeof *pr);
	pr->epfd = -1;
	if (pages == 0 || (pages & (pages - 1)))
		return error_set(EINVAL, "perf reader: %u pages is not a power of two",
				 pages);
	n = perf_read_cpu_list("/sys/devices/system/cpu/online", &cpus);
	if (n < 0)
		return n;
	pr->rings = calloc((size_t)n, sizeof *pr->rings);
	if (!pr->rings) {
		free(cpus);
		return error_set(ENOMEM, "perf reader: out of memory");
	}
	for (i = 0; i < n; i++)
		pr->rings[i].fd = -1;
	pr->nr_rings = n;
	pr->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (pr->epfd < 0) {
		err = error_set(errno, "perf reader: epoll_create1: %s",
				errno_text(errno));
		goto fail;
	}
	for (i = 0; i < n; i++) {
		err = ring_open(&pr->rings[i], cpus[i], map_fd, pr->epfd, i,
				pages, wakeup_bytes);
		if (err)
			goto fail;
	}
	free(cpus);
	return 0;
fail:
	free(cpus);
	perf_reader_close(pr);
	return err;
}

/* The reader counts what passes through on its way to the caller. */
struct tally {
	struct perf_reader *pr;
	perf_sample_fn on_sample;
	perf_lost_fn on_lost;
	void *ctx;
};

static void tally_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	struct tally *t = ctx;

	t->pr->samples++;
	if (t->on_sample)
		t->on_sample(t->ctx, cpu, data, size);
}

static void tally_lost(void *ctx, int cpu, uint64_t lost)
{
	struct tally *t = ctx;

	t->pr->lost += lost;
	if (t->on_lost)
		t->on_lost(t->ctx, cpu, lost);
}

int perf_reader_drain(struct perf_reader *pr, perf_sample_fn on_sample,
		      perf_lost_fn on_lost, void *ctx)
{
	struct tally t = { pr, on_sample, on_lost, ctx };
	int i, n, total = 0;

	for (i = 0; i < pr->nr_rings; i++) {
		n = perf_ring_drain(&pr->rings[i], tally_sample, tally_lost, &t);
		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

int perf_reader_poll(struct perf_reader *pr, int timeout_ms,
		     perf_sample_fn on_sample, perf_lost_fn on_lost,
		     void *ctx)
{
	struct epoll_event ev[16];
	int n = epoll_wait(pr->epfd, ev, 16, timeout_ms);

	if (n < 0)
		return error_set(errno, "perf reader: epoll_wait: %s",
				 errno_text(errno));
	/* Drain every ring, also after a timeout and not only the ones that
	 * woke us: a ring below its watermark never wakes us, and its records
	 * would wait for the next burst. Draining an empty ring costs one
	 * load of data_head, no syscall. */
	return perf_reader_drain(pr, on_sample, on_lost, ctx);
}

void perf_reader_close(struct perf_reader *pr)
{
	int i;

	/* rings is the mark of an opened reader: a zeroed struct has
	 * epfd 0, which is stdin, not ours to close. */
	if (!pr->rings)
		return;
	for (i = 0; i < pr->nr_rings; i++)
		ring_close(&pr->rings[i]);
	free(pr->rings);
	if (pr->epfd >= 0)
		close(pr->epfd);
	memset(pr, 0, sizeof *pr);
	pr->epfd = -1;
}
