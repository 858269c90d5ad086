/* obj_open's checks of the records that tie the ELF, its BTF and its
 * .BTF.ext together: every symbol, every relocation and every .BTF.ext
 * record, by the rules libbpf and the kernel apply, at open. A record
 * that breaks a rule is an error naming it, never skipped: libbpf passes
 * over broken symbols it does not use and checks CO-RE instruction
 * offsets only at load; we refuse the object at once.
 *
 * Relocations, by the section they patch:
 *   program sections (.text too): at a whole instruction inside a
 *     function, R_BPF_64_64 on an ld_imm64 (a map, global data, a
 *     function's address or an extern), R_BPF_64_32 on a bpf-to-bpf call
 *     into .text or on a kfunc call;
 *   .BTF: on the offset field of a DATASEC entry, against a symbol of
 *     that section (the linker's way to fill VAR offsets);
 *   .BTF.ext: on the insn_off field of a record, against a symbol of the
 *     section the record names;
 *   .maps: a slot of a map-in-map's or prog array's `values` (obj_open
 *     reads and checks them as the maps' initial values);
 *   .struct_ops[.link]: a function pointer of an ops table, to a program;
 *   .debug_*: data relocations (ABS64, ABS32, NODYLD32) whose symbol and
 *     bytes lie in range (elf_rel checks those). Nothing here reads
 *     DWARF, and nothing loaded depends on it, so no more is asked;
 *   anything else: refused, as nothing would apply it.
 *
 * Pure: no syscalls. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "obj/object.h"

#define INSN_SZ sizeof(struct bpf_insn)

/* Relocation types (llvm's BPF ELF ABI). */
#define R_BPF_64_64       1     /* ld_imm64 */
#define R_BPF_64_ABS64    2     /* 8 bytes of data */
#define R_BPF_64_ABS32    3     /* 4 bytes of data */
#define R_BPF_64_NODYLD32 4     /* 4 bytes of data in .BTF/.BTF.ext */
#define R_BPF_64_32       10    /* call imm */

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int is_exec(const Elf64_Shdr *sh)
{
	return sh->sh_type == SHT_PROGBITS && (sh->sh_flags & SHF_EXECINSTR);
}

/* A symbol's name for messages: a section symbol has none of its own. */
static const char *sym_label(const struct obj *o, const Elf64_Sym *sym)
{
	const char *name = elf_symbol_name(&o->elf, sym);

	if (!*name && ELF64_ST_TYPE(sym->st_info) == STT_SECTION &&
	    sym->st_shndx < o->elf.shnum)
		return elf_section_name(&o->elf, sym->st_shndx);
	return name;
}

/* --- the DATASEC fix-up --- */

/* The global symbol (STT_OBJECT, GLOBAL or WEAK) named name, as libbpf
 * finds a VAR's symbol. */
static int var_symbol(const struct obj *o, const char *name, Elf64_Sym *out)
{
	size_t i;

	for (i = 1; i < o->elf.nsyms; i++) {
		if (elf_symbol(&o->elf, i, out))
			return -EINVAL;     /* obj_check names it */
		if (ELF64_ST_TYPE(out->st_info) != STT_OBJECT ||
		    (ELF64_ST_BIND(out->st_info) != STB_GLOBAL &&
		     ELF64_ST_BIND(out->st_info) != STB_WEAK))
			continue;
		if (strcmp(elf_symbol_name(&o->elf, out), name) == 0)
			return 0;
	}
	return -ENOENT;
}

/* One DATASEC: clang 14 leaves its size and its global VARs' offsets 0
 * (the static linker fills them); libbpf fills them from the ELF
 * section's size and the symbols' values before the kernel sees them.
 * So do we, on our copy, then check the filled-in values. */
