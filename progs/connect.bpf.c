/* connect.bpf.c: kernel side of `rawtrace connect` (like tcpconnect).
 *
 * One event per TCP connect that reaches tcp_v4_connect/tcp_v6_connect:
 * who, the 4-tuple, and RET, what that function returned. RET is 0 when
 * the SYN went out: it says the kernel started the handshake, not how the
 * handshake ended (a connect to a closed port has RET 0, as in tcpconnect).
 * With --result (knobs.wait_result) the event is held back until the socket
 * leaves SYN_SENT, and says how: ESTABLISHED ("ok") or CLOSE with sk_err
 * (ECONNREFUSED after a RST, ETIMEDOUT, ...).
 *
 * Two backends live in this object; user space loads the programs of one:
 *
 *   kprobe:     kp_connect4/kret_connect4 on tcp_v4_connect, kp_connect6/
 *               kret_connect6 on tcp_v6_connect. Entry saves the sock and
 *               a copy of the address by thread id; the return probe has
 *               RET and a socket still in SYN_SENT (the caller holds the
 *               socket lock, so replies wait in its backlog). With
 *               --result, tp_state too.
 *   tracepoint: tp_enter_connect/tp_exit_connect on syscalls:sys_{enter,
 *               exit}_connect, plus tp_state on sock:inet_sock_set_state,
 *               for kernels without kprobes. tcp_v*_connect moves the
 *               socket CLOSE -> SYN_SENT in the caller's context, so that
 *               transition, seen between enter and exit of connect(),
 *               says tcp_v*_connect ran and names the sock. RET is then
 *               derived from connect()'s result:
 *                 - SYN_SENT seen, socket still in it or left it with a
 *                   peer's verdict (sk_err set): 0;
 *                 - SYN_SENT seen, then CLOSE with no sk_err, still inside
 *                   connect(): tcp_v*_connect's own failure path (no free
 *                   port, ...): connect()'s error;
 *                 - no SYN_SENT: connect()'s error when it is one only
 *                   tcp_v*_connect returns before SYN_SENT (EINVAL,
 *                   EAFNOSUPPORT, ENETUNREACH, ...) on a TCP socket still
 *                   in CLOSE; else the call never reached it: no event.
 *               A blocking connect() may return after the handshake and
 *               the socket may already be torn down (refused): so the
 *               4-tuple is taken from the first transition after
 *               SYN_SENT when there was one, which carries it whole.
 *
 * Both backends end in connect_done(), one out-of-line function, so for
 * the same connect they send the same event, timestamp aside.
 *
 * Differences that remain: the kprobes also see connects the kernel makes
 * itself (NFS, iSCSI, ...), io_uring's IORING_OP_CONNECT and TCP Fast
 * Open's sendto(MSG_FASTOPEN); the tracepoint backend sees only connect().
 * The tracepoint backend takes EACCES/EPERM as an LSM's or a cgroup
 * program's refusal (before tcp_v*_connect), though a "prohibit" route
 * gives EACCES from inside it.
 */
#include <stdbool.h>
#include "include/rawtrace_bpf.h"
#include "include/knobs.h"

/* Set by user space, all at once, in .rodata before load (include/knobs.h). */
const volatile struct connect_knobs knobs = {
	.c.want_time = 1, .target_uid = (__u32)-1, .ignore_errors = 1,
};

#include "include/events.bpf.h"
#include "include/kernel_types.h"
#include "include/events.h"
#include "include/sock_fd.bpf.h"
#include "include/scope.bpf.h"
#include "include/sockaddr.bpf.h"
#include "include/port_filter.bpf.h"

#define EINVAL        22
#define ENOMEM        12
#define EAFNOSUPPORT  97
#define EADDRNOTAVAIL 99
#define ENETUNREACH   101
#define ENOBUFS       105
#define EHOSTUNREACH  113

#define AF_UNSPEC   0
#define SOCK_STREAM 1
#define IPPROTO_TCP 6

/* include/net/tcp_states.h */
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT    2
#define TCP_CLOSE       7

/* Largest sockaddr connect() takes (struct sockaddr_storage); longer is
 * EINVAL in move_addr_to_kernel, before any protocol code runs. */
#define SOCKADDR_STORAGE_SIZE 128


/* ---- maps --------------------------------------------------------------- */

