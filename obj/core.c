/* CO-RE: resolve one bpf_core_relo against the kernel's BTF and patch the
 * instruction it names.
 *
 * The semantics are libbpf's (relo_core.c), step by step:
 *   1. parse the access string into raw indices and walk the local type
 *      along them, keeping the "spec": the named members and array indices
 *      met on the way (anonymous members only add their offset) and the
 *      bit offset reached;
 *   2. candidates are the kernel types whose name equals the local root's
 *      name without its "___flavor" suffix, of a compatible kind;
 *   3. each candidate is matched step by step by member NAME (anonymous
 *      members of the kernel type are searched through), array bounds and
 *      compatible field types, giving a target spec;
 *   4. the value the instruction needs is computed from the local spec
 *      (to check the instruction really carries it) and from each matching
 *      target spec; all candidates must agree;
 *   5. the instruction is patched, or poisoned when nothing matched. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/error.h"
#include "obj/core.h"

#define SPEC_MAX 64     /* deepest access string libbpf accepts */
#define DEPTH_MAX 32    /* type chains followed when checking compatibility */

/* One meaningful step of an access: a named member (type_id is the struct
 * or union holding it, idx its index) or an array index (name NULL,
 * type_id the element type). acc[0] is the index applied to the root. */
struct access {
	uint32_t type_id;
	uint32_t idx;
	const char *name;
};

struct spec {
	const struct btf *btf;
	uint32_t root_id;
	struct access acc[SPEC_MAX];
	int len;
	int raw_len;            /* steps including anonymous members */
	uint32_t raw[SPEC_MAX]; /* a target spec's steps as indices (member,
				   array or enumerator), anonymous members
				   included: what btfgen keeps */
	uint64_t bit_off;       /* of the accessed field from the root */
};

/* A value computed from one spec. size and type_id describe the field a
 * byte_off load reads, so a load can be resized when the kernel's field is
 * a different (but safely compatible) size. */
struct value {
	uint64_t val;
	uint32_t size;
	uint32_t type_id;
	int validate;           /* the instruction must already hold val */
};

/* What the record is, for messages. */
struct relo_ctx {
	const struct btf *local;
	const struct btf *target;
	const struct bpf_core_relo *rec;
	const char *access;
	size_t idx;
};

static int kind_group(unsigned kind)
{
	if (kind <= BPF_CORE_FIELD_RSHIFT_U64)
		return CORE_FIELD;
	/* TYPE_MATCHES came last, after the enum kinds */
	if (kind <= BPF_CORE_TYPE_SIZE || kind == BPF_CORE_TYPE_MATCHES)
		return CORE_TYPE;
	return CORE_ENUM;
}

const char *core_kind_name(unsigned kind)
{
	static const char *const names[] = {
		[BPF_CORE_FIELD_BYTE_OFFSET] = "byte_off",
		[BPF_CORE_FIELD_BYTE_SIZE] = "byte_sz",
		[BPF_CORE_FIELD_EXISTS] = "field_exists",
		[BPF_CORE_FIELD_SIGNED] = "signed",
		[BPF_CORE_FIELD_LSHIFT_U64] = "lshift_u64",
		[BPF_CORE_FIELD_RSHIFT_U64] = "rshift_u64",
		[BPF_CORE_TYPE_ID_LOCAL] = "local_type_id",
		[BPF_CORE_TYPE_ID_TARGET] = "target_type_id",
		[BPF_CORE_TYPE_EXISTS] = "type_exists",
		[BPF_CORE_TYPE_SIZE] = "type_size",
		[BPF_CORE_ENUMVAL_EXISTS] = "enumval_exists",
		[BPF_CORE_ENUMVAL_VALUE] = "enumval_value",
		[BPF_CORE_TYPE_MATCHES] = "type_matches",
	};

	if (kind < sizeof names / sizeof names[0])
		return names[kind];
	return "unknown";
}

/* A malformed record: an object bug, reported with what the record is. */
__attribute__((format(printf, 2, 3)))
static int bad(const struct relo_ctx *c, const char *fmt, ...)
{
	char why[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return error_set(EINVAL, "insn %zu: CO-RE %s of type [%u] %s \"%s\": %s",
			 c->idx, core_kind_name(c->rec->kind), c->rec->type_id,
			 btf_type_name(c->local, c->rec->type_id), c->access,
			 why);
}

/* --- small BTF helpers --- */

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t *id)
{
	*id = btf_skip_mods(btf, *id);
	return btf_type(btf, *id);
}

static int is_composite(const struct btf_type *t)
{
	return t && (btf_kind(t) == BTF_KIND_STRUCT ||
		     btf_kind(t) == BTF_KIND_UNION);
}

static int is_any_enum(const struct btf_type *t)
{
	return t && (btf_kind(t) == BTF_KIND_ENUM ||
		     btf_kind(t) == BTF_KIND_ENUM64);
}

/* Same kind, except that enum and enum64 stand for each other. */
static int kinds_compat(const struct btf_type *a, const struct btf_type *b)
{
	return btf_kind(a) == btf_kind(b) || (is_any_enum(a) && is_any_enum(b));
}

static const struct btf_member *member(const struct btf_type *t, uint32_t i)
{
	return (const struct btf_member *)btf_tail(t) + i;
}

static uint32_t member_bit_off(const struct btf_type *t, uint32_t i)
{
	uint32_t off = member(t, i)->offset;

	return btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(off) : off;
}

static uint32_t member_bit_size(const struct btf_type *t, uint32_t i)
{
	return btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(member(t, i)->offset) : 0;
}

static uint32_t int_encoding(const struct btf_type *t)
{
	return *(const uint32_t *)btf_tail(t);
}

