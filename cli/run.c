/* rawtrace run OBJ.o: a user's BPF object, opened, loaded and attached
 * as a libbpf skeleton's load and attach would (every program that is
 * not SEC("?...")), each program on its own: one the kernel refuses is
 * named with the reason, and the others go on. Runs until a signal or
 * -d, showing the records of every ring (cli/run_events.c), then
 * detaches. It runs in the
 * tools' frame (tool_main: options, -h, process policy, the closing
 * line), as a tool whose run hook does the work, and reads its rings in
 * the tools' loop (session_run: the same wait, detach, grace period and
 * last read). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include "elf/error.h"
#include "include/knobs.h"
#include "loader/embedded.h"
#include "loader/sys.h"
#include "obj/names.h"
#include "render/output.h"
#include "cli/run.h"
#include "cli/run_events.h"
#include "cli/run_maps.h"
#include "cli/run_metrics.h"
#include "progs/tool.h"
#include "progs/tools.h"
#include "cli/commands.h"

#define RUN_MAX_NAMES 64
#define RUN_PAGES 16            /* perf ring pages per CPU */

struct names {
	const char *name[RUN_MAX_NAMES];
	unsigned n;
};

struct run_opts {
	struct names sets, progs, skips, types;
	uint8_t strict, keep_pins;
	const char *iface, *cgroup;
	const char *metrics;            /* --metrics [ADDR:]PORT */
	double interval;                /* -i SECONDS */
	struct run_live live;
	/* the run's state */
	void *buf;                      /* the object's bytes */
	int sock, cgroup_fd;            /* targets we opened, or -1 */
	unsigned loaded, attached, refused;
};

static int add_name(struct names *n, const char *arg)
{
	if (n->n == RUN_MAX_NAMES)
		return error_set(E2BIG, "more than %d of one option",
				 RUN_MAX_NAMES);
	n->name[n->n++] = arg;
	return 0;
}

static int opt_set(struct run *r, const char *arg)
{
	return add_name(&((struct run_opts *)r->opts)->sets, arg);
}

static int opt_prog(struct run *r, const char *arg)
{
	return add_name(&((struct run_opts *)r->opts)->progs, arg);
}

static int opt_skip(struct run *r, const char *arg)
{
	return add_name(&((struct run_opts *)r->opts)->skips, arg);
}

static int opt_interval(struct run *r, const char *arg)
{
	struct run_opts *ro = r->opts;
	char *end;

	ro->interval = strtod(arg, &end);
	if (*end || !(ro->interval >= 0.1 && ro->interval <= 86400))
		return error_set(EINVAL, "-i %s: not a number of seconds "
				 "from 0.1 to 86400", arg);
	return 0;
}

static int opt_hist(struct run *r, const char *arg)
{
	(void)r;
	return run_hist_option(arg);
}

static int opt_type(struct run *r, const char *arg)
{
	return add_name(&((struct run_opts *)r->opts)->types, arg);
}

static int has_name(const struct names *n, const char *name)
{
	unsigned i;

	for (i = 0; i < n->n; i++)
		if (strcmp(n->name[i], name) == 0)
			return 1;
	return 0;
}

/* A message of several lines (a verifier log's tail) as several lines
 * under one head. */
static void say(const char *head, const char *msg)
{
	const char *nl = strchr(msg, '\n');

	err_line("rawtrace run: %s: %.*s", head,
		 (int)(nl ? (size_t)(nl - msg) : strlen(msg)), msg);
	while (nl && nl[1]) {
		msg = nl + 1;
		nl = strchr(msg, '\n');
		err_line("    %.*s", (int)(nl ? (size_t)(nl - msg) :
					 strlen(msg)), msg);
	}
}

/* One line per program, in the form tests/sh/test_run_vs_libbpf.sh reads
 * ("PROG (SECTION): VERDICT"): "loaded, attached", "load refused: WHY",
 * "attach refused: WHY" (the kernel said no), or "loaded, not attached:
 * WHY" (it needs a target the user did not name, or none exists). */
static void prog_head(char *buf, size_t size, const struct obj_prog *p)
{
	snprintf(buf, size, "%s (%s)", p->name, p->sec_name);
}

/* --prog and --skip over the section's autoload: every name must be a
 * program of the object. */
