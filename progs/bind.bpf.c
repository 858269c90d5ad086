/* bind.bpf.c: kernel side of `rawtrace bind` (like bindsnoop).
 *
 * One event per bind() on an AF_INET or AF_INET6 socket: who, the result,
 * the protocol, the socket options that change what bind does, the
 * device, and the address and port.
 *
 * Three backends live in this object; user space loads the programs of one:
 *
 *   fexit:      fexit_bind4 on inet_bind, fexit_bind6 on inet6_bind. One
 *               program per call, run as the function returns, with its
 *               arguments and its result: nothing to carry from entry to
 *               exit, and the socket is read with plain loads. The
 *               cheapest; needs BPF trampolines (5.5+, x86-64 or arm64).
 *   kprobe:     kp_bind4/kret_bind4 on inet_bind, kp_bind6/kret_bind6 on
 *               inet6_bind. Entry saves the struct socket * and a copy of
 *               the address (already a kernel copy) by thread id; the
 *               return probe picks them up.
 *   tracepoint: tp_enter_bind/tp_exit_bind on syscalls:sys_{enter,exit}_bind,
 *               for kernels without kprobes. Entry saves the fd and a copy
 *               of the user's address; exit finds the socket through the
 *               task's fd table.
 *
 * All end in emit_bind(), so the backends cannot drift apart: for the same
 * bind they send the same event, timestamp aside.
 *
 * Differences that remain, because the hooks are not the same place:
 * fexit and the kprobes also see binds the kernel makes for itself (kernel_bind)
 * and io_uring's IORING_OP_BIND; the tracepoints also see binds an LSM
 * refuses before inet_bind runs, and MPTCP sockets (mptcp_bind does not
 * go through inet_bind).
 */
#include <stdbool.h>
#include "include/rawtrace_bpf.h"
#include "include/knobs.h"

/* Set by user space, all at once, in .rodata before load (include/knobs.h). */
const volatile struct bind_knobs knobs = { .c.want_time = 1, .ignore_errors = 1 };

#include "include/events.bpf.h"
#include "include/kernel_types.h"
#include "include/events.h"
#include "include/sock_fd.bpf.h"
#include "include/sockaddr.bpf.h"
#include "include/port_filter.bpf.h"
#include "include/scope.bpf.h"

#define EBADF    9
#define EFAULT   14
#define EINVAL   22
#define ENOTSOCK 88

/* Largest sockaddr bind() takes (struct sockaddr_storage); longer is
 * EINVAL before any protocol code runs. */
#define SOCKADDR_STORAGE_SIZE 128

/* ---- maps --------------------------------------------------------------- */

/* What the entry probe leaves for the exit probe of the same thread. */
struct bind_args {
	struct socket *sock;      /* kprobe backend */
	__s32 fd;                 /* tracepoint backend */
	__s32 addrlen;            /* as passed to bind() */
	union sockaddr_any addr;  /* first min(addrlen, 28) bytes, rest zero */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);               /* thread id */
	__type(value, struct bind_args);
} pending SEC(".maps");

/* ---- filters ------------------------------------------------------------ */

/* Checked at entry, so unwanted threads never take a slot in pending. */
static __always_inline bool task_wanted(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (knobs.c.target_pid && tgid != knobs.c.target_pid)
		return false;
	return cgroup_wanted();
}

/* ---- reading the socket ---------------------------------------------------- */

/* Value of a bit of inet_sock.inet_flags (6.6+). The bit number comes from
 * the kernel's BTF when the loader can resolve the enum value, else from
 * our copy of the enum: the kernel's enum is anonymous, so a loader that
 * matches enums by type name (as libbpf does) will take the fallback. */
#define INET_FLAG_BIT(name)                                                  \
	(CORE_ENUM_EXISTS(enum inet_flags_bit, name) ?                       \
		 CORE_ENUM_VALUE(enum inet_flags_bit, name) : (name))

