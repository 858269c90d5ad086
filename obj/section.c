/* Which kind of program a section holds, by libbpf's naming conventions
 * (its section_defs table in src/libbpf.c): SEC("kprobe/inet_bind") is a
 * BPF_PROG_TYPE_KPROBE program to attach to inet_bind,
 * SEC("cgroup/post_bind4") a CGROUP_SOCK program that must be loaded with
 * expected_attach_type BPF_CGROUP_INET4_POST_BIND, and so on.
 *
 * The names are written as libbpf writes them:
 *   "kprobe+"  the name alone, or the name, '/' and a target
 *              (SEC("kprobe") attaches nowhere by itself: the target is
 *              given at attach time);
 *   "socket"   the name exactly.
 * An entry with SEC_S also takes NAME.s, a sleepable program
 * (BPF_F_SLEEPABLE at load): "uprobe.s/PATH:FUNC". xdp.frags programs
 * load with BPF_F_XDP_HAS_FRAGS (packets in more than one buffer).
 * A leading '?' (SEC("?kprobe/x")) is libbpf's "do not load this one
 * unless asked": the program is opened but not autoloaded, so neither is
 * it attached.
 *
 * With these rules no name matches two entries, so order does not
 * matter; "kprobe+" does not take "kprobe.multi/x", whose '.' is no '/'. */
#include <errno.h>
#include <string.h>
#include "obj/object.h"

/* Attach types newer than the uapi headers we build with (Debian 12's
 * are 6.1's): their values in the kernel's enum bpf_attach_type. */
#define RT_BPF_TCX_INGRESS               46
#define RT_BPF_TCX_EGRESS                47
#define RT_BPF_TRACE_UPROBE_MULTI        48
#define RT_BPF_CGROUP_UNIX_CONNECT       49
#define RT_BPF_CGROUP_UNIX_SENDMSG       50
#define RT_BPF_CGROUP_UNIX_RECVMSG       51
#define RT_BPF_CGROUP_UNIX_GETPEERNAME   52
#define RT_BPF_CGROUP_UNIX_GETSOCKNAME   53

#define SEC_S 1                 /* also NAME.s: sleepable */
#define SEC_FRAGS 2             /* BPF_F_XDP_HAS_FRAGS */

struct sec_def {
	const char *name;
	uint32_t type;
	uint32_t expected_attach;
	enum attach_kind kind;
	unsigned flags;
};

#define T(x) BPF_PROG_TYPE_##x

