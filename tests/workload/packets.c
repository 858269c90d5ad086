/* Known packets on lo, for the end-to-end tests of `rawtrace packets`.
 *
 * Sends each packet below and prints the JSON line rawtrace must report
 * for it (without "ts"), so the test only has to compare:
 *   UDP over IPv4 and IPv6, the SYN of a TCP connect over both, an ICMP
 *   and an ICMPv6 echo (request and the kernel's reply), a UDP datagram
 *   sent as two hand-made fragments over IPv4 and over IPv6, and one
 *   behind an IPv6 hop-by-hop header; and two hand-made TCP SYNs a
 *   filter must not miss: one whose first IPv4 fragment holds only the
 *   8 bytes of TCP with the ports, one to ::1 behind 7 destination
 *   options headers (more than the filter walks: "unparsed"). The
 *   kernel answers both (SYN-ACK, then our RST: no socket sent them).
 *   And a first IPv4 fragment too short for the ports, and an IPv4 and
 *   an IPv6 header cut short (all three unparsed).
 * Every UDP destination has a bound receiver, so no ICMP "port
 * unreachable" comes back. Needs root (raw sockets). Static (musl) so it
 * runs in the VM's busybox initramfs too.
 * Usage: packets [BASE_PORT]   (ports BASE..BASE+19 are used) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_packet.h>

static int base;

/* A port, an ICMP type or code the packet does not have: null. */
#define NONE (-1)

static void key_num(const char *key, int v)
{
	if (v == NONE)
		printf(",\"%s\":null", key);
	else
		printf(",\"%s\":%d", key, v);
}

/* The line of one packet: ports (TCP, UDP) or type and code (ICMP,
 * ICMPv6), NONE where it has none; unparsed: the key is written only
 * on such packets. */
static void line(const char *proto, const char *saddr, int sport,
		 const char *daddr, int dport, int type, int code, int len,
		 const char *flags, int frag, int unparsed)
{
	printf("{\"if\":\"lo\",\"proto\":\"%s\",\"saddr\":\"%s\"", proto,
	       saddr);
	key_num("sport", sport);
	printf(",\"daddr\":\"%s\"", daddr);
	key_num("dport", dport);
	key_num("icmp_type", type);
	key_num("icmp_code", code);
	printf(",\"len\":%d,\"flags\":\"%s\",\"frag\":%d%s}\n", len, flags,
	       frag, unparsed ? ",\"unparsed\":1" : "");
}

/* TCP or UDP, or a later fragment (ports NONE). */
static void expect(const char *proto, const char *saddr, int sport,
		   const char *daddr, int dport, int len, const char *flags,
		   int frag)
{
	line(proto, saddr, sport, daddr, dport, NONE, NONE, len, flags, frag,
	     0);
}

/* What the filter could not parse: no ports, no type or code. */
static void expect_unparsed(const char *proto, const char *addr, int len,
			    int frag)
{
	line(proto, addr, NONE, addr, NONE, NONE, NONE, len, "", frag, 1);
}

static int fail(const char *what)
{
	fprintf(stderr, "packets: %s: %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t make_addr(int family, const char *addr, int port,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &in->sin_addr);
		return sizeof *in;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &in6->sin6_addr);
		return sizeof *in6;
	}
}

/* A socket bound to addr:port; kept open until exit. */
static int bound(int family, int type, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, addr, port, &ss);
	int one = 1, fd = socket(family, type, 0);

	if (fd < 0)
		fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len))
		fail("bind");
	return fd;
}

static void send_to(int fd, int family, const char *addr, int port,
		    const void *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, addr, port, &ss);

	if (sendto(fd, buf, n, 0, (struct sockaddr *)&ss, len) != (ssize_t)n)
		fail("sendto");
}

/* ---- UDP ----------------------------------------------------------------- */

