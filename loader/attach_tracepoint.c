/* tracepoint/CATEGORY/NAME (and tp/): a PERF_TYPE_TRACEPOINT event with
 * the tracefs id, then the shared perf-event helper. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "elf/error.h"
#include "loader/attach_impl.h"

static int tracepoint_id(const char *category, const char *name, int *id)
{
	const char *tfs = tracefs_path();
	char path[256];
	int err;

	if (!tfs)
		return -ENOENT;
	snprintf(path, sizeof path, "%s/events/%s/%s/id", tfs, category, name);
	err = read_int(path, "%d", id);
	if (err)
		return error_set(ENOENT, "tracepoint %s/%s: not in this kernel "
				 "(%s)", category, name, path);
	return 0;
}

int open_tracepoint(const struct obj_prog *p, int prog_fd,
		    const char *category, const char *name, int legacy,
		    uint64_t cookie, struct link *l, const char *what)
{
	struct perf_event_attr attr;
	int id, err = tracepoint_id(category, name, &id);

	if (err)
		return err;
	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = (uint64_t)id;
	err = link_perf_open(&attr, -1, 0, prog_fd, cookie, legacy, l,
			     p->target);
	if (err && !error_msg()[0])
		return error_set(-err, "%s: perf_event_open: %s", what,
				 errno_text(-err));
	return err;
}

int attach_tracepoint(const struct obj_prog *p, int prog_fd,
		      const struct attach_opts *o, struct link *l)
{
	char category[64], what[128];
	const char *slash = strchr(p->target, '/');

	if (!slash || (size_t)(slash - p->target) >= sizeof category)
		return error_set(EINVAL, "program %s: tracepoint \"%s\" is not "
				 "CATEGORY/NAME", p->name, p->target);
	snprintf(category, sizeof category, "%.*s",
		 (int)(slash - p->target), p->target);
	snprintf(what, sizeof what, "tracepoint %s", p->target);
	return open_tracepoint(p, prog_fd, category, slash + 1, 0, o->cookie,
			       l, what);
}
