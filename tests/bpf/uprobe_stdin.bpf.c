/* A uprobe whose file is rawtrace run's own stdin (tests/sh/test_run.sh
 * gives it a FIFO nobody writes to): the target is read as a regular
 * file only, and a FIFO is refused in one line rather than waited on. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

SEC("uprobe//dev/stdin:main")
int uprobe_stdin(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