static void udp(int family, const char *addr, int sport, int dport,
		size_t payload)
{
	char buf[64] = "rawtrace packets test";
	int hdr = family == AF_INET ? 20 : 40;

	bound(family, SOCK_DGRAM, addr, dport);
	send_to(bound(family, SOCK_DGRAM, addr, sport), family, addr, dport,
		buf, payload);
	expect("UDP", addr, sport, addr, dport, hdr + 8 + (int)payload, "", 0);
}

/* ---- TCP: the SYN of a connect ----------------------------------------- */

static int sysctl_on(const char *name)
{
	char path[128];
	int v = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/sys/net/ipv4/%s", name);
	f = fopen(path, "r");
	if (!f)
		return 1;  /* the defaults are on */
	if (fscanf(f, "%d", &v) != 1)
		v = 1;
	fclose(f);
	return v != 0;
}

/* The SYN's TCP header: 20 bytes, MSS (4), timestamps (12, SACK-permitted
 * folded in) or SACK-permitted alone (4), window scale (4): the kernel's
 * tcp_options_write. */
static int syn_tcp_len(void)
{
	int ts = sysctl_on("tcp_timestamps"), sack = sysctl_on("tcp_sack");

	return 20 + 4 + (ts ? 12 : sack ? 4 : 0) +
	       (sysctl_on("tcp_window_scaling") ? 4 : 0);
}

static void tcp_syn(int family, const char *addr, int sport, int dport)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(family, addr, dport, &ss);
	int lfd = bound(family, SOCK_STREAM, addr, dport);
	int fd = bound(family, SOCK_STREAM, addr, sport);

	if (listen(lfd, 1))
		fail("listen");
	if (connect(fd, (struct sockaddr *)&ss, len))
		fail("connect");
	expect("TCP", addr, sport, addr, dport,
	       (family == AF_INET ? 20 : 40) + syn_tcp_len(), "S", 0);
}

/* ---- ICMP echo ------------------------------------------------------------- */

static uint16_t checksum(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; n > 1; n -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* Waits (1 s at most) for the reply, so it has been sent when we exit. */
static void wait_reply(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[256];

	if (poll(&p, 1, 1000) == 1)
		recv(fd, buf, sizeof buf, 0);
}

/* An echo request with 16 bytes of data; the kernel answers it. */
static void ping(int family, const char *addr)
{
	int v6 = family == AF_INET6;
	int fd = socket(family, SOCK_RAW, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	uint8_t msg[8 + 16];
	int len = (v6 ? 40 : 20) + (int)sizeof msg;

	if (fd < 0)
		fail("raw ICMP socket");
	memset(msg, 0, sizeof msg);
	msg[0] = v6 ? 128 : 8;                 /* echo request */
	msg[4] = (uint8_t)(base >> 8);         /* identifier */
	msg[5] = (uint8_t)base;
	msg[7] = 1;                            /* sequence */
	memcpy(msg + 8, "rawtrace-packets", 16);
	if (!v6)  /* ICMPv6 raw sockets get their checksum from the kernel */
		memcpy(msg + 2, &(uint16_t){ checksum(msg, sizeof msg) }, 2);
	send_to(fd, family, addr, 0, msg, sizeof msg);
	wait_reply(fd);
	line(v6 ? "ICMPv6" : "ICMP", addr, NONE, addr, NONE, v6 ? 128 : 8, 0,
	     len, "", 0, 0);
	line(v6 ? "ICMPv6" : "ICMP", addr, NONE, addr, NONE, v6 ? 129 : 0, 0,
	     len, "", 0, 0);
}

/* ---- fragments ------------------------------------------------------------- */

/* One IPv4 fragment of protocol proto, header included (the kernel fills
 * tot_len and the header checksum). off8: fragment offset in 8-byte
 * units; id: base + id is the datagram's. */
static void send_frag4(int fd, int proto, int id, uint16_t off8, int more,
		       const void *data, size_t n)
{
	uint8_t pkt[20 + 64];

	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)((20 + n) >> 8);
	pkt[3] = (uint8_t)(20 + n);
	pkt[4] = (uint8_t)((base + id) >> 8);
	pkt[5] = (uint8_t)(base + id);
	pkt[6] = (uint8_t)((more ? 0x20 : 0) | off8 >> 8);
	pkt[7] = (uint8_t)off8;
	pkt[8] = 64;                           /* ttl */
	pkt[9] = (uint8_t)proto;
	inet_pton(AF_INET, "127.0.0.1", pkt + 12);
	inet_pton(AF_INET, "127.0.0.1", pkt + 16);
	memcpy(pkt + 20, data, n);
	send_to(fd, AF_INET, "127.0.0.1", 0, pkt, 20 + n);
}

/* A UDP datagram (8 + 32 bytes) in two fragments: the first carries the
 * UDP header and 8 bytes, the second the other 24 at offset 16. */
static void frag4(int sport, int dport)
{
	uint8_t udp[8 + 32];
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW); /* IP_HDRINCL */

	if (fd < 0)
		fail("raw IPv4 socket");
	bound(AF_INET, SOCK_DGRAM, "127.0.0.1", dport);
	memset(udp, 'f', sizeof udp);
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = 0;
	udp[5] = sizeof udp;
	udp[6] = udp[7] = 0;                   /* no checksum (IPv4 allows it) */
	send_frag4(fd, IPPROTO_UDP, 0, 0, 1, udp, 16);
	send_frag4(fd, IPPROTO_UDP, 0, 2, 0, udp + 16, 24);
	expect("UDP", "127.0.0.1", sport, "127.0.0.1", dport, 20 + 16, "", 1);
	expect("UDP", "127.0.0.1", NONE, "127.0.0.1", NONE, 20 + 24, "", 1);
}

