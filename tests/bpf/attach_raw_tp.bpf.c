/* An attach-kind test object (tests/test_attach.c): counts its runs in
 * .bss; the test loads it, attaches it, triggers it and reads the count. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 runs;

SEC("raw_tp/sched_process_exec")
int count(void *ctx)
{
	__sync_fetch_and_add(&runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
