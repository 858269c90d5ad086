/* events.bpf.h: the one way every tool's programs reach user space.
 *
 * One map, `events`, of one of two types, chosen by user space before
 * load (the loader changes the map's type; the knob below follows):
 *
 *  - a BPF ring buffer (BPF_MAP_TYPE_RINGBUF, 5.8+), the default: one ring
 *    shared by every CPU, events in the order they were made.
 *  - a perf event array (--ring perf, and kernels before 5.8): a ring per
 *    CPU, whose max_entries the loader sets to the number of possible
 *    CPUs; user space puts a PERF_COUNT_SW_BPF_OUTPUT event's fd in each
 *    slot (loader/perf.c).
 *
 * Either way an event that finds no room is counted in `events_lost`, a
 * per-CPU counter that user space sums and reports (event_output).
 *
 * The verifier never visits the branch the frozen knob turns off, so the
 * helper of the other ring type is never checked against the map. */
#ifndef RAWTRACE_EVENTS_BPF_H
#define RAWTRACE_EVENTS_BPF_H

#include <stdbool.h>
#include "include/rawtrace_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} events_lost SEC(".maps");

/* Set by user space before load (loader/session.c). */
const volatile bool use_ringbuf = false;
/* Ring buffer only: wake the reader once this many bytes wait, not per
 * event (user space also drains on a short timeout, so nothing waits
 * long): at high rates, that is what keeps the tracer cheap. */
const volatile __u32 ring_wakeup_bytes = 0;

/* CLOCK_MONOTONIC nanoseconds for an event's ts_ns, or 0 if not shown.
 * knobs.c.want_time (include/knobs.h: the tool's `knobs`, declared before
 * this file is included) says whether the output shows the time (-t, -j).
 * Without it the programs skip bpf_ktime_get_ns(): a few cycles where the
 * clock source is the TSC, but a device read where it is the HPET (in our
 * qemu VM, half of bind's fexit program). */
static __always_inline __u64 event_time(void)
{
	return knobs.c.want_time ? bpf_ktime_get_ns() : 0;
}

/* Sends the event at ev (size bytes) to user space. A write that finds
 * the ring full fails, and is counted here, with either ring: the kernel's
 * own LOST records for perf rings are written only when a later event
 * fits into the same CPU's ring, so a CPU that overflows and then falls
 * quiet would never report its loss. */
static __always_inline void event_output(void *ctx, void *ev, __u64 size)
{
	__u32 zero = 0;
	__u64 flags, *lost;
	long err;

	if (use_ringbuf) {
		flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >=
			ring_wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
		err = bpf_ringbuf_output(&events, ev, size, flags);
	} else {
		err = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, ev,
					    size);
	}
	if (!err)
		return;
	lost = bpf_map_lookup_elem(&events_lost, &zero);
	if (lost)
		__sync_fetch_and_add(lost, 1);  /* a nested program may race */
}

#endif