/* One IPv6 fragment, headers included: IPv6 (40 bytes) and fragment (8)
 * headers, then data. off: byte offset, a multiple of 8. */
static void send_frag6(int fd, uint16_t off, int more, const void *data,
		       size_t n)
{
	uint8_t pkt[48 + 64];
	size_t plen = 8 + n;

	memset(pkt, 0, 48);
	pkt[0] = 0x60;
	pkt[4] = (uint8_t)(plen >> 8);
	pkt[5] = (uint8_t)plen;
	pkt[6] = 44;                           /* next: fragment header */
	pkt[7] = 64;                           /* hop limit */
	inet_pton(AF_INET6, "::1", pkt + 8);
	inet_pton(AF_INET6, "::1", pkt + 24);
	pkt[40] = IPPROTO_UDP;
	pkt[42] = (uint8_t)(off >> 8);
	pkt[43] = (uint8_t)((off & 0xf8) | (more ? 1 : 0));
	pkt[46] = (uint8_t)(base >> 8);        /* identification */
	pkt[47] = (uint8_t)base;
	memcpy(pkt + 48, data, n);
	send_to(fd, AF_INET6, "::1", 0, pkt, 48 + n);
}

/* The same datagram as frag4, over IPv6 (IPPROTO_RAW: header included).
 * Its UDP checksum is 0, which IPv6 forbids: the reassembled datagram is
 * dropped, silently. The fragments are what we trace. */
static void frag6(int sport, int dport)
{
	uint8_t udp[8 + 32];
	int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0)
		fail("raw IPv6 socket");
	memset(udp, 'f', sizeof udp);
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = 0;
	udp[5] = sizeof udp;
	send_frag6(fd, 0, 1, udp, 16);
	send_frag6(fd, 16, 0, udp + 16, 24);
	expect("UDP", "::1", sport, "::1", dport, 40 + 8 + 16, "", 1);
	expect("UDP", "::1", NONE, "::1", NONE, 40 + 8 + 24, "", 1);
}

/* UDP behind an 8-byte hop-by-hop options header (one PadN option): the
 * ports must still be found. */
