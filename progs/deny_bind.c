/* rawtrace deny-bind: make bind() fail with EPERM for the processes of a
 * cgroup v2, optionally only for some ports or one address, and log each
 * refused bind. The kernel selftest test_sock.c's "bind4 reject all" as a
 * tool. Two ways to run:
 *
 *   deny-bind [filters] --cgroup PATH   the policy holds on PATH (and the
 *                                       cgroups below it) until a signal
 *                                       or -d, then is removed
 *   deny-bind [filters] -- CMD [ARGS]   CMD runs in a new cgroup under the
 *                                       policy; when it exits the policy
 *                                       and the cgroup are removed and
 *                                       its exit status is ours
 *
 * One backend: cgroup/post_bind4 and cgroup/post_bind6 programs attached
 * with cgroup links (BPF_LINK_CREATE), which run beside policies others
 * attached to the cgroup (the kernel denies if any program says no) and
 * end with the last fd that holds them: a rawtrace killed with SIGKILL
 * leaves no policy behind. With -- CMD a guardian process holds them too,
 * and when rawtrace is gone kills what runs in the cgroup and removes it,
 * so the command never runs without the policy (progs/deny_guard.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include "elf/error.h"
#include "include/events.h"
#include "include/knobs.h"
#include "loader/session.h"
#include "loader/sys.h"
#include "progs/deny_guard.h"
#include "progs/options.h"
#include "render/output.h"
#include "progs/scope.h"
#include "progs/tool.h"
#include "progs/tools.h"

#define TOOL "deny-bind"

struct deny_opts {
	const char *addr_arg;           /* --addr as given */
	uint8_t addr_v6_only;           /* --addr is IPv6, not v4-mapped */
	uint8_t only4, only6;           /* -4, -6 */
	const char *cgroup;             /* --cgroup, or --container's */
	const char *container;          /* --container */
	int logging;                    /* the programs send events */
	int cgfd;                       /* the cgroup's directory, -1 before */
	int made;                       /* the cgroup is ours (-- COMMAND) */
	int ended;                      /* and was emptied and removed */
	char cgpath[512];
};

/* ---- options ------------------------------------------------------------ */

static int parse_addr(struct run *r, const char *arg)
{
	struct deny_opts *o = r->opts;
	struct deny_bind_knobs *k = r->knobs;
	struct in_addr a4;
	struct in6_addr a6;

	o->addr_arg = arg;
	k->filter_addr = 1;
	if (inet_pton(AF_INET, arg, &a4) == 1) {
		k->addr_words[0] = 0;
		k->addr_words[1] = 0;
		k->addr_words[2] = htonl(0xffff);
		k->addr_words[3] = a4.s_addr;
		return 0;
	}
	if (inet_pton(AF_INET6, arg, &a6) == 1) {
		memcpy(k->addr_words, &a6, sizeof k->addr_words);
		o->addr_v6_only = !IN6_IS_ADDR_V4MAPPED(&a6);
		return 0;
	}
	return error_set(EINVAL, "address \"%s\": not an IPv4 or IPv6 address",
			 arg);
}

static const struct tool_option options[] = {
	{ "cgroup", 'c', "PATH", "deny in this cgroup v2 (and below) until "
	  "Ctrl-C or -d", OPT_STRING, IN_OPTS,
	  offsetof(struct deny_opts, cgroup), 0, NULL },
	{ "container", 0, "NAME", "deny in this container's cgroup (as "
	  "--cgroup): its id\nor a unique start of it, its name (Docker, "
	  "Podman, CRI-O,\nnerdctl), or a systemd unit", OPT_STRING, IN_OPTS,
	  offsetof(struct deny_opts, container), 0, NULL },
	{ "port", 'P', "PORTS", "only binds to these ports (at most 16; "
	  "default: all)", OPT_PORTS, IN_KNOBS,
	  offsetof(struct deny_bind_knobs, ports), 0, NULL },
	{ "addr", 'a', "ADDR", "only binds to this address (an IPv4 address "
	  "also\nmatches IPv6 sockets bound to ::ffff:ADDR)", OPT_CALL,
	  IN_KNOBS, 0, 0, parse_addr },
	{ NULL, '4', NULL, "only IPv4 (post_bind4) sockets", OPT_FLAG,
	  IN_OPTS, offsetof(struct deny_opts, only4), 0, NULL },
	{ NULL, '6', NULL, "only IPv6 (post_bind6) sockets", OPT_FLAG,
	  IN_OPTS, offsetof(struct deny_opts, only6), 0, NULL },
	{ "audit", 0, NULL, "do not deny: only log the binds that would be "
	  "denied", OPT_FLAG, IN_KNOBS, offsetof(struct deny_bind_knobs, audit),
	  0, NULL },
	{ "pid", 'p', "PID", "-p does not apply: the policy is per cgroup "
	  "(--cgroup or -- COMMAND)", OPT_REFUSE, 0, 0, 0, NULL },
	{ "backend", 0, "NAME", "--backend does not apply: deny-bind has one "
	  "(cgroup post_bind hooks)", OPT_REFUSE, 0, 0, 0, NULL },
	{ 0 },
};

