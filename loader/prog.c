/* BPF_PROG_LOAD, and what to say when the verifier says no. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/error.h"
#include "obj/core.h"
#include "obj/names.h"
#include "loader/externs.h"
#include "loader/load.h"
#include "loader/sys.h"

#define LOG_MIN (64 * 1024)
#define LOG_MAX (64 * 1024 * 1024)
#define LOG_TAIL_LINES 12

/* The object's BTF, loaded once so that BPF_PROG_LOAD can name its
 * functions and source lines: the verifier's log then quotes the C line
 * it stopped at. Like libbpf, a kernel that refuses the BTF (older than
 * a kind clang wrote) gets the programs without it: a note, not an
 * error. */
static int object_btf_fd(struct loaded *l)
{
	struct obj *o = l->obj;
	union bpf_attr a;
	int fd;

	if (l->btf_tried)
		return l->btf_fd;
	l->btf_tried = 1;
	if (!o->has_btf || !o->btf_copy)
		return 0;
	memset(&a, 0, sizeof a);
	a.btf = (uintptr_t)o->btf_copy;
	a.btf_size = (uint32_t)o->btf.size;
	fd = sys_bpf(BPF_BTF_LOAD, &a, sizeof a);
	if (fd < 0) {
		sys_note("%s: the kernel refused its BTF (%s): programs load "
			 "without func and line info", o->name,
			 errno_text(-fd));
		return 0;
	}
	l->btf_fd = fd;
	return fd;
}

/* func_info and line_info, with the BTF they point into. */
static void set_btf_info(union bpf_attr *a, const struct obj_prog *p,
			 int btf_fd)
{
	if (btf_fd <= 0 || !p->nr_func_info)
		return;
	a->prog_btf_fd = (uint32_t)btf_fd;
	a->func_info = (uintptr_t)p->func_info;
	a->func_info_rec_size = sizeof *p->func_info;
	a->func_info_cnt = (uint32_t)p->nr_func_info;
	if (!p->nr_line_info)
		return;
	a->line_info = (uintptr_t)p->line_info;
	a->line_info_rec_size = sizeof *p->line_info;
	a->line_info_cnt = (uint32_t)p->nr_line_info;
}

static int load_once(struct loaded *l, struct obj_prog *p, char *log,
		     uint32_t log_size, int with_btf)
{
	struct obj *o = l->obj;
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.prog_type = p->type;
	a.expected_attach_type = p->expected_attach_type;
	a.attach_btf_id = p->attach_btf_id;
	a.prog_flags = p->prog_flags;
	a.insns = (uintptr_t)p->insns;
	a.insn_cnt = (uint32_t)p->insn_cnt;
	a.license = (uintptr_t)o->license;
	/* Kernels before 5.0 refuse a kprobe program whose kern_version is
	 * not theirs; later ones ignore it. */
	if (p->type == BPF_PROG_TYPE_KPROBE)
		a.kern_version = kernel_version();
	memcpy(a.prog_name, p->name, sizeof a.prog_name - 1);
	/* Only when a kfunc call needs it: a kernel before 5.13 refuses the
	 * field. */
	if (l->mod_btfs.kfuncs)
		a.fd_array = (uintptr_t)l->mod_btfs.fds;
	if (with_btf)
		set_btf_info(&a, p, object_btf_fd(l));
	if (log) {
		a.log_level = 1;
		a.log_buf = (uintptr_t)log;
		a.log_size = log_size;
		log[0] = 0;
	}
	return sys_bpf(BPF_PROG_LOAD, &a, sizeof a);
}

