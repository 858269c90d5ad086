/* uprobe and uretprobe on tests/workload/uprobe_target's rt_probe_me
 * (the path given at attach time): each counts its runs; entry also keeps
 * the last attach cookie it saw. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* entries, returns, the last cookie: one array, so that their order in
 * .bss is known */
__u64 counts[3];

SEC("uprobe")
int on_entry(void *ctx)
{
	__sync_fetch_and_add(&counts[0], 1);
	counts[2] = bpf_get_attach_cookie(ctx);
	return 0;
}

SEC("uretprobe")
int on_return(void *ctx)
{
	__sync_fetch_and_add(&counts[1], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