/* Name of enumerator i of an enum or enum64. */
static const char *enum_name(const struct btf *btf, const struct btf_type *t,
			     uint32_t i)
{
	if (btf_kind(t) == BTF_KIND_ENUM)
		return btf_str(btf, ((const struct btf_enum *)btf_tail(t))[i].name_off);
	return btf_str(btf, ((const struct btf_enum64 *)btf_tail(t))[i].name_off);
}

/* Value of enumerator i. A 32-bit value is sign-extended as libbpf does,
 * so the result matches what clang put in the instruction. */
static uint64_t enum_value(const struct btf_type *t, uint32_t i)
{
	const struct btf_enum64 *e;

	if (btf_kind(t) == BTF_KIND_ENUM)
		return (uint64_t)(int64_t)((const struct btf_enum *)btf_tail(t))[i].val;
	e = (const struct btf_enum64 *)btf_tail(t) + i;
	return (uint64_t)e->val_hi32 << 32 | e->val_lo32;
}

/* Length of name without a "___flavor" suffix: "sock___old" -> 4. The
 * separator is the last "___" with a non-underscore on both sides. */
size_t core_essential_len(const char *name)
{
	size_t n = strlen(name), i;

	for (i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;) {
		if (name[i] != '_' && strncmp(name + i + 1, "___", 3) == 0 &&
		    name[i + 4] != '_')
			return i + 1;
	}
	return n;
}

static int names_match_essential(const char *a, const char *b)
{
	size_t la = core_essential_len(a), lb = core_essential_len(b);

	return la == lb && strncmp(a, b, la) == 0;
}

/* A zero-length array that is the last member of its struct: indices past
 * its declared size are allowed. prev is the accessor holding the array. */
static int is_flex_array(const struct btf *btf, const struct access *prev,
			 const struct btf_array *a)
{
	const struct btf_type *t;

	if (!prev->name || a->nelems > 0)
		return 0;
	t = btf_type(btf, prev->type_id);
	return t && prev->idx == btf_vlen(t) - 1;
}

/* --- step 1: the access string and the local spec --- */

/* "0:1:0:5" -> {0, 1, 0, 5}. Strictly decimal numbers separated by single
 * colons: anything else is a malformed record. */
static int parse_access(const char *s, uint32_t *raw, int *n)
{
	*n = 0;
	for (;;) {
		uint64_t v = 0;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s++ - '0');
			if (v > INT_MAX)
				return -EINVAL;
		}
		if (*n == SPEC_MAX)
			return -E2BIG;
		raw[(*n)++] = (uint32_t)v;
		if (*s == '\0')
			return 0;
		if (*s++ != ':')
			return -EINVAL;
	}
}

static int parse_field_steps(const struct relo_ctx *c, const uint32_t *raw,
			     int raw_len, uint32_t id, struct spec *sp)
{
	const struct btf *btf = c->local;
	int64_t sz;
	int i;

	for (i = 1; i < raw_len; i++) {
		const struct btf_type *t = skip_mods(btf, &id);
		struct access *acc = &sp->acc[sp->len];

		if (is_composite(t)) {
			const struct btf_member *m;

			if (raw[i] >= btf_vlen(t))
				return bad(c, "step %d: member %u of a %u-member type",
					   i, raw[i], btf_vlen(t));
			m = member(t, raw[i]);
			sp->bit_off += member_bit_off(t, raw[i]);
			if (m->name_off) {
				acc->type_id = id;
				acc->idx = raw[i];
				acc->name = btf_str(btf, m->name_off);
				sp->len++;
			}
			id = m->type;
		} else if (t && btf_kind(t) == BTF_KIND_ARRAY) {
			const struct btf_array *a = btf_tail(t);
			uint32_t elem = a->type;

			skip_mods(btf, &elem);
			if (!is_flex_array(btf, acc - 1, a) && raw[i] >= a->nelems)
				return bad(c, "step %d: index %u of a %u-element array",
					   i, raw[i], a->nelems);
			sz = btf_resolve_size(btf, elem);
			if (sz < 0)
				return bad(c, "step %d: array element has no size", i);
			acc->type_id = elem;
			acc->idx = raw[i];
			acc->name = NULL;
			sp->len++;
			sp->bit_off += (uint64_t)raw[i] * (uint64_t)sz * 8;
			id = elem;
		} else {
			return bad(c, "step %d: type [%u] is not a struct, union or array",
				   i, id);
		}
	}
	return 0;
}

static int parse_spec(const struct relo_ctx *c, const uint32_t *raw,
		      int raw_len, struct spec *sp)
{
	const struct btf *btf = c->local;
	uint32_t id = c->rec->type_id;
	const struct btf_type *t;
	int64_t sz;

	memset(sp, 0, sizeof *sp);
	sp->btf = btf;
	sp->root_id = id;
	sp->raw_len = raw_len;
	if (kind_group(c->rec->kind) == CORE_TYPE) {
		/* type records carry no access: the string is always "0" */
		if (raw_len != 1 || raw[0] != 0)
			return bad(c, "a type record's access must be \"0\"");
		return 0;
	}

	t = skip_mods(btf, &id);
	if (!t)
		return bad(c, "root type is void");
	sp->acc[0].type_id = id;
	sp->acc[0].idx = raw[0];
	sp->len = 1;

	if (kind_group(c->rec->kind) == CORE_ENUM) {
		if (!is_any_enum(t) || raw_len != 1 || raw[0] >= btf_vlen(t))
			return bad(c, "not an enumerator of an enum");
		sp->acc[0].name = enum_name(btf, t, raw[0]);
		return 0;
	}

	sz = btf_resolve_size(btf, id);
	if (sz < 0)
		return bad(c, "root type has no size");
	sp->bit_off = (uint64_t)raw[0] * (uint64_t)sz * 8;
	return parse_field_steps(c, raw, raw_len, id, sp);
}

