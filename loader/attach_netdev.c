/* Programs on a network device (attach_opts.ifindex): xdp through an XDP
 * link (5.9+), tc through a tcx link (6.6+), both dying with our fd; on
 * kernels before tcx, tc through a clsact qdisc and a cls_bpf filter
 * (loader/tc_netlink.c), removed at detach. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "loader/attach_impl.h"

static int need_ifindex(const struct obj_prog *p, const struct attach_opts *o)
{
	if (o->ifindex > 0)
		return 0;
	return error_set(EINVAL, "program %s: %s needs a network interface "
			 "(ifindex)", p->name, p->sec_name);
}

int attach_xdp(const struct obj_prog *p, int prog_fd,
	       const struct attach_opts *o, struct link *l)
{
	union bpf_attr a;
	int fd = need_ifindex(p, o);

	if (fd)
		return fd;
	memset(&a, 0, sizeof a);
	a.link_create.prog_fd = (uint32_t)prog_fd;
	a.link_create.target_ifindex = (uint32_t)o->ifindex;
	a.link_create.attach_type = BPF_XDP;
	a.link_create.flags = o->xdp_flags;
	fd = link_create_attr(&a);
	if (fd < 0)
		return error_set(-fd, "program %s: xdp link on ifindex %d: %s%s",
				 p->name, o->ifindex, errno_text(-fd),
				 fd == -EINVAL ? " (xdp links need Linux 5.9+; "
				 "the netlink way is not yet done)" :
				 fd == -EBUSY ? " (another xdp program is on "
				 "the device)" : "");
	link_hold(l, fd);
	return 0;
}

/* tc/ingress, tcx/egress name their direction; SEC("tc") and
 * "classifier" take it from the options. */
static uint32_t tcx_type(const struct obj_prog *p, const struct attach_opts *o)
{
	if (p->kind == ATTACH_TCX)
		return p->expected_attach_type;
	return o->egress ? RT_BPF_TCX_EGRESS : RT_BPF_TCX_INGRESS;
}

int attach_tc(const struct obj_prog *p, int prog_fd,
	      const struct attach_opts *o, struct link *l)
{
	uint32_t type = tcx_type(p, o);
	int fd = need_ifindex(p, o);

	if (fd)
		return fd;
	if (p->type == BPF_PROG_TYPE_SCHED_ACT)
		return error_set(ENOTSUP, "program %s: tc actions (section %s) "
				 "are not yet supported", p->name, p->sec_name);
	/* RAWTRACE_TC_NETLINK=1 takes the netlink way where tcx exists,
	 * so that it can be tested on a new kernel. */
	fd = getenv("RAWTRACE_TC_NETLINK") ? -EINVAL :
	     link_create(prog_fd, o->ifindex, type);
	if (fd == -EINVAL) {
		sys_note("no tcx links in this kernel (6.6+): a clsact qdisc "
			 "and a cls_bpf filter instead");
		return tc_attach_netlink(p, prog_fd, o->ifindex,
					 type == RT_BPF_TCX_EGRESS, l);
	}
	if (fd < 0)
		return error_set(-fd, "program %s: tcx link on ifindex %d: %s",
				 p->name, o->ifindex, errno_text(-fd));
	link_hold(l, fd);
	return 0;
}
