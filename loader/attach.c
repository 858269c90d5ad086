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

/* ---- the ways to detach, one per kind of link -------------------------- */

/* A BPF link (raw tracepoint, perf link, cgroup link): the attachment is
 * the kernel object behind the fd, and goes with its last fd. */
static void close_link(struct link *l)
{
	close(l->fd);
}

/* A perf event with PERF_EVENT_IOC_SET_BPF: stopped before it is closed,
 * so that no program runs while the close tears it down. */
static void close_perf_event(struct link *l)
{
	sys_ioctl(l->fd, PERF_EVENT_IOC_DISABLE, 0);
	close(l->fd);
}

static void remove_kprobe_event(const char *event);

/* A kprobe_events entry: the kernel refuses to remove it while a perf
 * event uses it, so the event goes first. */
static void close_kprobe_event(struct link *l)
{
	close_perf_event(l);
	remove_kprobe_event(l->event);
}

static void detach_socket(struct link *l)
{
	int off = 0;

	sys_setsockopt(l->sock, SOL_SOCKET, SO_DETACH_BPF, &off, sizeof off);
}

/* ---- attaching ----------------------------------------------------------- */

/* BPF_LINK_CREATE: prog_fd on target_fd (a perf event, a cgroup). */
static int link_create(int prog_fd, int target_fd, uint32_t attach_type)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.link_create.prog_fd = (uint32_t)prog_fd;
	a.link_create.target_fd = (uint32_t)target_fd;
	a.link_create.attach_type = attach_type;
	return sys_bpf(BPF_LINK_CREATE, &a, sizeof a);
}

/* Puts the program on the perf event pfd and enables it; l takes pfd.
 * Where the kernel has perf links (5.15+) a BPF link holds the program
 * and pfd is closed (the link keeps the event), so this attachment is a
 * link like the others; before that, PERF_EVENT_IOC_SET_BPF, and the
 * perf event is the attachment. kprobe_events entries exist for kernels
 * before 4.17, which have no perf links either: legacy takes SET_BPF. */
static int attach_perf_event(int pfd, int prog_fd, int legacy,
			     struct link *l, const char *what)
{
	static int no_perf_links;
	int fd = -EINVAL, err;

	if (!legacy && !no_perf_links) {
		fd = link_create(prog_fd, pfd, BPF_PERF_EVENT);
		if (fd == -EINVAL) {
			no_perf_links = 1;
			sys_note("no perf links in this kernel (5.15+): "
				 "PERF_EVENT_IOC_SET_BPF instead");
		}
	}
	if (fd >= 0)
		err = 0;
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
		return error_set(-err, "%s: attaching the program: %s", what,
				 errno_text(-err));
	}
	if (fd >= 0) {
		close(pfd);
		l->fd = fd;
		l->detach = close_link;
	} else {
		l->fd = pfd;
		l->detach = close_perf_event;
	}
	return 0;
}

/* perf_event_open, then the program on it. cpu 0 is enough: the program
 * hangs off the event itself and runs whichever CPU hits it. Without
 * error_msg set on failure, the caller says what failed. */
static int open_perf_event(struct perf_event_attr *attr, int prog_fd,
			   int legacy, struct link *l, const char *what)
{
	int fd = sys_perf_event_open(attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return fd;
	return attach_perf_event(fd, prog_fd, legacy, l, what);
}

static int kprobe_via_pmu(const struct obj_prog *p, int prog_fd,
			  struct link *l)
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
	err = open_perf_event(&attr, prog_fd, 0, l, p->target);
	if (err == -ENOENT || err == -EINVAL)
		return error_set(ENOENT, "%s %s: no such function in this "
				 "kernel (or it cannot be probed)",
				 ret ? "kretprobe" : "kprobe", p->target);
	if (err && !error_msg()[0])
		return error_set(-err, "%s: perf_event_open: %s", p->target,
				 errno_text(-err));
	return err;
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

/* The tracepoint category/name as a perf event with p on it (legacy: with
 * SET_BPF). what starts the error message when perf_event_open fails. */
static int open_tracepoint(const struct obj_prog *p, int prog_fd,
			   const char *category, const char *name, int legacy,
			   struct link *l, const char *what)
{
	struct perf_event_attr attr;
	int id, err = tracepoint_id(category, name, &id);

	if (err)
		return err;
	memset(&attr, 0, sizeof attr);
	attr.size = sizeof attr;
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = (uint64_t)id;
	err = open_perf_event(&attr, prog_fd, legacy, l, p->target);
	if (err && !error_msg()[0])
		return error_set(-err, "%s: perf_event_open: %s", what,
				 errno_text(-err));
	return err;
}

/* Kernels without the kprobe PMU (before 4.17): write a probe definition
 * to kprobe_events, named after our pid so that a later run can tell
 * whether its owner is still alive. */
static int kprobe_via_tracefs(const struct obj_prog *p, int prog_fd,
			      struct link *l)
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
	err = control_write(path, def);
	if (err) {
		l->event[0] = 0;
		if (err == -ENOENT && access(path, F_OK) != 0)
			return error_set(ENOTSUP, "this kernel has no kprobes "
					 "(no kprobe PMU, no %s)", path);
		return error_set(-err, "kprobe %s: %s (no such function?)",
				 p->target, errno_text(-err));
	}
	err = open_tracepoint(p, prog_fd, EVENT_GROUP, l->event, 1, l,
			      p->target);
	if (err) {
		remove_kprobe_event(l->event);
		l->event[0] = 0;
		return err;
	}
	l->detach = close_kprobe_event;
	return 0;
}

