#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elf/error.h"
#include "loader/attach.h"
#include "obj/names.h"
#include "loader/sys.h"

#define KPROBE_PMU "/sys/bus/event_source/devices/kprobe"
#define EVENT_GROUP "rawtrace"

static int read_int(const char *path, const char *fmt, int *out)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, fmt, out);
	fclose(f);
	return n == 1 ? 0 : -EINVAL;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

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
		return paths[0];
	}
	error_set(ENOENT, "tracefs is not mounted and could not be mounted at "
		  "/sys/kernel/tracing (%s): is CONFIG_TRACING on?",
		  errno_text(errno));
	return NULL;
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

int kprobe_pmu_available(void)
{
	return access(KPROBE_PMU "/type", R_OK) == 0;
}

int kprobes_available(void)
{
	const char *tfs;
	char path[128];

	if (kprobe_pmu_available())
		return 1;
	tfs = tracefs_path();
	if (!tfs)
		return 0;
	snprintf(path, sizeof path, "%s/kprobe_events", tfs);
	return access(path, W_OK) == 0;
}

/* perf_event_open + SET_BPF + ENABLE: the common tail of kprobes and
 * tracepoints. cpu 0 is enough: the program hangs off the event itself and
 * runs whichever CPU hits it. */
static int open_perf_event(struct perf_event_attr *attr, int prog_fd,
			   struct link *l, const char *what)
{
	int fd, err;

