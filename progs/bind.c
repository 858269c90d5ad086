/* rawtrace bind: a line for each bind() on an IPv4 or IPv6 socket, like
 * libbpf-tools' bindsnoop. Three backends, one output, tried in this order:
 *   fexit       fexit on inet_bind and inet6_bind (BPF trampolines): the
 *               cheapest, one program per call and no map in between
 *   kprobe      kprobe + kretprobe on inet_bind and inet6_bind
 *   tracepoint  syscalls:sys_enter_bind / sys_exit_bind, the socket reached
 *               through the fd, for kernels without kprobes. */
#include <stddef.h>
#include <netinet/in.h>
#include "include/events.h"
#include "include/knobs.h"
#include "progs/scope.h"
#include "progs/tool.h"

static const char *const fexit_progs[] = {
	"fexit_bind4", "fexit_bind6", NULL,
};
static const char *const kprobe_progs[] = {
	"kp_bind4", "kret_bind4", "kp_bind6", "kret_bind6", NULL,
};
static const char *const tracepoint_progs[] = {
	"tp_enter_bind", "tp_exit_bind", NULL,
};

/* A kernel without IPv6 (or with it in a module not loaded) has no
 * inet6_bind: the backend traces IPv4 binds without these. */
static const char *const ipv6_progs[] = {
	"fexit_bind6", "kp_bind6", "kret_bind6", NULL,
};

static const struct backend bind_backends[] = {
	{ "fexit", fexit_progs, ipv6_progs, "fexit on inet_bind, inet6_bind" },
	{ "kprobe", kprobe_progs, ipv6_progs,
	  "kprobes on inet_bind, inet6_bind" },
	{ "tracepoint", tracepoint_progs, NULL,
	  "tracepoints syscalls:sys_enter_bind, sys_exit_bind" },
	{ NULL, NULL, NULL, NULL },
};

struct bind_opts {
	uint8_t failed;                 /* -x: the knob is its opposite */
};

static const struct tool_option options[] = {
	{ "failed", 'x', NULL, "include failed binds (they show the address "
	  "asked for)", OPT_FLAG, IN_OPTS, offsetof(struct bind_opts, failed),
	  0, NULL },
	{ "port", 'P', "PORTS", "only these local ports (at most 16)",
	  OPT_PORTS, IN_KNOBS, offsetof(struct bind_knobs, ports), 0, NULL },
	{ 0 },
};

static const char *proto_name(const void *event, char *buf)
{
	const struct bind_event *e = event;

	(void)buf;
	return e->proto == IPPROTO_TCP ? "TCP" : e->proto == IPPROTO_UDP ?
	       "UDP" : "UNK";
}

static const char *opts_string(const void *event, char *out)
{
	const struct bind_event *e = event;
	int i;

	for (i = 0; i < 5; i++)
		out[i] = e->opts & (1u << i) ? BIND_OPT_LETTERS[i] : '.';
	out[5] = 0;
	return out;
}

static const struct column columns[] = {
	COL_TASK_HEAD(struct bind_event),
	COL_TASK(struct bind_event),
	COL_S("RET", "ret", struct bind_event, ret, 3, 0),
	COL_CALC("PROTO", "proto", proto_name, 5, 0),
	COL_CALC("OPTS", "opts", opts_string, 5, 0),
	COL_U("IF", "if", struct bind_event, bound_dev_if, 4, 0),
	COL_U("PORT", "port", struct bind_event, port, 5, 0),
	COL_IP("ADDR", "addr", struct bind_event, addr, ver, 15, 0),
	COL_U(NULL, "netns", struct bind_event, netns, 0, 0),
	COL_CGROUP(struct bind_event),
};

static int check(struct run *r)
{
	const struct bind_opts *o = r->opts;
	struct bind_knobs *k = r->knobs;

	k->ignore_errors = !o->failed;
	return 0;
}

const struct tool bind_tool = {
	.name = "bind",
	.help = "trace bind() calls (like bindsnoop)",
	.object = "bind",
	.about = "Trace bind() on IPv4 and IPv6 sockets.\n",
	.backends = bind_backends,
	.backend_names = "fexit, kprobe or tracepoint",
	/* the figures are make bench's in Debian's 6.1 kernel under TCG
	 * (README, Benchmarks); fexit's slow start is mostly the kernel
	 * waiting while it patches inet_bind. The cost per bind decides: a
	 * trace runs for long. */
	.backend_order = "fexit first for the least cost per bind (make "
		"bench's 6.1 VM: 0.92 of the untraced rate; tracepoint 0.82, "
		"kprobe 0.72), though it starts slower there (212 ms to the "
		"first event; kprobe 106, tracepoint 68); kprobe where "
		"trampolines are missing; tracepoint last, as it sees only "
		"bind(2) from 64-bit tasks (not io_uring's binds, nor 32-bit "
		"tasks')",
	.takes = TAKES_ALL,
	.options = options,
	.opts_size = sizeof(struct bind_opts),
	.knobs_size = sizeof(struct bind_knobs),
	.columns = columns,
	.nr_columns = sizeof columns / sizeof columns[0],
	.event_size = sizeof(struct bind_event),
	.check = check,
};