/* Why a load failed, in words, for the errors the kernel gives most. */
static const char *load_errno_hint(const struct obj_prog *p, int err)
{
	switch (err) {
	case EPERM:
		/* Some kernels refuse BPF trampolines even to root (as this
		 * project's 6.18 CI host does): the run-as-root hint would
		 * mislead. */
		if (p->kind == ATTACH_FUNC || p->kind == ATTACH_LSM)
			return "not permitted: this kernel refuses BPF "
			       "trampolines (fentry/fexit/lsm) here (or rawtrace lacks CAP_BPF and "
			       "CAP_PERFMON)";
		return "not permitted: run as root or with CAP_BPF and "
		       "CAP_PERFMON (and check kernel.unprivileged_bpf_disabled"
		       " and lockdown)";
	case EACCES:
		return "the verifier rejected the program";
	case EINVAL:
		return "the kernel refused the program or its attributes "
		       "(unsupported program type or helper?)";
	case E2BIG:
		return "program too large for this kernel";
	case ENOSPC:
		return "verifier log did not fit";
	}
	return errno_text(err);
}

/* If the verifier stopped at an instruction CO-RE poisoned, the reason is
 * the CO-RE record, not the verifier: say which field was missing. */
static const char *poison_reason(const struct obj_prog *p, const char *log)
{
	const char *hit = strstr(log, "unknown#195896080");
	const char *line;
	size_t i, insn;

	if (!hit)
		return NULL;
	for (line = hit; line > log && line[-1] != '\n'; line--)
		;
	if (sscanf(line, "%zu:", &insn) != 1)
		return p->nr_core_notes ? p->core_notes[0].text : NULL;
	for (i = 0; i < p->nr_core_notes; i++)
		if (p->core_notes[i].insn == insn)
			return p->core_notes[i].text;
	return NULL;
}

/* The last lines of the log, where the verifier says what went wrong. */
static const char *log_tail(const char *log)
{
	const char *s = log + strlen(log);
	int lines = 0;

	while (s > log && (s[-1] == '\n' || s[-1] == ' '))
		s--;
	while (s > log && lines <= LOG_TAIL_LINES)
		if (*--s == '\n')
			lines++;
	return s == log ? s : s + 1;
}

static int report_failure(struct loaded *l, struct obj_prog *p, int err,
			  int *fd)
{
	uint32_t size = LOG_MIN;
	char *log = NULL;
	const char *why;
	int ret;

	/* Load again with the verifier's log on, growing the buffer until
	 * the whole log fits. */
	for (;;) {
		char *bigger = realloc(log, size);

		if (!bigger)
			break;
		log = bigger;
		ret = load_once(l, p, log, size, 1);
		if (ret >= 0) {   /* loaded this time: keep it */
			free(log);
			*fd = ret;
			return 0;
		}
		if (ret != -ENOSPC || size >= LOG_MAX)
			break;
		size *= 4;
	}
	why = log ? poison_reason(p, log) : NULL;
	if (why)
		err = error_set(EINVAL, "%s (CO-RE record reached by the "
				"verifier)", why);
	else if (log && log[0])
		err = error_set(-err, "program %s: BPF_PROG_LOAD: %s\n"
				"verifier log (tail):\n%s", p->name,
				load_errno_hint(p, -err), log_tail(log));
	else
		err = error_set(-err, "program %s: BPF_PROG_LOAD: %s", p->name,
				load_errno_hint(p, -err));
	free(log);
	return err;
}

int prog_load(struct loaded *l, struct obj_prog *p)
{
	struct obj *o = l->obj;
	int *slot = &l->prog_fds[p - o->progs];
	int fd;

	if (!o->license[0])
		return error_set(EINVAL, "%s: no license section: programs "
				 "calling GPL helpers need one", o->name);
	/* First without a log: it is faster, and most loads succeed. */
	fd = load_once(l, p, NULL, 0, 1);
	if (fd >= 0) {
		*slot = fd;
		return 0;
	}
	/* An older kernel may take the BTF and then refuse the func or line
	 * info (a kind or linkage it does not know): the program without
	 * them, as it loaded before they were passed, rather than none. */
	if (fd == -EINVAL && l->btf_fd > 0) {
		int bare = load_once(l, p, NULL, 0, 0);

		if (bare >= 0) {
			sys_note("%s: loaded without func and line info, which "
				 "the kernel refused", p->name);
			*slot = bare;
			return 0;
		}
	}
	if (fd == -EPERM)
		return error_set(EPERM, "program %s: BPF_PROG_LOAD: %s",
				 p->name, load_errno_hint(p, EPERM));
	return report_failure(l, p, fd, slot);
}

