/* raw_tp, tp_btf, fentry/fexit/fmod_ret and lsm: BPF_RAW_TRACEPOINT_OPEN,
 * whose fd is a BPF link. The BTF kinds named their target at load
 * (attach_btf_id); raw_tp names it here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
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

#define LSM_LIST "/sys/kernel/security/lsm"

/* The active LSMs ("lockdown,capability,...,bpf") into buf; mounts
 * securityfs if it is not. 0, or -errno if they cannot be told. */
static int active_lsms(char *buf, size_t size)
{
	FILE *f = fopen(LSM_LIST, "re");

	if (!f && mount("securityfs", "/sys/kernel/security", "securityfs", 0,
			NULL) == 0) {
		sys_note("mounted securityfs at /sys/kernel/security");
		f = fopen(LSM_LIST, "re");
	}
	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* The kernel attaches an lsm program to a bpf_lsm_ hook even when the bpf
 * LSM is not active (not in the boot's lsm= list); the program then
 * never runs. Refused here, in one line, rather than silently idle. */
static int lsm_inactive(const struct obj_prog *p)
{
	char list[256], padded[260];

	if (active_lsms(list, sizeof list))
		return 0;   /* cannot tell: let the attach decide */
	snprintf(padded, sizeof padded, ",%s,", list);
	if (strstr(padded, ",bpf,"))
		return 0;
	return error_set(ENOTSUP, "lsm hook %s: the bpf LSM is not active "
			 "(%s: \"%s\"): boot with lsm=...,bpf", p->target,
			 LSM_LIST, list);
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

	if (p->kind == ATTACH_LSM && lsm_inactive(p))
		return -ENOTSUP;
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
