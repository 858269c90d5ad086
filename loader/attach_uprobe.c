/* uprobe/uretprobe and usdt: perf events of the uprobe PMU on a file and
 * a file offset, found by our ELF reader (elf/symoff.c).
 *   SEC("uprobe/PATH:FUNC[+OFF]"), or path and func in attach_opts
 *   SEC("usdt/PATH:PROVIDER:NAME"): a uprobe at each matching note, with
 *   the note's semaphore as the uprobe's reference counter and, where the
 *   probe has arguments, their spec in the object's __bpf_usdt_specs */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/error.h"
#include "elf/symoff.h"
#include "elf/usdt_arg.h"
#include "loader/attach_impl.h"
#include "loader/file.h"

#define UPROBE_PMU "/sys/bus/event_source/devices/uprobe"

/* Where a probe goes: the file, and an offset in it. */
struct uprobe_at {
	char path[256];
	char func[128];
	uint64_t offset;        /* added to func's offset, or the offset */
	uint64_t ref_ctr;       /* USDT semaphore's file offset, or 0 */
};

/* A library named without a directory ("libc.so.6"), looked up where the
 * dynamic loader would find it on Debian and most others. */
static int find_library(const char *name, char *out, size_t size)
{
	static const char *const dirs[] = {
#if defined(__x86_64__)
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
#elif defined(__aarch64__)
		"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
#endif
		"/lib64", "/usr/lib64", "/lib", "/usr/lib",
	};
	size_t i;

	if (strchr(name, '/')) {
		snprintf(out, size, "%s", name);
		return 0;
	}
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(out, size, "%s/%s", dirs[i], name);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return error_set(ENOENT, "uprobe: no library %s in the usual "
			 "directories", name);
}

/* "PATH:FUNC[+OFF]" (the section's target) into at. */
static int parse_target(const char *t, struct uprobe_at *at)
{
	const char *colon = strrchr(t, ':'), *plus;
	char path[256];

	if (!colon || colon == t || (size_t)(colon - t) >= sizeof path)
		return error_set(EINVAL, "uprobe target \"%s\" is not "
				 "PATH:FUNC[+OFFSET]", t);
	snprintf(path, sizeof path, "%.*s", (int)(colon - t), t);
	plus = strchr(colon + 1, '+');
	snprintf(at->func, sizeof at->func, "%.*s", plus ?
		 (int)(plus - colon - 1) : (int)strlen(colon + 1), colon + 1);
	at->offset = plus ? strtoull(plus + 1, NULL, 0) : 0;
	return find_library(path, at->path, sizeof at->path);
}

/* The whole file is read (loader/file.c: a regular file only, so a FIFO
 * does not block and /dev/zero is not read as empty): ELF lookups need
 * its section headers, symbol tables and notes; a library is a few MB. */
#define UPROBE_FILE_MAX (1ULL << 30)

/* Opens path as ELF; *buf to free. */
static int open_elf(const char *path, struct elf *e, void **buf)
{
	size_t size = 0;
	int err;

	*buf = NULL;
	err = file_read_all(path, UPROBE_FILE_MAX, buf, &size);
	if (err)
		return error_prefix(-err, "uprobe: %s: ", path);
	err = elf_open(e, *buf, size);
	if (err) {
		error_prefix(-err, "uprobe: %s: ", path);
		free(*buf);
		*buf = NULL;
	}
	return err;
}

static int resolve_func(struct uprobe_at *at)
{
	struct elf e;
	uint64_t off;
	void *buf;
	int err;

	if (!at->func[0])
		return 0;   /* the offset is a file offset already */
	err = open_elf(at->path, &e, &buf);
	if (err)
		return err;
	err = elf_func_offset(&e, at->func, &off);
	free(buf);
	if (err)
		return error_prefix(-err, "uprobe %s: ", at->path);
	at->offset += off;
	return 0;
}

static int open_uprobe(const struct obj_prog *p, int prog_fd, int ret,
		       const struct uprobe_at *at, const struct attach_opts *o,
		       struct link *l)
{
	struct perf_event_attr attr;
	char what[420];
	int type, bit = 0, err, pid = o->pid > 0 ? o->pid : -1;