/* The inet_sock fields bind reports (inet_saddr, inet_sport, the option
 * flags) sit within a few words of each other just after struct sock, in
 * every layout so far: one bpf_probe_read_kernel of this window replaces
 * five. Plain loads cannot reach them even under fexit, where the
 * verifier knows sk only as a struct sock, which ends before them. */
#define INET_WINDOW 48
#define INET_WINDOW_START                                                    \
	((__builtin_preserve_field_info(((struct inet_sock *)0)->inet_saddr, \
					FIELD_BYTE_OFFSET) - 16) & ~7u)

struct inet_window {
	__u8 bytes[INET_WINDOW];
};

static __always_inline void inet_window_read(struct inet_window *w,
					     const struct inet_sock *inet)
{
	bpf_probe_read_kernel(w->bytes, sizeof w->bytes,
			      (const void *)inet + INET_WINDOW_START);
}

#define INET_FIELD(w, inet, field)                                           \
	CORE_WINDOW_BITFIELD((w)->bytes, INET_WINDOW, INET_WINDOW_START,     \
			     inet, field)

/* One inet socket option flag, from whichever layout this kernel has:
 * the pre-6.6 bitfield `old_field` if it exists, else bit `bit` of
 * inet_flags. The branch not taken refers to a field the kernel lacks;
 * its CO-RE records are poisoned, and the verifier never walks it. */
#define INET_OPT(w, inet, old_field, bit)                                    \
	(CORE_FIELD_EXISTS(struct inet_sock___old, old_field)                \
		 ? INET_FIELD(w, (struct inet_sock___old *)(inet), old_field) \
		 : (INET_FIELD(w, inet, inet_flags) >> INET_FLAG_BIT(bit)) & 1)

/* Where sk is a plain number to the verifier (kprobe, tracepoint), the
 * struct sock_common fields bind reports (family, the reuse bits, the
 * device, the IPv6 address) are one bpf_probe_read_kernel of this window,
 * from skc_family to the end of skc_v6_rcv_saddr (16 to 88 in every
 * layout so far), instead of one each. */
#define SKC_WINDOW 72
#define SKC_WINDOW_START                                                     \
	(__builtin_preserve_field_info(                                      \
		 ((struct sock *)0)->__sk_common.skc_family,                 \
		 FIELD_BYTE_OFFSET) & ~7u)

struct skc_window {
	__u8 bytes[SKC_WINDOW];
};

static __always_inline void skc_window_read(struct skc_window *w,
					    const struct sock *sk)
{
	bpf_probe_read_kernel(w->bytes, sizeof w->bytes,
			      (const void *)sk + SKC_WINDOW_START);
}

/* A field of struct sock: a plain load where the verifier knows sk's
 * type (fexit), else from the window (a helper read of its own if this
 * kernel put it outside). */
#define SK_FIELD(direct, w, sk, field)                                       \
	((direct) ? CORE_LOAD_BITFIELD(sk, field)                            \
		  : CORE_WINDOW_BITFIELD((w)->bytes, SKC_WINDOW,             \
					 SKC_WINDOW_START, sk, field))

/* skc_v6_rcv_saddr into addr: a copy from the window when it is inside
 * (offset and size are CO-RE constants), else a helper read. */
static __always_inline void skc_v6_saddr(__u8 *addr, const struct skc_window *w,
					 struct sock *sk)
{
	unsigned long long rel = __builtin_preserve_field_info(
		sk->__sk_common.skc_v6_rcv_saddr, FIELD_BYTE_OFFSET);

	if (rel >= SKC_WINDOW_START && rel + 16 <= SKC_WINDOW_START + SKC_WINDOW) {
		rel -= SKC_WINDOW_START;
		BARRIER_VAR(rel);
		__builtin_memcpy(addr, w->bytes + rel, 16);
	} else {
		CORE_READ((struct in6_addr *)addr,
			  &sk->__sk_common.skc_v6_rcv_saddr);
	}
}

