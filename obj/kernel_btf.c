/* What an object needs from the kernel's BTF, worked out from the spec
 * alone: whether it needs the kernel's BTF at all, the names to look up
 * in it, and the ids of fentry/fexit and tp_btf targets once it is read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "obj/core.h"
#include "obj/object.h"

/* Programs the kernel verifies against a type in its own BTF. */
static int needs_attach_btf(const struct obj_prog *p)
{
	return p->kind == ATTACH_TP_BTF || p->kind == ATTACH_FUNC ||
	       p->kind == ATTACH_LSM || p->kind == ATTACH_ITER;
}

int obj_needs_attach_btf(const struct obj *o)
{
	size_t i;

	for (i = 0; i < o->nr_progs; i++)
		if (o->progs[i].autoload && needs_attach_btf(&o->progs[i]))
			return 1;
	return 0;
}

int obj_needs_kernel_btf(const struct obj *o)
{
	struct btf_ext_sec s;
	size_t cursor = 0, i;

	for (i = 0; i < o->nr_progs; i++)
		if (o->progs[i].autoload && needs_attach_btf(&o->progs[i]))
			return 1;
	if (!o->has_ext)
		return 0;
	while (btf_ext_next(&o->ext, BTF_EXT_CORE, &o->btf, &cursor, &s) == 1)
		if (s.count)
			return 1;
	return 0;
}

/* A tp_btf program is verified against the tracepoint's own arguments:
 * the kernel finds them through the BTF id of the typedef
 * btf_trace_<name> that every tracepoint has in vmlinux. A fentry or
 * fexit program names the kernel function itself (a BTF FUNC); an lsm
 * one the hook's bpf_lsm_<hook>, an iter one bpf_iter_<name> (FUNCs, as
 * libbpf looks them up). */
static void attach_btf_name(const struct obj_prog *p, char *name, size_t size)
{
	const char *prefix = p->kind == ATTACH_TP_BTF ? "btf_trace_" :
			     p->kind == ATTACH_LSM ? "bpf_lsm_" :
			     p->kind == ATTACH_ITER ? "bpf_iter_" : "";

	snprintf(name, size, "%s%s", prefix, p->target);
}

/* What the target of a program with an attach BTF id is, for messages. */
static const char *target_what(const struct obj_prog *p)
{
	return p->kind == ATTACH_TP_BTF ? "tracepoint" :
	       p->kind == ATTACH_LSM ? "LSM hook" :
	       p->kind == ATTACH_ITER ? "iterator" : "function";
}

static int add_name(char ***names, size_t *n, const char *name, size_t len)
{
	char **bigger;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strlen((*names)[i]) == len && !memcmp((*names)[i], name, len))
			return 0;
	bigger = realloc(*names, (*n + 1) * sizeof *bigger);
	if (!bigger || !(bigger[*n] = strndup(name, len))) {
		if (bigger)
			*names = bigger;
		return error_set(ENOMEM, "no memory for type names");
	}
	*names = bigger;
	(*n)++;
	return 0;
}

static int add_core_names(const struct obj *o, char ***names, size_t *n)
{
	struct btf_ext_sec sec;
	struct bpf_core_relo rec;
	size_t cursor = 0, i;
	const char *name;
	int err = 0;

	while (!err && o->has_ext &&
	       btf_ext_next(&o->ext, BTF_EXT_CORE, &o->btf, &cursor, &sec) == 1) {
		for (i = 0; !err && i < sec.count; i++) {
			memcpy(&rec, sec.recs + i * sec.rec_size, sizeof rec);
			if (rec.kind == BPF_CORE_TYPE_ID_LOCAL)
				continue;
			name = btf_type_name(&o->btf, rec.type_id);
			if (*name)
				err = add_name(names, n, name,
					       core_essential_len(name));
		}
	}
	return err;
}

void obj_names_free(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

int obj_kernel_btf_names(const struct obj *o, char ***names, size_t *n)
{
	char name[128];
	size_t i;
	int err;

	*names = NULL;
	*n = 0;
	err = add_core_names(o, names, n);
	for (i = 0; !err && i < o->nr_progs; i++) {
		if (!o->progs[i].autoload || !needs_attach_btf(&o->progs[i]) ||
		    !o->progs[i].target)
			continue;
		attach_btf_name(&o->progs[i], name, sizeof name);
		err = add_name(names, n, name, strlen(name));
	}
	if (err) {
		obj_names_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	return err;
}

int obj_attach_btf_id(const struct obj_prog *p, const struct btf *kbtf)
{
	char name[128];
	int id;

	if (!needs_attach_btf(p))
		return 0;
	if (!p->target)
		return error_set(EINVAL, "program %s: section %s names no %s",
				 p->name, p->sec_name, target_what(p));
	attach_btf_name(p, name, sizeof name);
	id = btf_find_one(kbtf, name, p->kind == ATTACH_TP_BTF ?
			  BTF_KIND_TYPEDEF : BTF_KIND_FUNC);
	if (id < 0)
		return error_set(ENOENT, "program %s: no %s %s in the kernel's "
				 "BTF", p->name, target_what(p), p->target);
	return id;
}