static const struct sec_def defs[] = {
	/* tracing: kprobes, uprobes, tracepoints */
	{ "kprobe+",            T(KPROBE), 0, ATTACH_KPROBE, 0 },
	{ "kretprobe+",         T(KPROBE), 0, ATTACH_KRETPROBE, 0 },
	{ "kprobe.multi+",      T(KPROBE), BPF_TRACE_KPROBE_MULTI,
				ATTACH_KPROBE_MULTI, 0 },
	{ "kretprobe.multi+",   T(KPROBE), BPF_TRACE_KPROBE_MULTI,
				ATTACH_KRETPROBE_MULTI, 0 },
	{ "ksyscall+",          T(KPROBE), 0, ATTACH_KSYSCALL, 0 },
	{ "kretsyscall+",       T(KPROBE), 0, ATTACH_KRETSYSCALL, 0 },
	{ "uprobe+",            T(KPROBE), 0, ATTACH_UPROBE, SEC_S },
	{ "uretprobe+",         T(KPROBE), 0, ATTACH_URETPROBE, SEC_S },
	{ "uprobe.multi+",      T(KPROBE), RT_BPF_TRACE_UPROBE_MULTI,
				ATTACH_UPROBE_MULTI, SEC_S },
	{ "uretprobe.multi+",   T(KPROBE), RT_BPF_TRACE_UPROBE_MULTI,
				ATTACH_URETPROBE_MULTI, SEC_S },
	{ "usdt+",              T(KPROBE), 0, ATTACH_USDT, SEC_S },
	{ "tracepoint+",        T(TRACEPOINT), 0, ATTACH_TRACEPOINT, 0 },
	{ "tp+",                T(TRACEPOINT), 0, ATTACH_TRACEPOINT, 0 },
	{ "raw_tracepoint+",    T(RAW_TRACEPOINT), 0, ATTACH_RAW_TP, 0 },
	{ "raw_tp+",            T(RAW_TRACEPOINT), 0, ATTACH_RAW_TP, 0 },
	{ "raw_tracepoint.w+",  T(RAW_TRACEPOINT_WRITABLE), 0, ATTACH_RAW_TP, 0 },
	{ "raw_tp.w+",          T(RAW_TRACEPOINT_WRITABLE), 0, ATTACH_RAW_TP, 0 },
	{ "tp_btf+",            T(TRACING), BPF_TRACE_RAW_TP, ATTACH_TP_BTF, 0 },
	{ "fentry+",            T(TRACING), BPF_TRACE_FENTRY, ATTACH_FUNC, SEC_S },
	{ "fexit+",             T(TRACING), BPF_TRACE_FEXIT, ATTACH_FUNC, SEC_S },
	{ "fmod_ret+",          T(TRACING), BPF_MODIFY_RETURN, ATTACH_FUNC, SEC_S },
	{ "lsm+",               T(LSM), BPF_LSM_MAC, ATTACH_LSM, SEC_S },
	{ "iter+",              T(TRACING), BPF_TRACE_ITER, ATTACH_ITER, SEC_S },
	{ "perf_event",         T(PERF_EVENT), 0, ATTACH_PERF_EVENT, 0 },
	{ "syscall",            T(SYSCALL), 0, ATTACH_NONE, 0 },
	{ "struct_ops+",        T(STRUCT_OPS), 0, ATTACH_STRUCT_OPS, SEC_S },
	/* networking: devices, sockets */
	{ "xdp",                T(XDP), BPF_XDP, ATTACH_XDP, 0 },
	{ "xdp.frags",          T(XDP), BPF_XDP, ATTACH_XDP, SEC_FRAGS },
	/* programs of a devmap or cpumap: run by the map, not attached */
	{ "xdp/devmap",         T(XDP), BPF_XDP_DEVMAP, ATTACH_NONE, 0 },
	{ "xdp/cpumap",         T(XDP), BPF_XDP_CPUMAP, ATTACH_NONE, 0 },
	{ "xdp.frags/devmap",   T(XDP), BPF_XDP_DEVMAP, ATTACH_NONE, SEC_FRAGS },
	{ "xdp.frags/cpumap",   T(XDP), BPF_XDP_CPUMAP, ATTACH_NONE, SEC_FRAGS },
	{ "tc",                 T(SCHED_CLS), 0, ATTACH_TC, 0 },
	{ "classifier",         T(SCHED_CLS), 0, ATTACH_TC, 0 },
	{ "action",             T(SCHED_ACT), 0, ATTACH_TC, 0 },
	{ "tc/ingress",         T(SCHED_CLS), RT_BPF_TCX_INGRESS, ATTACH_TCX, 0 },
	{ "tc/egress",          T(SCHED_CLS), RT_BPF_TCX_EGRESS, ATTACH_TCX, 0 },
	{ "tcx/ingress",        T(SCHED_CLS), RT_BPF_TCX_INGRESS, ATTACH_TCX, 0 },
	{ "tcx/egress",         T(SCHED_CLS), RT_BPF_TCX_EGRESS, ATTACH_TCX, 0 },
	{ "socket",             T(SOCKET_FILTER), 0, ATTACH_SOCKET, 0 },
	{ "sk_msg",             T(SK_MSG), BPF_SK_MSG_VERDICT, ATTACH_SOCKMAP, 0 },
	{ "sk_skb",             T(SK_SKB), 0, ATTACH_SOCKMAP, 0 },
	{ "sk_skb/stream_parser", T(SK_SKB), BPF_SK_SKB_STREAM_PARSER,
				ATTACH_SOCKMAP, 0 },
	{ "sk_skb/stream_verdict", T(SK_SKB), BPF_SK_SKB_STREAM_VERDICT,
				ATTACH_SOCKMAP, 0 },
	{ "sk_skb/verdict",     T(SK_SKB), BPF_SK_SKB_VERDICT, ATTACH_SOCKMAP, 0 },
	/* cgroups: each attaches to a cgroup by its attach type */
	{ "sockops",            T(SOCK_OPS), BPF_CGROUP_SOCK_OPS, ATTACH_CGROUP, 0 },
	{ "cgroup_skb/ingress", T(CGROUP_SKB), BPF_CGROUP_INET_INGRESS,
				ATTACH_CGROUP, 0 },
	{ "cgroup_skb/egress",  T(CGROUP_SKB), BPF_CGROUP_INET_EGRESS,
				ATTACH_CGROUP, 0 },
	{ "cgroup/skb",         T(CGROUP_SKB), 0, ATTACH_CGROUP, 0 },
	{ "cgroup/sock_create", T(CGROUP_SOCK), BPF_CGROUP_INET_SOCK_CREATE,
				ATTACH_CGROUP, 0 },
	{ "cgroup/sock_release", T(CGROUP_SOCK), BPF_CGROUP_INET_SOCK_RELEASE,
				ATTACH_CGROUP, 0 },
	{ "cgroup/sock",        T(CGROUP_SOCK), BPF_CGROUP_INET_SOCK_CREATE,
				ATTACH_CGROUP, 0 },
	{ "cgroup/post_bind4",  T(CGROUP_SOCK), BPF_CGROUP_INET4_POST_BIND,
				ATTACH_CGROUP, 0 },
	{ "cgroup/post_bind6",  T(CGROUP_SOCK), BPF_CGROUP_INET6_POST_BIND,
				ATTACH_CGROUP, 0 },
	{ "cgroup/bind4",       T(CGROUP_SOCK_ADDR), BPF_CGROUP_INET4_BIND,
				ATTACH_CGROUP, 0 },
	{ "cgroup/bind6",       T(CGROUP_SOCK_ADDR), BPF_CGROUP_INET6_BIND,
				ATTACH_CGROUP, 0 },
	{ "cgroup/connect4",    T(CGROUP_SOCK_ADDR), BPF_CGROUP_INET4_CONNECT,
				ATTACH_CGROUP, 0 },
	{ "cgroup/connect6",    T(CGROUP_SOCK_ADDR), BPF_CGROUP_INET6_CONNECT,
				ATTACH_CGROUP, 0 },
	{ "cgroup/connect_unix", T(CGROUP_SOCK_ADDR), RT_BPF_CGROUP_UNIX_CONNECT,
				ATTACH_CGROUP, 0 },
	{ "cgroup/sendmsg4",    T(CGROUP_SOCK_ADDR), BPF_CGROUP_UDP4_SENDMSG,
				ATTACH_CGROUP, 0 },
	{ "cgroup/sendmsg6",    T(CGROUP_SOCK_ADDR), BPF_CGROUP_UDP6_SENDMSG,
				ATTACH_CGROUP, 0 },
	{ "cgroup/sendmsg_unix", T(CGROUP_SOCK_ADDR), RT_BPF_CGROUP_UNIX_SENDMSG,
				ATTACH_CGROUP, 0 },
	{ "cgroup/recvmsg4",    T(CGROUP_SOCK_ADDR), BPF_CGROUP_UDP4_RECVMSG,
				ATTACH_CGROUP, 0 },
	{ "cgroup/recvmsg6",    T(CGROUP_SOCK_ADDR), BPF_CGROUP_UDP6_RECVMSG,
				ATTACH_CGROUP, 0 },
	{ "cgroup/recvmsg_unix", T(CGROUP_SOCK_ADDR), RT_BPF_CGROUP_UNIX_RECVMSG,
				ATTACH_CGROUP, 0 },
	{ "cgroup/getpeername4", T(CGROUP_SOCK_ADDR),
				BPF_CGROUP_INET4_GETPEERNAME, ATTACH_CGROUP, 0 },
	{ "cgroup/getpeername6", T(CGROUP_SOCK_ADDR),
				BPF_CGROUP_INET6_GETPEERNAME, ATTACH_CGROUP, 0 },
	{ "cgroup/getpeername_unix", T(CGROUP_SOCK_ADDR),
				RT_BPF_CGROUP_UNIX_GETPEERNAME, ATTACH_CGROUP, 0 },
	{ "cgroup/getsockname4", T(CGROUP_SOCK_ADDR),
				BPF_CGROUP_INET4_GETSOCKNAME, ATTACH_CGROUP, 0 },
	{ "cgroup/getsockname6", T(CGROUP_SOCK_ADDR),
				BPF_CGROUP_INET6_GETSOCKNAME, ATTACH_CGROUP, 0 },
	{ "cgroup/getsockname_unix", T(CGROUP_SOCK_ADDR),
				RT_BPF_CGROUP_UNIX_GETSOCKNAME, ATTACH_CGROUP, 0 },
	{ "cgroup/sysctl",      T(CGROUP_SYSCTL), BPF_CGROUP_SYSCTL,
				ATTACH_CGROUP, 0 },
	{ "cgroup/getsockopt",  T(CGROUP_SOCKOPT), BPF_CGROUP_GETSOCKOPT,
				ATTACH_CGROUP, 0 },
	{ "cgroup/setsockopt",  T(CGROUP_SOCKOPT), BPF_CGROUP_SETSOCKOPT,
				ATTACH_CGROUP, 0 },
	{ "cgroup/dev",         T(CGROUP_DEVICE), BPF_CGROUP_DEVICE,
				ATTACH_CGROUP, 0 },
};

