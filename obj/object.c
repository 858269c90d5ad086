/* obj_open: from ELF bytes to programs and maps, without the kernel. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "obj/object.h"
#include "obj/names.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

/* The kernel refuses an array map value above KMALLOC_MAX_SIZE, 4 MiB
 * with 4 KiB pages (x86-64, arm64 as Debian builds it): a larger data
 * section could never be loaded as global data. */
#define MAX_DATA_SIZE (4u << 20)

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* .rodata, .data, .bss and their .rodata.str1.1-style siblings become
 * one-element array maps ("global data"). */
static int is_data_section(const char *name)
{
	return starts_with(name, ".rodata") || starts_with(name, ".data") ||
	       starts_with(name, ".bss");
}

static void *grow(void *p, size_t n, size_t size)
{
	return realloc(p, (n + 1) * size);
}

/* A zeroed map at the end of o->maps, or NULL. */
static struct obj_map *new_map(struct obj *o)
{
	struct obj_map *m = grow(o->maps, o->nr_maps, sizeof *m);

	if (!m)
		return NULL;
	o->maps = m;
	return memset(&o->maps[o->nr_maps], 0, sizeof *m);
}

/* "bind" + ".rodata" -> "bind.rodata", named as libbpf names them, so
 * that bpftool shows the same maps whoever loaded the object: the kernel
 * keeps 15 characters, of which the section takes at least 7 and the
 * object's name at most 8 ("biolatency" + ".bss" -> "biolaten.bss"); a
 * section of its own (".data.counts") keeps its name alone; and what the
 * kernel refuses in a name becomes '_'. */
