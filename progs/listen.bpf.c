/* listen.bpf.c: kernel side of `rawtrace listen` (like solisten).
 *
 * One event per listen() that reaches inet_listen, the listen of TCP
 * sockets over IPv4 and IPv6: who, the result, the protocol, the backlog,
 * the network namespace, and the address and port listened on.
 *
 * Two backends live in this object; user space loads the programs of one:
 *
 *   kprobe:     kp_listen/kret_listen on inet_listen. Entry saves the
 *               struct socket * and the backlog by thread id; the return
 *               probe reads the socket.
 *   tracepoint: tp_enter_listen/tp_exit_listen on
 *               syscalls:sys_{enter,exit}_listen, for kernels without
 *               kprobes. Entry saves fd and backlog; exit finds the socket
 *               through the task's fd table and drops what inet_listen
 *               would not have seen.
 *
 * Address and port are read on return, from the socket: a listen() with
 * no bind() before it gets its port inside inet_listen (autobind), so an
 * entry-time read, as solisten does, would show port 0.
 *
 * Both end in emit_listen(), one out-of-line function, so for the same
 * listen() the two backends send the same event, timestamp aside.
 *
 * Differences that remain, because the hooks are not the same place:
 * the kprobes also see listens the kernel makes for itself (kernel_listen:
 * nfsd, ksmbd, ...) and io_uring's IORING_OP_LISTEN, and, on kernels
 * whose mptcp_listen calls the subflow's ops->listen (6.1 does), MPTCP
 * listens, as a TCP socket. The
 * tracepoints also see TCP listens an LSM refuses before inet_listen
 * runs.
 */
#include <stdbool.h>
#include "include/rawtrace_bpf.h"
#include "include/knobs.h"

/* Set by user space, all at once, in .rodata before load (include/knobs.h). */
const volatile struct listen_knobs knobs = { .c.want_time = 1 };

#include "include/events.bpf.h"
#include "include/kernel_types.h"
#include "include/events.h"
#include "include/sock_fd.bpf.h"
#include "include/scope.bpf.h"

#define EBADF    9
#define ENOTSOCK 88

#define SOCK_STREAM 1
#define IPPROTO_TCP 6


/* ---- maps --------------------------------------------------------------- */

/* What the entry probe leaves for the exit probe of the same thread. */
struct listen_args {
	struct socket *sock;      /* kprobe backend */
	__s32 fd;                 /* tracepoint backend */
	__s32 backlog;            /* kprobe: clamped already; tp: as passed */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);               /* thread id */
	__type(value, struct listen_args);
} pending SEC(".maps");

/* Checked at entry, so unwanted threads never take a slot in pending. */
static __always_inline bool task_wanted(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (knobs.c.target_pid && tgid != knobs.c.target_pid)
		return false;
	return cgroup_wanted();
}

static __always_inline void save_args(struct socket *sock, int fd,
				      int backlog)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct listen_args args = {};

	args.sock = sock;
	args.fd = fd;
	args.backlog = backlog;
	bpf_map_update_elem(&pending, &tid, &args, BPF_ANY);
}

/* The one place events are made, shared by both backends. Out of line
 * (a bpf-to-bpf call) so the two backends run the very same code.
 *   sk:      the socket listen() was called on;
 *   backlog: what inet_listen got;
 *   ret:     0 or -errno. */
