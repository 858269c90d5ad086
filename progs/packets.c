/* rawtrace packets: a line for each IPv4 or IPv6 packet on one interface,
 * like libbpf-bootstrap's sockfilter. A socket filter attached to an
 * AF_PACKET socket describes each packet in a perf event and queues
 * nothing; --proto, --port and --host are applied in the filter.
 *
 * There is one way to attach (SO_ATTACH_BPF works on every kernel with
 * eBPF), so no --backend; and packets carry no process, so no -p.
 *
 * "sport" and "dport" are numbers only where the packet has ports (TCP,
 * UDP, their header read), null elsewhere: ICMP and ICMPv6, a later
 * fragment ("frag":1, no L4 header), another protocol, a header that
 * could not be read. "icmp_type" and "icmp_code" are numbers for ICMP
 * and ICMPv6 whose header was read, null elsewhere (the table prints
 * "type T code C"). Every key is on every line, so a consumer never
 * mistakes port 0 for "no port". A packet whose L4 header the filter
 * could not read (too many IPv6 extension headers, cut short) says
 * "unparsed" and is kept by --proto and --port. Loopback shows each
 * packet once (as it arrives, see progs/packets.bpf.c); other
 * interfaces show both directions. With --netns the AF_PACKET socket is
 * made in that network namespace, so -i names one of its interfaces. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include "elf/error.h"
#include "include/events.h"
#include "include/knobs.h"
#include "obj/names.h"
#include "loader/session.h"
#include "loader/sys.h"
#include "progs/options.h"
#include "progs/scope.h"
#include "render/output.h"
#include "progs/tool.h"
#include "progs/tools.h"

static const char *const progs[] = { "packets", NULL };

struct packets_opts {
	const char *iface;      /* -i; "any" for every interface */
	int ifindex;            /* 0 for "any" */
	int tap;                /* the AF_PACKET socket, -1 before */
	double checked_ms;      /* when the tap's interface was last asked
				   for (0: never) */
	int gone;               /* it was deleted: the run ends */
};

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP }, { "icmp6", IPPROTO_ICMPV6 },
	{ "icmpv6", IPPROTO_ICMPV6 },
};

static int parse_proto(struct run *r, const char *arg)
{
	struct packets_knobs *k = r->knobs;
	size_t i;

	for (i = 0; i < sizeof protos / sizeof protos[0]; i++) {
		if (strcasecmp(arg, protos[i].name) == 0) {
			k->proto = protos[i].proto;
			return 0;
		}
	}
	return error_set(EINVAL, "protocol \"%s\": expected tcp, udp, icmp "
			 "or icmp6", arg);
}

static int parse_port(struct run *r, const char *arg)
{
	struct packets_knobs *k = r->knobs;
	uint32_t n = 0;

	return parse_ports(arg, &k->port, 1, &n);
}

static int parse_host(struct run *r, const char *arg)
{
	struct packets_knobs *k = r->knobs;

	if (inet_pton(AF_INET, arg, k->host) == 1)
		k->host_ver = 4;
	else if (inet_pton(AF_INET6, arg, k->host) == 1)
		k->host_ver = 6;
	else
		return error_set(EINVAL, "host \"%s\": not an IPv4 or IPv6 "
				 "address", arg);
	return 0;
}

static const struct tool_option options[] = {
	{ "interface", 'i', "IFACE", "interface to watch (default lo; \"any\": "
	  "all)", OPT_STRING, IN_OPTS, offsetof(struct packets_opts, iface),
	  0, NULL },
	{ "proto", 0, "NAME", "only tcp, udp, icmp or icmp6 (and unparsed)",
	  OPT_CALL, IN_KNOBS, 0, 0, parse_proto },
	{ "port", 0, "PORT", "only TCP/UDP with this port on either side "
	  "(and unparsed)",
	  OPT_CALL, IN_KNOBS, 0, 0, parse_port },
	{ "host", 0, "ADDR", "only packets from or to this IPv4/IPv6 address",
	  OPT_CALL, IN_KNOBS, 0, 0, parse_host },
	{ "pid", 'p', "PID", "no -p: a packet belongs to no process here",
	  OPT_REFUSE, 0, 0, 0, NULL },
	{ "backend", 0, "NAME", "no --backend: a socket filter works on every "
	  "kernel", OPT_REFUSE, 0, 0, 0, NULL },
	{ 0 },
};

static void defaults(struct run *r)
{
	struct packets_opts *o = r->opts;

	o->iface = "lo";
	o->tap = -1;
}

