/* iter/task: writes "task PID COMM" for each task (thread group leaders
 * only) and counts its runs. The context types are declared here as CO-RE
 * records, the few fields that are read. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct seq_file;
struct task_struct {
	int pid, tgid;
	char comm[16];
} __attribute__((preserve_access_index));
struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id, seq_num;
} __attribute__((preserve_access_index));
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

__u64 runs;

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *t = ctx->task;
	__u64 args[2];

	if (!t || t->pid != t->tgid)
		return 0;
	__sync_fetch_and_add(&runs, 1);
	args[0] = t->pid;
	args[1] = (__u64)(long)t->comm;
	bpf_seq_printf(seq, "task %d %s\n", 12, args, sizeof args);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
