/* Externs: what a libbpf-style object leaves for the loader to fill from
 * the running kernel, by libbpf's rules (src/libbpf.c,
 * bpf_object__collect_externs and the relocation of externs).
 *
 *   extern int LINUX_KERNEL_VERSION __kconfig;
 *       a .kconfig extern: a value of the kernel's configuration (or one
 *       libbpf makes up: LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE, ...).
 *       All of them live in one map, "OBJ.kconfig", laid out here; a
 *       reference is a load from that map (BPF_PSEUDO_MAP_VALUE).
 *   extern const struct rq runqueues __ksym;
 *       a .ksyms variable: the kernel's own, by its BTF id
 *       (BPF_PSEUDO_BTF_ID); without a type (const void), by address.
 *   extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
 *       a kfunc: the call becomes BPF_PSEUDO_KFUNC_CALL to its BTF id.
 *
 * clang names them as undefined ELF symbols (NOTYPE, GLOBAL or WEAK: a
 * weak one may be missing, and is then 0) and as VARs or FUNCs with extern
 * linkage in the DATASECs .kconfig and .ksyms, which have no ELF section.
 * The kernel refuses extern linkage, so, as libbpf does, the BTF copy is
 * rewritten here: .kconfig's VARs get their offsets in the map, .ksyms'
 * become 4-byte ints at offsets 0, 4, 8, ..., and its kfuncs (FUNCs,
 * which a DATASEC may not list) give their place to one VAR added for
 * them.
 *
 * The values come from the kernel: obj_resolve_externs asks a provider
 * (the loader, or a test) for each, so this file stays pure. Where the
 * provider hands the kernel BTF a ksym was found in (vmlinux's or a
 * module's), its type, or a kfunc's prototype, must be compatible with
 * the object's, as libbpf requires. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "obj/core.h"
#include "obj/object.h"

#define KCONFIG_SEC ".kconfig"
#define KSYMS_SEC ".ksyms"

static int is_extern_symbol(const Elf64_Sym *sym)
{
	int bind = ELF64_ST_BIND(sym->st_info);

	return sym->st_shndx == SHN_UNDEF &&
	       (bind == STB_GLOBAL || bind == STB_WEAK) &&
	       ELF64_ST_TYPE(sym->st_info) == STT_NOTYPE;
}

/* The VAR or FUNC with extern linkage named name, or 0. */
static uint32_t extern_btf_id(const struct btf *btf, const char *name)
{
	uint32_t id;

	for (id = 1; id < btf->nr_types; id++) {
		const struct btf_type *t = btf_type(btf, id);

		if (strcmp(btf_str(btf, t->name_off), name) != 0)
			continue;
		if (btf_kind(t) == BTF_KIND_VAR &&
		    ((const struct btf_var *)btf_tail(t))->linkage ==
		    BTF_VAR_GLOBAL_EXTERN)
			return id;
		if (btf_kind(t) == BTF_KIND_FUNC &&
		    btf_vlen(t) == BTF_FUNC_EXTERN)
			return id;
	}
	return 0;
}

/* The name of the DATASEC that lists type id, or NULL. */
static const char *datasec_of(const struct btf *btf, uint32_t var)
{
	uint32_t id;
	unsigned i;

	for (id = 1; id < btf->nr_types; id++) {
		const struct btf_type *t = btf_type(btf, id);
		const struct btf_var_secinfo *v = btf_tail(t);

		if (btf_kind(t) != BTF_KIND_DATASEC)
			continue;
		for (i = 0; i < btf_vlen(t); i++)
			if (v[i].type == var)
				return btf_str(btf, t->name_off);
	}
	return NULL;
}

/* libbpf's kconfig types: bool, a char, an integer of 1 to 8 bytes,
 * enum libbpf_tristate, a char array (a string). */
static int kconfig_type(const struct btf *btf, struct obj_extern *e)
{
	const struct btf_type *t = btf_type(btf, e->type_id), *elem;
	const struct btf_array *arr;
	uint32_t enc;

	if (!t || !e->type_id)
		return -EINVAL;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		enc = BTF_INT_ENCODING(*(const uint32_t *)btf_tail(t));
		e->kc_signed = !!(enc & BTF_INT_SIGNED);
		if (enc & BTF_INT_BOOL)
			e->kc_type = KCONFIG_BOOL;
		else if (t->size == 1)
			e->kc_type = KCONFIG_CHAR;
		else
			e->kc_type = KCONFIG_INT;
		if (t->size == 0 || t->size > 8 || (t->size & (t->size - 1)) ||
		    (e->kc_type == KCONFIG_BOOL && t->size != 1))
			return -EINVAL;
		e->size = e->align = t->size;
		return 0;
	case BTF_KIND_ENUM:
		if (t->size != 4 ||
		    strcmp(btf_str(btf, t->name_off), "libbpf_tristate") != 0)
			return -EINVAL;
		e->kc_type = KCONFIG_TRISTATE;
		e->size = e->align = 4;
		return 0;
	case BTF_KIND_ARRAY:
		arr = btf_tail(t);
		elem = btf_type(btf, btf_skip_mods(btf, arr->type));
		if (!elem || btf_kind(elem) != BTF_KIND_INT || elem->size != 1 ||
		    arr->nelems == 0)
			return -EINVAL;
		e->kc_type = KCONFIG_CHAR_ARRAY;
		e->size = arr->nelems;
		e->align = 1;
		return 0;
	}
	return -EINVAL;
}

