/* The running kernel's BTF: the types CO-RE records are resolved against.
 * From /sys/kernel/btf/vmlinux, or from a file given with --btf (raw BTF,
 * or an ELF vmlinux whose .BTF section is used) for kernels that ship
 * none. */
#ifndef RAWTRACE_KBTF_H
#define RAWTRACE_KBTF_H

#include "elf/btf.h"

#define KERNEL_BTF_PATH "/sys/kernel/btf/vmlinux"

struct kbtf {
	int fd;                 /* open while btf is used: read on demand */
	uint64_t base;          /* where the BTF starts in the file */
	struct btf btf;
	double parse_ms;        /* how long the checking pass took */
};

/* path NULL means KERNEL_BTF_PATH. -ENOENT when the file is missing.
 * want[0..nwant) are the names that will be looked up (see
 * obj_kernel_btf_names): found in the same pass that checks the file. */
int kbtf_open(struct kbtf *k, const char *path, const char *const *want,
	      size_t nwant);
/* kbtf_open with the names o will look up. */
struct obj;
int kbtf_open_for(struct kbtf *k, const char *path, const struct obj *o);

void kbtf_close(struct kbtf *k);

/* 1 if the running kernel has its own BTF (KERNEL_BTF_PATH readable):
 * what helpers returning BTF pointers need, whatever --btf gives CO-RE. */
int kbtf_kernel_has_own(void);

#endif
