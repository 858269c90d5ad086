#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "elf/error.h"
#include "loader/attach.h"
#include "loader/sys.h"
#include "progs/deny_guard.h"
#include "render/output.h"

#define PREFIX "rawtrace-deny-bind-"

/* ---- emptying a cgroup -------------------------------------------------- */

/* SIGKILL to each pid in path/cgroup.procs; returns how many it read.
 * A pid outside our pid namespace reads as 0, which kill() would take for
 * our own process group: skipped. */
static int kill_listed(const char *path, int sig)
{
	char file[PATH_MAX], line[32];
	FILE *f;
	int n = 0;
	long pid;

	snprintf(file, sizeof file, "%s/cgroup.procs", path);
	f = fopen(file, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		pid = strtol(line, NULL, 10);
		if (pid > 0 && sig)
			kill((pid_t)pid, sig);
		n++;
	}
	fclose(f);
	return n;
}

/* One pass over the tree at path: kill, then remove bottom-up. cgroup.kill
 * (5.14+) kills the whole subtree at once, forks in flight included;
 * before it, the pids listed now are killed and later passes catch what
 * they forked meanwhile. 0 once path is gone, -EBUSY while something
 * still lives there. */
static int kill_tree(const char *path)
{
	char sub[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(sub, sizeof sub, "%s/cgroup.kill", path);
	if (control_write(sub, "1"))
		kill_listed(path, SIGKILL);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)))
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") &&
		    strcmp(e->d_name, "..")) {
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			kill_tree(sub);
		}
	closedir(d);
	return rmdir(path) == 0 || errno == ENOENT ? 0 : -errno;
}

/* A killed process leaves the cgroup only once it has exited: passes are
 * repeated, 10 ms apart, for up to 3 s. */
int cgroup_kill_remove(const char *path)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int n, i, err = 0;

	n = kill_listed(path, 0);
	for (i = 0; i < 300; i++) {
		err = kill_tree(path);
		if (err != -EBUSY)
			break;
		nanosleep(&ts, NULL);
	}
	if (err)
		return error_set(-err, "cgroup %s not removed: %s", path,
				 strerror(-err));
	return n;
}

/* ---- who left the cgroup ------------------------------------------------ */

/* A root command can move a process of its cgroup into another one
 * (writing its pid to that cgroup's cgroup.procs): from then on its binds
 * are not denied, and it is not killed at the end. That is the nature of
 * a cgroup policy, which we cannot prevent; the guardian says so, once per
 * process. Every WATCH_MS it lists the cgroup's processes, and takes for
 * gone from it both a process listed before and no longer, and a child of
 * a listed one that is not listed (a child starts in its parent's cgroup):
 * so a process that moves at once after its fork is seen too, if its
 * parent stays. Each is checked in /proc/PID/cgroup before it is named,
 * and named only when two looks in a row find it outside: a child in the
 * middle of its fork is in its parent's children already, but until the
 * fork ends /proc/PID/cgroup puts it in the root cgroup (cgroup_fork,
 * then cgroup_post_fork), and a forking workload would be named by the
 * hundred. A pid is known with its start time: a pid reused is not taken
 * for one that left. */
#define WATCH_MS 20
#define WATCH_MAX 4096

struct member {
	int pid;
	unsigned long long start;       /* /proc/PID/stat field 22 */
};

static struct member known[WATCH_MAX], now[WATCH_MAX], told[WATCH_MAX];
static struct member out_now[WATCH_MAX], out_before[WATCH_MAX];
static int nr_known, nr_now, nr_told, nr_out_now, nr_out_before;

