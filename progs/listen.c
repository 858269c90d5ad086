/* rawtrace listen: a line for each listen() on a TCP socket, IPv4 or IPv6,
 * like libbpf-tools' solisten. Failed calls are shown too (RET column),
 * as solisten does. Two backends, one output:
 *   kprobe      kprobe + kretprobe on inet_listen
 *   tracepoint  syscalls:sys_enter_listen / sys_exit_listen, the socket
 *               reached through the fd, for kernels without kprobes. */
#include "include/events.h"
#include "include/knobs.h"
#include "render/output.h"
#include "progs/scope.h"
#include "progs/tool.h"

static const char *const kprobe_progs[] = {
	"kp_listen", "kret_listen", NULL,
};
static const char *const tracepoint_progs[] = {
	"tp_enter_listen", "tp_exit_listen", NULL,
};

static const struct backend listen_backends[] = {
	{ "kprobe", kprobe_progs, NULL, "kprobe and kretprobe on inet_listen" },
	{ "tracepoint", tracepoint_progs, NULL,
	  "tracepoints syscalls:sys_enter_listen, sys_exit_listen" },
	{ NULL, NULL, NULL, NULL },
};

/* "TCPv4" and so on, from the socket type as solisten does. */
static const char *proto_string(const void *event, char *out)
{
	const struct listen_event *e = event;
	const char *name = e->type == 1 ? "TCP" : e->type == 2 ? "UDP" :
			   "UNK";  /* SOCK_STREAM, SOCK_DGRAM */
	char *p = out;

	while (*name)
		*p++ = *name++;
	*p++ = 'v';
	*put_uint(p, e->ver) = 0;
	return out;
}

static const struct column columns[] = {
	COL_TASK_HEAD(struct listen_event),
	COL_TASK(struct listen_event),
	COL_S("RET", "ret", struct listen_event, ret, 3, 0),
	COL_CALC("PROTO", "proto", proto_string, 5, 0),
	COL_S("BACKLOG", "backlog", struct listen_event, backlog, 7, 0),
	COL_U("NETNS", "netns", struct listen_event, netns, 10, 0),
	/* Wide enough for the usual v4 addresses; a long v6 one pushes the
	 * port to the right rather than being cut. */
	COL_IP("ADDR", "addr", struct listen_event, addr, ver, 15, 0),
	COL_U("PORT", "port", struct listen_event, port, 5, 0),
	COL_CGROUP(struct listen_event),
};

const struct tool listen_tool = {
	.name = "listen",
	.help = "trace listen() calls (like solisten)",
	.object = "listen",
	.about = "Trace listen() on IPv4 and IPv6 TCP sockets, failed calls "
		 "included.\n",
	.backends = listen_backends,
	.backend_names = "kprobe or tracepoint",
	.takes = TAKES_ALL,
	.knobs_size = sizeof(struct listen_knobs),
	.columns = columns,
	.nr_columns = sizeof columns / sizeof columns[0],
	.event_size = sizeof(struct listen_event),
};
