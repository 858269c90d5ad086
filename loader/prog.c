/* BPF_PROG_LOAD, and what to say when the verifier says no. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/error.h"
#include "obj/btf_sanitize.h"
#include "obj/core.h"
#include "obj/names.h"
#include "loader/btf_features.h"
#include "loader/externs.h"
#include "loader/load.h"
#include "loader/sys.h"

#define LOG_MIN (64 * 1024)
#define LOG_MAX (64 * 1024 * 1024)
#define LOG_TAIL_LINES 12
#define LOG_TAIL_BYTES 1536

/* The features o's BTF uses that this kernel refuses, as a note's
 * words: "float, decl_tag". */
static void missing_words(unsigned missing, char *buf, size_t size)
{
	unsigned bit;
	size_t n = 0;

	buf[0] = 0;
	for (bit = 1; bit && bit <= missing; bit <<= 1)
		if ((missing & bit) && n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
					      n ? ", " : "",
					      btf_feature_name(bit));
}

/* The object's BTF as this kernel takes it: the blob itself, or a
 * sanitised copy (*copy set, the caller frees it) where the kernel lacks
 * a kind or linkage clang wrote. */
static const void *btf_for_kernel(struct obj *o, void **copy, size_t *size)
{
	unsigned missing = kernel_btf_missing(btf_features_used(&o->btf));
	char words[128];

	*copy = NULL;
	*size = o->btf.size;
	if (!missing)
		return o->btf_copy;
	missing_words(missing, words, sizeof words);
	if (btf_sanitize(&o->btf, missing, copy, size)) {
		sys_note("%s: %s", o->name, error_msg());
		return o->btf_copy;
	}
	sys_note("%s: its BTF sanitised for this kernel, which does not know "
		 "%s", o->name, words);
	return *copy;
}

/* The object's BTF, loaded once so that BPF_PROG_LOAD can name its
 * functions and source lines (the verifier's log then quotes the C line
 * it stopped at) and the maps are made with their key and value types. Like libbpf, the kinds an older kernel does not know
 * are rewritten as ones it does (btf_sanitize), type ids unchanged so
 * that func_info and line_info still point right; a kernel that refuses
 * the BTF even so gets the programs without it: a note, not an error. */
