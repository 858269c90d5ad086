/* The syscall layer: every bpf(), perf_event_open(), ioctl(), setsockopt(),
 * setns(), mmap() and membarrier() rawtrace makes goes through one
 * function here, which makes the call, turns -1/errno into -errno, and
 * with --explain prints what was asked and what came back, in the
 * kernel's own names (through the front end's printer, see explain_end). */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/membarrier.h>
#include <linux/rtnetlink.h>
#include "obj/names.h"
#include "loader/sys.h"

int sys_explain;

double monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The clock, read only under --explain. */
static double explain_clock(void)
{
	return sys_explain ? monotonic_ms() : 0;
}

static double explain_start;
static void (*explain_print)(const char *line);

void sys_explain_on(void (*print)(const char *line))
{
	explain_print = print;
	sys_explain = 1;
	explain_start = explain_clock();
}

double sys_explain_ms(void)
{
	return sys_explain ? explain_clock() - explain_start : 0;
}

double sys_explain_cpu_ms(void)
{
	struct timespec ts;

	if (!sys_explain || clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts))
		return 0;
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Each --explain line is built here, piece by piece, and handed whole to
 * the front end's printer, which escapes what came from outside (names
 * from the object, messages quoting them): this file never writes to the
 * terminal itself. A line longer than the buffer is cut. */
static char explain_buf[1024];
static size_t explain_len;

static void explain_v(const char *fmt, va_list ap)
{
	size_t room = sizeof explain_buf - explain_len;
	int n = vsnprintf(explain_buf + explain_len, room, fmt, ap);

	if (n > 0)
		explain_len += (size_t)n < room ? (size_t)n : room - 1;
}

static void explain(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void explain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	explain_v(fmt, ap);
	va_end(ap);
}

static void explain_end(void)
{
	if (explain_print)
		explain_print(explain_buf);
	explain_len = 0;
	explain_buf[0] = 0;
}

/* " = 3 <0.012 ms>" or " = -1 EPERM (Operation not permitted) <...>",
 * with the time the call took, as strace -T shows it. */
static void explain_result(long ret, double t0)
{
	double ms = explain_clock() - t0;

	if (ret >= 0)
		explain(" = %ld <%.3f ms>", ret, ms);
	else
		explain(" = -1 %s (%s) <%.3f ms>",
			errno_name((int)-ret), errno_text((int)-ret), ms);
	explain_end();
}

static void explain_name(const char *label, const char *s, size_t max)
{
	explain(", %s=\"%.*s\"", label, (int)strnlen(s, max), s);
}

static void explain_map_create(const union bpf_attr *a)
{
	explain("{map_type=%s, key_size=%u, value_size=%u, "
		"max_entries=%u", map_type_name(a->map_type), a->key_size,
		a->value_size, a->max_entries);
	if (a->map_flags)
		explain(", map_flags=%s", map_flags_str(a->map_flags));
	explain_name("map_name", a->map_name, sizeof a->map_name);
	explain("}");
}

static void explain_prog_load(const union bpf_attr *a)
{
	explain("{prog_type=%s, insn_cnt=%u, license=\"%s\"",
		prog_type_name(a->prog_type), a->insn_cnt,
		(const char *)(uintptr_t)a->license);
	if (a->expected_attach_type)
		explain(", expected_attach_type=%s",
			attach_type_name(a->expected_attach_type));
	explain_name("prog_name", a->prog_name, sizeof a->prog_name);
	if (a->prog_btf_fd)
		explain(", prog_btf_fd=%u, func_info_cnt=%u, line_info_cnt=%u",
			a->prog_btf_fd, a->func_info_cnt, a->line_info_cnt);
	if (a->fd_array)
		explain(", fd_array=0x%llx", (unsigned long long)a->fd_array);
	if (a->log_level)
		explain(", log_level=%u, log_size=%u", a->log_level,
			a->log_size);
	explain("}");
}