/* --- step 3: matching a candidate --- */

/* libbpf's rules for a field found by name: any two structs/unions, any
 * two pointers, ints without the old bit-offset encoding, enums and fwds
 * of the same essential name (or one anonymous), arrays of such. */
static int fields_compat(const struct btf *lb, uint32_t lid,
			 const struct btf *tb, uint32_t tid)
{
	int depth;

	for (depth = 0; depth < DEPTH_MAX; depth++) {
		const struct btf_type *lt = skip_mods(lb, &lid);
		const struct btf_type *tt = skip_mods(tb, &tid);
		const char *ln, *tn;

		if (!lt || !tt)
			return 0;
		if (is_composite(lt) && is_composite(tt))
			return 1;
		if (!kinds_compat(lt, tt))
			return 0;
		switch (btf_kind(lt)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			ln = btf_str(lb, lt->name_off);
			tn = btf_str(tb, tt->name_off);
			return !*ln || !*tn || names_match_essential(ln, tn);
		case BTF_KIND_INT:
			return BTF_INT_OFFSET(int_encoding(lt)) == 0 &&
			       BTF_INT_OFFSET(int_encoding(tt)) == 0;
		case BTF_KIND_ARRAY:
			lid = ((const struct btf_array *)btf_tail(lt))->type;
			tid = ((const struct btf_array *)btf_tail(tt))->type;
			continue;
		default:
			return 0;
		}
	}
	return 0;
}

/* libbpf's type compatibility for type records: the roots' names already
 * match; below them kinds must agree, pointers and arrays are followed,
 * function prototypes compared parameter by parameter. */
static int types_compat(const struct btf *lb, uint32_t lid,
			const struct btf *tb, uint32_t tid, int level)
{
	const struct btf_type *lt = btf_type(lb, lid), *tt = btf_type(tb, tid);
	int depth;

	if (!lt || !tt || !kinds_compat(lt, tt))
		return 0;
	for (depth = 0; depth < DEPTH_MAX; depth++) {
		const struct btf_param *lp, *tp;
		unsigned i;

		lt = skip_mods(lb, &lid);
		tt = skip_mods(tb, &tid);
		if (!lt || !tt)
			return lt == tt;        /* void matches only void */
		if (!kinds_compat(lt, tt))
			return 0;
		switch (btf_kind(lt)) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_INT:
			return BTF_INT_OFFSET(int_encoding(lt)) == 0 &&
			       BTF_INT_OFFSET(int_encoding(tt)) == 0;
		case BTF_KIND_PTR:
			lid = lt->type;
			tid = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			lid = ((const struct btf_array *)btf_tail(lt))->type;
			tid = ((const struct btf_array *)btf_tail(tt))->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			if (btf_vlen(lt) != btf_vlen(tt) || level <= 0)
				return 0;
			lp = btf_tail(lt);
			tp = btf_tail(tt);
			for (i = 0; i < btf_vlen(lt); i++)
				if (!types_compat(lb, btf_skip_mods(lb, lp[i].type),
						  tb, btf_skip_mods(tb, tp[i].type),
						  level - 1))
					return 0;
			lid = lt->type;
			tid = tt->type;
			continue;
		default:
			return 0;
		}
	}
	return 0;
}

/* --- type matches: a stricter test than types_compat --- */

int core_names_match(const char *local, const char *target)
{
	if (!*target)
		return !*local;
	return names_match_essential(local, target);
}

static int types_match(const struct btf *lb, uint32_t lid,
		       const struct btf *tb, uint32_t tid, int behind_ptr,
		       int level);

/* Same size (enum and enum64 may stand for each other), and every local
 * enumerator name in the kernel's enum; the values do not matter. */
static int enums_match(const struct btf *lb, const struct btf_type *lt,
		       const struct btf *tb, const struct btf_type *tt)
{
	uint32_t i, j;

	if (lt->size != tt->size || btf_vlen(lt) > btf_vlen(tt))
		return 0;
	for (i = 0; i < btf_vlen(lt); i++) {
		const char *name = enum_name(lb, lt, i);

		for (j = 0; j < btf_vlen(tt); j++)
			if (core_names_match(name, enum_name(tb, tt, j)))
				break;
		if (j == btf_vlen(tt))
			return 0;
	}
	return 1;
}

/* Every local member has a kernel member of the same name whose type
 * matches; the kernel may have more members, in any order. */
static int members_match(const struct btf *lb, const struct btf_type *lt,
			 const struct btf *tb, const struct btf_type *tt,
			 int level)
{
	uint32_t i, j;
	int r;

	if (btf_vlen(lt) > btf_vlen(tt))
		return 0;
	for (i = 0; i < btf_vlen(lt); i++) {
		const struct btf_member *lm = member(lt, i);
		const char *name = btf_str(lb, lm->name_off);

		for (j = 0, r = 0; r == 0 && j < btf_vlen(tt); j++) {
			const struct btf_member *tm = member(tt, j);

			if (core_names_match(name, btf_str(tb, tm->name_off)))
				r = types_match(lb, lm->type, tb, tm->type, 0,
						level - 1);
		}
		if (r <= 0)
			return r;
	}
	return 1;
}

/* A FWD's kflag says union (1) or struct (0). */
static int fwd_is_for(const struct btf_type *fwd, unsigned kind)
{
	return !!btf_kflag(fwd) == (kind == BTF_KIND_UNION);
}