	fd = sys_perf_event_open(attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return fd;
	err = sys_ioctl(fd, PERF_EVENT_IOC_SET_BPF, (unsigned long)prog_fd);
	if (!err)
		err = sys_ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	if (err) {
		close(fd);
		return error_set(-err, "%s: attaching the program: %s", what,
				 errno_text(-err));
	}
	l->fd = fd;
	return 0;
}

static int kprobe_via_pmu(const struct obj_prog *p, struct link *l)
{
	struct perf_event_attr attr;
	int type, bit = 0, err;
	int ret = p->kind == ATTACH_KRETPROBE;

	err = read_int(KPROBE_PMU "/type", "%d", &type);
	if (!err && ret)
		err = read_int(KPROBE_PMU "/format/retprobe", "config:%d", &bit);
	if (err)
		return error_set(-err, "kprobe PMU: cannot read %s", KPROBE_PMU);
	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = (uint32_t)type;
	attr.config = ret ? 1ULL << bit : 0;
	attr.config1 = (uintptr_t)p->target;   /* function name */
	attr.config2 = 0;                       /* offset */
	err = open_perf_event(&attr, l->prog_fd, l, p->target);
	if (err == -ENOENT || err == -EINVAL)
		return error_set(ENOENT, "%s %s: no such function in this "
				 "kernel (or it cannot be probed)",
				 ret ? "kretprobe" : "kprobe", p->target);
	if (err && !error_msg()[0])
		return error_set(-err, "%s: perf_event_open: %s", p->target,
				 errno_text(-err));
	return err;
}

static int write_file(const char *path, const char *text)
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

/* The tracepoint category/name as a perf event with p on it. what starts
 * the error message when perf_event_open fails. */
static int open_tracepoint(const struct obj_prog *p, const char *category,
			   const char *name, struct link *l, const char *what)
{
	struct perf_event_attr attr;
	int id, err = tracepoint_id(category, name, &id);

	if (err)
		return err;
	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = (uint64_t)id;
	err = open_perf_event(&attr, l->prog_fd, l, p->target);
	if (err && !error_msg()[0])
		return error_set(-err, "%s: perf_event_open: %s", what,
				 errno_text(-err));
	return err;
}

/* Kernels without the kprobe PMU (before 4.17): write a probe definition
 * to kprobe_events, named after our pid so that a later run can tell
 * whether its owner is still alive. */
static int kprobe_via_tracefs(const struct obj_prog *p, struct link *l)
{
	static unsigned seq;
	static int cleaned;
	const char *tfs = tracefs_path();
	char path[256], def[256];
	int ret = p->kind == ATTACH_KRETPROBE, err;

	if (!tfs)
		return -ENOENT;
	if (!cleaned++)
		kprobe_events_cleanup_stale();
	snprintf(l->event, sizeof l->event, "rt_%d_%u_%s", (int)getpid(),
		 seq++, p->target);
	/* maxactive 64: room for that many concurrent returns per probe;
	 * more than the kernel's default on small machines. */
	snprintf(def, sizeof def, "%s:%s/%s %s\n", ret ? "r64" : "p",
		 EVENT_GROUP, l->event, p->target);
	snprintf(path, sizeof path, "%s/kprobe_events", tfs);
	sys_note("write \"%.*s\" to %s", (int)strlen(def) - 1, def, path);
	err = write_file(path, def);
	if (err) {
		l->event[0] = 0;
		if (err == -ENOENT && access(path, F_OK) != 0)
			return error_set(ENOTSUP, "this kernel has no kprobes "
					 "(no kprobe PMU, no %s)", path);
		return error_set(-err, "kprobe %s: %s (no such function?)",
				 p->target, errno_text(-err));
	}
	return open_tracepoint(p, EVENT_GROUP, l->event, l, p->target);
}

static int attach_kprobe(const struct obj_prog *p, struct link *l)
{
	/* RAWTRACE_KPROBE_EVENTS=1 takes the tracefs path even where the
	 * PMU exists, so the fallback for pre-4.17 kernels can be tested on
	 * a new one. */
	if (kprobe_pmu_available() && !getenv("RAWTRACE_KPROBE_EVENTS"))
		return kprobe_via_pmu(p, l);
	if (!kprobes_available())
		return error_set(ENOTSUP, "%s %s: this kernel has no kprobes "
				 "(CONFIG_KPROBES off?): use the tracepoint "
				 "backend", p->kind == ATTACH_KRETPROBE ?
				 "kretprobe" : "kprobe", p->target);
	return kprobe_via_tracefs(p, l);
}

static int attach_tracepoint(const struct obj_prog *p, struct link *l)
{
	char category[64], what[128];
	const char *slash = strchr(p->target, '/');

	if (!slash || (size_t)(slash - p->target) >= sizeof category)
		return error_set(EINVAL, "program %s: tracepoint \"%s\" is not "
				 "CATEGORY/NAME", p->name, p->target);
	snprintf(category, sizeof category, "%.*s",
		 (int)(slash - p->target), p->target);
	snprintf(what, sizeof what, "tracepoint %s", p->target);
	return open_tracepoint(p, category, slash + 1, l, what);
}

static int attach_raw_tp(const struct obj_prog *p, struct link *l)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	/* tp_btf, fentry and fexit programs name their target at load
	 * (attach_btf_id); the kernel refuses a name here for them. */
	if (p->kind == ATTACH_RAW_TP)
		a.raw_tracepoint.name = (uintptr_t)p->target;
	a.raw_tracepoint.prog_fd = (uint32_t)l->prog_fd;
	fd = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a, sizeof a);
	/* Some kernels load fentry/fexit programs, then cannot attach them:
	 * arm64 before 6.4 has no BPF trampolines (no ftrace direct calls). */
	if (fd == -ENOTSUPP && p->kind == ATTACH_FUNC)
		return error_set(ENOTSUPP, "function %s: "
				 "BPF_RAW_TRACEPOINT_OPEN: %s: no BPF "
				 "trampolines on this kernel and architecture",
				 p->target, errno_text(-fd));
	if (fd < 0)
		return error_set(-fd, "%s %s: BPF_RAW_TRACEPOINT_OPEN: %s",
				 p->kind == ATTACH_FUNC ? "function" :
				 "raw tracepoint", p->target, errno_text(-fd));
	l->fd = fd;
	return 0;
}

static int attach_socket(const struct obj_prog *p, int sock, struct link *l)
{
	int err = sys_setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF,
				 &l->prog_fd, sizeof l->prog_fd);

	if (err)
		return error_set(-err, "program %s: SO_ATTACH_BPF: %s", p->name,
				 errno_text(-err));
	l->target_fd = sock;
	return 0;
}

/* BPF_F_ALLOW_MULTI: our program runs beside whatever else is attached to
 * the cgroup, and detaching removes exactly ours. */
static int attach_cgroup(const struct obj_prog *p, int cgroup, struct link *l)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof a);
	a.target_fd = (uint32_t)cgroup;
	a.attach_bpf_fd = (uint32_t)l->prog_fd;
	a.attach_type = p->expected_attach_type;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	err = sys_bpf(BPF_PROG_ATTACH, &a, sizeof a);
	if (err)
		return error_set(-err, "program %s: BPF_PROG_ATTACH to cgroup: "
				 "%s", p->name, errno_text(-err));
	l->target_fd = cgroup;
	l->attach_type = p->expected_attach_type;
	return 0;
}