static void hopopts6(int sport, int dport)
{
	uint8_t hbh[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
	int fd;

	bound(AF_INET6, SOCK_DGRAM, "::1", dport);
	fd = bound(AF_INET6, SOCK_DGRAM, "::1", sport);
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_HOPOPTS, hbh, sizeof hbh))
		fail("IPV6_HOPOPTS");
	send_to(fd, AF_INET6, "::1", dport, "hop-by-hop", 8);
	expect("UDP", "::1", sport, "::1", dport, 40 + 8 + 8 + 8, "", 0);
}

/* ---- SYNs a filter must not miss -------------------------------------- */

/* A 20-byte TCP SYN header, no options, with its checksum over the
 * pseudo-header (addresses of alen bytes each, length, protocol). */
static void make_syn(uint8_t tcp[20], int sport, int dport,
		     const uint8_t *saddr, const uint8_t *daddr, size_t alen)
{
	uint8_t sum[2 * 16 + 4 + 20];
	size_t n = 2 * alen;

	memset(tcp, 0, 20);
	tcp[0] = (uint8_t)(sport >> 8);
	tcp[1] = (uint8_t)sport;
	tcp[2] = (uint8_t)(dport >> 8);
	tcp[3] = (uint8_t)dport;
	tcp[7] = 1;                            /* seq */
	tcp[12] = 5 << 4;                      /* 20 bytes, no options */
	tcp[13] = 0x02;                        /* SYN */
	tcp[14] = tcp[15] = 0xff;              /* window */
	memcpy(sum, saddr, alen);
	memcpy(sum + alen, daddr, alen);
	/* v4: zero, protocol, length; v6: length and next header in 32
	 * bits each. The same 16-bit words once summed. */
	memset(sum + n, 0, 4);
	sum[n + 1] = IPPROTO_TCP;
	sum[n + 3] = 20;                       /* TCP length */
	memcpy(sum + n + 4, tcp, 20);
	memcpy(tcp + 16, &(uint16_t){ checksum(sum, n + 4 + 20) }, 2);
}

/* The kernel's answer to a SYN with no options: SYN-ACK with MSS (24
 * bytes of TCP); to that, from a port with no socket, a bare RST. */
static void expect_answer(const char *addr, int sport, int dport, int ip)
{
	expect("TCP", addr, dport, addr, sport, ip + 24, "SA", 0);
	expect("TCP", addr, sport, addr, dport, ip + 20, "R", 0);
}

/* A SYN to a listener, in two IPv4 fragments: the first holds only 8
 * bytes of TCP (the ports, the sequence number), the second the other
 * 12 (the flags among them). The kernel reassembles it and answers. */
static void syn_frag4(int sport, int dport)
{
	uint8_t tcp[20], lo[4];
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0)
		fail("raw IPv4 socket");
	if (listen(bound(AF_INET, SOCK_STREAM, "127.0.0.1", dport), 8))
		fail("listen");
	inet_pton(AF_INET, "127.0.0.1", lo);
	make_syn(tcp, sport, dport, lo, lo, 4);
	send_frag4(fd, IPPROTO_TCP, 1, 0, 1, tcp, 8);
	send_frag4(fd, IPPROTO_TCP, 1, 1, 0, tcp + 8, 12);
	expect("TCP", "127.0.0.1", sport, "127.0.0.1", dport, 20 + 8, "", 1);
	expect("TCP", "127.0.0.1", NONE, "127.0.0.1", NONE, 20 + 12, "", 1);
	expect_answer("127.0.0.1", sport, dport, 20);
}

/* A first fragment with 2 bytes of TCP, not even the ports: the kernel
 * drops it (not the last, yet shorter than 8 bytes), and rawtrace shows
 * it as unparsed, which no filter drops. */
static void tiny_frag4(int sport)
{
	uint8_t tcp[2] = { (uint8_t)(sport >> 8), (uint8_t)sport };
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0)
		fail("raw IPv4 socket");
	send_frag4(fd, IPPROTO_TCP, 2, 0, 1, tcp, 2);
	expect_unparsed("TCP", "127.0.0.1", 22, 1);
}

