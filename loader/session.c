#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include "elf/error.h"
#include "loader/embedded.h"
#include "loader/session.h"
#include "loader/sys.h"
#include "obj/names.h"

volatile sig_atomic_t session_stop;

int session_open_mem(struct session *s, const char *name, const void *data,
		     size_t size)
{
	memset(s, 0, sizeof *s);
	return obj_open(&s->obj, name, data, size);
}

/* Our own objects passed obj_open's checks when make embedded them
 * (tests/check_objects.c), and embedded_inflate's CRC-32 proves these
 * are the bytes checked: they are not checked again at every start. */
int session_open(struct session *s, const char *name)
{
	const struct embedded_obj *e = embedded_find(name);
	void *data;
	size_t size;
	int err;

	memset(s, 0, sizeof *s);
	if (!e)
		return error_set(ENOENT, "no embedded BPF object \"%s\"", name);
	err = embedded_inflate(e, &data, &size);
	if (err)
		return err;
	err = obj_open_flags(&s->obj, name, data, size, OBJ_TRUSTED);
	/* the spec points into data: freed by session_close, after it */
	s->inflated = data;
	return err;
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
	s->loaded.attach_btf = &s->vmlinux.btf;
	return 0;
}

/* A typed ksym or a kfunc is found by its id in the kernel's BTF. */
static int needs_btf_for_ksyms(const struct obj *o)
{
	size_t i;

	for (i = 0; i < o->nr_externs; i++)
		if (o->externs[i].kind == EXTERN_KSYM &&
		    (o->externs[i].is_func || o->externs[i].type_id))
			return 1;
	return 0;
}

/* The kernel's BTF the object needs, read once per session: a tool that
 * falls back to another backend loads again with the same BTF. */
