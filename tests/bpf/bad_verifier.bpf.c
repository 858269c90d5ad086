/* A program the verifier must reject: it reads past the end of its
 * context. Used to check that a rejection shows the verifier's log. */
#include "include/rawtrace_bpf.h"

SEC("socket")
int reads_past_ctx(void *ctx)
{
	return *(volatile int *)((char *)ctx + 4000);
}

char LICENSE[] SEC("license") = "GPL";
