/* Loading into the running kernel (root): the bind object with the
 * tracepoint backend, --explain's decoded syscalls, and the two ways a
 * load fails: the verifier's log, and a CO-RE field the kernel lacks. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "elf/error.h"
#include "loader/attach.h"
#include "loader/session.h"
#include "loader/sys.h"
#include "render/output.h"
#include "tests/testutil.h"

static const char *const tp_progs[] = { "tp_enter_bind", "tp_exit_bind", NULL };

/* Runs fn with stderr going to a file; returns what was written. */
static char *capture_stderr(void (*fn)(void))
{
	static char out[1 << 16];
	char path[] = "/tmp/rawtrace-test-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, sizeof out - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(path);
	return out;
}

static int load_result;

static void load_bind(void)
{
	struct session s;

	load_result = session_open(&s, "bind");
	if (!load_result)
		load_result = session_load(&s, tp_progs, NULL);
	if (!load_result)
		load_result = loaded_prog_fd(&s.loaded, obj_prog(&s.obj,
				      "tp_exit_bind")) >= 0 ? 0 : -1;
	session_close(&s);
}

START_TEST(bind_loads_with_explain)
{
	char *log;

	SKIP_UNLESS_ROOT();
	sys_explain_on(err_text);
	log = capture_stderr(load_bind);
	sys_explain = 0;
	ck_assert_msg(load_result == 0, "%s", error_msg());
	ck_assert_ptr_nonnull(strstr(log, "bpf(BPF_MAP_CREATE, {map_type="
				     "PERF_EVENT_ARRAY, key_size=4, value_size=4"));
	ck_assert_ptr_nonnull(strstr(log, "map_name=\"bind.rodata\"}"));
	ck_assert_ptr_nonnull(strstr(log, "bpf(BPF_MAP_FREEZE, {map_fd="));
	ck_assert_ptr_nonnull(strstr(log, "bpf(BPF_PROG_LOAD, {prog_type="
				     "TRACEPOINT"));
	ck_assert_ptr_nonnull(strstr(log, "prog_name=\"tp_exit_bind\""));
	/* the object's BTF, for the verifier's source lines */
	ck_assert_ptr_nonnull(strstr(log, "bpf(BPF_BTF_LOAD, {btf_size="));
	ck_assert_ptr_nonnull(strstr(log, "prog_btf_fd="));
	/* the kprobe programs were not asked for */
	ck_assert_ptr_null(strstr(log, "kp_bind4"));
}
END_TEST

static int load_object(const char *path, const char *prog, int need_btf)
{
	struct kbtf k;
	struct obj o;
	struct loaded l = { 0 };
	size_t size, i;
	void *buf = test_read_file(path, &size);
	int err;

	ck_assert_msg(buf, "cannot read %s", path);
	err = obj_open(&o, "test", buf, size);
	ck_assert_msg(err == 0, "%s", error_msg());
	for (i = 0; i < o.nr_progs; i++)
		o.progs[i].autoload = strcmp(o.progs[i].name, prog) == 0;
	ck_assert_int_eq(need_btf ? kbtf_open_for(&k, NULL, &o) : 0, 0);
	err = obj_load(&l, &o, need_btf ? &k.btf : NULL);
	loaded_free(&l);
	obj_close(&o);
	if (need_btf)
		kbtf_close(&k);
	free(buf);
	return err;
}

START_TEST(verifier_rejection_shows_log)
{
	SKIP_UNLESS_ROOT();
	ck_assert_int_lt(load_object("build/bpf/tests/bad_verifier.bpf.o",
				     "reads_past_ctx", 0), 0);
	ck_assert_ptr_nonnull(strstr(error_msg(), "program reads_past_ctx: "
				     "BPF_PROG_LOAD: the verifier rejected"));
	ck_assert_ptr_nonnull(strstr(error_msg(), "verifier log (tail):"));
	ck_assert_ptr_nonnull(strstr(error_msg(), "invalid bpf_context access"));
}
END_TEST

