/* ELF64 little-endian reader: a checked view over a byte buffer.
 *
 * elf_open() validates the header and every section header once; after
 * that the accessors only need to check the index they are given. Every
 * record is copied out with memcpy, so the buffer may sit at any address,
 * and every "offset + size" is compared without the addition overflowing. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "elf/elf.h"
#include "elf/error.h"

/* Relocation types that patch 4 bytes (only in .rel.BTF*, .rel.debug_*);
 * every other BPF relocation points at an 8-byte instruction. */
#define R_BPF_64_ABS32    3
#define R_BPF_64_NODYLD32 4

/* Does [off, off + len) lie inside [0, size)? Written so nothing wraps. */
static int in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Reads section header idx straight from the table; idx < e->shnum. */
static void read_shdr(const struct elf *e, unsigned idx, Elf64_Shdr *sh)
{
	memcpy(sh, e->data + e->shoff + (size_t)idx * sizeof *sh, sizeof *sh);
}

/* String tables must end in NUL, so any offset inside is a C string. */
static int check_strtab(const struct elf *e, const Elf64_Shdr *sh,
			const char *what, unsigned idx)
{
	if (sh->sh_size == 0 || e->data[sh->sh_offset + sh->sh_size - 1] != 0)
		return error_set(EINVAL, "%s (section %u) is not NUL-terminated",
				 what, idx);
	return 0;
}

static int check_header(struct elf *e, const Elf64_Ehdr *eh)
{
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return error_set(EINVAL, "ELF version %u is not supported",
				 eh->e_ident[EI_VERSION]);
	if (eh->e_shnum == 0 || eh->e_shoff == 0)
		return error_set(EINVAL, "ELF object has no section headers");
	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		return error_set(EINVAL, "e_shentsize %u is not %zu",
				 eh->e_shentsize, sizeof(Elf64_Shdr));
	if (!in_bounds(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr),
		       e->size))
		return error_set(EINVAL, "section header table extends past end "
				 "of file (offset %llu + %u headers > %zu)",
				 (unsigned long long)eh->e_shoff, eh->e_shnum,
				 e->size);
	/* SHN_XINDEX (extended numbering) lands here too: we never need it. */
	if (eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum)
		return error_set(EINVAL, "e_shstrndx %u out of range (%u sections)",
				 eh->e_shstrndx, eh->e_shnum);
	e->shoff = eh->e_shoff;
	e->shnum = eh->e_shnum;
	e->shstrndx = eh->e_shstrndx;
	e->machine = eh->e_machine;
	return 0;
}

/* The section name table comes first, so later messages can use names. */
static int check_shstrtab(struct elf *e)
{
	Elf64_Shdr sh;

	read_shdr(e, e->shstrndx, &sh);
	if (sh.sh_type != SHT_STRTAB)
		return error_set(EINVAL, "e_shstrndx %u is not a string table "
				 "(type %u)", e->shstrndx, sh.sh_type);
	if (!in_bounds(sh.sh_offset, sh.sh_size, e->size))
		return error_set(EINVAL, "section name table extends past end of "
				 "file (offset %llu + size %llu > %zu)",
				 (unsigned long long)sh.sh_offset,
				 (unsigned long long)sh.sh_size, e->size);
	return check_strtab(e, &sh, "section name table", e->shstrndx);
}

static int check_symtab(struct elf *e, unsigned idx, const Elf64_Shdr *sh)
{
	const char *name = elf_section_name(e, idx);
	Elf64_Shdr str;

	if (e->symtab)
		return error_set(EINVAL, "section %s: second symbol table "
				 "(first is section %u)", name, e->symtab);
	/* What LLVM's reader asks too: entries are read as Elf64_Sym, so
	 * a table that says otherwise is not one we read as written. */
	if (sh->sh_entsize != sizeof(Elf64_Sym))
		return error_set(EINVAL, "section %s: sh_entsize %llu is not %zu "
				 "(the size of an ELF64 symbol)", name,
				 (unsigned long long)sh->sh_entsize,
				 sizeof(Elf64_Sym));
	if (sh->sh_size % sizeof(Elf64_Sym))
		return error_set(EINVAL, "section %s: size %llu is not a multiple "
				 "of %zu", name, (unsigned long long)sh->sh_size,
				 sizeof(Elf64_Sym));
	if (sh->sh_link == 0 || sh->sh_link >= e->shnum)
		return error_set(EINVAL, "section %s: sh_link %u is not a section",
				 name, sh->sh_link);
	read_shdr(e, sh->sh_link, &str);
	if (str.sh_type != SHT_STRTAB)
		return error_set(EINVAL, "section %s: sh_link %u is not a string "
				 "table", name, sh->sh_link);
	e->symtab = idx;
	e->nsyms = sh->sh_size / sizeof(Elf64_Sym);
	e->strtab = sh->sh_link;
	e->sym_off = (size_t)sh->sh_offset;
	e->str_off = (size_t)str.sh_offset;
	e->str_size = (size_t)str.sh_size;
	return 0;
}

