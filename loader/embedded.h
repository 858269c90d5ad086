/* The BPF objects built from progs/NAME.bpf.c, carried inside the binary
 * (see tests/embed.sh), so the one static file is all a host needs. */
#ifndef RAWTRACE_EMBEDDED_H
#define RAWTRACE_EMBEDDED_H

#include <stddef.h>

struct embedded_obj {
	const char *name;               /* "bind" for progs/bind.bpf.c */
	const unsigned char *start;     /* 8-byte aligned */
	const unsigned char *end;
};

/* Ended by an entry whose name is NULL. */
extern const struct embedded_obj embedded_objs[];

/* The object called name, or NULL. */
const struct embedded_obj *embedded_find(const char *name);

#endif
