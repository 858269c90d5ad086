/* Two rings written by one program: a BPF ring buffer and a perf event
 * array, one record each per getppid() of the process run names with
 * --set target_tgid=. For `rawtrace run`, which reads every ring of an
 * object in the session's loop: both counts must come out the same. */
#include <linux/bpf.h>
#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]

static long (*bpf_ringbuf_output)(void *ringbuf, void *data, __u64 size,
				  __u64 flags) = (void *)130;
static long (*bpf_perf_event_output)(void *ctx, void *map, __u64 flags,
				     void *data, __u64 size) = (void *)25;
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} perf SEC(".maps");

const volatile __u32 target_tgid = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int two_rings(void *ctx)
{
	__u64 v = bpf_get_current_pid_tgid();

	if ((__u32)(v >> 32) != target_tgid)
		return 0;
	bpf_ringbuf_output(&rb, &v, sizeof v, 0);
	bpf_perf_event_output(ctx, &perf, 0xffffffffULL /* this CPU */, &v,
			      sizeof v);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
