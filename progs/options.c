#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/vfs.h>
#include "elf/error.h"
#include "include/events.h"
#include "loader/attach.h"
#include "obj/names.h"
#include "loader/sys.h"
#include "progs/options.h"
#include "render/output.h"
#include "progs/tools.h"

void common_defaults(struct common_opts *o)
{
	memset(o, 0, sizeof *o);
	o->pages = 64;
}

static int parse_long(const char *arg, const char *what, long min, long max,
		      long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		return error_set(EINVAL, "%s \"%s\": expected a number from "
				 "%ld to %ld", what, arg, min, max);
	*out = v;
	return 0;
}

int parse_common(int c, const char *arg, struct common_opts *o)
{
	long v;
	int err;

	switch (c) {
	case 'j':
		o->format = RENDER_JSON;
		return 0;
	case 'o':       /* the last of -j and -o counts */
		if (strcmp(arg, "table") == 0)
			o->format = RENDER_TABLE;
		else if (strcmp(arg, "json") == 0)
			o->format = RENDER_JSON;
		else if (strcmp(arg, "kv") == 0)
			o->format = RENDER_KV;
		else
			return error_set(EINVAL, "output \"%s\": expected table, "
					 "json or kv", arg);
		return 0;
	case 't':
		o->timestamp = 1;
		return 0;
	case 'p':
		return parse_long(arg, "pid", 1, 0x7fffffff, &o->pid);
	case 'd':
		err = parse_long(arg, "duration", 1, 86400 * 365, &v);
		o->duration = (double)v;
		return err;
	case 'b':
		err = parse_long(arg, "buffer pages", 1, 1 << 16, &v);
		if (!err && (v & (v - 1)))
			err = error_set(EINVAL, "buffer pages %ld: must be a "
					"power of two", v);
		o->pages = (unsigned)v;
		return err;
	case OPT_BACKEND:
		if (strcmp(arg, "fexit") && strcmp(arg, "kprobe") &&
		    strcmp(arg, "tracepoint"))
			return error_set(EINVAL, "backend \"%s\": expected "
					 "fexit, kprobe or tracepoint", arg);
		o->backend = arg;
		return 0;
	case OPT_COST:
		o->cost = 1;
		return 0;
	case 'c':
		o->cgroup = arg;
		return 0;
	case OPT_CONTAINER:
		o->container = arg;
		return 0;
	case OPT_NETNS:
		o->netns = arg;
		return 0;
	case 'C':       /* a column bit: the runner sets it */
		return 0;
	case OPT_RING:
		if (strcmp(arg, "ringbuf") == 0)
			o->ring = RING_BUF;
		else if (strcmp(arg, "perf") == 0)
			o->ring = RING_PERF;
		else
			return error_set(EINVAL, "ring \"%s\": expected ringbuf "
					 "or perf", arg);
		return 0;
	}
	return error_set(EINVAL, "bad option (see -h)");
}

/* One entry of a port list, arg[0..len), read in place: a copy into a
 * fixed buffer cut long lists without a word ("1,000...047000" traced
 * port 4). An entry too long to quote is quoted by its start. */
static int parse_port(const char *arg, size_t len, uint16_t *port)
{
	char *end;
	long v;

	if (len == 0)
		return error_set(EINVAL, "port list: an empty entry");
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end != arg + len || v < 1 || v > 65535)
		return error_set(EINVAL, "port \"%.*s%s\": expected a number "
				 "from 1 to 65535", len > 40 ? 40 : (int)len,
				 arg, len > 40 ? "..." : "");
	*port = (uint16_t)v;
	return 0;
}