/* What the entry probe leaves for the exit probe of the same thread. */
struct connect_args {
	struct sock *sk;          /* kprobe: the argument; tp: from SYN_SENT */
	__s32 fd;                 /* tracepoint backend */
	__s32 addrlen;            /* as passed */
	union sockaddr_any addr;  /* first min(addrlen, 28) bytes, rest zero */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);               /* thread id */
	__type(value, struct connect_args);
} pending SEC(".maps");

/* A connect between SYN_SENT and its event, by sock: the state change
 * after SYN_SENT may run anywhere (softirq, another CPU). */
struct conn {
	struct connect_event ev;
	__u8 seen;                /* the state after SYN_SENT is in ev */
	__u8 pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* a lost half must not leak */
	__uint(max_entries, 10240);
	__type(key, __u64);               /* struct sock * */
	__type(value, struct conn);
} conns SEC(".maps");

/* --result: the first of the two halves (connect returned, socket left
 * SYN_SENT) to finish puts the sock here; the second finds it and sends.
 * Insert-if-absent is atomic, so exactly one of them sends. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u8);
} arrived SEC(".maps");

/* ---- filters ------------------------------------------------------------ */

/* Checked at entry, so unwanted threads never take a slot in pending. */
static __always_inline bool task_wanted(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 uid = (__u32)bpf_get_current_uid_gid();

	if (knobs.c.target_pid && tgid != knobs.c.target_pid)
		return false;
	if (knobs.target_uid != (__u32)-1 && uid != knobs.target_uid)
		return false;
	return cgroup_wanted();
}

/* ---- filling the event -------------------------------------------------- */

static __always_inline void fill_task(struct connect_event *ev, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();

	ev->ts_ns = event_time();
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->uid = (__u32)bpf_get_current_uid_gid();
	ev->ret = ret;
	ev->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(ev->comm, sizeof ev->comm);
}

/* The 4-tuple from the socket, the fields inet_sock_set_state reads.
 * -1 if it is not an inet socket. */
static __always_inline int fill_from_sock(struct connect_event *ev,
					  struct sock *sk)
{
	struct inet_sock *inet = (struct inet_sock *)sk;
	__u16 family = CORE_GET(sk->__sk_common.skc_family);

	if (family == AF_INET) {
		ev->ver = 4;
		CORE_READ((__be32 *)ev->saddr, &inet->inet_saddr);
		CORE_READ((__be32 *)ev->daddr, &sk->__sk_common.skc_daddr);
	} else if (family == AF_INET6 && SKC_HAS_V6) {
		ev->ver = 6;
		CORE_READ((struct in6_addr *)ev->saddr,
			  &sk->__sk_common.skc_v6_rcv_saddr);
		CORE_READ((struct in6_addr *)ev->daddr,
			  &sk->__sk_common.skc_v6_daddr);
	} else {
		return -1;
	}
	ev->sport = rt_ntohs(CORE_GET(inet->inet_sport));
	ev->dport = rt_ntohs(CORE_GET(sk->__sk_common.skc_dport));
	return 0;
}

/* The same, from the tracepoint's record. */
static __always_inline void fill_from_record(struct connect_event *ev,
				const struct trace_inet_sock_set_state *r)
{
	ev->sport = r->sport;
	ev->dport = r->dport;
	if (r->family == AF_INET) {
		ev->ver = 4;
		__builtin_memcpy(ev->saddr, r->saddr, 4);
		__builtin_memcpy(ev->daddr, r->daddr, 4);
	} else {
		ev->ver = 6;
		__builtin_memcpy(ev->saddr, r->saddr_v6, 16);
		__builtin_memcpy(ev->daddr, r->daddr_v6, 16);
	}
}

static __always_inline void copy_tuple(struct connect_event *dst,
				       const struct connect_event *src)
{
	dst->ver = src->ver;
	dst->sport = src->sport;
	dst->dport = src->dport;
	__builtin_memcpy(dst->saddr, src->saddr, 16);
	__builtin_memcpy(dst->daddr, src->daddr, 16);
}

/* ---- the two halves of --result ----------------------------------------- */

/* 1 if the other half already got here: the caller sends. */
static __always_inline bool second_to_arrive(__u64 key)
{
	__u8 one = 1;

	return bpf_map_update_elem(&arrived, &key, &one, BPF_NOEXIST) != 0;
}

static __always_inline void forget(__u64 key)
{
	bpf_map_delete_elem(&conns, &key);
	bpf_map_delete_elem(&arrived, &key);
}

/* The one place a connect is finished, shared by both backends. Out of
 * line (a bpf-to-bpf call) so the two backends run the very same code.
 *   sk:  the socket tcp_v*_connect worked on;
 *   req: the address the caller passed (shown when ret != 0);
 *   ret: tcp_v*_connect's result, 0 or -errno. */
