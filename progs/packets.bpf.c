/* packets.bpf.c: kernel side of `rawtrace packets` (like libbpf-bootstrap's
 * sockfilter, done right).
 *
 * One socket filter (BPF_PROG_TYPE_SOCKET_FILTER) that user space attaches
 * with SO_ATTACH_BPF to an AF_PACKET socket bound to one interface (or to
 * all). The packet socket is only a tap: the kernel runs the filter for
 * every frame the interface sends or receives, the filter describes the
 * frame in a perf event, and then returns 0.
 *
 * Why return 0: a socket filter's return value is how many bytes of the
 * frame to queue on the socket (0: drop it). We never read the socket;
 * everything we need travels in the event. Returning skb->len, as
 * sockfilter does, would make the kernel clone every frame onto a receive
 * queue nobody drains, until the queue is full and each later frame is
 * cloned only to be dropped. (User space also sets a tiny SO_RCVBUF and
 * attaches before it binds, so nothing can ever queue.)
 *
 * Headers are read relative to the network header, with
 * bpf_skb_load_bytes_relative(BPF_HDR_START_NET): that works whatever the
 * link layer is (Ethernet, loopback, tun with no link header, VLANs that
 * the stack untagged), where a fixed offset 14 would not. The helper reads
 * only the linear part of the skb. Most drivers put the headers there,
 * not all: what is out of its reach is reported unparsed, not dropped.
 *
 * What is reported:
 *   IPv4 and IPv6 (skb->protocol); ARP and every other frame is skipped.
 *   TCP and UDP: ports; TCP also its flags.
 *   ICMP and ICMPv6: no ports, so sport carries the type, dport the code.
 *   Other IP protocols: the protocol number, ports 0.
 *   Fragments: marked PKT_FRAG. A first fragment has the L4 header and is
 *   parsed; a later one has none: the protocol is reported, ports are 0
 *   and PKT_NO_PORTS is set, rather than reading payload bytes as ports.
 *   The ports are read as soon as their 4 bytes are there: an IPv4 first
 *   fragment may hold only 8 bytes of TCP, and the kernel reassembles it.
 *   IPv6 extension headers: hop-by-hop, routing, destination options,
 *   fragment and AH are skipped (at most PKT_MAX_EXT of them).
 *   Unparsed (PKT_UNPARSED): where the L4 header should be but cannot be
 *   read -- more extension headers than we walk, a header cut short, a
 *   first fragment that ends before the ports -- and an IP header that
 *   cannot be read (no addresses then, so --host drops it). The kernel may still
 *   deliver such a packet (a SYN behind 7 destination options gets its
 *   SYN-ACK), so --proto and --port never drop it: a monitor that a few
 *   padding headers walk past is no monitor. The protocol is the last
 *   header number read (60 for destination options), ports 0.
 *
 * Loopback shows every packet twice: once leaving (PACKET_OUTGOING, from
 * dev_queue_xmit_nit) and once arriving (PACKET_HOST, from netif_rx). On
 * the loopback device only the arriving copy is kept, so each packet is
 * one line. On every other device both directions are kept: there the
 * outgoing copy is the only one this host sees of what it sends.
 */
#include <stdbool.h>
#include "include/rawtrace_bpf.h"
#include "include/knobs.h"

/* Set by user space, all at once, in .rodata before load (include/knobs.h). */
const volatile struct packets_knobs knobs = { .c.want_time = 1 };

#include "include/events.bpf.h"
#include "include/events.h"

#define ETH_P_IP   0x0800
#define ETH_P_IPV6 0x86DD

#define IPPROTO_ICMP     1
#define IPPROTO_TCP      6
#define IPPROTO_UDP      17
#define IPPROTO_HOPOPTS  0
#define IPPROTO_ROUTING  43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_AH       51
#define IPPROTO_ICMPV6   58
#define IPPROTO_DSTOPTS  60

#define PACKET_OUTGOING 4   /* linux/if_packet.h */

/* The loopback device has ifindex 1 in every network namespace
 * (LOOPBACK_IFINDEX, include/net/net_namespace.h, since 3.7). */
#define LOOPBACK_IFINDEX 1

/* IPv4 frag_off bits (network order after swapping) */
#define IP_MF     0x2000
#define IP_OFFSET 0x1fff

/* IPv6 extension headers skipped before giving up (a bound for the
 * verifier; real packets carry one or two). */
#define PKT_MAX_EXT 6


