/* Which kind of program a section holds, by libbpf's naming conventions:
 * SEC("kprobe/inet_bind") is a BPF_PROG_TYPE_KPROBE program to attach to
 * inet_bind, SEC("cgroup/post_bind4") a CGROUP_SOCK program that must be
 * loaded with expected_attach_type BPF_CGROUP_INET4_POST_BIND, and so on.
 *
 * A prefix ending in '/' needs something after it (the attach target); a
 * plain name must match exactly. Longer prefixes come first. */
#include <errno.h>
#include <string.h>
#include "obj/object.h"

struct sec_def {
	const char *prefix;
	uint32_t type;
	uint32_t expected_attach;
	enum attach_kind kind;
};

static const struct sec_def defs[] = {
	{ "kprobe/",            BPF_PROG_TYPE_KPROBE, 0, ATTACH_KPROBE },
	{ "kretprobe/",         BPF_PROG_TYPE_KPROBE, 0, ATTACH_KRETPROBE },
	{ "tracepoint/",        BPF_PROG_TYPE_TRACEPOINT, 0, ATTACH_TRACEPOINT },
	{ "tp/",                BPF_PROG_TYPE_TRACEPOINT, 0, ATTACH_TRACEPOINT },
	{ "raw_tracepoint/",    BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_RAW_TP },
	{ "raw_tp/",            BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_RAW_TP },
	{ "tp_btf/",            BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP,
				ATTACH_TP_BTF },
	{ "fentry/",            BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY,
				ATTACH_FUNC },
	{ "fexit/",             BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT,
				ATTACH_FUNC },
	{ "socket",             BPF_PROG_TYPE_SOCKET_FILTER, 0, ATTACH_SOCKET },
	{ "cgroup/sock_create", BPF_PROG_TYPE_CGROUP_SOCK,
				BPF_CGROUP_INET_SOCK_CREATE, ATTACH_CGROUP },
	{ "cgroup/sock_release", BPF_PROG_TYPE_CGROUP_SOCK,
				BPF_CGROUP_INET_SOCK_RELEASE, ATTACH_CGROUP },
	{ "cgroup/sock",        BPF_PROG_TYPE_CGROUP_SOCK,
				BPF_CGROUP_INET_SOCK_CREATE, ATTACH_CGROUP },
	{ "cgroup/post_bind4",  BPF_PROG_TYPE_CGROUP_SOCK,
				BPF_CGROUP_INET4_POST_BIND, ATTACH_CGROUP },
	{ "cgroup/post_bind6",  BPF_PROG_TYPE_CGROUP_SOCK,
				BPF_CGROUP_INET6_POST_BIND, ATTACH_CGROUP },
	{ "cgroup/bind4",       BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
				BPF_CGROUP_INET4_BIND, ATTACH_CGROUP },
	{ "cgroup/bind6",       BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
				BPF_CGROUP_INET6_BIND, ATTACH_CGROUP },
	{ "cgroup/connect4",    BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
				BPF_CGROUP_INET4_CONNECT, ATTACH_CGROUP },
	{ "cgroup/connect6",    BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
				BPF_CGROUP_INET6_CONNECT, ATTACH_CGROUP },
	{ "cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB,
				BPF_CGROUP_INET_INGRESS, ATTACH_CGROUP },
	{ "cgroup_skb/egress",  BPF_PROG_TYPE_CGROUP_SKB,
				BPF_CGROUP_INET_EGRESS, ATTACH_CGROUP },
};

int section_program_type(const char *sec, uint32_t *type,
			 uint32_t *expected_attach, enum attach_kind *kind,
			 const char **target)
{
	size_t i;

	for (i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		const struct sec_def *d = &defs[i];
		size_t n = strlen(d->prefix);
		int has_target = d->prefix[n - 1] == '/';

		if (strncmp(sec, d->prefix, n) != 0)
			continue;
		if (has_target ? sec[n] == 0 : sec[n] != 0)
			continue;
		*type = d->type;
		*expected_attach = d->expected_attach;
		*kind = d->kind;
		*target = has_target ? sec + n : NULL;
		return 0;
	}
	return -ENOENT;
}