	err = read_int(UPROBE_PMU "/type", "%d", &type);
	if (!err && ret)
		err = read_int(UPROBE_PMU "/format/retprobe", "config:%d", &bit);
	if (err)
		return error_set(ENOTSUP, "uprobe: no uprobe PMU (%s): "
				 "CONFIG_UPROBE_EVENTS off, or Linux before "
				 "4.17", UPROBE_PMU);
	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = (uint32_t)type;
	/* The semaphore (USDT) is the reference counter the kernel bumps
	 * while the probe is on: bits 32-63 of config (format/ref_ctr_offset). */
	attr.config = (ret ? 1ULL << bit : 0) | at->ref_ctr << 32;
	attr.config1 = (uintptr_t)at->path;
	attr.config2 = at->offset;
	snprintf(what, sizeof what, "%s %s:%s+0x%llx", ret ? "uretprobe" :
		 "uprobe", at->path, at->func[0] ? at->func : "",
		 (unsigned long long)at->offset);
	/* One process: follow it on every CPU; all: cpu 0 is enough, the
	 * probe is in the file and fires wherever it is hit. */
	err = link_perf_open(&attr, pid, pid > 0 ? -1 : 0, prog_fd, o->cookie,
			     0, l, what);
	if (err && !error_msg()[0])
		return error_set(-err, "%s: perf_event_open: %s", what,
				 errno_text(-err));
	return err;
}

int attach_uprobe(const struct obj_prog *p, int prog_fd,
		  const struct attach_opts *o, struct link *l)
{
	struct uprobe_at at;
	int err;

	memset(&at, 0, sizeof at);
	if (o->path) {
		err = find_library(o->path, at.path, sizeof at.path);
		snprintf(at.func, sizeof at.func, "%s", o->func ? o->func : "");
		at.offset = o->offset;
	} else if (p->target) {
		err = parse_target(p->target, &at);
	} else {
		err = error_set(EINVAL, "program %s: section %s names no "
				"binary: give a path", p->name, p->sec_name);
	}
	if (!err)
		err = resolve_func(&at);
	if (err)
		return err;
	return open_uprobe(p, prog_fd, p->kind == ATTACH_URETPROBE, &at, o, l);
}

/* ---- usdt ---- */

#define USDT_MAX_SITES 64
#define USDT_MAX_SPECS 256      /* usdt.bpf.h's BPF_USDT_MAX_SPEC_CNT */

/* One place a probe is, and what its arguments are. */
struct usdt_site {
	uint64_t offset, ref_ctr;
	struct usdt_arg args[USDT_MAX_ARGS];
	int nargs;
};

struct usdt_walk {
	const struct elf *e;
	struct usdt_site *sites;
	int count;
};

static int take_note(void *ctx, const struct usdt_note *n)
{
	struct usdt_walk *w = ctx;
	struct usdt_site *s = &w->sites[w->count];
	int err;

	if (w->count == USDT_MAX_SITES)
		return error_set(E2BIG, "more than %d places", USDT_MAX_SITES);
	memset(s, 0, sizeof *s);
	err = elf_addr_offset(w->e, n->pc, &s->offset);
	if (!err && n->semaphore)
		err = elf_addr_offset(w->e, n->semaphore, &s->ref_ctr);
	if (!err)
		err = s->nargs = usdt_parse_args(n->args, w->e->machine, s->args);
	if (err < 0)
		return err;
	w->count++;
	return 0;
}

/* "PATH:PROVIDER:NAME" */
static int parse_usdt(const struct obj_prog *p, const struct attach_opts *o,
		      struct uprobe_at *at, char *prov, char *name)
{
	const char *t = p->target, *c1, *c2;