static __always_inline __u8 bind_opts(struct sock *sk,
				      const struct inet_window *w,
				      const struct skc_window *skw,
				      const bool direct)
{
	struct inet_sock *inet = (struct inet_sock *)sk;
	__u8 opts = 0;

	if (INET_OPT(w, inet, freebind, INET_FLAGS_FREEBIND))
		opts |= BIND_OPT_FREEBIND;
	if (INET_OPT(w, inet, transparent, INET_FLAGS_TRANSPARENT))
		opts |= BIND_OPT_TRANSPARENT;
	if (INET_OPT(w, inet, bind_address_no_port,
		     INET_FLAGS_BIND_ADDRESS_NO_PORT))
		opts |= BIND_OPT_NO_PORT;
	if (SK_FIELD(direct, skw, sk, __sk_common.skc_reuse))
		opts |= BIND_OPT_REUSEADDR;
	if (SK_FIELD(direct, skw, sk, __sk_common.skc_reuseport))
		opts |= BIND_OPT_REUSEPORT;
	return opts;
}

/* The one place events are made, shared by all backends; inlined into
 * each, with `direct` a constant that picks how struct sock is read.
 *   sk:  the socket that was bound;
 *   req: the address the caller passed (used when the bind failed);
 *   ret: 0 or -errno. */
static __always_inline int emit_bind(void *ctx, struct sock *sk,
				     const union sockaddr_any *req, int ret,
				     const bool direct)
{
	struct inet_sock *inet = (struct inet_sock *)sk;
	struct bind_event ev = {};
	struct inet_window w;
	struct skc_window skw;
	__u64 id;
	__u16 family;

	if (ret && knobs.ignore_errors)
		return 0;
	ev.netns = sock_netns(sk);
	if (!netns_wanted(ev.netns))
		return 0;

	if (!direct)
		skc_window_read(&skw, sk);
	family = SK_FIELD(direct, &skw, sk, __sk_common.skc_family);
	if (family == AF_INET)
		ev.ver = 4;
	else if (family == AF_INET6)
		ev.ver = 6;
	else
		return 0;
	inet_window_read(&w, inet);

	if (ret == 0) {
		/* What the socket got: shows the port picked for port 0. */
		ev.port = rt_ntohs(INET_FIELD(&w, inet, inet_sport));
		if (ev.ver == 4) {
			__be32 a = INET_FIELD(&w, inet, inet_saddr);

			__builtin_memcpy(ev.addr, &a, 4);
		} else if (!SKC_HAS_V6) {
			/* no IPv6 in this kernel: never reached */
		} else if (direct) {
			__builtin_memcpy(ev.addr,
					 &sk->__sk_common.skc_v6_rcv_saddr, 16);
		} else {
			skc_v6_saddr(ev.addr, &skw, sk);
		}
	} else {
		/* What the caller asked for. */
		ev.port = rt_ntohs(req->v4.sin_port); /* same offset in v6 */
		if (ev.ver == 4)
			__builtin_memcpy(ev.addr, &req->v4.sin_addr, 4);
		else
			__builtin_memcpy(ev.addr, &req->v6.sin6_addr, 16);
	}
	if (!port_wanted(ev.port))
		return 0;

	id = bpf_get_current_pid_tgid();
	ev.ts_ns = event_time();
	ev.pid = id >> 32;
	ev.tid = (__u32)id;
	ev.ret = ret;
	ev.proto = direct ? CORE_LOAD_BITFIELD(sk, sk_protocol)
			 : CORE_READ_BITFIELD(sk, sk_protocol);
	ev.opts = bind_opts(sk, &w, &skw, direct);
	ev.bound_dev_if = SK_FIELD(direct, &skw, sk,
				 __sk_common.skc_bound_dev_if);
	ev.cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(ev.comm, sizeof ev.comm);

	event_output(ctx, &ev, sizeof ev);
	return 0;
}

/* Saves what the exit side needs. Only addrlen bytes of the address are
 * copied, so every backend sees the same bytes; and only when failed
 * binds are shown, the one case the address asked for is. */
static __always_inline void save_args(struct socket *sock, int fd,
				      const void *addr, int addrlen, bool user)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct bind_args args = {};

	args.sock = sock;
	args.fd = fd;
	args.addrlen = addrlen;
	if (!knobs.ignore_errors)
		copy_sockaddr(&args.addr, addr, addrlen, user);
	bpf_map_update_elem(&pending, &tid, &args, BPF_ANY);
}

