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
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include "elf/error.h"
#include "include/events.h"
#include "loader/session.h"
#include "loader/sys.h"
#include "progs/deny_guard.h"
#include "progs/options.h"
#include "progs/output.h"
#include "progs/tools.h"

#define TOOL "deny-bind"
#define CGROUP2_SUPER_MAGIC 0x63677270 /* linux/magic.h */

#define OPT_AUDIT 0x200

struct deny_opts {
	struct common_opts c;
	uint16_t ports[DENY_BIND_MAX_PORTS]; /* --port */
	uint32_t nr_ports;
	const char *addr_arg;           /* --addr as given */
	uint32_t addr[4];               /* IPv6 form, v4 as ::ffff:a.b.c.d */
	int addr_v6_only;               /* --addr is IPv6, not v4-mapped */
	int only4, only6;               /* -4, -6 */
	int audit;                      /* --audit */
	const char *cgroup;             /* --cgroup */
	char **cmd;                     /* after --, NULL-terminated */
	int logging;                    /* the programs send events */
};

static const char usage_text[] =
	"usage: rawtrace deny-bind [-P PORT[,PORT...]] [-a ADDR] "
	"[-4|-6] [--audit]\n"
	"                          [-j] [-t] [-b PAGES]\n"
	"                          (--cgroup PATH [-d SECONDS] | "
	"-- COMMAND [ARGS...])\n"
	"Make bind() on IPv4/IPv6 sockets fail with EPERM in a cgroup v2, "
	"and log it.\n"
	"  -c, --cgroup PATH   deny in this cgroup v2 (and below) until "
	"Ctrl-C or -d\n"
	"  -- COMMAND ARGS     run COMMAND in a new cgroup under the "
	"policy,\n"
	"                      then exit with its status\n"
	"  -P, --port PORTS    only binds to these ports (at most 16; "
	"default: all)\n"
	"  -a, --addr ADDR     only binds to this address (an IPv4 address "
	"also\n"
	"                      matches IPv6 sockets bound to ::ffff:ADDR)\n"
	"  -4, -6              only IPv4 (post_bind4) or IPv6 (post_bind6) "
	"sockets\n"
	"  --audit             do not deny: only log the binds that would "
	"be denied\n"
	"  -t, --timestamp     print a wall-clock time column\n"
	"  -j, --json          one JSON object per line\n"
	"  -d, --duration S    with --cgroup: stop after S seconds\n"
	"  -b, --buffer-pages N  perf ring pages per CPU (power of two, "
	"default 64)\n"
	"  --explain           print every syscall made to set up the "
	"policy\n"
	"The policy follows the cgroup a socket was created in. Events need "
	"a kernel\n"
	"that lets cgroup sock programs log (checked at load); without it "
	"the policy\n"
	"still holds.\n";

/* ---- options ------------------------------------------------------------ */

static int parse_addr(const char *arg, struct deny_opts *o)
{
	struct in_addr a4;
	struct in6_addr a6;

	o->addr_arg = arg;
	if (inet_pton(AF_INET, arg, &a4) == 1) {
		o->addr[0] = 0;
		o->addr[1] = 0;
		o->addr[2] = htonl(0xffff);
		o->addr[3] = a4.s_addr;
		return 0;
	}
	if (inet_pton(AF_INET6, arg, &a6) == 1) {
		memcpy(o->addr, &a6, sizeof o->addr);
		o->addr_v6_only = !IN6_IS_ADDR_V4MAPPED(&a6);
		return 0;
	}
	return error_set(EINVAL, "address \"%s\": not an IPv4 or IPv6 address",
			 arg);
}

/* Options come before "--"; what follows it is the command, untouched. */
static int parse(int argc, char **argv, struct deny_opts *o)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "port", required_argument, NULL, 'P' },
		{ "addr", required_argument, NULL, 'a' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "audit", no_argument, NULL, OPT_AUDIT },
		{ NULL, 0, NULL, 0 },
	};
	int c, err, nopts = argc, i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			nopts = i;
			if (i + 1 == argc)
				return error_set(EINVAL, "no command after --");
			o->cmd = argv + i + 1;
			break;
		}
	while ((c = getopt_long(nopts, argv, COMMON_SHORTOPTS "P:a:c:46",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			err = parse_ports(optarg, o->ports, DENY_BIND_MAX_PORTS,
					  &o->nr_ports);
			break;
		case 'a':
			err = parse_addr(optarg, o);
			break;
		case 'c':
			o->cgroup = optarg;
			err = 0;
			break;
		case '4':
			o->only4 = 1;
			err = 0;
			break;
		case '6':
			o->only6 = 1;
			err = 0;
			break;
		case OPT_AUDIT:
			o->audit = 1;
			err = 0;
			break;
		case 'p':
			err = error_set(EINVAL, "-p does not apply: the policy "
					"is per cgroup (--cgroup or -- COMMAND)");
			break;
		case OPT_BACKEND:
			err = error_set(EINVAL, "--backend does not apply: "
					"deny-bind has one (cgroup post_bind "
					"hooks)");
			break;
		default:
			err = parse_common(c, optarg, &o->c, usage_text);
		}
		if (err)
			return err;
	}
	if (optind < nopts)
		return error_set(EINVAL, "unexpected argument \"%s\" (a command "
				 "goes after --)", argv[optind]);
	return 0;
}