int loaded_btf_fd(struct loaded *l)
{
	struct obj *o = l->obj;
	union bpf_attr a;
	const void *blob;
	void *copy;
	size_t size;
	int fd;

	if (l->btf_tried)
		return l->btf_fd;
	l->btf_tried = 1;
	if (!o->has_btf || !o->btf_copy)
		return 0;
	blob = btf_for_kernel(o, &copy, &size);
	memset(&a, 0, sizeof a);
	a.btf = (uintptr_t)blob;
	a.btf_size = (uint32_t)size;
	fd = sys_bpf(BPF_BTF_LOAD, &a, sizeof a);
	free(copy);
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
static void set_btf_info(union bpf_attr *a,
			 const struct obj_prog_image *img, int btf_fd)
{
	if (btf_fd <= 0 || !img->nr_func_info)
		return;
	a->prog_btf_fd = (uint32_t)btf_fd;
	a->func_info = (uintptr_t)img->func_info;
	a->func_info_rec_size = sizeof *img->func_info;
	a->func_info_cnt = (uint32_t)img->nr_func_info;
	if (!img->nr_line_info)
		return;
	a->line_info = (uintptr_t)img->line_info;
	a->line_info_rec_size = sizeof *img->line_info;
	a->line_info_cnt = (uint32_t)img->nr_line_info;
}

/* The image this load relocated p into. */
static const struct obj_prog_image *image_of(const struct loaded *l,
					     const struct obj_prog *p)
{
	return &l->images[p - l->obj->progs];
}

static int load_once(struct loaded *l, const struct obj_prog *p, char *log,
		     uint32_t log_size, int with_btf)
{
	const struct obj_prog_image *img = image_of(l, p);
	struct obj *o = l->obj;
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.prog_type = p->type;
	a.expected_attach_type = p->expected_attach_type;
	a.attach_btf_id = img->attach_btf_id;
	a.prog_flags = p->prog_flags;
	a.insns = (uintptr_t)img->insns;
	a.insn_cnt = (uint32_t)img->insn_cnt;
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
		set_btf_info(&a, img, loaded_btf_fd(l));
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
static const char *poison_reason(const struct obj_prog_image *img,
				 const char *log)
{
	const char *hit = strstr(log, "unknown#195896080");
	const char *line;
	size_t i, insn;

	if (!hit)
		return NULL;
	for (line = hit; line > log && line[-1] != '\n'; line--)
		;
	if (sscanf(line, "%zu:", &insn) != 1)
		return img->nr_core_notes ? img->core_notes[0].text : NULL;
	for (i = 0; i < img->nr_core_notes; i++)
		if (img->core_notes[i].insn == insn)
			return img->core_notes[i].text;
	return NULL;
}

/* The last lines of the log, where the verifier says what went wrong:
 * at most LOG_TAIL_LINES, and at most LOG_TAIL_BYTES of them, whole lines
 * dropped from the front, so that the error message (elf/error.c) never
 * cuts the last line, the one that says why. Newer kernels annotate each
 * line with the registers' state: twelve of them can take 1.5 KiB. */
static const char *log_tail(const char *log)
{
	const char *end = log + strlen(log), *s, *keep;
	int lines = 0;

	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	s = keep = end;
	while (s > log && lines <= LOG_TAIL_LINES && end - s < LOG_TAIL_BYTES)
		if (*--s == '\n') {
			lines++;
			keep = s + 1;
		}
	if (s == log && end - s < LOG_TAIL_BYTES)
		keep = log;
	/* one line longer than all the room: its end */
	if (keep == end)
		keep = end - LOG_TAIL_BYTES > log ? end - LOG_TAIL_BYTES : log;
	return keep;
}

static int report_failure(struct loaded *l, const struct obj_prog *p, int err,
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
	why = log ? poison_reason(image_of(l, p), log) : NULL;
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

int prog_load(struct loaded *l, const struct obj_prog *p)
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

/* The id of p's target in the running kernel's BTF (abtf), or 0. */
static int attach_id(const struct obj_prog *p, const struct btf *abtf)
{
	return abtf ? obj_attach_btf_id(p, abtf) : 0;
}

/* Relocates p (its CO-RE against kbtf) into this load's image of it,
 * and loads it. */
static int load_one(struct loaded *l, const struct obj_prog *p,
		    const struct btf *kbtf)
{
	struct obj_prog_image *img = &l->images[p - l->obj->progs];
	double t = sys_explain_ms();
	int id = attach_id(p, l->attach_btf ? l->attach_btf : kbtf), err;

	if (id < 0)
		return id;
	err = obj_relocate_prog(l->obj, p, kbtf, l->map_fds, img);
	if (err)
		return err;
	img->attach_btf_id = (uint32_t)id;
	sys_note("%s: relocation and CO-RE in %.1f ms", p->name,
		 sys_explain_ms() - t);
	return prog_load(l, p);
}

/* Every autoload program's target is in the kernel's BTF: checked
 * before the maps are made, so that a backend whose target this kernel
 * lacks costs nothing. */
static int check_attach_ids(const struct obj *o, const struct btf *abtf)
{
	size_t i;
	int id;

	for (i = 0; i < o->nr_progs; i++) {
		if (!o->progs[i].autoload)
			continue;
		id = attach_id(&o->progs[i], abtf);
		if (id < 0)
			return id;
	}
	return 0;
}

int obj_load(struct loaded *l, struct obj *o, const struct btf *kbtf)
{
	size_t i;
	int err = kbtf ? check_attach_ids(o, l->attach_btf ? l->attach_btf :
					  kbtf) : 0;

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

int obj_load_each(struct loaded *l, struct obj *o, const struct btf *kbtf,
		  load_failed_fn failed, void *ctx)
{
	size_t i;
	int err = load_prepare(l, o, kbtf), n = 0;

	for (i = 0; !err && i < o->nr_progs; i++) {
		struct obj_prog *p = &o->progs[i];
		int e;

		if (!p->autoload)
			continue;
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