int parse_ports(const char *arg, uint16_t *ports, unsigned max,
		uint32_t *count)
{
	const char *p = arg, *comma;
	size_t len;
	int err;

	if (!*arg)
		return error_set(EINVAL, "port list \"\" is empty");
	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (*count >= max)
			return error_set(EINVAL, "too many ports (at most %u)",
					 max);
		err = parse_port(p, len, &ports[*count]);
		if (err)
			return err;
		(*count)++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

int start_tool(struct session *s, struct ladder *ld, const char *tool,
	       const struct backend *list, const struct common_opts *c,
	       int (*prepare)(struct session *s, void *ctx), void *ctx)
{
	const struct start how = {
		c->backend, opt_btf_path, c->pages, prepare, ctx,
	};
	int err = ladder_start(s, ld, list, &how);

	if (!err)
		err_line("rawtrace %s: tracing with the %s backend (%s%s%s); "
			 "Ctrl-C to stop", tool, ld->backend->name,
			 ld->backend->what, ld->left_out[0] ? "; left out " :
			 "", ld->left_out);
	return err;
}

int run_events(struct session *s, double seconds, perf_sample_fn on_event,
	       void *ctx)
{
	int err = out_flush();

	return err ? err : session_run(s, seconds, on_event, ctx);
}

#define CGROUP2_SUPER_MAGIC 0x63677270 /* linux/magic.h */

int open_cgroup_v2(const char *path, int *fd)
{
	struct statfs st;

	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return error_set(errno, "cgroup %s: %s", path, errno_text(errno));
	if (fstatfs(*fd, &st) || st.f_type != CGROUP2_SUPER_MAGIC) {
		close(*fd);
		*fd = -1;
		return error_set(ENOTDIR, "cgroup %s: not a cgroup v2 directory",
				 path);
	}
	return 0;
}

int check_cgroup_v2(const char *path)
{
	int fd, err = open_cgroup_v2(path, &fd);

	if (!err)
		close(fd);
	return err;
}

int set_cgroup_filter(struct session *s, const char *map, const char *path)
{
	struct obj_map *m = obj_map(&s->obj, map);
	int map_fd = m ? loaded_map_fd(&s->loaded, m) : -1, fd, key = 0, err;

	if (!m)
		return error_set(ENOENT, "no map %s", map);
	err = open_cgroup_v2(path, &fd);
	if (err)
		return err;
	err = bpf_map_update(map_fd, &key, &fd, BPF_ANY);
	close(fd);
	if (err)
		return error_set(-err, "cgroup %s: %s", path, errno_text(-err));
	return 0;
}

int flush_output(void *ctx)
{
	(void)ctx;
	return out_flush();
}

/* Entries left in a tool's `pending` map (an entry probe stashed the
 * arguments, the matching return never came: a missed kretprobe, or a
 * call still in flight). The map is bounded, so they cannot pile up
 * forever; we count them so that they are not silent either. */
static long pending_entries(struct session *s)
{
	struct obj_map *m = obj_map(&s->obj, "pending");
	unsigned char key[64], next[64];
	int fd = m ? loaded_map_fd(&s->loaded, m) : -1;
	union bpf_attr a;
	long n = 0;

	if (fd < 0 || m->key_size > sizeof key)
		return 0;
	memset(&a, 0, sizeof a);
	a.map_fd = (uint32_t)fd;
	a.key = 0;   /* NULL: the first key */
	a.next_key = (uintptr_t)next;
	while (n < (long)m->max_entries &&
	       sys_bpf(BPF_MAP_GET_NEXT_KEY, &a, sizeof a) == 0) {
		memcpy(key, next, m->key_size);
		a.key = (uintptr_t)key;
		n++;
	}
	return n;
}

int finish_session(struct session *s, const struct ladder *ld,
		   const struct lost_count *lc, const char *tool, int err)
{
	uint64_t events = session_events(s), lost = lc->lost;
	int had_reader = s->rings.n > 0;
	long unmatched = had_reader && !err ? pending_entries(s) : 0;

	session_close(s);
	if (err == -EPIPE) {
		err_line("rawtrace %s: stdout: the reader went away "
			"(broken pipe)", tool);
		return 1;
	}
	if (err) {
		/* A start that failed says why each backend was given up. */
		err_line("rawtrace %s: %s%s%s", tool, error_msg()[0] ?
			 error_msg() : errno_text(-err), !ld->backend &&
			 ld->skipped[0] ? "; skipped before it: " : "",
			 ld->backend ? "" : ld->skipped);
		return 1;
	}
	if (had_reader)
		err_line("rawtrace %s: %llu events, %llu lost", tool,
			(unsigned long long)events, (unsigned long long)lost);
	if (unmatched)
		err_line("rawtrace %s: %ld calls entered without a "
			"matching return (missed or still running)", tool,
			unmatched);
	return 0;
}
