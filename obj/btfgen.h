/* btfgen: a minimal kernel BTF holding only what some objects' CO-RE
 * records read, for kernels that ship no BTF of their own (`rawtrace
 * btfgen`, then `rawtrace --btf FILE TOOL`). The same idea as `bpftool
 * gen min_core_btf`.
 *
 * Pure: works on parsed BTF and objects, writes into memory. */
#ifndef RAWTRACE_BTFGEN_H
#define RAWTRACE_BTFGEN_H

#include <stddef.h>
#include <stdint.h>
#include "elf/btf.h"

struct obj;
struct btfgen_items;

struct btfgen {
	const struct btf *target;       /* the full kernel BTF */
	unsigned char *flags;           /* per target id: what is kept */
	struct btfgen_items **items;    /* members / enumerators kept, per
					   struct, union or enum */
	size_t nr_items;
	const char **drop;              /* "TYPE.MEMBER" left out */
	size_t nr_drop;
};

/* target must outlive g (a lazily read BTF works). */
int btfgen_init(struct btfgen *g, const struct btf *target);
void btfgen_free(struct btfgen *g);

/* Keeps what every CO-RE record of o (all its programs) matches in the
 * target: the types on each field's access path with only the members on
 * it, the enums of enum value records with only those values, the types
 * of type records. */
int btfgen_add_obj(struct btfgen *g, const struct obj *o);

/* Leaves member MEMBER of every struct or union named TYPE out of the
 * output, as a kernel built without it (IPv6, say) would have it: for
 * tests of CO-RE guards. A member inside an anonymous struct or union is
 * not TYPE's own and cannot be named. btfgen_write fails with -ENOENT if
 * no member kept is so named. spec ("TYPE.MEMBER") must outlive g. */
int btfgen_drop(struct btfgen *g, const char *spec);

/* The kept types as raw BTF: ids renumbered in their original order, a
 * fresh string table, sizes, offsets, bitfields and encodings as in the
 * target. *out is malloc'd. */
int btfgen_write(const struct btfgen *g, void **out, size_t *size);

/* Relocates o's programs against full and against min and compares the
 * instructions: -EPROTO naming the first that differs. */
int btfgen_check_obj(const struct obj *o, const struct btf *full,
		     const struct btf *min);

#endif
