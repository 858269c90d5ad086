/* rawtrace connect: a line for each TCP connect over IPv4 or IPv6, like
 * libbpf-tools' tcpconnect. Two backends, one output:
 *   kprobe      kprobe + kretprobe on tcp_v4_connect and tcp_v6_connect
 *   tracepoint  syscalls:sys_enter_connect / sys_exit_connect with
 *               sock:inet_sock_set_state, for kernels without kprobes.
 * RET is tcp_v*_connect's result (0: the SYN went out). With --result the
 * line waits for the handshake's end and says ok, refused, timeout, ...
 * (sock:inet_sock_set_state in both backends). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "include/events.h"
#include "loader/session.h"
#include "progs/options.h"
#include "progs/output.h"
#include "progs/tools.h"

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

const struct backend connect_backends[] = {
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
	struct common_opts c;
	int failed;                        /* -x */
	int result;                        /* -r */
	int show_uid;                      /* -U */
	uint32_t uid;                      /* -u, (uint32_t)-1 for all */
	uint16_t ports[CONNECT_MAX_PORTS]; /* -P */
	uint32_t nr_ports;
};

static const char usage_text[] =
	"usage: rawtrace connect [-t] [-x] [-r] [-U] [-u UID] [-p PID] "
	"[-P PORT[,PORT...]]\n"
	"                        [-j] [-d SECONDS] [-b PAGES] "
	"[--backend kprobe|tracepoint]\n"
	"Trace TCP connects over IPv4 and IPv6. RET is the kernel's "
	"tcp_v4_connect/\ntcp_v6_connect result: 0 when the SYN was sent, "
	"so a refused connect has\nRET 0; -r shows how the handshake ended.\n"
	COMMON_OPTIONS_HELP("kprobe or tracepoint")
	"  -x, --failed      include connects the kernel would not start "
	"(RET != 0)\n"
	"  -r, --result      wait for the handshake: RESULT ok, refused, "
	"timeout,\n"
	"                    unreachable, reset, closed (closed before an "
	"answer)\n"
	"  -P, --port PORTS  only these destination ports (at most 16)\n"
	"  -u, --uid UID     only this user\n"
	"  -U, --print-uid   print a UID column\n";

static int parse_uid(const char *arg, uint32_t *uid)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || v >= 0xffffffffUL)
		return error_set(EINVAL, "uid \"%s\": expected a number from "
				 "0 to 4294967294", arg);
	*uid = (uint32_t)v;
	return 0;
}

static int parse(int argc, char **argv, struct connect_opts *o)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "failed", no_argument, NULL, 'x' },
		{ "result", no_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'P' },
		{ "uid", required_argument, NULL, 'u' },
		{ "print-uid", no_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err;

	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "xrP:u:U",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'x':
			o->failed = 1;
			break;
		case 'r':
			o->result = 1;
			break;
		case 'P':
			err = parse_ports(optarg, o->ports, CONNECT_MAX_PORTS,
					  &o->nr_ports);
			if (err)
				return err;
			break;
		case 'u':
			err = parse_uid(optarg, &o->uid);
			if (err)
				return err;
			break;
		case 'U':
			o->show_uid = 1;
			break;
		default:
			err = parse_common(c, optarg, &o->c, usage_text);
			if (err)
				return err;
		}
	}
	if (optind < argc)
		return error_set(EINVAL, "unexpected argument \"%s\"",
				 argv[optind]);
	return 0;
}

/* How the handshake ended, from the state after SYN_SENT and sk_err. */
static const char *result_name(const struct connect_event *e)
{
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

static void print_header(const struct connect_opts *o)
{
	if (o->c.json)
		return;
	if (o->c.timestamp)
		out_str("TIME     ");
	if (o->show_uid)
		out_str("UID     ");
	out_str("PID     COMM             IP SADDR           SPORT "
		"DADDR           DPORT RET");
	out_str(o->result ? " RESULT\n" : "\n");
}

static void print_json(const struct connect_opts *o,
		       const struct connect_event *e, const char *saddr,
		       const char *daddr)
{
	out_json_begin(e->ts_ns);
	if (o->show_uid)
		out_json_uint("uid", e->uid);
	out_json_task(e->pid, e->tid, e->comm);
	out_json_uint("ip", e->ver);
	out_json_text("saddr", saddr);
	out_json_uint("sport", e->sport);
	out_json_text("daddr", daddr);
	out_json_uint("dport", e->dport);
	out_json_int("ret", e->ret);
	if (o->result)
		out_json_text("result", result_name(e));
	out_json_end();
}

static void print_line(const struct connect_opts *o,
		       const struct connect_event *e, const char *saddr,
		       const char *daddr)
{
	if (o->c.timestamp)
		out_col_time(e->ts_ns);
	if (o->show_uid) {
		out_col_uint(e->uid, 7);
	}
	out_col_task(e->pid, e->comm);
	out_char(e->ver == 6 ? '6' : '4');
	out_str("  ");
	out_col(saddr, 15);   /* IPv6 addresses push the line out */
	out_col_uint(e->sport, 5);
	out_col(daddr, 15);
	out_col_uint(e->dport, 5);
	if (o->result) {
		out_col_int(e->ret, 3);
		out_str(result_name(e));
	} else {
		out_int(e->ret);
	}
	out_char('\n');
}

static void on_event(void *ctx, int cpu, const void *data, uint32_t size)
{
	const struct connect_opts *o = ctx;
	struct connect_event e;
	char saddr[64], daddr[64];

	(void)cpu;
	if (size < sizeof e)   /* the kernel pads samples; never shorter */
		return;
	memcpy(&e, data, sizeof e);
	format_addr(e.ver, e.saddr, saddr, sizeof saddr);
	format_addr(e.ver, e.daddr, daddr, sizeof daddr);
	if (o->c.json)
		print_json(o, &e, saddr, daddr);
	else
		print_line(o, &e, saddr, daddr);
}

static int set_filters(struct session *s, const struct connect_opts *o)
{
	uint8_t ignore = !o->failed, wait = o->result != 0;
	uint32_t pid = (uint32_t)o->c.pid;
	int err;

	err = obj_set_var(&s->obj, "target_pid", &pid, sizeof pid);
	if (!err)
		err = obj_set_var(&s->obj, "target_uid", &o->uid,
				  sizeof o->uid);
	if (!err)
		err = obj_set_var(&s->obj, "ignore_errors", &ignore, 1);
	if (!err)
		err = obj_set_var(&s->obj, "wait_result", &wait, 1);
	if (!err)
		err = set_port_filter(s, o->ports, o->nr_ports);
	return err;
}

static int run(struct session *s, struct connect_opts *o)
{
	int err;

	err = open_tool(s, "connect", &o->c);
	if (!err)
		err = set_filters(s, o);
	if (!err)
		err = start_tool(s, "connect", o->result ? result_backends :
				 connect_backends, &o->c, NULL, NULL);
	if (err)
		return err;
	print_header(o);
	return run_events(s, o->c.duration, on_event, o);
}

int connect_main(int argc, char **argv)
{
	struct connect_opts o;
	struct session s;
	int err;

	memset(&o, 0, sizeof o);
	common_defaults(&o.c);
	o.uid = (uint32_t)-1;
	err = parse(argc, argv, &o);
	if (err == 1)
		return 0;   /* -h */
	if (err)
		return tool_fail("connect", error_msg());
	err = run(&s, &o);
	return finish_session(&s, "connect", err);
}
