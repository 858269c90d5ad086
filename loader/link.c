/* The shared end of every attach kind: a BPF link fd held by a struct
 * link, and the perf-event helper that kprobes, uprobes, tracepoints and
 * perf_event programs all go through. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/error.h"
#include "loader/attach_impl.h"

void link_clear(struct link *l)
{
	memset(l, 0, sizeof *l);
	l->fd = l->sock = l->target_fd = -1;
}

/* A BPF link (raw tracepoint, perf link, cgroup, xdp, tcx, iter link):
 * the attachment is the kernel object behind the fd, and goes with its
 * last fd. */
static void close_link(struct link *l)
{
	close(l->fd);
}

void link_hold(struct link *l, int fd)
{
	l->fd = fd;
	l->detach = close_link;
}

/* A perf event with PERF_EVENT_IOC_SET_BPF: stopped before it is closed,
 * so that no program runs while the close tears it down. */
void link_close_perf_event(struct link *l)
{
	sys_ioctl(l->fd, PERF_EVENT_IOC_DISABLE, 0);
	close(l->fd);
}

int link_create_attr(union bpf_attr *a)
{
	return sys_bpf(BPF_LINK_CREATE, a, sizeof *a);
}

int link_create(int prog_fd, int target, uint32_t attach_type)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.link_create.prog_fd = (uint32_t)prog_fd;
	a.link_create.target_fd = (uint32_t)target;
	a.link_create.attach_type = attach_type;
	return link_create_attr(&a);
}

static int perf_link(int prog_fd, int pfd, uint64_t cookie)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.link_create.prog_fd = (uint32_t)prog_fd;
	a.link_create.target_fd = (uint32_t)pfd;
	a.link_create.attach_type = BPF_PERF_EVENT;
	a.link_create.perf_event.bpf_cookie = cookie;
	return link_create_attr(&a);
}

/* Where the kernel has perf links (5.15+) a BPF link holds the program
 * and pfd is closed (the link keeps the event), so this attachment is a
 * link like the others; before that, PERF_EVENT_IOC_SET_BPF, and the
 * perf event is the attachment. kprobe_events entries exist for kernels
 * before 4.17, which have no perf links either: legacy takes SET_BPF.
 * SET_BPF has no room for a cookie, so a cookie needs a perf link. */
int link_perf_event(int pfd, int prog_fd, uint64_t cookie, int legacy,
		    struct link *l, const char *what)
{
	static int no_perf_links;
	int fd = -EINVAL, err;

	if (!legacy && !no_perf_links) {
		fd = perf_link(prog_fd, pfd, cookie);
		if (fd == -EINVAL) {
			no_perf_links = 1;
			sys_note("no perf links in this kernel (5.15+): "
				 "PERF_EVENT_IOC_SET_BPF instead");
		}
	}
	if (fd >= 0)
		err = 0;
	else if (fd == -EINVAL && cookie)
		err = -EOPNOTSUPP;
	else if (fd == -EINVAL)         /* legacy, or no perf links */
		err = sys_ioctl(pfd, PERF_EVENT_IOC_SET_BPF,
				(unsigned long)prog_fd);
	else
		err = fd;
	if (!err)
		err = sys_ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0);
	if (err) {
		if (fd >= 0)
			close(fd);
		close(pfd);
		if (err == -EOPNOTSUPP && fd == -EINVAL)
			return error_set(EOPNOTSUPP, "%s: a cookie needs perf "
					 "links (Linux 5.15+)", what);
		return error_set(-err, "%s: attaching the program: %s", what,
				 errno_text(-err));
	}
	if (fd >= 0) {
		close(pfd);
		link_hold(l, fd);
	} else {
		l->fd = pfd;
		l->detach = link_close_perf_event;
	}
	return 0;
}

int link_perf_open(struct perf_event_attr *attr, int pid, int cpu,
		   int prog_fd, uint64_t cookie, int legacy, struct link *l,
		   const char *what)
{
	int fd = sys_perf_event_open(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return fd;
	return link_perf_event(fd, prog_fd, cookie, legacy, l, what);
}

/* Sub-links (a perf_event program's one event per CPU): each undone,
 * then the array freed. */
static void destroy_subs(struct link *l)
{
	size_t i;

	for (i = 0; i < l->nr_subs; i++)
		link_destroy(&l->subs[i]);
	free(l->subs);
}

struct link *link_subs(struct link *l, size_t n)
{
	size_t i;

	l->subs = calloc(n, sizeof *l->subs);
	if (!l->subs)
		return NULL;
	for (i = 0; i < n; i++)
		link_clear(&l->subs[i]);
	l->detach = destroy_subs;
	return l->subs;
}

void link_destroy(struct link *l)
{
	if (l->detach)
		l->detach(l);
	link_clear(l);
}
