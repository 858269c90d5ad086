/* The kernel's values for an object's externs (loader/externs.c): the
 * provider obj_resolve_externs asks. */
#ifndef RAWTRACE_EXTERNS_H
#define RAWTRACE_EXTERNS_H

#include <stdint.h>
#include "elf/btf.h"
#include "obj/object.h"

struct extern_ctx {
	const struct btf *kbtf;         /* the running kernel's, for ksyms;
					   NULL: none */
	char *config;                   /* /boot/config-R, read once */
	int config_err;                 /* why it could not be read */
	char number[16], *value;        /* the text handed back */
};

/* LINUX_VERSION_CODE of the running kernel as libbpf computes it:
 * Ubuntu's /proc/version_signature, Debian's version in uname, else
 * uname's release. 0 if none reads. */
uint32_t kernel_version(void);

/* obj_extern_fn over a struct extern_ctx. */
int extern_ask(void *ctx, const struct obj_extern *e, struct extern_value *v);

/* Resolves every extern of o against this kernel (kbtf: its BTF, for
 * typed ksyms and kfuncs). A missing strong extern: -ENOENT naming it. */
int externs_resolve(struct obj *o, const struct btf *kbtf);

#endif
