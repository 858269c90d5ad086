/* rawtrace packets: a line for each IPv4 or IPv6 packet on one interface,
 * like libbpf-bootstrap's sockfilter. A socket filter attached to an
 * AF_PACKET socket describes each packet in a perf event and queues
 * nothing; --proto, --port and --host are applied in the filter.
 *
 * There is one way to attach (SO_ATTACH_BPF works on every kernel with
 * eBPF), so no --backend; and packets carry no process, so no -p.
 *
 * ICMP and ICMPv6 have no ports: sport holds the type and dport the code
 * (the table prints "type T code C"). Later fragments carry no L4 header:
 * ports 0, "frag":1. Loopback shows each packet once (as it arrives, see
 * progs/packets.bpf.c); other interfaces show both directions. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include "elf/error.h"
#include "include/events.h"
#include "obj/names.h"
#include "loader/session.h"
#include "loader/sys.h"
#include "progs/options.h"
#include "progs/output.h"
#include "progs/tools.h"

static const char *const progs[] = { "packets", NULL };

struct packets_opts {
	struct common_opts c;
	const char *iface;      /* -i; "any" for every interface */
	int ifindex;            /* 0 for "any" */
	uint8_t proto;          /* --proto, IPPROTO_* or 0 */
	uint16_t port;          /* --port, 0 for all */
	uint8_t host_ver;       /* --host: 4 or 6, 0 for all */
	uint8_t host[16];
};

#define OPT_PROTO 0x200
#define OPT_PORT  0x201
#define OPT_HOST  0x202

static const char usage_text[] =
	"usage: rawtrace packets [-i IFACE] [--proto tcp|udp|icmp|icmp6] "
	"[--port PORT] [--host ADDR]\n"
	"                        [-t] [-j] [-d SECONDS] [-b PAGES]\n"
	"Trace IPv4 and IPv6 packets on an interface: TCP, UDP, ICMP, "
	"ICMPv6, others by number.\n"
	"  -i, --interface IFACE  interface to watch (default lo; \"any\": "
	"all)\n"
	"  --proto NAME      only tcp, udp, icmp or icmp6\n"
	"  --port PORT       only TCP/UDP with this port on either side\n"
	"  --host ADDR       only packets from or to this IPv4/IPv6 address\n"
	COMMON_HELP_TIMESTAMP COMMON_HELP_OUTPUT COMMON_HELP_GLOBAL
	"ICMP has no ports: sport/dport hold the type and code. A later "
	"fragment\nhas no ports: they are 0 and \"frag\" is 1. On lo each "
	"packet is shown once.\n";

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP }, { "icmp6", IPPROTO_ICMPV6 },
	{ "icmpv6", IPPROTO_ICMPV6 },
};

static int parse_proto(const char *arg, uint8_t *proto)
{
	size_t i;

	for (i = 0; i < sizeof protos / sizeof protos[0]; i++) {
		if (strcasecmp(arg, protos[i].name) == 0) {
			*proto = protos[i].proto;
			return 0;
		}
	}
	return error_set(EINVAL, "protocol \"%s\": expected tcp, udp, icmp "
			 "or icmp6", arg);
}

static int parse_host(const char *arg, struct packets_opts *o)
{
	if (inet_pton(AF_INET, arg, o->host) == 1)
		o->host_ver = 4;
	else if (inet_pton(AF_INET6, arg, o->host) == 1)
		o->host_ver = 6;
	else
		return error_set(EINVAL, "host \"%s\": not an IPv4 or IPv6 "
				 "address", arg);
	return 0;
}

static int parse_iface(struct packets_opts *o)
{
	if (strcmp(o->iface, "any") == 0) {
		o->ifindex = 0;
		return 0;
	}
	o->ifindex = (int)if_nametoindex(o->iface);
	if (!o->ifindex)
		return error_set(ENODEV, "interface \"%s\": no such interface",
				 o->iface);
	return 0;
}

