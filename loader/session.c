#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include "elf/error.h"
#include "loader/embedded.h"
#include "loader/session.h"
#include "loader/sys.h"

volatile sig_atomic_t session_stop;

static void on_signal(int sig)
{
	(void)sig;
	session_stop = 1;
}

/* No SA_RESTART: a signal must interrupt epoll_wait so we stop at once. */
static void install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);  /* a closed pipe is an error we report */
}

/* Before 5.11 the kernel charges BPF maps and programs to
 * RLIMIT_MEMLOCK, whose default (64 KiB on many systems) is too small for
 * a perf ring per CPU. Later kernels charge the memory cgroup instead and
 * ignore the limit, so raising it is harmless there. */
static void raise_memlock(void)
{
	struct rlimit r;
	rlim_t max;

	if (getrlimit(RLIMIT_MEMLOCK, &r) || r.rlim_cur == RLIM_INFINITY)
		return;
	max = r.rlim_max;
	r.rlim_cur = r.rlim_max = RLIM_INFINITY;
	if (setrlimit(RLIMIT_MEMLOCK, &r) == 0) {
		sys_note("raised RLIMIT_MEMLOCK to unlimited (kernels before "
			 "5.11 charge BPF memory to it)");
		return;
	}
	/* Without CAP_SYS_RESOURCE: as far as the hard limit goes. */
	r.rlim_cur = r.rlim_max = max;
	setrlimit(RLIMIT_MEMLOCK, &r);
}

int session_open(struct session *s, const char *name)
{
	const struct embedded_obj *e = embedded_find(name);

	memset(s, 0, sizeof *s);
	install_handlers();
	raise_memlock();
	if (!e)
		return error_set(ENOENT, "no embedded BPF object \"%s\"", name);
	return obj_open(&s->obj, name, e->start, (size_t)(e->end - e->start));
}

static int wanted(const char *name, const char *const *progs)
{
	for (; *progs; progs++)
		if (strcmp(*progs, name) == 0)
			return 1;
	return 0;
}

/* fentry/fexit and tp_btf programs name their target by its id in the
 * running kernel's own BTF. --btf FILE may be another build's, or a
 * minimal one from btfgen, which holds no functions: the ids come from
 * /sys/kernel/btf/vmlinux, and without it those programs cannot load. */
static int open_vmlinux(struct session *s)
{
	int err;

	if (s->has_vmlinux || !obj_needs_attach_btf(&s->obj))
		return 0;
	err = kbtf_open_for(&s->vmlinux, NULL, &s->obj);
	if (err == -ENOENT)
		return error_set(ENOENT, "fexit and tp_btf programs need this "
				 "kernel's own BTF (%s), which it lacks; --btf "
				 "FILE serves CO-RE only", KERNEL_BTF_PATH);
	if (err)
		return err;
	s->has_vmlinux = 1;
	s->obj.attach_btf = &s->vmlinux.btf;
	return 0;
}

int session_load(struct session *s, const char *const *progs,
		 const char *btf_path)
{
	size_t i;
	int err;

	for (i = 0; progs[i]; i++)
		if (!obj_prog(&s->obj, progs[i]))
			return error_set(ENOENT, "%s: no program %s", s->obj.name,
					 progs[i]);
	for (i = 0; i < s->obj.nr_progs; i++)
		s->obj.progs[i].autoload = wanted(s->obj.progs[i].name, progs);
	/* Read once per session: a tool that falls back to another backend
	 * loads again with the same BTF. */
	if (!s->has_kbtf && (obj_needs_kernel_btf(&s->obj) || btf_path)) {
		err = kbtf_open_for(&s->kbtf, btf_path, &s->obj);
		if (err == -ENOENT && !btf_path)
			return error_set(ENOENT, "this kernel has no BTF (%s), "
					 "which %s's CO-RE reads need: make a "
					 "small one with `rawtrace --btf VMLINUX "
					 "btfgen -o FILE` where this kernel's "
					 "vmlinux or BTF is, then run `rawtrace "
					 "--btf FILE %s`", KERNEL_BTF_PATH,
					 s->obj.name, s->obj.name);
		if (err)
			return err;
		s->has_kbtf = 1;
		sys_note("kernel BTF: %u types, checked in %.1f ms",
			 s->kbtf.btf.nr_types, s->kbtf.parse_ms);
	}
	err = btf_path ? open_vmlinux(s) : 0;
	return err ? err : obj_load(&s->obj, s->has_kbtf ? &s->kbtf.btf : NULL);
}

static void detach_all(struct session *s)
{
	while (s->nr_links > 0)
		link_destroy(&s->links[--s->nr_links]);
}

int session_attach(struct session *s, int target_fd)
{
	size_t i;
	int err;

	for (i = 0; i < s->obj.nr_progs; i++) {
		const struct obj_prog *p = &s->obj.progs[i];

		if (p->fd < 0)
			continue;
		if (s->nr_links == SESSION_MAX_LINKS)
			err = error_set(E2BIG, "too many programs to attach");
		else
			err = attach_prog(p, target_fd, &s->links[s->nr_links]);
		if (err) {
			detach_all(s);
			return err;
		}
		s->nr_links++;
	}
	sys_note("attached %.1f ms after start", sys_explain_ms());
	return 0;
}

int session_open_events(struct session *s, const char *map, unsigned pages)
{
	struct obj_map *m = obj_map(&s->obj, map);
	int err;

	if (!m || m->fd < 0)
		return error_set(ENOENT, "%s: no map %s", s->obj.name, map);
	/* Wake the reader when a quarter of a ring is full, not per event:
	 * at high rates that is what keeps the tracer cheap. session_run
	 * still drains every ring each timeout, so nothing waits long. */
	err = perf_reader_open(&s->reader, m->fd, pages, pages * 4096 / 4);
	if (!err)
		s->has_reader = 1;
	return err;
}

/* The poll timeout bounds how long an event below the watermark can
 * wait: 20 ms, so a reader at the other end of a pipe sees it at once,
 * for the price of 50 empty wakeups a second when nothing happens. At
 * high rates the watermark wakes us first and this costs nothing. */
#define POLL_MS 20

/* A lost event is never silent: say so while running (the total is the
 * tool's to print at exit, from reader.lost). */
static void on_lost(void *ctx, int cpu, uint64_t lost)
{
	(void)ctx;
	fprintf(stderr, "rawtrace: lost %llu events on CPU %d (ring full: "
		"try a larger -b)\n", (unsigned long long)lost, cpu);
}

int session_run(struct session *s, double seconds, perf_sample_fn on_sample,
		void *ctx)
{
	double end = seconds > 0 ? monotonic_ms() + seconds * 1e3 : 0;
	int n, err;

	while (!session_stop) {
		n = perf_reader_poll(&s->reader, POLL_MS, on_sample, on_lost, ctx);
		if (n < 0 && n != -EINTR)
			return n;
		if (s->flush) {
			err = s->flush(ctx);
			if (err)
				return err;
		}
		if (end && monotonic_ms() >= end)
			break;
	}
	/* What arrived before the stop is still printed. */
	perf_reader_drain(&s->reader, on_sample, on_lost, ctx);
	return s->flush ? s->flush(ctx) : 0;
}

void session_close(struct session *s)
{
	detach_all(s);
	if (s->has_reader)
		perf_reader_close(&s->reader);
	s->has_reader = 0;
	obj_close(&s->obj);
	if (s->has_kbtf)
		kbtf_close(&s->kbtf);
	s->has_kbtf = 0;
	if (s->has_vmlinux)
		kbtf_close(&s->vmlinux);
	s->has_vmlinux = 0;
}