/* The start time of a live process (not a zombie), or 0. */
static unsigned long long started(int pid)
{
	char file[64], buf[512], state;
	unsigned long long t = 0;
	const char *p;
	FILE *f;
	int i;

	snprintf(file, sizeof file, "/proc/%d/stat", pid);
	f = fopen(file, "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof buf, f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* after the comm: the state (field 3), then 20 spaces on, field 22 */
	if (!p || sscanf(p + 2, "%c", &state) != 1 || state == 'Z')
		return 0;
	for (i = 0; p && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

/* Every pid in path/cgroup.procs and in the cgroups below path. */
static void list_members(const char *path, int depth)
{
	char file[PATH_MAX], line[32];
	struct dirent *e;
	FILE *f;
	DIR *d;
	long pid;

	snprintf(file, sizeof file, "%s/cgroup.procs", path);
	f = fopen(file, "re");
	while (f && fgets(line, sizeof line, f) && nr_now < WATCH_MAX) {
		pid = strtol(line, NULL, 10);
		if (pid > 0)
			now[nr_now++].pid = (int)pid;
	}
	if (f)
		fclose(f);
	d = depth < 16 ? opendir(path) : NULL;
	while (d && (e = readdir(d)))
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") &&
		    strcmp(e->d_name, "..")) {
			snprintf(file, sizeof file, "%s/%s", path, e->d_name);
			list_members(file, depth + 1);
		}
	if (d)
		closedir(d);
}

static const struct member *find(const struct member *m, int n, int pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (m[i].pid == pid)
			return &m[i];
	return NULL;
}

/* Whether /proc/PID/cgroup puts pid outside the cgroup at path (named
 * rawtrace-deny-bind-N, unique) and the cgroups below it. */
static int outside(int pid, const char *path)
{
	const char *name = strrchr(path, '/');
	char file[64], line[PATH_MAX];
	int in = 0, n;
	FILE *f;

	snprintf(file, sizeof file, "/proc/%d/cgroup", pid);
	if (!name)
		return 0;
	f = fopen(file, "re");
	if (!f)
		return 0;       /* gone meanwhile */
	n = (int)strlen(name);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "0::", 3) == 0) {
			const char *p = strstr(line, name);

			in = p && (p[n] == '/' || p[n] == '\n');
		}
	fclose(f);
	return !in;
}

/* Once per process: its pid and comm, on stderr. */
static void say_left(int pid, unsigned long long start, const char *path)
{
	const struct member *t = find(told, nr_told, pid);
	char file[64], comm[64] = "?";
	FILE *f;

	if (t && t->start == start)
		return;
	/* a pid reused: its entry takes the new start time (a second entry
	 * would never be found, and the process named every WATCH_MS) */
	if (t)
		told[t - told].start = start;
	else if (nr_told < WATCH_MAX)
		told[nr_told++] = (struct member){ pid, start };
	snprintf(file, sizeof file, "/proc/%d/comm", pid);
	f = fopen(file, "re");
	if (f) {
		if (fgets(comm, sizeof comm, f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	err_line("rawtrace deny-bind: pid %d (%s) left cgroup %s: its binds "
		 "are not denied any more, and it is not killed at the end",
		 pid, comm, path);
}

/* A process that may have left: alive, the same one, and outside, in this
 * look and the one before. */
static void check_left(int pid, unsigned long long start, const char *path)
{
	const struct member *b = find(out_before, nr_out_before, pid);

	if (!start || started(pid) != start || !outside(pid, path))
		return;
	if (b && b->start == start)
		say_left(pid, start, path);
	else if (!find(out_now, nr_out_now, pid) && nr_out_now < WATCH_MAX)
		out_now[nr_out_now++] = (struct member){ pid, start };
}

/* The children of pid (every thread's) that are not listed. The file is
 * read to its end, one pid at a time: a line cut at a buffer's end would
 * miss the last children, and take a cut pid's first digits for another
 * process, and name it. */
static void check_children(int pid, const char *path)
{
	char file[96];
	struct dirent *e;
	long child;
	DIR *d;
	FILE *f;

	snprintf(file, sizeof file, "/proc/%d/task", pid);
	d = opendir(file);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof file, "/proc/%d/task/%.16s/children",
			 pid, e->d_name);
		f = fopen(file, "re");
		if (!f)
			continue;
		while (fscanf(f, "%ld", &child) == 1 && child > 0)
			if (!find(now, nr_now, (int)child))
				check_left((int)child, started((int)child), path);
		fclose(f);
	}
	if (d)
		closedir(d);
}

/* One look at the cgroup's processes, and at who left since the last. */
static void watch_members(const char *path)
{
	const struct member *k;
	int i;

	nr_now = 0;
	nr_out_now = 0;
	list_members(path, 0);
	/* found outside last time: a second look, wherever it is listed */
	for (i = 0; i < nr_out_before; i++)
		if (!find(now, nr_now, out_before[i].pid))
			check_left(out_before[i].pid, out_before[i].start, path);
	for (i = 0; i < nr_known; i++)
		if (!find(now, nr_now, known[i].pid))
			check_left(known[i].pid, known[i].start, path);
	for (i = 0; i < nr_now; i++) {
		k = find(known, nr_known, now[i].pid);
		now[i].start = k ? k->start : started(now[i].pid);
		check_children(now[i].pid, path);
	}
	memcpy(known, now, (size_t)nr_now * sizeof *now);
	nr_known = nr_now;
	memcpy(out_before, out_now, (size_t)nr_out_now * sizeof *out_now);
	nr_out_before = nr_out_now;
}

/* ---- the guardian ------------------------------------------------------- */

static void say_killed(int n, const char *path)
{
	if (n > 0)
		err_line("rawtrace deny-bind: killed %d process%s left in "
			 "cgroup %s", n, n > 1 ? "es" : "", path);
}

/* In the guardian: wait for rawtrace's end, then empty and remove the
 * cgroup. The links it inherited close when it exits, after the last
 * process of the cgroup: nothing there ever runs without the policy. */
static void guard_run(int rfd, const char *path)
{
	static const int ignored[] = {
		SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU,
		SIGPIPE,
	};
	struct pollfd pfd;
	sigset_t none;
	size_t i;
	char c;
	int n, fd;

	/* Its own session: nothing aimed at rawtrace's terminal or process
	 * group (Ctrl-C, Ctrl-\, a hangup, kill -- -PGID) reaches it, and
	 * what is sent to it alone is ignored. Only SIGKILL ends it early:
	 * then rawtrace, if alive, does the work itself (guard_finish), and
	 * if not, the next deny-bind (cgroup_cleanup_stale). */
	setsid();
	for (i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		signal(ignored[i], SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* rawtrace's stdin and stdout are not its to hold: whoever reads
	 * rawtrace's output must see it end when rawtrace exits. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		close(fd);
	}
	/* Readable (EOF) when the last write end closes: we never write.
	 * Until then, look at who is in the cgroup. */
	pfd.fd = rfd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, WATCH_MS) <= 0)
		watch_members(path);
	while (read(rfd, &c, 1) < 0 && errno == EINTR)
		;
	/* the last look, and the second look it may need */
	watch_members(path);
	if (nr_out_before) {
		poll(NULL, 0, WATCH_MS);
		watch_members(path);
	}
	n = cgroup_kill_remove(path);
	if (n < 0) {
		err_line("rawtrace deny-bind: %s", error_msg());
		_exit(1);
	}
	say_killed(n, path);
	_exit(0);
}

