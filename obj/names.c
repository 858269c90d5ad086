#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include "obj/names.h"

#define N(x) [x] = #x
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const char *const *table, unsigned n, unsigned v,
			  const char *prefix)
{
	static char buf[32];

	if (v < n && table[v])
		return table[v] + strlen(prefix);
	snprintf(buf, sizeof buf, "%u", v);
	return buf;
}

static const char *const cmds[] = {
	N(BPF_MAP_CREATE), N(BPF_MAP_LOOKUP_ELEM), N(BPF_MAP_UPDATE_ELEM),
	N(BPF_MAP_DELETE_ELEM), N(BPF_MAP_GET_NEXT_KEY), N(BPF_PROG_LOAD),
	N(BPF_OBJ_PIN), N(BPF_OBJ_GET), N(BPF_PROG_ATTACH), N(BPF_PROG_DETACH),
	N(BPF_PROG_TEST_RUN), N(BPF_PROG_GET_NEXT_ID), N(BPF_MAP_GET_NEXT_ID),
	N(BPF_PROG_GET_FD_BY_ID), N(BPF_MAP_GET_FD_BY_ID),
	N(BPF_OBJ_GET_INFO_BY_FD), N(BPF_PROG_QUERY),
	N(BPF_RAW_TRACEPOINT_OPEN), N(BPF_BTF_LOAD), N(BPF_MAP_FREEZE),
	N(BPF_LINK_CREATE), N(BPF_LINK_DETACH), N(BPF_BTF_GET_FD_BY_ID),
	N(BPF_BTF_GET_NEXT_ID), N(BPF_ENABLE_STATS),
};

const char *bpf_cmd_name(int cmd)
{
	return lookup(cmds, COUNT(cmds), (unsigned)cmd, "");
}

static const char *const map_types[] = {
	N(BPF_MAP_TYPE_UNSPEC), N(BPF_MAP_TYPE_HASH), N(BPF_MAP_TYPE_ARRAY),
	N(BPF_MAP_TYPE_PROG_ARRAY), N(BPF_MAP_TYPE_PERF_EVENT_ARRAY),
	N(BPF_MAP_TYPE_PERCPU_HASH), N(BPF_MAP_TYPE_PERCPU_ARRAY),
	N(BPF_MAP_TYPE_STACK_TRACE), N(BPF_MAP_TYPE_CGROUP_ARRAY),
	N(BPF_MAP_TYPE_LRU_HASH), N(BPF_MAP_TYPE_LRU_PERCPU_HASH),
	N(BPF_MAP_TYPE_LPM_TRIE), N(BPF_MAP_TYPE_ARRAY_OF_MAPS),
	N(BPF_MAP_TYPE_HASH_OF_MAPS), N(BPF_MAP_TYPE_DEVMAP),
	N(BPF_MAP_TYPE_SOCKMAP), N(BPF_MAP_TYPE_CPUMAP),
	N(BPF_MAP_TYPE_XSKMAP), N(BPF_MAP_TYPE_SOCKHASH),
	N(BPF_MAP_TYPE_CGROUP_STORAGE), N(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY),
	N(BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE), N(BPF_MAP_TYPE_QUEUE),
	N(BPF_MAP_TYPE_STACK), N(BPF_MAP_TYPE_SK_STORAGE),
	N(BPF_MAP_TYPE_DEVMAP_HASH), N(BPF_MAP_TYPE_STRUCT_OPS),
	N(BPF_MAP_TYPE_RINGBUF), N(BPF_MAP_TYPE_INODE_STORAGE),
	N(BPF_MAP_TYPE_TASK_STORAGE), N(BPF_MAP_TYPE_BLOOM_FILTER),
};

const char *map_type_name(unsigned type)
{
	return lookup(map_types, COUNT(map_types), type, "BPF_MAP_TYPE_");
}

static const char *const prog_types[] = {
	N(BPF_PROG_TYPE_UNSPEC), N(BPF_PROG_TYPE_SOCKET_FILTER),
	N(BPF_PROG_TYPE_KPROBE), N(BPF_PROG_TYPE_SCHED_CLS),
	N(BPF_PROG_TYPE_SCHED_ACT), N(BPF_PROG_TYPE_TRACEPOINT),
	N(BPF_PROG_TYPE_XDP), N(BPF_PROG_TYPE_PERF_EVENT),
	N(BPF_PROG_TYPE_CGROUP_SKB), N(BPF_PROG_TYPE_CGROUP_SOCK),
	N(BPF_PROG_TYPE_LWT_IN), N(BPF_PROG_TYPE_LWT_OUT),
	N(BPF_PROG_TYPE_LWT_XMIT), N(BPF_PROG_TYPE_SOCK_OPS),
	N(BPF_PROG_TYPE_SK_SKB), N(BPF_PROG_TYPE_CGROUP_DEVICE),
	N(BPF_PROG_TYPE_SK_MSG), N(BPF_PROG_TYPE_RAW_TRACEPOINT),
	N(BPF_PROG_TYPE_CGROUP_SOCK_ADDR), N(BPF_PROG_TYPE_LWT_SEG6LOCAL),
	N(BPF_PROG_TYPE_LIRC_MODE2), N(BPF_PROG_TYPE_SK_REUSEPORT),
	N(BPF_PROG_TYPE_FLOW_DISSECTOR), N(BPF_PROG_TYPE_CGROUP_SYSCTL),
	N(BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE),
	N(BPF_PROG_TYPE_CGROUP_SOCKOPT), N(BPF_PROG_TYPE_TRACING),
	N(BPF_PROG_TYPE_STRUCT_OPS), N(BPF_PROG_TYPE_EXT), N(BPF_PROG_TYPE_LSM),
	N(BPF_PROG_TYPE_SK_LOOKUP), N(BPF_PROG_TYPE_SYSCALL),
};