/* ---- fexit backend ----------------------------------------------------------- */

/* int inet_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len),
 * and inet6_bind alike: ctx[0..2] are the arguments, ctx[3] the result.
 * The verifier types sock from the kernel's BTF, so sock->sk is a plain
 * load and so are the struct sock fields emit_bind reads. */
static __always_inline int fexit_bind(__u64 *ctx)
{
	struct socket *sock = (struct socket *)ctx[0];
	union sockaddr_any req = {};
	int ret = (int)ctx[3];
	struct sock *sk;

	if (ret && knobs.ignore_errors)
		return 0;
	if (!task_wanted())
		return 0;
	if (ret)
		copy_sockaddr(&req, (const void *)ctx[1], (int)ctx[2], false);
	sk = sock->sk;
	if (!sk)
		return 0;
	return emit_bind(ctx, sk, &req, ret, true);
}

SEC("fexit/inet_bind")
int fexit_bind4(__u64 *ctx)
{
	return fexit_bind(ctx);
}

SEC("fexit/inet6_bind")
int fexit_bind6(__u64 *ctx)
{
	return fexit_bind(ctx);
}

/* ---- kprobe backend ---------------------------------------------------------- */

/* int inet_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len),
 * and inet6_bind with the same arguments. */
static __always_inline int kprobe_entry(struct pt_regs *ctx)
{
	if (!task_wanted())
		return 0;
	save_args((struct socket *)PT_REGS_PARM1(ctx), -1,
		  (const void *)PT_REGS_PARM2(ctx), (int)PT_REGS_PARM3(ctx),
		  false);
	return 0;
}

static __always_inline int kprobe_exit(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct bind_args *args;
	struct socket *sock;
	struct sock *sk;

	args = bpf_map_lookup_elem(&pending, &tid);
	if (!args)
		return 0; /* entry filtered out, or pending was full */
	sock = args->sock; /* our own struct: a plain load, not CO-RE */
	sk = CORE_GET(sock->sk);
	if (sk)
		emit_bind(ctx, sk, &args->addr, (int)PT_REGS_RC(ctx), false);
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

SEC("kprobe/inet_bind")
int kp_bind4(struct pt_regs *ctx)
{
	return kprobe_entry(ctx);
}

SEC("kretprobe/inet_bind")
int kret_bind4(struct pt_regs *ctx)
{
	return kprobe_exit(ctx);
}

SEC("kprobe/inet6_bind")
int kp_bind6(struct pt_regs *ctx)
{
	return kprobe_entry(ctx);
}

SEC("kretprobe/inet6_bind")
int kret_bind6(struct pt_regs *ctx)
{
	return kprobe_exit(ctx);
}

/* ---- tracepoint backend ---------------------------------------------------------- */

/* bind(int fd, struct sockaddr *umyaddr, int addrlen) */
SEC("tracepoint/syscalls/sys_enter_bind")
int tp_enter_bind(struct trace_sys_enter *ctx)
{
	if (!task_wanted())
		return 0;
	save_args(0, (int)ctx->args[0], (const void *)ctx->args[1],
		  (int)ctx->args[2], true);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int tp_exit_bind(struct trace_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct bind_args *args;
	struct sock *sk;
	int ret = (int)ctx->ret;

	args = bpf_map_lookup_elem(&pending, &tid);
	if (!args)
		return 0;
	/* Failures that happen before inet_bind/inet6_bind is reached: the
	 * kprobe backend never sees them, so neither do we. */
	if (ret == -EBADF || ret == -ENOTSOCK || ret == -EFAULT)
		goto out;
	if (args->addrlen < 0 || args->addrlen > SOCKADDR_STORAGE_SIZE)
		goto out; /* EINVAL from move_addr_to_kernel */
	sk = sock_of_fd(args->fd);
	if (sk)
		emit_bind(ctx, sk, &args->addr, ret, false); /* skips non-inet */
out:
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
