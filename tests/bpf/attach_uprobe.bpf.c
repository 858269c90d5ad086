/* uprobe and uretprobe on tests/workload/uprobe_target's rt_probe_me
 * (the path given at attach time or by the test as the section's
 * target): each counts its runs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* entries, returns: one array, so that their order in .bss is known */
__u64 counts[2];

SEC("uprobe")
int on_entry(void *ctx)
{
	__sync_fetch_and_add(&counts[0], 1);
	return 0;
}

SEC("uretprobe")
int on_return(void *ctx)
{
	__sync_fetch_and_add(&counts[1], 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
