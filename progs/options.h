/* What the tracing tools share on the user side: the common options
 * (-j -o -t -p -d -b --ring --backend --cost), backend choice, the cgroup filter,
 * and the end of a run (detach, report lost events, exit status). The
 * frame around them is progs/tool.h's. */
#ifndef RAWTRACE_OPTIONS_H
#define RAWTRACE_OPTIONS_H

#include <stdint.h>
#include "loader/session.h"
#include "progs/events.h"
#include "progs/ladder.h"
#include "render/columns.h"

struct common_opts {
	enum render_format format; /* -o, -j: table, JSON Lines or key=value */
	int timestamp;          /* -t: wall-clock time column */
	long pid;               /* -p: only this process, 0 for all */
	double duration;        /* -d: seconds, 0 for until a signal */
	unsigned pages;         /* -b: ring pages per CPU */
	const char *backend;    /* --backend, NULL for automatic */
	enum events_ring ring;  /* --ring */
	int cost;               /* --cost: the programs' runs and time */
	/* progs/scope.h: */
	const char *cgroup;     /* -c: a cgroup v2 directory; --container's */
	const char *container;  /* --container NAME|ID */
	const char *netns;      /* --netns, as given */
	uint32_t netns_ino;     /* its inode number (scope_resolve) */
};

/* Long options without a letter: the common ones from 0x100, each tool's
 * own from 0x200, so that they never share a code. */
#define OPT_BACKEND 0x100
#define OPT_RING    0x101
#define OPT_COST    0x102
#define OPT_CONTAINER 0x103
#define OPT_NETNS   0x104

void common_defaults(struct common_opts *o);

/* Handles one common option (never -h: the runner's); -EINVAL with
 * error_msg set for a bad value. */
int parse_common(int c, const char *arg, struct common_opts *o);

/* "80,443" -> ports; each 1..65535, at most max of them. */
int parse_ports(const char *arg, uint16_t *ports, unsigned max,
		uint32_t *count);

/* Opens path if it is a cgroup v2 directory (else one line saying it is
 * not); check_cgroup_v2 only checks, for a tool's check hook: a bad -c
 * is refused before anything loads. */
int open_cgroup_v2(const char *path, int *fd);
int check_cgroup_v2(const char *path);

/* Puts the cgroup at path into slot 0 of the CGROUP_ARRAY map. */
int set_cgroup_filter(struct session *s, const char *map, const char *path);

/* Starts the tool's backend (session_start: --backend's, or the first of
 * list that loads and attaches here) with the rings of its "events" map,
 * and says on stderr which one traces. prepare, if not NULL, fills the
 * maps before each backend attaches. */
int start_tool(struct session *s, struct ladder *ld, const char *tool,
	       const struct backend *list, const struct common_opts *c,
	       int (*prepare)(struct session *s, void *ctx), void *ctx);

/* Flushes what is buffered (the header), then delivers events to
 * on_event until a signal or until seconds have passed. */
int run_events(struct session *s, double seconds, perf_sample_fn on_event,
	       void *ctx);

/* session->flush for tools writing through render/output.h. */
int flush_output(void *ctx);

/* Closes the session, reports the totals and any error on stderr, and
 * returns the exit status (0 or 1). */
int finish_session(struct session *s, const struct ladder *ld,
		   const struct lost_count *lc, const char *tool, int err);

#endif
