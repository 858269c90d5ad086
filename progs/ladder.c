/* The backend ladder (progs/ladder.h): each backend of a tool loaded and
 * attached in turn until one works here, the failed ones undone. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "elf/error.h"
#include "loader/sys.h"
#include "progs/ladder.h"

/* The most programs one backend lists. */
#define BACKEND_MAX_PROGS 16

static void add_reason(char *buf, size_t size, const char *name,
		       const char *why)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s: %s", len ? "; " : "", name, why);
}

static int in_list(const char *name, const char *const *list)
{
	for (; list && *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static int uses_kprobes(struct session *s, const char *const *progs)
{
	const struct obj_prog *p;

	for (; *progs; progs++) {
		p = obj_prog(&s->obj, *progs);
		if (p && (p->kind == ATTACH_KPROBE ||
			  p->kind == ATTACH_KRETPROBE))
			return 1;
	}
	return 0;
}

/* Load, fill the maps, open the rings, attach. On failure, undo all of
 * it but the maps. A failure to fill the maps is the caller's (a bad -c
 * path), not the kernel's: *stop says no other backend would do better. */
static int try_progs(struct session *s, const char *const *progs,
		     const struct start *how, int *stop)
{
	int err = session_load(s, progs, how->btf_path);

	if (!err && how->prepare) {
		err = how->prepare(s, how->ctx);
		*stop = err != 0;
	}
	if (!err && how->pages)
		err = session_open_events(s, "events", how->pages);
	if (!err)
		err = session_attach(s, -1);  /* detaches again on failure */
	if (err) {
		loaded_unload_progs(&s->loaded);
		session_close_events(s);
	}
	return err;
}

/* After a failure: takes out of names each optional program of b whose
 * target this kernel does not have. Returns how many it took out. */
static int leave_out_missing(struct session *s, struct ladder *ld,
			     const struct backend *b, const char **names)
{
	const struct btf *kbtf = s->has_kbtf ? &s->kbtf.btf : NULL;
	const struct obj_prog *p;
	size_t i, j = 0;
	int n = 0;

	for (i = 0; names[i]; i++) {
		p = obj_prog(&s->obj, names[i]);
		if (p && in_list(names[i], b->optional) &&
		    attach_target_check(p, kbtf) < 0) {
			sys_note("%s backend: %s left out: %s", b->name,
				 names[i], error_msg());
			add_reason(ld->left_out, sizeof ld->left_out, names[i],
				   error_msg());
			n++;
			continue;
		}
		names[j++] = names[i];
	}
	names[j] = NULL;
	return n;
}

/* One backend: all its programs; after a failure, again without the
 * optional ones whose target is missing, if there were any. */
static int start_backend(struct session *s, struct ladder *ld,
			 const struct backend *b, const struct start *how,
			 int *stop)
{
	const char *names[BACKEND_MAX_PROGS + 1];
	char why[sizeof ld->skipped];
	size_t n;
	int err;

	for (n = 0; b->progs[n]; n++) {
		if (n == BACKEND_MAX_PROGS)
			return error_set(E2BIG, "backend %s: more than %d "
					 "programs", b->name, BACKEND_MAX_PROGS);
		names[n] = b->progs[n];
	}
	names[n] = NULL;
	ld->left_out[0] = 0;
	for (;;) {
		err = try_progs(s, names, how, stop);
		if (!err || *stop || session_stop)
			return err;
		snprintf(why, sizeof why, "%s", error_msg());
		if (!leave_out_missing(s, ld, b, names) || !names[0])
			return error_set(-err, "%s", why);
	}
}

int ladder_start(struct session *s, struct ladder *ld,
		 const struct backend *list, const struct start *how)
{
	const struct backend *b;
	int err, stop = 0;

	ld->backend = NULL;
	ld->skipped[0] = 0;
	for (b = list; b->name; b++) {
		if (how->name && strcmp(b->name, how->name) != 0)
			continue;
		if (!how->name && uses_kprobes(s, b->progs) &&
		    !kprobes_available()) {
			sys_note("%s backend skipped: this kernel has no "
				 "kprobes", b->name);
			add_reason(ld->skipped, sizeof ld->skipped, b->name,
				   "this kernel has no kprobes");
			continue;
		}
		err = start_backend(s, ld, b, how, &stop);
		if (!err) {
			ld->backend = b;
			return 0;
		}
		/* A signal here is the user's "stop", not the backend's
		 * fault: the next backend would only start what they
		 * want stopped (and, on a file that blocks, block again). */
		if (session_stop)
			return error_prefix(EINTR, "stopped by a signal while "
					    "starting the %s backend: ",
					    b->name);
		if (how->name || !b[1].name || stop)
			return err;  /* error_msg says why */
		sys_note("%s backend skipped: %s", b->name, error_msg());
		add_reason(ld->skipped, sizeof ld->skipped, b->name, error_msg());
	}
	return error_set(ENOTSUP, "no %s backend %s", s->obj.name,
			 how->name ? how->name : "works here");
}