/* ---- maps --------------------------------------------------------------- */

/* ---- network headers (fixed wire layout: no CO-RE) ----------------------- */

struct iphdr {
	__u8 ihl_version;  /* ihl: low nibble on the wire's first byte */
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__sum16 check;
	__be32 saddr;
	__be32 daddr;
};

struct ipv6hdr {
	__be32 ver_tc_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
};

/* The first 14 bytes of TCP, 4 of UDP, 2 of ICMP: ports, then TCP's
 * flags at byte 13. */
struct l4hdr {
	__be16 sport;
	__be16 dport;
	__u8 rest[9];
	__u8 tcp_flags;
};

static __always_inline long load(struct __sk_buff *skb, __u32 off, void *to,
				 __u32 len)
{
	return bpf_skb_load_bytes_relative(skb, off, to, len,
					   BPF_HDR_START_NET);
}

/* ---- parsing ---------------------------------------------------------------- */

/* An IP header that cannot be read: cut short (the kernel drops it), or
 * beyond the skb's linear part, which is all the helper reads (a driver
 * that leaves the headers in page fragments; the kernel pulls them and
 * delivers the packet). Either way it might be anything: unparsed, with
 * the version the link layer gave, no addresses, protocol and length 0. */
static __always_inline int ip_unparsed(struct packet_event *ev, __u8 ver)
{
	ev->ver = ver;
	ev->flags |= PKT_UNPARSED | PKT_NO_PORTS;
	return -1;
}

/* Fills version, addresses, length, protocol and fragment flags. Returns
 * the offset of the L4 header from the network header, or -1 when there
 * is no L4 header to read (a later fragment, an unreadable header) or the
 * header is bad (a version or header length the kernel drops: ev->ver
 * stays 0). */
static __always_inline int parse_ipv4(struct __sk_buff *skb,
				      struct packet_event *ev)
{
	struct iphdr ip;
	__u16 frag;
	int hlen;

	if (load(skb, 0, &ip, sizeof ip))
		return ip_unparsed(ev, 4);
	hlen = (ip.ihl_version & 0x0f) * 4;
	if ((ip.ihl_version >> 4) != 4 || hlen < (int)sizeof ip)
		return -1;
	ev->ver = 4;
	ev->proto = ip.protocol;
	ev->len = rt_ntohs(ip.tot_len);
	__builtin_memcpy(ev->saddr, &ip.saddr, 4);
	__builtin_memcpy(ev->daddr, &ip.daddr, 4);
	frag = rt_ntohs(ip.frag_off);
	if (frag & (IP_MF | IP_OFFSET))
		ev->flags |= PKT_FRAG;
	if (frag & IP_OFFSET) {
		ev->flags |= PKT_NO_PORTS;
		return -1;
	}
	return hlen;
}

static __always_inline bool ipv6_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_FRAGMENT ||
	       nexthdr == IPPROTO_AH;
}

/* As parse_ipv4, walking the extension headers to the L4 one. */
static __always_inline int parse_ipv6(struct __sk_buff *skb,
				      struct packet_event *ev)
{
	struct ipv6hdr ip;
	__u8 ext[4];  /* next header, length, and for a fragment its offset */
	__u8 next;
	int off = sizeof ip;

	if (load(skb, 0, &ip, sizeof ip))
		return ip_unparsed(ev, 6);
	if ((rt_ntohl(ip.ver_tc_flow) >> 28) != 6)
		return -1;
	ev->ver = 6;
	/* payload_len 0: a jumbogram or a BIG TCP packet; length unknown */
	ev->len = ip.payload_len ? sizeof ip + rt_ntohs(ip.payload_len) : 0;
	__builtin_memcpy(ev->saddr, ip.saddr, 16);
	__builtin_memcpy(ev->daddr, ip.daddr, 16);
	next = ip.nexthdr;

#pragma unroll
	for (int i = 0; i < PKT_MAX_EXT; i++) {
		if (!ipv6_ext(next))
			break;
		if (load(skb, off, ext, sizeof ext))
			break; /* cut short: unparsed, below */
		if (next == IPPROTO_FRAGMENT) {
			ev->flags |= PKT_FRAG;
			/* offset: the high 13 bits of bytes 2-3 */
			if ((ext[2] << 8 | ext[3]) & 0xfff8) {
				ev->proto = ext[0];
				ev->flags |= PKT_NO_PORTS;
				return -1;
			}
			off += 8;
		} else if (next == IPPROTO_AH) {
			off += (ext[1] + 2) * 4;
		} else {
			off += (ext[1] + 1) * 8;
		}
		next = ext[0];
	}
	ev->proto = next;
	if (ipv6_ext(next)) {  /* more headers than we walk, or cut short */
		ev->flags |= PKT_UNPARSED | PKT_NO_PORTS;
		return -1;
	}
	return off;
}