	if (o->path && o->usdt_provider && o->usdt_name) {
		snprintf(prov, 64, "%s", o->usdt_provider);
		snprintf(name, 64, "%s", o->usdt_name);
		return find_library(o->path, at->path, sizeof at->path);
	}
	c2 = t ? strrchr(t, ':') : NULL;
	c1 = c2 ? memrchr(t, ':', (size_t)(c2 - t)) : NULL;
	if (!c1 || c1 == t || c2 - c1 > 64 || strlen(c2 + 1) >= 64 ||
	    (size_t)(c1 - t) >= sizeof at->path)
		return error_set(EINVAL, "program %s: usdt target \"%s\" is "
				 "not PATH:PROVIDER:NAME", p->name,
				 t ? t : "");
	snprintf(prov, 64, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
	snprintf(name, 64, "%s", c2 + 1);
	snprintf(at->func, sizeof at->func, "%.*s", (int)(c1 - t), t);
	return find_library(at->func, at->path, sizeof at->path);
}

/* Where a probe has arguments, libbpf's usdt.bpf.h finds how to read them
 * in the object's __bpf_usdt_specs map, at the index the attach cookie
 * gives (the user's cookie goes into the spec). Ids are handed out once
 * per process, never reused: at most 256 probe sites in all. */
static int put_spec(const struct usdt_site *s, const struct attach_opts *o,
		    uint64_t *cookie)
{
	static uint32_t next_id;
	unsigned char spec[USDT_SPEC_SIZE];
	uint32_t id = next_id;
	int err;

	if (id >= USDT_MAX_SPECS)
		return error_set(E2BIG, "usdt: more than %d probe sites",
				 USDT_MAX_SPECS);
	usdt_spec_write(s->args, s->nargs, o->cookie, spec);
	err = bpf_map_update(o->usdt_specs_fd, &id, spec, BPF_ANY);
	if (err)
		return error_set(-err, "usdt: __bpf_usdt_specs[%u]: %s", id,
				 errno_text(-err));
	next_id++;
	*cookie = id;
	return 0;
}

/* A uprobe on each site, as sub-links of l. */
static int attach_sites(const struct obj_prog *p, int prog_fd,
			const char *path, const struct usdt_site *sites, int n,
			const struct attach_opts *o, struct link *l)
{
	struct attach_opts so = *o;
	struct uprobe_at at;
	struct link *subs = link_subs(l, (size_t)n);
	int i, err = 0;

	if (!subs)
		return error_set(ENOMEM, "usdt: out of memory");
	memset(&at, 0, sizeof at);
	snprintf(at.path, sizeof at.path, "%s", path);
	for (i = 0; i < n && !err; i++) {
		at.offset = sites[i].offset;
		at.ref_ctr = sites[i].ref_ctr;
		if (o->usdt_specs_fd > 0)
			err = put_spec(&sites[i], o, &so.cookie);
		if (!err)
			err = open_uprobe(p, prog_fd, 0, &at, &so, &subs[i]);
		if (!err)
			l->nr_subs++;
	}
	if (err)
		link_destroy(l);
	return err;
}

/* SEC("usdt/PATH:PROVIDER:NAME"), or path, provider and name in the
 * options. Without usdt_specs_fd (the object's __bpf_usdt_specs), only
 * probes without arguments: a program would read zeros for them. */
int attach_usdt(const struct obj_prog *p, int prog_fd,
		const struct attach_opts *o, struct link *l)
{
	static struct usdt_site sites[USDT_MAX_SITES];
	struct uprobe_at at;
	struct usdt_walk w = { 0 };
	char prov[64], name[64];
	struct elf e;
	void *buf;
	int err, i;

	memset(&at, 0, sizeof at);
	err = parse_usdt(p, o, &at, prov, name);
	if (!err)
		err = open_elf(at.path, &e, &buf);
	if (err)
		return err;
	w.e = &e;
	w.sites = sites;
	err = elf_usdt_notes(&e, prov, name, take_note, &w);
	free(buf);
	if (err)
		return error_prefix(-err, "usdt %s:%s:%s: ", at.path, prov,
				    name);
	if (!w.count)
		return error_set(ENOENT, "usdt %s:%s:%s: no such probe in the "
				 "file's notes", at.path, prov, name);
	for (i = 0; i < w.count && o->usdt_specs_fd <= 0; i++)
		if (sites[i].nargs)
			return error_set(ENOTSUP, "usdt %s:%s:%s: a probe with "
					 "arguments needs the object's "
					 "__bpf_usdt_specs map (not given)",
					 at.path, prov, name);
	return attach_sites(p, prog_fd, at.path, sites, w.count, o, l);
}