static int parse(int argc, char **argv, struct packets_opts *o)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "interface", required_argument, NULL, 'i' },
		{ "proto", required_argument, NULL, OPT_PROTO },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "host", required_argument, NULL, OPT_HOST },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t nports = 0;
	int c, err;

	while ((c = getopt_long(argc, argv, COMMON_SHORTOPTS "i:", longopts,
				NULL)) != -1) {
		err = 0;
		switch (c) {
		case 'i':
			o->iface = optarg;
			break;
		case OPT_PROTO:
			err = parse_proto(optarg, &o->proto);
			break;
		case OPT_PORT:
			nports = 0;
			err = parse_ports(optarg, &o->port, 1, &nports);
			break;
		case OPT_HOST:
			err = parse_host(optarg, o);
			break;
		case 'p':
			err = error_set(EINVAL, "no -p: a packet belongs to no "
					"process here");
			break;
		case OPT_BACKEND:
			err = error_set(EINVAL, "no --backend: a socket filter "
					"works on every kernel");
			break;
		default:
			err = parse_common(c, optarg, &o->c, usage_text);
		}
		if (err)
			return err;
	}
	if (optind < argc)
		return error_set(EINVAL, "unexpected argument \"%s\"",
				 argv[optind]);
	return parse_iface(o);
}

/* ---- printing ---------------------------------------------------------------- */

static const char *proto_name(uint8_t proto, char num[4])
{
	switch (proto) {
	case IPPROTO_TCP:    return "TCP";
	case IPPROTO_UDP:    return "UDP";
	case IPPROTO_ICMP:   return "ICMP";
	case IPPROTO_ICMPV6: return "ICMPv6";
	}
	snprintf(num, 4, "%u", proto);
	return num;
}

static int is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/* Interface names by index, looked up once: if_indextoname is an ioctl. */
#define IFCACHE 64
static char ifnames[IFCACHE][IF_NAMESIZE];

static const char *if_name(uint32_t ifindex, char buf[IF_NAMESIZE])
{
	char *slot = buf;

	if (ifindex < IFCACHE) {
		slot = ifnames[ifindex];
		if (slot[0])
			return slot;
	}
	if (!if_indextoname(ifindex, slot))
		snprintf(slot, IF_NAMESIZE, "if%u", ifindex);
	return slot;
}

/* "SA" for SYN+ACK: tcpdump's letters, FIN SYN RST PSH ACK URG. */
static void tcp_flags_string(uint8_t flags, char out[8])
{
	static const char letters[] = "FSRPAU";
	int i, n = 0;

	for (i = 0; i < 6; i++)
		if (flags & (1u << i))
			out[n++] = letters[i];
	out[n] = 0;
}

static void print_header(const struct packets_opts *o)
{
	if (o->c.json)
		return;
	if (o->c.timestamp)
		out_str("TIME     ");
	out_pad("IF", 9);
	out_pad("PROTO", 7);
	out_pad("SOURCE", 25);
	out_pad("DESTINATION", 22);
	out_str("LEN   INFO\n");
}

/* "1.2.3.4:80" or "[::1]:80"; the address alone for ICMP and when the
 * packet has no ports. */
static void endpoint(const struct packet_event *e, const char *addr,
		     uint16_t port, char *out, size_t len)
{
	if (is_icmp(e->proto) || (e->flags & PKT_NO_PORTS))
		snprintf(out, len, "%s", addr);
	else if (e->ver == 6)
		snprintf(out, len, "[%s]:%u", addr, port);
	else
		snprintf(out, len, "%s:%u", addr, port);
}

/* ICMP type and code, TCP flags, "frag": what the columns do not say. */
static void info_string(const struct packet_event *e, const char *tcpf,
			char *out, size_t len)
{
	int n = 0;

	out[0] = 0;
	if (is_icmp(e->proto) && !(e->flags & PKT_NO_PORTS))
		n = snprintf(out, len, "type %u code %u", e->sport, e->dport);
	else if (tcpf[0])
		n = snprintf(out, len, "%s", tcpf);
	if (e->flags & PKT_FRAG)
		snprintf(out + n, len - (size_t)n, "%sfrag", n ? " " : "");
}

static void print_line(const struct packets_opts *o,
		       const struct packet_event *e, const char *ifname,
		       const char *proto, const char *saddr, const char *daddr,
		       const char *tcpf)
{
	char src[64], dst[64], info[32];

	if (o->c.timestamp)
		out_col_time(e->ts_ns);
	out_col(ifname, 8);
	out_col(proto, 6);
	endpoint(e, saddr, e->sport, src, sizeof src);
	endpoint(e, daddr, e->dport, dst, sizeof dst);
	out_pad(src, 21);
	out_str(" -> ");
	out_col(dst, 21);
	info_string(e, tcpf, info, sizeof info);
	if (info[0]) {
		out_col_uint(e->len, 5);
		out_str(info);
	} else {
		out_uint(e->len);
	}
	out_char('\n');
}