static void data_map_name(struct obj_map *m, const char *obj,
			  const char *secname)
{
	size_t room = sizeof m->name - 1, sfx = strlen(secname), pfx;
	char *c;

	if (sfx < 7)
		sfx = 7;
	pfx = strchr(secname + 1, '.') || sfx >= room ? 0 : room - sfx;
	snprintf(m->name, sizeof m->name, "%.*s%s", (int)pfx, obj, secname);
	for (c = m->name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.')
			*c = '_';
}

static int add_data_map(struct obj *o, unsigned sec, const char *secname,
			const Elf64_Shdr *sh)
{
	struct obj_map *m;
	const void *bytes;
	size_t size;
	int err = elf_section_data(&o->elf, sec, &bytes, &size);

	if (err)
		return err;
	if (size == 0)
		return 0;
	/* A NOBITS section's size is only a number: without this a fuzzed
	 * .bss of 4 GB was allocated here. */
	if (size > MAX_DATA_SIZE)
		return error_set(EINVAL, "section %s: %zu bytes of global data, "
				 "more than one map value can hold (%u)",
				 secname, size, MAX_DATA_SIZE);
	m = new_map(o);
	if (!m)
		return -ENOMEM;
	data_map_name(m, o->name, secname);
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = (uint32_t)size;
	m->max_entries = 1;
	m->sec = sec;
	m->is_data = 1;
	if (starts_with(secname, ".rodata")) {
		m->flags = BPF_F_RDONLY_PROG;
		m->frozen = 1;
	}
	m->data = calloc(1, size);
	if (!m->data)
		return -ENOMEM;
	if (sh->sh_type != SHT_NOBITS)
		memcpy(m->data, bytes, size);
	o->nr_maps++;
	return 0;
}

/* The kconfig externs' values: one read-only array element, filled in by
 * obj_resolve_externs, frozen like .rodata (libbpf's ".kconfig" map). */
static int add_kconfig_map(struct obj *o)
{
	struct obj_map *m;

	if (!o->kconfig_size)
		return 0;
	m = new_map(o);
	if (!m || !(m->data = calloc(1, o->kconfig_size)))
		return -ENOMEM;
	data_map_name(m, o->name, ".kconfig");
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = o->kconfig_size;
	m->max_entries = 1;
	m->flags = BPF_F_RDONLY_PROG;
	m->is_data = m->is_kconfig = m->frozen = 1;
	o->nr_maps++;
	return 0;
}

/* BPF_F_LINK (6.4+, newer than our uapi headers): a .struct_ops.link map
 * is attached through a bpf link. */
#define MAP_F_LINK (1u << 13)

/* One struct_ops map: a VAR of DATASEC .struct_ops[.link], whose struct
 * (a kernel ops table, such as tcp_congestion_ops) holds the programs.
 * Kept for inspect; the loader refuses it, for now, with one line. */
static int add_struct_ops_map(struct obj *o, unsigned sec, const char *secname,
			      const struct btf_var_secinfo *v)
{
	const struct btf_type *var = btf_type(&o->btf, v->type);
	const void *bytes;
	size_t size;
	struct obj_map *m;
	int err = elf_section_data(&o->elf, sec, &bytes, &size);

	if (err)
		return err;
	if (!var || btf_kind(var) != BTF_KIND_VAR || !bytes ||
	    v->offset > size || v->size > size - v->offset)
		return error_set(EINVAL, "section %s: entry %s is no variable "
				 "inside it", secname,
				 var ? btf_str(&o->btf, var->name_off) : "?");
	m = new_map(o);
	if (!m || !(m->data = malloc(v->size ? v->size : 1)))
		return -ENOMEM;
	o->nr_maps++;
	snprintf(m->name, sizeof m->name, "%s",
		 btf_str(&o->btf, var->name_off));
	memcpy(m->data, (const unsigned char *)bytes + v->offset, v->size);
	m->type = BPF_MAP_TYPE_STRUCT_OPS;
	m->key_size = 4;
	m->value_size = v->size;
	m->max_entries = 1;
	m->value_type_id = btf_skip_mods(&o->btf, var->type);
	m->sec = sec;
	m->sec_off = v->offset;
	m->is_struct_ops = 1;
	if (strcmp(secname, ".struct_ops.link") == 0)
		m->flags = MAP_F_LINK;
	return 0;
}

static int add_struct_ops_maps(struct obj *o)
{
	const struct btf_type *t;
	unsigned sec;
	int id, err = 0;

	for (sec = 1; sec < o->elf.shnum && !err; sec++) {
		const char *name = elf_section_name(&o->elf, sec);
		unsigned i;

		if (strcmp(name, ".struct_ops") != 0 &&
		    strcmp(name, ".struct_ops.link") != 0)
			continue;
		id = o->has_btf ? btf_find_one(&o->btf, name,
					       BTF_KIND_DATASEC) : -1;
		if (id < 0)
			return error_set(EINVAL, "section %s: no DATASEC in "
					 ".BTF describes it", name);
		t = btf_type(&o->btf, (uint32_t)id);
		for (i = 0; i < btf_vlen(t) && !err; i++)
			err = add_struct_ops_map(o, sec, name,
						 (const struct btf_var_secinfo *)
						 btf_tail(t) + i);
	}
	return err;
}

/* A `__uint(name, N)` member is a pointer to an array of N ints: the
 * number lives in the type, not in any data. */
static int map_attr_uint(const struct btf *btf, uint32_t type, uint32_t *out)
{
	const struct btf_type *t = btf_type(btf, btf_skip_mods(btf, type));
	const struct btf_array *arr;

	if (!t || btf_kind(t) != BTF_KIND_PTR)
		return -EINVAL;
	t = btf_type(btf, btf_skip_mods(btf, t->type));
	if (!t || btf_kind(t) != BTF_KIND_ARRAY)
		return -EINVAL;
	arr = btf_tail(t);
	*out = arr->nelems;
	return 0;
}

/* A `__type(key, T)` member is a T *: the size of T is the key size,
 * and T itself is kept (the kernel shows maps' keys and values by it). */
static int map_attr_type(const struct btf *btf, uint32_t type,
			 uint32_t *size_out, uint32_t *type_out)
{
	const struct btf_type *t = btf_type(btf, btf_skip_mods(btf, type));
	int64_t size;

	if (!t || btf_kind(t) != BTF_KIND_PTR)
		return -EINVAL;
	size = btf_resolve_size(btf, t->type);
	if (size < 0 || size > UINT32_MAX)
		return -EINVAL;
	*size_out = (uint32_t)size;
	*type_out = t->type;
	return 0;
}

/* libbpf's LIBBPF_PIN_NONE and LIBBPF_PIN_BY_NAME, the only two. */
static int map_attr_pinning(const struct btf *btf, uint32_t type,
			    uint32_t *out)
{
	int err = map_attr_uint(btf, type, out);

	return err ? err : *out > MAP_PIN_BY_NAME ? -EINVAL : 0;
}

static int map_attr_u64(const struct btf *btf, uint32_t type, uint64_t *out)
{
	uint32_t v;
	int err = map_attr_uint(btf, type, &v);

	*out = v;
	return err;
}

static int parse_map_def(const struct btf *btf, struct obj_map *m,
			 const char *name, const struct btf_type *st,
			 int depth);

/* `__array(values, struct inner)`: an array of pointers to the inner
 * map's definition (map-in-map), or to a function (a prog array). */
static int map_attr_values(const struct btf *btf, struct obj_map *m,
			   uint32_t type, int depth)
{
	const struct btf_type *t = btf_type(btf, btf_skip_mods(btf, type));
	const struct btf_array *arr;

	if (depth > 0 || !t || btf_kind(t) != BTF_KIND_ARRAY)
		return -EINVAL;   /* a map in a map in a map: libbpf's too */
	arr = btf_tail(t);
	t = btf_type(btf, btf_skip_mods(btf, arr->type));
	if (!t || btf_kind(t) != BTF_KIND_PTR)
		return -EINVAL;
	t = btf_type(btf, btf_skip_mods(btf, t->type));
	if (!t)
		return -EINVAL;
	m->has_values = 1;
	if (btf_kind(t) == BTF_KIND_FUNC_PROTO)
		return 0;
	if (btf_kind(t) != BTF_KIND_STRUCT || m->inner)
		return -EINVAL;
	m->inner = calloc(1, sizeof *m->inner);
	if (!m->inner)
		return -ENOMEM;
	snprintf(m->inner->name, sizeof m->inner->name, "%s", m->name);
	return parse_map_def(btf, m->inner, m->name, t, depth + 1);
}

static int parse_map_member(const struct btf *btf, struct obj_map *m,
			    const char *field, uint32_t type, int depth)
{
	if (strcmp(field, "type") == 0)
		return map_attr_uint(btf, type, &m->type);
	if (strcmp(field, "max_entries") == 0)
		return map_attr_uint(btf, type, &m->max_entries);
	if (strcmp(field, "map_flags") == 0)
		return map_attr_uint(btf, type, &m->flags);
	if (strcmp(field, "numa_node") == 0)
		return map_attr_uint(btf, type, &m->numa_node);
	if (strcmp(field, "map_extra") == 0)
		return map_attr_u64(btf, type, &m->map_extra);
	if (strcmp(field, "pinning") == 0)
		return map_attr_pinning(btf, type, &m->pinning);
	if (strcmp(field, "key_size") == 0)
		return map_attr_uint(btf, type, &m->key_size);
	if (strcmp(field, "value_size") == 0)
		return map_attr_uint(btf, type, &m->value_size);
	if (strcmp(field, "key") == 0)
		return map_attr_type(btf, type, &m->key_size, &m->key_type_id);
	if (strcmp(field, "value") == 0)
		return map_attr_type(btf, type, &m->value_size,
				     &m->value_type_id);
	if (strcmp(field, "values") == 0)
		return map_attr_values(btf, m, type, depth);
	return -ENOTSUP;
}

static int is_map_in_map(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* __uint(key_size, N) beside __type(key, T) (or value): N must be T's
 * size, in whichever order they come, as libbpf refuses them otherwise.
 * A map made with a type that is not its bytes would be shown, drawn
 * and served past its values' end. */
static int sizes_agree(const struct btf *btf, const struct obj_map *m,
		       const char *name, const struct btf_type *st)
{
	const struct btf_member *mem = btf_tail(st);
	uint32_t n;
	unsigned i;

	for (i = 0; i < btf_vlen(st); i++) {
		const char *field = btf_str(btf, mem[i].name_off);
		int is_key = strcmp(field, "key_size") == 0;
		uint32_t id = is_key ? m->key_type_id : m->value_type_id;

		if ((!is_key && strcmp(field, "value_size") != 0) || !id ||
		    map_attr_uint(btf, mem[i].type, &n))
			continue;
		if (n != (uint64_t)btf_resolve_size(btf, id))
			return error_set(EINVAL, "map %s: conflicting %s size: "
					 "%s %u, its type's %lld", name,
					 is_key ? "key" : "value", field, n,
					 (long long)btf_resolve_size(btf, id));
	}
	return 0;
}

/* The members of a map's struct, then the rules between them. */
static int parse_map_def(const struct btf *btf, struct obj_map *m,
			 const char *name, const struct btf_type *st,
			 int depth)
{
	const struct btf_member *mem = btf_tail(st);
	unsigned i;
	int err;

	for (i = 0; i < btf_vlen(st); i++) {
		const char *field = btf_str(btf, mem[i].name_off);

		if (strcmp(field, "values") == 0)
			m->values_off = (btf_kflag(st) ?
					 BTF_MEMBER_BIT_OFFSET(mem[i].offset) :
					 mem[i].offset) / 8;
		err = parse_map_member(btf, m, field, mem[i].type, depth);
		if (err == -ENOTSUP)
			return error_set(ENOTSUP, "map %s: attribute '%s' is "
					 "not supported", name, field);
		if (err == -ENOMEM)
			return err;
		if (err)
			return error_set(EINVAL, "map %s: attribute '%s' is "
					 "malformed", name, field);
	}
	if (m->type == 0 || m->type > BPF_MAP_TYPE_BLOOM_FILTER)
		return error_set(EINVAL, "map %s: unknown map type %u", name,
				 m->type);
	if ((err = sizes_agree(btf, m, name, st)))
		return err;
	if (m->has_values && !is_map_in_map(m->type) &&
	    m->type != BPF_MAP_TYPE_PROG_ARRAY)
		return error_set(EINVAL, "map %s: 'values' in a map that is "
				 "neither map-in-map nor a prog array", name);
	if (is_map_in_map(m->type) && !m->inner)
		return error_set(EINVAL, "map %s: a map-in-map without "
				 "'values' (the inner map)", name);
	if (m->has_values && !m->value_size)
		m->value_size = 4;      /* an fd, as libbpf sets it */
	return 0;
}

/* The ELF symbol of a map gives its offset in .maps, which is how
 * relocations name it, and its size (with `values` set, more than its
 * struct's: the array has no size of its own). */
static int map_symbol_offset(const struct obj *o, const char *name,
			     uint64_t *off, uint32_t *size)
{
	size_t i;
	Elf64_Sym sym;

	for (i = 1; i < o->elf.nsyms; i++) {
		if (elf_symbol(&o->elf, i, &sym))
			continue;
		if (sym.st_shndx == o->maps_sec &&
		    strcmp(elf_symbol_name(&o->elf, &sym), name) == 0) {
			*off = sym.st_value;
			*size = sym.st_size > UINT32_MAX ? UINT32_MAX :
				(uint32_t)sym.st_size;
			return 0;
		}
	}
	return error_set(EINVAL, "map %s: no symbol in .maps", name);
}

static int parse_btf_map(struct obj *o, uint32_t var_id)
{
	const struct btf *btf = &o->btf;
	const struct btf_type *var = btf_type(btf, var_id), *st;
	const char *name = btf_type_name(btf, var_id);
	struct obj_map *m;
	int err;

	if (!var || btf_kind(var) != BTF_KIND_VAR)
		return error_set(EINVAL, ".maps: entry %u is not a variable",
				 var_id);
	st = btf_type(btf, btf_skip_mods(btf, var->type));
	if (!st || btf_kind(st) != BTF_KIND_STRUCT)
		return error_set(EINVAL, "map %s: not a struct", name);
	m = new_map(o);
	if (!m)
		return -ENOMEM;
	snprintf(m->name, sizeof m->name, "%s", name);
	m->sec = o->maps_sec;
	/* counted now: obj_close frees what parse_map_def allocates */
	o->nr_maps++;
	err = parse_map_def(btf, m, name, st, 0);
	if (!err)
		err = map_symbol_offset(o, name, &m->sec_off, &m->def_size);
	return err;
}

static int parse_btf_maps(struct obj *o)
{
	const struct btf_type *sec;
	const struct btf_var_secinfo *vs;
	int id;
	unsigned i;

	if (!o->maps_sec)
		return 0;
	if (!o->has_btf)
		return error_set(EINVAL, ".maps section without .BTF: maps are "
				 "described by BTF");
	id = btf_find_one(&o->btf, ".maps", BTF_KIND_DATASEC);
	if (id < 0)
		return error_set(EINVAL, ".BTF has no DATASEC .maps");
	sec = btf_type(&o->btf, (uint32_t)id);
	vs = btf_tail(sec);
	for (i = 0; i < btf_vlen(sec); i++) {
		int err = parse_btf_map(o, vs[i].type);

		if (err)
			return err;
	}
	return 0;
}

static int add_prog(struct obj *o, unsigned sec, const char *secname,
		    const char *name, uint64_t off, uint64_t size)
{
	struct obj_prog *p;
	struct sec_info si;

	if (size == 0 || size % sizeof(struct bpf_insn) ||
	    off % sizeof(struct bpf_insn))
		return error_set(EINVAL, "program %s: size %llu or offset %llu "
				 "is not whole instructions", name,
				 (unsigned long long)size,
				 (unsigned long long)off);
	if (section_program_type(secname, &si))
		return error_set(EINVAL, "program %s: unknown section type "
				 "\"%s\"", name, secname);
	p = grow(o->progs, o->nr_progs, sizeof *p);
	if (!p)
		return -ENOMEM;
	o->progs = p;
	p = &o->progs[o->nr_progs];
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name);
	p->sec_name = secname;
	p->sec = sec;
	p->sec_off = off;
	p->size = size;
	p->type = si.type;
	p->expected_attach_type = si.expected_attach;
	p->kind = si.kind;
	p->target = si.target;
	p->prog_flags = si.prog_flags;
	p->autoload = si.autoload;
	o->nr_progs++;
	return 0;
}

/* Each STT_FUNC symbol in an executable section other than .text is a
 * program; functions in .text are subprograms, reached by calls. */
static int find_progs(struct obj *o, unsigned sec, const char *secname,
		      uint64_t sec_size)
{
	Elf64_Sym sym;
	size_t i;
	int found = 0, err;

	for (i = 1; i < o->elf.nsyms; i++) {
		if (elf_symbol(&o->elf, i, &sym) || sym.st_shndx != sec ||
		    ELF64_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		if (sym.st_value > sec_size ||
		    sym.st_size > sec_size - sym.st_value)
			return error_set(EINVAL, "program %s: outside section "
					 "%s", elf_symbol_name(&o->elf, &sym),
					 secname);
		err = add_prog(o, sec, secname, elf_symbol_name(&o->elf, &sym),
			       sym.st_value, sym.st_size);
		if (err)
			return err;
		found = 1;
	}
	if (!found)   /* no symbol: the whole section is one program */
		return add_prog(o, sec, secname, secname, 0, sec_size);
	return 0;
}

static int parse_btf(struct obj *o, unsigned sec)
{
	const void *data;
	size_t size;
	int err = elf_section_data(&o->elf, sec, &data, &size);

	if (err)
		return err;
	if (o->has_btf)
		return error_set(EINVAL, "a second .BTF section");
	if (!data)      /* SHT_NOBITS: a size and no bytes */
		return error_set(EINVAL, ".BTF: a section without bytes "
				 "(SHT_NOBITS)");
	/* A copy: btf_parse reads records in place and needs 4-byte
	 * alignment, and the DATASEC fix-up writes into it. */
	o->btf_copy = malloc(size ? size : 1);
	if (!o->btf_copy)
		return -ENOMEM;
	memcpy(o->btf_copy, data, size);
	err = btf_parse(&o->btf, o->btf_copy, size);
	if (err)
		return error_prefix(-err, ".BTF: ");
	o->has_btf = 1;
	return obj_fixup_btf(o);
}

static int parse_btf_ext(struct obj *o)
{
	const void *data;
	size_t size;
	int sec = elf_find_section(&o->elf, ".BTF.ext"), err;

	if (sec < 0)
		return 0;
	if (!o->has_btf)
		return error_set(EINVAL, ".BTF.ext without .BTF: its records "
				 "name BTF types and strings");
	err = elf_section_data(&o->elf, (unsigned)sec, &data, &size);
	if (!err && !data)
		err = error_set(EINVAL, "a section without bytes (SHT_NOBITS)");
	if (!err)
		err = btf_ext_parse(&o->ext, data, size, &o->btf);
	if (err)
		return error_prefix(-err, ".BTF.ext: ");
	o->has_ext = 1;
	return 0;
}

static int parse_license(struct obj *o, unsigned sec)
{
	const void *data;
	size_t size;
	int err = elf_section_data(&o->elf, sec, &data, &size);

	if (err)
		return err;
	if (!data || !memchr(data, 0, size))
		return error_set(EINVAL, "license: not a NUL-terminated string");
	snprintf(o->license, sizeof o->license, "%s", (const char *)data);
	return 0;
}

/* .text holds the subprograms that calls copy in: code, with bytes. */
static int note_text(struct obj *o, unsigned sec, const Elf64_Shdr *sh)
{
	if (sh->sh_type != SHT_PROGBITS || !(sh->sh_flags & SHF_EXECINSTR))
		return error_set(EINVAL, "section .text is not code (type %u, "
				 "flags 0x%llx)", sh->sh_type,
				 (unsigned long long)sh->sh_flags);
	o->text_sec = sec;
	return 0;
}

/* One pass over the sections: note the special ones, make data maps. */
static int scan_sections(struct obj *o)
{
	Elf64_Shdr sh;
	unsigned i;
	int err = 0;

	for (i = 1; i < o->elf.shnum && !err; i++) {
		const char *name = elf_section_name(&o->elf, i);

		if (elf_section(&o->elf, i, &sh))
			continue;
		if (strcmp(name, "license") == 0)
			err = parse_license(o, i);
		else if (strcmp(name, ".maps") == 0)
			o->maps_sec = i;
		else if (strcmp(name, ".text") == 0)
			err = note_text(o, i, &sh);
		else if (strcmp(name, ".BTF") == 0)
			err = parse_btf(o, i);
		else if (is_data_section(name) && (sh.sh_flags & SHF_ALLOC))
			err = add_data_map(o, i, name, &sh);
	}
	return err;
}

static int scan_programs(struct obj *o)
{
	Elf64_Shdr sh;
	unsigned i;
	int err = 0;

	for (i = 1; i < o->elf.shnum && !err; i++) {
		if (elf_section(&o->elf, i, &sh) || i == o->text_sec)
			continue;
		if (sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR))
			err = find_progs(o, i, elf_section_name(&o->elf, i),
					 sh.sh_size);
	}
	return err;
}

/* The map whose definition in .maps holds byte off, or NULL. */
static struct obj_map *map_defined_at(struct obj *o, uint64_t off)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++) {
		struct obj_map *m = &o->maps[i];

