/* scope.bpf.h: the filters that scope a tracing tool to a container or a
 * network namespace, decided in the kernel, and the two facts every
 * event carries to say where it came from.
 *
 *  -c PATH, --container: the task must be in the cgroup v2 whose
 *     directory user space puts into scope_cgroup[0], or below it
 *     (bpf_current_task_under_cgroup walks the ancestors).
 *  --netns: the socket's network namespace must be knobs.c.netns, an
 *     inode number as /proc/PID/ns/net shows it.
 *
 * The frozen knobs turn each filter off for the verifier when it is not
 * asked for. Include after the tool's `knobs` and kernel_types.h. */
#ifndef RAWTRACE_SCOPE_BPF_H
#define RAWTRACE_SCOPE_BPF_H

#include <stdbool.h>

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} scope_cgroup SEC(".maps");

/* Whether current is in the cgroup -c names (always, without -c). */
static __always_inline bool cgroup_wanted(void)
{
	return !knobs.c.filter_cgroup ||
	       bpf_current_task_under_cgroup(&scope_cgroup, 0) == 1;
}

/* The inode number of sk's network namespace: the number `ls -iL
 * /proc/PID/ns/net` prints; 0 if the socket has none yet. */
static __always_inline __u32 sock_netns(struct sock *sk)
{
	struct net *net = CORE_GET(sk->__sk_common.skc_net.net);

	return net ? CORE_GET(net->ns.inum) : 0;
}

/* Whether a socket in namespace netns counts (always, without --netns). */
static __always_inline bool netns_wanted(__u32 netns)
{
	return !knobs.c.netns || netns == knobs.c.netns;
}

#endif /* RAWTRACE_SCOPE_BPF_H */