/* libbpf's "type matches": modifiers and typedefs skipped, at every level
 * the names match (flavors ignored), the kinds are the same (enum and
 * enum64 alike), ints have the same size and sign, arrays the same length,
 * function prototypes the same number of parameters, and structs and
 * unions hold every local member by name with a matching type. Behind a
 * pointer a struct or union is not looked into, and matches a FWD of its
 * kind. 1 match, 0 not, -ELOOP too deep. */
static int types_match(const struct btf *lb, uint32_t lid,
		       const struct btf *tb, uint32_t tid, int behind_ptr,
		       int level)
{
	const struct btf_param *lp, *tp;
	const struct btf_type *lt, *tt;
	unsigned lk, tk, i;
	int depth, r;

	if (level <= 0)
		return -ELOOP;
	for (depth = 0; depth < DEPTH_MAX; depth++) {
		lt = skip_mods(lb, &lid);
		tt = skip_mods(tb, &tid);
		/* void (id 0) is nameless and of kind UNKN */
		if (!core_names_match(lt ? btf_str(lb, lt->name_off) : "",
					tt ? btf_str(tb, tt->name_off) : ""))
			return 0;
		lk = lt ? btf_kind(lt) : BTF_KIND_UNKN;
		tk = tt ? btf_kind(tt) : BTF_KIND_UNKN;
		switch (lk) {
		case BTF_KIND_UNKN:
			return tk == BTF_KIND_UNKN;
		case BTF_KIND_FWD:
			if (tk == BTF_KIND_FWD)
				return !!btf_kflag(lt) == !!btf_kflag(tt);
			return behind_ptr && (tk == BTF_KIND_STRUCT ||
					      tk == BTF_KIND_UNION) &&
			       fwd_is_for(lt, tk);
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return is_any_enum(tt) && enums_match(lb, lt, tb, tt);
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (lk == tk)
				return behind_ptr ? 1 :
				       members_match(lb, lt, tb, tt, level);
			return behind_ptr && tk == BTF_KIND_FWD &&
			       fwd_is_for(tt, lk);
		case BTF_KIND_INT:
			return tk == BTF_KIND_INT && lt->size == tt->size &&
			       (BTF_INT_ENCODING(int_encoding(lt)) & BTF_INT_SIGNED) ==
			       (BTF_INT_ENCODING(int_encoding(tt)) & BTF_INT_SIGNED);
		case BTF_KIND_PTR:
			if (tk != BTF_KIND_PTR)
				return 0;
			behind_ptr = 1;
			lid = lt->type;
			tid = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			if (tk != BTF_KIND_ARRAY ||
			    ((const struct btf_array *)btf_tail(lt))->nelems !=
			    ((const struct btf_array *)btf_tail(tt))->nelems)
				return 0;
			lid = ((const struct btf_array *)btf_tail(lt))->type;
			tid = ((const struct btf_array *)btf_tail(tt))->type;
			continue;
		case BTF_KIND_FUNC_PROTO:
			if (tk != BTF_KIND_FUNC_PROTO || btf_vlen(lt) != btf_vlen(tt))
				return 0;
			lp = btf_tail(lt);
			tp = btf_tail(tt);
			for (i = 0; i < btf_vlen(lt); i++) {
				r = types_match(lb, lp[i].type, tb, tp[i].type,
						behind_ptr, level - 1);
				if (r <= 0)
					return r;
			}
			/* then the return types */
			lid = lt->type;
			tid = tt->type;
			continue;
		default:
			/* floats, funcs, vars...: libbpf matches none */
			return 0;
		}
	}
	return -ELOOP;
}

int core_types_compat(const struct btf *local, uint32_t lid,
		      const struct btf *target, uint32_t tid)
{
	return types_compat(local, lid, target, tid, DEPTH_MAX);
}

/* Finds the member named like local accessor la in target type tid,
 * looking inside anonymous struct/union members as C does. On success
 * appends the accessor to ts, adds the offsets and sets *next to the
 * member's type. 1 found, 0 not found, -E2BIG too deep. */
static int match_member(const struct spec *ls, const struct access *la,
			const struct btf *tb, uint32_t tid, struct spec *ts,
			uint32_t *next)
{
	const struct btf_type *lt = btf_type(ls->btf, la->type_id);
	const struct btf_type *tt = skip_mods(tb, &tid);
	const struct btf_member *lm = member(lt, la->idx);
	uint32_t i;

	if (!is_composite(tt))
		return 0;
	for (i = 0; i < btf_vlen(tt); i++) {
		const struct btf_member *m = member(tt, i);
		const char *name = btf_str(tb, m->name_off);
		uint32_t off = member_bit_off(tt, i);
		int found;

		if (ts->raw_len == SPEC_MAX)
			return -E2BIG;
		/* assume this member is on the way; undone below if not */
		ts->bit_off += off;
		ts->raw[ts->raw_len++] = i;
		if (!*name) {
			found = match_member(ls, la, tb, m->type, ts, next);
			if (found)
				return found;
		} else if (strcmp(name, la->name) == 0) {
			if (!fields_compat(ls->btf, lm->type, tb, m->type)) {
				ts->bit_off -= off;
				ts->raw_len--;
				return 0;
			}
			ts->acc[ts->len].type_id = tid;
			ts->acc[ts->len].idx = i;
			ts->acc[ts->len].name = name;
			ts->len++;
			*next = m->type;
			return 1;
		}
		ts->bit_off -= off;
		ts->raw_len--;
	}
	return 0;
}

