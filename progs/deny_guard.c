#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "progs/output.h"

#define PREFIX "rawtrace-deny-bind-"

/* ---- emptying a cgroup -------------------------------------------------- */

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

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
	if (write_text(sub, "1"))
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
	/* Returns 0 (EOF) when the last write end closes: we never write. */
	while (read(rfd, &c, 1) < 0 && errno == EINTR)
		;
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
