/* Programs on a network device (attach_opts.ifindex): xdp through an XDP
 * link (5.9+), tc through a tcx link (6.6+). Both links die with our fd,
 * so nothing stays on the device. */
#include <errno.h>
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
	int fd = need_ifindex(p, o);

	if (fd)
		return fd;
	if (p->type == BPF_PROG_TYPE_SCHED_ACT)
		return error_set(ENOTSUP, "program %s: tc actions (section %s) "
				 "need a tc filter through netlink: not yet "
				 "supported", p->name, p->sec_name);
	fd = link_create(prog_fd, o->ifindex, tcx_type(p, o));
	if (fd == -EINVAL)
		return error_set(EINVAL, "program %s: tcx link on ifindex %d: "
				 "%s (tcx needs Linux 6.6+; the clsact qdisc + "
				 "cls_bpf netlink way for older kernels is not "
				 "yet done)", p->name, o->ifindex,
				 errno_text(EINVAL));
	if (fd < 0)
		return error_set(-fd, "program %s: tcx link on ifindex %d: %s",
				 p->name, o->ifindex, errno_text(-fd));
	link_hold(l, fd);
	return 0;
}