/* Whether sec is d's name (with ".s" where d allows it); *target and
 * *sleepable say what followed. */
static int sec_matches(const struct sec_def *d, const char *sec,
		       const char **target, int *sleepable)
{
	size_t n = strlen(d->name);
	int with_target = d->name[n - 1] == '+';
	const char *rest;

	n -= (size_t)with_target;
	if (strncmp(sec, d->name, n) != 0)
		return 0;
	rest = sec + n;
	*sleepable = (d->flags & SEC_S) && rest[0] == '.' && rest[1] == 's' &&
		     (rest[2] == 0 || rest[2] == '/');
	if (*sleepable)
		rest += 2;
	*target = NULL;
	if (*rest == 0)
		return 1;
	if (!with_target || *rest != '/')
		return 0;
	*target = rest[1] ? rest + 1 : NULL;
	return 1;
}

int section_program_type(const char *sec, struct sec_info *info)
{
	size_t i;

	memset(info, 0, sizeof *info);
	info->autoload = 1;
	if (sec[0] == '?') {
		info->autoload = 0;
		sec++;
	}
	for (i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		const struct sec_def *d = &defs[i];
		int sleepable;

		if (!sec_matches(d, sec, &info->target, &sleepable))
			continue;
		info->prog_flags = (sleepable ? BPF_F_SLEEPABLE : 0) |
				   (d->flags & SEC_FRAGS ?
				    BPF_F_XDP_HAS_FRAGS : 0);
		info->type = d->type;
		info->expected_attach = d->expected_attach;
		info->kind = d->kind;
		return 0;
	}
	return -ENOENT;
}