static __noinline int connect_done(void *ctx, struct sock *sk,
				   const union sockaddr_any *req, int ret)
{
	__u64 key = (__u64)sk;
	struct connect_event ev = {};
	struct conn fresh = {};
	struct conn *c;
	__u32 netns;

	c = bpf_map_lookup_elem(&conns, &key);
	if (ret && knobs.ignore_errors)
		goto out;
	netns = sock_netns(sk);
	if (!netns_wanted(netns))
		goto out;
	if (!ret && knobs.wait_result) {
		/* Held until the socket leaves SYN_SENT. */
		if (!c) {
			bpf_map_update_elem(&conns, &key, &fresh, BPF_NOEXIST);
			c = bpf_map_lookup_elem(&conns, &key);
			if (!c)
				return 0;
		}
		fill_task(&c->ev, 0);
		c->ev.netns = netns;
		if (!c->seen && fill_from_sock(&c->ev, sk))
			goto out;
		if (!second_to_arrive(key))
			return 0;
		event_output(ctx, &c->ev, sizeof c->ev);
		goto out;
	}

	fill_task(&ev, ret);
	ev.netns = netns;
	if (!ret && c && c->seen) {
		copy_tuple(&ev, &c->ev);   /* the socket may be gone by now */
	} else {
		if (fill_from_sock(&ev, sk))
			goto out;
		if (ret) {
			/* No connection: show where it was meant to go. */
			ev.dport = rt_ntohs(req->v4.sin_port); /* same in v6 */
			__builtin_memset(ev.daddr, 0, 16);
			if (ev.ver == 4)
				__builtin_memcpy(ev.daddr, &req->v4.sin_addr, 4);
			else
				__builtin_memcpy(ev.daddr, &req->v6.sin6_addr, 16);
		}
	}
	event_output(ctx, &ev, sizeof ev);
out:
	if (c)
		forget(key);
	return 0;
}

/* Saves what the exit side needs. `user` says whether addr points to user
 * memory (the syscall argument) or kernel memory (the kernel's copy). Only
 * addrlen bytes are copied, so both backends see the same bytes. The -P
 * filter is applied here, to the port asked for: that is the socket's
 * dport afterwards. */
static __always_inline void save_args(struct sock *sk, int fd,
				      const void *addr, int addrlen, bool user)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct connect_args args = {};

	args.sk = sk;
	args.fd = fd;
	args.addrlen = addrlen;
	copy_sockaddr(&args.addr, addr, addrlen, user);
	if (!port_wanted(rt_ntohs(args.addr.v4.sin_port)))
		return;
	bpf_map_update_elem(&pending, &tid, &args, BPF_ANY);
}

/* ---- kprobe backend ---------------------------------------------------------- */

/* int tcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len),
 * and tcp_v6_connect with the same arguments. */
static __always_inline int kprobe_entry(struct pt_regs *ctx)
{
	if (task_wanted())
		save_args((struct sock *)PT_REGS_PARM1(ctx), -1,
			  (const void *)PT_REGS_PARM2(ctx),
			  (int)PT_REGS_PARM3(ctx), false);
	return 0;
}

static __always_inline int kprobe_exit(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct connect_args *args;

	args = bpf_map_lookup_elem(&pending, &tid);
	if (!args)
		return 0; /* entry filtered out, or pending was full */
	if (args->sk)
		connect_done(ctx, args->sk, &args->addr, (int)PT_REGS_RC(ctx));
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int kp_connect4(struct pt_regs *ctx)
{
	return kprobe_entry(ctx);
}

SEC("kretprobe/tcp_v4_connect")
int kret_connect4(struct pt_regs *ctx)
{
	return kprobe_exit(ctx);
}

SEC("kprobe/tcp_v6_connect")
int kp_connect6(struct pt_regs *ctx)
{
	return kprobe_entry(ctx);
}

SEC("kretprobe/tcp_v6_connect")
int kret_connect6(struct pt_regs *ctx)
{
	return kprobe_exit(ctx);
}

/* ---- socket states: both backends with --result, and the tracepoint one --- */

/* CLOSE -> SYN_SENT, inside tcp_v*_connect, in the caller's context: if
 * the caller is in a connect we follow, note the sock and start a conn. */
static __always_inline int on_syn_sent(__u64 key)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct connect_args *args;
	struct conn fresh = {};

	args = bpf_map_lookup_elem(&pending, &tid);
	if (!args)
		return 0;
	args->sk = (struct sock *)key;
	bpf_map_update_elem(&conns, &key, &fresh, BPF_ANY);
	bpf_map_delete_elem(&arrived, &key);
	return 0;
}