		if (!m->is_data && !m->is_struct_ops && off >= m->sec_off &&
		    off - m->sec_off < m->def_size)
			return m;
	}
	return NULL;
}

/* What a .rel.maps entry's symbol names: a map (map-in-map) or a
 * program (prog array); -1 if neither. */
static long slot_target(const struct obj *o, const Elf64_Sym *sym,
			int *is_prog)
{
	size_t i;

	*is_prog = ELF64_ST_TYPE(sym->st_info) == STT_FUNC;
	for (i = 0; *is_prog && i < o->nr_progs; i++)
		if (o->progs[i].sec == sym->st_shndx &&
		    o->progs[i].sec_off == sym->st_value)
			return (long)i;
	for (i = 0; !*is_prog && i < o->nr_maps; i++)
		if (sym->st_shndx == o->maps_sec && !o->maps[i].is_data &&
		    !o->maps[i].is_struct_ops && o->maps[i].sec_off == sym->st_value)
			return (long)i;
	return -1;
}

static int add_slot(struct obj *o, size_t i, const struct elf_rel *rel)
{
	struct obj_map *m = map_defined_at(o, rel->offset);
	struct map_slot *s;
	Elf64_Sym sym;
	uint64_t at;
	long target;
	int is_prog;

	if (!m || !m->has_values || rel->offset - m->sec_off < m->values_off ||
	    (rel->offset - m->sec_off - m->values_off) % 8)
		return error_set(EINVAL, ".rel.maps entry %zu: offset %llu is "
				 "no slot of a map's 'values'", i,
				 (unsigned long long)rel->offset);
	at = (rel->offset - m->sec_off - m->values_off) / 8;
	if (at >= m->max_entries || rel->type != 2 /* R_BPF_64_ABS64 */ ||
	    elf_symbol(&o->elf, rel->sym, &sym))
		return error_set(EINVAL, ".rel.maps entry %zu: map %s slot "
				 "%llu: past max_entries, or not a pointer", i,
				 m->name, (unsigned long long)at);
	target = slot_target(o, &sym, &is_prog);
	if (target < 0 || is_prog != (m->type == BPF_MAP_TYPE_PROG_ARRAY))
		return error_set(EINVAL, ".rel.maps entry %zu: map %s slot "
				 "%llu: %s is not a %s", i, m->name,
				 (unsigned long long)at,
				 elf_symbol_name(&o->elf, &sym),
				 m->type == BPF_MAP_TYPE_PROG_ARRAY ?
				 "program" : "map");
	s = realloc(m->slots, (m->nr_slots + 1) * sizeof *s);
	if (!s)
		return -ENOMEM;
	m->slots = s;
	m->slots[m->nr_slots++] = (struct map_slot){ (uint32_t)at, is_prog,
						     (size_t)target };
	return 0;
}

