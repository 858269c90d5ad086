/* The kernel's values for an object's externs (loader/externs.c): the
 * provider obj_resolve_externs asks. */
#ifndef RAWTRACE_EXTERNS_H
#define RAWTRACE_EXTERNS_H

#include <stdint.h>
#include "elf/btf.h"
#include "obj/object.h"

#define MODULE_NAME_MAX 64

/* A kernel module's BTF, read when an extern is not in vmlinux's. */
struct module_btf {
	int fd;
	char name[MODULE_NAME_MAX];
	void *data;                     /* the split BTF, over vmlinux's */
	struct btf btf;                 /* data, parsed */
	int slot;                       /* in the fd_array; 0: unused */
};

/* The module BTFs an object's externs were found in, open until the
 * object is unloaded: fds[i], i >= 1, is the module a kfunc call with
 * insn->off i names (fds is the fd_array of BPF_PROG_LOAD; fds[0] is
 * vmlinux's place, unused). kfuncs: a kfunc call needs the fd_array. */
struct module_fds {
	int *fds;
	size_t n;
	int kfuncs;
};

struct extern_ctx {
	const struct btf *kbtf;         /* the running kernel's, for ksyms;
					   NULL: none */
	struct module_btf *mods;        /* every module's, read once */
	size_t nr_mods;
	int mods_read, mods_err;
	int *fds;                       /* the fd_array being filled */
	size_t nr_fds;
	int kfunc_in_module;
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
 * typed ksyms and kfuncs; the base of the modules'). A missing strong
 * extern: -ENOENT naming it. The module BTFs used go into *mods. */
int externs_resolve(struct obj *o, const struct btf *kbtf,
		    struct module_fds *mods);
/* Closes them and empties *mods. */
void module_fds_close(struct module_fds *mods);

#endif
