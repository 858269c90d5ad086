/* A tool's backends: the ways it can trace, tried in order, falling
 * back on a load *or* an attach failure (the ladder). A convention of
 * rawtrace's own tools, built on the object session (loader/session.h),
 * which knows nothing of it. */
#ifndef RAWTRACE_LADDER_H
#define RAWTRACE_LADDER_H

#include "loader/session.h"

/* One way for a tool to trace: programs loaded and attached together.
 * A tool lists its backends in the order it tries them. */
struct backend {
	const char *name;
	const char *const *progs;       /* NULL-terminated */
	/* Those of progs that are left out, with a note, where the kernel
	 * has no such function or tracepoint at all (inet6_bind on a kernel
	 * without IPv6): the backend goes on without them. NULL: none. */
	const char *const *optional;
	const char *what;               /* for the start-up line */
};

/* What ladder_start did: the backend that runs, why the ones before it
 * were skipped ("fexit: why; kprobe: why"), and the optional programs it
 * left out ("kp_bind6: why"). */
struct ladder {
	const struct backend *backend;
	char skipped[512];
	char left_out[256];
};

/* How ladder_start starts a backend. */
struct start {
	const char *name;       /* only this one (--backend); NULL: the first
				   in the list that works here */
	const char *btf_path;   /* --btf, or NULL for the running kernel's */
	unsigned pages;         /* ring pages per CPU on the "events" map;
				   0: no rings (doctor only tries) */
	/* After the maps are made, before attaching: fill them (may be
	 * NULL). Called again for each backend tried; its failure ends the
	 * search (it is the caller's, not the backend's). */
	int (*prepare)(struct session *s, void *ctx);
	void *ctx;
};

/* Loads and attaches the backend how->name or, with it NULL, the first
 * of list (ended by a NULL name) that both loads and attaches here, and
 * sets s->backend. A backend that fails either way is undone (none of
 * its programs stays loaded or attached; the maps stay, for the next
 * one) and the next is tried; one with kprobes is skipped untried on a
 * kernel without them. An optional program whose target the kernel
 * lacks is left out and its backend tried again without it; any other
 * failure moves on. ld->skipped and ld->left_out say what happened (also
 * as --explain notes). On failure, error_msg is the last backend's. */
int ladder_start(struct session *s, struct ladder *ld,
		 const struct backend *list, const struct start *how);

#endif