static int fixup_datasec(struct obj *o, uint32_t id, struct btf_type *t)
{
	const char *sec = btf_str(&o->btf, t->name_off);
	struct btf_var_secinfo *v = (struct btf_var_secinfo *)(t + 1);
	int idx = elf_find_section(&o->elf, sec), fill = t->size == 0;
	Elf64_Shdr sh;
	unsigned i;

	/* libbpf's extern sections, which no ELF section holds */
	if (idx < 0 && (strcmp(sec, ".kconfig") == 0 ||
			strcmp(sec, ".ksyms") == 0))
		return obj_fixup_extern_datasec(o, id, t);
	if (idx < 0)
		return error_set(EINVAL, ".BTF: DATASEC '%s' (type [%u]) names no "
				 "ELF section", sec, id);
	elf_section(&o->elf, (unsigned)idx, &sh);
	if (fill)
		t->size = sh.sh_size > UINT32_MAX ? 0 : (uint32_t)sh.sh_size;
	else if (t->size != sh.sh_size)
		return error_set(EINVAL, ".BTF: DATASEC '%s' (type [%u]): size %u, "
				 "but the section has %llu bytes", sec, id,
				 t->size, (unsigned long long)sh.sh_size);
	for (i = 0; fill && i < btf_vlen(t); i++) {
		const struct btf_type *var = btf_type(&o->btf, v[i].type);
		const struct btf_var *info;
		const char *name;
		Elf64_Sym sym;

		if (!var || btf_kind(var) != BTF_KIND_VAR)
			continue;   /* btf_check names it */
		info = btf_tail(var);
		if (info->linkage != BTF_VAR_GLOBAL_ALLOCATED)
			continue;   /* statics carry their offset already */
		name = btf_str(&o->btf, var->name_off);
		if (var_symbol(o, name, &sym) || sym.st_shndx != (unsigned)idx)
			return error_set(EINVAL, ".BTF: DATASEC '%s' entry %u: "
					 "no global symbol %s in section %s",
					 sec, i, name, sec);
		if (sym.st_value > UINT32_MAX)
			return error_set(EINVAL, ".BTF: DATASEC '%s' entry %u: "
					 "symbol %s at %llu", sec, i, name,
					 (unsigned long long)sym.st_value);
		v[i].offset = (uint32_t)sym.st_value;
	}
	return 0;
}

int obj_fixup_btf(struct obj *o)
{
	uint32_t id;
	int err = obj_collect_externs(o);

	for (id = 1; !err && id < o->btf.nr_types; id++) {
		/* our copy: btf_type's record is o->btf_copy's bytes */
		struct btf_type *t = (struct btf_type *)btf_type(&o->btf, id);

		if (btf_kind(t) == BTF_KIND_DATASEC)
			err = fixup_datasec(o, id, t);
	}
	if (!err)
		err = obj_add_kfunc_stand_in(o);
	if (err || o->trusted)
		return err;
	err = btf_check(&o->btf);
	return err ? error_prefix(-err, ".BTF: ") : 0;
}

/* --- symbols --- */

int obj_check_symbols(const struct obj *o)
{
	Elf64_Sym sym;
	Elf64_Shdr sh;
	size_t i;
	int err;

	for (i = 1; i < o->elf.nsyms; i++) {
		unsigned type;
		const char *name;

		if ((err = elf_symbol(&o->elf, i, &sym)))
			return err;
		type = ELF64_ST_TYPE(sym.st_info);
		name = elf_symbol_name(&o->elf, &sym);
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= o->elf.shnum ||
		    (type != STT_FUNC && type != STT_OBJECT))
			continue;
		elf_section(&o->elf, sym.st_shndx, &sh);
		if (sym.st_value > sh.sh_size ||
		    sym.st_size > sh.sh_size - sym.st_value)
			return error_set(EINVAL, "symbol %s: value %llu + size "
					 "%llu outside section %s (%llu bytes)",
					 name, (unsigned long long)sym.st_value,
					 (unsigned long long)sym.st_size,
					 elf_section_name(&o->elf, sym.st_shndx),
					 (unsigned long long)sh.sh_size);
		if (type == STT_FUNC && is_exec(&sh) &&
		    (sym.st_value % INSN_SZ || sym.st_size % INSN_SZ))
			return error_set(EINVAL, "symbol %s: function at %llu of "
					 "%llu bytes is not whole instructions",
					 name, (unsigned long long)sym.st_value,
					 (unsigned long long)sym.st_size);
	}
	return 0;
}

/* --- relocations of code --- */

