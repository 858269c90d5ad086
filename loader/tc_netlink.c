/* tc programs on kernels without tcx links (before 6.6): a clsact qdisc
 * on the device (made by us if it has none) and a cls_bpf filter in
 * direct-action mode holding the program, both through rtnetlink. At
 * detach the filter goes, and the qdisc too if we made it. Unlike links
 * these outlive a rawtrace killed with SIGKILL: the kernel cannot tie
 * them to our fds. Our filters are named rt_PID_PROG, so the next
 * rawtrace that puts one on the device removes those of dead processes
 * (not the qdisc: another may have made it since). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include "elf/error.h"
#include "loader/attach_impl.h"

#define TC_PRIO   1             /* our first filter's priority, */
#define TC_PRIOS  16            /* the next ones' while a place is taken */
#define TC_HANDLE 1             /* and its handle */

struct tc_req {
	struct nlmsghdr nh;
	struct tcmsg tc;
	char attrs[256];
};

static void add_attr(struct tc_req *r, unsigned short type, const void *data,
		     size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r +
					     NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Opens a nest: its length is fixed by end_nest. */
static struct rtattr *begin_nest(struct tc_req *r, unsigned short type)
{
	struct rtattr *a = (struct rtattr *)((char *)r +
					     NLMSG_ALIGN(r->nh.nlmsg_len));

	add_attr(r, type, NULL, 0);
	return a;
}

static void end_nest(struct tc_req *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)r + r->nh.nlmsg_len - (char *)a);
}

static void tc_init(struct tc_req *r, unsigned short type,
		    unsigned short flags, int ifindex, uint32_t parent)
{
	memset(r, 0, sizeof *r);
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof r->tc);
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->tc.tcm_family = AF_UNSPEC;
	r->tc.tcm_ifindex = ifindex;
	r->tc.tcm_parent = parent;
}

/* Sends r and reads the kernel's ack: 0 or its -errno. */
static int tc_talk(struct tc_req *r)
{
	char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	int fd = sys_socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int n, err;

	if (fd < 0)
		return fd;
	err = sys_netlink_send(fd, &r->nh);
	n = err ? err : sys_recv(fd, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return n;
	if (n < (int)NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    nh->nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
}

static int qdisc(int ifindex, int add)
{
	struct tc_req r;

	tc_init(&r, add ? RTM_NEWQDISC : RTM_DELQDISC,
		add ? NLM_F_CREATE | NLM_F_EXCL : 0, ifindex, TC_H_CLSACT);
	r.tc.tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
	add_attr(&r, TCA_KIND, "clsact", sizeof "clsact");
	return tc_talk(&r);
}

/* The filter's place: clsact's ingress or egress hook, priority prio
 * and handle ours, every protocol. */
static void filter_init(struct tc_req *r, unsigned short type,
			unsigned short flags, int ifindex, int egress,
			unsigned prio)
{
	tc_init(r, type, flags, ifindex, TC_H_MAKE(TC_H_CLSACT, egress ?
		TC_H_MIN_EGRESS : TC_H_MIN_INGRESS));
	r->tc.tcm_handle = TC_HANDLE;
	r->tc.tcm_info = TC_H_MAKE(prio << 16, htons(ETH_P_ALL));
	add_attr(r, TCA_KIND, "bpf", sizeof "bpf");
}

static int filter_add(int ifindex, int egress, unsigned prio, int prog_fd,
		      const char *prog)
{
	char name[64];
	uint32_t fd = (uint32_t)prog_fd, flags = TCA_BPF_FLAG_ACT_DIRECT;
	struct rtattr *opts;
	struct tc_req r;

	snprintf(name, sizeof name, "rt_%d_%s", (int)getpid(), prog);
	filter_init(&r, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex,
		    egress, prio);
	opts = begin_nest(&r, TCA_OPTIONS);
	add_attr(&r, TCA_BPF_FD, &fd, sizeof fd);
	add_attr(&r, TCA_BPF_NAME, name, strlen(name) + 1);
	add_attr(&r, TCA_BPF_FLAGS, &flags, sizeof flags);
	end_nest(&r, opts);
	return tc_talk(&r);
}

static int filter_del(int ifindex, int egress, unsigned prio)
{
	struct tc_req r;

	filter_init(&r, RTM_DELTFILTER, 0, ifindex, egress, prio);
	return tc_talk(&r);
}

/* ---- leftovers of rawtraces killed with SIGKILL ---- */

/* The cls_bpf name in a filter message's TCA_OPTIONS, or NULL. */
static const char *bpf_name(struct nlmsghdr *nh)
{
	struct tcmsg *tc = NLMSG_DATA(nh);
	struct rtattr *a = (struct rtattr *)((char *)tc + NLMSG_ALIGN(sizeof *tc));
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof *tc);
	struct rtattr *o;
	int olen;

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != TCA_OPTIONS)
			continue;
		o = RTA_DATA(a);
		olen = (int)RTA_PAYLOAD(a);
		for (; RTA_OK(o, olen); o = RTA_NEXT(o, olen))
			if (o->rta_type == TCA_BPF_NAME &&
			    memchr(RTA_DATA(o), 0, RTA_PAYLOAD(o)))
				return RTA_DATA(o);
	}
	return NULL;
}