static int add_extern(struct obj *o, const Elf64_Sym *sym, size_t symidx)
{
	const char *name = elf_symbol_name(&o->elf, sym), *sec;
	uint32_t id = extern_btf_id(&o->btf, name);
	const struct btf_type *t = btf_type(&o->btf, id);
	struct obj_extern *e;

	if (!id)
		return error_set(EINVAL, "extern %s: no VAR or FUNC of that "
				 "name with extern linkage in .BTF", name);
	sec = datasec_of(&o->btf, id);
	e = realloc(o->externs, (o->nr_externs + 1) * sizeof *e);
	if (!e)
		return -ENOMEM;
	o->externs = e;
	e = memset(&e[o->nr_externs], 0, sizeof *e);
	e->name = btf_str(&o->btf, t->name_off);
	e->sym = (unsigned)symidx;
	e->weak = ELF64_ST_BIND(sym->st_info) == STB_WEAK;
	e->btf_id = id;
	e->is_func = btf_kind(t) == BTF_KIND_FUNC;
	e->type_id = e->is_func ? t->type : btf_skip_mods(&o->btf, t->type);
	if (sec && strcmp(sec, KCONFIG_SEC) == 0 && e->is_func)
		return error_set(EINVAL, "extern %s: a function in .kconfig",
				 name);
	if (sec && strcmp(sec, KCONFIG_SEC) == 0) {
		e->kind = EXTERN_KCONFIG;
		if (kconfig_type(&o->btf, e))
			return error_set(EINVAL, "extern %s (.kconfig): type %u "
					 "is not bool, char, an integer, enum "
					 "libbpf_tristate or a char array", name,
					 e->type_id);
	} else if (sec && strcmp(sec, KSYMS_SEC) == 0) {
		e->kind = EXTERN_KSYM;
	} else {
		/* libbpf refuses it too: where it goes is unknown */
		return error_set(EINVAL, "extern %s: in %s%s%s, not in .kconfig "
				 "or .ksyms", name, sec ? "DATASEC '" : "no "
				 "DATASEC", sec ? sec : "", sec ? "'" : "");
	}
	o->nr_externs++;
	return 0;
}

/* libbpf's order, so that the kconfig map's layout and the index a
 * poisoned kfunc call carries are the same as with libbpf: kconfig
 * first, by alignment (largest first), then size (smallest first); then
 * by name. */
