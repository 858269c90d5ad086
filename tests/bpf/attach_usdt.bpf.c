/* A USDT probe without arguments in tests/workload/uprobe_target
 * (rawtrace:tick): counts its runs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 runs;

SEC("usdt")
int on_tick(void *ctx)
{
	__sync_fetch_and_add(&runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