int elf_open(struct elf *e, const void *data, size_t size)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	unsigned i;
	int err;

	memset(e, 0, sizeof *e);
	e->data = data;
	e->size = size;
	if (size < SELFMAG || memcmp(data, ELFMAG, SELFMAG) != 0)
		return error_set(EINVAL, "not an ELF file");
	if (size < EI_NIDENT)
		return error_set(EINVAL, "truncated ELF header (%zu bytes)", size);
	if (e->data[EI_CLASS] == ELFCLASS32)
		return error_set(EINVAL, "ELF32 objects are not supported");
	if (e->data[EI_CLASS] != ELFCLASS64)
		return error_set(EINVAL, "unknown ELF class %u", e->data[EI_CLASS]);
	if (e->data[EI_DATA] == ELFDATA2MSB)
		return error_set(EINVAL, "big-endian ELF objects are not supported");
	if (e->data[EI_DATA] != ELFDATA2LSB)
		return error_set(EINVAL, "unknown ELF data encoding %u",
				 e->data[EI_DATA]);
	if (size < sizeof eh)
		return error_set(EINVAL, "truncated ELF header (%zu bytes, need %zu)",
				 size, sizeof eh);
	memcpy(&eh, data, sizeof eh);
	err = check_header(e, &eh);
	if (!err)
		err = check_shstrtab(e);
	if (err)
		return err;

	/* Names first: every later message then names the section. */
	read_shdr(e, e->shstrndx, &sh);
	for (i = 1; i < e->shnum; i++) {
		Elf64_Shdr s;

		read_shdr(e, i, &s);
		if (s.sh_name >= sh.sh_size)
			return error_set(EINVAL, "section %u: sh_name %u outside "
					 "section name table (size %llu)", i,
					 s.sh_name, (unsigned long long)sh.sh_size);
	}
	for (i = 1; i < e->shnum; i++) {
		read_shdr(e, i, &sh);
		if (sh.sh_type != SHT_NOBITS &&
		    !in_bounds(sh.sh_offset, sh.sh_size, size))
			return error_set(EINVAL, "section %s: extends past end of "
					 "file (offset %llu + size %llu > %zu)",
					 elf_section_name(e, i),
					 (unsigned long long)sh.sh_offset,
					 (unsigned long long)sh.sh_size, size);
		if (sh.sh_type == SHT_SYMTAB && (err = check_symtab(e, i, &sh)))
			return err;
	}
	if (e->symtab) {
		read_shdr(e, e->strtab, &sh);
		return check_strtab(e, &sh, "symbol string table", e->strtab);
	}
	return 0;
}

int elf_section(const struct elf *e, unsigned idx, Elf64_Shdr *out)
{
	if (idx == 0 || idx >= e->shnum)
		return error_set(EINVAL, "section index %u out of range "
				 "(%u sections)", idx, e->shnum);
	read_shdr(e, idx, out);
	return 0;
}

const char *elf_section_name(const struct elf *e, unsigned idx)
{
	Elf64_Shdr sh, str;

	if (idx >= e->shnum)
		return NULL;
	read_shdr(e, idx, &sh);
	read_shdr(e, e->shstrndx, &str);
	return (const char *)e->data + str.sh_offset + sh.sh_name;
}

int elf_section_data(const struct elf *e, unsigned idx,
		     const void **data, size_t *size)
{
	Elf64_Shdr sh;
	int err = elf_section(e, idx, &sh);

	if (err)
		return err;
	*data = sh.sh_type == SHT_NOBITS ? NULL : e->data + sh.sh_offset;
	*size = sh.sh_size;
	return 0;
}

int elf_find_section(const struct elf *e, const char *name)
{
	unsigned i;

	for (i = 1; i < e->shnum; i++)
		if (strcmp(elf_section_name(e, i), name) == 0)
			return (int)i;
	return error_set(ENOENT, "section %s not found", name);
}

/* A section symbol has no name of its own: it is named by index. */
static int bad_shndx(const struct elf *e, size_t idx, const Elf64_Sym *sym)
{
	const char *name = elf_symbol_name(e, sym);
	char num[32];

	if (!*name) {
		snprintf(num, sizeof num, "%zu", idx);
		name = num;
	}
	return error_set(EINVAL, "symbol %s: st_shndx %u out of range "
			 "(%u sections)", name, sym->st_shndx, e->shnum);
}