/* Is this filter one of a rawtrace that is gone? */
static int stale(struct nlmsghdr *nh)
{
	const char *name = bpf_name(nh);
	int pid;

	return name && sscanf(name, "rt_%d_", &pid) == 1 && pid > 0 &&
	       kill(pid, 0) != 0 && errno == ESRCH;
}

/* Dumps the filters on one hook; deletes the stale ones after (a
 * request in the middle of a dump would be refused). */
static void cleanup_hook(int ifindex, int egress)
{
	struct { uint32_t handle, info; } dead[16];
	char buf[16384];
	struct tc_req r;
	int fd, n, ndead = 0, done = 0, i;

	fd = sys_socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return;
	tc_init(&r, RTM_GETTFILTER, NLM_F_DUMP, ifindex, TC_H_MAKE(TC_H_CLSACT,
		egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS));
	r.nh.nlmsg_flags &= (unsigned short)~NLM_F_ACK;
	if (sys_netlink_send(fd, &r.nh))
		done = 1;
	while (!done && (n = sys_recv(fd, buf, sizeof buf)) > 0) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		for (; NLMSG_OK(nh, (unsigned)n); nh = NLMSG_NEXT(nh, n)) {
			struct tcmsg *tc = NLMSG_DATA(nh);

			if (nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR)
				done = 1;
			else if (nh->nlmsg_type == RTM_NEWTFILTER &&
				 ndead < 16 && stale(nh)) {
				dead[ndead].handle = tc->tcm_handle;
				dead[ndead++].info = tc->tcm_info;
			}
		}
	}
	close(fd);
	for (i = 0; i < ndead; i++) {
		filter_init(&r, RTM_DELTFILTER, 0, ifindex, egress, 0);
		r.tc.tcm_handle = dead[i].handle;
		r.tc.tcm_info = dead[i].info;
		sys_note("removing a tc filter of a rawtrace that is gone");
		tc_talk(&r);
	}
}

static void detach_tc(struct link *l)
{
	if (l->own_qdisc)
		qdisc(l->ifindex, 0);   /* its filters go with it */
	else
		filter_del(l->ifindex, l->egress, (unsigned)l->tc_prio);
}

int tc_attach_netlink(const struct obj_prog *p, int prog_fd, int ifindex,
		      int egress, struct link *l)
{
	unsigned prio = TC_PRIO;
	int made, err;

	err = qdisc(ifindex, 1);
	made = err == 0;
	if (err && err != -EEXIST)
		return error_set(-err, "program %s: clsact qdisc on ifindex "
				 "%d: %s", p->name, ifindex, errno_text(-err));
	if (!made)
		cleanup_hook(ifindex, egress);
	/* a second program on the hook (another of this object, another
	 * rawtrace's) takes the next priority */
	while ((err = filter_add(ifindex, egress, prio, prog_fd,
				 p->name)) == -EEXIST &&
	       prio < TC_PRIO + TC_PRIOS - 1)
		prio++;
	if (err) {
		if (made)
			qdisc(ifindex, 0);
		return error_set(-err, "program %s: cls_bpf filter on ifindex "
				 "%d: %s%s", p->name, ifindex, errno_text(-err),
				 err == -ENOENT || err == -EOPNOTSUPP ?
				 " (cls_bpf module missing?)" : "");
	}
	l->ifindex = ifindex;
	l->egress = egress;
	l->own_qdisc = made;
	l->tc_prio = (int)prio;
	l->detach = detach_tc;
	return 0;
}