/* Ports (TCP, UDP), type and code (ICMP), TCP flags. Other protocols
 * leave zeros and set PKT_NO_PORTS; a header too short for its ports (or
 * type and code) sets PKT_UNPARSED too. TCP's flags are read when they
 * are there, but its ports do not wait for them: a first fragment may
 * end after 8 bytes of TCP. */
static __always_inline void parse_l4(struct __sk_buff *skb, int off,
				     struct packet_event *ev)
{
	struct l4hdr l4 = {};
	__u32 at = (__u32)off & 0xffff;

	switch (ev->proto) {
	case IPPROTO_TCP:
		if (!load(skb, at, &l4, sizeof l4))
			break;
		/* fall through: ports alone, flags 0 (a failed load
		 * cleared l4) */
	case IPPROTO_UDP:
		if (load(skb, at, &l4, 4))
			goto unparsed;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (load(skb, at, &l4, 2))
			goto unparsed;
		break;
	default:
		ev->flags |= PKT_NO_PORTS;
		return;
	}
	if (ev->proto == IPPROTO_ICMP || ev->proto == IPPROTO_ICMPV6) {
		__u8 *tc = (__u8 *)&l4;

		ev->sport = tc[0]; /* type */
		ev->dport = tc[1]; /* code */
		return;
	}
	ev->sport = rt_ntohs(l4.sport);
	ev->dport = rt_ntohs(l4.dport);
	if (ev->proto == IPPROTO_TCP)
		ev->tcp_flags = l4.tcp_flags;
	return;
unparsed:
	ev->flags |= PKT_UNPARSED | PKT_NO_PORTS;
}

/* ---- filters ------------------------------------------------------------ */

static __always_inline bool addr_is(const __u8 *a)
{
	int n = knobs.host_ver == 4 ? 4 : 16;

	for (int i = 0; i < 16; i++) {
		if (i >= n)
			break;
		if (a[i] != knobs.host[i])
			return false;
	}
	return true;
}

/* --proto and --port. */
static __always_inline bool l4_wanted(const struct packet_event *ev)
{
	if (knobs.proto && ev->proto != knobs.proto)
		return false;
	/* ICMP's type and code are not ports, and a later fragment has
	 * none: neither matches a port. */
	if (knobs.port) {
		if (ev->flags & PKT_NO_PORTS)
			return false;
		if (ev->proto != IPPROTO_TCP && ev->proto != IPPROTO_UDP)
			return false;
		if (ev->sport != knobs.port && ev->dport != knobs.port)
			return false;
	}
	return true;
}

static __always_inline bool wanted(const struct packet_event *ev)
{
	/* What could not be parsed might be anything: only --host, whose
	 * addresses were read, applies to it. */
	if (!(ev->flags & PKT_UNPARSED) && !l4_wanted(ev))
		return false;
	if (knobs.host_ver) {
		if (ev->ver != knobs.host_ver)
			return false;
		if (!addr_is(ev->saddr) && !addr_is(ev->daddr))
			return false;
	}
	return true;
}

/* ---- the program ------------------------------------------------------------ */

SEC("socket")
int packets(struct __sk_buff *skb)
{
	struct packet_event ev = {};
	int off;

	if (skb->pkt_type == PACKET_OUTGOING && skb->ifindex == LOOPBACK_IFINDEX)
		return 0;
	if (skb->protocol == rt_ntohs(ETH_P_IP))
		off = parse_ipv4(skb, &ev);
	else if (skb->protocol == rt_ntohs(ETH_P_IPV6))
		off = parse_ipv6(skb, &ev);
	else
		return 0; /* ARP, LLDP, ...: not IP */
	if (!ev.ver)
		return 0; /* not a header we can read */
	if (off >= 0)
		parse_l4(skb, off, &ev);
	if (!wanted(&ev))
		return 0;
	ev.ts_ns = event_time();
	ev.ifindex = skb->ifindex;
	ev.pkt_type = skb->pkt_type;
	event_output(skb, &ev, sizeof ev);
	return 0; /* queue nothing: see the top of this file */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