int elf_symbol(const struct elf *e, size_t idx, Elf64_Sym *out)
{
	if (!e->symtab)
		return error_set(ENOENT, "no symbol table");
	if (idx == 0 || idx >= e->nsyms)
		return error_set(EINVAL, "symbol index %zu out of range "
				 "(%zu symbols)", idx, e->nsyms);
	memcpy(out, e->data + e->sym_off + idx * sizeof *out, sizeof *out);
	if (out->st_name >= e->str_size)
		return error_set(EINVAL, "symbol %zu: st_name %u outside string "
				 "table (size %llu)", idx, out->st_name,
				 (unsigned long long)e->str_size);
	if (out->st_shndx >= e->shnum && out->st_shndx != SHN_ABS &&
	    out->st_shndx != SHN_COMMON)
		return bad_shndx(e, idx, out);
	return 0;
}

const char *elf_symbol_name(const struct elf *e, const Elf64_Sym *sym)
{
	return (const char *)e->data + e->str_off + sym->st_name;
}

/* Checks relidx is a SHT_REL tied to our symtab; fills its header. */
static int rel_section(const struct elf *e, unsigned relidx, Elf64_Shdr *sh)
{
	const char *name;
	int err = elf_section(e, relidx, sh);

	if (err)
		return err;
	name = elf_section_name(e, relidx);
	if (sh->sh_type != SHT_REL)
		return error_set(EINVAL, "section %s: not a SHT_REL section "
				 "(type %u)", name, sh->sh_type);
	if (sh->sh_entsize != sizeof(Elf64_Rel))
		return error_set(EINVAL, "section %s: sh_entsize %llu is not %zu "
				 "(the size of an ELF64 SHT_REL entry)", name,
				 (unsigned long long)sh->sh_entsize,
				 sizeof(Elf64_Rel));
	if (sh->sh_size % sizeof(Elf64_Rel))
		return error_set(EINVAL, "section %s: size %llu is not a multiple "
				 "of %zu", name, (unsigned long long)sh->sh_size,
				 sizeof(Elf64_Rel));
	if (!e->symtab || sh->sh_link != e->symtab)
		return error_set(EINVAL, "section %s: sh_link %u is not the "
				 "symbol table", name, sh->sh_link);
	if (sh->sh_info == 0 || sh->sh_info >= e->shnum)
		return error_set(EINVAL, "section %s: sh_info %u is not a section",
				 name, sh->sh_info);
	if (sh->sh_size / sizeof(Elf64_Rel) > INT_MAX)
		return error_set(EINVAL, "section %s: too many entries", name);
	return 0;
}

int elf_rel_count(const struct elf *e, unsigned relidx)
{
	Elf64_Shdr sh;
	int err = rel_section(e, relidx, &sh);

	return err ? err : (int)(sh.sh_size / sizeof(Elf64_Rel));
}

int elf_rel(const struct elf *e, unsigned relidx, size_t i,
	    struct elf_rel *out)
{
	const char *name;
	Elf64_Shdr sh, target;
	Elf64_Rel r;
	uint64_t width;
	int err = rel_section(e, relidx, &sh);

	if (err)
		return err;
	name = elf_section_name(e, relidx);
	if (i >= sh.sh_size / sizeof r)
		return error_set(EINVAL, "%s entry %zu out of range (%llu entries)",
				 name, i, (unsigned long long)(sh.sh_size / sizeof r));
	memcpy(&r, e->data + sh.sh_offset + i * sizeof r, sizeof r);
	out->offset = r.r_offset;
	out->sym = ELF64_R_SYM(r.r_info);
	out->type = ELF64_R_TYPE(r.r_info);
	if (out->sym >= e->nsyms)
		return error_set(EINVAL, "%s entry %zu: symbol index %u out of "
				 "range (%zu symbols)", name, i, out->sym,
				 e->nsyms);
	read_shdr(e, sh.sh_info, &target);
	width = e->machine == EM_BPF && (out->type == R_BPF_64_ABS32 ||
					  out->type == R_BPF_64_NODYLD32) ? 4 : 8;
	if (!in_bounds(out->offset, width, target.sh_size))
		return error_set(EINVAL, "%s entry %zu: offset %llu outside "
				 "section %s (size %llu)", name, i,
				 (unsigned long long)out->offset,
				 elf_section_name(e, sh.sh_info),
				 (unsigned long long)target.sh_size);
	return 0;
}
