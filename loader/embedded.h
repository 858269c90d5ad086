/* The BPF objects built from progs/NAME.bpf.c, carried inside the binary
 * (see tests/embed.sh), so the one static file is all a host needs. Each
 * is stored without its DWARF (llvm-strip -g: BTF, .BTF.ext, symbols and
 * relocations stay) and gzip-compressed; embedded_inflate gives back the
 * ELF bytes, build/embed/NAME.bpf.o exactly. */
#ifndef RAWTRACE_EMBEDDED_H
#define RAWTRACE_EMBEDDED_H

#include <stddef.h>

struct embedded_obj {
	const char *name;               /* "bind" for progs/bind.bpf.c */
	const unsigned char *start;     /* a gzip member */
	const unsigned char *end;
};

/* Ended by an entry whose name is NULL. */
extern const struct embedded_obj embedded_objs[];

/* The object called name, or NULL. */
const struct embedded_obj *embedded_find(const char *name);

/* e's ELF bytes in *data (malloc'd, 16-byte aligned; the caller frees it
 * once nothing opened from it is left), their length in *size. 0, or
 * -errno with error_msg() set. */
int embedded_inflate(const struct embedded_obj *e, void **data,
		     size_t *size);

#endif
