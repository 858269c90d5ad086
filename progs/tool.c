/* tool_main: the one frame every tracing tool runs in (progs/tool.h). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "elf/error.h"
#include "include/knobs.h"
#include "loader/attach.h"
#include "loader/kbtf.h"
#include "loader/sys.h"
#include "render/output.h"
#include "progs/scope.h"
#include "progs/tool.h"
#include "progs/tools.h"

const char *opt_btf_path;

/* Messages quote names from objects and the kernel: escaped. */
int tool_fail(const char *tool, const char *msg)
{
	err_line("rawtrace %s: %s", tool, msg);
	return 1;
}

/* ---- process policy ------------------------------------------------------ */

static void on_signal(int sig)
{
	(void)sig;
	session_stop = 1;
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

void process_policy(void)
{
	struct sigaction sa;

	/* No SA_RESTART: a signal must interrupt the poll so we stop at
	 * once. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_memlock();
}

/* ---- options --------------------------------------------------------------- */

/* The common options, in the order -h lists them. help NULL: built from
 * the tool (--backend). */
static const struct {
	unsigned bit;
	struct option o;
	const char *arg, *help;
} common[] = {
	{ TAKES_TIME, { "timestamp", no_argument, NULL, 't' }, NULL,
	  "print a wall-clock time column" },
	{ TAKES_PID, { "pid", required_argument, NULL, 'p' }, "PID",
	  "only this process" },
	{ TAKES_JSON, { "json", no_argument, NULL, 'j' }, NULL,
	  "one JSON object per line (as -o json)" },
	{ TAKES_JSON, { "output", required_argument, NULL, 'o' }, "FORMAT",
	  "table (default), json, or kv: key=value pairs with\n"
	  "the JSON keys" },
	{ TAKES_DURATION, { "duration", required_argument, NULL, 'd' }, "S",
	  "stop after S seconds" },
	{ TAKES_PAGES, { "buffer-pages", required_argument, NULL, 'b' }, "N",
	  "ring pages per CPU (power of two, default 64); the\n"
	  "ring buffer gets N x online CPUs pages" },
	{ TAKES_RING, { "ring", required_argument, NULL, OPT_RING }, "TYPE",
	  "ringbuf or perf (default: ringbuf where the kernel has it)" },
	{ TAKES_BACKEND, { "backend", required_argument, NULL, OPT_BACKEND },
	  "NAME", NULL },
	{ TAKES_COST, { "cost", no_argument, NULL, OPT_COST }, NULL,
	  "at exit, what tracing cost: each program's runs and\n"
	  "ns per run (the kernel's BPF statistics, on for this\n"
	  "run only: they slow every BPF program a little), the\n"
	  "reader's user CPU per event, events per second" },
	{ TAKES_CGROUP, { "cgroup", required_argument, NULL, 'c' }, "PATH",
	  "only processes in this cgroup v2 and below (its\n"
	  "directory, or its path under the cgroup2 mount as\n"
	  "events' \"cgroup\" shows it)" },
	{ TAKES_CGROUP, { "container", required_argument, NULL,
	  OPT_CONTAINER }, "NAME",
	  "only processes in this container's cgroup: its id or\n"
	  "a unique start of it (Docker, containerd, CRI-O,\n"
	  "Podman, nerdctl), its name (Docker, Podman, CRI-O,\n"
	  "nerdctl), or a systemd unit" },
	{ TAKES_NETNS, { "netns", required_argument, NULL, OPT_NETNS }, "NS",
	  "only sockets in this network namespace: its inode\n"
	  "number, /proc/PID/ns/net, or an ip netns name" },
	{ TAKES_CGROUP_COLS, { "cgroup-columns", no_argument, NULL, 'C' },
	  NULL, "CONTAINER and CGROUP columns in the table (JSON and\n"
	  "key=value always have them)" },
};
#define NCOMMON (sizeof common / sizeof common[0])

/* A tool's own long-only options get codes from 0x200 on; one that
 * refuses a common option has that option's code. */
static int code_of(const struct tool_option *o, int i)
{
	size_t k;

	if (o->letter)
		return o->letter;
	for (k = 0; k < NCOMMON; k++)
		if (strcmp(common[k].o.name, o->name) == 0)
			return common[k].o.val;
	return 0x200 + i;
}

static size_t nr_options(const struct tool *t)
{
	size_t n = 0;

	while (t->options && (t->options[n].name || t->options[n].letter))
		n++;
	return n;
}

/* One help entry: "  -x, --name ARG" padded to 20, then the text, its
 * further lines indented to 20. */
static void help_line(int letter, const char *name, const char *arg,
		      const char *text)
{
	char left[64] = "";

	if (letter)
		snprintf(left, sizeof left, "-%c%s", letter, name ? ", " : "");
	if (name)
		snprintf(left + strlen(left), sizeof left - strlen(left),
			 "--%s", name);
	if (arg)
		snprintf(left + strlen(left), sizeof left - strlen(left),
			 " %s", arg);
	/* a left part too long for its column gets a line of its own */
	if (strlen(left) > 16)
		printf("  %s\n%20s", left, "");
	else
		printf("  %-16s  ", left);
	for (; *text; text++) {
		putchar(*text);
		if (*text == '\n')
			printf("%20s", "");
	}
	putchar('\n');
}

/* "[-x]", "[-P PORTS]", "[--audit]" for the usage line, wrapped. */
static void synopsis_word(char *line, size_t size, size_t indent,
			  const char *word)
{
	size_t len = strlen(line), last = len;

	while (last > 0 && line[last - 1] != '\n')
		last--;
	if (len - last + 1 + strlen(word) > 78) {
		snprintf(line + len, size - len, "\n%*s", (int)indent, "");
		len = strlen(line);
	}
	snprintf(line + len, size - len, " %s", word);
}

static void synopsis_opt(char *line, size_t size, size_t indent, int letter,
			 const char *name, const char *arg)
{
	char w[64];

	if (letter)
		snprintf(w, sizeof w, "[-%c%s%s]", letter, arg ? " " : "",
			 arg ? arg : "");
	else
		snprintf(w, sizeof w, "[--%s%s%s]", name, arg ? " " : "",
			 arg ? arg : "");
	synopsis_word(line, size, indent, w);
}

static void usage(const struct tool *t)
{
	size_t i, n = nr_options(t), indent;
	char line[1024], backend[256];

	indent = (size_t)snprintf(line, sizeof line, "usage: rawtrace %s",
				  t->name);
	for (i = 0; i < NCOMMON; i++)
		if (t->takes & common[i].bit)
			synopsis_opt(line, sizeof line, indent,
				     common[i].o.val < 0x100 ? common[i].o.val
							     : 0,
				     common[i].o.name, common[i].arg);
	for (i = 0; i < n; i++)
		if (t->options[i].kind != OPT_REFUSE)
			synopsis_opt(line, sizeof line, indent,
				     t->options[i].letter, t->options[i].name,
				     t->options[i].arg);
	if (t->takes_command)
		synopsis_word(line, sizeof line, indent,
			      "[-- COMMAND [ARGS...]]");
	if (t->operand)
		synopsis_word(line, sizeof line, indent, t->operand);
	printf("%s\n%s", line, t->about);
	for (i = 0; i < NCOMMON; i++) {
		if (!(t->takes & common[i].bit))
			continue;
		if (!common[i].help)
			snprintf(backend, sizeof backend, "%s (default: the "
				 "first of\nthese, in this order, that loads "
				 "and attaches here)", t->backend_names);
		help_line(common[i].o.val < 0x100 ? common[i].o.val : 0,
			  common[i].o.name, common[i].arg,
			  common[i].help ? common[i].help : backend);
	}
	for (i = 0; i < n; i++)
		if (t->options[i].kind != OPT_REFUSE)
			help_line(t->options[i].letter, t->options[i].name,
				  t->options[i].arg, t->options[i].help);
	help_line(0, "explain", NULL, "print every syscall made to set up "
		  "tracing");
	help_line(0, "btf", "FILE", "kernel BTF for CO-RE, for kernels without\n"
		  "/sys/kernel/btf/vmlinux");
	if (t->notes)
		fputs(t->notes, stdout);
}

static void *target(struct run *r, const struct tool_option *o)
{
	return (char *)(o->in == IN_KNOBS ? r->knobs : r->opts) + o->offset;
}

static int apply(struct run *r, const struct tool_option *o, const char *arg)
{
	struct port_list *pl;

	r->show |= o->show;
	switch (o->kind) {
	case OPT_FLAG:
		*(uint8_t *)target(r, o) = 1;
		return 0;
	case OPT_PORTS:
		pl = target(r, o);
		return parse_ports(arg, pl->port, PORT_FILTER_MAX, &pl->n);
	case OPT_STRING:
		*(const char **)target(r, o) = arg;
		return 0;
	case OPT_CALL:
		return o->parse(r, arg);
	}
	return error_set(EINVAL, "%s", o->help);
}

static int common_bit(int c)
{
	size_t i;

	for (i = 0; i < NCOMMON; i++)
		if (common[i].o.val == c)
			return (int)common[i].bit;
	return 0;
}

/* The getopt string: ":h", then per option a letter and maybe ':' (60
 * tool options and the common ones at most), and its NUL. */
#define SHORTOPTS_MAX 192

/* The getopt string and long options of the tool, from its lists. */
static void build_getopt(const struct tool *t, char *shortopts,
			 struct option *longopts)
{
	size_t i, n = nr_options(t), k = 0;
	char *s = shortopts;

	/* Zeroed first: strchr below searches what is written so far. */
	memset(shortopts, 0, SHORTOPTS_MAX);
	*s++ = ':';     /* a missing argument returns ':', not '?' */
	*s++ = 'h';
	longopts[k++] = (struct option){ "help", no_argument, NULL, 'h' };
	/* every common option is known to getopt: one the tool does not
	 * take is refused below with a message, not as a bad option */
	for (i = 0; i < NCOMMON; i++) {
		if (common[i].o.val < 0x100) {
			*s++ = (char)common[i].o.val;
			if (common[i].o.has_arg)
				*s++ = ':';
		}
		longopts[k++] = common[i].o;
	}
	for (i = 0; i < n; i++) {
		const struct tool_option *o = &t->options[i];

		if (o->letter && !strchr(shortopts, o->letter)) {
			*s++ = (char)o->letter;
			if (o->arg)
				*s++ = ':';
		}
		if (o->name && !common_bit(code_of(o, (int)i)))
			longopts[k++] = (struct option){ o->name, o->arg ?
				required_argument : no_argument, NULL,
				code_of(o, (int)i) };
	}
	*s = 0;
	longopts[k] = (struct option){ NULL, 0, NULL, 0 };
}

static const struct tool_option *own_option(const struct tool *t, int c)
{
	size_t i, n = nr_options(t);

	for (i = 0; i < n; i++)
		if (code_of(&t->options[i], (int)i) == c)
			return &t->options[i];
	return NULL;
}

/* getopt's '?' (unknown option) or ':' (its argument missing), as one
 * line naming the option: a letter by optopt; a long option (optopt 0
 * when unknown) by its argv element, argv[optind - 1] (getopt has moved
 * past it; past the end of argv after a letter missing its argument;
 * not past it for an unknown letter inside "-xQ"); a known long option
 * given an argument it does not take ("--json=1") by its name. */
static int bad_option(int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;
	char letter[3] = { '-', (char)optopt, 0 };
	const char *name = arg && strncmp(arg, "--", 2) == 0 ? arg : letter;

	if (c == ':')
		return error_set(EINVAL, "option %s needs an argument (see -h)",
				 name);
	/* a known long option (optopt its code) given "=ARG" */
	if (name == arg && optopt && strchr(arg, '='))
		return error_set(EINVAL, "option %.*s takes no argument (see -h)",
				 (int)strcspn(arg, "="), arg);
	return error_set(EINVAL, "unknown option %s (see -h)",
			 optopt ? letter : name);
}

/* Returns 1 after -h, 0, or -errno with error_msg set. */
static int parse(struct run *r, int argc, char **argv)
{
	const struct tool *t = r->tool;
	struct option longopts[NCOMMON + 64];
	char shortopts[SHORTOPTS_MAX];
	const struct tool_option *o;
	int c, err, nopts = argc, i;

	if (nr_options(t) > 60)
		return error_set(E2BIG, "%s: too many options", t->name);
	for (i = 1; t->takes_command && i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			nopts = i;
			if (i + 1 == argc)
				return error_set(EINVAL, "no command after --");
			r->cmd = argv + i + 1;
			break;
		}
	build_getopt(t, shortopts, longopts);
	opterr = 0;     /* one line of our own, not getopt's as well */
	while ((c = getopt_long(nopts, argv, shortopts, longopts,
				NULL)) != -1) {
		if (c == 'h') {
			usage(t);
			return 1;
		}
		if (c == '?' || c == ':')
			return bad_option(c, argv);
		/* the tool's own first: it may refuse a common one */
		o = own_option(t, c);
		if (o)
			err = apply(r, o, optarg);
		else if (common_bit(c) & t->takes)
			err = parse_common(c, optarg, &r->c);
		else
			err = error_set(EINVAL, "bad option (see -h)");
		if (err)
			return err;
		if (c == 't')
			r->show |= COL_SHOW_TIME;
		if (c == 'C')
			r->show |= COL_SHOW_CGROUP;
	}
	if (t->operand && optind == nopts)
		return error_set(EINVAL, "no %s given (see -h)", t->operand);
	if (t->operand)
		r->operand = argv[optind++];
	if (optind < nopts)
		return error_set(EINVAL, "unexpected argument \"%s\"%s",
				 argv[optind], t->takes_command ?
				 " (a command goes after --)" : "");
	return 0;
}

/* ---- running ---------------------------------------------------------------- */

/* session->polled: the programs' count of lost events, read now and
 * then while running, and at the end. */
static void count_lost(struct session *s, void *ctx, int final)
{
	events_count_lost(s, &((struct run *)ctx)->lost, final);
}

int tool_count_runs(struct run *r)
{
	return r->c.cost ? session_count_runs(&r->s) : 0;
}

int tool_open(struct run *r)
{
	struct common_knobs *k = r->knobs;
	int err;

	k->target_pid = (uint32_t)r->c.pid;
	k->netns = r->c.netns_ino;
	k->filter_cgroup = r->c.cgroup != NULL;
	k->want_time = r->c.format != RENDER_TABLE || r->c.timestamp;
	k->kernel_btf = !opt_btf_path && kbtf_kernel_has_own();
	err = session_open(&r->s, r->tool->object);
	r->s.flush = flush_output;
	r->s.polled = count_lost;
	if (!err)
		err = tool_count_runs(r);
	if (!err)
		err = obj_set_var(&r->s.obj, "knobs", r->knobs,
				  r->tool->knobs_size);
	return err ? err : events_set_ring(&r->s, r->c.ring, r->c.pages);
}

void tool_header(struct run *r)
{
	if (r->c.format == RENDER_TABLE)
		render_header(r->tool->columns, r->tool->nr_columns, r->show);
}

void tool_on_event(void *ctx, int cpu, const void *data, uint32_t size)
{
	struct run *r = ctx;
	const struct tool *t = r->tool;
	uint64_t aligned[32];

	(void)cpu;
	/* The kernel pads samples, never shortens them: a short one means
	 * the two sides disagree on the event. Counted and reported, not
	 * printed half. */
	if (size < t->event_size) {
		r->short_samples++;
		return;
	}
	/* A perf sample is 4-byte aligned; computed columns read the
	 * event's struct directly. */
	if (((uintptr_t)data & 7) && t->event_size <= sizeof aligned) {
		memcpy(aligned, data, t->event_size);
		data = aligned;
	}
	render_event(r->c.format, t->columns, t->nr_columns, r->show, data);
}

int tool_events(struct run *r)
{
	return run_events(&r->s, r->c.duration, tool_on_event, r);
}

/* Between load and attach: -c's cgroup into its map, then the tool's
 * own maps. */
static int prepare(struct session *s, void *ctx)
{
	struct run *r = ctx;
	int err = scope_prepare(s, &r->c);

	return !err && r->tool->prepare ? r->tool->prepare(s, r) : err;
}

static int run_default(struct run *r)
{
	const struct tool *t = r->tool;
	int err;

	err = tool_open(r);
	if (!err)
		err = start_tool(&r->s, &r->ladder, t->name, t->choose ?
				 t->choose(r) : t->backends, &r->c, prepare,
				 r);
	if (err)
		return err;
	if (t->backend_order)
		sys_note("backends in this order: %s", t->backend_order);
	tool_header(r);
	return tool_events(r);
}

int tool_main(const struct tool *t, int argc, char **argv)
{
	struct run r;
	int err, status;

	memset(&r, 0, sizeof r);
	r.tool = t;
	common_defaults(&r.c);
	r.opts = calloc(1, t->opts_size ? t->opts_size : 1);
	r.knobs = calloc(1, t->knobs_size);
	if (!r.opts || !r.knobs)
		return tool_fail(t->name, "out of memory");
	if (t->knobs_size < sizeof(struct common_knobs) ||
	    render_room(t->columns, t->nr_columns, (uint32_t)-1) > OUT_ROOM_MAX)
		return tool_fail(t->name, "bad tool description: knobs without "
				 "struct common_knobs, or columns wider than "
				 "the output buffer");
	if (t->defaults)
		t->defaults(&r);
	err = parse(&r, argc, argv);
	if (err == 1)
		return 0;   /* -h */
	if (!err)
		err = scope_resolve(&r.c);
	if (!err && t->check)
		err = t->check(&r);
	if (err)
		return tool_fail(t->name, error_msg());
	process_policy();
	/* on before anything loads: nothing to undo if this fails */
	if (r.c.cost && cost_start(&r.cost))
		return tool_fail(t->name, error_msg());
	err = t->run ? t->run(&r) : run_default(&r);
	if (r.c.cost && !err)
		cost_collect(&r.cost, &r.s);
	status = finish_session(&r.s, &r.ladder, &r.lost, t->name, err);
	if (r.c.cost && !err)
		cost_print(&r.cost, t->name, r.c.format == RENDER_JSON);
	cost_end(&r.cost);
	if (r.short_samples) {
		err_line("rawtrace %s: %llu samples shorter than the %zu-byte "
			 "event, not printed: the BPF side sends another "
			 "struct", t->name,
			 (unsigned long long)r.short_samples, t->event_size);
		status = 1;
	}
	if (t->finish)
		status = t->finish(&r, status);
	tracefs_unmount();   /* if we mounted it: as we found it */
	free(r.opts);
	free(r.knobs);
	return status;
}
