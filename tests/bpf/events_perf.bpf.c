/* The same record through a perf event array (tests/bpf/events.bpf.h),
 * as struct record: found as the one struct of the record's size. */
#define EVENT record
#include "events.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} perf_out SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	struct record *e = make_event();

	if (e)
		bpf_perf_event_output(ctx, &perf_out, BPF_F_CURRENT_CPU, e,
				      sizeof *e);
	return 0;
}
