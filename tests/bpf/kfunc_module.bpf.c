/* kfuncs of a kernel module (issue 21): nf_conntrack's lookup and
 * release, which Debian's 6.1 builds as a module, with its own BTF; the
 * loader finds them in /sys/kernel/btf/nf_conntrack, not in vmlinux's,
 * and names the module to the verifier through BPF_PROG_LOAD's fd_array.
 * Loaded in the VM booted with -m nf_conntrack
 * (tests/sh/test_vm_run_vs_libbpf.sh), where libbpf loads it too; on a
 * kernel with nf_conntrack built in they are vmlinux's. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* as nf_conntrack_bpf.c has it in 6.1 (12 bytes) */
struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};

/* A struct, not a forward declaration: libbpf finds a FWD incompatible
 * with the kernel's STRUCT and refuses the prototype. Its members are
 * never read here. */
struct nf_conn {
	__u64 unused;
};

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx,
					 struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz,
					 struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

__u64 found;

SEC("xdp")
int ct_lookup(struct xdp_md *ctx)
{
	struct bpf_ct_opts opts = { .netns_id = -1, .l4proto = 6 };
	struct bpf_sock_tuple tup = {};
	struct nf_conn *ct;

	ct = bpf_xdp_ct_lookup(ctx, &tup, sizeof tup.ipv4, &opts, sizeof opts);
	if (ct) {
		found++;
		bpf_ct_release(ct);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
