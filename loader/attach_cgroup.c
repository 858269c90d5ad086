/* cgroup programs and sockops: a cgroup link on the cgroup directory's
 * fd the caller opens (attach_opts.target_fd). */
#include <errno.h>
#include <string.h>
#include "elf/error.h"
#include "loader/attach_impl.h"

/* A cgroup link (5.7+) rather than BPF_PROG_ATTACH: the policy lives
 * exactly as long as our fd, so a rawtrace killed with SIGKILL leaves
 * none behind. Links attach as BPF_F_ALLOW_MULTI does: ours runs beside
 * whatever else is on the cgroup (the kernel denies if any says no). */
int attach_cgroup(const struct obj_prog *p, int prog_fd,
		  const struct attach_opts *o, struct link *l)
{
	int fd = link_create(prog_fd, o->target_fd, p->expected_attach_type);

	if (fd < 0)
		return error_set(-fd, "program %s: BPF_LINK_CREATE on cgroup: "
				 "%s", p->name, errno_text(-fd));
	link_hold(l, fd);
	return 0;
}

int cgroup_prog_count(int cgfd, uint32_t attach_type)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof a);
	a.query.target_fd = (uint32_t)cgfd;
	a.query.attach_type = attach_type;
	/* prog_ids NULL: the kernel only counts */
	err = sys_bpf(BPF_PROG_QUERY, &a, sizeof a);
	return err ? err : (int)a.query.prog_cnt;
}