/* An array step: the target must be an array with room for the index. */
static int match_index(const struct access *la, const struct btf *tb,
		       uint32_t *tid, int first, struct spec *ts)
{
	int64_t sz;

	/* the root index applies to the root type itself */
	if (!first) {
		const struct btf_type *t = btf_type(tb, *tid);
		const struct btf_array *a;

		if (!t || btf_kind(t) != BTF_KIND_ARRAY)
			return 0;
		a = btf_tail(t);
		if (!is_flex_array(tb, &ts->acc[ts->len - 1], a) &&
		    la->idx >= a->nelems)
			return 0;
		*tid = a->type;
		skip_mods(tb, tid);
	}
	if (ts->raw_len == SPEC_MAX)
		return -E2BIG;
	sz = btf_resolve_size(tb, *tid);
	if (sz < 0)
		return 0;
	ts->acc[ts->len].type_id = *tid;
	ts->acc[ts->len].idx = la->idx;
	ts->acc[ts->len].name = NULL;
	ts->len++;
	ts->raw[ts->raw_len++] = la->idx;
	ts->bit_off += (uint64_t)la->idx * (uint64_t)sz * 8;
	return 1;
}

static int match_enumerator(const struct spec *ls, const struct btf *tb,
			    uint32_t tid, struct spec *ts)
{
	const struct btf_type *t = skip_mods(tb, &tid);
	uint32_t i;

	if (!is_any_enum(t))
		return 0;
	for (i = 0; i < btf_vlen(t); i++) {
		if (names_match_essential(ls->acc[0].name, enum_name(tb, t, i))) {
			ts->acc[0].type_id = tid;
			ts->acc[0].idx = i;
			ts->acc[0].name = enum_name(tb, t, i);
			ts->len = 1;
			ts->raw[0] = i;
			ts->raw_len = 1;
			return 1;
		}
	}
	return 0;
}

/* Builds the target spec of candidate tid: 1 matched, 0 not, -errno. */
static int spec_match(const struct spec *ls, unsigned kind,
		      const struct btf *tb, uint32_t tid, struct spec *ts)
{
	int i, r;

	memset(ts, 0, sizeof *ts);
	ts->btf = tb;
	ts->root_id = tid;
	if (kind == BPF_CORE_TYPE_MATCHES)
		return types_match(ls->btf, ls->root_id, tb, tid, 0, DEPTH_MAX);
	if (kind_group(kind) == CORE_TYPE)
		return types_compat(ls->btf, ls->root_id, tb, tid, DEPTH_MAX);
	if (kind_group(kind) == CORE_ENUM)
		return match_enumerator(ls, tb, tid, ts);

	for (i = 0; i < ls->len; i++) {
		skip_mods(tb, &tid);
		if (ls->acc[i].name)
			r = match_member(ls, &ls->acc[i], tb, tid, ts, &tid);
		else
			r = match_index(&ls->acc[i], tb, &tid, i == 0, ts);
		if (r <= 0)
			return r;
	}
	return 1;
}

/* --- step 4: values --- */

/* sp NULL means "not found in the kernel": exists kinds give 0, the
 * others ask for poison with -EUCLEAN. Other -errno: the record cannot be
 * computed at all. */