/* The STT_FUNC symbol of section sec that holds byte off, or -ENOENT. */
static int function_at(const struct obj *o, unsigned sec, uint64_t off)
{
	Elf64_Sym sym;
	size_t i;

	for (i = 1; i < o->elf.nsyms; i++) {
		if (elf_symbol(&o->elf, i, &sym) || sym.st_shndx != sec ||
		    ELF64_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		if (off >= sym.st_value && off - sym.st_value < sym.st_size)
			return 0;
	}
	return -ENOENT;
}

/* Whether byte off of program section sec is an instruction of some
 * program (find_progs made them) or, in .text, of some function. */
static int in_code(const struct obj *o, unsigned sec, uint64_t off)
{
	size_t i;

	if (sec == o->text_sec)
		return function_at(o, sec, off) == 0;
	for (i = 0; i < o->nr_progs; i++)
		if (o->progs[i].sec == sec && off >= o->progs[i].sec_off &&
		    off - o->progs[i].sec_off < o->progs[i].size)
			return 1;
	return 0;
}

static const struct obj_map *map_at(const struct obj *o, uint64_t off)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++)
		if (!o->maps[i].is_data && o->maps[i].sec_off == off)
			return &o->maps[i];
	return NULL;
}

/* What an ld_imm64 may be relocated against, and where it then points. */
static int check_ld_imm64(const struct obj *o, const char *where,
			  const struct bpf_insn *insn, const Elf64_Sym *sym,
			  const char *name)
{
	Elf64_Shdr sh;
	int64_t off;

	if (sym->st_shndx >= o->elf.shnum)
		return error_set(EINVAL, "%s: ld_imm64 against %s, which is in "
				 "no section", where, name);
	elf_section(&o->elf, sym->st_shndx, &sh);
	if (o->maps_sec && sym->st_shndx == o->maps_sec) {
		if (!map_at(o, sym->st_value))
			return error_set(EINVAL, "%s: ld_imm64 against %s: no map "
					 "at .maps+%llu", where, name,
					 (unsigned long long)sym->st_value);
		return 0;
	}
	if (is_exec(&sh))
		return 0;                      /* a function's address */
	if (!obj_data_map((struct obj *)o, sym->st_shndx))
		return error_set(EINVAL, "%s: ld_imm64 against %s in section %s, "
				 "which is no map, data or code", where, name,
				 elf_section_name(&o->elf, sym->st_shndx));
	off = (int64_t)insn->imm + (int64_t)sym->st_value;
	if (off < 0 || (uint64_t)off >= sh.sh_size)
		return error_set(EINVAL, "%s: ld_imm64 against %s+%d outside "
				 "section %s (%llu bytes)", where, name, insn->imm,
				 elf_section_name(&o->elf, sym->st_shndx),
				 (unsigned long long)sh.sh_size);
	return 0;
}

/* A call: into .text, onto a function there. */
static int check_call(const struct obj *o, const char *where,
		      const struct bpf_insn *insn, const Elf64_Sym *sym,
		      const char *name)
{
	Elf64_Shdr text;
	int64_t t;

	if (insn->src_reg != BPF_PSEUDO_CALL)
		return error_set(EINVAL, "%s: call relocation on a helper call "
				 "(src_reg %u)", where, insn->src_reg);
	if (!o->text_sec || sym->st_shndx != o->text_sec)
		return error_set(EINVAL, "%s: call to %s, which is not in .text",
				 where, name);
	elf_section(&o->elf, o->text_sec, &text);
	t = (int64_t)(sym->st_value / INSN_SZ) + insn->imm + 1;
	if (t < 0 || (uint64_t)t >= text.sh_size / INSN_SZ ||
	    function_at(o, o->text_sec, (uint64_t)t * INSN_SZ))
		return error_set(EINVAL, "%s: call to %s%+d lands on no function "
				 "in .text", where, name, insn->imm);
	return 0;
}

/* A relocation against an extern: an ld_imm64 of a kconfig value or a
 * ksym, or a call of a kfunc (libbpf's RELO_EXTERN_LD64 and _CALL). */