static void explain_bpf_attr(int cmd, const union bpf_attr *a)
{
	switch (cmd) {
	case BPF_MAP_CREATE:
		explain_map_create(a);
		break;
	case BPF_PROG_LOAD:
		explain_prog_load(a);
		break;
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_LOOKUP_ELEM:
	case BPF_MAP_DELETE_ELEM:
		explain("{map_fd=%u, flags=%s}", a->map_fd,
			a->flags == BPF_NOEXIST ? "BPF_NOEXIST" :
			a->flags == BPF_EXIST ? "BPF_EXIST" : "BPF_ANY");
		break;
	case BPF_MAP_FREEZE:
	case BPF_MAP_GET_NEXT_KEY:
		explain("{map_fd=%u}", a->map_fd);
		break;
	case BPF_BTF_LOAD:
		explain("{btf_size=%u, btf_log_level=%u}", a->btf_size,
			a->btf_log_level);
		break;
	case BPF_PROG_ATTACH:
	case BPF_PROG_DETACH:
		explain("{target_fd=%u, attach_bpf_fd=%u, "
			"attach_type=%s, attach_flags=0x%x}", a->target_fd,
			a->attach_bpf_fd, attach_type_name(a->attach_type),
			a->attach_flags);
		break;
	case BPF_LINK_CREATE:
		explain("{prog_fd=%u, target_fd=%u, attach_type=%s, "
			"flags=0x%x}", a->link_create.prog_fd,
			a->link_create.target_fd,
			attach_type_name(a->link_create.attach_type),
			a->link_create.flags);
		break;
	case BPF_PROG_QUERY:
		explain("{target_fd=%u, attach_type=%s, "
			"query_flags=0x%x, prog_cnt=%u}", a->query.target_fd,
			attach_type_name(a->query.attach_type),
			a->query.query_flags, a->query.prog_cnt);
		break;
	case BPF_RAW_TRACEPOINT_OPEN:
		explain("{name=\"%s\", prog_fd=%u}",
			a->raw_tracepoint.name ?
			(const char *)(uintptr_t)a->raw_tracepoint.name : "",
			a->raw_tracepoint.prog_fd);
		break;
	case BPF_OBJ_GET_INFO_BY_FD:
		explain("{bpf_fd=%u, info_len=%u}", a->info.bpf_fd,
			a->info.info_len);
		break;
	case BPF_PROG_GET_NEXT_ID:
	case BPF_BTF_GET_NEXT_ID:
		explain("{start_id=%u}", a->start_id);
		break;
	case BPF_BTF_GET_FD_BY_ID:
		explain("{btf_id=%u}", a->btf_id);
		break;
	case BPF_PROG_GET_FD_BY_ID:
		explain("{prog_id=%u}", a->prog_id);
		break;
	case BPF_ENABLE_STATS:
		explain("{type=%s}", a->enable_stats.type == BPF_STATS_RUN_TIME ?
			"BPF_STATS_RUN_TIME" : "?");
		break;
	default:
		explain("{...}");
	}
}

int sys_bpf(int cmd, union bpf_attr *attr, unsigned size)
{
	double t0 = explain_clock();
	long ret = syscall(__NR_bpf, cmd, attr, size);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		explain("bpf(%s, ", bpf_cmd_name(cmd));
		explain_bpf_attr(cmd, attr);
		explain(", %u)", size);
		explain_result(ret, t0);
	}
	return (int)ret;
}

static void explain_perf_attr(const struct perf_event_attr *a)
{
	explain("{type=%s, ", perf_type_name(a->type));
	if (a->type == PERF_TYPE_SOFTWARE && a->config == PERF_COUNT_SW_BPF_OUTPUT)
		explain("config=PERF_COUNT_SW_BPF_OUTPUT");
	else
		explain("config=0x%llx", (unsigned long long)a->config);
	/* A dynamic PMU (kprobe/uprobe) takes the function name in config1. */
	if (a->type >= PERF_TYPE_MAX && a->config1)
		explain(", kprobe_func=\"%s\", probe_offset=%llu",
			(const char *)(uintptr_t)a->config1,
			(unsigned long long)a->config2);
	if (a->sample_type & PERF_SAMPLE_RAW)
		explain(", sample_type=PERF_SAMPLE_RAW");
	if (a->watermark)
		explain(", watermark=1, wakeup_watermark=%u",
			a->wakeup_watermark);
	else if (a->wakeup_events)
		explain(", wakeup_events=%u", a->wakeup_events);
	explain("}");
}

int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
			int group_fd, unsigned long flags)
{
	double t0 = explain_clock();
	long ret = syscall(__NR_perf_event_open, attr, pid, cpu, group_fd,
			   flags);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		explain("perf_event_open(");
		explain_perf_attr(attr);
		explain(", pid=%d, cpu=%d, group_fd=%d, %s)", pid, cpu,
			group_fd, flags & PERF_FLAG_FD_CLOEXEC ?
			"PERF_FLAG_FD_CLOEXEC" : "0");
		explain_result(ret, t0);
	}
	return (int)ret;
}

