/* struct event through a BPF ring buffer (tests/bpf/events.bpf.h): found
 * by its name, as libbpf-tools and libbpf-bootstrap name it. */
#define EVENT event
#include "events.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} rb SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	struct event *e = make_event();

	if (e)
		bpf_ringbuf_output(&rb, e, sizeof *e, 0);
	return 0;
}