/* -i's interface by index, in the network namespace we are in. */
static int find_iface(struct packets_opts *o)
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

/* ---- columns ------------------------------------------------------------------ */

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static const char *proto_name(const void *event, char *num)
{
	const struct packet_event *e = event;

	switch (e->proto) {
	case IPPROTO_TCP:    return "TCP";
	case IPPROTO_UDP:    return "UDP";
	case IPPROTO_ICMP:   return "ICMP";
	case IPPROTO_ICMPV6: return "ICMPv6";
	}
	*put_uint(num, e->proto) = 0;
	return num;
}

static int is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/* The filter reads ports for TCP and UDP only, and sets PKT_NO_PORTS
 * where it read none (include/events.h): otherwise sport and dport are
 * ports here, or ICMP's type and code. */
static int has_ports(const void *event)
{
	const struct packet_event *e = event;

	return !(e->flags & PKT_NO_PORTS) && !is_icmp(e->proto);
}

static int has_icmp(const void *event)
{
	const struct packet_event *e = event;

	return !(e->flags & PKT_NO_PORTS) && is_icmp(e->proto);
}

/* The tap (open_tap), which names the interfaces: a socket answers
 * SIOCGIFNAME in the network namespace it was made in, which with
 * --netns is not ours, where if_indextoname would ask. */
static int name_sock = -1;

/* An interface's name by index into name (IF_NAMESIZE bytes): 1, or 0
 * when there is none. */
static int iface_name(uint32_t ifindex, char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_ifindex = (int)ifindex;
	if (name_sock < 0 || ioctl(name_sock, SIOCGIFNAME, &ifr))
		return 0;
	memcpy(name, ifr.ifr_name, IF_NAMESIZE);
	name[IF_NAMESIZE - 1] = 0;
	return 1;
}

/* Interface names by index, looked up once: each is an ioctl. */
#define IFCACHE 64
static char ifnames[IFCACHE][IF_NAMESIZE];

static const char *if_name(const void *event, char *buf)
{
	const struct packet_event *e = event;
	char *slot = buf;

	if (e->ifindex < IFCACHE) {
		slot = ifnames[e->ifindex];
		if (slot[0])
			return slot;
	}
	if (!iface_name(e->ifindex, slot))
		*put_uint(put_str(slot, "if"), e->ifindex) = 0;
	return slot;
}

/* "SA" for SYN+ACK: tcpdump's letters, FIN SYN RST PSH ACK URG. */
static char *put_tcp_flags(char *p, uint8_t flags)
{
	static const char letters[] = "FSRPAU";
	int i;

	for (i = 0; i < 6; i++)
		if (flags & (1u << i))
			*p++ = letters[i];
	return p;
}

static const char *tcp_flags(const void *event, char *out)
{
	const struct packet_event *e = event;

	*put_tcp_flags(out, e->tcp_flags) = 0;
	return out;
}

/* "1.2.3.4:80" or "[::1]:80"; the address alone when the packet has no
 * ports (ICMP among them). */
static const char *endpoint(const struct packet_event *e, const uint8_t *addr,
			    uint16_t port, char *out)
{
	char *p = out;

	if (!has_ports(e)) {
		p = put_addr(p, e->ver, addr);
	} else if (e->ver == 6) {
		*p++ = '[';
		p = put_ipv6(p, addr);
		*p++ = ']';
		*p++ = ':';
		p = put_uint(p, port);
	} else {
		p = put_ipv4(p, addr);
		*p++ = ':';
		p = put_uint(p, port);
	}
	*p = 0;
	return out;
}

static const char *source(const void *event, char *out)
{
	const struct packet_event *e = event;

	return endpoint(e, e->saddr, e->sport, out);
}

static const char *destination(const void *event, char *out)
{
	const struct packet_event *e = event;

	return endpoint(e, e->daddr, e->dport, out);
}

static const char *arrow(const void *event, char *out)
{
	(void)event;
	(void)out;
	return "->";
}

/* ICMP type and code, TCP flags, "frag", "unparsed": what the columns do
 * not say. */
static const char *info(const void *event, char *out)
{
	const struct packet_event *e = event;
	char *p = out;

	if (has_icmp(e)) {
		p = put_uint(put_str(p, "type "), e->sport);
		p = put_uint(put_str(p, " code "), e->dport);
	} else {
		p = put_tcp_flags(p, e->tcp_flags);
	}
	if (e->flags & PKT_FRAG)
		p = put_str(p, p > out ? " frag" : "frag");
	if (e->flags & PKT_UNPARSED)
		p = put_str(p, p > out ? " unparsed" : "unparsed");
	*p = 0;
	return out;
}