const char *prog_type_name(unsigned type)
{
	return lookup(prog_types, COUNT(prog_types), type, "BPF_PROG_TYPE_");
}

static const char *const attach_types[] = {
	N(BPF_CGROUP_INET_INGRESS), N(BPF_CGROUP_INET_EGRESS),
	N(BPF_CGROUP_INET_SOCK_CREATE), N(BPF_CGROUP_SOCK_OPS),
	N(BPF_SK_SKB_STREAM_PARSER), N(BPF_SK_SKB_STREAM_VERDICT),
	N(BPF_CGROUP_DEVICE), N(BPF_SK_MSG_VERDICT), N(BPF_CGROUP_INET4_BIND),
	N(BPF_CGROUP_INET6_BIND), N(BPF_CGROUP_INET4_CONNECT),
	N(BPF_CGROUP_INET6_CONNECT), N(BPF_CGROUP_INET4_POST_BIND),
	N(BPF_CGROUP_INET6_POST_BIND), N(BPF_CGROUP_UDP4_SENDMSG),
	N(BPF_CGROUP_UDP6_SENDMSG), N(BPF_LIRC_MODE2), N(BPF_FLOW_DISSECTOR),
	N(BPF_CGROUP_SYSCTL), N(BPF_CGROUP_UDP4_RECVMSG),
	N(BPF_CGROUP_UDP6_RECVMSG), N(BPF_CGROUP_GETSOCKOPT),
	N(BPF_CGROUP_SETSOCKOPT), N(BPF_TRACE_RAW_TP), N(BPF_TRACE_FENTRY),
	N(BPF_TRACE_FEXIT), N(BPF_MODIFY_RETURN), N(BPF_LSM_MAC),
	N(BPF_TRACE_ITER), N(BPF_CGROUP_INET4_GETPEERNAME),
	N(BPF_CGROUP_INET6_GETPEERNAME), N(BPF_CGROUP_INET4_GETSOCKNAME),
	N(BPF_CGROUP_INET6_GETSOCKNAME), N(BPF_XDP_DEVMAP),
	N(BPF_CGROUP_INET_SOCK_RELEASE), N(BPF_XDP_CPUMAP), N(BPF_SK_LOOKUP),
	N(BPF_XDP), N(BPF_SK_SKB_VERDICT), N(BPF_SK_REUSEPORT_SELECT),
	N(BPF_SK_REUSEPORT_SELECT_OR_MIGRATE), N(BPF_PERF_EVENT),
};

const char *attach_type_name(unsigned type)
{
	return lookup(attach_types, COUNT(attach_types), type, "");
}

static const char *const perf_types[] = {
	N(PERF_TYPE_HARDWARE), N(PERF_TYPE_SOFTWARE), N(PERF_TYPE_TRACEPOINT),
	N(PERF_TYPE_HW_CACHE), N(PERF_TYPE_RAW), N(PERF_TYPE_BREAKPOINT),
};

const char *perf_type_name(unsigned type)
{
	return lookup(perf_types, COUNT(perf_types), type, "");
}

/* Every errno that bpf(), perf_event_open() and the ioctl, setsockopt,
 * mmap and file calls around them can return, with what it means. Ours,
 * not the C library's: musl has no text for ENOTSUPP ("No error
 * information"), and the texts should not depend on the libc. */
