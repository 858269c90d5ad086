/* An object's BTF made acceptable to an older kernel: each kind or
 * linkage the kernel does not know is rewritten, in place, as one it
 * does, so that BPF_BTF_LOAD takes the blob and the programs keep their
 * func and line info. Type ids never move (func_info and line_info name
 * them); at most one type is added, after the last.
 *
 * Pure: which features the kernel lacks is the caller's to find out
 * (loader/btf_features.c probes them). */
#ifndef RAWTRACE_BTF_SANITIZE_H
#define RAWTRACE_BTF_SANITIZE_H

#include <stddef.h>
#include "elf/btf.h"

/* What a kernel's BTF checker may not know, with the release that
 * brought it. FUNC itself (5.0) is not among them: a kernel without it
 * takes no func_info, the one thing rawtrace loads the BTF for, so its
 * BTF is not loaded at all (loader/prog.c's fallback). */
enum {
	BTF_FEAT_FUNC_GLOBAL  = 1 << 0,  /* FUNC of global linkage (5.6) */
	BTF_FEAT_DATASEC      = 1 << 1,  /* VAR, DATASEC (5.2) */
	BTF_FEAT_QMARK_DATASEC = 1 << 2, /* a DATASEC named "?...": recent */
	BTF_FEAT_FLOAT        = 1 << 3,  /* FLOAT (5.13) */
	BTF_FEAT_DECL_TAG     = 1 << 4,  /* DECL_TAG (5.16) */
	BTF_FEAT_TYPE_TAG     = 1 << 5,  /* TYPE_TAG (5.17) */
	BTF_FEAT_ENUM64       = 1 << 6,  /* ENUM64, signed ENUM (6.0) */
	BTF_FEAT_COUNT        = 7
};

/* The lower-case name of one feature bit ("float", "enum64"), "?" for
 * anything else. */
const char *btf_feature_name(unsigned feat);

/* The features btf's types use: the ones worth asking a kernel about. */
unsigned btf_features_used(const struct btf *btf);

/* A copy of btf's blob with the features in missing rewritten away:
 *   global FUNC -> static FUNC;
 *   VAR -> 1-byte INT, DATASEC -> STRUCT of its variables, '.' and '?'
 *     in its name -> '_' (no DATASEC);
 *   a leading '?' in a DATASEC's name -> '_';
 *   FLOAT -> anonymous STRUCT of its size, no members;
 *   DECL_TAG -> anonymous 1-byte INT;
 *   TYPE_TAG -> CONST of the same type;
 *   ENUM64 -> UNION of its size whose members (the values' names, all at
 *     offset 0) are of a 1-byte INT added after the last type; a signed
 *     ENUM loses its kflag (no ENUM64).
 * Sets *out (malloc'd, the caller frees) and *out_size; -ENOMEM or
 * -EINVAL (a blob btf_parse did not read, btf->data NULL) with the
 * error set. */
int btf_sanitize(const struct btf *btf, unsigned missing, void **out,
		 size_t *out_size);

#endif
