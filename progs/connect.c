/* rawtrace connect: a line for each TCP connect over IPv4 or IPv6, like
 * libbpf-tools' tcpconnect. Two backends, one output:
 *   kprobe      kprobe + kretprobe on tcp_v4_connect and tcp_v6_connect
 *   tracepoint  syscalls:sys_enter_connect / sys_exit_connect with
 *               sock:inet_sock_set_state, for kernels without kprobes.
 * RET is tcp_v*_connect's result (0: the SYN went out). With --result the
 * line waits for the handshake's end and says ok, refused, timeout, ...
 * (sock:inet_sock_set_state in both backends). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include "elf/error.h"
#include "include/events.h"
#include "include/knobs.h"
#include "progs/scope.h"
#include "progs/tool.h"

static const char *const kprobe_progs[] = {
	"kp_connect4", "kret_connect4", "kp_connect6", "kret_connect6", NULL,
};
static const char *const kprobe_result_progs[] = {
	"kp_connect4", "kret_connect4", "kp_connect6", "kret_connect6",
	"tp_state", NULL,
};
static const char *const tracepoint_progs[] = {
	"tp_enter_connect", "tp_exit_connect", "tp_state", NULL,
};

/* A kernel without IPv6 has no tcp_v6_connect: IPv4 is traced without
 * these. */
static const char *const ipv6_progs[] = {
	"kp_connect6", "kret_connect6", NULL,
};

static const struct backend connect_backends[] = {
	{ "kprobe", kprobe_progs, ipv6_progs,
	  "kprobes on tcp_v4_connect, tcp_v6_connect" },
	{ "tracepoint", tracepoint_progs, NULL,
	  "tracepoints syscalls:sys_enter_connect, sys_exit_connect, "
	  "sock:inet_sock_set_state" },
	{ NULL, NULL, NULL, NULL },
};

/* --result: the kprobes need the state tracepoint as well. */
static const struct backend result_backends[] = {
	{ "kprobe", kprobe_result_progs, ipv6_progs,
	  "kprobes on tcp_v4_connect, tcp_v6_connect; tracepoint "
	  "sock:inet_sock_set_state" },
	{ "tracepoint", tracepoint_progs, NULL,
	  "tracepoints syscalls:sys_enter_connect, sys_exit_connect, "
	  "sock:inet_sock_set_state" },
	{ NULL, NULL, NULL, NULL },
};

struct connect_opts {
	uint8_t failed;         /* -x: the knob is its opposite */
	uint8_t print_uid;      /* -U (and SHOW_UID) */
};

#define SHOW_UID    (1u << 1)   /* -U */
#define SHOW_RESULT (1u << 2)   /* -r */

static int parse_uid(struct run *r, const char *arg)
{
	struct connect_knobs *k = r->knobs;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || v >= 0xffffffffUL)
		return error_set(EINVAL, "uid \"%s\": expected a number from "
				 "0 to 4294967294", arg);
	k->target_uid = (uint32_t)v;
	return 0;
}

static const struct tool_option options[] = {
	{ "failed", 'x', NULL, "include connects the kernel would not start "
	  "(RET != 0)", OPT_FLAG, IN_OPTS,
	  offsetof(struct connect_opts, failed), 0, NULL },
	{ "result", 'r', NULL, "wait for the handshake: RESULT ok, refused, "
	  "timeout,\nunreachable, reset, closed (closed before an answer)",
	  OPT_FLAG, IN_KNOBS, offsetof(struct connect_knobs, wait_result),
	  SHOW_RESULT, NULL },
	{ "port", 'P', "PORTS", "only these destination ports (at most 16)",
	  OPT_PORTS, IN_KNOBS, offsetof(struct connect_knobs, ports), 0,
	  NULL },
	{ "uid", 'u', "UID", "only this user", OPT_CALL, IN_KNOBS, 0, 0,
	  parse_uid },
	{ "print-uid", 'U', NULL, "print a UID column", OPT_FLAG, IN_OPTS,
	  offsetof(struct connect_opts, print_uid), SHOW_UID, NULL },
	{ 0 },
};

/* How the handshake ended, from the state after SYN_SENT and sk_err. */
static const char *result_name(const void *event, char *buf)
{
	const struct connect_event *e = event;

	(void)buf;
	if (e->result == CONNECT_RESULT_OK)
		return "ok";
	if (e->result != CONNECT_RESULT_CLOSED)
		return "-";
	switch (e->result_err) {
	case 0:            return "closed";  /* closed before an answer */
	case ECONNREFUSED: return "refused";
	case ETIMEDOUT:    return "timeout";
	case ECONNRESET:   return "reset";
	case EHOSTUNREACH:
	case ENETUNREACH:  return "unreachable";
	}
	return "error";
}

static const struct column columns[] = {
	COL_TASK_HEAD(struct connect_event),
	COL_U("UID", "uid", struct connect_event, uid, 7, SHOW_UID),
	COL_TASK(struct connect_event),
	COL_U("IP", "ip", struct connect_event, ver, 2, 0),
	/* IPv6 addresses push the line out */
	COL_IP("SADDR", "saddr", struct connect_event, saddr, ver, 15, 0),
	COL_U("SPORT", "sport", struct connect_event, sport, 5, 0),
	COL_IP("DADDR", "daddr", struct connect_event, daddr, ver, 15, 0),
	COL_U("DPORT", "dport", struct connect_event, dport, 5, 0),
	COL_S("RET", "ret", struct connect_event, ret, 3, 0),
	COL_CALC("RESULT", "result", result_name, 0, SHOW_RESULT),
	COL_U(NULL, "netns", struct connect_event, netns, 0, 0),
	COL_CGROUP(struct connect_event),
};

static void defaults(struct run *r)
{
	struct connect_knobs *k = r->knobs;

	k->target_uid = (uint32_t)-1;
}

static int check(struct run *r)
{
	const struct connect_opts *o = r->opts;
	struct connect_knobs *k = r->knobs;

	k->ignore_errors = !o->failed;
	return 0;
}

static const struct backend *choose(struct run *r)
{
	const struct connect_knobs *k = r->knobs;

	return k->wait_result ? result_backends : connect_backends;
}

const struct tool connect_tool = {
	.name = "connect",
	.help = "trace TCP connects (like tcpconnect)",
	.object = "connect",
	.about = "Trace TCP connects over IPv4 and IPv6. RET is the kernel's "
		 "tcp_v4_connect/\ntcp_v6_connect result: 0 when the SYN was "
		 "sent, so a refused connect has\nRET 0; -r shows how the "
		 "handshake ended.\n",
	.backends = connect_backends,
	.backend_names = "kprobe or tracepoint",
	.takes = TAKES_ALL,
	.options = options,
	.opts_size = sizeof(struct connect_opts),
	.knobs_size = sizeof(struct connect_knobs),
	.columns = columns,
	.nr_columns = sizeof columns / sizeof columns[0],
	.event_size = sizeof(struct connect_event),
	.defaults = defaults,
	.check = check,
	.choose = choose,
};