static const char *ioctl_name(unsigned long request)
{
	switch (request) {
	case PERF_EVENT_IOC_SET_BPF: return "PERF_EVENT_IOC_SET_BPF";
	case PERF_EVENT_IOC_ENABLE:  return "PERF_EVENT_IOC_ENABLE";
	case PERF_EVENT_IOC_DISABLE: return "PERF_EVENT_IOC_DISABLE";
	}
	return NULL;
}

int sys_ioctl(int fd, unsigned long request, unsigned long arg)
{
	double t0 = explain_clock();
	long ret = ioctl(fd, request, arg);
	const char *name = ioctl_name(request);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		if (name)
			explain("ioctl(%d, %s, %lu)", fd, name, arg);
		else
			explain("ioctl(%d, 0x%lx, %lu)", fd, request, arg);
		explain_result(ret, t0);
	}
	return (int)ret;
}

int sys_setsockopt(int fd, int level, int name, const void *val,
		   socklen_t len)
{
	double t0 = explain_clock();
	long ret = setsockopt(fd, level, name, val, len);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		explain("setsockopt(%d, %s, %s, ", fd,
			level == SOL_SOCKET ? "SOL_SOCKET" : "?",
			sockopt_name(level, name));
		if (len == sizeof(int))
			explain("[%d], %u)", *(const int *)val, len);
		else
			explain("%p, %u)", val, len);
		explain_result(ret, t0);
	}
	return (int)ret;
}

/* Sockets rawtrace opens itself: the AF_PACKET tap of `rawtrace packets`,
 * the TCP listener of `rawtrace run --metrics`. */
int sys_socket(int domain, int type, int protocol)
{
	double t0 = explain_clock();
	long ret = socket(domain, type, protocol);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		explain("socket(%s, %s%s%s, %d)",
			domain == AF_PACKET ? "AF_PACKET" :
			domain == AF_NETLINK ? "AF_NETLINK" :
			domain == AF_INET ? "AF_INET" :
			domain == AF_INET6 ? "AF_INET6" : "?",
			(type & 0xf) == SOCK_RAW ? "SOCK_RAW" :
			(type & 0xf) == SOCK_STREAM ? "SOCK_STREAM" : "?",
			type & SOCK_NONBLOCK ? "|SOCK_NONBLOCK" : "",
			type & SOCK_CLOEXEC ? "|SOCK_CLOEXEC" : "", protocol);
		explain_result(ret, t0);
	}
	return (int)ret;
}

int sys_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_ll *ll = (const struct sockaddr_ll *)addr;
	double t0 = explain_clock();
	long ret = bind(fd, addr, len);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		if (addr->sa_family == AF_PACKET && len >= sizeof *ll)
			explain("bind(%d, {sll_family=AF_PACKET, "
				"sll_protocol=htons(0x%04x), sll_ifindex=%d}, %u)",
				fd, ntohs(ll->sll_protocol), ll->sll_ifindex,
				len);
		else if (addr->sa_family == AF_INET &&
			 len >= sizeof(struct sockaddr_in))
			explain("bind(%d, {sin_family=AF_INET, sin_port="
				"htons(%u), sin_addr=0x%08x}, %u)", fd,
				ntohs(((const struct sockaddr_in *)addr)->sin_port),
				ntohl(((const struct sockaddr_in *)addr)->
				      sin_addr.s_addr), len);
		else
			explain("bind(%d, %p, %u)", fd, (void *)addr,
				len);
		explain_result(ret, t0);
	}
	return (int)ret;
}

int sys_listen(int fd, int backlog)
{
	double t0 = explain_clock();
	long ret = listen(fd, backlog);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		explain("listen(%d, %d)", fd, backlog);
		explain_result(ret, t0);
	}
	return (int)ret;
}

/* The AF_PACKET tap's address: its sll_ifindex turns -1 when the device
 * it was bound to is unregistered. */