/* A SYN to a listener on ::1 behind 7 destination options headers (8
 * bytes each: one PadN), one more than the filter walks. It must show,
 * as "unparsed" with the last header it read (60) as its protocol. */
#define DSTOPTS 7
static void syn_dstopts6(int sport, int dport)
{
	uint8_t pkt[40 + DSTOPTS * 8 + 20], lo[16];
	size_t plen = DSTOPTS * 8 + 20;
	int i, fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0)
		fail("raw IPv6 socket");
	if (listen(bound(AF_INET6, SOCK_STREAM, "::1", dport), 8))
		fail("listen");
	inet_pton(AF_INET6, "::1", lo);
	memset(pkt, 0, sizeof pkt);
	pkt[0] = 0x60;
	pkt[4] = (uint8_t)(plen >> 8);
	pkt[5] = (uint8_t)plen;
	pkt[6] = 60;                           /* next: destination options */
	pkt[7] = 64;                           /* hop limit */
	memcpy(pkt + 8, lo, 16);
	memcpy(pkt + 24, lo, 16);
	for (i = 0; i < DSTOPTS; i++) {
		uint8_t *h = pkt + 40 + i * 8;

		h[0] = i < DSTOPTS - 1 ? 60 : IPPROTO_TCP;
		h[2] = 1;                      /* PadN, 4 bytes */
		h[3] = 4;
	}
	make_syn(pkt + 40 + DSTOPTS * 8, sport, dport, lo, lo, 16);
	send_to(fd, AF_INET6, "::1", 0, pkt, sizeof pkt);
	expect_unparsed("60", "::1", (int)sizeof pkt, 0);
	expect_answer("::1", sport, dport, 40);
}

/* An Ethernet frame on lo whose IP header is cut short (12 bytes of the
 * 20 of IPv4, 20 of the 40 of IPv6): the kernel drops it, and rawtrace
 * shows it as unparsed, with no addresses (a header the filter cannot
 * read may be one the kernel can, out of the skb's linear part). */
static void short_ip(int family)
{
	uint8_t frame[14 + 20];
	struct sockaddr_ll ll;
	int n = family == AF_INET ? 12 : 20;
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0)
		fail("AF_PACKET socket");
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = (int)if_nametoindex("lo");
	ll.sll_protocol = htons(family == AF_INET ? 0x0800 : 0x86dd);
	memset(frame, 0, sizeof frame);  /* to and from lo's 00:00:...:00 */
	memcpy(frame + 12, &ll.sll_protocol, 2);
	frame[14] = family == AF_INET ? 0x45 : 0x60;
	if (sendto(fd, frame, 14 + (size_t)n, 0, (struct sockaddr *)&ll,
		   sizeof ll) != 14 + n)
		fail("sendto on lo");
	close(fd);
	expect_unparsed("0", family == AF_INET ? "0.0.0.0" : "::", 0, 0);
}

int main(int argc, char **argv)
{
	base = argc > 1 ? atoi(argv[1]) : 47400;
	udp(AF_INET, "127.0.0.1", base, base + 1, 10);
	udp(AF_INET6, "::1", base + 2, base + 3, 20);
	tcp_syn(AF_INET, "127.0.0.1", base + 5, base + 4);
	tcp_syn(AF_INET6, "::1", base + 7, base + 6);
	ping(AF_INET, "127.0.0.1");
	ping(AF_INET6, "::1");
	frag4(base + 9, base + 8);
	frag6(base + 11, base + 10);
	hopopts6(base + 13, base + 12);
	syn_frag4(base + 15, base + 14);
	tiny_frag4(base + 18);
	syn_dstopts6(base + 17, base + 16);
	short_ip(AF_INET);
	short_ip(AF_INET6);
	fflush(stdout);
	return 0;
}