static int attach_kprobe(const struct obj_prog *p, int prog_fd,
			 struct link *l)
{
	/* RAWTRACE_KPROBE_EVENTS=1 takes the tracefs path even where the
	 * PMU exists, so the fallback for pre-4.17 kernels can be tested on
	 * a new one. */
	if (kprobe_pmu_available() && !getenv("RAWTRACE_KPROBE_EVENTS"))
		return kprobe_via_pmu(p, prog_fd, l);
	if (!kprobes_available())
		return error_set(ENOTSUP, "%s %s: this kernel has no kprobes "
				 "(CONFIG_KPROBES off?): use the tracepoint "
				 "backend", p->kind == ATTACH_KRETPROBE ?
				 "kretprobe" : "kprobe", p->target);
	return kprobe_via_tracefs(p, prog_fd, l);
}

static int attach_tracepoint(const struct obj_prog *p, int prog_fd,
			     struct link *l)
{
	char category[64], what[128];
	const char *slash = strchr(p->target, '/');

	if (!slash || (size_t)(slash - p->target) >= sizeof category)
		return error_set(EINVAL, "program %s: tracepoint \"%s\" is not "
				 "CATEGORY/NAME", p->name, p->target);
	snprintf(category, sizeof category, "%.*s",
		 (int)(slash - p->target), p->target);
	snprintf(what, sizeof what, "tracepoint %s", p->target);
	return open_tracepoint(p, prog_fd, category, slash + 1, 0, l, what);
}

static int attach_raw_tp(const struct obj_prog *p, int prog_fd,
			 struct link *l)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	/* tp_btf, fentry and fexit programs name their target at load
	 * (attach_btf_id); the kernel refuses a name here for them. */
	if (p->kind == ATTACH_RAW_TP)
		a.raw_tracepoint.name = (uintptr_t)p->target;
	a.raw_tracepoint.prog_fd = (uint32_t)prog_fd;
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
	l->detach = close_link;
	return 0;
}

static int attach_socket(const struct obj_prog *p, int prog_fd, int sock,
			 struct link *l)
{
	int err = sys_setsockopt(sock, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd,
				 sizeof prog_fd);

	if (err)
		return error_set(-err, "program %s: SO_ATTACH_BPF: %s", p->name,
				 errno_text(-err));
	l->sock = sock;
	l->detach = detach_socket;
	return 0;
}

/* A cgroup link (5.7+) rather than BPF_PROG_ATTACH: the policy lives
 * exactly as long as our fd, so a rawtrace killed with SIGKILL leaves
 * none behind. Links attach as BPF_F_ALLOW_MULTI does: ours runs beside
 * whatever else is on the cgroup (the kernel denies if any says no). */
static int attach_cgroup(const struct obj_prog *p, int prog_fd, int cgroup,
			 struct link *l)
{
	int fd = link_create(prog_fd, cgroup, p->expected_attach_type);

	if (fd < 0)
		return error_set(-fd, "program %s: BPF_LINK_CREATE on cgroup: "
				 "%s", p->name, errno_text(-fd));
	l->fd = fd;
	l->detach = close_link;
	return 0;
}

int cgroup_prog_count(int cgfd, uint32_t attach_type)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof a);
	a.query.target_fd = (uint32_t)cgfd;
	a.query.attach_type = attach_type;
	/* prog_ids NULL: the kernel only counts */
	err = sys_bpf(BPF_PROG_QUERY, &a, sizeof a);
	return err ? err : (int)a.query.prog_cnt;
}

static void link_clear(struct link *l)
{
	memset(l, 0, sizeof *l);
	l->fd = l->sock = -1;
}

/* The kinds whose target comes from the section name: SEC("kprobe")
 * alone gives none, and libbpf then leaves the program unattached. */
static int needs_target(enum attach_kind kind)
{
	return kind == ATTACH_KPROBE || kind == ATTACH_KRETPROBE ||
	       kind == ATTACH_TRACEPOINT || kind == ATTACH_RAW_TP ||
	       kind == ATTACH_TP_BTF || kind == ATTACH_FUNC;
}

int attach_prog(const struct obj_prog *p, int prog_fd, int target_fd,
		struct link *l)
{
	link_clear(l);
	error_clear();
	if (!p->target && needs_target(p->kind))
		return error_set(EINVAL, "program %s: section %s names nothing "
				 "to attach to", p->name, p->sec_name);
	switch (p->kind) {
	case ATTACH_KPROBE:
	case ATTACH_KRETPROBE:
		return attach_kprobe(p, prog_fd, l);
	case ATTACH_TRACEPOINT:
		return attach_tracepoint(p, prog_fd, l);
	case ATTACH_RAW_TP:
	case ATTACH_TP_BTF:
	case ATTACH_FUNC:
		return attach_raw_tp(p, prog_fd, l);
	case ATTACH_SOCKET:
		return attach_socket(p, prog_fd, target_fd, l);
	case ATTACH_CGROUP:
		return attach_cgroup(p, prog_fd, target_fd, l);
	case ATTACH_NONE:
		return error_set(ENOTSUP, "program %s: section %s cannot be "
				 "attached", p->name, p->sec_name);
	default:
		break;
	}
	return error_set(ENOTSUP, "program %s: section %s: attaching %s "
			 "programs is not yet supported", p->name, p->sec_name,
			 attach_kind_name(p->kind));
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

	if (!p->target)
		return 0;   /* attach_prog says so */
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

void link_destroy(struct link *l)
{
	if (l->detach)
		l->detach(l);
	link_clear(l);
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
	control_write(path, def);
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