static const char *const kind_names[ATTACH_KIND_COUNT] = {
	[ATTACH_NONE] = "-", [ATTACH_KPROBE] = "kprobe",
	[ATTACH_KRETPROBE] = "kretprobe", [ATTACH_TRACEPOINT] = "tracepoint",
	[ATTACH_RAW_TP] = "raw_tracepoint", [ATTACH_TP_BTF] = "tp_btf",
	[ATTACH_FUNC] = "fentry",
	[ATTACH_SOCKET] = "socket", [ATTACH_CGROUP] = "cgroup",
	[ATTACH_KPROBE_MULTI] = "kprobe.multi",
	[ATTACH_KRETPROBE_MULTI] = "kretprobe.multi",
	[ATTACH_KSYSCALL] = "ksyscall", [ATTACH_KRETSYSCALL] = "kretsyscall",
	[ATTACH_UPROBE] = "uprobe", [ATTACH_URETPROBE] = "uretprobe",
	[ATTACH_UPROBE_MULTI] = "uprobe.multi",
	[ATTACH_URETPROBE_MULTI] = "uretprobe.multi",
	[ATTACH_USDT] = "usdt", [ATTACH_LSM] = "lsm", [ATTACH_ITER] = "iter",
	[ATTACH_PERF_EVENT] = "perf_event", [ATTACH_XDP] = "xdp",
	[ATTACH_TC] = "tc", [ATTACH_TCX] = "tcx",
	[ATTACH_SOCKMAP] = "sockmap", [ATTACH_STRUCT_OPS] = "struct_ops",
};

const char *attach_kind_name(enum attach_kind kind)
{
	return (unsigned)kind < ATTACH_KIND_COUNT && kind_names[kind] ?
	       kind_names[kind] : "?";
}
