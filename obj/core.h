/* CO-RE: compile once, run everywhere.
 *
 * clang records, for each instruction that touches a kernel struct field
 * through __builtin_preserve_access_index, a bpf_core_relo in .BTF.ext:
 * the local (object) type, an access string such as "0:1:0:5" (array
 * index on the root, then member indices), and what the instruction
 * needs (the field's byte offset, size, whether it exists, its signedness,
 * the shifts to extract a bitfield, a type's size or existence, an enum
 * value). Resolving it means finding the same field by name in the running
 * kernel's BTF and patching the instruction with the kernel's number.
 *
 * Pure: works on two parsed BTFs and an instruction array. */
#ifndef RAWTRACE_CORE_H
#define RAWTRACE_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "elf/btf.h"

/* libbpf's and the kernel verifier's poison value: an instruction whose
 * record could not be resolved becomes "call 0xbad2310". If the verifier
 * finds it reachable it rejects the program ("invalid func
 * unknown#195896080"), and the loader then names the record. */
#define CORE_POISON 0xbad2310

struct core_result {
	uint64_t local;      /* value computed against the local BTF */
	uint64_t target;     /* value computed against the kernel BTF */
	int poisoned;        /* 1 if the insn was poisoned */
	char path[160];      /* "struct sock.__sk_common.skc_bound_dev_if" */
	char why[96];        /* when poisoned: "no such field in kernel BTF" */
};

/* Resolves rec against target and patches insns[idx] (and insns[idx+1]
 * for ld_imm64). Returns 0 when patched (res->poisoned says whether with
 * the real value or the poison), or -errno when the record itself is
 * malformed (bad access string, type id out of range, instruction that
 * cannot carry the value, local value not matching the instruction):
 * those are object bugs and fail the load at once.
 *
 * Kinds: FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED,
 * FIELD_LSHIFT_U64, FIELD_RSHIFT_U64, TYPE_ID_LOCAL, TYPE_ID_TARGET,
 * TYPE_EXISTS, TYPE_SIZE, ENUMVAL_EXISTS, ENUMVAL_VALUE, TYPE_MATCHES.
 * FIELD_EXISTS, TYPE_EXISTS, TYPE_MATCHES and ENUMVAL_EXISTS give 0 rather
 * than poison when the kernel lacks the thing. Candidates are matched by
 * name with libbpf's rule: a local name's "___suffix" (a flavor) is
 * ignored. TYPE_MATCHES is libbpf's stricter test: the local type's
 * members, enumerators, int sizes and signs, array lengths and parameters
 * must all be found, by name, in the kernel's. */
int core_relocate(struct bpf_insn *insns, size_t count, size_t idx,
		  const struct btf *local, const struct btf *target,
		  const struct bpf_core_relo *rec, struct core_result *res);

/* What a record reads: a field (byte_off ... rshift_u64), a type
 * (type ids, exists, size) or an enum value. */
enum { CORE_FIELD, CORE_TYPE, CORE_ENUM };

/* One kernel type a record matched, as core_relocate matches it. raw
 * is the path in the kernel's BTF from root_id: for a field, the index
 * applied to the root and then each member index (anonymous members
 * included) or array index down to the field; for an enum value, the
 * enumerator's index; for a type record, nothing (raw_len 0). */
struct core_match {
	unsigned kind;          /* enum bpf_core_relo_kind */
	int group;              /* CORE_FIELD, CORE_TYPE or CORE_ENUM */
	uint32_t root_id;       /* in the target BTF */
	const uint32_t *raw;
	int raw_len;
	const struct btf *local;        /* the record's type: TYPE_MATCHES */
	uint32_t local_id;              /* looks at what it holds */
};

typedef int (*core_match_fn)(void *ctx, const struct core_match *m);

/* Calls fn for each candidate in target that rec matches (none for
 * TYPE_ID_LOCAL, which needs no kernel type): what rawtrace btfgen keeps
 * so that the record resolves the same against its output. Returns 0,
 * fn's error, or -errno for a malformed record (as core_relocate). */
int core_for_each_match(const struct btf *local, const struct btf *target,
			const struct bpf_core_relo *rec, core_match_fn fn,
			void *ctx);

/* Length of name without its "___flavor" suffix: "sock___old" -> 4. */
size_t core_essential_len(const char *name);

/* TYPE_MATCHES' rule for a type's, member's or enumerator's name: an
 * anonymous target matches only an anonymous local, others by essential
 * name. */
int core_names_match(const char *local, const char *target);

/* libbpf's compatibility of two types (bpf_core_types_are_compat): kinds
 * agree below modifiers and typedefs, pointers and arrays are followed,
 * prototypes compared parameter by parameter; names are not compared.
 * What a kfunc's prototype must be to the kernel's. */
int core_types_compat(const struct btf *local, uint32_t lid,
		      const struct btf *target, uint32_t tid);

/* Short name of a relocation kind ("byte_off", "exists", ...). */
const char *core_kind_name(unsigned kind);

#endif