static const struct column columns[] = {
	COL_TIME_HEAD(struct packet_event),
	COL_CALC("IF", "if", if_name, 8, 0),
	COL_CALC("PROTO", "proto", proto_name, 6, 0),
	COL_CALC("SOURCE", NULL, source, 21, 0),
	COL_CALC("", NULL, arrow, 2, 0),
	COL_CALC("DESTINATION", NULL, destination, 21, 0),
	COL_IP(NULL, "saddr", struct packet_event, saddr, ver, 0, 0),
	COL_U_IF(NULL, "sport", struct packet_event, sport, 0, 0, has_ports),
	COL_IP(NULL, "daddr", struct packet_event, daddr, ver, 0, 0),
	COL_U_IF(NULL, "dport", struct packet_event, dport, 0, 0, has_ports),
	COL_U_IF(NULL, "icmp_type", struct packet_event, sport, 0, 0, has_icmp),
	COL_U_IF(NULL, "icmp_code", struct packet_event, dport, 0, 0, has_icmp),
	COL_U("LEN", "len", struct packet_event, len, 5, 0),
	COL_CALC("INFO", NULL, info, 0, 0),
	COL_CALC(NULL, "flags", tcp_flags, 0, 0),
	COL_B(NULL, "frag", struct packet_event, flags, PKT_FRAG, 0),
	COL_F(NULL, "unparsed", struct packet_event, flags, PKT_UNPARSED, 0),
};

/* ---- the tap ------------------------------------------------------------------ */

/* The interface of -i, and an AF_PACKET socket that will see every frame
 * of it, in the network namespace we are in. Opened with protocol 0,
 * which receives nothing: frames start to flow only at bind_tap, after
 * the filter is attached, so none is ever queued unfiltered. The filter
 * returns 0 and queues nothing anyway; the tiny receive buffer (the
 * kernel rounds 1 up to its minimum) is a second guard, not the
 * mechanism. */
static int open_tap(struct packets_opts *o)
{
	int small = 1, fd, err;

	err = find_iface(o);
	if (err)
		return err;
	fd = sys_socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_set(-fd, "AF_PACKET socket: %s", errno_text(-fd));
	err = sys_setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	if (err) {
		close(fd);
		return error_set(-err, "SO_RCVBUF: %s", errno_text(-err));
	}
	o->tap = name_sock = fd;
	return 0;
}

static void close_tap(struct packets_opts *o)
{
	if (o->tap >= 0)
		close(o->tap);
	o->tap = name_sock = -1;
}

/* setns into ns, the tap, setns back home. Failing to come back, the
 * tap is closed: we would be in the wrong namespace for the rest. */
static int open_tap_there(struct packets_opts *o, const char *netns, int ns,
			  int home)
{
	int err = sys_setns(ns, CLONE_NEWNET), back;

	if (err)
		return error_set(-err, "netns %s: cannot enter it: setns: %s",
				 netns, errno_text(-err));
	err = open_tap(o);
	back = sys_setns(home, CLONE_NEWNET);
	if (back) {
		close_tap(o);
		err = error_set(-back, "netns %s: cannot come back to our own "
				"network namespace: setns: %s", netns,
				errno_text(-back));
	}
	return err;
}

/* --netns: the tap made inside that namespace, then back to ours, opened
 * before we leave it. Only the socket call and -i's lookup need us there:
 * a socket belongs for good to the namespace it was made in, and its
 * bind, getsockname and SIOCGIFNAME answer there from anywhere. So
 * nothing loads in another namespace, and a failure leaves nothing to
 * undo but the socket. */
static int open_tap_in(struct packets_opts *o, const char *netns)
{
	int ns, home, err;
	uint32_t ino;

	err = netns_open(netns, &ns, &ino);
	if (err)
		return err;
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0) {
		err = error_set(errno, "our own network namespace: "
				"/proc/self/ns/net: %s", errno_text(errno));
	} else {
		sys_note("--netns %s is fd %d, ours fd %d: in there for the "
			 "AF_PACKET socket, then back", netns, ns, home);
		err = open_tap_there(o, netns, ns, home);
		close(home);
	}
	close(ns);
	return err;
}

/* Before anything loads: the interface and the tap on it. */
static int check(struct run *r)
{
	struct packets_opts *o = r->opts;

	return r->c.netns ? open_tap_in(o, r->c.netns) : open_tap(o);
}