static int choose(struct obj *o, const struct run_opts *ro)
{
	const struct names *lists[2] = { &ro->progs, &ro->skips };
	unsigned i, k;
	size_t j;

	for (k = 0; k < 2; k++)
		for (i = 0; i < lists[k]->n; i++)
			if (!obj_prog(o, lists[k]->name[i]))
				return error_set(ENOENT, "--%s %s: no such "
						 "program in %s", k ? "skip" :
						 "prog", lists[k]->name[i],
						 o->name);
	for (j = 0; j < o->nr_progs; j++) {
		struct obj_prog *p = &o->progs[j];

		if (ro->progs.n)
			p->autoload = has_name(&ro->progs, p->name);
		if (has_name(&ro->skips, p->name))
			p->autoload = 0;
	}
	return 0;
}

static void on_failed(void *ctx, struct obj_prog *p, int err)
{
	struct run_opts *ro = ctx;
	char head[160], msg[4096];

	(void)err;
	ro->refused++;
	prog_head(head, sizeof head, p);
	snprintf(msg, sizeof msg, "load refused: %s", error_msg());
	say(head, msg);
}

/* An AF_PACKET socket on --iface, for socket filters. */
static int open_iface_socket(const char *iface)
{
	struct sockaddr_ll sll;
	unsigned idx = if_nametoindex(iface);
	int fd, err;

	if (!idx)
		return error_set(ENODEV, "--iface %s: no such interface", iface);
	fd = sys_socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			htons(ETH_P_ALL));
	if (fd < 0)
		return error_set(-fd, "AF_PACKET socket: %s", errno_text(-fd));
	memset(&sll, 0, sizeof sll);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)idx;
	err = sys_bind(fd, (struct sockaddr *)&sll, sizeof sll);
	if (err) {
		close(fd);
		return error_set(-err, "--iface %s: bind: %s", iface,
				 errno_text(-err));
	}
	return fd;
}

/* Where a program of kind k attaches, from the options (the targets
 * opened once): fills o, or sets *why to the option that would give a
 * target (or why there cannot be one). */
static void target_of(struct run_opts *ro, struct session *s,
		      enum attach_kind k, struct attach_opts *o,
		      const char **why)
{
	const struct obj_map *specs = obj_map(&s->obj, "__bpf_usdt_specs");

	*why = NULL;
	memset(o, 0, sizeof *o);
	switch (k) {
	case ATTACH_SOCKET:
		if (!ro->iface)
			*why = "a socket filter: --iface IF attaches it";
		else if (ro->sock < 0 && (ro->sock = open_iface_socket(
						  ro->iface)) < 0)
			*why = error_msg();
		o->target_fd = ro->sock;
		return;
	case ATTACH_CGROUP:
		if (!ro->cgroup) {
			*why = "a cgroup program: --cgroup PATH attaches it";
		} else if (ro->cgroup_fd < 0) {
			ro->cgroup_fd = open(ro->cgroup, O_RDONLY | O_DIRECTORY |
					     O_CLOEXEC);
			if (ro->cgroup_fd < 0) {
				error_set(errno, "--cgroup %s: %s", ro->cgroup,
					  errno_text(errno));
				*why = error_msg();
			}
		}
		o->target_fd = ro->cgroup_fd;
		return;
	case ATTACH_XDP: case ATTACH_TC: case ATTACH_TCX:
		if (!ro->iface)
			*why = "runs on a network interface: --iface IF "
			       "attaches it";
		else if (!(o->ifindex = (int)if_nametoindex(ro->iface)))
			*why = "--iface: no such interface";
		return;
	case ATTACH_USDT:
		/* usdt.bpf.h's programs find their arguments' specs here */
		o->usdt_specs_fd = specs ? loaded_map_fd(&s->loaded, specs) : 0;
		if (o->usdt_specs_fd < 0)
			o->usdt_specs_fd = 0;
		return;
	case ATTACH_SOCKMAP:
		*why = "runs from the sockmap or sockhash it is put in";
		return;
	case ATTACH_NONE:
		*why = "its section names no attach point (run by "
		       "BPF_PROG_TEST_RUN, a map or a tail call)";
		return;
	default:
		return;
	}
}

/* An iterator runs when read: once, right after its attach, its output
 * goes to stdout as it is (it is the program's own text). */
static void read_iter(const struct obj_prog *p, const struct link *l)
{
	char *text = NULL;
	long n = attach_iter_read(l, &text);

	if (n < 0)
		err_line("rawtrace run: %s: reading the iterator: %s", p->name,
			 error_msg());
	else if (n > 0 && fwrite(text, 1, (size_t)n, stdout) != (size_t)n)
		err_line("rawtrace run: %s: stdout: %s", p->name,
			 errno_text(errno));
	fflush(stdout);
	free(text);
}

