/* Every attach kind (loader/attach_*.c) on the running kernel, as root:
 * each test object (tests/bpf/attach_*.bpf.c) counts its runs; the test
 * loads it, attaches it, makes it run, reads the count, detaches it and
 * checks that nothing of it is left (its BPF link gone, no qdisc, no
 * uprobe_events entry). A kind this kernel lacks says `skipped:`, never
 * passes. The ELF lookups behind uprobes and USDT run without root. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "elf/error.h"
#include "elf/symoff.h"
#include "elf/usdt_arg.h"
#include "loader/attach.h"
#include "loader/kbtf.h"
#include "loader/load.h"
#include "loader/sys.h"
#include "obj/names.h"
#include "tests/testutil.h"

#define TARGET "build/workload/uprobe_target"

/* One loaded test object. */
struct t {
	char name[64];
	void *buf;
	struct obj o;
	struct loaded ld;
	struct kbtf k;
	int has_k;
};

/* Opens and loads build/bpf/tests/attach_NAME.bpf.o: 0, or -errno with
 * error_msg (the caller decides between failing and skipping). */
static int t_load(struct t *t, const char *name)
{
	char path[256];
	size_t size = 0;

	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "attach_%s", name);
	snprintf(path, sizeof path, "build/bpf/tests/%s.bpf.o", t->name);
	t->buf = test_read_file(path, &size);
	ck_assert_msg(t->buf != NULL, "cannot read %s", path);
	ck_assert_msg(obj_open(&t->o, t->name, t->buf, size) == 0, "%s",
		      error_msg());
	t->has_k = kbtf_open(&t->k, NULL, NULL, 0) == 0;
	return obj_load(&t->ld, &t->o, t->has_k ? &t->k.btf : NULL);
}

static void t_free(struct t *t)
{
	loaded_free(&t->ld);
	obj_close(&t->o);
	if (t->has_k)
		kbtf_close(&t->k);
	free(t->buf);
}

static int t_prog_fd(struct t *t, const char *prog, struct obj_prog **p)
{
	*p = prog ? obj_prog(&t->o, prog) : &t->o.progs[0];
	ck_assert_ptr_nonnull(*p);
	return loaded_prog_fd(&t->ld, *p);
}

/* The idx-th __u64 of the object's .bss (its counters). */
static uint64_t t_count(struct t *t, int idx)
{
	uint64_t v[8] = { 0 };
	struct obj_map *m = NULL;
	size_t i;
	int key = 0;

	/* Named after the object, shortened to fit the kernel's 16 bytes. */
	for (i = 0; i < t->o.nr_maps && !m; i++)
		if (strstr(t->o.maps[i].name, ".bss"))
			m = &t->o.maps[i];
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(bpf_map_lookup(loaded_map_fd(&t->ld, m), &key, v), 0);
	return v[idx];
}

/* The kernel's id of the BPF link fd, 0 if fd is no link. */
static uint32_t link_id(int fd)
{
	struct bpf_link_info info;
	union bpf_attr a;

	memset(&info, 0, sizeof info);
	memset(&a, 0, sizeof a);
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof info;
	a.info.info = (uintptr_t)&info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof a) ? 0 : info.id;
}

/* Whether link id is gone from the kernel (freed after an RCU grace
 * period, so wait a little). */
static int link_gone(uint32_t id)
{
	union bpf_attr a;
	int fd, i;

	for (i = 0; i < 200; i++) {
		memset(&a, 0, sizeof a);
		a.link_id = id;
		fd = sys_bpf(BPF_LINK_GET_FD_BY_ID, &a, sizeof a);
		if (fd == -ENOENT)
			return 1;
		if (fd >= 0)
			close(fd);
		usleep(10000);
	}
	return 0;
}

/* Detaches l and checks its BPF link (and each sub-link's) is gone. */
static void detach_and_check(struct link *l)
{
	uint32_t ids[64];
	int fds[64];
	size_t n = 0, i;

	if (l->nr_subs)
		for (i = 0; i < l->nr_subs && n < 64; i++) {
			fds[n] = l->subs[i].fd;
			ids[n++] = link_id(l->subs[i].fd);
		}
	else {
		fds[n] = l->fd;
		ids[n++] = link_id(l->fd);
	}
	link_destroy(&l[0]);
	for (i = 0; i < n; i++) {
		/* Before perf links (5.15) a perf event holds the program
		 * (PERF_EVENT_IOC_SET_BPF): then its fd must be closed. */
		if (!ids[i]) {
			ck_assert_msg(fcntl(fds[i], F_GETFD) < 0 &&
				      errno == EBADF, "perf event %zu left "
				      "open", i);
			continue;
		}
		ck_assert_msg(link_gone(ids[i]), "link %u still there", ids[i]);
	}
}

static void call_getppid(void);

static void run(const char *cmd)
{
	int st = system(cmd);

	ck_assert_msg(st == 0, "%s: status %d", cmd, st);
}

static void exec_true(void)
{
	run("/bin/true");
}