static const struct { int err; const char *name, *text; } errnos[] = {
	{ EPERM, "EPERM", "Operation not permitted" },
	{ ENOENT, "ENOENT", "No such file or directory" },
	{ ESRCH, "ESRCH", "No such process" },
	{ EINTR, "EINTR", "Interrupted system call" },
	{ EIO, "EIO", "I/O error" },
	{ ENXIO, "ENXIO", "No such device or address" },
	{ E2BIG, "E2BIG", "Argument list too long" },
	{ ENOEXEC, "ENOEXEC", "Exec format error" },
	{ EBADF, "EBADF", "Bad file descriptor" },
	{ ECHILD, "ECHILD", "No child process" },
	{ EAGAIN, "EAGAIN", "Resource temporarily unavailable" },
	{ ENOMEM, "ENOMEM", "Out of memory" },
	{ EACCES, "EACCES", "Permission denied" },
	{ EFAULT, "EFAULT", "Bad address" },
	{ EBUSY, "EBUSY", "Device or resource busy" },
	{ EEXIST, "EEXIST", "File exists" },
	{ EXDEV, "EXDEV", "Cross-device link" },
	{ ENODEV, "ENODEV", "No such device" },
	{ ENOTDIR, "ENOTDIR", "Not a directory" },
	{ EISDIR, "EISDIR", "Is a directory" },
	{ EINVAL, "EINVAL", "Invalid argument" },
	{ ENFILE, "ENFILE", "Too many open files in system" },
	{ EMFILE, "EMFILE", "No file descriptors available" },
	{ ENOTTY, "ENOTTY", "Not a tty (ioctl not supported)" },
	{ ETXTBSY, "ETXTBSY", "Text file busy" },
	{ EFBIG, "EFBIG", "File too large" },
	{ ENOSPC, "ENOSPC", "No space left on device" },
	{ EROFS, "EROFS", "Read-only file system" },
	{ EMLINK, "EMLINK", "Too many links" },
	{ EPIPE, "EPIPE", "Broken pipe" },
	{ EDOM, "EDOM", "Domain error" },
	{ ERANGE, "ERANGE", "Result not representable" },
	{ ENAMETOOLONG, "ENAMETOOLONG", "Filename too long" },
	{ ENOSYS, "ENOSYS", "Function not implemented" },
	{ ENOTEMPTY, "ENOTEMPTY", "Directory not empty" },
	{ ELOOP, "ELOOP", "Symbolic link loop" },
	{ ENODATA, "ENODATA", "No data available" },
	{ EBADMSG, "EBADMSG", "Bad message" },
	{ EOVERFLOW, "EOVERFLOW", "Value too large for data type" },
	{ EILSEQ, "EILSEQ", "Illegal byte sequence" },
	{ ENOTSOCK, "ENOTSOCK", "Not a socket" },
	{ EMSGSIZE, "EMSGSIZE", "Message too large" },
	{ ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported" },
	{ EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported" },
	{ EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by "
	  "protocol" },
	{ EADDRINUSE, "EADDRINUSE", "Address in use" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL", "Address not available" },
	{ ENETDOWN, "ENETDOWN", "Network is down" },
	{ ENOBUFS, "ENOBUFS", "No buffer space available" },
	{ EALREADY, "EALREADY", "Operation already in progress" },
	{ ECANCELED, "ECANCELED", "Operation canceled" },
	{ ENOTSUPP, "ENOTSUPP", "Operation not supported by this kernel "
	  "(kernel-internal ENOTSUPP)" },
};

const char *errno_name(int err)
{
	static char buf[16];
	size_t i;

	for (i = 0; i < COUNT(errnos); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	snprintf(buf, sizeof buf, "%d", err);
	return buf;
}

const char *errno_text(int err)
{
	static char buf[40];
	size_t i;

	for (i = 0; i < COUNT(errnos); i++)
		if (errnos[i].err == err)
			return errnos[i].text;
	snprintf(buf, sizeof buf, "error %d (unknown to rawtrace)", err);
	return buf;
}

const char *sockopt_name(int level, int name)
{
	static char buf[16];

	if (level == SOL_SOCKET && name == SO_ATTACH_BPF)
		return "SO_ATTACH_BPF";
	if (level == SOL_SOCKET && name == SO_DETACH_BPF)
		return "SO_DETACH_BPF";
	if (level == SOL_SOCKET && name == SO_RCVBUF)
		return "SO_RCVBUF";
	if (level == SOL_SOCKET && name == SO_REUSEADDR)
		return "SO_REUSEADDR";
	snprintf(buf, sizeof buf, "%d", name);
	return buf;
}

const char *map_flags_str(uint32_t flags)
{
	static char buf[96];
	static const struct { uint32_t bit; const char *name; } known[] = {
		{ BPF_F_NO_PREALLOC, "BPF_F_NO_PREALLOC" },
		{ BPF_F_RDONLY_PROG, "BPF_F_RDONLY_PROG" },
		{ BPF_F_MMAPABLE, "BPF_F_MMAPABLE" },
	};
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; i < COUNT(known); i++) {
		if (!(flags & known[i].bit))
			continue;
		flags &= ~known[i].bit;
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s",
				      n ? "|" : "", known[i].name);
	}
	if (flags || !n)
		snprintf(buf + n, sizeof buf - n, "%s0x%x", n ? "|" : "", flags);
	return buf;
}