static int extern_order(const void *pa, const void *pb)
{
	const struct obj_extern *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->kind == EXTERN_KCONFIG && a->align != b->align)
		return a->align > b->align ? -1 : 1;
	if (a->kind == EXTERN_KCONFIG && a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Lays out the kconfig externs in their map; returns its size. */
static uint32_t layout_kconfig(struct obj *o)
{
	uint32_t off = 0;
	size_t i;

	for (i = 0; i < o->nr_externs; i++) {
		struct obj_extern *e = &o->externs[i];

		if (e->kind != EXTERN_KCONFIG)
			continue;
		off = (off + e->align - 1) / e->align * e->align;
		e->offset = off;
		off += e->size;
	}
	return off;
}

int obj_collect_externs(struct obj *o)
{
	Elf64_Sym sym;
	size_t i;
	int err;

	for (i = 1; i < o->elf.nsyms; i++) {
		if (elf_symbol(&o->elf, i, &sym) || !is_extern_symbol(&sym) ||
		    !*elf_symbol_name(&o->elf, &sym))
			continue;
		if ((err = add_extern(o, &sym, i)))
			return err;
	}
	if (o->nr_externs)
		qsort(o->externs, o->nr_externs, sizeof *o->externs,
		      extern_order);
	o->kconfig_size = layout_kconfig(o);
	return 0;
}

struct obj_extern *obj_extern_of_symbol(const struct obj *o, size_t sym)
{
	size_t i;

	for (i = 0; i < o->nr_externs; i++)
		if (o->externs[i].sym == sym)
			return &o->externs[i];
	return NULL;
}

static struct obj_extern *extern_of_btf(const struct obj *o, uint32_t id)
{
	size_t i;

	for (i = 0; i < o->nr_externs; i++)
		if (o->externs[i].btf_id == id)
			return &o->externs[i];
	return NULL;
}

/* A 4-byte int of the object's BTF, for the .ksyms entries to stand on. */
static uint32_t int4_type(const struct btf *btf)
{
	uint32_t id;

	for (id = 1; id < btf->nr_types; id++) {
		const struct btf_type *t = btf_type(btf, id);

		if (btf_kind(t) == BTF_KIND_INT && t->size == 4)
			return id;
	}
	return 0;
}

/* The kernel takes only allocated VARs and global FUNCs whose parameters
 * have names: what libbpf turns the externs into before BPF_BTF_LOAD. */
static int fixup_ksym_entry(struct obj *o, struct btf_var_secinfo *v,
			    uint32_t off, uint32_t int_id)
{
	struct btf_type *t = (struct btf_type *)btf_type(&o->btf, v->type);
	struct btf_type *proto;
	struct btf_param *p;
	unsigned i;

	v->offset = off;
	v->size = sizeof(int);
	if (btf_kind(t) == BTF_KIND_VAR) {
		((struct btf_var *)(t + 1))->linkage = BTF_VAR_GLOBAL_ALLOCATED;
		t->type = int_id;
		return 0;
	}
	t->info = (t->info & ~0xffffu) | BTF_FUNC_GLOBAL;
	proto = (struct btf_type *)btf_type(&o->btf, t->type);
	if (!proto || btf_kind(proto) != BTF_KIND_FUNC_PROTO)
		return 0;   /* btf_check names it */
	p = (struct btf_param *)(proto + 1);
	for (i = 0; i < btf_vlen(proto); i++)
		if (p[i].type && !p[i].name_off)
			p[i].name_off = t->name_off;
	return 0;
}

static int by_offset(const void *pa, const void *pb)
{
	const struct btf_var_secinfo *a = pa, *b = pb;

	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

int obj_fixup_extern_datasec(struct obj *o, uint32_t id, struct btf_type *t)
{
	const char *sec = btf_str(&o->btf, t->name_off);
	struct btf_var_secinfo *v = (struct btf_var_secinfo *)(t + 1);
	int ksyms = strcmp(sec, KSYMS_SEC) == 0;
	uint32_t int_id = ksyms ? int4_type(&o->btf) : 0;
	struct btf_type *var;
	unsigned i;

	if (ksyms && !int_id)
		return error_set(EINVAL, ".BTF: DATASEC '%s' (type [%u]): no "
				 "4-byte int type for its entries", sec, id);
	for (i = 0; i < btf_vlen(t); i++) {
		const struct obj_extern *e = extern_of_btf(o, v[i].type);

		if (!e)
			return error_set(EINVAL, ".BTF: DATASEC '%s' entry %u: "
					 "type %u is no extern of the object",
					 sec, i, v[i].type);
		if (ksyms) {
			fixup_ksym_entry(o, &v[i], i * (uint32_t)sizeof(int),
					 int_id);
			continue;
		}
		v[i].offset = e->offset;
		var = (struct btf_type *)btf_type(&o->btf, v[i].type);
		((struct btf_var *)(var + 1))->linkage = BTF_VAR_GLOBAL_ALLOCATED;
	}
	/* the kernel takes a DATASEC's entries only in offset order */
	qsort(v, btf_vlen(t), sizeof *v, by_offset);
	t->size = ksyms ? btf_vlen(t) * (uint32_t)sizeof(int) : o->kconfig_size;
	return 0;
}

/* --- values --- */

static struct obj_map *kconfig_map(struct obj *o)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++)
		if (o->maps[i].is_kconfig)
			return &o->maps[i];
	return NULL;
}

static const char *const kconfig_names[] = {
	[KCONFIG_BOOL] = "bool", [KCONFIG_CHAR] = "char",
	[KCONFIG_INT] = "an integer", [KCONFIG_TRISTATE] = "a tristate",
	[KCONFIG_CHAR_ARRAY] = "a char array",
};

static int bad_value(const struct obj_extern *e, const char *text)
{
	return error_set(EINVAL, "extern %s: value '%s' does not fit %s of "
			 "%u bytes", e->name, text, kconfig_names[e->kc_type],
			 e->size);
}

