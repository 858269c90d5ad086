/* kprobe/kretprobe, ksyscall/kretsyscall and kprobe.multi. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/error.h"
#include "loader/attach_impl.h"
#include "loader/glob.h"

#define KPROBE_PMU "/sys/bus/event_source/devices/kprobe"
#define EVENT_GROUP "rawtrace"

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

/* A kprobe_events entry: the kernel refuses to remove it while a perf
 * event uses it, so the event goes first. */
static void close_kprobe_event(struct link *l)
{
	link_close_perf_event(l);
	remove_kprobe_event(l->event);
}

static int kprobe_via_pmu(const struct obj_prog *p, const char *func,
			  int prog_fd, const struct attach_opts *o,
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
	attr.config1 = (uintptr_t)func;         /* function name */
	attr.config2 = o->offset;               /* offset in it */
	/* cpu 0 is enough: the program hangs off the event itself and runs
	 * whichever CPU hits it. */
	err = link_perf_open(&attr, -1, 0, prog_fd, o->cookie, 0, l, func);
	if (err == -ENOENT || err == -EINVAL)
		return error_set(ENOENT, "%s %s: no such function in this "
				 "kernel (or it cannot be probed)",
				 ret ? "kretprobe" : "kprobe", func);
	if (err && !error_msg()[0])
		return error_set(-err, "%s: perf_event_open: %s", func,
				 errno_text(-err));
	return err;
}

/* Kernels without the kprobe PMU (before 4.17): write a probe definition
 * to kprobe_events, named after our pid so that a later run can tell
 * whether its owner is still alive. */
static int kprobe_via_tracefs(const struct obj_prog *p, const char *func,
			      int prog_fd, const struct attach_opts *o,
			      struct link *l)
{
	static unsigned seq;
	static int cleaned;
	const char *tfs = tracefs_path();
	char path[256], def[256], at[160];
	int ret = p->kind == ATTACH_KRETPROBE, err;

	if (!tfs)
		return -ENOENT;
	if (!cleaned++)
		kprobe_events_cleanup_stale();
	snprintf(l->event, sizeof l->event, "rt_%d_%u_%s", (int)getpid(),
		 seq++, func);
	if (o->offset)
		snprintf(at, sizeof at, "%s+%llu", func,
			 (unsigned long long)o->offset);
	else
		snprintf(at, sizeof at, "%s", func);
	/* maxactive 64: room for that many concurrent returns per probe;
	 * more than the kernel's default on small machines. */
	snprintf(def, sizeof def, "%s:%s/%s %s\n", ret ? "r64" : "p",
		 EVENT_GROUP, l->event, at);
	snprintf(path, sizeof path, "%s/kprobe_events", tfs);
	sys_note("write \"%.*s\" to %s", (int)strlen(def) - 1, def, path);
	err = control_write(path, def);
	if (err) {
		l->event[0] = 0;
		if (err == -ENOENT && access(path, F_OK) != 0)
			return error_set(ENOTSUP, "this kernel has no kprobes "
					 "(no kprobe PMU, no %s)", path);
		return error_set(-err, "kprobe %s: %s (no such function?)",
				 func, errno_text(-err));
	}
	err = open_tracepoint(p, prog_fd, EVENT_GROUP, l->event, 1, o->cookie,
			      l, func);
	if (err) {
		remove_kprobe_event(l->event);
		l->event[0] = 0;
		return err;
	}
	l->detach = close_kprobe_event;
	return 0;
}

int attach_kprobe(const struct obj_prog *p, int prog_fd,
		  const struct attach_opts *o, struct link *l)
{
	const char *func = o->func ? o->func : p->target;

	if (!func)
		return error_set(EINVAL, "program %s: section %s names nothing "
				 "to attach to", p->name, p->sec_name);
	/* RAWTRACE_KPROBE_EVENTS=1 takes the tracefs path even where the
	 * PMU exists, so the fallback for pre-4.17 kernels can be tested on
	 * a new one. */
	if (kprobe_pmu_available() && !getenv("RAWTRACE_KPROBE_EVENTS"))
		return kprobe_via_pmu(p, func, prog_fd, o, l);
	if (!kprobes_available())
		return error_set(ENOTSUP, "%s %s: this kernel has no kprobes "
				 "(CONFIG_KPROBES off?): use the tracepoint "
				 "backend", p->kind == ATTACH_KRETPROBE ?
				 "kretprobe" : "kprobe", func);
	return kprobe_via_tracefs(p, func, prog_fd, o, l);
}

#if defined(__x86_64__)
#define SYSCALL_PREFIX "__x64_sys_"
#elif defined(__aarch64__)
#define SYSCALL_PREFIX "__arm64_sys_"
#else
#define SYSCALL_PREFIX "sys_"
#endif