static void defaults(struct run *r)
{
	struct deny_opts *o = r->opts;

	o->cgfd = -1;
}

static int check(struct run *r)
{
	static char path[PATH_MAX];
	struct deny_opts *o = r->opts;
	int err;

	if (o->cgroup && o->container)
		return error_set(EINVAL, "give --cgroup or --container, not "
				 "both");
	if (o->container) {
		err = container_cgroup(o->container, path, sizeof path);
		if (err)
			return err;
		o->cgroup = path;
	}
	if (o->cgroup && r->cmd)
		return error_set(EINVAL, "give --cgroup PATH or -- COMMAND, "
				 "not both");
	if (!o->cgroup && !r->cmd)
		return error_set(EINVAL, "no cgroup: give --cgroup PATH or "
				 "-- COMMAND");
	if (r->cmd && r->c.duration > 0)
		return error_set(EINVAL, "-d works only with --cgroup: with "
				 "-- COMMAND the policy lasts as long as it");
	if (o->addr_v6_only && o->only4 && !o->only6)
		return error_set(EINVAL, "--addr %s is IPv6, but -4 limits the "
				 "policy to IPv4", o->addr_arg);
	return 0;
}

/* The programs to load: post_bind4 unless -6 alone or an IPv6 --addr
 * (an IPv4 socket cannot be bound to it); post_bind6 unless -4 alone. */
static void choose_progs(const struct deny_opts *o, const char *progs[3])
{
	int both = o->only4 == o->only6, n = 0;

	if ((both || o->only4) && !o->addr_v6_only)
		progs[n++] = "deny_bind4";
	if (both || o->only6)
		progs[n++] = "deny_bind6";
	progs[n] = NULL;
}

/* ---- cgroups ------------------------------------------------------------ */

/* Makes the command's cgroup, a child of the cgroup2 root, named after
 * our pid so that a later run can tell whether its owner is gone; removes
 * such cgroups left by rawtraces that died. */
static int make_cgroup(char *path, size_t len)
{
	const char *root = cgroup2_path();

	if (!root)
		return error_set(ENOENT, "no cgroup v2 mount in /proc/mounts");
	cgroup_cleanup_stale(root);
	snprintf(path, len, "%s/rawtrace-deny-bind-%d", root, (int)getpid());
	if (mkdir(path, 0755))
		return error_set(errno, "cgroup %s: %s", path, strerror(errno));
	return 0;
}

/* ---- columns ----------------------------------------------------------- */

static const char *proto_name(const void *event, char *buf)
{
	const struct deny_bind_event *e = event;

	if (e->proto == IPPROTO_TCP)
		return "TCP";
	if (e->proto == IPPROTO_UDP)
		return "UDP";
	*put_uint(buf, e->proto) = 0;
	return buf;
}

static const char *action(const void *event, char *buf)
{
	const struct deny_bind_event *e = event;

	(void)buf;
	return e->denied ? "denied" : "audit";
}

static const struct column columns[] = {
	COL_TASK_HEAD(struct deny_bind_event),
	COL_TASK(struct deny_bind_event),
	COL_CALC("ACTION", "action", action, 6, 0),
	COL_CALC("PROTO", "proto", proto_name, 5, 0),
	/* 8 groups of 4 hex digits; longer ones push PORT */
	COL_IP("ADDR", "addr", struct deny_bind_event, addr, ver, 39, 0),
	COL_U("PORT", "port", struct deny_bind_event, port, 5, 0),
	COL_CGROUP(struct deny_bind_event),
};

/* "denying binds to ports 80,443 at 127.0.0.1 (IPv4)" for the start line */
static void describe(const struct run *r, const char *const *progs,
		     char *buf, size_t len)
{
	const struct deny_opts *o = r->opts;
	const struct deny_bind_knobs *k = r->knobs;
	size_t n;
	uint32_t i;

	n = (size_t)snprintf(buf, len, "%s binds",
			     k->audit ? "auditing (not denying)" : "denying");
	if (k->ports.n && n < len)
		n += (size_t)snprintf(buf + n, len - n, " to port%s",
				      k->ports.n > 1 ? "s" : "");
	for (i = 0; i < k->ports.n && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%u", i ? "," : " ",
				      k->ports.port[i]);
	if (o->addr_arg && n < len)
		n += (size_t)snprintf(buf + n, len - n, " at %s", o->addr_arg);
	if (!progs[1] && n < len)
		snprintf(buf + n, len - n, " (IPv%c only)",
			 strcmp(progs[0], "deny_bind4") == 0 ? '4' : '6');
}

