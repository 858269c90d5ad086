/* The backend ladder (progs/ladder.c: ladder_start), in the running kernel (root): a
 * backend whose load or attach fails is undone and the next one used,
 * leaving nothing of it attached; an optional program whose target the
 * kernel lacks is left out and its backend goes on. The failures are
 * provoked with targets no kernel has (tests/bpf/ladder.bpf.c) and a
 * cgroup program attached with no cgroup. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include "elf/error.h"
#include "loader/attach.h"
#include "obj/names.h"
#include "loader/session.h"
#include "progs/ladder.h"
#include "loader/sys.h"
#include "tests/testutil.h"

#define OBJ "build/bpf/tests/ladder.bpf.o"
#define GETPPID_TP "/sys/kernel/tracing/events/syscalls/sys_enter_getppid"

static const char *const a_progs[] = { "lad_a_tp", "lad_tp_none", NULL };
static const char *const b_progs[] = { "lad_b_tp", NULL };
static const char *const tp_none[] = { "lad_tp_none", NULL };
static const char *const c_progs[] = { "lad_a_tp", "lad_cg", NULL };
static const char *const cg[] = { "lad_cg", NULL };
static const char *const all_none[] = {
	"lad_a_tp", "lad_tp_none", "lad_raw_none", "lad_fexit_none", NULL,
};
static const char *const none_targets[] = {
	"lad_tp_none", "lad_raw_none", "lad_fexit_none", NULL,
};
static const char *const kp_progs[] = { "lad_kp_none", NULL };

static const struct backend b_backend = { "b", b_progs, NULL, "b" };

static struct session s;
static struct ladder ld;
static void *buf;
static int prepared;

static int count_prepare(struct session *ss, void *ctx)
{
	(void)ss;
	(void)ctx;
	prepared++;
	return 0;
}

static const struct start how = { NULL, NULL, 0, count_prepare, NULL };

/* Opens the test object with my_pid set to ours; 0, or skips. */
static int open_ladder(void)
{
	uint32_t pid = (uint32_t)getpid();
	size_t size = 0;

	if (geteuid() != 0)
		return -EPERM;
	if (access(GETPPID_TP, F_OK) != 0)
		return -ENOENT;
	buf = test_read_file(OBJ, &size);
	ck_assert_msg(buf, "cannot read %s", OBJ);
	ck_assert_int_eq(session_open_mem(&s, "ladder", buf, size), 0);
	ck_assert_int_eq(obj_set_var(&s.obj, "my_pid", &pid, sizeof pid), 0);
	prepared = 0;
	return 0;
}

#define OPEN_OR_SKIP() do { \
	int e_ = open_ladder(); \
	if (e_ == -EPERM) \
		SKIP("needs root"); \
	if (e_) \
		SKIP("no tracepoint syscalls/sys_enter_getppid"); \
} while (0)

static void close_ladder(void)
{
	session_close(&s);
	free(buf);
}

/* hits[i] after three getppid() calls of ours. */
static uint64_t hits_after_calls(int i)
{
	uint64_t hits[2] = { 0, 0 };
	int key = 0, n;

	for (n = 0; n < 3; n++)
		syscall(SYS_getppid);
	ck_assert_int_eq(bpf_map_lookup(loaded_map_fd(&s.loaded,
					obj_map(&s.obj, "ladder.bss")),
					&key, hits), 0);
	return hits[i];
}

/* Is a program called name loaded in the kernel (by anyone)? */
static int kernel_has_prog(const char *name)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	uint32_t id = 0;
	int fd, found = 0;

	for (;;) {
		memset(&a, 0, sizeof a);
		a.start_id = id;
		if (sys_bpf(BPF_PROG_GET_NEXT_ID, &a, sizeof a))
			break;
		id = a.next_id;
		memset(&a, 0, sizeof a);
		a.prog_id = id;
		fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a, sizeof a);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof info);
		memset(&a, 0, sizeof a);
		a.info.bpf_fd = (uint32_t)fd;
		a.info.info_len = sizeof info;
		a.info.info = (uintptr_t)&info;
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof a) == 0 &&
		    strcmp(info.name, name) == 0)
			found = 1;
		close(fd);
	}
	return found;
}

/* The kernel frees a program whose last reference went a moment later. */
static int kernel_drops_prog(const char *name)
{
	int i;

	for (i = 0; i < 50 && kernel_has_prog(name); i++)
		usleep(100 * 1000);
	return !kernel_has_prog(name);
}