static void print_json(const struct packet_event *e, const char *ifname,
		       const char *proto, const char *saddr, const char *daddr,
		       const char *tcpf)
{
	out_json_begin(e->ts_ns);
	out_json_text("if", ifname);
	out_json_text("proto", proto);
	out_json_text("saddr", saddr);
	out_json_uint("sport", e->sport);
	out_json_text("daddr", daddr);
	out_json_uint("dport", e->dport);
	out_json_uint("len", e->len);
	out_json_text("flags", tcpf);
	out_json_uint("frag", e->flags & PKT_FRAG ? 1 : 0);
	out_json_end();
}

static void on_event(void *ctx, int cpu, const void *data, uint32_t size)
{
	const struct packets_opts *o = ctx;
	struct packet_event e;
	char ifbuf[IF_NAMESIZE], num[4], saddr[64], daddr[64], tcpf[8];
	const char *ifname, *proto;

	(void)cpu;
	if (size < sizeof e)   /* the kernel pads samples; never shorter */
		return;
	memcpy(&e, data, sizeof e);
	ifname = if_name(e.ifindex, ifbuf);
	proto = proto_name(e.proto, num);
	format_addr(e.ver, e.saddr, saddr, sizeof saddr);
	format_addr(e.ver, e.daddr, daddr, sizeof daddr);
	tcp_flags_string(e.tcp_flags, tcpf);
	if (o->c.json)
		print_json(&e, ifname, proto, saddr, daddr, tcpf);
	else
		print_line(o, &e, ifname, proto, saddr, daddr, tcpf);
}

/* ---- the tap ------------------------------------------------------------------ */

/* An AF_PACKET socket that will see every frame of one interface. Opened
 * with protocol 0, which receives nothing: frames start to flow only at
 * bind_tap, after the filter is attached, so none is ever queued
 * unfiltered. The filter returns 0 and queues nothing anyway; the tiny
 * receive buffer (the kernel rounds 1 up to its minimum) is a second
 * guard, not the mechanism. */
static int open_tap(int *fd)
{
	int small = 1, err;

	*fd = sys_socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0);
	if (*fd < 0)
		return error_set(-*fd, "AF_PACKET socket: %s", errno_text(-*fd));
	err = sys_setsockopt(*fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	if (err)
		return error_set(-err, "SO_RCVBUF: %s", errno_text(-err));
	return 0;
}

static int bind_tap(int fd, const struct packets_opts *o)
{
	struct sockaddr_ll sll;
	int err;

	memset(&sll, 0, sizeof sll);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = o->ifindex;
	err = sys_bind(fd, (struct sockaddr *)&sll, sizeof sll);
	if (err)
		return error_set(-err, "interface %s: bind: %s", o->iface,
				 errno_text(-err));
	return 0;
}

static int set_filters(struct session *s, const struct packets_opts *o)
{
	int err;

	err = obj_set_var(&s->obj, "filter_proto", &o->proto, 1);
	if (!err)
		err = obj_set_var(&s->obj, "filter_port", &o->port,
				  sizeof o->port);
	if (!err)
		err = obj_set_var(&s->obj, "filter_host_ver", &o->host_ver, 1);
	if (!err)
		err = obj_set_var(&s->obj, "filter_host", o->host,
				  sizeof o->host);
	return err;
}

static int run(struct session *s, struct packets_opts *o, int *tap)
{
	int err;

	err = open_tool(s, "packets", &o->c);
	if (!err)
		err = set_filters(s, o);
	if (!err)
		err = session_load(s, progs, opt_btf_path);
	if (!err)
		err = session_open_events(s, "events", o->c.pages);
	if (!err)
		err = open_tap(tap);
	if (!err)
		err = session_attach(s, *tap);
	if (!err)
		err = bind_tap(*tap, o);
	if (err)
		return err;
	err_line("rawtrace packets: tracing %s with a socket filter "
		"on an AF_PACKET socket; Ctrl-C to stop",
		o->ifindex ? o->iface : "every interface");
	print_header(o);
	return run_events(s, o->c.duration, on_event, o);
}

int packets_main(int argc, char **argv)
{
	struct packets_opts o;
	struct session s;
	int err, tap = -1, status;

	memset(&o, 0, sizeof o);
	common_defaults(&o.c);
	o.iface = "lo";
	err = parse(argc, argv, &o);
	if (err == 1)
		return 0;   /* -h */
	if (err)
		return tool_fail("packets", error_msg());
	err = run(&s, &o, &tap);
	status = finish_session(&s, "packets", err); /* detaches first */
	if (tap >= 0)
		close(tap);
	return status;
}