static int check_extern_rel(const struct obj *o, const char *where,
			    const struct elf_rel *rel,
			    const struct bpf_insn *insn, size_t left,
			    const char *name)
{
	const struct obj_extern *e = obj_extern_of_symbol(o, rel->sym);

	if (!e)
		return error_set(EINVAL, "%s: against undefined symbol %s, which "
				 "is no extern of .kconfig or .ksyms", where,
				 name);
	if (rel->type == R_BPF_64_32 && insn->code == (BPF_JMP | BPF_CALL)) {
		if (!e->is_func)
			return error_set(EINVAL, "%s: call to extern %s, which "
					 "is no function", where, name);
		return 0;
	}
	if (rel->type == R_BPF_64_64 &&
	    insn->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		if (left < 2 * INSN_SZ)
			return error_set(EINVAL, "%s: ld_imm64 cut off at the "
					 "end of the section", where);
		return 0;
	}
	return error_set(EINVAL, "%s: relocation type %u against extern %s on "
			 "code 0x%02x, which is neither ld_imm64 nor a call",
			 where, rel->type, name, insn->code);
}

static int check_code_rel(const struct obj *o, unsigned relsec, size_t i,
			  const struct elf_rel *rel, unsigned sec)
{
	const char *relname = elf_section_name(&o->elf, relsec);
	const unsigned char *code;
	const void *data;
	struct bpf_insn insn;
	char where[160];
	Elf64_Sym sym;
	size_t size;
	const char *name;
	int err;

	snprintf(where, sizeof where, "%s entry %zu (offset %llu)", relname, i,
		 (unsigned long long)rel->offset);
	if (rel->offset % INSN_SZ)
		return error_set(EINVAL, "%s: not a multiple of %zu, so not an "
				 "instruction", where, INSN_SZ);
	if (!in_code(o, sec, rel->offset))
		return error_set(EINVAL, "%s: in no program or function of %s",
				 where, elf_section_name(&o->elf, sec));
	if ((err = elf_symbol(&o->elf, rel->sym, &sym)))
		return error_prefix(-err, "%s: ", where);
	name = sym_label(o, &sym);
	elf_section_data(&o->elf, sec, &data, &size);
	code = data;
	memcpy(&insn, code + rel->offset, sizeof insn);
	if (sym.st_shndx == SHN_UNDEF)
		return check_extern_rel(o, where, rel, &insn,
					size - rel->offset, name);
	switch (rel->type) {
	case R_BPF_64_64:
		if (insn.code != (BPF_LD | BPF_IMM | BPF_DW))
			return error_set(EINVAL, "%s: R_BPF_64_64 on code 0x%02x, "
					 "not an ld_imm64", where, insn.code);
		if (size - rel->offset < 2 * INSN_SZ)
			return error_set(EINVAL, "%s: ld_imm64 cut off at the end "
					 "of the section", where);
		return check_ld_imm64(o, where, &insn, &sym, name);
	case R_BPF_64_32:
		if (insn.code != (BPF_JMP | BPF_CALL))
			return error_set(EINVAL, "%s: R_BPF_64_32 on code 0x%02x, "
					 "not a call", where, insn.code);
		return check_call(o, where, &insn, &sym, name);
	}
	return error_set(EINVAL, "%s: relocation type %u is not one for code",
			 where, rel->type);
}

/* --- relocations of .BTF and .BTF.ext --- */

/* Whether byte off of .BTF is the offset field of entry j of a DATASEC;
 * *sec is then the DATASEC's name. */
static int datasec_offset_at(const struct obj *o, uint64_t off,
			     const char **sec)
{
	uint32_t id;

	for (id = 1; id < o->btf.nr_types; id++) {
		const struct btf_type *t = btf_type(&o->btf, id);
		uint64_t first = (uint64_t)o->btf.offs[id] + sizeof *t;

		if (btf_kind(t) != BTF_KIND_DATASEC || off < first)
			continue;
		if ((off - first) % sizeof(struct btf_var_secinfo) ==
		    offsetof(struct btf_var_secinfo, offset) &&
		    (off - first) / sizeof(struct btf_var_secinfo) < btf_vlen(t)) {
			*sec = btf_str(&o->btf, t->name_off);
			return 1;
		}
	}
	return 0;
}

/* Whether byte off of .BTF.ext is the insn_off of some record; *sec is
 * then the section the record is for. */