START_TEST(missing_field_names_record)
{
	SKIP_UNLESS_ROOT();
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		SKIP("no kernel BTF");
	ck_assert_int_lt(load_object("build/bpf/tests/core.bpf.o",
				     "core_types", 1), 0);
	ck_assert_msg(strstr(error_msg(), "core_types insn ") &&
		      strstr(error_msg(), "in kernel BTF (CO-RE record "
			     "reached by the verifier)"), "%s", error_msg());
}
END_TEST

START_TEST(unknown_map_type_refused)
{
	size_t size;
	struct obj o;
	void *buf = test_read_file("build/bpf/tests/bad_map.bpf.o", &size);

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(obj_open(&o, "bad_map", buf, size), -EINVAL);
	ck_assert_str_eq(error_msg(),
			 "bad_map: map strange: unknown map type 99");
	free(buf);
}
END_TEST

/* tp_btf: load with attach_btf_id, attach with BPF_RAW_TRACEPOINT_OPEN,
 * see it count an exec. */
START_TEST(tp_btf_counts_execs)
{
	struct kbtf k;
	struct obj o;
	struct loaded ld = { 0 };
	struct link l;
	size_t size = 0;
	uint64_t execs = 0;
	int key = 0, status;
	void *buf = test_read_file("build/bpf/tests/tp_btf.bpf.o", &size);
	pid_t pid;

	SKIP_UNLESS_ROOT();
	/* No names given: btf_find falls back to a pass of its own. */
	if (kbtf_open(&k, NULL, NULL, 0))
		SKIP("no kernel BTF");
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(obj_open(&o, "tp_btf", buf, size), 0);
	ck_assert_msg(obj_load(&ld, &o, &k.btf) == 0, "%s", error_msg());
	ck_assert_uint_ne(ld.images[0].attach_btf_id, 0);
	ck_assert_msg(attach_prog(&o.progs[0], loaded_prog_fd(&ld, &o.progs[0]),
				  NULL, &l) == 0, "%s", error_msg());
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	ck_assert_int_eq(bpf_map_lookup(loaded_map_fd(&ld, obj_map(&o,
					"tp_btf.bss")), &key, &execs), 0);
	ck_assert_uint_ge(execs, 1);
	link_destroy(&l);
	loaded_free(&ld);
	obj_close(&o);
	kbtf_close(&k);
	free(buf);
}
END_TEST

/* fexit: the section gives type, attach type and target; the loader
 * looks the function up in the kernel's BTF before loading (the id is
 * set even where the load then fails). A kernel that refuses BPF
 * trampolines to root (this project's CI host) says so in one line. */
START_TEST(fexit_prog_targets_kernel_function)
{
	static const char *const fexit_progs[] = { "fexit_bind4", NULL };
	const struct btf_type *t;
	struct session s;
	struct obj_prog *p;
	uint32_t id;
	int err;

	SKIP_UNLESS_ROOT();
	ck_assert_int_eq(session_open(&s, "bind"), 0);
	p = obj_prog(&s.obj, "fexit_bind4");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->type, BPF_PROG_TYPE_TRACING);
	ck_assert_int_eq(p->expected_attach_type, BPF_TRACE_FEXIT);
	ck_assert_int_eq(p->kind, ATTACH_FUNC);
	ck_assert_str_eq(p->target, "inet_bind");
	err = session_load(&s, fexit_progs, NULL);
	if (err == -ENOENT && !s.has_kbtf)
		SKIP("no kernel BTF");
	ck_assert_msg(err == 0 || (err == -EPERM &&
		      strstr(error_msg(), "refuses BPF trampolines")),
		      "err %d: %s", err, error_msg());
	id = s.loaded.images[p - s.obj.progs].attach_btf_id;
	ck_assert_uint_ne(id, 0);
	t = btf_type(&s.kbtf.btf, id);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(BTF_INFO_KIND(t->info), BTF_KIND_FUNC);
	ck_assert_str_eq(btf_str(&s.kbtf.btf, t->name_off), "inet_bind");
	ck_assert_int_eq(loaded_prog_fd(&s.loaded, p) >= 0, err == 0);
	session_close(&s);
}
END_TEST

/* A cgroup policy is a BPF link: attached while its process lives, gone
 * when the process is killed with SIGKILL (BPF_PROG_ATTACH would leave it
 * on the cgroup for good). */