static void attach_one(struct run_opts *ro, struct session *s,
		       const struct obj_prog *p, int fd)
{
	struct attach_opts o;
	struct link *l;
	const char *why;
	char head[160], msg[4096];
	int err;

	target_of(ro, s, p->kind, &o, &why);
	prog_head(head, sizeof head, p);
	if (why) {
		snprintf(msg, sizeof msg, "loaded, not attached: %s", why);
		say(head, msg);
		return;
	}
	err = session_attach_prog(s, p, fd, &o, &l);
	if (err) {
		ro->refused++;
		snprintf(msg, sizeof msg, "attach refused: %s", error_msg());
		say(head, msg);
		return;
	}
	ro->attached++;
	say(head, "loaded, attached");
	if (p->kind == ATTACH_ITER)
		read_iter(p, l);
}

static void attach_all(struct run_opts *ro, struct session *s)
{
	const struct obj *o = &s->obj;
	size_t i;

	for (i = 0; i < o->nr_progs && !session_stop; i++) {
		int fd = loaded_prog_fd(&s->loaded, &o->progs[i]);

		if (fd >= 0)
			attach_one(ro, s, &o->progs[i], fd);
	}
}

/* What each ring saw, once session_run has detached and read them to
 * the end; then they are closed, theirs being the run's last word (the
 * tools' events line is for an events map). */
static void report_rings(struct session *s)
{
	size_t i;

	for (i = 0; i < s->rings.n; i++) {
		const struct ring *r = &s->rings.r[i];
		char lost[48] = "";

		/* a perf ring's LOST records; a ring buffer's writer is told
		 * when it is full, and only the program can count that */
		if (r->is_perf && ring_lost(r))
			snprintf(lost, sizeof lost, ", %llu lost",
				 (unsigned long long)ring_lost(r));
		err_line("rawtrace run: ring %s (%s): %llu records%s",
			 r->map->name, r->is_perf ? "perf event array" :
			 "ring buffer", (unsigned long long)ring_records(r),
			 lost);
	}
}

static int open_object(struct run *r, struct run_opts *ro)
{
	size_t size;
	const char *name;
	unsigned i;
	/* a tool's name is the tool's: run takes files only */
	int err = embedded_find(r->operand) ?
		  error_set(ENOENT, "%s: not a file", r->operand) :
		  read_object(r->operand, &ro->buf, &size, &name);

	if (!err)
		err = session_open_mem(&r->s, name, ro->buf, size);
	if (!err)
		err = tool_count_runs(r);
	for (i = 0; !err && i < ro->sets.n; i++)
		err = run_set(&r->s.obj, ro->sets.name[i]);
	if (!err)
		err = run_check_sizes(&r->s.obj);
	if (!err)
		err = run_hist_check(&r->s.obj);
	return err ? err : choose(&r->s.obj, ro);
}

static int run_loaded(struct run *r, struct run_opts *ro, int n);

static int run_object(struct run *r)
{
	struct run_opts *ro = r->opts;
	int n, err = open_object(r, ro);

	if (!err)
		err = run_live_start(&ro->live, &r->s, ro->metrics,
				     ro->interval, r->c.format == RENDER_JSON);
	if (err)
		return err;
	n = session_load_each(&r->s, opt_btf_path, on_failed, ro);
	err = n < 0 ? n : run_loaded(r, ro, n);
	/* ours only: a map found pinned stays for whoever pinned it */
	if (!ro->keep_pins)
		loaded_unpin(&r->s.loaded);
	return err;
}

/* From the programs loaded (n of them) to the end of the run. */
static int run_loaded(struct run *r, struct run_opts *ro, int n)
{
	struct run_events *ev;
	int err, shown;

	if (n == 0)
		return error_set(ENOENT, "%s: no program could be loaded",
				 r->s.obj.name);
	ro->loaded = (unsigned)n;
	err = session_open_rings(&r->s, RUN_PAGES);
	if (err)
		return err;
	ev = run_events_open(&r->s, ro->types.name, ro->types.n, r->c.format);
	if (!ev)
		return -EINVAL;
	attach_all(ro, &r->s);
	err_line("rawtrace run: %s: %u programs loaded, %u attached, %zu "
		 "rings read; Ctrl-C to stop", r->s.obj.name, ro->loaded,
		 ro->attached, r->s.rings.n);
	err = session_run(&r->s, r->c.duration, run_events_sample, ev);
	run_events_close(ev);
	report_rings(&r->s);
	session_close_events(&r->s);
	/* what the object keeps, also after a run cut short */
	shown = run_show_maps(&r->s.obj, r->s.loaded.map_fds,
			       r->c.format == RENDER_JSON);
	if (!shown)
		shown = out_flush();
	return err ? err : shown;
}

static void run_defaults(struct run *r)
{
	struct run_opts *ro = r->opts;

	ro->sock = ro->cgroup_fd = -1;
	run_live_init(&ro->live);
}