/* y, n, m: bool takes y and n, a tristate all three, a char the letter. */
static int set_tristate(const struct obj_extern *e, unsigned char *dst,
			const char *text)
{
	char c = text[0];
	uint32_t tri = c == 'y' ? 1 : c == 'm' ? 2 : 0;

	switch (e->kc_type) {
	case KCONFIG_BOOL:
		if (c == 'm')
			return bad_value(e, text);
		*dst = c == 'y';
		return 0;
	case KCONFIG_TRISTATE:
		memcpy(dst, &tri, sizeof tri);
		return 0;
	case KCONFIG_CHAR:
		*dst = (unsigned char)c;
		return 0;
	default:
		return bad_value(e, text);
	}
}

/* "text": into a char array, cut to fit with its NUL (as libbpf does). */
static int set_string(const struct obj_extern *e, unsigned char *dst,
		      const char *text)
{
	size_t len = strlen(text);

	if (e->kc_type != KCONFIG_CHAR_ARRAY || len < 2 || text[len - 1] != '"')
		return bad_value(e, text);
	len -= 2;
	if (len > e->size - 1)
		len = e->size - 1;
	memcpy(dst, text + 1, len);
	dst[len] = 0;
	return 0;
}

/* A number, decimal or 0x hex, that must fit the extern's size and sign. */
static int set_number(const struct obj_extern *e, unsigned char *dst,
		      const char *text)
{
	unsigned bits = e->size * 8;
	char *end;
	uint64_t v;
	int64_t sv;

	errno = 0;
	if (e->kc_signed) {
		sv = strtoll(text, &end, 0);
		v = (uint64_t)sv;
		if (bits < 64 && (sv < -(1ll << (bits - 1)) ||
				  sv >= (1ll << (bits - 1))))
			errno = ERANGE;
	} else {
		v = strtoull(text, &end, 0);
		if (text[0] == '-' || (bits < 64 && v >> bits))
			errno = ERANGE;
	}
	if (!*text || *end || errno || e->kc_type == KCONFIG_CHAR_ARRAY ||
	    e->kc_type == KCONFIG_TRISTATE || (e->kc_type == KCONFIG_BOOL && v > 1))
		return bad_value(e, text);
	switch (e->size) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(dst, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(dst, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(dst, &x, 4); break; }
	default: memcpy(dst, &v, 8);
	}
	return 0;
}

int obj_set_kconfig(struct obj *o, const struct obj_extern *e,
		    const char *text)
{
	struct obj_map *m = kconfig_map(o);
	unsigned char *dst;

	if (!m || e->kind != EXTERN_KCONFIG ||
	    e->offset + e->size > m->value_size)
		return error_set(EINVAL, "extern %s: not in the .kconfig map",
				 e->name);
	dst = m->data + e->offset;
	memset(dst, 0, e->size);
	if ((text[0] == 'y' || text[0] == 'n' || text[0] == 'm') && !text[1])
		return set_tristate(e, dst, text);
	if (text[0] == '"')
		return set_string(e, dst, text);
	return set_number(e, dst, text);
}

/* libbpf's rule: a kfunc's prototype in the object must be compatible
 * with the kernel's (core_types_compat), or the kfunc is not there: an
 * error if strong, 0 if weak. */
static int kfunc_fits(const struct obj *o, const struct obj_extern *e,
		      const struct extern_value *v)
{
	const struct btf_type *f = btf_type(v->btf, v->btf_id);

	return f && btf_kind(f) == BTF_KIND_FUNC &&
	       core_types_compat(&o->btf, e->type_id, v->btf, f->type);
}

/* And a typed ksym variable's type must be compatible with the kernel
 * VAR's, weak or not. */
static int var_fits(const struct obj *o, const struct obj_extern *e,
		    const struct extern_value *v)
{
	const struct btf_type *var = btf_type(v->btf, v->btf_id);

	return var && btf_kind(var) == BTF_KIND_VAR &&
	       core_types_compat(&o->btf, e->type_id, v->btf, var->type);
}

