/* raw_tp, tp_btf, fentry/fexit/fmod_ret and lsm: BPF_RAW_TRACEPOINT_OPEN,
 * whose fd is a BPF link. The BTF kinds named their target at load
 * (attach_btf_id); raw_tp names it here. */
#include <errno.h>
#include <string.h>
#include "elf/error.h"
#include "loader/attach_impl.h"

static const char *what_of(enum attach_kind kind)
{
	switch (kind) {
	case ATTACH_FUNC:
		return "function";
	case ATTACH_LSM:
		return "lsm hook";
	default:
		return "raw tracepoint";
	}
}

/* Why an lsm program cannot attach: most often the bpf LSM is built but
 * not in the lsm= list the kernel booted with. */
static int lsm_refused(const struct obj_prog *p, int err)
{
	return error_set(-err, "lsm hook %s: BPF_RAW_TRACEPOINT_OPEN: %s "
			 "(is \"bpf\" in /sys/kernel/security/lsm? it needs "
			 "CONFIG_BPF_LSM and lsm=...,bpf at boot)", p->target,
			 errno_text(-err));
}

int attach_tracing(const struct obj_prog *p, int prog_fd,
		   const struct attach_opts *o, struct link *l)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	/* tp_btf, fentry, fexit and lsm programs name their target at load
	 * (attach_btf_id); the kernel refuses a name here for them. */
	if (p->kind == ATTACH_RAW_TP)
		a.raw_tracepoint.name = (uintptr_t)p->target;
	a.raw_tracepoint.prog_fd = (uint32_t)prog_fd;
	fd = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a, sizeof a);
	/* Some kernels load fentry/fexit programs, then cannot attach them:
	 * arm64 before 6.4 has no BPF trampolines (no ftrace direct calls). */
	if (fd == -ENOTSUPP && p->kind == ATTACH_FUNC)
		return error_set(ENOTSUPP, "function %s: "
				 "BPF_RAW_TRACEPOINT_OPEN: %s: no BPF "
				 "trampolines on this kernel and architecture",
				 p->target, errno_text(-fd));
	if (fd < 0 && p->kind == ATTACH_LSM)
		return lsm_refused(p, fd);
	if (fd < 0)
		return error_set(-fd, "%s %s: BPF_RAW_TRACEPOINT_OPEN: %s",
				 what_of(p->kind), p->target, errno_text(-fd));
	link_hold(l, fd);
	return 0;
}
