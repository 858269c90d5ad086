/* Where a uprobe or a USDT probe goes in an executable or shared library:
 * file offsets, as the kernel's uprobes want them. Pure: reads an ELF
 * already in memory (elf_open). */
#ifndef RAWTRACE_SYMOFF_H
#define RAWTRACE_SYMOFF_H

#include <stddef.h>
#include <stdint.h>
#include "elf/elf.h"

/* The file offset of function name (STT_FUNC or STT_GNU_IFUNC, defined),
 * from .symtab or .dynsym; "name@VERSION" entries match name. As
 * libbpf's elf_find_func_offset: symbol value - its section's address +
 * the section's file offset, which holds for executables, PIE and shared
 * libraries alike. -ENOENT if there is none. */
int elf_func_offset(const struct elf *e, const char *name, uint64_t *off);

/* The file offset of virtual address addr, by the section holding it. */
int elf_addr_offset(const struct elf *e, uint64_t addr, uint64_t *off);

/* One SystemTap SDT note (.note.stapsdt, owner "stapsdt", type 3). The
 * strings point into the ELF buffer. */
struct usdt_note {
	uint64_t pc;            /* the probe's address, .stapsdt.base
				   adjusted (prelink) */
	uint64_t semaphore;     /* its semaphore's address, or 0 */
	const char *provider, *name, *args;
};

/* Calls fn for each note of provider:name (NULL: any); stops at the
 * first fn that returns nonzero and returns that; 0 after the last, or
 * -errno for a malformed note section. */
int elf_usdt_notes(const struct elf *e, const char *provider,
		   const char *name,
		   int (*fn)(void *ctx, const struct usdt_note *n), void *ctx);

#endif