/* Nothing of ours in uprobe_events: uprobes through the PMU make none. */
static void no_uprobe_events(void)
{
	FILE *f = fopen("/sys/kernel/tracing/uprobe_events", "r");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		ck_assert_msg(!strstr(line, "uprobe_target"), "left: %s", line);
	fclose(f);
}

/* Load, attach with o, trigger, count, detach: the common shape. */
static void attach_count(const char *name, const struct attach_opts *o,
			 void (*trigger)(void), uint64_t at_least)
{
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd;

	ck_assert_msg(t_load(&t, name) == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	ck_assert_msg(attach_prog(p, fd, o, &l) == 0, "%s", error_msg());
	trigger();
	ck_assert_uint_ge(t_count(&t, 0), at_least);
	detach_and_check(&l);
	t_free(&t);
}

/* ---- without root: the ELF side of uprobes and USDT ---- */

static int first_note(void *ctx, const struct usdt_note *n)
{
	*(struct usdt_note *)ctx = *n;
	return 1;
}

START_TEST(elf_func_and_note_offsets)
{
	struct usdt_note n = { 0 };
	uint64_t func, pc, off;
	size_t size = 0;
	void *buf = test_read_file(TARGET, &size);
	struct elf e;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(elf_open(&e, buf, size), 0);
	ck_assert_msg(elf_func_offset(&e, "rt_probe_me", &func) == 0, "%s",
		      error_msg());
	ck_assert_uint_lt(func, size);
	ck_assert_int_eq(elf_func_offset(&e, "no_such_function", &off),
			 -ENOENT);
	ck_assert_int_eq(elf_usdt_notes(&e, "rawtrace", "tick", first_note,
					&n), 1);
	ck_assert_str_eq(n.args, "");
	ck_assert_uint_eq(n.semaphore, 0);
	ck_assert_int_eq(elf_addr_offset(&e, n.pc, &pc), 0);
	/* The probe's nop is inside rt_probe_me, near its start. */
	ck_assert_uint_ge(pc, func);
	ck_assert_uint_lt(pc, func + 64);
	ck_assert_int_eq(elf_usdt_notes(&e, "rawtrace", "nothing", first_note,
					&n), 0);
	free(buf);
}
END_TEST

/* A shared library: the function is in .dynsym, versioned. */
START_TEST(elf_func_in_shared_library)
{
	static const char *const libs[] = {
		"/lib/x86_64-linux-gnu/libc.so.6",
		"/lib/aarch64-linux-gnu/libc.so.6",
	};
	size_t size = 0, i;
	void *buf = NULL;
	uint64_t off;
	struct elf e;

	for (i = 0; i < 2 && !buf; i++)
		buf = test_read_file(libs[i], &size);
	if (!buf)
		SKIP("no glibc libc.so.6");
	ck_assert_int_eq(elf_open(&e, buf, size), 0);
	ck_assert_msg(elf_func_offset(&e, "getpid", &off) == 0, "%s",
		      error_msg());
	ck_assert_uint_gt(off, 0);
	ck_assert_uint_lt(off, size);
	free(buf);
}
END_TEST

START_TEST(usdt_args_x86_64)
{
	struct usdt_arg a[USDT_MAX_ARGS];

	ck_assert_int_eq(usdt_parse_args("-4@%edi 8@-16(%rbp) 4@$5 "
					 "2@(%rsp) 1@%r12b", EM_X86_64, a), 5);
	ck_assert_int_eq(a[0].type, USDT_ARG_REG);
	ck_assert_int_eq(a[0].reg_off, 112);
	ck_assert_int_eq(a[0].is_signed, 1);
	ck_assert_int_eq(a[0].bitshift, 32);
	ck_assert_int_eq(a[1].type, USDT_ARG_REG_DEREF);
	ck_assert_int_eq(a[1].reg_off, 32);
	ck_assert_int_eq((int64_t)a[1].val_off, -16);
	ck_assert_int_eq(a[1].bitshift, 0);
	ck_assert_int_eq(a[2].type, USDT_ARG_CONST);
	ck_assert_uint_eq(a[2].val_off, 5);
	ck_assert_int_eq(a[3].type, USDT_ARG_REG_DEREF);
	ck_assert_int_eq(a[3].reg_off, 152);
	ck_assert_int_eq(a[3].bitshift, 48);
	ck_assert_int_eq(a[4].reg_off, 24);
	ck_assert_int_eq(usdt_parse_args("", EM_X86_64, a), 0);
	ck_assert_int_eq(usdt_parse_args("4@%xyz", EM_X86_64, a), -EINVAL);
	ck_assert_str_eq(error_msg(), "usdt argument \"4@%xyz\": register xyz "
			 "unknown");
	ck_assert_int_eq(usdt_parse_args("3@%eax", EM_X86_64, a), -EINVAL);
	ck_assert_str_eq(error_msg(), "usdt argument \"3@%eax\": size 3");
}
END_TEST

START_TEST(usdt_args_arm64)
{
	struct usdt_arg a[USDT_MAX_ARGS];
	unsigned char spec[USDT_SPEC_SIZE];
	int16_t cnt;
	uint64_t cookie;

	ck_assert_int_eq(usdt_parse_args("-4@x0 8@[sp, 16] 4@5 8@[x29] -4@w1",
					 EM_AARCH64, a), 5);
	ck_assert_int_eq(a[0].type, USDT_ARG_REG);
	ck_assert_int_eq(a[0].reg_off, 0);
	ck_assert_int_eq(a[1].type, USDT_ARG_REG_DEREF);
	ck_assert_int_eq(a[1].reg_off, 248);
	ck_assert_uint_eq(a[1].val_off, 16);
	ck_assert_int_eq(a[2].type, USDT_ARG_CONST);
	ck_assert_uint_eq(a[2].val_off, 5);
	ck_assert_int_eq(a[3].reg_off, 29 * 8);
	ck_assert_int_eq(a[4].reg_off, 8);
	/* usdt.bpf.h's layout: 12 args of 16 bytes, cookie, count */
	usdt_spec_write(a, 5, 7, spec);
	ck_assert_int_eq(spec[16 + 8], USDT_ARG_REG_DEREF);
	ck_assert_int_eq(spec[16 + 12], 248);
	ck_assert_int_eq(spec[14], 1);
	ck_assert_int_eq(spec[15], 32);
	memcpy(&cookie, spec + 192, 8);
	memcpy(&cnt, spec + 200, 2);
	ck_assert_uint_eq(cookie, 7);
	ck_assert_int_eq(cnt, 5);
}
END_TEST

/* ---- one test per kind ---- */

START_TEST(uprobe_and_uretprobe_count_calls)
{
	struct attach_opts o = { .path = TARGET, .func = "rt_probe_me" };
	struct obj_prog *entry, *ret;
	struct link le, lr;
	struct t t;
	int fe, fr;

	SKIP_UNLESS_ROOT();
	if (access("/sys/bus/event_source/devices/uprobe/type", R_OK))
		SKIP("no uprobe PMU");
	ck_assert_msg(t_load(&t, "uprobe") == 0, "%s", error_msg());
	fe = t_prog_fd(&t, "on_entry", &entry);
	fr = t_prog_fd(&t, "on_return", &ret);
	ck_assert_msg(attach_prog(entry, fe, &o, &le) == 0, "%s", error_msg());
	/* The other way: the target as the section would name it. */
	ret->target = TARGET ":rt_probe_me";
	ck_assert_msg(attach_prog(ret, fr, NULL, &lr) == 0, "%s", error_msg());
	run(TARGET " 3");
	ck_assert_uint_eq(t_count(&t, 0), 3);
	ck_assert_uint_eq(t_count(&t, 1), 3);
	detach_and_check(&le);
	detach_and_check(&lr);
	run(TARGET " 2");
	ck_assert_uint_eq(t_count(&t, 0), 3);
	no_uprobe_events();
	t_free(&t);
}
END_TEST

/* A shared library named without a directory, found where the dynamic
 * loader would look; its function in .dynsym. This test program is
 * dynamic (glibc), so its own getppid() goes through the probe. */
START_TEST(uprobe_on_shared_library)
{
	struct attach_opts o = { .path = "libc.so.6", .func = "getppid",
				 .pid = getpid() };
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd;

	SKIP_UNLESS_ROOT();
	if (access("/sys/bus/event_source/devices/uprobe/type", R_OK))
		SKIP("no uprobe PMU");
	if (access("/lib/x86_64-linux-gnu/libc.so.6", R_OK) &&
	    access("/lib/aarch64-linux-gnu/libc.so.6", R_OK))
		SKIP("no glibc libc.so.6 (a static test binary)");
	ck_assert_msg(t_load(&t, "uprobe") == 0, "%s", error_msg());
	fd = t_prog_fd(&t, "on_entry", &p);
	ck_assert_msg(attach_prog(p, fd, &o, &l) == 0, "%s", error_msg());
	call_getppid();
	call_getppid();
	ck_assert_uint_eq(t_count(&t, 0), 2);
	detach_and_check(&l);
	t_free(&t);
}
END_TEST

/* A cookie rides on the perf link (5.15+), and the program reads it. */
START_TEST(uprobe_cookie_reaches_program)
{
	struct attach_opts o = { .path = TARGET, .func = "rt_probe_me",
				 .cookie = 42 };
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd, err;

	SKIP_UNLESS_ROOT();
	if (access("/sys/bus/event_source/devices/uprobe/type", R_OK))
		SKIP("no uprobe PMU");
	err = t_load(&t, "cookie");
	if (err == -EINVAL) {
		t_free(&t);
		SKIP("no bpf_get_attach_cookie before Linux 5.15");
	}
	ck_assert_msg(err == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	ck_assert_msg(attach_prog(p, fd, &o, &l) == 0, "%s", error_msg());
	run(TARGET " 1");
	ck_assert_uint_eq(t_count(&t, 0), 42);
	detach_and_check(&l);
	t_free(&t);
}
END_TEST

START_TEST(uprobe_errors_name_the_target)
{
	struct attach_opts o = { .path = TARGET, .func = "no_such_fn" };
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd;

	SKIP_UNLESS_ROOT();
	ck_assert_msg(t_load(&t, "uprobe") == 0, "%s", error_msg());
	fd = t_prog_fd(&t, "on_entry", &p);
	ck_assert_int_eq(attach_prog(p, fd, &o, &l), -ENOENT);
	ck_assert_str_eq(error_msg(), "uprobe " TARGET ": no function "
			 "no_such_fn in the symbol tables");
	ck_assert_int_eq(attach_prog(p, fd, NULL, &l), -EINVAL);
	ck_assert_str_eq(error_msg(), "program on_entry: section uprobe names "
			 "no binary: give a path");
	t_free(&t);
}
END_TEST

START_TEST(usdt_note_counts_ticks)
{
	struct attach_opts o = { .path = TARGET, .usdt_provider = "rawtrace",
				 .usdt_name = "tick" };
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd;

	SKIP_UNLESS_ROOT();
	if (access("/sys/bus/event_source/devices/uprobe/type", R_OK))
		SKIP("no uprobe PMU");
	ck_assert_msg(t_load(&t, "usdt") == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	ck_assert_msg(attach_prog(p, fd, &o, &l) == 0, "%s", error_msg());
	run(TARGET " 2");
	ck_assert_uint_eq(t_count(&t, 0), 2);
	detach_and_check(&l);
	o.usdt_name = "tock";
	ck_assert_int_eq(attach_prog(p, fd, &o, &l), -ENOENT);
	ck_assert_str_eq(error_msg(), "usdt " TARGET ":rawtrace:tock: no such "
			 "probe in the file's notes");
	no_uprobe_events();
	t_free(&t);
}
END_TEST

static int specs_map(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = USDT_SPEC_SIZE;
	a.max_entries = 256;
	return sys_bpf(BPF_MAP_CREATE, &a, sizeof a);
}

/* A probe with arguments: refused without a specs map; with one, its
 * spec is in the map at the index the program gets as its cookie. */
START_TEST(usdt_args_spec_by_cookie)
{
	struct attach_opts o = { .path = TARGET, .usdt_provider = "rawtrace",
				 .usdt_name = "args", .cookie = 99 };
	unsigned char spec[USDT_SPEC_SIZE];
	struct obj_prog *p;
	uint64_t user_cookie;
	uint32_t id;
	int16_t cnt;
	struct link l;
	struct t t;
	int fd, err;

	SKIP_UNLESS_ROOT();
	if (access("/sys/bus/event_source/devices/uprobe/type", R_OK))
		SKIP("no uprobe PMU");
	err = t_load(&t, "cookie");
	if (err == -EINVAL) {
		t_free(&t);
		SKIP("no bpf_get_attach_cookie before Linux 5.15");
	}
	ck_assert_msg(err == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	p->kind = ATTACH_USDT;
	ck_assert_int_eq(attach_prog(p, fd, &o, &l), -ENOTSUP);
	ck_assert_str_eq(error_msg(), "usdt " TARGET ":rawtrace:args: a probe "
			 "with arguments needs the object's __bpf_usdt_specs "
			 "map (not given)");
	o.usdt_specs_fd = specs_map();
	ck_assert_int_ge(o.usdt_specs_fd, 0);
	/* The first attach takes spec id 0; the second, 1: a cookie of 1
	 * cannot be the program's not having run. */
	ck_assert_msg(attach_prog(p, fd, &o, &l) == 0, "%s", error_msg());
	link_destroy(&l);
	ck_assert_msg(attach_prog(p, fd, &o, &l) == 0, "%s", error_msg());
	run(TARGET " 1");
	id = (uint32_t)t_count(&t, 0);
	ck_assert_uint_eq(id, 1);
	ck_assert_int_eq(bpf_map_lookup(o.usdt_specs_fd, &id, spec), 0);
	memcpy(&user_cookie, spec + 192, 8);
	memcpy(&cnt, spec + 200, 2);
	ck_assert_uint_eq(user_cookie, 99);
	ck_assert_int_eq(cnt, 2);
	ck_assert_int_eq(spec[14], 1);          /* -4@: signed, 32 bits */
	ck_assert_int_eq(spec[15], 32);
	ck_assert_int_eq(spec[16 + 14], 0);     /* 8@ */
	ck_assert_int_eq(spec[16 + 15], 0);
	detach_and_check(&l);
	close(o.usdt_specs_fd);
	t_free(&t);
}
END_TEST

START_TEST(tracepoint_counts_exec)
{
	SKIP_UNLESS_ROOT();
	attach_count("tracepoint", NULL, exec_true, 1);
}
END_TEST

START_TEST(raw_tp_counts_exec)
{
	SKIP_UNLESS_ROOT();
	attach_count("raw_tp", NULL, exec_true, 1);
}
END_TEST

static void spin_200ms(void)
{
	double end = monotonic_ms() + 200;
	volatile unsigned long x = 0;

	while (monotonic_ms() < end)
		x++;
}

/* The software cpu-clock at 1000 Hz on every CPU: a 200 ms spin of ours
 * is sampled. */
START_TEST(perf_event_samples_cpu_clock)
{
	struct attach_opts o = { .perf_freq = 1000 };

	SKIP_UNLESS_ROOT();
	attach_count("perf_event", &o, spin_200ms, 1);
}
END_TEST

START_TEST(iter_lists_tasks)
{
	struct obj_prog *p;
	struct link l;
	struct t t;
	char *out = NULL, mine[32];
	long n;
	int fd, err;

	SKIP_UNLESS_ROOT();
	err = t_load(&t, "iter");
	if (err == -EPERM || err == -ENOTSUPP)
		SKIP(error_msg());
	ck_assert_msg(err == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	ck_assert_msg(attach_prog(p, fd, NULL, &l) == 0, "%s", error_msg());
	n = attach_iter_read(&l, &out);
	ck_assert_msg(n > 0, "%s", error_msg());
	snprintf(mine, sizeof mine, "task %d ", (int)getpid());
	ck_assert_msg(strncmp(out, "task ", 5) == 0 && strstr(out, mine),
		      "no \"%s\" in: %.60s", mine, out);
	ck_assert_uint_ge(t_count(&t, 0), 2);
	free(out);
	detach_and_check(&l);
	t_free(&t);
}
END_TEST

/* A private network namespace with lo up: a UDP datagram to 127.0.0.1
 * goes out of lo and back in (tc egress and ingress, generic XDP). Check
 * runs each test in its own process, so the namespace is the test's. */
static int netns_lo(void)
{
	if (unshare(CLONE_NEWNET))
		return -errno;
	run("ip link set lo up");
	return 1;   /* lo's ifindex in a new namespace */
}

static void send_udp(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), i;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(s, 0);
	for (i = 0; i < 3; i++)
		sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof to);
	close(s);
}

/* iproute2's tc (busybox's knows no clsact). */
static int have_tc(void)
{
	return system("tc -V 2>&1 | grep -q iproute2") == 0;
}

static int link_create_probe(int prog_fd, int ifindex)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.link_create.prog_fd = (uint32_t)prog_fd;
	a.link_create.target_ifindex = (uint32_t)ifindex;
	a.link_create.attach_type = 46;     /* BPF_TCX_INGRESS */
	return sys_bpf(BPF_LINK_CREATE, &a, sizeof a);
}

static void no_qdisc(void)
{
	FILE *f = popen("tc qdisc show dev lo", "r");
	char line[256];

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f))
		ck_assert_msg(!strstr(line, "clsact") && !strstr(line, "ingress"),
			      "qdisc left: %s", line);
	pclose(f);
}

