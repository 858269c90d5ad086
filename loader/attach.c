#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elf/error.h"
#include "loader/attach_impl.h"
#include "obj/names.h"

int read_int(const char *path, const char *fmt, int *out)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, fmt, out);
	fclose(f);
	return n == 1 ? 0 : -EINVAL;
}

int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Set when tracefs_path mounted tracefs: tracefs_unmount takes it away
 * again, so that a run leaves the mounts as it found them. */
static const char *tracefs_ours;

const char *tracefs_path(void)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	size_t i;

	for (i = 0; i < 2; i++) {
		char events[64];

		snprintf(events, sizeof events, "%s/events", paths[i]);
		if (is_dir(events))
			return paths[i];
	}
	/* Not mounted: mount it where modern kernels expect it. */
	if (is_dir(paths[0]) &&
	    mount("tracefs", paths[0], "tracefs", 0, NULL) == 0) {
		sys_note("mounted tracefs at %s", paths[0]);
		tracefs_ours = paths[0];
		return paths[0];
	}
	error_set(ENOENT, "tracefs is not mounted and could not be mounted at "
		  "/sys/kernel/tracing (%s): is CONFIG_TRACING on?",
		  errno_text(errno));
	return NULL;
}

void tracefs_unmount(void)
{
	if (!tracefs_ours)
		return;
	/* Not MNT_DETACH: if someone began to use it meanwhile, EBUSY
	 * leaves it to them. */
	if (umount2(tracefs_ours, 0) == 0)
		sys_note("unmounted tracefs at %s (mounted by us)", tracefs_ours);
	else
		sys_note("tracefs at %s left mounted: %s", tracefs_ours,
			 errno_text(errno));
	tracefs_ours = NULL;
}

const char *cgroup2_path(void)
{
	static char dir[256];
	char line[512], type[64];
	FILE *f = fopen("/proc/mounts", "re");
	int found = 0;

	if (!f)
		return NULL;
	/* fields: source, mount point, type, ... */
	while (!found && fgets(line, sizeof line, f))
		found = sscanf(line, "%*s %255s %63s", dir, type) == 2 &&
			strcmp(type, "cgroup2") == 0;
	fclose(f);
	return found ? dir : NULL;
}

int control_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* Attach kinds without an attach step, and their reason. */
static int not_attachable(const struct obj_prog *p, int prog_fd,
			  const struct attach_opts *o, struct link *l)
{
	return error_set(ENOTSUP, "program %s: section %s cannot be "
			 "attached", p->name, p->sec_name);
}

/* One row per kind: how it attaches, and whether its section must name
 * a target (SEC("kprobe") alone names none; libbpf then leaves the
 * program unattached). */
static const struct {
	attach_fn *fn;
	int needs_target;
} kinds[ATTACH_KIND_COUNT] = {
	[ATTACH_NONE]            = { not_attachable, 0 },
	[ATTACH_KPROBE]          = { attach_kprobe, 1 },
	[ATTACH_KRETPROBE]       = { attach_kprobe, 1 },
	[ATTACH_KPROBE_MULTI]    = { attach_kprobe_multi, 1 },
	[ATTACH_KRETPROBE_MULTI] = { attach_kprobe_multi, 1 },
	[ATTACH_KSYSCALL]        = { attach_ksyscall, 1 },
	[ATTACH_KRETSYSCALL]     = { attach_ksyscall, 1 },
	[ATTACH_TRACEPOINT]      = { attach_tracepoint, 1 },
	[ATTACH_RAW_TP]          = { attach_tracing, 1 },
	[ATTACH_TP_BTF]          = { attach_tracing, 1 },
	[ATTACH_FUNC]            = { attach_tracing, 1 },
	[ATTACH_LSM]             = { attach_tracing, 1 },
	[ATTACH_UPROBE]          = { attach_uprobe, 0 },
	[ATTACH_URETPROBE]       = { attach_uprobe, 0 },
	[ATTACH_USDT]            = { attach_usdt, 0 },
	[ATTACH_PERF_EVENT]      = { attach_perf_event_kind, 0 },
	[ATTACH_ITER]            = { attach_iter, 1 },
	[ATTACH_XDP]             = { attach_xdp, 0 },
	[ATTACH_TC]              = { attach_tc, 0 },
	[ATTACH_TCX]             = { attach_tc, 0 },
	[ATTACH_SOCKET]          = { attach_socket, 0 },
	[ATTACH_CGROUP]          = { attach_cgroup, 0 },
	[ATTACH_SOCKMAP]         = { attach_sockmap, 0 },
};

