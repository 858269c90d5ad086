/* What elf/btf.c (a blob in memory) and elf/btf_lazy.c (a blob read on
 * demand) share: the record layout and the checks. Not for
 * callers outside elf/. */
#ifndef RAWTRACE_BTF_IMPL_H
#define RAWTRACE_BTF_IMPL_H

#include "elf/btf.h"

/* Bytes that follow struct btf_type for kind with vlen entries; -1 for a
 * kind we do not know. */
long btf_tail_size(unsigned kind, unsigned vlen);

/* Header fields against the blob's size; -EINVAL with a message. */
int btf_check_layout(const struct btf_header *h, uint64_t size);
int btf_bad_strings(void);

/* Every type id the record (id, t with its tail) refers to below
 * btf->nr_types and every name offset below btf->strs_len. */
int btf_check_record(const struct btf *btf, uint32_t id,
		     const struct btf_type *t);

/* The on-demand side of btf_type, btf_str, btf_find and btf_free. */
const struct btf_type *btf_lazy_type(const struct btf *btf, uint32_t id);
const char *btf_lazy_str(const struct btf *btf, uint32_t off);
size_t btf_lazy_find(const struct btf *btf, const char *name, size_t len,
		     int kind, uint32_t *ids, size_t max);
void btf_lazy_free(struct btf *btf);

#endif