/* .rel.maps: the initial values of map-in-maps and prog arrays. */
static int collect_map_slots(struct obj *o)
{
	struct elf_rel rel;
	Elf64_Shdr sh;
	unsigned sec;
	int count, i, err = 0;

	for (sec = 1; o->maps_sec && sec < o->elf.shnum; sec++) {
		if (elf_section(&o->elf, sec, &sh) || sh.sh_type != SHT_REL ||
		    sh.sh_info != o->maps_sec)
			continue;
		count = elf_rel_count(&o->elf, sec);
		if (count < 0)
			return count;
		for (i = 0; i < count && !err; i++) {
			err = elf_rel(&o->elf, sec, (size_t)i, &rel);
			if (!err)
				err = add_slot(o, (size_t)i, &rel);
		}
	}
	return err;
}

static int has_struct_ops(const struct obj *o)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++)
		if (o->maps[i].is_struct_ops)
			return 1;
	return 0;
}

int obj_open(struct obj *o, const char *name, const void *data, size_t size)
{
	return obj_open_flags(o, name, data, size, 0);
}

int obj_open_flags(struct obj *o, const char *name, const void *data,
		   size_t size, unsigned flags)
{
	int err;

	memset(o, 0, sizeof *o);
	o->trusted = (flags & OBJ_TRUSTED) != 0;
	snprintf(o->name, sizeof o->name, "%s", name);
	err = elf_open(&o->elf, data, size);
	if (!err && o->elf.machine != EM_BPF)
		err = error_set(EINVAL, "not a BPF object (e_machine %u, "
				"expected EM_BPF %u)", o->elf.machine, EM_BPF);
	if (!err && !o->trusted)
		err = obj_check_symbols(o);
	if (!err)
		err = scan_sections(o);
	if (!err)
		err = add_kconfig_map(o);
	if (!err)
		err = add_struct_ops_maps(o);
	if (!err)
		err = parse_btf_ext(o);
	if (!err)
		err = parse_btf_maps(o);
	if (!err)
		err = scan_programs(o);
	if (!err)
		err = collect_map_slots(o);
	if (!err && o->nr_progs == 0 && !has_struct_ops(o))
		err = error_set(EINVAL, "no programs in the object");
	if (!err && !o->trusted)
		err = obj_check(o);
	if (err) {
		error_prefix(-err, "%s: ", name);
		obj_close(o);
	}
	return err;
}