/* ---- loading ------------------------------------------------------------ */

static int load_once(struct run *r, const char *const *progs, int logging)
{
	struct deny_bind_knobs *k = r->knobs;
	int err;

	k->log_events = (uint8_t)logging;
	err = tool_open(r);
	if (!err)
		err = session_load(&r->s, progs, opt_btf_path);
	return err;
}

/* The last line of a message: where a verifier log says what it refused. */
static const char *last_line(const char *msg)
{
	const char *p = msg + strlen(msg);

	while (p > msg && p[-1] == '\n')
		p--;
	while (p > msg && p[-1] != '\n')
		p--;
	return p;
}

/* Loads with logging; if this kernel refuses that (the helpers are not
 * offered to CGROUP_SOCK programs), loads again without, and says so. */
static int load(struct run *r, const char *const *progs)
{
	struct deny_opts *o = r->opts;
	char why[256];
	int err;

	o->logging = 1;
	err = load_once(r, progs, 1);
	if (!err)
		return session_open_events(&r->s, "events", r->c.pages);
	snprintf(why, sizeof why, "%s", error_msg());
	session_close(&r->s);
	err = load_once(r, progs, 0);
	if (err)
		return err;
	o->logging = 0;
	err_line("rawtrace %s: this kernel does not let cgroup sock "
		"programs log (%s): denied binds are not shown", TOOL,
		last_line(why));
	return 0;
}

/* ---- running: --cgroup PATH --------------------------------------------- */

/* Without events there is nothing to read: wait for a signal or -d. */
static void wait_for_stop(double seconds)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!session_stop) {
		poll(NULL, 0, 100);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (seconds > 0 && (double)(now.tv_sec - start.tv_sec) +
		    (double)(now.tv_nsec - start.tv_nsec) / 1e9 >= seconds)
			break;
	}
}

static int run_cgroup(struct run *r, const char *const *progs)
{
	struct deny_opts *o = r->opts;
	char what[200];
	int err;

	err = load(r, progs);
	if (!err)
		err = session_attach(&r->s, o->cgfd);
	if (err)
		return err;
	describe(r, progs, what, sizeof what);
	err_line("rawtrace %s: %s in cgroup %s; Ctrl-C to stop",
		TOOL, what, o->cgroup);
	if (o->logging)
		tool_header(r);
	err = out_flush();
	if (err)
		return err;
	if (!o->logging) {
		wait_for_stop(r->c.duration);
		return 0;
	}
	return session_run(&r->s, r->c.duration, tool_on_event, r);
}

/* ---- running: -- COMMAND ------------------------------------------------ */

static volatile pid_t child;    /* the command, 0 before the fork */
static struct guard guard;      /* its cgroup's guardian */
static int child_status = -1;   /* its wait status, once reaped */

/* SIGINT/SIGTERM/SIGHUP while the command runs. One a process sent to us
 * (kill) is passed on; one from the terminal (si_code SI_KERNEL) reached
 * the command's process group already, so passing it on would deliver it
 * twice. Either way we keep waiting: the command decides when to end. */
static void pass_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (child > 0 && (si->si_code == SI_USER || si->si_code == SI_QUEUE))
		kill(child, sig);
}

static void handle_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = pass_signal;
	sa.sa_flags = SA_SIGINFO;       /* no SA_RESTART: wake the loop */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Reaps the command; block: wait for it. 1 once it is reaped. */
static int reap(int block)
{
	int st;
	pid_t r;

	while (child_status < 0) {
		r = waitpid(child, &st, block ? 0 : WNOHANG);
		if (r == child)
			child_status = st;
		else if (r == 0 || (r < 0 && errno != EINTR))
			break;
	}
	return child_status >= 0;
}

/* session->flush: after each batch of events, see whether the command is
 * done; when it is, stop the loop (which still drains what is left). */
static int flush_and_reap(void *ctx)
{
	int err = out_flush();

	(void)ctx;
	if (reap(0))
		session_stop = 1;
	return err;
}

/* In the child: join the cgroup, then become the command. Errors are
 * reported here, where they happen; 126/127 like a shell. */