static __noinline int emit_listen(void *ctx, struct sock *sk, int backlog,
				  int ret)
{
	struct listen_event ev = {};
	__u64 id;
	__u16 family;

	family = CORE_GET(sk->__sk_common.skc_family);
	if (family == AF_INET)
		ev.ver = 4;
	else if (family == AF_INET6)
		ev.ver = 6;
	else
		return 0;

	/* After the call: for an autobind, the port inet_listen picked. */
	ev.port = CORE_GET(sk->__sk_common.skc_num);
	if (ev.ver == 4)
		CORE_READ((__be32 *)ev.addr, &sk->__sk_common.skc_rcv_saddr);
	else if (SKC_HAS_V6)
		CORE_READ((struct in6_addr *)ev.addr,
			  &sk->__sk_common.skc_v6_rcv_saddr);

	ev.netns = sock_netns(sk);
	if (!netns_wanted(ev.netns))
		return 0;
	ev.cgroup_id = bpf_get_current_cgroup_id();

	id = bpf_get_current_pid_tgid();
	ev.ts_ns = event_time();
	ev.pid = id >> 32;
	ev.tid = (__u32)id;
	ev.ret = ret;
	ev.backlog = backlog;
	ev.type = (__u8)CORE_GET(sk->sk_type);
	bpf_get_current_comm(ev.comm, sizeof ev.comm);

	event_output(ctx, &ev, sizeof ev);
	return 0;
}

/* ---- kprobe backend ---------------------------------------------------------- */

/* int inet_listen(struct socket *sock, int backlog) */
SEC("kprobe/inet_listen")
int kp_listen(struct pt_regs *ctx)
{
	if (task_wanted())
		save_args((struct socket *)PT_REGS_PARM1(ctx), -1,
			  (int)PT_REGS_PARM2(ctx));
	return 0;
}

SEC("kretprobe/inet_listen")
int kret_listen(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct listen_args *args;
	struct socket *sock;
	struct sock *sk;

	args = bpf_map_lookup_elem(&pending, &tid);
	if (!args)
		return 0; /* entry filtered out, or pending was full */
	sock = args->sock; /* our own struct: a plain load, not CO-RE */
	sk = CORE_GET(sock->sk);
	if (sk)
		emit_listen(ctx, sk, args->backlog, (int)PT_REGS_RC(ctx));
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

/* ---- tracepoint backend ---------------------------------------------------------- */

/* Whether listen() on sk goes to inet_listen: only TCP stream sockets of
 * AF_INET/AF_INET6 have it as their proto_ops.listen. UDP and raw sockets
 * fail in sock_no_listen, MPTCP and SCTP have their own. */
static __always_inline bool reaches_inet_listen(struct sock *sk)
{
	__u16 family = CORE_GET(sk->__sk_common.skc_family);

	if (family != AF_INET && family != AF_INET6)
		return false;
	if (CORE_GET(sk->sk_type) != SOCK_STREAM)
		return false;
	return CORE_READ_BITFIELD(sk, sk_protocol) == IPPROTO_TCP;
}

/* __sys_listen clamps the backlog to the socket's netns net.core.somaxconn
 * (as unsigned, so a negative one becomes somaxconn) before it calls
 * inet_listen: do the same, so both backends show the same number. */
static __always_inline int clamp_backlog(struct sock *sk, int backlog)
{
	struct net *net = CORE_GET(sk->__sk_common.skc_net.net);
	int somaxconn;

	if (!net)
		return backlog;
	somaxconn = CORE_GET(net->core.sysctl_somaxconn);
	if ((unsigned int)backlog > (unsigned int)somaxconn)
		backlog = somaxconn;
	return backlog;
}

/* listen(int fd, int backlog) */
SEC("tracepoint/syscalls/sys_enter_listen")
int tp_enter_listen(struct trace_sys_enter *ctx)
{
	if (task_wanted())
		save_args(0, (int)ctx->args[0], (int)ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_listen")
int tp_exit_listen(struct trace_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct listen_args *args;
	struct sock *sk;
	int ret = (int)ctx->ret;

	args = bpf_map_lookup_elem(&pending, &tid);
	if (!args)
		return 0;
	/* Not a socket: the fd lookup failed before any listen code ran,
	 * and private_data is no struct socket. */
	if (ret == -EBADF || ret == -ENOTSOCK)
		goto out;
	sk = sock_of_fd(args->fd);
	if (sk && reaches_inet_listen(sk))
		emit_listen(ctx, sk, clamp_backlog(sk, args->backlog), ret);
out:
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
