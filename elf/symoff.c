/* Symbol and note lookups for uprobes and USDT (see elf/symoff.h). */
#include <errno.h>
#include <string.h>
#include "elf/error.h"
#include "elf/symoff.h"

/* Does the symbol name (NUL-terminated inside its table) name func, with
 * or without an "@VERSION" tail? */
static int name_matches(const char *sym, const char *func)
{
	size_t n = strlen(func);

	return strncmp(sym, func, n) == 0 && (sym[n] == 0 || sym[n] == '@');
}

static int is_func(const Elf64_Sym *s)
{
	int type = ELF64_ST_TYPE(s->st_info);

	return (type == STT_FUNC || type == STT_GNU_IFUNC) &&
	       s->st_shndx != SHN_UNDEF && s->st_shndx < SHN_LORESERVE;
}

/* Searches one symbol table (SHT_SYMTAB or SHT_DYNSYM) at index idx. */
static int find_in_table(const struct elf *e, unsigned idx, const char *func,
			 Elf64_Sym *out)
{
	const unsigned char *syms;
	const char *strs;
	size_t size, strsize, i;
	Elf64_Shdr sh;

	if (elf_section(e, idx, &sh) || sh.sh_link == 0 ||
	    elf_section_data(e, idx, (const void **)&syms, &size) ||
	    elf_section_data(e, sh.sh_link, (const void **)&strs, &strsize) ||
	    !syms || !strs || strsize == 0 || strs[strsize - 1] != 0)
		return 0;
	for (i = 1; i < size / sizeof *out; i++) {
		memcpy(out, syms + i * sizeof *out, sizeof *out);
		if (out->st_name < strsize && is_func(out) &&
		    name_matches(strs + out->st_name, func))
			return 1;
	}
	return 0;
}

static int section_offset(const struct elf *e, unsigned idx, uint64_t addr,
			  uint64_t *off)
{
	Elf64_Shdr sh;

	if (elf_section(e, idx, &sh) || sh.sh_type == SHT_NOBITS ||
	    addr < sh.sh_addr || addr - sh.sh_addr >= sh.sh_size)
		return -ENOENT;
	*off = addr - sh.sh_addr + sh.sh_offset;
	return 0;
}

int elf_func_offset(const struct elf *e, const char *func, uint64_t *off)
{
	Elf64_Shdr sh;
	Elf64_Sym s;
	unsigned i;

	/* .symtab first: it has the static functions too. */
	for (i = 1; i < e->shnum; i++)
		if (!elf_section(e, i, &sh) && sh.sh_type == SHT_SYMTAB &&
		    find_in_table(e, i, func, &s))
			goto found;
	for (i = 1; i < e->shnum; i++)
		if (!elf_section(e, i, &sh) && sh.sh_type == SHT_DYNSYM &&
		    find_in_table(e, i, func, &s))
			goto found;
	return error_set(ENOENT, "no function %s in the symbol tables", func);
found:
	if (section_offset(e, s.st_shndx, s.st_value, off))
		return error_set(EINVAL, "function %s: address 0x%llx is not in "
				 "its section %u", func,
				 (unsigned long long)s.st_value, s.st_shndx);
	return 0;
}

int elf_addr_offset(const struct elf *e, uint64_t addr, uint64_t *off)
{
	Elf64_Shdr sh;
	unsigned i;

	for (i = 1; i < e->shnum; i++)
		if (!elf_section(e, i, &sh) && (sh.sh_flags & SHF_ALLOC) &&
		    !section_offset(e, i, addr, off))
			return 0;
	return error_set(ENOENT, "address 0x%llx is in no section",
			 (unsigned long long)addr);
}

/* One note's descriptor: three addresses, then three strings. */
static int parse_sdt(const unsigned char *desc, size_t len,
		     struct usdt_note *n, uint64_t *base)
{
	const char *s = (const char *)desc + 24, *end = (const char *)desc + len;

	if (len < 24 + 3)
		return -EINVAL;
	memcpy(&n->pc, desc, 8);
	memcpy(base, desc + 8, 8);
	memcpy(&n->semaphore, desc + 16, 8);
	n->provider = s;
	s = memchr(s, 0, (size_t)(end - s));
	if (!s || ++s >= end)
		return -EINVAL;
	n->name = s;
	s = memchr(s, 0, (size_t)(end - s));
	if (!s || ++s >= end)
		return -EINVAL;
	n->args = s;
	return memchr(s, 0, (size_t)(end - s)) ? 0 : -EINVAL;
}

/* prelink may move a library after its notes were written: the notes
 * record .stapsdt.base's address at build time, the section its address
 * now; the probes moved by the difference. */
static void adjust_base(const struct elf *e, struct usdt_note *n,
			uint64_t base)
{
	int idx = elf_find_section(e, ".stapsdt.base");
	Elf64_Shdr sh;

	if (idx <= 0 || !base || elf_section(e, (unsigned)idx, &sh))
		return;
	n->pc += sh.sh_addr - base;
	if (n->semaphore)
		n->semaphore += sh.sh_addr - base;
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int elf_usdt_notes(const struct elf *e, const char *provider,
		   const char *name,
		   int (*fn)(void *ctx, const struct usdt_note *n), void *ctx)
{
	int idx = elf_find_section(e, ".note.stapsdt"), ret;
	const unsigned char *p;
	size_t size, at = 0;
	struct usdt_note n;
	Elf64_Nhdr nh;
	uint64_t base;

	if (idx <= 0)
		return error_set(ENOENT, "no .note.stapsdt section: no USDT "
				 "probes");
	if (elf_section_data(e, (unsigned)idx, (const void **)&p, &size) || !p)
		return error_set(EINVAL, ".note.stapsdt: no data");
	while (size - at >= sizeof nh) {
		size_t desc;

		memcpy(&nh, p + at, sizeof nh);
		desc = at + sizeof nh + align4(nh.n_namesz);
		if (nh.n_namesz > size || nh.n_descsz > size || desc > size ||
		    nh.n_descsz > size - desc)
			return error_set(EINVAL, ".note.stapsdt: note at %zu "
					 "runs past the section", at);
		at = desc + align4(nh.n_descsz);
		if (at > size)          /* the last note's padding */
			at = size;
		if (nh.n_type != 3 || nh.n_namesz != 8 ||
		    memcmp(p + desc - 8, "stapsdt", 8))
			continue;
		if (parse_sdt(p + desc, nh.n_descsz, &n, &base))
			return error_set(EINVAL, ".note.stapsdt: malformed "
					 "note at %zu", desc);
		adjust_base(e, &n, base);
		if ((provider && strcmp(provider, n.provider)) ||
		    (name && strcmp(name, n.name)))
			continue;
		ret = fn(ctx, &n);
		if (ret)
			return ret;
	}
	return 0;
}
