/* A uprobe that keeps the attach cookie it was given (perf links, 5.15+;
 * bpf_get_attach_cookie does not load on older kernels). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 cookie;

SEC("uprobe")
int keep_cookie(void *ctx)
{
	cookie = bpf_get_attach_cookie(ctx);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
