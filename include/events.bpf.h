/* events.bpf.h: the one way every tool's programs reach user space.
 *
 * A BPF_MAP_TYPE_PERF_EVENT_ARRAY with a slot per CPU. Its max_entries is
 * left 0: the loader sets it to the number of possible CPUs at load time,
 * and user space puts a PERF_COUNT_SW_BPF_OUTPUT event's fd in each slot
 * (loader/perf.c). bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU,
 * ...) then writes into the ring of the CPU the program runs on, so
 * producers never contend. */
#ifndef RAWTRACE_EVENTS_BPF_H
#define RAWTRACE_EVENTS_BPF_H

#include <stdbool.h>
#include "include/rawtrace_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* Whether the output shows the time (-t, -j), set by user space before
 * load. Without it the programs skip bpf_ktime_get_ns(): a few cycles
 * where the clock source is the TSC, but a device read where it is the
 * HPET (in our qemu VM, half of bind's fexit program). */
const volatile bool want_time = true;

/* CLOCK_MONOTONIC nanoseconds for an event's ts_ns, or 0 if not shown. */
static __always_inline __u64 event_time(void)
{
	return want_time ? bpf_ktime_get_ns() : 0;
}

#endif