static int check(const struct deny_opts *o)
{
	if (o->cgroup && o->cmd)
		return error_set(EINVAL, "give --cgroup PATH or -- COMMAND, "
				 "not both");
	if (!o->cgroup && !o->cmd)
		return error_set(EINVAL, "no cgroup: give --cgroup PATH or "
				 "-- COMMAND");
	if (o->cmd && o->c.duration > 0)
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

/* Opens a cgroup v2 directory; the fd is what BPF_LINK_CREATE takes. */
static int open_cgroup(const char *path, int *fd)
{
	struct statfs st;

	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return error_set(errno, "cgroup %s: %s", path, strerror(errno));
	if (fstatfs(*fd, &st) || st.f_type != CGROUP2_SUPER_MAGIC) {
		close(*fd);
		*fd = -1;
		return error_set(ENOTDIR, "cgroup %s: not a cgroup v2 directory",
				 path);
	}
	return 0;
}

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

/* ---- printing ----------------------------------------------------------- */

static const char *proto_name(uint8_t proto, char buf[4])
{
	if (proto == IPPROTO_TCP)
		return "TCP";
	if (proto == IPPROTO_UDP)
		return "UDP";
	snprintf(buf, 4, "%u", proto);
	return buf;
}

static void print_header(const struct deny_opts *o)
{
	if (o->c.json || !o->logging)
		return;
	if (o->c.timestamp)
		out_str("TIME     ");
	out_str("PID     COMM             ACTION PROTO ADDR"
		"                                    PORT\n");
}

static void print_json(const struct deny_bind_event *e, const char *proto,
		       const char *addr)
{
	out_json_begin(e->ts_ns);
	out_json_task(e->pid, e->tid, e->comm);
	out_json_text("action", e->denied ? "denied" : "audit");
	out_json_text("proto", proto);
	out_json_text("addr", addr);
	out_json_uint("port", e->port);
	out_json_end();
}

static void print_line(const struct deny_opts *o,
		       const struct deny_bind_event *e, const char *proto,
		       const char *addr)
{
	if (o->c.timestamp)
		out_col_time(e->ts_ns);
	out_col_task(e->pid, e->comm);
	out_col(e->denied ? "denied" : "audit", 6);
	out_col(proto, 5);
	out_col(addr, 39); /* 8 groups of 4 hex digits; longer ones push PORT */
	out_uint(e->port);
	out_char('\n');
}

static void on_event(void *ctx, int cpu, const void *data, uint32_t size)
{
	const struct deny_opts *o = ctx;
	struct deny_bind_event e;
	char addr[64], pbuf[4];
	const char *proto;

	(void)cpu;
	if (size < sizeof e)   /* the kernel pads samples; never shorter */
		return;
	memcpy(&e, data, sizeof e);
	format_addr(e.ver, e.addr, addr, sizeof addr);
	proto = proto_name(e.proto, pbuf);
	if (o->c.json)
		print_json(&e, proto, addr);
	else
		print_line(o, &e, proto, addr);
}

/* "denying binds to ports 80,443 at 127.0.0.1 (IPv4)" for the start line */
static void describe(const struct deny_opts *o, const char *const *progs,
		     char *buf, size_t len)
{
	size_t n;
	uint32_t i;

	n = (size_t)snprintf(buf, len, "%s binds",
			     o->audit ? "auditing (not denying)" : "denying");
	if (o->nr_ports && n < len)
		n += (size_t)snprintf(buf + n, len - n, " to port%s",
				      o->nr_ports > 1 ? "s" : "");
	for (i = 0; i < o->nr_ports && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%u", i ? "," : " ",
				      o->ports[i]);
	if (o->addr_arg && n < len)
		n += (size_t)snprintf(buf + n, len - n, " at %s", o->addr_arg);
	if (!progs[1] && n < len)
		snprintf(buf + n, len - n, " (IPv%c only)",
			 strcmp(progs[0], "deny_bind4") == 0 ? '4' : '6');
}

/* ---- loading ------------------------------------------------------------ */

static int set_knobs(struct session *s, const struct deny_opts *o,
		     uint8_t logging)
{
	uint8_t audit = (uint8_t)o->audit, by_addr = o->addr_arg != NULL;
	int err;

	err = obj_set_var(&s->obj, "audit", &audit, 1);
	if (!err)
		err = obj_set_var(&s->obj, "log_events", &logging, 1);
	if (!err)
		err = set_port_filter(s, o->ports, o->nr_ports);
	if (!err)
		err = obj_set_var(&s->obj, "filter_addr", &by_addr, 1);
	if (!err)
		err = obj_set_var(&s->obj, "addr_words", o->addr,
				  sizeof o->addr);
	return err;
}

static int load_once(struct session *s, const struct deny_opts *o,
		     const char *const *progs, int logging)
{
	int err = open_tool(s, "deny_bind", &o->c);

	if (!err)
		err = set_knobs(s, o, (uint8_t)logging);
	if (!err)
		err = session_load(s, progs, opt_btf_path);
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
static int load(struct session *s, struct deny_opts *o,
		const char *const *progs)
{
	char why[256];
	int err;

	o->logging = 1;
	err = load_once(s, o, progs, 1);
	if (!err)
		return session_open_events(s, "events", o->c.pages);
	snprintf(why, sizeof why, "%s", error_msg());
	session_close(s);
	err = load_once(s, o, progs, 0);
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

static int run_cgroup(struct session *s, struct deny_opts *o, int cgfd,
		      const char *const *progs)
{
	char what[200];
	int err;

	err = load(s, o, progs);
	if (!err)
		err = session_attach(s, cgfd);
	if (err)
		return err;
	describe(o, progs, what, sizeof what);
	err_line("rawtrace %s: %s in cgroup %s; Ctrl-C to stop",
		TOOL, what, o->cgroup);
	print_header(o);
	err = out_flush();
	if (err)
		return err;
	if (!o->logging) {
		wait_for_stop(o->c.duration);
		return 0;
	}
	return session_run(s, o->c.duration, on_event, o);
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
	signal(SIGPIPE, SIG_DFL);       /* ignored by session_open */
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

static int run_command(struct session *s, struct deny_opts *o, int cgfd,
		       const char *cgpath, const char *const *progs)
{
	sigset_t all, old;
	char what[200];
	pid_t pid;
	int err;

	err = load(s, o, progs);
	s->flush = flush_and_reap;
	if (!err)
		err = session_attach(s, cgfd);
	if (err)
		return err;
	describe(o, progs, what, sizeof what);
	err_line("rawtrace %s: %s in cgroup %s for: %s", TOOL, what,
		cgpath, o->cmd[0]);
	print_header(o);
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
		exec_in_cgroup(cgfd, cgpath, o->cmd);
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
		err = session_run(s, 0, on_event, o);
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

/* Whatever the command left in its cgroup is killed, and the cgroup
 * removed, before our links go (the guardian holds its own until then).
 * A failure is said here; an earlier error's message is kept for
 * finish_session to print. */
static void end_cgroup(const char *path)
{
	char earlier[512];

	snprintf(earlier, sizeof earlier, "%s", error_msg());
	if (guard_finish(&guard, path))
		fprintf(stderr, "rawtrace %s: %s\n", TOOL, error_msg());
	error_set(0, "%s", earlier);
}

int deny_bind_main(int argc, char **argv)
{
	const char *progs[3];
	char cgpath[512];
	struct deny_opts o;
	struct session s;
	int err, ret, cgfd = -1, made = 0;

	memset(&o, 0, sizeof o);
	memset(&s, 0, sizeof s);
	common_defaults(&o.c);
	err = parse(argc, argv, &o);
	if (err == 1)
		return 0;   /* -h */
	if (!err)
		err = check(&o);
	if (err)
		return tool_fail(TOOL, error_msg());
	choose_progs(&o, progs);

	if (o.cgroup) {
		snprintf(cgpath, sizeof cgpath, "%s", o.cgroup);
	} else {
		err = make_cgroup(cgpath, sizeof cgpath);
		if (err)
			return tool_fail(TOOL, error_msg());
		made = 1;
	}
	err = open_cgroup(cgpath, &cgfd);
	if (!err)
		err = o.cmd ? run_command(&s, &o, cgfd, cgpath, progs)
			    : run_cgroup(&s, &o, cgfd, progs);
	if (made)
		end_cgroup(cgpath);
	ret = finish_session(&s, TOOL, err);   /* detaches: policy gone */
	if (cgfd >= 0)
		close(cgfd);
	if (o.cmd && child_status >= 0 && !ret)
		return command_status();
	return ret;
}
