/* iter/NAME programs: a BPF_TRACE_ITER link (the program was loaded
 * against bpf_iter_NAME's BTF); each BPF_ITER_CREATE on the link is a
 * file whose read() runs the iterator and returns what it wrote. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/error.h"
#include "loader/attach_impl.h"

int attach_iter(const struct obj_prog *p, int prog_fd,
		const struct attach_opts *o, struct link *l)
{
	union bpf_iter_link_info info;
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	memset(&info, 0, sizeof info);
	a.link_create.prog_fd = (uint32_t)prog_fd;
	a.link_create.attach_type = BPF_TRACE_ITER;
	/* A map iterator (iter/bpf_map_elem) walks the map given. */
	if (o->target_fd > 0) {
		info.map.map_fd = (uint32_t)o->target_fd;
		a.link_create.iter_info = (uintptr_t)&info;
		a.link_create.iter_info_len = sizeof info;
	}
	fd = link_create_attr(&a);
	if (fd < 0)
		return error_set(-fd, "iterator %s: BPF_LINK_CREATE: %s",
				 p->target, errno_text(-fd));
	link_hold(l, fd);
	return 0;
}

static int iter_create(int link_fd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.iter_create.link_fd = (uint32_t)link_fd;
	return sys_bpf(BPF_ITER_CREATE, &a, sizeof a);
}

/* Reads fd to its end into a growing buffer. */
static long read_all(int fd, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *nb;
	ssize_t n;

	while (buf) {
		if (cap - len < 2048) {
			nb = realloc(buf, cap *= 2);
			if (!nb)
				break;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0) {
			if (n < 0)
				break;
			buf[len] = 0;
			*out = buf;
			return (long)len;
		}
		len += (size_t)n;
	}
	free(buf);
	return -(errno ? errno : ENOMEM);
}

long attach_iter_read(const struct link *l, char **out)
{
	int fd = iter_create(l->fd);
	long n;

	*out = NULL;
	if (fd < 0)
		return error_set(-fd, "BPF_ITER_CREATE: %s", errno_text(-fd));
	n = read_all(fd, out);
	close(fd);
	if (n < 0)
		return error_set((int)-n, "reading the iterator: %s",
				 errno_text((int)-n));
	return n;
}
