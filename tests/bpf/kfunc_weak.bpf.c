/* A weak kfunc no kernel has (issue 21): the loader looks for it in
 * vmlinux's BTF and every module's, finds it nowhere, and makes it 0;
 * the program tests it first, so the call is dead code the verifier
 * removes, and the program loads. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* libbpf 1.2's bpf_ksym_exists, which Debian 12's bpf_helpers.h lacks */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) (!!(sym))
#endif

extern int bpf_rawtrace_no_such_kfunc(__u32 x) __ksym __weak;

__u64 calls;

SEC("xdp")
int weak_absent(struct xdp_md *ctx)
{
	if (bpf_ksym_exists(bpf_rawtrace_no_such_kfunc))
		calls += bpf_rawtrace_no_such_kfunc(1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
