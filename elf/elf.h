/* A read-only view of an ELF64 little-endian object in memory.
 *
 * Pure: no syscalls, no allocation. elf_open() checks the header and every
 * section header against the buffer once, so the accessors below can trust
 * offsets and sizes. Every accessor that takes an index checks it. Records
 * are copied out with memcpy, so the buffer needs no particular alignment.
 * Failures return -errno (EINVAL for malformed input, ENOENT for "not
 * there") and set error_msg() naming the section or symbol and the fault. */
#ifndef RAWTRACE_ELF_H
#define RAWTRACE_ELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

struct elf {
	const unsigned char *data;
	size_t size;
	unsigned shnum;         /* section count, including index 0 */
	size_t shoff;           /* file offset of the section header table */
	unsigned shstrndx;      /* section holding section names */
	unsigned symtab;        /* index of SHT_SYMTAB, 0 if none */
	size_t nsyms;           /* entries in symtab, including index 0 */
	unsigned strtab;        /* symtab's sh_link: its string table */
	size_t sym_off;         /* symtab's and strtab's places in data, */
	size_t str_off, str_size;  /* kept: symbols are read by the thousand */
	uint16_t machine;       /* e_machine, EM_BPF for our objects */
};

/* Validates: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, e_shentsize,
 * the section table inside the buffer, e_shstrndx in range and a
 * SHT_STRTAB, every non-NOBITS section inside the buffer, every sh_name
 * inside shstrtab, at most one SHT_SYMTAB whose sh_link is a SHT_STRTAB and
 * whose size is a multiple of sizeof(Elf64_Sym). Does not require EM_BPF:
 * the loader checks that (so `--btf vmlinux` can be read by the same code). */
int elf_open(struct elf *e, const void *data, size_t size);

/* Section header idx (0 < idx < shnum; 0 is refused too). */
int elf_section(const struct elf *e, unsigned idx, Elf64_Shdr *out);

/* The section's name; NULL if idx is out of range. Never fails otherwise:
 * elf_open checked every name is NUL-terminated inside shstrtab. */
const char *elf_section_name(const struct elf *e, unsigned idx);

/* Bytes of section idx. SHT_NOBITS gives *data = NULL and its sh_size. */
int elf_section_data(const struct elf *e, unsigned idx,
		     const void **data, size_t *size);

/* Index of the first section with this name, or -ENOENT. */
int elf_find_section(const struct elf *e, const char *name);

/* Symbol idx of the symbol table (0 < idx < nsyms). Checks st_name is
 * inside strtab and st_shndx is SHN_UNDEF, SHN_ABS, SHN_COMMON or < shnum. */
int elf_symbol(const struct elf *e, size_t idx, Elf64_Sym *out);

/* Name of a symbol got from elf_symbol (checked there): never NULL. */
const char *elf_symbol_name(const struct elf *e, const Elf64_Sym *sym);

/* One entry of a SHT_REL section. */
struct elf_rel {
	uint64_t offset;        /* r_offset: byte offset in the target section */
	uint32_t sym;           /* ELF64_R_SYM */
	uint32_t type;          /* ELF64_R_TYPE */
};

/* Number of entries of SHT_REL section relidx (size must be a multiple of
 * sizeof(Elf64_Rel); its sh_link must be the symtab and sh_info a section
 * in range), or -errno. */
int elf_rel_count(const struct elf *e, unsigned relidx);

/* Entry i of SHT_REL section relidx: checks the symbol index is < nsyms and
 * that offset+8 lies inside the target section (sh_info). */
int elf_rel(const struct elf *e, unsigned relidx, size_t i,
	    struct elf_rel *out);

#endif