/* After backend "a" or "c" failed and "b" runs: a's program, attached
 * before the failure, is detached and unloaded; b's counts. */
static void check_only_b_runs(void)
{
	ck_assert_ptr_eq(ld.backend->progs, b_progs);
	ck_assert_int_eq(s.nr_links, 1);
	ck_assert_int_lt(loaded_prog_fd(&s.loaded,
					 obj_prog(&s.obj, "lad_a_tp")), 0);
	ck_assert_uint_ge(hits_after_calls(1), 3);
	ck_assert_uint_eq(hits_after_calls(0), 0);
	ck_assert_msg(kernel_drops_prog("lad_a_tp"), "lad_a_tp still loaded");
	ck_assert_msg(kernel_has_prog("lad_b_tp"), "lad_b_tp not loaded");
}

START_TEST(missing_target_moves_on)
{
	const struct backend list[] = {
		{ "a", a_progs, NULL, "a" }, b_backend, { NULL, NULL, NULL, NULL },
	};

	OPEN_OR_SKIP();
	ck_assert_msg(ladder_start(&s, &ld, list, &how) == 0, "%s", error_msg());
	ck_assert_msg(strstr(ld.skipped, "a: tracepoint rawtrace_test/"
			     "no_such_tp: not in this kernel"), "%s", ld.skipped);
	ck_assert_str_eq(ld.left_out, "");
	ck_assert_int_eq(prepared, 2);  /* before each attach */
	check_only_b_runs();
	close_ladder();
}
END_TEST

/* An attach that fails for another reason than a missing target moves
 * on too, even for an optional program. */
START_TEST(attach_failure_moves_on)
{
	const struct backend list[] = {
		{ "c", c_progs, cg, "c" }, b_backend, { NULL, NULL, NULL, NULL },
	};

	OPEN_OR_SKIP();
	ck_assert_msg(ladder_start(&s, &ld, list, &how) == 0, "%s", error_msg());
	ck_assert_msg(strstr(ld.skipped, "c: program lad_cg: BPF_LINK_CREATE "
			     "on cgroup: Bad file descriptor"), "%s", ld.skipped);
	ck_assert_str_eq(ld.left_out, "");
	check_only_b_runs();
	close_ladder();
}
END_TEST

START_TEST(optional_targets_left_out)
{
	const struct backend list[] = {
		{ "a", all_none, none_targets, "a" }, b_backend,
		{ NULL, NULL, NULL, NULL },
	};

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		SKIP("no kernel BTF (fexit needs it)");
	OPEN_OR_SKIP();
	ck_assert_msg(ladder_start(&s, &ld, list, &how) == 0, "%s", error_msg());
	ck_assert_ptr_eq(ld.backend->progs, all_none);
	ck_assert_str_eq(ld.skipped, "");
	ck_assert_msg(strstr(ld.left_out, "lad_tp_none: tracepoint rawtrace_test/"
			     "no_such_tp is not in this kernel") &&
		      strstr(ld.left_out, "lad_raw_none: tracepoint "
			     "rawtrace_no_such_tp is not in this kernel") &&
		      strstr(ld.left_out, "lad_fexit_none: function "
			     "rawtrace_no_such_func is not in this kernel"),
		      "%s", ld.left_out);
	ck_assert_int_eq(s.nr_links, 1);
	ck_assert_uint_ge(hits_after_calls(0), 3);
	close_ladder();
}
END_TEST

/* Leaving out every program is not a backend that works. */
START_TEST(nothing_left_is_a_failure)
{
	const struct backend list[] = {
		{ "a", tp_none, tp_none, "a" }, { NULL, NULL, NULL, NULL },
	};

	OPEN_OR_SKIP();
	ck_assert_int_eq(ladder_start(&s, &ld, list, &how), -ENOENT);
	ck_assert_ptr_null(ld.backend);
	ck_assert_msg(strstr(error_msg(), "tracepoint rawtrace_test/no_such_tp: "
			     "not in this kernel"), "%s", error_msg());
	ck_assert_int_eq(s.nr_links, 0);
	close_ladder();
}
END_TEST

/* The last backend's error is the one returned; the earlier ones are in
 * ld.skipped. A backend asked for by name is the only one tried. */
