/* rawtrace listen: a line for each listen() on a TCP socket, IPv4 or IPv6,
 * like libbpf-tools' solisten. Failed calls are shown too (RET column),
 * as solisten does. Two backends, one output:
 *   kprobe      kprobe + kretprobe on inet_listen
 *   tracepoint  syscalls:sys_enter_listen / sys_exit_listen, the socket
 *               reached through the fd, for kernels without kprobes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "elf/error.h"
#include "include/events.h"
#include "loader/session.h"
#include "progs/options.h"
#include "progs/output.h"
#include "progs/tools.h"

static const char *const kprobe_progs[] = {
	"kp_listen", "kret_listen", NULL,
};
static const char *const tracepoint_progs[] = {
	"tp_enter_listen", "tp_exit_listen", NULL,
};

const struct backend listen_backends[] = {
	{ "kprobe", kprobe_progs, NULL, "kprobe and kretprobe on inet_listen" },
	{ "tracepoint", tracepoint_progs, NULL,
	  "tracepoints syscalls:sys_enter_listen, sys_exit_listen" },
	{ NULL, NULL, NULL, NULL },
};

static const char usage_text[] =
	"usage: rawtrace listen [-t] [-p PID] [-j] [-d SECONDS] [-b PAGES] "
	"[--backend kprobe|tracepoint]\n"
	"Trace listen() on IPv4 and IPv6 TCP sockets, failed calls included.\n"
	COMMON_OPTIONS_HELP("kprobe or tracepoint");

static int parse(int argc, char **argv, struct common_opts *o)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, err;

	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		err = parse_common(c, optarg, o, usage_text);
		if (err)
			return err;
	}
	if (optind < argc)
		return error_set(EINVAL, "unexpected argument \"%s\"",
				 argv[optind]);
	return 0;
}

/* "TCPv4" and so on, from the socket type as solisten does. */
static void proto_string(const struct listen_event *e, char out[8])
{
	const char *name = e->type == 1 ? "TCP" : e->type == 2 ? "UDP" :
			   "UNK";  /* SOCK_STREAM, SOCK_DGRAM */

	snprintf(out, 8, "%sv%d", name, e->ver);
}

static void print_header(const struct common_opts *o)
{
	if (o->json)
		return;
	if (o->timestamp)
		out_str("TIME     ");
	out_str("PID     COMM             RET PROTO BACKLOG NETNS      "
		"ADDR            PORT\n");
}

static void print_json(const struct listen_event *e, const char *proto,
		       const char *addr)
{
	out_json_begin(e->ts_ns);
	out_json_task(e->pid, e->tid, e->comm);
	out_json_int("ret", e->ret);
	out_json_text("proto", proto);
	out_json_int("backlog", e->backlog);
	out_json_uint("netns", e->netns);
	out_json_text("addr", addr);
	out_json_uint("port", e->port);
	out_json_end();
}

static void print_line(const struct common_opts *o,
		       const struct listen_event *e, const char *proto,
		       const char *addr)
{
	if (o->timestamp)
		out_col_time(e->ts_ns);
	out_col_task(e->pid, e->comm);
	out_col_int(e->ret, 3);
	out_col(proto, 5);
	out_col_int(e->backlog, 7);
	out_col_uint(e->netns, 10);
	/* Wide enough for the usual v4 addresses; a long v6 one pushes the
	 * port to the right rather than being cut. */
	out_col(addr, 15);
	out_uint(e->port);
	out_char('\n');
}

static void on_event(void *ctx, int cpu, const void *data, uint32_t size)
{
	const struct common_opts *o = ctx;
	struct listen_event e;
	char proto[8], addr[64];

	(void)cpu;
	if (size < sizeof e)   /* the kernel pads samples; never shorter */
		return;
	memcpy(&e, data, sizeof e);
	proto_string(&e, proto);
	format_addr(e.ver, e.addr, addr, sizeof addr);
	if (o->json)
		print_json(&e, proto, addr);
	else
		print_line(o, &e, proto, addr);
}

static int run(struct session *s, struct common_opts *o)
{
	uint32_t pid = (uint32_t)o->pid;
	int err;

	err = open_tool(s, "listen", o);
	if (!err)
		err = obj_set_var(&s->obj, "target_pid", &pid, sizeof pid);
	if (!err)
		err = start_tool(s, "listen", listen_backends, o, NULL, NULL);
	if (err)
		return err;
	print_header(o);
	return run_events(s, o->duration, on_event, o);
}

int listen_main(int argc, char **argv)
{
	struct common_opts o;
	struct session s;
	int err;

	common_defaults(&o);
	err = parse(argc, argv, &o);
	if (err == 1)
		return 0;   /* -h */
	if (err)
		return tool_fail("listen", error_msg());
	err = run(&s, &o);
	return finish_session(&s, "listen", err);
}