/* libbpf asks whether the kernel has syscall wrappers (4.17+ on x86_64,
 * arm64) by probing the prefixed entry of bpf(); we ask kallsyms, which
 * needs no kprobe to tell. Asked once: by ksyscall programs and by the
 * LINUX_HAS_SYSCALL_WRAPPER extern. */
int syscalls_wrapped(void)
{
	static int wrapped = -1;

	if (wrapped < 0)
		wrapped = SYSCALL_PREFIX[0] == '_' &&
			  kallsyms_has(SYSCALL_PREFIX "bpf") == 1;
	return wrapped;
}

int ksyscall_function(const char *name, char *buf, size_t size)
{
	if ((size_t)snprintf(buf, size, "%s%s", syscalls_wrapped() ?
			     SYSCALL_PREFIX : "sys_", name) >= size)
		return error_set(ENAMETOOLONG, "ksyscall %s: name too long",
				 name);
	return 0;
}

/* ksyscall/NAME is a kprobe (kretsyscall a kretprobe) on NAME's entry
 * function. */
int attach_ksyscall(const struct obj_prog *p, int prog_fd,
		    const struct attach_opts *o, struct link *l)
{
	struct obj_prog kp = *p;
	char func[128];
	int err;

	if (!p->target)
		return error_set(EINVAL, "program %s: section %s names no "
				 "syscall", p->name, p->sec_name);
	err = ksyscall_function(p->target, func, sizeof func);
	if (err)
		return err;
	kp.target = func;
	kp.kind = p->kind == ATTACH_KRETSYSCALL ? ATTACH_KRETPROBE :
		  ATTACH_KPROBE;
	return attach_kprobe(&kp, prog_fd, o, l);
}

/* The functions a kprobe.multi pattern names: itself if it has no glob,
 * else every match in available_filter_functions (the kernel takes only
 * functions ftrace can probe). */
static int multi_symbols(const char *pattern, char ***syms, size_t *n)
{
	const char *tfs;
	char path[256], line[512], name[256], **v = NULL, **nv;
	FILE *f;

	*n = 0;
	if (!strpbrk(pattern, "*?[")) {
		*syms = malloc(sizeof **syms);
		if (!*syms || !((*syms)[0] = strdup(pattern)))
			return -ENOMEM;
		*n = 1;
		return 0;
	}
	tfs = tracefs_path();
	if (!tfs)
		return -ENOENT;
	snprintf(path, sizeof path, "%s/available_filter_functions", tfs);
	f = fopen(path, "re");
	if (!f)
		return error_set(errno, "kprobe.multi %s: %s: %s", pattern,
				 path, errno_text(errno));
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%255s", name) != 1 ||
		    !glob_match(pattern, name))
			continue;
		nv = realloc(v, (*n + 1) * sizeof *v);
		if (!nv)
			break;
		v = nv;
		v[(*n)++] = strdup(name);
	}
	fclose(f);
	*syms = v;
	return 0;
}

int attach_kprobe_multi(const struct obj_prog *p, int prog_fd,
			const struct attach_opts *o, struct link *l)
{
	const char *pattern = o->func ? o->func : p->target;
	union bpf_attr a;
	char **syms = NULL;
	size_t n = 0, i;
	int fd;

	fd = multi_symbols(pattern, &syms, &n);
	if (!fd && n == 0)
		fd = error_set(ENOENT, "kprobe.multi %s: no function matches",
			       pattern);
	if (!fd) {
		memset(&a, 0, sizeof a);
		a.link_create.prog_fd = (uint32_t)prog_fd;
		a.link_create.attach_type = BPF_TRACE_KPROBE_MULTI;
		a.link_create.kprobe_multi.flags =
			p->kind == ATTACH_KRETPROBE_MULTI ?
			BPF_F_KPROBE_MULTI_RETURN : 0;
		a.link_create.kprobe_multi.cnt = (uint32_t)n;
		a.link_create.kprobe_multi.syms = (uintptr_t)syms;
		fd = link_create_attr(&a);
		if (fd < 0)
			error_set(-fd, "kprobe.multi %s (%zu function%s): "
				  "BPF_LINK_CREATE: %s%s", pattern, n,
				  n == 1 ? "" : "s",
				  errno_text(-fd), fd == -EINVAL ||
				  fd == -EOPNOTSUPP ? " (needs Linux 5.18+ "
				  "with CONFIG_FPROBE)" : "");
		else
			link_hold(l, fd);
	}
	for (i = 0; i < n; i++)
		free(syms[i]);
	free(syms);
	return fd < 0 ? fd : 0;
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