static int field_value(const struct spec *sp, unsigned kind, struct value *v)
{
	const struct access *acc;
	const struct btf_type *t, *mt;
	uint32_t byte_off, byte_sz, bit_sz, ftype;
	uint64_t bit_off;
	int64_t sz;
	int bitfield;

	if (kind == BPF_CORE_FIELD_EXISTS) {
		v->val = sp != NULL;
		return 0;
	}
	if (!sp)
		return -EUCLEAN;

	acc = &sp->acc[sp->len - 1];
	if (!acc->name) {
		/* the access ends on an array element (or the root itself) */
		sz = btf_resolve_size(sp->btf, acc->type_id);
		if (sz < 0)
			return -EINVAL;
		if (kind == BPF_CORE_FIELD_BYTE_OFFSET) {
			v->val = sp->bit_off / 8;
			v->size = (uint32_t)sz;
			v->type_id = acc->type_id;
		} else if (kind == BPF_CORE_FIELD_BYTE_SIZE) {
			v->val = (uint64_t)sz;
		} else {
			return -EINVAL;
		}
		return 0;
	}

	t = btf_type(sp->btf, acc->type_id);
	ftype = member(t, acc->idx)->type;
	mt = skip_mods(sp->btf, &ftype);
	bit_off = sp->bit_off;
	bit_sz = member_bit_size(t, acc->idx);
	bitfield = bit_sz > 0;
	if (!mt)
		return -EINVAL;

	if (bitfield) {
		/* the smallest aligned load, starting at the field's own size,
		 * that holds every bit of the bitfield */
		byte_sz = mt->size;
		if (byte_sz == 0)
			return -EINVAL;
		byte_off = (uint32_t)(bit_off / 8 / byte_sz * byte_sz);
		while (bit_off + bit_sz - byte_off * 8ull > byte_sz * 8ull) {
			if (byte_sz >= 8)
				return -E2BIG;
			byte_sz *= 2;
			byte_off = (uint32_t)(bit_off / 8 / byte_sz * byte_sz);
		}
	} else {
		sz = btf_resolve_size(sp->btf, ftype);
		if (sz < 0)
			return -EINVAL;
		byte_sz = (uint32_t)sz;
		byte_off = (uint32_t)(bit_off / 8);
		bit_sz = byte_sz * 8;
	}

	/* a bitfield's load offset and size are ours to choose and may
	 * differ from clang's; only its sign and width are certain */
	v->validate = !bitfield;
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		v->val = byte_off;
		if (!bitfield) {
			v->size = byte_sz;
			v->type_id = ftype;
		}
		break;
	case BPF_CORE_FIELD_BYTE_SIZE:
		v->val = byte_sz;
		break;
	case BPF_CORE_FIELD_SIGNED:
		v->val = (is_any_enum(mt) && btf_kflag(mt)) ||
			 (btf_kind(mt) == BTF_KIND_INT &&
			  (BTF_INT_ENCODING(int_encoding(mt)) & BTF_INT_SIGNED));
		v->validate = 1;
		break;
	case BPF_CORE_FIELD_LSHIFT_U64:
		/* little-endian: move the field's top bit to bit 63 */
		v->val = 64 - (bit_off + bit_sz - byte_off * 8ull);
		break;
	case BPF_CORE_FIELD_RSHIFT_U64:
		v->val = 64 - bit_sz;
		v->validate = 1;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int type_value(const struct spec *sp, unsigned kind, struct value *v)
{
	int64_t sz;

	/* libbpf: a type missing from the kernel gives 0 for every type kind */
	if (!sp) {
		v->val = 0;
		return 0;
	}
	switch (kind) {
	case BPF_CORE_TYPE_ID_LOCAL:
	case BPF_CORE_TYPE_ID_TARGET:
		/* ids shift when objects are linked: nothing to check */
		v->val = sp->root_id;
		v->validate = 0;
		break;
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_MATCHES:
		v->val = 1;
		break;
	case BPF_CORE_TYPE_SIZE:
		sz = btf_resolve_size(sp->btf, sp->root_id);
		if (sz < 0)
			return -EINVAL;
		v->val = (uint64_t)sz;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int enumval_value(const struct spec *sp, unsigned kind,
			 struct value *v)
{
	if (kind == BPF_CORE_ENUMVAL_EXISTS) {
		v->val = sp != NULL;
		return 0;
	}
	if (!sp)
		return -EUCLEAN;
	v->val = enum_value(btf_type(sp->btf, sp->acc[0].type_id),
			    sp->acc[0].idx);
	return 0;
}

static int calc(const struct spec *sp, unsigned kind, struct value *v)
{
	memset(v, 0, sizeof *v);
	v->validate = 1;
	switch (kind_group(kind)) {
	case CORE_FIELD:
		return field_value(sp, kind, v);
	case CORE_TYPE:
		return type_value(sp, kind, v);
	default:
		return enumval_value(sp, kind, v);
	}
}

/* A load resized to the kernel's field width reads the same value only
 * for unsigned integers and pointers (zero extension). */
static int resize_is_safe(const struct btf *lb, const struct value *lv,
			  const struct btf *tb, const struct value *tv)
{
	const struct btf_type *lt = btf_type(lb, lv->type_id);
	const struct btf_type *tt = btf_type(tb, tv->type_id);

	if (lv->size == tv->size)
		return 1;
	if (!lt || !tt)
		return 0;
	if (btf_kind(lt) == BTF_KIND_PTR && btf_kind(tt) == BTF_KIND_PTR)
		return 1;
	return btf_kind(lt) == BTF_KIND_INT && btf_kind(tt) == BTF_KIND_INT &&
	       BTF_INT_ENCODING(int_encoding(lt)) != BTF_INT_SIGNED &&
	       BTF_INT_ENCODING(int_encoding(tt)) != BTF_INT_SIGNED;
}

/* --- step 2: candidates --- */

/* Kernel types named like the local root (flavor stripped) of a
 * compatible kind. *out is malloc'd (NULL when none). */
static int find_candidates(const struct btf *target, const char *name,
			   const struct btf_type *local_t, uint32_t **out,
			   size_t *n)
{
	int kinds[2] = { (int)btf_kind(local_t), -1 };
	size_t len = core_essential_len(name), total = 0, got, k;
	uint32_t dummy;

	if (is_any_enum(local_t)) {
		kinds[0] = BTF_KIND_ENUM;
		kinds[1] = BTF_KIND_ENUM64;
	}
	for (k = 0; k < 2 && kinds[k] >= 0; k++)
		total += btf_find(target, name, len, kinds[k], &dummy, 0);
	*out = NULL;
	*n = 0;
	if (!total)
		return 0;
	*out = malloc(total * sizeof **out);
	if (!*out)
		return error_set(ENOMEM, "CO-RE: no memory for %zu candidates",
				 total);
	for (k = 0; k < 2 && kinds[k] >= 0; k++) {
		got = btf_find(target, name, len, kinds[k], *out + *n,
			       total - *n);
		*n += got < total - *n ? got : total - *n;
	}
	return 0;
}

/* --- step 5: patching --- */

static void poison_one(struct bpf_insn *insn)
{
	insn->code = BPF_JMP | BPF_CALL;
	insn->dst_reg = 0;
	insn->src_reg = 0;
	insn->off = 0;
	insn->imm = CORE_POISON;
}

static int is_ld_imm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static int mem_size_code(uint32_t bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	case 8: return BPF_DW;
	default: return -1;
	}
}

static int patch_mem(const struct relo_ctx *c, struct bpf_insn *insn,
		     const struct value *lv, const struct value *tv)
{
	int code;

	if (lv->validate && (uint64_t)(int64_t)insn->off != lv->val)
		return bad(c, "insn has off %d, expected %llu", insn->off,
			   (unsigned long long)lv->val);
	if (tv->val > SHRT_MAX)
		return error_set(ERANGE, "insn %zu: CO-RE offset %llu does not fit a load/store",
				 c->idx, (unsigned long long)tv->val);
	insn->off = (int16_t)tv->val;
	if (lv->size == tv->size)
		return 0;
	/* the kernel's field is wider or narrower: resize the access */
	if (mem_size_code(lv->size) != (int)BPF_SIZE(insn->code))
		return bad(c, "insn accesses a different size than the %u-byte field",
			   lv->size);
	code = mem_size_code(tv->size);
	if (code < 0)
		return bad(c, "kernel field size %u cannot be loaded", tv->size);
	insn->code = (uint8_t)(BPF_CLASS(insn->code) | BPF_MODE(insn->code) | code);
	return 0;
}

static int patch(const struct relo_ctx *c, struct bpf_insn *insns,
		 size_t count, const struct value *lv, const struct value *tv)
{
	struct bpf_insn *insn = &insns[c->idx];
	uint64_t imm;

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (BPF_SRC(insn->code) != BPF_K)
			return bad(c, "ALU insn has no immediate");
		if (lv->validate && (uint64_t)(int64_t)insn->imm != lv->val)
			return bad(c, "insn has imm %d, expected %llu", insn->imm,
				   (unsigned long long)lv->val);
		insn->imm = (int32_t)tv->val;
		return 0;
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return patch_mem(c, insn, lv, tv);
	case BPF_LD:
		if (!is_ld_imm64(insn) || c->idx + 1 >= count ||
		    insn[0].src_reg || insn[0].off || insn[1].code ||
		    insn[1].dst_reg || insn[1].src_reg || insn[1].off)
			return bad(c, "not a plain ld_imm64");
		imm = (uint32_t)insn[0].imm | (uint64_t)(uint32_t)insn[1].imm << 32;
		if (lv->validate && imm != lv->val)
			return bad(c, "insn has imm64 %llu, expected %llu",
				   (unsigned long long)imm,
				   (unsigned long long)lv->val);
		insn[0].imm = (int32_t)(uint32_t)tv->val;
		insn[1].imm = (int32_t)(uint32_t)(tv->val >> 32);
		return 0;
	default:
		return bad(c, "insn code 0x%02x cannot carry a value",
			   insn->code);
	}
}

static int poison(const struct relo_ctx *c, struct bpf_insn *insns,
		  size_t count, struct core_result *res)
{
	struct bpf_insn *insn = &insns[c->idx];

	/* poison both halves of an ld_imm64, so the verifier's complaint
	 * names the call and not an "unknown opcode 00" */
	if (is_ld_imm64(insn)) {
		if (c->idx + 1 >= count)
			return bad(c, "ld_imm64 is cut off at the end");
		poison_one(insn + 1);
	}
	poison_one(insn);
	res->poisoned = 1;
	return 0;
}

/* --- the path shown to people --- */

static const char *kind_word(const struct btf_type *t)
{
	switch (t ? btf_kind(t) : BTF_KIND_UNKN) {
	case BTF_KIND_STRUCT: return "struct";
	case BTF_KIND_UNION: return "union";
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: return "enum";
	case BTF_KIND_TYPEDEF: return "typedef";
	case BTF_KIND_FWD: return btf_kflag(t) ? "union" : "struct";
	case BTF_KIND_INT: return "int";
	case BTF_KIND_PTR: return "ptr";
	case BTF_KIND_ARRAY: return "array";
	case BTF_KIND_FUNC_PROTO: return "func_proto";
	case BTF_KIND_FLOAT: return "float";
	default: return "type";
	}
}

/* Appends a then b to the string in buf, cut to fit. Plain copies, not
 * printf: a path is built for every CO-RE record. */
static void append(char *buf, size_t size, const char *a, const char *b)
{
	size_t used = strlen(buf);

	for (; *a && used + 1 < size; a++)
		buf[used++] = *a;
	for (; b && *b && used + 1 < size; b++)
		buf[used++] = *b;
	buf[used] = '\0';
}

/* Appends "[idx]". */
static void append_index(char *buf, size_t size, uint32_t idx)
{
	char digits[16], *d = digits + sizeof digits - 1;

	*d = '\0';
	do
		*--d = (char)('0' + idx % 10);
	while (idx /= 10);
	append(buf, size, "[", d);
	append(buf, size, "]", NULL);
}

/* "struct sock.__sk_common.skc_bound_dev_if", "struct x[1].arr[3]",
 * "enum inet_flags::INET_FLAGS_FREEBIND", "struct task_struct". */
static void format_path(const struct relo_ctx *c, const struct spec *sp,
			char *buf, size_t size)
{
	const char *name = btf_type_name(c->local, c->rec->type_id);
	int i;

	buf[0] = '\0';
	append(buf, size, kind_word(btf_type(c->local, c->rec->type_id)), " ");
	append(buf, size, *name ? name : "(anon)", NULL);
	switch (kind_group(c->rec->kind)) {
	case CORE_TYPE:
		return;
	case CORE_ENUM:
		append(buf, size, "::", sp->acc[0].name);
		return;
	}
	if (sp->acc[0].idx)
		append_index(buf, size, sp->acc[0].idx);
	for (i = 1; i < sp->len; i++) {
		if (sp->acc[i].name)
			append(buf, size, ".", sp->acc[i].name);
		else
			append_index(buf, size, sp->acc[i].idx);
	}
}

/* --- putting it together --- */

/* Tries every candidate. On return *found says whether any matched and
 * tv holds their value; res->poisoned and res->why are set when two
 * candidates disagree, res->why alone when the kernel has no candidate. */
static int resolve_target(const struct relo_ctx *c, const struct spec *ls,
			  struct value *tv, int *found, struct core_result *res)
{
	const char *name = btf_type_name(c->local, c->rec->type_id);
	const struct btf_type *lt = btf_type(c->local, c->rec->type_id);
	struct spec ts;
	uint32_t *cands, first = 0;
	uint64_t bit_off = 0;
	size_t n, i;
	int err, r;

	*found = 0;
	err = find_candidates(c->target, name, lt, &cands, &n);
	if (err)
		return err;
	if (n == 0)
		snprintf(res->why, sizeof res->why, "no %s %.*s in kernel BTF",
			 kind_word(lt), (int)core_essential_len(name), name);
	for (i = 0; i < n; i++) {
		struct value v;

		r = spec_match(ls, c->rec->kind, c->target, cands[i], &ts);
		if (r < 0) {
			err = bad(c, "kernel type [%u] nests too deep", cands[i]);
			break;
		}
		if (r == 0)
			continue;
		if (calc(&ts, c->rec->kind, &v) < 0) {
			err = bad(c, "kernel type [%u]: value cannot be computed",
				  cands[i]);
			break;
		}
		if (!*found) {
			*found = 1;
			*tv = v;
			first = cands[i];
			bit_off = ts.bit_off;
		} else if (v.val != tv->val || ts.bit_off != bit_off) {
			snprintf(res->why, sizeof res->why,
				 "kernel types [%u] and [%u] give different values",
				 first, cands[i]);
			res->poisoned = 1;
			break;
		}
	}
	free(cands);
	return err;
}

static const char *not_found_why(unsigned kind)
{
	switch (kind_group(kind)) {
	case CORE_FIELD: return "no such field in kernel BTF";
	case CORE_ENUM: return "no such enum value in kernel BTF";
	default: return "no compatible type in kernel BTF";
	}
}

/* Step 1 for a record: its kind, root type and access string checked,
 * and the local spec built. */
static int local_spec(const struct relo_ctx *c, struct spec *ls)
{
	uint32_t raw[SPEC_MAX];
	int raw_len;

	if (c->rec->kind > BPF_CORE_TYPE_MATCHES)
		return bad(c, "kind %u is not supported", c->rec->kind);
	if (!btf_type(c->local, c->rec->type_id))
		return bad(c, "type id out of range");
	if (parse_access(c->access, raw, &raw_len))
		return bad(c, "malformed access string");
	return parse_spec(c, raw, raw_len, ls);
}

int core_for_each_match(const struct btf *local, const struct btf *target,
			const struct bpf_core_relo *rec, core_match_fn fn,
			void *ctx)
{
	struct relo_ctx c = { local, target, rec, "", 0 };
	const char *name = btf_type_name(local, rec->type_id);
	struct core_match m = { .kind = rec->kind };
	struct spec ls, ts;
	uint32_t *cands;
	size_t n, i;
	int err, r;

	c.access = btf_str(local, rec->access_str_off);
	err = local_spec(&c, &ls);
	if (err || rec->kind == BPF_CORE_TYPE_ID_LOCAL)
		return err;
	if (!*name)
		return bad(&c, "an anonymous type cannot be looked up");
	err = find_candidates(target, name, btf_type(local, rec->type_id),
			      &cands, &n);
	for (i = 0; !err && i < n; i++) {
		r = spec_match(&ls, rec->kind, target, cands[i], &ts);
		if (r < 0)
			err = bad(&c, "kernel type [%u] nests too deep", cands[i]);
		if (r <= 0)
			continue;
		m.group = kind_group(rec->kind);
		m.root_id = cands[i];
		m.raw = ts.raw;
		m.raw_len = ts.raw_len;
		m.local = local;
		m.local_id = rec->type_id;
		err = fn(ctx, &m);
	}
	free(cands);
	return err;
}

int core_relocate(struct bpf_insn *insns, size_t count, size_t idx,
		  const struct btf *local, const struct btf *target,
		  const struct bpf_core_relo *rec, struct core_result *res)
{
	struct relo_ctx c = { local, target, rec, "", idx };
	struct spec ls;
	struct value lv, tv;
	int found, err;
	unsigned cls;

	memset(res, 0, sizeof *res);
	c.access = btf_str(local, rec->access_str_off);
	if (idx >= count)
		return bad(&c, "insn index past the end of a %zu-insn program",
			   count);
	err = local_spec(&c, &ls);
	if (err)
		return err;
	format_path(&c, &ls, res->path, sizeof res->path);

	if (calc(&ls, rec->kind, &lv) < 0)
		return bad(&c, "local value cannot be computed");
	res->local = lv.val;

	if (rec->kind == BPF_CORE_TYPE_ID_LOCAL) {
		res->target = lv.val;
		return patch(&c, insns, count, &lv, &lv);
	}
	if (!*btf_type_name(local, rec->type_id))
		return bad(&c, "an anonymous type cannot be looked up");

	err = resolve_target(&c, &ls, &tv, &found, res);
	if (err)
		return err;
	if (res->poisoned)
		return poison(&c, insns, count, res);
	if (!found) {
		if (calc(NULL, rec->kind, &tv) == -EUCLEAN) {
			if (!res->why[0])
				snprintf(res->why, sizeof res->why, "%s",
					 not_found_why(rec->kind));
			return poison(&c, insns, count, res);
		}
		res->why[0] = '\0';     /* an exists kind: 0 is the answer */
	}
	res->target = tv.val;

	/* a changed field size matters only to loads and stores, which
	 * are resized when that keeps the value (libbpf's rule) */
	cls = BPF_CLASS(insns[idx].code);
	if (cls != BPF_LDX && cls != BPF_ST && cls != BPF_STX)
		tv.size = lv.size;
	if (!resize_is_safe(local, &lv, target, &tv)) {
		snprintf(res->why, sizeof res->why,
			 "field is %u bytes in kernel, %u here: unsafe to resize",
			 tv.size, lv.size);
		return poison(&c, insns, count, res);
	}
	return patch(&c, insns, count, &lv, &tv);
}