START_TEST(xdp_counts_packets)
{
	struct attach_opts o = { 0 };

	SKIP_UNLESS_ROOT();
	o.ifindex = netns_lo();
	if (o.ifindex < 0)
		SKIP("cannot make a network namespace");
	attach_count("xdp", &o, send_udp, 3);
	run("! ip link show dev lo | grep -q xdp");
}
END_TEST

/* Whether the kernel makes tcx links (6.6+): asked with a plain
 * BPF_LINK_CREATE, not through attach_prog, which falls back. */
static int tcx_available(int ifindex)
{
	struct obj_prog *p;
	struct t t;
	int fd;

	ck_assert_msg(t_load(&t, "tcx") == 0, "%s", error_msg());
	fd = link_create_probe(t_prog_fd(&t, NULL, &p), ifindex);
	if (fd >= 0)
		close(fd);
	t_free(&t);
	return fd >= 0;
}

/* Whether tc lists something matching what on lo. */
static int tc_shows(const char *cmd, const char *what)
{
	FILE *f = popen(cmd, "r");
	char line[256];
	int found = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f))
		found |= strstr(line, what) != NULL;
	pclose(f);
	return found;
}

/* Load, attach, count packets, detach: a tcx link checked gone, or the
 * netlink way's qdisc seen while attached and gone after. */