static void attach_and_wait(int cgfd, int ready)
{
	static const char *const progs[] = { "deny_bind4", NULL };
	struct session s;

	if (session_open(&s, "deny_bind") || session_load(&s, progs, NULL) ||
	    session_attach(&s, cgfd)) {
		fprintf(stderr, "child: %s\n", error_msg());
		_exit(1);
	}
	if (write(ready, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

START_TEST(cgroup_policy_dies_with_process)
{
	const char *root = cgroup2_path();
	char path[512], c;
	int cgfd, pipefd[2], i, n = -1;
	pid_t pid;

	SKIP_UNLESS_ROOT();
	if (!root)
		SKIP("no cgroup v2 mount");
	snprintf(path, sizeof path, "%s/rawtrace-test-link-%d", root,
		 (int)getpid());
	ck_assert_msg(mkdir(path, 0755) == 0, "%s: %s", path, strerror(errno));
	cgfd = open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(cgfd, 0);
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		attach_and_wait(cgfd, pipefd[1]);
	}
	close(pipefd[1]);
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	ck_assert_int_eq(cgroup_prog_count(cgfd, BPF_CGROUP_INET4_POST_BIND), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (i = 0; i < 100; i++) {
		n = cgroup_prog_count(cgfd, BPF_CGROUP_INET4_POST_BIND);
		if (n == 0)
			break;
		usleep(10000);
	}
	close(cgfd);
	rmdir(path);
	ck_assert_int_eq(n, 0);
}
END_TEST

/* How many map references of image img carry fd. */
static int refs_to(const struct obj_prog_image *img, int fd)
{
	size_t i;
	int n = 0;

	for (i = 0; i + 1 < img->insn_cnt; i++)
		n += img->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		     img->insns[i].src_reg == BPF_PSEUDO_MAP_FD &&
		     img->insns[i].imm == fd;
	return n;
}

/* One spec, two loads: each relocates into an image of its own, against
 * its own maps, and keeps it while the other loads. */
START_TEST(same_spec_loads_twice)
{
	struct session s;
	struct loaded other = { 0 };
	const struct obj_prog *p;
	const struct obj_map *m;
	size_t i;
	int fa, fb;

	SKIP_UNLESS_ROOT();
	ck_assert_int_eq(session_open(&s, "bind"), 0);
	ck_assert_msg(session_load(&s, tp_progs, NULL) == 0, "%s", error_msg());
	ck_assert_msg(obj_load(&other, &s.obj, s.has_kbtf ? &s.kbtf.btf :
			       NULL) == 0, "%s", error_msg());
	p = obj_prog(&s.obj, "tp_exit_bind");
	m = obj_map(&s.obj, "pending");
	i = (size_t)(p - s.obj.progs);
	fa = loaded_map_fd(&s.loaded, m);
	fb = loaded_map_fd(&other, m);
	ck_assert_int_ge(fa, 0);
	ck_assert_int_ge(fb, 0);
	ck_assert_int_ne(fa, fb);
	ck_assert_int_ge(loaded_prog_fd(&s.loaded, p), 0);
	ck_assert_int_ge(loaded_prog_fd(&other, p), 0);
	ck_assert_int_gt(refs_to(&s.loaded.images[i], fa), 0);
	ck_assert_int_eq(refs_to(&s.loaded.images[i], fb), 0);
	ck_assert_int_gt(refs_to(&other.images[i], fb), 0);
	ck_assert_int_eq(refs_to(&other.images[i], fa), 0);
	loaded_free(&other);
	session_close(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("load");
	TCase *tc = tcase_create("kernel");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, bind_loads_with_explain);
	tcase_add_test(tc, verifier_rejection_shows_log);
	tcase_add_test(tc, missing_field_names_record);
	tcase_add_test(tc, unknown_map_type_refused);
	tcase_add_test(tc, tp_btf_counts_execs);
	tcase_add_test(tc, fexit_prog_targets_kernel_function);
	tcase_add_test(tc, same_spec_loads_twice);
	tcase_add_test(tc, cgroup_policy_dies_with_process);
	suite_add_tcase(s, tc);
	return test_main(s);
}