static int session_kernel_btf(struct session *s, const char *btf_path)
{
	int err;

	if (!s->has_kbtf && (obj_needs_kernel_btf(&s->obj) || btf_path ||
			     needs_btf_for_ksyms(&s->obj))) {
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
	return btf_path ? open_vmlinux(s) : 0;
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
	sys_note("loading %s at %.1f ms after start", s->obj.name,
		 sys_explain_ms());
	for (i = 0; i < s->obj.nr_progs; i++)
		s->obj.progs[i].autoload = wanted(s->obj.progs[i].name, progs);
	err = session_kernel_btf(s, btf_path);
	return err ? err : obj_load(&s->loaded, &s->obj,
				    s->has_kbtf ? &s->kbtf.btf : NULL);
}

int session_load_each(struct session *s, const char *btf_path,
		      load_failed_fn failed, void *ctx)
{
	int err = session_kernel_btf(s, btf_path);

	sys_note("loading %s at %.1f ms after start", s->obj.name,
		 sys_explain_ms());
	return err ? err : obj_load_each(&s->loaded, &s->obj, s->has_kbtf ?
					 &s->kbtf.btf : NULL, failed, ctx);
}

static void detach_all(struct session *s)
{
	while (s->nr_links > 0)
		link_destroy(&s->links[--s->nr_links]);
}

int session_count_runs(struct session *s)
{
	s->cost.base = calloc(s->obj.nr_progs ? s->obj.nr_progs : 1,
			      sizeof *s->cost.base);
	return s->cost.base ? 0 : error_set(ENOMEM, "no memory");
}

double user_cpu_ms(void)
{
	struct rusage u;

	if (getrusage(RUSAGE_SELF, &u))
		return 0;
	return (double)u.ru_utime.tv_sec * 1e3 +
	       (double)u.ru_utime.tv_usec / 1e3;
}

/* Before program p's attach: its counts so far, unless taken already
 * for this same program (its id; the ladder may load it anew). A fresh
 * program has run 0 times, but one that ran before (BPF_PROG_TEST_RUN
 * counts too) or a second link of it must not count twice. */
static int cost_mark(struct session *s, const struct obj_prog *p, int fd)
{
	struct prog_runs now;
	size_t i;
	int err;

	/* a program of this session's object: its index there */
	if (p < s->obj.progs || p >= s->obj.progs + s->obj.nr_progs)
		return 0;
	i = (size_t)(p - s->obj.progs);
	err = prog_runs_read(fd, &now);
	if (err)
		return err;
	if (now.id == s->cost.base[i].id)
		return 0;
	s->cost.base[i] = now;
	if (!s->cost.start_ms) {
		s->cost.start_ms = monotonic_ms();
		s->cost.start_user_ms = user_cpu_ms();
	}
	return 0;
}

int session_prog_runs(const struct session *s, size_t i,
		      struct prog_runs *r)
{
	const struct prog_runs *b = s->cost.base && i < s->obj.nr_progs ?
				    &s->cost.base[i] : NULL;
	int fd = b ? loaded_prog_fd(&s->loaded, &s->obj.progs[i]) : -1;

	if (!b || !b->id || fd < 0 || prog_runs_read(fd, r) || r->id != b->id)
		return 0;
	r->runs -= b->runs;
	r->ns -= b->ns;
	r->missed -= b->missed;
	return 1;
}

int session_attach_prog(struct session *s, const struct obj_prog *p,
			int fd, const struct attach_opts *o, struct link **l)
{
	struct link *grown;
	int max = s->max_links ? s->max_links * 2 : 8, err;

	if (s->cost.base) {
		err = cost_mark(s, p, fd);
		if (err)
			return err;
	}

	if (s->nr_links == s->max_links) {
		grown = realloc(s->links, (size_t)max * sizeof *grown);
		if (!grown)
			return error_set(ENOMEM, "no memory");
		s->links = grown;
		s->max_links = max;
	}
	err = attach_prog(p, fd, o, &s->links[s->nr_links]);
	if (err)
		return err;
	if (l)
		*l = &s->links[s->nr_links];
	s->nr_links++;
	return 0;
}

int session_attach(struct session *s, int target_fd)
{
	const struct attach_opts o = { .target_fd = target_fd };
	double t, cpu;
	size_t i;
	int err;

	for (i = 0; i < s->obj.nr_progs; i++) {
		const struct obj_prog *p = &s->obj.progs[i];
		int fd = loaded_prog_fd(&s->loaded, p);

		if (fd < 0)
			continue;
		t = sys_explain_ms();
		cpu = sys_explain_cpu_ms();
		err = session_attach_prog(s, p, fd, &o, NULL);
		if (err) {
			detach_all(s);
			return err;
		}
		sys_note("%s attached in %.1f ms (%.1f ms on the CPU)", p->name,
			 sys_explain_ms() - t, sys_explain_cpu_ms() - cpu);
	}
	sys_note("attached %.1f ms after start", sys_explain_ms());
	return 0;
}

void session_close_events(struct session *s)
{
	rings_close(&s->rings);
}

int session_open_events(struct session *s, const char *map, unsigned pages)
{
	struct obj_map *m = obj_map(&s->obj, map);
	int fd = m ? loaded_map_fd(&s->loaded, m) : -1;

	if (fd < 0)
		return error_set(ENOENT, "%s: no map %s", s->obj.name, map);
	/* the map's type says which reader: a tool may have made its
	 * events map a ring buffer before load (progs/events.c) */
	return rings_add(&s->rings, m, fd, pages);
}

int session_open_rings(struct session *s, unsigned pages)
{
	return rings_open(&s->rings, &s->loaded, pages);
}

/* The poll timeout bounds how long an event below the watermark can
 * wait: 20 ms, so a reader at the other end of a pipe sees it at once,
 * for the price of 50 empty wakeups a second when nothing happens. At
 * high rates the watermark wakes us first and this costs nothing. */
#define POLL_MS 20

/* Except right after start: until the first event arrives, for at most
 * FIRST_MS, the reader looks every millisecond. The first events are the
 * ones a user who just started us waits for, and below the watermark
 * they would sit up to POLL_MS in the ring (on this 6.18 host that was
 * half of exec -> first event). A run with no event pays 200 wakeups. */
#define FIRST_POLL_MS 1
#define FIRST_MS 200

/* One wait for events, then everything there is delivered. */
static int poll_events(struct session *s, int timeout_ms,
		       perf_sample_fn on_sample, void *ctx)
{
	/* perf's LOST records are left to the readers' count: a tool
	 * counts its lost events itself (s->polled) */
	int n = rings_poll(&s->rings, timeout_ms, on_sample, ctx);

	if (s->polled)
		s->polled(s, ctx, timeout_ms == 0);
	return n;
}

int session_every(struct session *s, double ms, int (*fn)(void *arg),
		  void *arg)
{
	struct session_timer *t;

	if (s->nr_timers == SESSION_MAX_TIMERS)
		return error_set(E2BIG, "more than %d timers on a session",
				 SESSION_MAX_TIMERS);
	if (!(ms > 0))
		return error_set(EINVAL, "a timer of %g ms", ms);
	t = &s->timers[s->nr_timers++];
	t->every_ms = ms;
	t->next_ms = 0;
	t->fn = fn;
	t->arg = arg;
	return 0;
}

int session_watch(struct session *s, int fd, uint32_t events,
		  ring_watch_fn fn, void *arg)
{
	return rings_watch(&s->rings, fd, events, fn, arg);
}

/* wait, shortened to when the next timer is due. */
static int timers_wait(const struct session *s, double now, int wait)
{
	double due;
	int i;

	for (i = 0; i < s->nr_timers; i++) {
		due = s->timers[i].next_ms - now;
		if (due < wait)
			wait = due > 0 ? (int)due + 1 : 0;
	}
	return wait;
}

/* Each timer that is due, once; one that fell behind (a slow fn) is
 * due again a whole period later, not at once. */
static int timers_run(struct session *s)
{
	struct session_timer *t;
	double now = monotonic_ms();
	int i, err;

	for (i = 0; i < s->nr_timers; i++) {
		t = &s->timers[i];
		if (now < t->next_ms)
			continue;
		err = t->fn(t->arg);
		if (err)
			return err;
		t->next_ms += t->every_ms;
		if (t->next_ms <= now)
			t->next_ms = now + t->every_ms;
	}
	return 0;
}

int session_run(struct session *s, double seconds, perf_sample_fn on_sample,
		void *ctx)
{
	double start = monotonic_ms();
	double end = seconds > 0 ? start + seconds * 1e3 : 0;
	int n, err, wait, i;

	for (i = 0; i < s->nr_timers; i++)
		s->timers[i].next_ms = start + s->timers[i].every_ms;
	while (!session_stop) {
		wait = session_events(s) == 0 &&
		       monotonic_ms() - start < FIRST_MS ? FIRST_POLL_MS : POLL_MS;
		wait = timers_wait(s, monotonic_ms(), wait);
		n = poll_events(s, wait, on_sample, ctx);
		if (n < 0 && n != -EINTR)
			return n;
		if (s->flush) {
			err = s->flush(ctx);
			if (err)
				return err;
		}
		err = timers_run(s);
		if (err)
			return err;
		if (end && monotonic_ms() >= end)
			break;
	}
	return session_end(s, on_sample, ctx);
}

/* A program run that began before its link was closed goes on after the
 * close returns, and may still write an event. Every kind we attach
 * (tracing, cgroup, socket filter) runs under rcu_read_lock, so once an
 * RCU grace period has passed, none is left. membarrier(
 * MEMBARRIER_CMD_GLOBAL) waits for one (synchronize_rcu) -- but only
 * with more than one CPU online: on one, it returns at once, though a
 * preemptible kernel may have preempted a run inside its read section.
 * There, and where membarrier is refused (nohz_full CPUs, before 4.3), a
 * pause far longer than any run, which also lets a preempted one end. */
void session_wait_runs(void)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int *cpus = NULL, online, err;

	online = perf_read_cpu_list("/sys/devices/system/cpu/online", &cpus);
	free(cpus);
	err = sys_membarrier_global();
	if (err) {
		sys_note("membarrier refused (%s): waiting 20 ms instead",
			 errno_text(-err));
		nanosleep(&pause, NULL);
	} else if (online == 1) {
		sys_note("one CPU online: membarrier waited for no grace "
			 "period; waiting 20 ms as well");
		nanosleep(&pause, NULL);
	}
}

