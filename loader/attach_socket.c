/* Socket filters (SO_ATTACH_BPF on a socket the caller gives) and the
 * sockmap programs, sk_msg and sk_skb (BPF_PROG_ATTACH on a sockmap or
 * sockhash the caller gives). */
#include <errno.h>
#include <string.h>
#include "elf/error.h"
#include "loader/attach_impl.h"

static void detach_socket(struct link *l)
{
	int off = 0;

	sys_setsockopt(l->sock, SOL_SOCKET, SO_DETACH_BPF, &off, sizeof off);
}

int attach_socket(const struct obj_prog *p, int prog_fd,
		  const struct attach_opts *o, struct link *l)
{
	int err = sys_setsockopt(o->target_fd, SOL_SOCKET, SO_ATTACH_BPF,
				 &prog_fd, sizeof prog_fd);

	if (err)
		return error_set(-err, "program %s: SO_ATTACH_BPF: %s", p->name,
				 errno_text(-err));
	l->sock = o->target_fd;
	l->detach = detach_socket;
	return 0;
}

static int prog_attach(int cmd, int map_fd, int prog_fd, uint32_t type)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.target_fd = (uint32_t)map_fd;
	a.attach_bpf_fd = (uint32_t)prog_fd;
	a.attach_type = type;
	return sys_bpf(cmd, &a, sizeof a);
}

/* The map holds the program until PROG_DETACH or the map's end; the map
 * is ours, so a killed rawtrace leaves nothing either. prog_fd stays
 * open as long as the loaded object, which outlives its links. */
static void detach_sockmap(struct link *l)
{
	prog_attach(BPF_PROG_DETACH, l->target_fd, l->prog_fd,
		    l->attach_type);
}

int attach_sockmap(const struct obj_prog *p, int prog_fd,
		   const struct attach_opts *o, struct link *l)
{
	int err;

	if (!p->expected_attach_type)
		return error_set(EINVAL, "program %s: section %s says not "
				 "which sockmap hook (sk_skb/stream_verdict, "
				 "...)", p->name, p->sec_name);
	if (o->target_fd <= 0)
		return error_set(EINVAL, "program %s: %s needs a sockmap or "
				 "sockhash to attach to", p->name, p->sec_name);
	err = prog_attach(BPF_PROG_ATTACH, o->target_fd, prog_fd,
			  p->expected_attach_type);
	if (err)
		return error_set(-err, "program %s: BPF_PROG_ATTACH on map: %s",
				 p->name, errno_text(-err));
	l->target_fd = o->target_fd;
	l->prog_fd = prog_fd;
	l->attach_type = p->expected_attach_type;
	l->detach = detach_sockmap;
	return 0;
}
