/* rawtrace bind: a line for each bind() on an IPv4 or IPv6 socket, like
 * libbpf-tools' bindsnoop. Three backends, one output, tried in this order:
 *   fexit       fexit on inet_bind and inet6_bind (BPF trampolines): the
 *               cheapest, one program per call and no map in between
 *   kprobe      kprobe + kretprobe on inet_bind and inet6_bind
 *   tracepoint  syscalls:sys_enter_bind / sys_exit_bind, the socket reached
 *               through the fd, for kernels without kprobes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include "elf/error.h"
#include "include/events.h"
#include "loader/session.h"
#include "loader/sys.h"
#include "progs/options.h"
#include "progs/output.h"
#include "progs/tools.h"

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

const struct backend bind_backends[] = {
	{ "fexit", fexit_progs, ipv6_progs, "fexit on inet_bind, inet6_bind" },
	{ "kprobe", kprobe_progs, ipv6_progs,
	  "kprobes on inet_bind, inet6_bind" },
	{ "tracepoint", tracepoint_progs, NULL,
	  "tracepoints syscalls:sys_enter_bind, sys_exit_bind" },
	{ NULL, NULL, NULL, NULL },
};

struct bind_opts {
	struct common_opts c;
	int failed;                     /* -x */
	uint16_t ports[BIND_MAX_PORTS]; /* -P */
	uint32_t nr_ports;
	const char *cgroup;             /* -c */
};

static const char usage_text[] =
	"usage: rawtrace bind [-t] [-x] [-p PID] [-P PORT[,PORT...]] "
	"[-c CGROUP_PATH]\n"
	"                     [-j] [-d SECONDS] [-b PAGES] "
	"[--backend fexit|kprobe|tracepoint]\n"
	"Trace bind() on IPv4 and IPv6 sockets.\n"
	COMMON_OPTIONS_HELP("fexit, kprobe or tracepoint")
	"  -x, --failed      include failed binds (they show the address "
	"asked for)\n"
	"  -P, --port PORTS  only these local ports (at most 16)\n"
	"  -c, --cgroup PATH only processes in this cgroup v2\n";

static int parse(int argc, char **argv, struct bind_opts *o)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "failed", no_argument, NULL, 'x' },
		{ "port", required_argument, NULL, 'P' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err;

	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "xP:c:",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'x':
			o->failed = 1;
			break;
		case 'P':
			err = parse_ports(optarg, o->ports, BIND_MAX_PORTS,
					  &o->nr_ports);
			if (err)
				return err;
			break;
		case 'c':
			o->cgroup = optarg;
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

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "TCP" : proto == IPPROTO_UDP ? "UDP" :
	       "UNK";
}

static void opts_string(uint8_t opts, char out[6])
{
	int i;

	for (i = 0; i < 5; i++)
		out[i] = opts & (1u << i) ? BIND_OPT_LETTERS[i] : '.';
	out[5] = 0;
}

static void print_header(const struct bind_opts *o)
{
	if (o->c.json)
		return;
	if (o->c.timestamp)
		out_str("TIME     ");
	out_str("PID     COMM             RET PROTO OPTS  IF   PORT  ADDR\n");
}

static void print_json(const struct bind_event *e, const char *opts,
		       const char *addr)
{
	out_json_begin(e->ts_ns);
	out_json_task(e->pid, e->tid, e->comm);
	out_json_int("ret", e->ret);
	out_json_text("proto", proto_name(e->proto));
	out_json_text("opts", opts);
	out_json_uint("if", e->bound_dev_if);
	out_json_uint("port", e->port);
	out_json_text("addr", addr);
	out_json_end();
}

static void print_line(const struct bind_opts *o, const struct bind_event *e,
		       const char *opts, const char *addr)
{
	if (o->c.timestamp)
		out_col_time(e->ts_ns);
	out_col_task(e->pid, e->comm);
	out_col_int(e->ret, 3);
	out_col(proto_name(e->proto), 5);
	out_col(opts, 5);
	out_col_uint(e->bound_dev_if, 4);
	out_col_uint(e->port, 5);
	out_str(addr);
	out_char('\n');
}

static void on_event(void *ctx, int cpu, const void *data, uint32_t size)
{
	const struct bind_opts *o = ctx;
	struct bind_event e;
	char opts[6], addr[64];

	(void)cpu;
	if (size < sizeof e)   /* the kernel pads samples; never shorter */
		return;
	memcpy(&e, data, sizeof e);
	opts_string(e.opts, opts);
	format_addr(e.ver, e.addr, addr, sizeof addr);
	if (o->c.json)
		print_json(&e, opts, addr);
	else
		print_line(o, &e, opts, addr);
}

static int set_filters(struct session *s, const struct bind_opts *o)
{
	uint8_t ignore = !o->failed, by_cgroup = o->cgroup != NULL;
	uint32_t pid = (uint32_t)o->c.pid;
	int err;

	err = obj_set_var(&s->obj, "target_pid", &pid, sizeof pid);
	if (!err)
		err = obj_set_var(&s->obj, "ignore_errors", &ignore, 1);
	if (!err)
		err = obj_set_var(&s->obj, "filter_cgroup", &by_cgroup, 1);
	if (!err)
		err = set_port_filter(s, o->ports, o->nr_ports);
	return err;
}

/* Between load and attach: -c's cgroup into the map made for it. */
static int fill_maps(struct session *s, void *ctx)
{
	const struct bind_opts *o = ctx;

	return o->cgroup ? set_cgroup_filter(s, "cgroup_map", o->cgroup) : 0;
}

static int run(struct session *s, struct bind_opts *o)
{
	int err;

	err = open_tool(s, "bind", &o->c);
	if (!err)
		err = set_filters(s, o);
	if (!err)
		err = start_tool(s, "bind", bind_backends, &o->c, fill_maps, o);
	if (err)
		return err;
	print_header(o);
	return run_events(s, o->c.duration, on_event, o);
}

int bind_main(int argc, char **argv)
{
	struct bind_opts o;
	struct session s;
	int err;

	memset(&o, 0, sizeof o);
	common_defaults(&o.c);
	err = parse(argc, argv, &o);
	if (err == 1)
		return 0;   /* -h */
	if (err)
		return tool_fail("bind", error_msg());
	err = run(&s, &o);
	return finish_session(&s, "bind", err);
}