static void tc_kind(const char *name, const struct attach_opts *o,
		    int netlink)
{
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd;

	ck_assert_msg(t_load(&t, name) == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	ck_assert_msg(attach_prog(p, fd, o, &l) == 0, "%s", error_msg());
	send_udp();
	ck_assert_uint_ge(t_count(&t, 0), 3);
	if (netlink) {
		if (have_tc())
			ck_assert(tc_shows("tc qdisc show dev lo", "clsact"));
		link_destroy(&l);
	} else {
		detach_and_check(&l);
	}
	no_qdisc();
	t_free(&t);
}

START_TEST(tc_and_tcx_count_packets)
{
	struct attach_opts o = { 0 };
	int netlink;

	SKIP_UNLESS_ROOT();
	o.ifindex = netns_lo();
	if (o.ifindex < 0)
		SKIP("cannot make a network namespace");
	/* Before 6.6: a clsact qdisc and a cls_bpf filter. */
	netlink = !tcx_available(o.ifindex);
	/* SEC("tc"): the direction from the options. */
	o.egress = 1;
	tc_kind("tc", &o, netlink);
	o.egress = 0;
	tc_kind("tcx", &o, netlink);
}
END_TEST

/* The netlink way where tcx exists too (RAWTRACE_TC_NETLINK=1): a qdisc
 * of ours goes at detach; one that was there stays, without our filter. */
START_TEST(tc_netlink_leaves_nothing)
{
	struct attach_opts o = { .egress = 1 };
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd;

	SKIP_UNLESS_ROOT();
	if (!have_tc())
		SKIP("no tc command of iproute2");
	o.ifindex = netns_lo();
	if (o.ifindex < 0)
		SKIP("cannot make a network namespace");
	setenv("RAWTRACE_TC_NETLINK", "1", 1);
	tc_kind("tc", &o, 1);
	run("tc qdisc add dev lo clsact");
	ck_assert_msg(t_load(&t, "tc") == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	ck_assert_msg(attach_prog(p, fd, &o, &l) == 0, "%s", error_msg());
	ck_assert(tc_shows("tc filter show dev lo egress", "count"));
	link_destroy(&l);
	ck_assert(tc_shows("tc qdisc show dev lo", "clsact"));
	ck_assert(!tc_shows("tc filter show dev lo egress", "bpf"));
	unsetenv("RAWTRACE_TC_NETLINK");
	t_free(&t);
}
END_TEST

/* Two programs on one hook the netlink way: the second takes the next
 * priority (it was refused, 'File exists'), and each detach removes its
 * own filter. */
START_TEST(tc_netlink_two_on_one_hook)
{
	struct attach_opts o = { .egress = 1 };
	struct obj_prog *p;
	struct link l1, l2;
	struct t t;
	int fd;

	SKIP_UNLESS_ROOT();
	if (!have_tc())
		SKIP("no tc command of iproute2");
	o.ifindex = netns_lo();
	if (o.ifindex < 0)
		SKIP("cannot make a network namespace");
	setenv("RAWTRACE_TC_NETLINK", "1", 1);
	run("tc qdisc add dev lo clsact");
	ck_assert_msg(t_load(&t, "tc") == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	ck_assert_msg(attach_prog(p, fd, &o, &l1) == 0, "%s", error_msg());
	ck_assert_msg(attach_prog(p, fd, &o, &l2) == 0, "%s", error_msg());
	ck_assert(tc_shows("tc filter show dev lo egress", "pref 2"));
	link_destroy(&l2);
	ck_assert(!tc_shows("tc filter show dev lo egress", "pref 2"));
	ck_assert(tc_shows("tc filter show dev lo egress", "pref 1"));
	link_destroy(&l1);
	ck_assert(!tc_shows("tc filter show dev lo egress", "bpf"));
	unsetenv("RAWTRACE_TC_NETLINK");
	t_free(&t);
}
END_TEST

/* A filter left by a rawtrace killed with SIGKILL is removed by the next
 * one to put a filter there (else its own, at the same place, would
 * find the place taken). */
START_TEST(tc_netlink_leftover_removed)
{
	struct attach_opts o = { .egress = 1 };
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd, pipefd[2];
	char c;
	pid_t pid;

	SKIP_UNLESS_ROOT();
	if (!have_tc())
		SKIP("no tc command of iproute2");
	o.ifindex = netns_lo();
	if (o.ifindex < 0)
		SKIP("cannot make a network namespace");
	setenv("RAWTRACE_TC_NETLINK", "1", 1);
	ck_assert_msg(t_load(&t, "tc") == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		if (attach_prog(p, fd, &o, &l) || write(pipefd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert(tc_shows("tc filter show dev lo egress", "count"));
	ck_assert_msg(attach_prog(p, fd, &o, &l) == 0, "%s", error_msg());
	link_destroy(&l);
	ck_assert(!tc_shows("tc filter show dev lo egress", "bpf"));
	unsetenv("RAWTRACE_TC_NETLINK");
	t_free(&t);
}
END_TEST

/* sockops on the root cgroup: our loopback TCP connect runs it. */
static void tcp_connect(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(ls, 1), 0);
	ck_assert_int_eq(getsockname(ls, (struct sockaddr *)&a, &len), 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	close(c);
	close(ls);
}

START_TEST(sockops_counts_connects)
{
	const char *root = cgroup2_path();
	struct attach_opts o = { 0 };

	SKIP_UNLESS_ROOT();
	if (!root)
		SKIP("no cgroup v2 mount");
	o.target_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(o.target_fd, 0);
	attach_count("sockops", &o, tcp_connect, 1);
	close(o.target_fd);
}
END_TEST

static int sockmap_create(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_SOCKMAP;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 2;
	return sys_bpf(BPF_MAP_CREATE, &a, sizeof a);
}

static int sockmap_detach(int map_fd, int prog_fd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.target_fd = (uint32_t)map_fd;
	a.attach_bpf_fd = (uint32_t)prog_fd;
	a.attach_type = BPF_SK_MSG_VERDICT;
	return sys_bpf(BPF_PROG_DETACH, &a, sizeof a);
}

static int map_prog_count(int map_fd, uint32_t type)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.query.target_fd = (uint32_t)map_fd;
	a.query.attach_type = type;
	return sys_bpf(BPF_PROG_QUERY, &a, sizeof a) ? -1 :
	       (int)a.query.prog_cnt;
}

/* sk_msg on a sockmap: attached while the link is, and not after. */
START_TEST(sk_msg_on_sockmap)
{
	struct attach_opts o = { 0 };
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd, n;

	SKIP_UNLESS_ROOT();
	ck_assert_msg(t_load(&t, "sk_msg") == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	ck_assert_int_eq(attach_prog(p, fd, &o, &l), -EINVAL);
	ck_assert_str_eq(error_msg(), "program count: sk_msg needs a sockmap "
			 "or sockhash to attach to");
	o.target_fd = sockmap_create();
	ck_assert_int_ge(o.target_fd, 0);
	ck_assert_msg(attach_prog(p, fd, &o, &l) == 0, "%s", error_msg());
	/* Maps answer BPF_PROG_QUERY from 5.19 on; before, -1. */
	n = map_prog_count(o.target_fd, BPF_SK_MSG_VERDICT);
	ck_assert_int_ne(n, 0);
	link_destroy(&l);
	ck_assert_int_eq(map_prog_count(o.target_fd, BPF_SK_MSG_VERDICT),
			 n < 0 ? -1 : 0);
	/* Detached: a second PROG_DETACH finds nothing. */
	ck_assert_int_eq(sockmap_detach(o.target_fd, fd), -ENOENT);
	close(o.target_fd);
	t_free(&t);
}
END_TEST

/* A child attaches a uprobe and an iterator, tells their link ids, and
 * is killed with SIGKILL: the kernel drops both links with its fds. */
static void attach_and_hang(int ready)
{
	struct attach_opts o = { .path = TARGET, .func = "rt_probe_me" };
	struct obj_prog *p;
	struct link l[2];
	struct t t[2];
	uint32_t ids[2];

	if (t_load(&t[0], "uprobe") || t_load(&t[1], "iter") ||
	    attach_prog(obj_prog(&t[0].o, "on_entry"),
			t_prog_fd(&t[0], "on_entry", &p), &o, &l[0]) ||
	    attach_prog(&t[1].o.progs[0], t_prog_fd(&t[1], NULL, &p), NULL,
			&l[1]))
		_exit(1);
	ids[0] = link_id(l[0].fd);
	ids[1] = link_id(l[1].fd);
	if (write(ready, ids, sizeof ids) != sizeof ids)
		_exit(1);
	for (;;)
		pause();
}

START_TEST(links_die_with_sigkill)
{
	uint32_t ids[2];
	int pipefd[2];
	pid_t pid;

	SKIP_UNLESS_ROOT();
	if (access("/sys/bus/event_source/devices/uprobe/type", R_OK))
		SKIP("no uprobe PMU");
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		attach_and_hang(pipefd[1]);
	}
	close(pipefd[1]);
	ck_assert_int_eq(read(pipefd[0], ids, sizeof ids), sizeof ids);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* Before perf links (5.15) the uprobe is a perf event, no link:
	 * it goes with the process's fds like any file. */
	ck_assert_msg(!ids[0] || link_gone(ids[0]), "uprobe link %u left",
		      ids[0]);
	ck_assert_msg(link_gone(ids[1]), "iter link %u left", ids[1]);
	no_uprobe_events();
}
END_TEST

/* ---- kinds this kernel may lack: skipped, never passed, if so ---- */

static void bind_inet(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	close(s);
}

static void call_getppid(void)
{
	ck_assert_int_gt(getppid(), 0);
}

START_TEST(kprobe_counts_binds)
{
	SKIP_UNLESS_ROOT();
	if (!kprobes_available())
		SKIP("no kprobes in this kernel");
	attach_count("kprobe", NULL, bind_inet, 1);
}
END_TEST

START_TEST(ksyscall_counts_getppid)
{
	SKIP_UNLESS_ROOT();
	if (!kprobes_available())
		SKIP("no kprobes in this kernel");
	attach_count("ksyscall", NULL, call_getppid, 1);
}
END_TEST

START_TEST(kprobe_multi_counts_getppid)
{
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd, err;

	SKIP_UNLESS_ROOT();
	if (!kprobes_available())
		SKIP("no kprobes in this kernel");
	ck_assert_msg(t_load(&t, "kmulti") == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	err = attach_prog(p, fd, NULL, &l);
	if (err == -EOPNOTSUPP || err == -EINVAL) {
		t_free(&t);
		SKIP(error_msg());
	}
	ck_assert_msg(err == 0, "%s", error_msg());
	call_getppid();
	ck_assert_uint_ge(t_count(&t, 0), 1);
	detach_and_check(&l);
	t_free(&t);
}
END_TEST

/* fentry and lsm load through BPF trampolines, which some kernels refuse
 * (this host: EPERM at load). */
static void trampoline_kind(const char *name, void (*trigger)(void))
{
	struct obj_prog *p;
	struct link l;
	struct t t;
	int fd, err;

	err = t_load(&t, name);
	if (err == -EPERM || err == -ENOTSUPP || err == -EOPNOTSUPP ||
	    (err == -ENOENT && !t.has_k)) {
		printf("skipped: %s: %s\n", name, error_msg());
		t_free(&t);
		return;
	}
	ck_assert_msg(err == 0, "%s", error_msg());
	fd = t_prog_fd(&t, NULL, &p);
	err = attach_prog(p, fd, NULL, &l);
	if (err && (err == -ENOTSUPP || p->kind == ATTACH_LSM)) {
		/* lsm without "bpf" in lsm=: the one line says so. */
		ck_assert_msg(strstr(error_msg(), p->kind == ATTACH_LSM ?
			"lsm=...,bpf" : "no BPF trampolines"), "%s", error_msg());
		printf("skipped: %s: %s\n", name, error_msg());
		t_free(&t);
		return;
	}
	ck_assert_msg(err == 0, "%s", error_msg());
	trigger();
	ck_assert_uint_ge(t_count(&t, 0), 1);
	detach_and_check(&l);
	t_free(&t);
}

START_TEST(fentry_counts_binds)
{
	SKIP_UNLESS_ROOT();
	trampoline_kind("fentry", bind_inet);
}
END_TEST

START_TEST(lsm_counts_binds)
{
	SKIP_UNLESS_ROOT();
	trampoline_kind("lsm", bind_inet);
}
END_TEST

/* Optional targets of the new kinds: an lsm hook by its bpf_lsm_ function
 * in the kernel's BTF. */
START_TEST(target_check_lsm_hook)
{
	struct obj_prog p;
	struct kbtf k;

	if (kbtf_open(&k, NULL, NULL, 0))
		SKIP("no kernel BTF");
	memset(&p, 0, sizeof p);
	p.kind = ATTACH_LSM;
	p.target = "socket_bind";
	ck_assert_msg(attach_target_check(&p, &k.btf) == 0, "%s", error_msg());
	p.target = "no_such_hook";
	ck_assert_int_eq(attach_target_check(&p, &k.btf), -ENOENT);
	ck_assert_str_eq(error_msg(), "lsm hook no_such_hook is not in this "
			 "kernel");
	kbtf_close(&k);
}
END_TEST

/* Kinds not done: one line naming the kind. */
START_TEST(unsupported_kind_named)
{
	struct obj_prog p;
	struct link l;

	memset(&p, 0, sizeof p);
	strcpy(p.name, "prog");
	p.sec_name = "uprobe.multi/x";
	p.kind = ATTACH_UPROBE_MULTI;
	ck_assert_int_eq(attach_prog(&p, -1, NULL, &l), -ENOTSUP);
	ck_assert_str_eq(error_msg(), "program prog: section uprobe.multi/x: "
			 "attaching uprobe.multi programs is not yet supported");
	p.sec_name = "xdp";
	p.kind = ATTACH_XDP;
	ck_assert_int_eq(attach_prog(&p, -1, NULL, &l), -EINVAL);
	ck_assert_str_eq(error_msg(), "program prog: xdp needs a network "
			 "interface (ifindex)");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("attach");
	TCase *tc = tcase_create("kinds");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, elf_func_and_note_offsets);
	tcase_add_test(tc, elf_func_in_shared_library);
	tcase_add_test(tc, usdt_args_x86_64);
	tcase_add_test(tc, usdt_args_arm64);
	tcase_add_test(tc, uprobe_and_uretprobe_count_calls);
	tcase_add_test(tc, uprobe_on_shared_library);
	tcase_add_test(tc, uprobe_cookie_reaches_program);
	tcase_add_test(tc, uprobe_errors_name_the_target);
	tcase_add_test(tc, usdt_note_counts_ticks);
	tcase_add_test(tc, usdt_args_spec_by_cookie);
	tcase_add_test(tc, tracepoint_counts_exec);
	tcase_add_test(tc, raw_tp_counts_exec);
	tcase_add_test(tc, perf_event_samples_cpu_clock);
	tcase_add_test(tc, iter_lists_tasks);
	tcase_add_test(tc, xdp_counts_packets);
	tcase_add_test(tc, tc_and_tcx_count_packets);
	tcase_add_test(tc, tc_netlink_leaves_nothing);
	tcase_add_test(tc, tc_netlink_two_on_one_hook);
	tcase_add_test(tc, tc_netlink_leftover_removed);
	tcase_add_test(tc, sockops_counts_connects);
	tcase_add_test(tc, sk_msg_on_sockmap);
	tcase_add_test(tc, links_die_with_sigkill);
	tcase_add_test(tc, kprobe_counts_binds);
	tcase_add_test(tc, ksyscall_counts_getppid);
	tcase_add_test(tc, kprobe_multi_counts_getppid);
	tcase_add_test(tc, fentry_counts_binds);
	tcase_add_test(tc, lsm_counts_binds);
	tcase_add_test(tc, target_check_lsm_hook);
	tcase_add_test(tc, unsupported_kind_named);
	suite_add_tcase(s, tc);
	return test_main(s);
}