static int ext_insn_off_at(const struct obj *o, uint64_t off,
			   const char **sec)
{
	struct btf_ext_sec es;
	int k;

	for (k = BTF_EXT_FUNC; k <= BTF_EXT_CORE; k++) {
		size_t cursor = 0;

		while (btf_ext_next(&o->ext, (enum btf_ext_kind)k, &o->btf,
				    &cursor, &es)) {
			uint64_t first = (uint64_t)(es.recs - o->ext.data);

			if (off >= first && (off - first) % es.rec_size == 0 &&
			    (off - first) / es.rec_size < es.count) {
				*sec = es.name;
				return 1;
			}
		}
	}
	return 0;
}

static int check_data_rel(const struct obj *o, unsigned relsec, size_t i,
			  const struct elf_rel *rel, const char *target)
{
	const char *relname = elf_section_name(&o->elf, relsec);
	const char *sec = NULL, *symsec;
	Elf64_Sym sym;
	int err;

	if (rel->type != R_BPF_64_ABS64 && rel->type != R_BPF_64_ABS32 &&
	    rel->type != R_BPF_64_NODYLD32)
		return error_set(EINVAL, "%s entry %zu: relocation type %u is not "
				 "one for data", relname, i, rel->type);
	if ((err = elf_symbol(&o->elf, rel->sym, &sym)))
		return error_prefix(-err, "%s entry %zu: ", relname, i);
	if (starts_with(target, ".debug_"))
		return 0;
	if (rel->type == R_BPF_64_ABS64)
		return error_set(EINVAL, "%s entry %zu: 8-byte relocation in %s, "
				 "whose fields are 4 bytes", relname, i, target);
	if (strcmp(target, ".BTF") == 0) {
		if (!o->has_btf || !datasec_offset_at(o, rel->offset, &sec))
			return error_set(EINVAL, "%s entry %zu: offset %llu is not "
					 "a DATASEC entry's offset", relname, i,
					 (unsigned long long)rel->offset);
	} else {
		if (!o->has_ext || !ext_insn_off_at(o, rel->offset, &sec))
			return error_set(EINVAL, "%s entry %zu: offset %llu is not "
					 "a record's insn_off", relname, i,
					 (unsigned long long)rel->offset);
	}
	/* the linker's fill of an extern's offset, which we lay out */
	if (sym.st_shndx == SHN_UNDEF && obj_extern_of_symbol(o, rel->sym) &&
	    (strcmp(sec, ".kconfig") == 0 || strcmp(sec, ".ksyms") == 0))
		return 0;
	symsec = sym.st_shndx && sym.st_shndx < o->elf.shnum ?
		 elf_section_name(&o->elf, sym.st_shndx) : "";
	if (strcmp(symsec, sec) != 0)
		return error_set(EINVAL, "%s entry %zu: against %s in section "
				 "'%s', for a record of section '%s'", relname,
				 i, sym_label(o, &sym), symsec, sec);
	return 0;
}

static int is_struct_ops_sec(const char *name)
{
	return strcmp(name, ".struct_ops") == 0 ||
	       strcmp(name, ".struct_ops.link") == 0;
}

/* A struct_ops table's function pointers: 8 bytes inside the section,
 * each naming a program (a function in a code section). */
static int check_struct_ops_rel(const struct obj *o, unsigned relsec,
				size_t i, const struct elf_rel *rel,
				const Elf64_Shdr *target)
{
	const char *relname = elf_section_name(&o->elf, relsec);
	Elf64_Shdr sh;
	Elf64_Sym sym;
	int err;

	if (rel->type != R_BPF_64_ABS64 || rel->offset > target->sh_size ||
	    target->sh_size - rel->offset < 8)
		return error_set(EINVAL, "%s entry %zu: not an 8-byte pointer "
				 "inside the section", relname, i);
	if ((err = elf_symbol(&o->elf, rel->sym, &sym)))
		return error_prefix(-err, "%s entry %zu: ", relname, i);
	if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC ||
	    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= o->elf.shnum ||
	    elf_section(&o->elf, sym.st_shndx, &sh) || !is_exec(&sh))
		return error_set(EINVAL, "%s entry %zu: against %s, which is no "
				 "program", relname, i, sym_label(o, &sym));
	return 0;
}