struct obj_prog *obj_prog(struct obj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nr_progs; i++)
		if (strcmp(o->progs[i].name, name) == 0)
			return &o->progs[i];
	return NULL;
}

struct obj_map *obj_map(struct obj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++)
		if (strcmp(o->maps[i].name, name) == 0)
			return &o->maps[i];
	return NULL;
}

struct obj_map *obj_data_map(const struct obj *o, unsigned sec)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++)
		if (o->maps[i].is_data && !o->maps[i].is_kconfig &&
		    o->maps[i].sec == sec)
			return &o->maps[i];
	return NULL;
}

int obj_set_var(struct obj *o, const char *var, const void *val, size_t size)
{
	struct obj_map *m;
	Elf64_Sym sym;
	size_t i;

	for (i = 1; i < o->elf.nsyms; i++) {
		if (elf_symbol(&o->elf, i, &sym) ||
		    ELF64_ST_TYPE(sym.st_info) != STT_OBJECT ||
		    strcmp(elf_symbol_name(&o->elf, &sym), var) != 0)
			continue;
		m = obj_data_map(o, sym.st_shndx);
		if (!m)
			continue;
		if (sym.st_size != size || sym.st_value + size > m->value_size)
			return error_set(EINVAL, "variable %s: size %zu, "
					 "expected %llu", var, size,
					 (unsigned long long)sym.st_size);
		memcpy(m->data + sym.st_value, val, size);
		return 0;
	}
	return error_set(ENOENT, "%s: no global variable %s", o->name, var);
}

void obj_close(struct obj *o)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++) {
		free(o->maps[i].data);
		free(o->maps[i].inner);
		free(o->maps[i].slots);
	}
	free(o->progs);
	free(o->maps);
	free(o->externs);
	if (o->has_btf)
		btf_free(&o->btf);
	free(o->btf_copy);
	memset(o, 0, sizeof *o);
}