START_TEST(last_error_and_named_backend)
{
	const struct backend list[] = {
		{ "a", a_progs, NULL, "a" }, { "c", cg, NULL, "c" },
		{ NULL, NULL, NULL, NULL },
	};
	const struct backend list_b[] = {
		{ "a", a_progs, NULL, "a" }, b_backend, { NULL, NULL, NULL, NULL },
	};
	struct start named = how;

	OPEN_OR_SKIP();
	ck_assert_int_eq(ladder_start(&s, &ld, list, &how), -EBADF);
	ck_assert_msg(strstr(error_msg(), "program lad_cg: BPF_LINK_CREATE"),
		      "%s", error_msg());
	ck_assert_msg(strstr(ld.skipped, "a: tracepoint rawtrace_test/"),
		      "%s", ld.skipped);
	ck_assert_int_eq(s.nr_links, 0);
	named.name = "a";
	ck_assert_int_eq(ladder_start(&s, &ld, list_b, &named), -ENOENT);
	ck_assert_str_eq(ld.skipped, "");
	named.name = "b";
	ck_assert_int_eq(ladder_start(&s, &ld, list_b, &named), 0);
	ck_assert_int_eq(prepared, 4);  /* a, c; a; b */
	check_only_b_runs();
	close_ladder();
}
END_TEST

static int failing_prepare(struct session *ss, void *ctx)
{
	(void)ss;
	(void)ctx;
	prepared++;
	return error_set(ENOTDIR, "cgroup /x: not a directory");
}

/* A map the caller cannot fill (a bad -c path) is not the backend's
 * fault: no other backend is tried. */
START_TEST(prepare_failure_stops)
{
	static const char *const a_tp[] = { "lad_a_tp", NULL };
	const struct backend list[] = {
		{ "a", a_tp, NULL, "a" }, b_backend, { NULL, NULL, NULL, NULL },
	};
	const struct start bad = { NULL, NULL, 0, failing_prepare, NULL };

	OPEN_OR_SKIP();
	ck_assert_int_eq(ladder_start(&s, &ld, list, &bad), -ENOTDIR);
	ck_assert_str_eq(error_msg(), "cgroup /x: not a directory");
	ck_assert_int_eq(prepared, 1);
	ck_assert_int_eq(s.nr_links, 0);
	ck_assert_int_lt(loaded_prog_fd(&s.loaded,
					 obj_prog(&s.obj, "lad_a_tp")), 0);
	close_ladder();
}
END_TEST

static int signalled_prepare(struct session *ss, void *ctx)
{
	(void)ss;
	(void)ctx;
	prepared++;
	session_stop = 1;   /* as the runner's SIGINT handler does */
	return 0;
}

/* A signal while a backend starts (a load that blocks, a slow attach)
 * stops start-up: the backend that failed is not followed by the next,
 * which would only start what the user wants stopped. */
START_TEST(signal_stops_the_ladder)
{
	const struct backend list[] = {
		{ "a", a_progs, NULL, "a" }, b_backend, { NULL, NULL, NULL, NULL },
	};
	const struct start sig = { NULL, NULL, 0, signalled_prepare, NULL };
	int err;

	OPEN_OR_SKIP();
	err = ladder_start(&s, &ld, list, &sig);
	session_stop = 0;
	ck_assert_int_eq(err, -EINTR);
	ck_assert_msg(strstr(error_msg(), "stopped by a signal while starting "
			     "the a backend: "), "%s", error_msg());
	ck_assert_int_eq(prepared, 1);   /* b never tried */
	ck_assert_ptr_null(ld.backend);
	ck_assert_int_eq(s.nr_links, 0);
	close_ladder();
}
END_TEST

/* Kprobes: skipped untried without them; else a missing function. */
START_TEST(kprobe_backend_skipped)
{
	const struct backend list[] = {
		{ "k", kp_progs, NULL, "k" }, b_backend, { NULL, NULL, NULL, NULL },
	};

	OPEN_OR_SKIP();
	ck_assert_msg(ladder_start(&s, &ld, list, &how) == 0, "%s", error_msg());
	if (kprobes_available())
		ck_assert_msg(strstr(ld.skipped, "k: kprobe rawtrace_no_such_func"),
			      "%s", ld.skipped);
	else
		ck_assert_str_eq(ld.skipped, "k: this kernel has no kprobes");
	ck_assert_ptr_eq(ld.backend->progs, b_progs);
	close_ladder();
}
END_TEST