int attach_prog(const struct obj_prog *p, int prog_fd, int target_fd,
		struct link *l)
{
	memset(l, 0, sizeof *l);
	l->fd = l->target_fd = -1;
	l->kind = p->kind;
	l->prog_fd = prog_fd;
	error_clear();
	switch (p->kind) {
	case ATTACH_KPROBE:
	case ATTACH_KRETPROBE:
		return attach_kprobe(p, l);
	case ATTACH_TRACEPOINT:
		return attach_tracepoint(p, l);
	case ATTACH_RAW_TP:
	case ATTACH_TP_BTF:
	case ATTACH_FUNC:
		return attach_raw_tp(p, l);
	case ATTACH_SOCKET:
		return attach_socket(p, target_fd, l);
	case ATTACH_CGROUP:
		return attach_cgroup(p, target_fd, l);
	case ATTACH_NONE:
		break;
	}
	return error_set(ENOTSUP, "program %s: section %s cannot be attached",
			 p->name, p->sec_name);
}

/* Is name a function in /proc/kallsyms ("ffff... T name [module]")? 1 or
 * 0; -errno if the file cannot be read. Only read when an attach failed,
 * so its few megabytes cost nothing on the way that works. */
static int kallsyms_has(const char *name)
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
	int func = p->kind == ATTACH_FUNC;

	if (!kbtf)
		return -ENOENT;
	snprintf(name, sizeof name, "%s%s", func ? "" : "btf_trace_", p->target);
	return btf_find(kbtf, name, strlen(name), func ? BTF_KIND_FUNC :
			BTF_KIND_TYPEDEF, &id, 1) > 0;
}

int attach_target_check(const struct obj_prog *p, const struct btf *kbtf)
{
	const char *tfs = NULL, *what = "function";
	char path[512];
	int has = 1;

	switch (p->kind) {
	case ATTACH_KPROBE:
	case ATTACH_KRETPROBE:
		has = kallsyms_has(p->target);
		break;
	case ATTACH_FUNC:
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

static void remove_kprobe_event(const char *event)
{
	const char *tfs = tracefs_path();
	char path[256], def[128];

	if (!tfs)
		return;
	snprintf(path, sizeof path, "%s/kprobe_events", tfs);
	snprintf(def, sizeof def, "-:%s/%s\n", EVENT_GROUP, event);
	sys_note("write \"-:%s/%s\" to %s", EVENT_GROUP, event, path);
	write_file(path, def);
}

static int uses_perf_event(enum attach_kind kind)
{
	return kind == ATTACH_KPROBE || kind == ATTACH_KRETPROBE ||
	       kind == ATTACH_TRACEPOINT;
}

void link_destroy(struct link *l)
{
	union bpf_attr a;
	int off = 0;

	/* A perf event is stopped before it is closed, so that no program
	 * runs while the close tears it down; other links just close. */
	if (l->fd >= 0 && uses_perf_event(l->kind))
		sys_ioctl(l->fd, PERF_EVENT_IOC_DISABLE, 0);
	if (l->fd >= 0)
		close(l->fd);
	if (l->event[0])
		remove_kprobe_event(l->event);
	if (l->kind == ATTACH_SOCKET && l->target_fd >= 0)
		sys_setsockopt(l->target_fd, SOL_SOCKET, SO_DETACH_BPF, &off,
			       sizeof off);
	if (l->kind == ATTACH_CGROUP && l->target_fd >= 0) {
		memset(&a, 0, sizeof a);
		a.target_fd = (uint32_t)l->target_fd;
		a.attach_bpf_fd = (uint32_t)l->prog_fd;
		a.attach_type = l->attach_type;
		sys_bpf(BPF_PROG_DETACH, &a, sizeof a);
	}
	memset(l, 0, sizeof *l);
	l->fd = l->target_fd = -1;
}

/* "p:rawtrace/rt_1234_0_inet_bind inet_bind": if process 1234 is gone, the
 * entry is a leftover of a rawtrace that was killed. */
void kprobe_events_cleanup_stale(void)
{
	const char *tfs = tracefs_path();
	char path[256], line[512], event[64];
	FILE *f;
	int pid;

	if (!tfs)
		return;
	snprintf(path, sizeof path, "%s/kprobe_events", tfs);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *s = strstr(line, ":" EVENT_GROUP "/rt_");

		if (!s || sscanf(s, ":" EVENT_GROUP "/%63s", event) != 1 ||
		    sscanf(event, "rt_%d_", &pid) != 1)
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		remove_kprobe_event(event);
	}
	fclose(f);
}