static void exec_in_cgroup(int cgfd, const char *cgpath, char **cmd)
{
	char pid[16];
	int fd, n;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);       /* ignored by process_policy */
	n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	fd = openat(cgfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, pid, (size_t)n) != n) {
		err_line("rawtrace %s: cannot join cgroup %s: %s",
			TOOL, cgpath, strerror(errno));
		_exit(126);
	}
	close(fd);
	execvp(cmd[0], cmd);
	err_line("rawtrace %s: %s: %s", TOOL, cmd[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Whatever the command left in its cgroup is killed, and the cgroup
 * removed, before our links go (the guardian holds its own until then).
 * Once: at the end of the run, or after an error. A failure is said
 * here; an earlier error's message is kept for finish_session to print. */
static void end_cgroup(struct deny_opts *o)
{
	char earlier[512];

	if (!o->made || o->ended)
		return;
	o->ended = 1;
	snprintf(earlier, sizeof earlier, "%s", error_msg());
	if (guard_finish(&guard, o->cgpath))
		fprintf(stderr, "rawtrace %s: %s\n", TOOL, error_msg());
	error_set(0, "%s", earlier);
}

/* session->stopping: the command is done. What it left is killed and the
 * guardian lets its links go before ours are detached, so the last runs
 * of the programs are in the rings session_end reads. */
static void end_command(void *ctx)
{
	struct run *r = ctx;

	end_cgroup(r->opts);
}

static int run_command(struct run *r, const char *const *progs)
{
	struct deny_opts *o = r->opts;
	const char *cgpath = o->cgpath;
	int cgfd = o->cgfd;
	sigset_t all, old;
	char what[200];
	pid_t pid;
	int err;

	err = load(r, progs);
	r->s.flush = flush_and_reap;
	r->s.stopping = end_command;
	if (!err)
		err = session_attach(&r->s, cgfd);
	if (err)
		return err;
	describe(r, progs, what, sizeof what);
	err_line("rawtrace %s: %s in cgroup %s for: %s", TOOL, what,
		cgpath, r->cmd[0]);
	if (o->logging)
		tool_header(r);
	err = out_flush();      /* before fork: the child must not inherit it */
	if (!err)       /* before the command, which must never run alone */
		err = guard_start(&guard, cgpath);
	if (err)
		return err;

	/* Signals wait until `child` is set, so none is lost in between. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		exec_in_cgroup(cgfd, cgpath, r->cmd);
	}
	if (pid < 0) {
		err = error_set(errno, "fork: %s", strerror(errno));
	} else {
		child = pid;
		handle_signals();
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (err)
		return err;

	if (o->logging)
		err = session_run(&r->s, 0, tool_on_event, r);
	reap(1);        /* also after an error: the policy stays till the end */
	return err;
}

/* The exit status of the command, as a shell reports it. */
static int command_status(void)
{
	if (WIFEXITED(child_status))
		return WEXITSTATUS(child_status);
	if (WIFSIGNALED(child_status))
		return 128 + WTERMSIG(child_status);
	return 1;
}

/* ---- main --------------------------------------------------------------- */

static int run(struct run *r)
{
	struct deny_opts *o = r->opts;
	const char *progs[3];
	int err;

	choose_progs(o, progs);
	if (o->cgroup) {
		snprintf(o->cgpath, sizeof o->cgpath, "%s", o->cgroup);
	} else {
		err = make_cgroup(o->cgpath, sizeof o->cgpath);
		if (err)
			return err;
		o->made = 1;
	}
	err = open_cgroup_v2(o->cgpath, &o->cgfd);
	if (!err)
		err = r->cmd ? run_command(r, progs) : run_cgroup(r, progs);
	end_cgroup(o);
	return err;
}

/* After the session is closed (the policy gone): the command's status. */
static int finish(struct run *r, int status)
{
	struct deny_opts *o = r->opts;

	if (o->cgfd >= 0)
		close(o->cgfd);
	if (r->cmd && child_status >= 0 && !status)
		return command_status();
	return status;
}

const struct tool deny_bind_tool = {
	.name = "deny-bind",
	.help = "make bind() fail with EPERM in a cgroup, and log it",
	.object = "deny_bind",
	.about = "Make bind() on IPv4/IPv6 sockets fail with EPERM in a cgroup "
		 "v2, and log it:\nin --cgroup PATH until Ctrl-C or -d, or "
		 "for -- COMMAND ARGS, which runs in a\nnew cgroup under the "
		 "policy; then exit with its status.\n",
	.notes = "The policy follows the cgroup a socket was created in. "
		 "Events need a kernel\nthat lets cgroup sock programs log "
		 "(checked at load); without it the policy\nstill holds.\n",
	.takes = TAKES_ALL & ~(TAKES_PID | TAKES_BACKEND | TAKES_CGROUP |
			       TAKES_NETNS),
	.doctor = "cgroup/post_bind4, post_bind6",
	.needs_cgroup2 = 1,
	.options = options,
	.opts_size = sizeof(struct deny_opts),
	.knobs_size = sizeof(struct deny_bind_knobs),
	.columns = columns,
	.nr_columns = sizeof columns / sizeof columns[0],
	.event_size = sizeof(struct deny_bind_event),
	.takes_command = 1,
	.defaults = defaults,
	.check = check,
	.run = run,
	.finish = finish,
};
