/* Programs for the backend ladder's tests (tests/test_ladder.c): two that
 * count this test's own getppid() calls, and some whose attach target no
 * kernel has, or that cannot attach where the tests put them. */
#include "include/rawtrace_bpf.h"

const volatile __u32 my_pid = 0;
__u64 hits[2];  /* [0]: backend "a"'s program, [1]: backend "b"'s */

static void count(int i)
{
	if (bpf_get_current_pid_tgid() >> 32 == my_pid)
		__sync_fetch_and_add(&hits[i], 1);
}

/* Each section is a program; the loader attaches them in this order, so
 * lad_a_tp is attached before the others fail. */
SEC("tracepoint/syscalls/sys_enter_getppid")
int lad_a_tp(void *ctx)
{
	count(0);
	return 0;
}

SEC("tracepoint/rawtrace_test/no_such_tp")
int lad_tp_none(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint/rawtrace_no_such_tp")
int lad_raw_none(void *ctx)
{
	return 0;
}

SEC("fexit/rawtrace_no_such_func")
int lad_fexit_none(void *ctx)
{
	return 0;
}

SEC("kprobe/rawtrace_no_such_func")
int lad_kp_none(void *ctx)
{
	return 0;
}

/* Attached with no cgroup (target fd -1): BPF_PROG_ATTACH fails with
 * EBADF, an attach failure whose target is not missing. */
SEC("cgroup/post_bind4")
int lad_cg(void *ctx)
{
	return 1;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int lad_b_tp(void *ctx)
{
	count(1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