static int check_rel_section(const struct obj *o, unsigned relsec)
{
	const char *target;
	struct elf_rel rel;
	Elf64_Shdr sh, tsh;
	int count, i, err = 0;

	count = elf_rel_count(&o->elf, relsec);
	if (count < 0)
		return count;
	elf_section(&o->elf, relsec, &sh);
	elf_section(&o->elf, sh.sh_info, &tsh);
	target = elf_section_name(&o->elf, sh.sh_info);
	if (!is_exec(&tsh) && strcmp(target, ".BTF") != 0 &&
	    strcmp(target, ".BTF.ext") != 0 && !starts_with(target, ".debug_") &&
	    !is_struct_ops_sec(target) &&
	    !(o->maps_sec && sh.sh_info == o->maps_sec))
		return error_set(EINVAL, "%s: relocations of section %s, which "
				 "nothing applies", elf_section_name(&o->elf,
				 relsec), target);
	/* .rel.maps: obj_open made each entry a map's initial value */
	if (o->maps_sec && sh.sh_info == o->maps_sec)
		return 0;
	for (i = 0; i < count && !err; i++) {
		if ((err = elf_rel(&o->elf, relsec, (size_t)i, &rel)))
			break;
		if (is_exec(&tsh))
			err = check_code_rel(o, relsec, (size_t)i, &rel,
					     sh.sh_info);
		else if (is_struct_ops_sec(target))
			err = check_struct_ops_rel(o, relsec, (size_t)i, &rel,
						   &tsh);
		else
			err = check_data_rel(o, relsec, (size_t)i, &rel, target);
	}
	return err;
}

/* --- .BTF.ext records --- */

struct ext_ctx {
	const struct obj *o;
	const char *part;
	struct btf_ext_sec es;
	const unsigned char *code;
	size_t code_size;
};

/* "x insn_off" of record i: a whole instruction inside the section. */
static int check_insn_off(const struct ext_ctx *c, uint32_t i, uint32_t off)
{
	if (off % INSN_SZ)
		return error_set(EINVAL, ".BTF.ext %s: section %s record %u: "
				 "insn_off %u is not a multiple of %zu", c->part,
				 c->es.name, i, off, INSN_SZ);
	if (off >= c->code_size)
		return error_set(EINVAL, ".BTF.ext %s: section %s record %u: "
				 "insn_off %u past the section's %zu bytes",
				 c->part, c->es.name, i, off, c->code_size);
	return 0;
}

static int check_func_info(const struct ext_ctx *c, uint32_t i,
			   const struct bpf_func_info *f, uint32_t *prev)
{
	const struct btf_type *t = btf_type(&c->o->btf, f->type_id);
	int err = check_insn_off(c, i, f->insn_off);

	if (err)
		return err;
	if (i && f->insn_off <= *prev)
		return error_set(EINVAL, ".BTF.ext func_info: section %s record "
				 "%u: insn_off %u not after the previous %u",
				 c->es.name, i, f->insn_off, *prev);
	*prev = f->insn_off;
	if (!t || btf_kind(t) != BTF_KIND_FUNC)
		return error_set(EINVAL, ".BTF.ext func_info: section %s record "
				 "%u: type %u is not a FUNC", c->es.name, i,
				 f->type_id);
	return 0;
}

static int check_line_info(const struct ext_ctx *c, uint32_t i,
			   const struct bpf_line_info *l)
{
	int err = check_insn_off(c, i, l->insn_off);

	if (err)
		return err;
	if (l->file_name_off >= c->o->btf.strs_len ||
	    l->line_off >= c->o->btf.strs_len)
		return error_set(EINVAL, ".BTF.ext line_info: section %s record "
				 "%u: file or line name offset outside the BTF "
				 "strings", c->es.name, i);
	return 0;
}

/* An access string: "0", "0:1:2", ... */
static int valid_access(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(*s >= '0' && *s <= '9') && *s != ':')
			return 0;
	return 1;
}

