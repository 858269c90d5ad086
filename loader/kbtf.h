/* The running kernel's BTF: the types CO-RE records are resolved against.
 * From /sys/kernel/btf/vmlinux, or from a file given with --btf (raw BTF,
 * or an ELF vmlinux whose .BTF section is used) for kernels that ship
 * none. */
#ifndef RAWTRACE_KBTF_H
#define RAWTRACE_KBTF_H

#include "elf/btf.h"

#define KERNEL_BTF_PATH "/sys/kernel/btf/vmlinux"

struct kbtf {
	void *buf;              /* the file's bytes, owned */
	struct btf btf;
	double parse_ms;        /* how long btf_parse took */
};

/* path NULL means KERNEL_BTF_PATH. -ENOENT when the file is missing. */
int kbtf_open(struct kbtf *k, const char *path);
void kbtf_close(struct kbtf *k);

#endif