int session_end(struct session *s, perf_sample_fn on_sample, void *ctx)
{
	int n;

	/* Detach first, then read to the end: whatever the programs sent
	 * up to the detach is printed, or counted lost; nothing fires after
	 * it, so nothing goes unseen in between. */
	if (s->stopping)
		s->stopping(ctx);
	detach_all(s);
	session_wait_runs();
	sys_note("detached: reading what the programs sent before");
	do
		n = poll_events(s, 0, on_sample, ctx);
	while (n > 0 || n == -EINTR);
	if (s->cost.base) {
		s->cost.end_ms = monotonic_ms();
		s->cost.end_user_ms = user_cpu_ms();
	}
	if (n < 0)
		return n;
	return s->flush ? s->flush(ctx) : 0;
}

uint64_t session_events(const struct session *s)
{
	return rings_records(&s->rings);
}

void session_close(struct session *s)
{
	detach_all(s);
	free(s->links);
	s->links = NULL;
	s->max_links = 0;
	session_close_events(s);
	loaded_free(&s->loaded);
	free(s->cost.base);
	s->cost.base = NULL;
	obj_close(&s->obj);
	if (s->has_kbtf)
		kbtf_close(&s->kbtf);
	s->has_kbtf = 0;
	if (s->has_vmlinux)
		kbtf_close(&s->vmlinux);
	s->has_vmlinux = 0;
	free(s->inflated);
	s->inflated = NULL;
}