static int check_core_relo(const struct ext_ctx *c, uint32_t i,
			   const struct bpf_core_relo *r)
{
	const struct btf *btf = &c->o->btf;
	struct bpf_insn insn;
	unsigned cls;
	int err = check_insn_off(c, i, r->insn_off);

	if (err)
		return err;
	if (!btf_type(btf, r->type_id))
		return error_set(EINVAL, ".BTF.ext core_relo: section %s record "
				 "%u: type %u out of range", c->es.name, i,
				 r->type_id);
	if (r->access_str_off >= btf->strs_len ||
	    !valid_access(btf_str(btf, r->access_str_off)))
		return error_set(EINVAL, ".BTF.ext core_relo: section %s record "
				 "%u: access string at %u is not \"N:N:...\"",
				 c->es.name, i, r->access_str_off);
	if (r->kind > BPF_CORE_TYPE_MATCHES)
		return error_set(EINVAL, ".BTF.ext core_relo: section %s record "
				 "%u: unknown kind %u", c->es.name, i, r->kind);
	/* the instructions libbpf can patch: an immediate, a load or
	 * store's offset, an ld_imm64's 64 bits */
	memcpy(&insn, c->code + r->insn_off, sizeof insn);
	cls = BPF_CLASS(insn.code);
	if (((cls == BPF_ALU || cls == BPF_ALU64) && BPF_SRC(insn.code) == BPF_K) ||
	    cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX)
		return 0;
	if (insn.code == (BPF_LD | BPF_IMM | BPF_DW) &&
	    c->code_size - r->insn_off >= 2 * INSN_SZ)
		return 0;
	return error_set(EINVAL, ".BTF.ext core_relo: section %s record %u: "
			 "insn_off %u is code 0x%02x, which cannot carry a "
			 "value", c->es.name, i, r->insn_off, insn.code);
}

static int check_ext_part(const struct obj *o, enum btf_ext_kind kind)
{
	static const char *const parts[] = { "func_info", "line_info",
					     "core_relo" };
	struct ext_ctx c = { .o = o, .part = parts[kind] };
	size_t cursor = 0;
	int err = 0;

	while (!err && btf_ext_next(&o->ext, kind, &o->btf, &cursor, &c.es)) {
		int sec = elf_find_section(&o->elf, c.es.name);
		const void *data;
		uint32_t rec[16] = { 0 };      /* aligned for the casts below */
		uint32_t i, prev = 0;
		Elf64_Shdr sh;

		if (sec < 0 || elf_section(&o->elf, (unsigned)sec, &sh) ||
		    !is_exec(&sh))
			return error_set(EINVAL, ".BTF.ext %s: section %s is not "
					 "a code section of the object",
					 c.part, c.es.name);
		if (c.es.count == 0)
			return error_set(EINVAL, ".BTF.ext %s: section %s has no "
					 "records", c.part, c.es.name);
		elf_section_data(&o->elf, (unsigned)sec, &data, &c.code_size);
		c.code = data;
		for (i = 0; !err && i < c.es.count; i++) {
			memcpy(rec, c.es.recs + (size_t)i * c.es.rec_size,
			       c.es.rec_size < sizeof rec ? c.es.rec_size :
			       sizeof rec);
			if (kind == BTF_EXT_FUNC)
				err = check_func_info(&c, i, (const void *)rec,
						      &prev);
			else if (kind == BTF_EXT_LINE)
				err = check_line_info(&c, i, (const void *)rec);
			else
				err = check_core_relo(&c, i, (const void *)rec);
		}
	}
	return err;
}

int obj_check(const struct obj *o)
{
	Elf64_Shdr sh;
	unsigned sec;
	int k, err;

	for (k = BTF_EXT_FUNC; o->has_ext && k <= BTF_EXT_CORE; k++)
		if ((err = check_ext_part(o, (enum btf_ext_kind)k)))
			return err;
	for (sec = 1; sec < o->elf.shnum; sec++) {
		elf_section(&o->elf, sec, &sh);
		if (sh.sh_type == SHT_RELA)
			return error_set(EINVAL, "%s: RELA relocations are not "
					 "used by BPF objects",
					 elf_section_name(&o->elf, sec));
		if (sh.sh_type == SHT_REL && (err = check_rel_section(o, sec)))
			return err;
	}
	return 0;
}