/* The first function /proc/kallsyms lists, whatever this kernel is. */
static int first_kallsym(char *name, size_t size)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], sym[256], type;
	int found = 0;

	while (f && !found && fgets(line, sizeof line, f))
		found = sscanf(line, "%*s %c %255s", &type, sym) == 2 &&
			(type == 't' || type == 'T') && !strchr(line, '[');
	if (f)
		fclose(f);
	if (found)
		snprintf(name, size, "%s", sym);
	return found;
}

START_TEST(target_check_kinds)
{
	struct obj_prog p;
	char fn[256];

	memset(&p, 0, sizeof p);
	p.kind = ATTACH_KPROBE;
	if (!first_kallsym(fn, sizeof fn))
		SKIP("no /proc/kallsyms");
	p.target = fn;
	ck_assert_msg(attach_target_check(&p, NULL) == 0, "%s: %s", fn,
		      error_msg());
	p.target = "rawtrace_no_such_func";
	ck_assert_int_eq(attach_target_check(&p, NULL), -ENOENT);
	ck_assert_str_eq(error_msg(), "function rawtrace_no_such_func is not "
			 "in this kernel");
	p.kind = ATTACH_TRACEPOINT;
	ck_assert_int_eq(attach_target_check(&p, NULL), -ENOENT);
	if (access(GETPPID_TP, F_OK) == 0) {
		p.target = "syscalls/sys_enter_getppid";
		ck_assert_int_eq(attach_target_check(&p, NULL), 0);
	}
	/* Cannot tell without BTF: not missing. */
	p.kind = ATTACH_FUNC;
	p.target = "rawtrace_no_such_func";
	ck_assert_int_eq(attach_target_check(&p, NULL), 0);
	/* A socket's or cgroup's target is the caller's. */
	p.kind = ATTACH_CGROUP;
	ck_assert_int_eq(attach_target_check(&p, NULL), 0);
}
END_TEST

/* Every errno bpf(2) and perf_event_open(2) document, and the kernel's
 * ENOTSUPP, has a name and a text of ours (musl has none for 524). */
START_TEST(errnos_named)
{
	static const int errs[] = {
		E2BIG, EACCES, EAGAIN, EBADF, EBUSY, EEXIST, EFAULT, EINTR,
		EINVAL, ELOOP, EMFILE, ENFILE, ENODEV, ENOENT, ENOMEM, ENOSPC,
		ENOSYS, EOPNOTSUPP, EOVERFLOW, EPERM, ESRCH, ENOTSUPP, EXDEV,
		ENXIO, ERANGE, ENOTTY, EILSEQ, EMLINK,
	};
	char num[16];
	size_t i;

	for (i = 0; i < sizeof errs / sizeof errs[0]; i++) {
		snprintf(num, sizeof num, "%d", errs[i]);
		ck_assert_msg(strcmp(errno_name(errs[i]), num) != 0,
			      "errno %d has no name", errs[i]);
		ck_assert_msg(strncmp(errno_text(errs[i]), "error ", 6) != 0,
			      "errno %d has no text", errs[i]);
	}
	ck_assert_str_eq(errno_name(524), "ENOTSUPP");
	ck_assert_str_eq(errno_name(95), "EOPNOTSUPP");
	ck_assert_ptr_nonnull(strstr(errno_text(524), "not supported"));
	ck_assert_str_eq(errno_text(95), "Operation not supported");
	ck_assert_str_eq(errno_text(4000), "error 4000 (unknown to rawtrace)");
}
END_TEST

int main(void)
{
	Suite *su = suite_create("ladder");
	TCase *tc = tcase_create("kernel");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, missing_target_moves_on);
	tcase_add_test(tc, attach_failure_moves_on);
	tcase_add_test(tc, optional_targets_left_out);
	tcase_add_test(tc, nothing_left_is_a_failure);
	tcase_add_test(tc, last_error_and_named_backend);
	tcase_add_test(tc, prepare_failure_stops);
	tcase_add_test(tc, signal_stops_the_ladder);
	tcase_add_test(tc, kprobe_backend_skipped);
	tcase_add_test(tc, target_check_kinds);
	tcase_add_test(tc, errnos_named);
	suite_add_tcase(su, tc);
	return test_main(su);
}