int guard_start(struct guard *g, const char *path)
{
	sigset_t all, old;
	int fds[2], err = 0;
	pid_t pid;

	g->pid = 0;
	g->pipe_w = -1;
	/* O_CLOEXEC: the command must not inherit the write end, or the
	 * guardian would wait for the command instead of for us. */
	if (pipe2(fds, O_CLOEXEC))
		return error_set(errno, "pipe: %s", strerror(errno));
	/* Signals stay blocked in the guardian until it ignores them: a
	 * Ctrl-C right after the fork must not kill it. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		guard_run(fds[0], path);
	}
	if (pid < 0)
		err = error_set(errno, "fork: %s", strerror(errno));
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fds[0]);
	if (err) {
		close(fds[1]);
		return err;
	}
	sys_note("guardian %d holds the policy too, and removes cgroup %s "
		 "when we are gone", (int)pid, path);
	g->pid = pid;
	g->pipe_w = fds[1];
	return 0;
}

int guard_finish(struct guard *g, const char *path)
{
	int st = 0, n;

	if (g->pid > 0) {
		close(g->pipe_w);
		while (waitpid(g->pid, &st, 0) < 0 && errno == EINTR)
			;
		g->pid = 0;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			return 0;
	}
	/* No guardian, or it failed or was killed: our links still hold
	 * the policy while we empty the cgroup. */
	n = cgroup_kill_remove(path);
	say_killed(n, path);
	return n < 0 ? n : 0;
}

/* ---- what a killed rawtrace and its guardian left ------------------------ */

/* Programs still attached mean some process still holds the links: a
 * guardian at work, or a rawtrace in another pid namespace whose pid we
 * cannot see. A cgroup we cannot ask about counts as held. */
static int holds_policy(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int n4, n6;

	if (fd < 0)
		return 1;
	n4 = cgroup_prog_count(fd, BPF_CGROUP_INET4_POST_BIND);
	n6 = cgroup_prog_count(fd, BPF_CGROUP_INET6_POST_BIND);
	close(fd);
	return n4 != 0 || n6 != 0;
}

void cgroup_cleanup_stale(const char *root)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(root);
	int pid, end, n;

	if (!d)
		return;
	while ((e = readdir(d))) {
		end = 0;
		if (sscanf(e->d_name, PREFIX "%d%n", &pid, &end) != 1 ||
		    e->d_name[end] || pid <= 0)
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof path, "%s/%s", root, e->d_name);
		if (holds_policy(path))
			continue;
		n = cgroup_kill_remove(path);
		if (n < 0)
			err_line("rawtrace deny-bind: %s", error_msg());
		else if (n > 0)
			err_line("rawtrace deny-bind: cgroup %s, left by a "
				 "rawtrace that died (pid %d), held %d process%s "
				 "without the policy: killed them", path, pid, n,
				 n > 1 ? "es" : "");
		else
			sys_note("removed cgroup %s, left by a rawtrace that "
				 "died (pid %d)", path, pid);
	}
	closedir(d);
}
