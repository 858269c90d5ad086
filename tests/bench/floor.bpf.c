/* The floor for `make bench`: programs that return at once, on the same
 * hooks as rawtrace bind's backends. What a storm loses under them is what
 * the hook itself costs (the trampoline or the tracepoint's perf event),
 * before a tracer does any work; build/bench/floorload loads and attaches
 * them with rawtrace's own loader.
 *   fexit:      floor_fexit4 on inet_bind, floor_fexit6 on inet6_bind
 *   tracepoint: floor_enter, floor_exit on syscalls:sys_{enter,exit}_bind */
#include "include/rawtrace_bpf.h"

SEC("fexit/inet_bind")
int floor_fexit4(__u64 *ctx)
{
	return 0;
}

SEC("fexit/inet6_bind")
int floor_fexit6(__u64 *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_bind")
int floor_enter(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int floor_exit(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