/* What every load does before its programs: the externs' values (once:
 * a second obj_load, another backend, finds them resolved), then the
 * maps the autoload programs use (a second obj_load reuses the maps made
 * for the first and adds those only it needs). */
static int load_prepare(struct loaded *l, struct obj *o,
			const struct btf *kbtf)
{
	double t;
	int err = loaded_init(l, o);

	if (!err && !l->externs_done) {
		err = externs_resolve(o, l->attach_btf ? l->attach_btf : kbtf,
				      &l->mod_btfs);
		l->externs_done = !err;
	}
	if (err)
		return err;
	if (!kbtf && obj_needs_kernel_btf(o))
		return error_set(ENOENT, "%s: needs the kernel's BTF for CO-RE, "
				 "and this kernel has none at "
				 "/sys/kernel/btf/vmlinux: pass --btf FILE "
				 "(rawtrace btfgen makes one)", o->name);
	t = sys_explain_ms();
	err = obj_create_maps(l);
	if (err) {
		loaded_unload(l);
		return err;
	}
	sys_note("maps: %.1f ms", sys_explain_ms() - t);
	o->note = sys_explain ? sys_note_insn : NULL;
	return 0;
}

/* Relocates p (its CO-RE against kbtf) and loads it. */
static int load_one(struct loaded *l, struct obj_prog *p,
		    const struct btf *kbtf)
{
	double t = sys_explain_ms();
	int err = obj_relocate_prog(l->obj, p, kbtf, l->map_fds);

	if (err)
		return err;
	sys_note("%s: relocation and CO-RE in %.1f ms", p->name,
		 sys_explain_ms() - t);
	return prog_load(l, p);
}

int obj_load(struct loaded *l, struct obj *o, const struct btf *kbtf)
{
	size_t i;
	int err = kbtf ? obj_find_attach_btf_ids(o, l->attach_btf ?
					     l->attach_btf : kbtf) : 0;

	if (!err)
		err = load_prepare(l, o, kbtf);
	/* Each program loaded as soon as it is relocated: where the kernel
	 * refuses the first (fexit where trampolines are not allowed), the
	 * CO-RE work for the others is not done for nothing. */
	for (i = 0; !err && i < o->nr_progs; i++)
		if (o->progs[i].autoload)
			err = load_one(l, &o->progs[i], kbtf);
	if (!err)
		err = loaded_fill_slots(l, 1);
	if (err)
		loaded_unload_progs(l);
	return err;
}

/* obj_find_attach_btf_ids for p alone: the others' targets may be
 * missing here without p's failing. */
static int find_attach_id(struct obj *o, struct obj_prog *p,
			  const struct btf *btf)
{
	unsigned char *was = malloc(o->nr_progs ? o->nr_progs : 1);
	size_t i;
	int err;

	if (!was)
		return error_set(ENOMEM, "%s: no memory", o->name);
	for (i = 0; i < o->nr_progs; i++) {
		was[i] = (unsigned char)o->progs[i].autoload;
		o->progs[i].autoload = &o->progs[i] == p;
	}
	err = obj_find_attach_btf_ids(o, btf);
	for (i = 0; i < o->nr_progs; i++)
		o->progs[i].autoload = was[i];
	free(was);
	return err;
}

int obj_load_each(struct loaded *l, struct obj *o, const struct btf *kbtf,
		  load_failed_fn failed, void *ctx)
{
	const struct btf *abtf = l->attach_btf ? l->attach_btf : kbtf;
	size_t i;
	int err = load_prepare(l, o, kbtf), n = 0;

	for (i = 0; !err && i < o->nr_progs; i++) {
		struct obj_prog *p = &o->progs[i];
		int e;

		if (!p->autoload)
			continue;
		e = abtf ? find_attach_id(o, p, abtf) : 0;
		if (!e)
			e = load_one(l, p, kbtf);
		if (e)
			failed(ctx, p, e);
		else
			n++;
	}
	if (!err)
		err = loaded_fill_slots(l, 1);
	return err ? err : n;
}
