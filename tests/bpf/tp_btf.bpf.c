/* A tp_btf program: loaded with the BTF id of btf_trace_sched_process_exec
 * and attached with BPF_RAW_TRACEPOINT_OPEN. It counts execs in .bss. */
#include "include/rawtrace_bpf.h"

__u64 execs;

SEC("tp_btf/sched_process_exec")
int count_exec(void *ctx)
{
	__sync_fetch_and_add(&execs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