/* SYN_SENT -> anything: the handshake's outcome, in any context. */
static __always_inline int on_syn_done(struct trace_inet_sock_set_state *ctx,
				       __u64 key)
{
	struct sock *sk = (struct sock *)key;
	struct conn *c;

	c = bpf_map_lookup_elem(&conns, &key);
	if (!c || c->seen)
		return 0;
	fill_from_record(&c->ev, ctx);
	if (ctx->newstate == TCP_CLOSE) {
		c->ev.result = CONNECT_RESULT_CLOSED;
		c->ev.result_err = (__u16)CORE_GET(sk->sk_err);
	} else {
		c->ev.result = CONNECT_RESULT_OK;
	}
	c->seen = 1;
	if (!knobs.wait_result || !second_to_arrive(key))
		return 0;
	event_output(ctx, &c->ev, sizeof c->ev);
	forget(key);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int tp_state(struct trace_inet_sock_set_state *ctx)
{
	__u64 key = (__u64)ctx->skaddr;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (ctx->oldstate == TCP_CLOSE && ctx->newstate == TCP_SYN_SENT)
		return on_syn_sent(key);
	if (ctx->oldstate == TCP_SYN_SENT)
		return on_syn_done(ctx, key);
	return 0;
}

/* ---- tracepoint backend ---------------------------------------------------------- */

/* connect(int fd, struct sockaddr *uservaddr, int addrlen) */
SEC("tracepoint/syscalls/sys_enter_connect")
int tp_enter_connect(struct trace_sys_enter *ctx)
{
	if (task_wanted())
		save_args(0, (int)ctx->args[0], (const void *)ctx->args[1],
			  (int)ctx->args[2], true);
	return 0;
}

/* The errors tcp_v*_connect returns before it moves to SYN_SENT (bad
 * address, no route, multicast destination, ...). Others without a
 * SYN_SENT come from the layers above it: EBADF, EISCONN, EALREADY, an
 * LSM's EACCES, a signal, ... */
static __always_inline bool early_tcp_error(int ret)
{
	switch (-ret) {
	case EINVAL:
	case EAFNOSUPPORT:
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
	case ENOMEM:
	case ENOBUFS:
		return true;
	}
	return false;
}

/* A TCP socket of AF_INET/AF_INET6, still in CLOSE: one whose connect()
 * goes to tcp_v*_connect (MPTCP sockets have IPPROTO_MPTCP). */
static __always_inline bool unconnected_tcp(struct sock *sk)
{
	__u16 family = CORE_GET(sk->__sk_common.skc_family);

	if (family != AF_INET && family != AF_INET6)
		return false;
	if (CORE_GET(sk->sk_type) != SOCK_STREAM ||
	    CORE_READ_BITFIELD(sk, sk_protocol) != IPPROTO_TCP)
		return false;
	/* skc_state is volatile: a plain-field read through the bitfield
	 * macro avoids dropping the qualifier in CORE_GET. */
	return CORE_READ_BITFIELD(sk, __sk_common.skc_state) == TCP_CLOSE;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tp_exit_connect(struct trace_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct connect_args *args;
	struct conn *c;
	struct sock *sk;
	__u64 key;
	int ret = (int)ctx->ret, kret = 0;

	args = bpf_map_lookup_elem(&pending, &tid);
	if (!args)
		return 0;
	sk = args->sk;
	if (sk) {
		/* tcp_v*_connect ran. It failed only if it closed the socket
		 * itself: CLOSE with no error from a peer, within connect(). */
		key = (__u64)sk;
		c = bpf_map_lookup_elem(&conns, &key);
		if (c && c->seen && c->ev.result == CONNECT_RESULT_CLOSED &&
		    c->ev.result_err == 0 && ret < 0)
			kret = ret;
		connect_done(ctx, sk, &args->addr, kret);
	} else if (early_tcp_error(ret) &&
		   args->addrlen >= 2 && args->addrlen <= SOCKADDR_STORAGE_SIZE &&
		   args->addr.v4.sin_family != AF_UNSPEC) {
		sk = sock_of_fd(args->fd);
		if (sk && unconnected_tcp(sk))
			connect_done(ctx, sk, &args->addr, ret);
	}
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