int sys_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	const struct sockaddr_ll *ll = (const struct sockaddr_ll *)addr;
	double t0 = explain_clock();
	long ret = getsockname(fd, addr, len);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		if (!ret && addr->sa_family == AF_PACKET &&
		    *len >= offsetof(struct sockaddr_ll, sll_hatype))
			explain("getsockname(%d, {sll_family=AF_PACKET, "
				"sll_ifindex=%d}, [%u])", fd, ll->sll_ifindex,
				*len);
		else
			explain("getsockname(%d, %p, [%u])", fd, (void *)addr,
				*len);
		explain_result(ret, t0);
	}
	return (int)ret;
}

int sys_setns(int fd, int nstype)
{
	double t0 = explain_clock();
	long ret = setns(fd, nstype);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		if (nstype == CLONE_NEWNET)
			explain("setns(%d, CLONE_NEWNET)", fd);
		else
			explain("setns(%d, 0x%x)", fd, nstype);
		explain_result(ret, t0);
	}
	return (int)ret;
}

int sys_mmap(void **addr, size_t len, int prot, int fd, off_t off)
{
	double t0 = explain_clock();
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	int ret = p == MAP_FAILED ? -errno : 0;

	if (sys_explain) {
		explain("mmap(NULL, %zu, %s, MAP_SHARED, %d, %lld)",
			len, prot == (PROT_READ | PROT_WRITE) ?
			"PROT_READ|PROT_WRITE" : prot == PROT_READ ?
			"PROT_READ" : "PROT_?", fd, (long long)off);
		if (ret) {
			explain_result(ret, t0);
		} else {
			explain(" = %p <%.3f ms>", p, explain_clock() - t0);
			explain_end();
		}
	}
	*addr = ret ? NULL : p;
	return ret;
}

int sys_munmap(void *addr, size_t len)
{
	return munmap(addr, len) ? -errno : 0;
}

int sys_membarrier_global(void)
{
	double t0 = explain_clock();
	long ret = syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		explain("membarrier(MEMBARRIER_CMD_GLOBAL, 0, 0)");
		explain_result(ret, t0);
	}
	return (int)ret;
}

void sys_note(const char *fmt, ...)
{
	va_list ap;

	if (!sys_explain)
		return;
	explain("  # ");
	va_start(ap, fmt);
	explain_v(fmt, ap);
	va_end(ap);
	explain_end();
}

void sys_note_insn(void *ctx, const char *prog, size_t insn, const char *text)
{
	sys_note("%s insn %zu: %s", prog, insn, text);
}

int bpf_map_update(int map_fd, const void *key, const void *value,
		   uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.map_fd = map_fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	a.flags = flags;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a, sizeof a);
}

int bpf_map_lookup(int map_fd, const void *key, void *value)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.map_fd = map_fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &a, sizeof a);
}

int bpf_map_next_key(int map_fd, const void *key, void *next)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.map_fd = map_fd;
	a.key = (uintptr_t)key;
	a.next_key = (uintptr_t)next;
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &a, sizeof a);
}

/* rtnetlink requests (tc's clsact qdisc and cls_bpf filter on kernels
 * without tcx): the message type is what a learner wants to see. */
static const char *rtm_name(unsigned type)
{
	switch (type) {
	case RTM_NEWQDISC: return "RTM_NEWQDISC";
	case RTM_DELQDISC: return "RTM_DELQDISC";
	case RTM_NEWTFILTER: return "RTM_NEWTFILTER";
	case RTM_DELTFILTER: return "RTM_DELTFILTER";
	case RTM_GETTFILTER: return "RTM_GETTFILTER";
	default: return "?";
	}
}

int sys_netlink_send(int fd, const struct nlmsghdr *nh)
{
	double t0 = explain_clock();
	long ret = send(fd, nh, nh->nlmsg_len, 0);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		explain("sendto(%d, {nlmsg_type=%s, nlmsg_flags=0x%x, "
			"nlmsg_len=%u}, %u, 0, NULL, 0)", fd,
			rtm_name(nh->nlmsg_type), nh->nlmsg_flags,
			nh->nlmsg_len, nh->nlmsg_len);
		explain_result(ret, t0);
	}
	return ret < 0 ? (int)ret : 0;
}

int sys_recv(int fd, void *buf, size_t len)
{
	double t0 = explain_clock();
	long ret = recv(fd, buf, len, 0);

	if (ret < 0)
		ret = -errno;
	if (sys_explain) {
		explain("recv(%d, %p, %zu, 0)", fd, buf, len);
		explain_result(ret, t0);
	}
	return (int)ret;
}