static int resolve_one(struct obj *o, struct obj_extern *e,
		       const struct extern_value *v)
{
	if (v->found && !e->is_func && e->type_id && v->btf &&
	    !var_fits(o, e, v))
		return error_set(EINVAL, "ksym %s: its type (type %u) is not "
				 "compatible with the kernel's (VAR %u)",
				 e->name, e->type_id, v->btf_id);
	if (v->found && e->is_func && v->btf && !kfunc_fits(o, e, v)) {
		if (!e->weak)
			return error_set(EINVAL, "kfunc %s: its prototype "
					 "(type %u) is not compatible with the "
					 "kernel's (type %u)", e->name,
					 e->type_id, v->btf_id);
		e->resolved = -1;       /* weak: as if missing */
		return 0;
	}
	if (!v->found) {
		if (!e->weak)
			return error_set(ENOENT, "extern %s (%s): not in this "
					 "kernel", e->name, e->kind ==
					 EXTERN_KCONFIG ? "kconfig" : "ksym");
		e->resolved = -1;       /* weak: stays 0 */
		return 0;
	}
	e->resolved = 1;
	if (e->kind == EXTERN_KCONFIG)
		return obj_set_kconfig(o, e, v->kconfig ? v->kconfig : "");
	e->kernel_btf_id = v->btf_id;
	e->btf_fd = v->btf_fd;
	e->fd_idx = v->fd_idx;
	e->addr = v->addr;
	return 0;
}

int obj_resolve_externs(struct obj *o, obj_extern_fn ask, void *ctx)
{
	size_t i;
	int err;

	for (i = 0; i < o->nr_externs; i++) {
		struct extern_value v;

		memset(&v, 0, sizeof v);
		err = ask(ctx, &o->externs[i], &v);
		if (!err)
			err = resolve_one(o, &o->externs[i], &v);
		if (err)
			return err;
	}
	return 0;
}

/* --- the VAR that stands in for kfuncs in .ksyms --- */

/* The .ksyms DATASEC, or NULL. */
static struct btf_type *ksyms_datasec(struct obj *o)
{
	int id = btf_find_one(&o->btf, KSYMS_SEC, BTF_KIND_DATASEC);

	return id < 0 ? NULL : (struct btf_type *)btf_type(&o->btf,
							  (uint32_t)id);
}

/* A kfunc listed in .ksyms, or NULL. */
static const struct btf_type *first_kfunc(struct obj *o)
{
	struct btf_type *t = ksyms_datasec(o);
	const struct btf_var_secinfo *v = t ? btf_tail(t) : NULL;
	unsigned i;

	for (i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_type *f = btf_type(&o->btf, v[i].type);

		if (f && btf_kind(f) == BTF_KIND_FUNC)
			return f;
	}
	return NULL;
}

/* A copy of the BTF with var (16 bytes) after the last type; what came
 * after the types (the strings) moves up. */
static unsigned char *with_type_added(const struct obj *o, const void *var,
				      size_t len)
{
	struct btf_header h;
	unsigned char *buf = malloc(o->btf.size + len);
	size_t end;

	if (!buf)
		return NULL;
	memcpy(&h, o->btf_copy, sizeof h);
	end = (size_t)h.hdr_len + h.type_off + h.type_len;
	memcpy(buf, o->btf_copy, end);
	memcpy(buf + end, var, len);
	memcpy(buf + end + len, (unsigned char *)o->btf_copy + end,
	       o->btf.size - end);
	if (h.str_off >= h.type_off + h.type_len)
		h.str_off += (uint32_t)len;
	h.type_len += (uint32_t)len;
	memcpy(buf, &h, sizeof h);
	return buf;
}

int obj_add_kfunc_stand_in(struct obj *o)
{
	const struct btf_type *f = first_kfunc(o);
	struct { struct btf_type t; struct btf_var v; } var;
	struct btf_var_secinfo *v;
	struct btf_type *sec;
	uint32_t id = o->btf.nr_types;
	unsigned char *buf;
	size_t size = o->btf.size + sizeof var, i;
	int err;

	if (!f)
		return 0;
	/* an int VAR named after a kfunc: a name that is there, and valid */
	memset(&var, 0, sizeof var);
	var.t.name_off = f->name_off;
	var.t.info = BTF_KIND_VAR << 24;
	var.t.type = int4_type(&o->btf);
	var.v.linkage = BTF_VAR_GLOBAL_ALLOCATED;
	buf = with_type_added(o, &var, sizeof var);
	if (!buf)
		return -ENOMEM;
	btf_free(&o->btf);
	free(o->btf_copy);
	o->btf_copy = buf;
	err = btf_parse(&o->btf, buf, size);
	if (err) {
		o->has_btf = 0;  /* nothing left to free */
		return error_prefix(-err, ".BTF, with a VAR for kfuncs: ");
	}
	sec = ksyms_datasec(o);
	v = (struct btf_var_secinfo *)(sec + 1);
	for (i = 0; i < btf_vlen(sec); i++)
		if (btf_kind(btf_type(&o->btf, v[i].type)) == BTF_KIND_FUNC)
			v[i].type = id;
	for (i = 0; i < o->nr_externs; i++)   /* the strings moved */
		o->externs[i].name = btf_type_name(&o->btf,
						   o->externs[i].btf_id);
	return 0;
}
