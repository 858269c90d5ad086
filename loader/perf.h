/* Reading a BPF_MAP_TYPE_PERF_EVENT_ARRAY from user space.
 *
 * For each online CPU: a PERF_COUNT_SW_BPF_OUTPUT software event, its fd
 * stored in the map at the CPU's index, its ring mmap'd (one metadata
 * page + a power-of-two number of data pages). bpf_perf_event_output()
 * in a program writes PERF_RECORD_SAMPLE records into the ring of the CPU
 * it runs on; when the ring is full the kernel drops records and later
 * writes one PERF_RECORD_LOST saying how many. The reader consumes from
 * data_tail to data_head (head loaded with acquire, tail stored with
 * release ordering) and copies records that wrap past the end of the
 * ring into a scratch buffer. */
#ifndef RAWTRACE_PERF_H
#define RAWTRACE_PERF_H

#include <stddef.h>
#include <stdint.h>
#include <linux/perf_event.h>

/* Called for each sample; data is not aligned beyond 4 bytes: memcpy it
 * into the event struct. */
typedef void (*perf_sample_fn)(void *ctx, int cpu, const void *data,
			       uint32_t size);
/* Called for each PERF_RECORD_LOST with the number of records dropped. */
typedef void (*perf_lost_fn)(void *ctx, int cpu, uint64_t lost);

struct perf_ring {
	struct perf_event_mmap_page *meta;   /* first mmap'd page */
	unsigned char *data;                 /* the ring, data_size bytes */
	uint64_t data_size;                  /* power of two */
	size_t map_len;                      /* whole mapping, for munmap */
	int fd;
	int cpu;
	unsigned char *scratch;              /* for records that wrap */
	size_t scratch_size;
};

/* Consumes every complete record between data_tail and data_head and
 * advances data_tail. Pure memory work: no syscalls, so it can be tested
 * on a synthetic ring. Returns the number of records seen, or -errno (a
 * record whose size is 0, not a multiple of 8, or larger than the ring is
 * corruption: -EINVAL, with data_tail left where it was). */
int perf_ring_drain(struct perf_ring *r, perf_sample_fn on_sample,
		    perf_lost_fn on_lost, void *ctx);

struct perf_reader {
	struct perf_ring *rings;
	int nr_rings;
	int epfd;
	uint64_t lost;            /* total reported by PERF_RECORD_LOST */
	uint64_t samples;         /* total samples delivered */
};

/* Opens one ring per online CPU (/sys/devices/system/cpu/online) of
 * pages data pages each (a power of two, else -EINVAL), stores each fd in
 * the perf event array map_fd, and adds each to an epoll set. The kernel
 * wakes the reader once wakeup_bytes are in a ring (watermark), not per
 * event; 0 means per event. */
int perf_reader_open(struct perf_reader *pr, int map_fd, unsigned pages,
		     unsigned wakeup_bytes);

/* Waits up to timeout_ms (-1: forever) for any ring to pass its
 * watermark, then drains every ring, also after a timeout (so records
 * below the watermark wait at most timeout_ms). Returns the number of
 * records, -EINTR if a signal arrived, or -errno. */
int perf_reader_poll(struct perf_reader *pr, int timeout_ms,
		     perf_sample_fn on_sample, perf_lost_fn on_lost,
		     void *ctx);

/* Drains every ring once without waiting. */
int perf_reader_drain(struct perf_reader *pr, perf_sample_fn on_sample,
		      perf_lost_fn on_lost, void *ctx);

void perf_reader_close(struct perf_reader *pr);

/* Parses a sysfs CPU list ("0-3,5") into a malloc'd array of CPU numbers;
 * returns how many, or -errno. */
int perf_parse_cpu_list(const char *s, int **cpus);

/* The same, read from a sysfs file such as /sys/devices/system/cpu/online. */
int perf_read_cpu_list(const char *path, int **cpus);

#endif