/* kprobe and uprobe targets may come from the options instead. */
static int target_given(const struct obj_prog *p,
			const struct attach_opts *o)
{
	return p->target || (o->func && (p->kind == ATTACH_KPROBE ||
		p->kind == ATTACH_KRETPROBE || p->kind == ATTACH_KPROBE_MULTI ||
		p->kind == ATTACH_KRETPROBE_MULTI));
}

int attach_prog(const struct obj_prog *p, int prog_fd,
		const struct attach_opts *o, struct link *l)
{
	static const struct attach_opts defaults;
	unsigned kind = (unsigned)p->kind;

	link_clear(l);
	error_clear();
	if (!o)
		o = &defaults;
	if (kind >= ATTACH_KIND_COUNT || !kinds[kind].fn)
		return error_set(ENOTSUP, "program %s: section %s: attaching "
				 "%s programs is not yet supported", p->name,
				 p->sec_name, attach_kind_name(p->kind));
	if (kinds[kind].needs_target && !target_given(p, o))
		return error_set(EINVAL, "program %s: section %s names nothing "
				 "to attach to", p->name, p->sec_name);
	return kinds[kind].fn(p, prog_fd, o, l);
}

/* Is name a function in /proc/kallsyms ("ffff... T name [module]")? 1 or
 * 0; -errno if the file cannot be read. Only read when an attach failed,
 * so its few megabytes cost nothing on the way that works. */
int kallsyms_has(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512], sym[256], type;
	int found = 0;

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof line, f))
		found = sscanf(line, "%*s %c %255s", &type, sym) == 2 &&
			(type == 't' || type == 'T') && strcmp(sym, name) == 0;
	fclose(f);
	return found;
}

/* Is there a tracepoint called name in any category? raw_tracepoint
 * programs name only the tracepoint. */
static int tracepoint_named(const char *tfs, const char *name)
{
	char path[512];
	struct dirent *d;
	DIR *dir;
	int found = 0;

	snprintf(path, sizeof path, "%s/events", tfs);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while (!found && (d = readdir(dir))) {
		snprintf(path, sizeof path, "%s/events/%s/%s", tfs, d->d_name,
			 name);
		found = d->d_name[0] != '.' && is_dir(path);
	}
	closedir(dir);
	return found;
}

static int target_in_btf(const struct obj_prog *p, const struct btf *kbtf)
{
	char name[128];
	uint32_t id;
	int func = p->kind == ATTACH_FUNC || p->kind == ATTACH_LSM;

	if (!kbtf)
		return -ENOENT;
	/* an lsm hook HOOK is the function bpf_lsm_HOOK */
	snprintf(name, sizeof name, "%s%s", p->kind == ATTACH_LSM ? "bpf_lsm_" :
		 func ? "" : "btf_trace_", p->target);
	return btf_find(kbtf, name, strlen(name), func ? BTF_KIND_FUNC :
			BTF_KIND_TYPEDEF, &id, 1) > 0;
}

int attach_target_check(const struct obj_prog *p, const struct btf *kbtf)
{
	const char *tfs = NULL, *what = "function";
	char path[512];
	int has = 1;

	if (!p->target)
		return 0;   /* attach_prog says so */
	switch (p->kind) {
	case ATTACH_KPROBE:
	case ATTACH_KRETPROBE:
		has = kallsyms_has(p->target);
		break;
	case ATTACH_KSYSCALL:
	case ATTACH_KRETSYSCALL:
		what = "syscall";
		has = ksyscall_function(p->target, path, sizeof path) ? 1 :
		      kallsyms_has(path);
		break;
	case ATTACH_FUNC:
		has = target_in_btf(p, kbtf);
		break;
	case ATTACH_LSM:
		what = "lsm hook";
		has = target_in_btf(p, kbtf);
		break;
	case ATTACH_TP_BTF:
		what = "tracepoint";
		has = target_in_btf(p, kbtf);
		break;
	case ATTACH_RAW_TP:
		/* Every tracepoint has btf_trace_<name>, even those with no
		 * tracefs event. */
		what = "tracepoint";
		if (kbtf) {
			has = target_in_btf(p, kbtf);
			break;
		}
		tfs = tracefs_path();
		has = tfs ? tracepoint_named(tfs, p->target) : -ENOENT;
		break;
	case ATTACH_TRACEPOINT:
		what = "tracepoint";
		tfs = tracefs_path();
		if (!tfs)
			return 0;
		snprintf(path, sizeof path, "%s/events/%s", tfs, p->target);
		has = is_dir(path);
		break;
	default:
		break;  /* sockets and cgroups: the caller gives the target */
	}
	if (has != 0)
		return 0;  /* there, or we cannot tell: not for us to skip */
	return error_set(ENOENT, "%s %s is not in this kernel", what, p->target);
}

