/* What the tracing tools share on the user side: the common options
 * (-j -t -p -d -b --backend), backend choice, the cgroup filter, and the
 * end of a run (detach, report lost events, exit status). */
#ifndef RAWTRACE_OPTIONS_H
#define RAWTRACE_OPTIONS_H

#include <getopt.h>
#include <stdint.h>
#include "loader/session.h"

struct common_opts {
	int json;               /* -j: one JSON object per line */
	int timestamp;          /* -t: wall-clock time column */
	long pid;               /* -p: only this process, 0 for all */
	double duration;        /* -d: seconds, 0 for until a signal */
	unsigned pages;         /* -b: ring pages per CPU */
	const char *backend;    /* --backend, NULL for automatic */
	enum session_ring ring; /* --ring */
};

/* Long options without a letter: the common ones from 0x100, each tool's
 * own from 0x200, so that they never share a code. */
#define OPT_BACKEND 0x100
#define OPT_RING    0x101

#define COMMON_SHORTOPTS "hjtp:d:b:"
#define COMMON_LONGOPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "timestamp", no_argument, NULL, 't' }, \
	{ "pid", required_argument, NULL, 'p' }, \
	{ "duration", required_argument, NULL, 'd' }, \
	{ "buffer-pages", required_argument, NULL, 'b' }, \
	{ "backend", required_argument, NULL, OPT_BACKEND }, \
	{ "ring", required_argument, NULL, OPT_RING }

/* The help lines of the common options, in pieces, for tools that take
 * only some of them (rawtrace packets has no -p and no --backend). */
#define COMMON_HELP_TIMESTAMP \
	"  -t, --timestamp   print a wall-clock time column\n"
#define COMMON_HELP_PID \
	"  -p, --pid PID     only this process\n"
#define COMMON_HELP_OUTPUT \
	"  -j, --json        one JSON object per line\n" \
	"  -d, --duration S  stop after S seconds\n" \
	"  -b, --buffer-pages N  ring pages per CPU (power of two, default " \
	"64); the\n" \
	"                    ring buffer gets N x online CPUs pages\n" \
	"  --ring TYPE       ringbuf or perf (default: ringbuf where the " \
	"kernel has it)\n"
/* names: the tool's backends in the order it tries them. */
#define COMMON_HELP_BACKEND(names) \
	"  --backend NAME    " names " (default: the first of\n" \
	"                    these, in this order, that loads and attaches " \
	"here)\n"
#define COMMON_HELP_GLOBAL \
	"  --explain         print every syscall made to set up tracing\n" \
	"  --btf FILE        kernel BTF for CO-RE, for kernels without " \
	"/sys/kernel/btf/vmlinux\n"
#define COMMON_OPTIONS_HELP(backends) \
	COMMON_HELP_TIMESTAMP COMMON_HELP_PID COMMON_HELP_OUTPUT \
	COMMON_HELP_BACKEND(backends) COMMON_HELP_GLOBAL

void common_defaults(struct common_opts *o);

/* Handles one common option; prints usage and returns 1 for -h;
 * -EINVAL with error_msg set for a bad value. */
int parse_common(int c, const char *arg, struct common_opts *o,
		 const char *usage);

/* "80,443" -> ports; each 1..65535, at most max of them. */
int parse_ports(const char *arg, uint16_t *ports, unsigned max,
		uint32_t *count);

/* Each tracing tool's backends (loader/session.h), in the order it tries
 * them: doctor starts them to say which one works here. */
extern const struct backend bind_backends[];
extern const struct backend listen_backends[];
extern const struct backend connect_backends[];

/* session_open for a tool writing through progs/output.h, with the
 * want_time knob of include/events.bpf.h set from -t and -j. */
int open_tool(struct session *s, const char *obj_name,
	      const struct common_opts *c);

/* Sets the port list knobs of include/port_filter.bpf.h (nr_ports,
 * filter_ports) to the n ports parse_ports gave (n <= PORT_FILTER_MAX). */
int set_port_filter(struct session *s, const uint16_t *ports, uint32_t n);

/* Puts the cgroup at path into slot 0 of the CGROUP_ARRAY map. */
int set_cgroup_filter(struct session *s, const char *map, const char *path);

/* Starts the tool's backend (session_start: --backend's, or the first of
 * list that loads and attaches here) with the rings of its "events" map,
 * and says on stderr which one traces. prepare, if not NULL, fills the
 * maps before each backend attaches. */
int start_tool(struct session *s, const char *tool, const struct backend *list,
	       const struct common_opts *c,
	       int (*prepare)(struct session *s, void *ctx), void *ctx);

/* Flushes what is buffered (the header), then delivers events to
 * on_event until a signal or until seconds have passed. */
int run_events(struct session *s, double seconds, perf_sample_fn on_event,
	       void *ctx);

/* HH:MM:SS of a CLOCK_MONOTONIC timestamp from bpf_ktime_get_ns;
 * out_col_time adds the space that ends the TIME column. */
void out_wallclock(uint64_t mono_ns);
void out_col_time(uint64_t mono_ns);

/* session->flush for tools writing through progs/output.h. */
int flush_output(void *ctx);

/* Closes the session, reports the totals and any error on stderr, and
 * returns the exit status (0 or 1). */
int finish_session(struct session *s, const char *tool, int err);

#endif