static int run_finish(struct run *r, int status)
{
	struct run_opts *ro = r->opts;

	if (ro->sock >= 0)
		close(ro->sock);
	if (ro->cgroup_fd >= 0)
		close(ro->cgroup_fd);
	run_live_close(&ro->live);
	free(ro->buf);
	if (!status && ro->strict && ro->refused) {
		err_line("rawtrace run: --strict: %u programs refused", ro->refused);
		return 1;
	}
	return status;
}

static const struct tool_option run_options[] = {
	{ "set", 0, "VAR=VALUE", "a const volatile global's value before "
	  "load (an integer,\na bool, an enum's name or value, a char array's "
	  "text);\nmap.NAME.max_entries=N or map.NAME.value_size=N sizes a "
	  "map;\nrepeatable",
	  OPT_CALL, IN_OPTS, 0, 0, opt_set },
	{ "prog", 0, "NAME", "load only the programs named (a '?' one too); "
	  "repeatable", OPT_CALL, IN_OPTS, 0, 0, opt_prog },
	{ "skip", 0, "NAME", "do not load this program; repeatable",
	  OPT_CALL, IN_OPTS, 0, 0, opt_skip },
	{ "event-type", 0, "[MAP=]NAME", "the struct a ring's records are "
	  "(default: the struct\nnamed like the ring, or event, or the one "
	  "of the\nrecord's size); repeatable", OPT_CALL, IN_OPTS, 0, 0,
	  opt_type },
	{ "strict", 0, NULL, "exit 1 if the kernel refused any program",
	  OPT_FLAG, IN_OPTS, offsetof(struct run_opts, strict), 0, NULL },
	{ "keep-pins", 0, NULL, "leave the maps this run pinned (LIBBPF_PIN_"
	  "BY_NAME,\nunder /sys/fs/bpf) there at exit",
	  OPT_FLAG, IN_OPTS, offsetof(struct run_opts, keep_pins), 0, NULL },
	{ "iface", 0, "IF", "attach socket filters, xdp and tc here",
	  OPT_STRING, IN_OPTS, offsetof(struct run_opts, iface), 0, NULL },
	{ "cgroup", 0, "PATH", "attach cgroup programs to this cgroup v2",
	  OPT_STRING, IN_OPTS, offsetof(struct run_opts, cgroup), 0, NULL },
	{ "interval", 'i', "S", "every S seconds while running, the maps "
	  "and globals\nas at the end (text under a line with the time; "
	  "JSON\nLines with -j)", OPT_CALL, IN_OPTS, 0, 0, opt_interval },
	{ "metrics", 0, "[ADDR:]PORT", "serve the maps and globals at "
	  "http://ADDR:PORT/metrics\nin Prometheus' text format while "
	  "running (ADDR\n127.0.0.1 unless given; PORT 0: one the kernel "
	  "picks,\nnamed on stderr): counters, log2 histograms, gauges;\n"
	  "a response past 4 MiB ends with a comment line, the\nfamilies "
	  "that did not fit left out", OPT_STRING, IN_OPTS,
	  offsetof(struct run_opts, metrics), 0, NULL },
	{ "hist", 0, "MAP[:linear[:STEP]]", "draw this map's counters as a "
	  "log2 (or linear)\nhistogram at the end; repeatable",
	  OPT_CALL, IN_OPTS, 0, 0, opt_hist },
	{ 0 },
};

static const struct tool run_tool = {
	.name = "run",
	.help = "load and attach any BPF object, and show its ring records",
	.operand = "OBJ.o",
	.about = "Opens a clang-built BPF object, loads every program that is "
		 "not SEC(\"?...\")\nand attaches it by its section name, as a "
		 "libbpf skeleton would; a\nprogram the kernel refuses is named "
		 "with the reason, and the others go on.\nRuns until Ctrl-C, "
		 "SIGTERM or -d, showing the records of every ring\nbuffer and "
		 "perf event array decoded with the object's BTF (as a\ntable, "
		 "or JSON with -j), then detaches.\n\n",
	.notes = "\nExit status: 0 when the run went as far as this kernel "
		 "allows; 1 for a bad\nobject or option, when no program "
		 "loaded, or with --strict when any was refused.\n",
	.takes = TAKES_DURATION | TAKES_JSON | TAKES_COST,
	.options = run_options,
	.opts_size = sizeof(struct run_opts),
	.knobs_size = sizeof(struct common_knobs),
	.defaults = run_defaults,
	.run = run_object,
	.finish = run_finish,
};

int run_main(int argc, char **argv)
{
	return tool_main(&run_tool, argc, argv);
}