/* From whichever namespace we are in: the kernel finds the ifindex in
 * the socket's (packet_do_bind), the one of --netns. */
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

/* ---- the interface going away ------------------------------------------------ */

/* How often the tap is asked whether its interface is still there: a
 * deleted one is noticed within this, at one getsockname each time. */
#define IFACE_CHECK_MS 200

/* Whether the tap's interface was deleted: 1 if so. The kernel turns the
 * tap's ifindex into -1 when its device is unregistered, whatever the
 * device's state (af_packet's NETDEV_UNREGISTER). It raises a socket error
 * (ENETDOWN) only when the device was up, and raises it as well when the
 * device is merely set down, after which the tap sees packets again once
 * it is up: so the address is asked for, not the error. --explain shows
 * the first call, not one every IFACE_CHECK_MS. */
static int check_iface(struct packets_opts *o)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof sll;
	int explain = sys_explain, err;

	if (o->checked_ms)
		sys_explain = 0;
	o->checked_ms = monotonic_ms();
	err = sys_getsockname(o->tap, (struct sockaddr *)&sll, &len);
	sys_explain = explain;
	if (err)
		return error_set(-err, "interface %s: getsockname: %s",
				 o->iface, errno_text(-err));
	return sll.sll_ifindex != o->ifindex;
}

/* session->flush: the output, then now and then the interface. A
 * deleted interface stops the run as a signal does (detach, then what
 * the rings still hold is printed, or counted lost), and run() makes it
 * an error (exit 1, one line): the tap would otherwise wait, silent, for
 * packets that cannot come. */
static int flush_and_check(void *ctx)
{
	struct run *r = ctx;
	struct packets_opts *o = r->opts;
	int err = out_flush();

	if (err || !o->ifindex || o->gone ||
	    monotonic_ms() - o->checked_ms < IFACE_CHECK_MS)
		return err;
	err = check_iface(o);
	if (err > 0) {
		o->gone = 1;
		session_stop = 1;
		err = 0;
	}
	return err;
}

static int run(struct run *r)
{
	struct packets_opts *o = r->opts;
	char where[48] = "";
	int err;

	err = tool_open(r);
	if (!err)
		err = session_load(&r->s, progs, opt_btf_path);
	if (!err)
		err = session_open_events(&r->s, "events", r->c.pages);
	if (!err)
		err = session_attach(&r->s, o->tap);
	if (!err)
		err = bind_tap(o->tap, o);
	if (err)
		return err;
	r->s.flush = flush_and_check;
	if (r->c.netns)
		snprintf(where, sizeof where, " of network namespace %u",
			 r->c.netns_ino);
	err_line("rawtrace packets: tracing %s%s with a socket filter "
		"on an AF_PACKET socket; Ctrl-C to stop",
		o->ifindex ? o->iface : "every interface", where);
	tool_header(r);
	err = tool_events(r);
	if (!err && o->gone)
		err = error_set(ENODEV, "interface %s: deleted while tracing",
				o->iface);
	return err;
}

/* After the session is closed (the filter detached): the socket. */
static int finish(struct run *r, int status)
{
	close_tap(r->opts);
	return status;
}

const struct tool packets_tool = {
	.name = "packets",
	.help = "trace IPv4/IPv6 packets on an interface (like sockfilter)",
	.object = "packets",
	.about = "Trace IPv4 and IPv6 packets on an interface: TCP, UDP, ICMP, "
		 "ICMPv6,\nothers by number.\n",
	.notes = "sport/dport are null where a packet has no ports: ICMP "
		 "(its icmp_type and\nicmp_code are set instead), a later "
		 "fragment (\"frag\" is 1), a header not\nread. On lo each "
		 "packet is shown once. A packet whose ports could not be\n"
		 "read is \"unparsed\"; --proto and --port keep it. With "
		 "--netns the\nsocket is made in that network namespace: -i "
		 "names one of its interfaces.\n",
	.takes = TAKES_ALL & ~(TAKES_PID | TAKES_BACKEND | TAKES_CGROUP |
			       TAKES_CGROUP_COLS),
	.doctor = "socket filter (works on every kernel with bpf())",
	.options = options,
	.opts_size = sizeof(struct packets_opts),
	.knobs_size = sizeof(struct packets_knobs),
	.columns = columns,
	.nr_columns = sizeof columns / sizeof columns[0],
	.event_size = sizeof(struct packet_event),
	.defaults = defaults,
	.check = check,
	.run = run,
	.finish = finish,
};
