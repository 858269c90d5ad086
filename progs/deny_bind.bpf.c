/* deny_bind.bpf.c: kernel side of `rawtrace deny-bind`.
 *
 * The kernel selftest test_sock.c's "bind4 reject all", made useful: a
 * BPF_PROG_TYPE_CGROUP_SOCK program on a cgroup v2's post_bind hooks
 * decides, for every bind() on an inet socket created in that cgroup (or
 * below it), whether the bind stands. Returning 0 makes the kernel undo
 * the bind (the port is released again) and bind() fail with EPERM;
 * returning 1 lets it stand.
 *
 *   deny_bind4  cgroup/post_bind4  (BPF_CGROUP_INET4_POST_BIND)
 *   deny_bind6  cgroup/post_bind6  (BPF_CGROUP_INET6_POST_BIND)
 *
 * The hook runs after the port is taken, so ctx->src_port is the port the
 * socket got: for bind(port 0) the ephemeral one, and 0 only with
 * IP_BIND_ADDRESS_NO_PORT. The socket's cgroup is the one it was created
 * in (sk_cgrp_data), not that of the task that binds it.
 *
 * The context is UAPI struct bpf_sock, rewritten by the verifier into
 * loads from struct sock: no CO-RE is needed. Which fields a program may
 * read depends on its attach type: src_ip4 only in post_bind4, src_ip6
 * only in post_bind6. So each program reads its own address and both end
 * in decide(), one out-of-line function, which applies the filters and
 * sends the event.
 *
 * Logging uses bpf_get_current_pid_tgid, bpf_get_current_comm,
 * bpf_get_current_cgroup_id and the events map's output helper. A kernel that does not offer them to
 * CGROUP_SOCK programs rejects the load; user space then loads again with
 * knobs.log_events off. The verifier knows the frozen knob's value and never
 * walks the branch with the calls, so the program still loads. */
#include <stdbool.h>
#include "include/rawtrace_bpf.h"
#include "include/knobs.h"

/* Set by user space, all at once, in .rodata before load (include/knobs.h). */
const volatile struct deny_bind_knobs knobs = { .c.want_time = 1, .log_events = 1 };

#include "include/events.bpf.h"
#include "include/events.h"
#include "include/port_filter.bpf.h"

#define DENY  0  /* bind() fails with EPERM */
#define ALLOW 1


/* ---- filters ------------------------------------------------------------ */

static __always_inline bool addr_listed(const __u32 ip[4])
{
	if (!knobs.filter_addr)
		return true;
	return ip[0] == knobs.addr_words[0] && ip[1] == knobs.addr_words[1] &&
	       ip[2] == knobs.addr_words[2] && ip[3] == knobs.addr_words[3];
}

/* ---- the decision, shared by both programs ------------------------------- */

/* ip: the bound address in IPv6 form (see addr_words); ver: 4 or 6, the
 * socket's family. Returns DENY or ALLOW. */
static __noinline int decide(struct bpf_sock *ctx, const __u32 *ip, __u32 ver)
{
	struct deny_bind_event ev = {};
	__u16 port = (__u16)ctx->src_port;
	__u64 id;

	if (!port_wanted(port) || !addr_listed(ip))
		return ALLOW;
	if (knobs.log_events) {
		id = bpf_get_current_pid_tgid();
		ev.ts_ns = event_time();
		ev.pid = id >> 32;
		ev.tid = (__u32)id;
		ev.port = port;
		ev.proto = (__u8)ctx->protocol;
		ev.ver = (__u8)ver;
		ev.denied = !knobs.audit;
		if (ver == 4) {
			__builtin_memcpy(ev.addr, &ip[3], 4);
		} else {
			__builtin_memcpy(ev.addr, ip, 16);
		}
		bpf_get_current_comm(ev.comm, sizeof ev.comm);
		ev.cgroup_id = bpf_get_current_cgroup_id();
		event_output(ctx, &ev, sizeof ev);
	}
	return knobs.audit ? ALLOW : DENY;
}

/* ---- the programs ------------------------------------------------------------ */

SEC("cgroup/post_bind4")
int deny_bind4(struct bpf_sock *ctx)
{
	__u32 ip[4];

	ip[0] = 0;
	ip[1] = 0;
	ip[2] = rt_ntohl(0xffff); /* htonl: the same swap */
	ip[3] = ctx->src_ip4;
	return decide(ctx, ip, 4);
}

SEC("cgroup/post_bind6")
int deny_bind6(struct bpf_sock *ctx)
{
	__u32 ip[4];

	ip[0] = ctx->src_ip6[0];
	ip[1] = ctx->src_ip6[1];
	ip[2] = ctx->src_ip6[2];
	ip[3] = ctx->src_ip6[3];
	return decide(ctx, ip, 6);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
