/* btf_check: the kernel's BTF rules (kernel/bpf/btf.c), applied to an
 * object's BTF at open, so a blob the kernel's checker would refuse is
 * refused here too, naming the record and the rule.
 *
 * btf_parse already checked the layout: every record fits, every type id
 * and name offset is in range. What is left is meaning:
 *   - each kind's own fields (vlen, kind_flag, names, sizes, linkage);
 *   - FUNC -> FUNC_PROTO, DATASEC entries -> VAR, array index -> INT;
 *   - no loop through modifiers and pointers (CONST -> PTR -> CONST), and
 *     no type that contains itself by value (a struct holding itself,
 *     through arrays, typedefs or other structs; a pointer ends that);
 *   - types that need a size have one, and members, arrays and DATASEC
 *     entries fit, computed without overflow.
 * The loops are found the kernel's way in spirit, as two graphs: pointer
 * chains (modifiers and PTR, each with one successor) and containment
 * (modifiers, arrays, struct/union members), each walked depth-first with
 * the kernel's depth limit of 32. Pure: no syscalls. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/btf.h"
#include "elf/error.h"

#define MAX_DEPTH 32    /* the kernel's MAX_RESOLVE_DEPTH */
#define MAX_NAME 128    /* the kernel's KSYM_NAME_LEN for identifiers */

enum { UNSEEN, ON_PATH, DONE };

struct check {
	const struct btf *btf;
	unsigned char *ptr_state;       /* per id: pointer-chain walk */
	unsigned char *val_state;       /* per id: containment walk */
};

static const char *const kind_names[] = {
	"UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD",
	"TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO",
	"VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64",
};

const char *btf_kind_name(unsigned kind)
{
	return kind < sizeof kind_names / sizeof kind_names[0] ?
	       kind_names[kind] : "?";
}

/* "BTF type [7] STRUCT 'sock': <why>", one line. */
__attribute__((format(printf, 3, 4)))
static int bad(const struct btf *btf, uint32_t id, const char *fmt, ...)
{
	const struct btf_type *t = btf_type(btf, id);
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return error_set(EINVAL, "BTF type [%u] %s '%s': %s", id,
			 t ? btf_kind_name(btf_kind(t)) : "void",
			 btf_type_name(btf, id), why);
}

static int is_modifier(unsigned kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE ||
	       kind == BTF_KIND_CONST || kind == BTF_KIND_RESTRICT ||
	       kind == BTF_KIND_TYPE_TAG;
}

static int is_composite(unsigned kind)
{
	return kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION;
}

static unsigned kind_of(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf_type(btf, id);

	return t ? btf_kind(t) : BTF_KIND_UNKN;    /* void */
}

/* A C identifier, as the kernel wants for type, member and function
 * names; dot_ok for variables (clang names statics "func.var"). */
static int valid_identifier(const char *s, int dot_ok)
{
	size_t i;

	if (!(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') ||
	      (s[0] >= 'A' && s[0] <= 'Z') || (dot_ok && s[0] == '.')))
		return 0;
	for (i = 1; s[i]; i++) {
		char c = s[i];

		if (i >= MAX_NAME)
			return 0;
		if (!(c == '_' || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (dot_ok && c == '.')))
			return 0;
	}
	return 1;
}

/* A section name: printable, no spaces (the kernel's rule). */
static int valid_section_name(const char *s)
{
	size_t i;

	if (!s[0])
		return 0;
	for (i = 0; s[i]; i++)
		if (i >= MAX_NAME || s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

/* Names: which kinds must, may or must not have one. */
static int check_name(const struct btf *btf, uint32_t id,
		      const struct btf_type *t)
{
	const char *name = btf_str(btf, t->name_off);

	switch (btf_kind(t)) {
	case BTF_KIND_PTR: case BTF_KIND_ARRAY: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC_PROTO:
		if (t->name_off)
			return bad(btf, id, "this kind has no name");
		return 0;
	case BTF_KIND_TYPEDEF: case BTF_KIND_FWD: case BTF_KIND_FUNC:
		if (!valid_identifier(name, 0))
			return bad(btf, id, "name is not a C identifier");
		return 0;
	case BTF_KIND_VAR:
		if (!valid_identifier(name, 1))
			return bad(btf, id, "name is not a C identifier");
		return 0;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: case BTF_KIND_INT: case BTF_KIND_FLOAT:
		if (t->name_off && !valid_identifier(name, 0) &&
		    btf_kind(t) != BTF_KIND_INT && btf_kind(t) != BTF_KIND_FLOAT)
			return bad(btf, id, "name is not a C identifier");
		return 0;
	case BTF_KIND_DATASEC:
		if (!valid_section_name(name))
			return bad(btf, id, "not a valid section name");
		return 0;
	case BTF_KIND_TYPE_TAG: case BTF_KIND_DECL_TAG:
		if (!name[0])
			return bad(btf, id, "tag has no value");
		return 0;
	}
	return 0;
}

static int check_int(const struct btf *btf, uint32_t id,
		     const struct btf_type *t)
{
	uint32_t data;
	unsigned bits, enc;

	memcpy(&data, btf_tail(t), sizeof data);
	bits = BTF_INT_BITS(data) + BTF_INT_OFFSET(data);
	enc = BTF_INT_ENCODING(data);
	if (data & ~0x0fffffffu)
		return bad(btf, id, "unknown bits in int data 0x%x", data);
	if (bits > 128)
		return bad(btf, id, "%u bits exceed 128", bits);
	if ((bits + 7) / 8 > t->size)
		return bad(btf, id, "%u bits exceed the size %u", bits, t->size);
	if (enc && enc != BTF_INT_SIGNED && enc != BTF_INT_CHAR &&
	    enc != BTF_INT_BOOL)
		return bad(btf, id, "encoding 0x%x is not one of signed, char, "
			   "bool", enc);
	return 0;
}

static int power_of_2(uint32_t n)
{
	return n && !(n & (n - 1));
}

/* The fields of one record that need no other record. */
static int check_meta(const struct btf *btf, uint32_t id,
		      const struct btf_type *t)
{
	unsigned kind = btf_kind(t), vlen = btf_vlen(t);
	int err;

	if (t->info & ~0x9f00ffffu)
		return bad(btf, id, "unknown bits in info 0x%x", t->info);
	if (kind == BTF_KIND_UNKN)
		return bad(btf, id, "kind 0 is not a type");
	if ((err = check_name(btf, id, t)))
		return err;
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_PTR: case BTF_KIND_ARRAY:
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_VAR: case BTF_KIND_FLOAT:
	case BTF_KIND_FWD: case BTF_KIND_DECL_TAG: case BTF_KIND_TYPE_TAG:
		if (vlen)
			return bad(btf, id, "vlen %u, must be 0", vlen);
	}
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_PTR: case BTF_KIND_ARRAY:
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_VAR: case BTF_KIND_FLOAT:
	case BTF_KIND_FUNC: case BTF_KIND_FUNC_PROTO: case BTF_KIND_DATASEC:
		/* (TYPE_TAG and DECL_TAG: newer clang marks attributes with
		 * kind_flag, and newer kernels take them) */
		if (btf_kflag(t))
			return bad(btf, id, "kind_flag set on a kind without one");
	}
	switch (kind) {
	case BTF_KIND_INT:
		return check_int(btf, id, t);
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		if (t->size > 8 || !power_of_2(t->size))
			return bad(btf, id, "size %u is not 1, 2, 4 or 8", t->size);
		return 0;
	case BTF_KIND_FLOAT:
		if (t->size != 2 && t->size != 4 && t->size != 8 &&
		    t->size != 12 && t->size != 16)
			return bad(btf, id, "size %u is not a float's", t->size);
		return 0;
	case BTF_KIND_FWD:
		if (t->type)
			return bad(btf, id, "type %u, must be 0", t->type);
		return 0;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_tail(t);

		if (t->size)
			return bad(btf, id, "size %u, must be 0", t->size);
		if (!a->type || !a->index_type)
			return bad(btf, id, "element or index type is void");
		return 0;
	}
	case BTF_KIND_FUNC:
		if (vlen > BTF_FUNC_EXTERN)
			return bad(btf, id, "linkage %u is not static, global or "
				   "extern", vlen);
		return 0;
	case BTF_KIND_VAR: {
		const struct btf_var *v = btf_tail(t);

		if (!t->type)
			return bad(btf, id, "a variable of type void");
		if (v->linkage > BTF_VAR_GLOBAL_EXTERN)
			return bad(btf, id, "linkage %u is not static, global or "
				   "extern", v->linkage);
		return 0;
	}
	case BTF_KIND_DECL_TAG: {
		const struct btf_decl_tag *d = btf_tail(t);

		if (d->component_idx < -1)
			return bad(btf, id, "component_idx %d below -1",
				   d->component_idx);
		return 0;
	}
	}
	return 0;
}

/* Follows modifiers; the id of the first other type (0 for void). The
 * loop walks have run, so this ends. */
static uint32_t skip_mods(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t;

	while ((t = btf_type(btf, id)) && is_modifier(btf_kind(t)))
		id = t->type;
	return id;
}

/* The kernel's "has a size": not void, FWD, FUNC or FUNC_PROTO once
 * modifiers are followed (and not a VAR or DATASEC either: those are no
 * value's type). */
static int sized(const struct btf *btf, uint32_t id)
{
	switch (kind_of(btf, skip_mods(btf, id))) {
	case BTF_KIND_INT: case BTF_KIND_PTR: case BTF_KIND_ARRAY:
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: case BTF_KIND_FLOAT:
		return 1;
	}
	return 0;
}

/* --- loops --- */

/* Pointer chains: a modifier or PTR has one successor, its t->type; the
 * chain ends at anything else. A chain that comes back is a loop. */
static int walk_pointers(struct check *c, uint32_t id)
{
	uint32_t path[MAX_DEPTH + 1], cur = id;
	int n = 0, i;

	while (1) {
		const struct btf_type *t = btf_type(c->btf, cur);

		if (!t || !(is_modifier(btf_kind(t)) ||
			    btf_kind(t) == BTF_KIND_PTR) ||
		    c->ptr_state[cur] == DONE)
			break;
		if (c->ptr_state[cur] == ON_PATH)
			return bad(c->btf, cur, "reference loop through modifiers "
				   "and pointers");
		if (n > MAX_DEPTH)
			return bad(c->btf, id, "chain of modifiers and pointers "
				   "deeper than %d", MAX_DEPTH);
		c->ptr_state[cur] = ON_PATH;
		path[n++] = cur;
		cur = t->type;
	}
	for (i = 0; i < n; i++)
		c->ptr_state[path[i]] = DONE;
	return 0;
}

/* The types t holds by value: for a struct its members, for an array
 * its element, for a modifier its type. Pointers hold nothing. */
static int walk_value(struct check *c, uint32_t id, int depth);

static int walk_child(struct check *c, uint32_t child, int depth)
{
	unsigned k = kind_of(c->btf, child);

	if (!is_modifier(k) && !is_composite(k) && k != BTF_KIND_ARRAY)
		return 0;
	return walk_value(c, child, depth + 1);
}

static int walk_value(struct check *c, uint32_t id, int depth)
{
	const struct btf_type *t = btf_type(c->btf, id);
	unsigned i;
	int err = 0;

	if (c->val_state[id] == DONE)
		return 0;
	if (c->val_state[id] == ON_PATH)
		return bad(c->btf, id, "contains itself (a loop through members, "
			   "arrays or modifiers)");
	if (depth >= MAX_DEPTH)
		return bad(c->btf, id, "types nested deeper than %d", MAX_DEPTH);
	c->val_state[id] = ON_PATH;
	if (is_modifier(btf_kind(t))) {
		err = walk_child(c, t->type, depth);
	} else if (btf_kind(t) == BTF_KIND_ARRAY) {
		err = walk_child(c, ((const struct btf_array *)btf_tail(t))->type,
				 depth);
	} else {
		const struct btf_member *m = btf_tail(t);

		for (i = 0; !err && i < btf_vlen(t); i++)
			err = walk_child(c, m[i].type, depth);
	}
	c->val_state[id] = DONE;
	return err;
}

/* --- what refers to what --- */

/* Size of a type with a size; the loop walks ran first, so it ends,
 * and btf_resolve_size checks the array product for overflow. */
static int size_of(const struct btf *btf, uint32_t owner, uint32_t id,
		   uint32_t *size)
{
	int64_t s = btf_resolve_size(btf, id);

	if (s < 0)
		return bad(btf, owner, "type %u has no size: %s", id,
			   error_msg());
	*size = (uint32_t)s;
	return 0;
}

static int check_array(const struct btf *btf, uint32_t id,
		       const struct btf_type *t)
{
	const struct btf_array *a = btf_tail(t);
	const struct btf_type *index;
	uint32_t data, size = 0;
	int err;

	index = btf_type(btf, skip_mods(btf, a->index_type));
	if (!index || btf_kind(index) != BTF_KIND_INT)
		return bad(btf, id, "index type %u is not an INT", a->index_type);
	memcpy(&data, btf_tail(index), sizeof data);
	if (BTF_INT_OFFSET(data) || BTF_INT_BITS(data) % 8)
		return bad(btf, id, "index type %u is a bitfield int",
			   a->index_type);
	if (!sized(btf, a->type))
		return bad(btf, id, "element type %u has no size", a->type);
	if ((err = size_of(btf, id, a->type, &size)))
		return err;
	if (a->nelems && size > UINT32_MAX / a->nelems)
		return bad(btf, id, "%u elements of %u bytes overflow 32 bits",
			   a->nelems, size);
	return 0;
}

/* One member: a type with a size that fits the struct. Bit offsets are
 * u32; the sums are made in 64 bits so nothing wraps. */
static int check_member(const struct btf *btf, uint32_t id,
			const struct btf_type *t, unsigned i, uint64_t *last)
{
	const struct btf_member *m = (const struct btf_member *)btf_tail(t) + i;
	const char *name = btf_str(btf, m->name_off);
	uint64_t off = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m->offset) :
				      m->offset;
	uint32_t bits = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m->offset) : 0;
	uint32_t msize = 0;
	const struct btf_type *mt;
	int err;

	if (m->name_off && !valid_identifier(name, 0))
		return bad(btf, id, "member %u: name is not a C identifier", i);
	if (!sized(btf, m->type))
		return bad(btf, id, "member %u '%s': type %u has no size", i,
			   name, m->type);
	if (btf_kind(t) == BTF_KIND_UNION && off)
		return bad(btf, id, "member %u '%s': a union member at bit "
			   "offset %llu", i, name, (unsigned long long)off);
	if (off < *last)
		return bad(btf, id, "member %u '%s': bit offset %llu before "
			   "the previous member's %llu", i, name,
			   (unsigned long long)off, (unsigned long long)*last);
	*last = off;
	if ((err = size_of(btf, id, m->type, &msize)))
		return err;
	mt = btf_type(btf, skip_mods(btf, m->type));
	if (!bits && btf_kind(mt) == BTF_KIND_INT && !btf_kflag(t)) {
		uint32_t data;

		memcpy(&data, btf_tail(mt), sizeof data);
		bits = BTF_INT_BITS(data);
		off += BTF_INT_OFFSET(data);
	}
	if (bits) {
		if (bits > (uint64_t)msize * 8)
			return bad(btf, id, "member %u '%s': bitfield of %u bits "
				   "in a %u-byte type", i, name, bits, msize);
		if (off + bits > (uint64_t)t->size * 8)
			return bad(btf, id, "member %u '%s': bits %llu..%llu past "
				   "the struct's %u bytes", i, name,
				   (unsigned long long)off,
				   (unsigned long long)(off + bits), t->size);
		return 0;
	}
	if (off % 8)
		return bad(btf, id, "member %u '%s': bit offset %llu is not "
			   "byte aligned", i, name, (unsigned long long)off);
	if (off / 8 + msize > t->size)
		return bad(btf, id, "member %u '%s': offset %llu + size %u past "
			   "the struct's %u bytes", i, name,
			   (unsigned long long)(off / 8), msize, t->size);
	return 0;
}

static int check_func_proto(const struct btf *btf, uint32_t id,
			    const struct btf_type *t)
{
	const struct btf_param *p = btf_tail(t);
	unsigned i, n = btf_vlen(t);

	if (t->type && !sized(btf, t->type))
		return bad(btf, id, "return type %u has no size", t->type);
	/* a last parameter of type void with no name is "..." */
	if (n && !p[n - 1].type && !p[n - 1].name_off)
		n--;
	for (i = 0; i < n; i++) {
		if (!sized(btf, p[i].type))
			return bad(btf, id, "parameter %u: type %u has no size",
				   i + 1, p[i].type);
		if (p[i].name_off &&
		    !valid_identifier(btf_str(btf, p[i].name_off), 0))
			return bad(btf, id, "parameter %u: name is not a C "
				   "identifier", i + 1);
	}
	return 0;
}

static int check_func(const struct btf *btf, uint32_t id,
		      const struct btf_type *t)
{
	const struct btf_type *proto = btf_type(btf, t->type);
	const struct btf_param *p;
	unsigned i;

	if (!proto || btf_kind(proto) != BTF_KIND_FUNC_PROTO)
		return bad(btf, id, "type %u is %s, not a FUNC_PROTO", t->type,
			   proto ? btf_kind_name(btf_kind(proto)) : "void");
	p = btf_tail(proto);
	for (i = 0; i < btf_vlen(proto); i++)
		if (p[i].type && !p[i].name_off)
			return bad(btf, id, "parameter %u has no name", i + 1);
	return 0;
}

/* The kernel sorts nothing: libbpf sorts a DATASEC's entries by offset
 * before loading it, so overlaps are looked for in offset order. */
struct span {
	uint32_t off, size, idx;
};

static int by_offset(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static int check_datasec(const struct btf *btf, uint32_t id,
			 const struct btf_type *t)
{
	const struct btf_var_secinfo *v = btf_tail(t);
	unsigned i, n = btf_vlen(t);
	struct span *s;
	int err = 0;

	if (!t->size)
		return bad(btf, id, "size 0");
	for (i = 0; i < n; i++) {
		const struct btf_type *var = btf_type(btf, v[i].type);
		uint32_t vsize = 0;

		if (!var || btf_kind(var) != BTF_KIND_VAR)
			return bad(btf, id, "entry %u: type %u is %s, not a VAR",
				   i, v[i].type, var ?
				   btf_kind_name(btf_kind(var)) : "void");
		if (!v[i].size || (uint64_t)v[i].offset + v[i].size > t->size)
			return bad(btf, id, "entry %u (VAR '%s'): offset %u + "
				   "size %u past the section's %u bytes", i,
				   btf_str(btf, var->name_off), v[i].offset,
				   v[i].size, t->size);
		if ((err = size_of(btf, id, var->type, &vsize)))
			return err;
		if (vsize > v[i].size)
			return bad(btf, id, "entry %u (VAR '%s'): size %u smaller "
				   "than its type's %u", i,
				   btf_str(btf, var->name_off), v[i].size, vsize);
	}
	if (n < 2)
		return 0;
	s = malloc(n * sizeof *s);
	if (!s)
		return error_set(ENOMEM, "BTF: no memory to check a DATASEC");
	for (i = 0; i < n; i++)
		s[i] = (struct span){ v[i].offset, v[i].size, i };
	qsort(s, n, sizeof *s, by_offset);
	for (i = 1; i < n && !err; i++)
		if ((uint64_t)s[i - 1].off + s[i - 1].size > s[i].off)
			err = bad(btf, id, "entries %u and %u overlap",
				  s[i - 1].idx, s[i].idx);
	free(s);
	return err;
}

static int check_decl_tag(const struct btf *btf, uint32_t id,
			  const struct btf_type *t)
{
	const struct btf_decl_tag *d = btf_tail(t);
	const struct btf_type *target = btf_type(btf, t->type);
	unsigned k = target ? btf_kind(target) : BTF_KIND_UNKN;
	unsigned vlen;

	if (k != BTF_KIND_FUNC && !is_composite(k) && k != BTF_KIND_VAR &&
	    k != BTF_KIND_TYPEDEF)
		return bad(btf, id, "tags type %u, which is no FUNC, STRUCT, "
			   "UNION, VAR or TYPEDEF", t->type);
	if (d->component_idx == -1)
		return 0;
	if (k == BTF_KIND_VAR || k == BTF_KIND_TYPEDEF)
		return bad(btf, id, "a component of a %s", btf_kind_name(k));
	if (k == BTF_KIND_FUNC)
		target = btf_type(btf, target->type);   /* its FUNC_PROTO */
	vlen = target ? btf_vlen(target) : 0;
	if ((uint32_t)d->component_idx >= vlen)
		return bad(btf, id, "component %d of a type with %u",
			   d->component_idx, vlen);
	return 0;
}

/* The rules that look at the types a record refers to. */
static int check_refs(const struct btf *btf, uint32_t id,
		      const struct btf_type *t)
{
	unsigned i;
	uint64_t last = 0;
	int err = 0;

	switch (btf_kind(t)) {
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_PTR: {
		unsigned k = kind_of(btf, skip_mods(btf, t->type));

		/* "const void", "typedef void f(void)", a pointer to a
		 * function or to a declared struct: all fine */
		if (k == BTF_KIND_VAR || k == BTF_KIND_DATASEC ||
		    k == BTF_KIND_FUNC || k == BTF_KIND_DECL_TAG)
			return bad(btf, id, "refers to a %s", btf_kind_name(k));
		return 0;
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (i = 0; !err && i < btf_vlen(t); i++)
			err = check_member(btf, id, t, i, &last);
		return err;
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		for (i = 0; i < btf_vlen(t); i++) {
			uint32_t off = btf_kind(t) == BTF_KIND_ENUM ?
				((const struct btf_enum *)btf_tail(t))[i].name_off :
				((const struct btf_enum64 *)btf_tail(t))[i].name_off;

			if (!valid_identifier(btf_str(btf, off), 0))
				return bad(btf, id, "value %u: name is not a C "
					   "identifier", i);
		}
		return 0;
	case BTF_KIND_FUNC_PROTO:
		return check_func_proto(btf, id, t);
	case BTF_KIND_FUNC:
		return check_func(btf, id, t);
	case BTF_KIND_VAR:
		if (!sized(btf, t->type))
			return bad(btf, id, "type %u has no size", t->type);
		return 0;
	case BTF_KIND_DATASEC:
		return check_datasec(btf, id, t);
	case BTF_KIND_DECL_TAG:
		return check_decl_tag(btf, id, t);
	}
	return 0;
}

int btf_check(const struct btf *btf)
{
	struct check c = { btf, NULL, NULL };
	uint32_t id;
	int err = 0;

	if (btf->nr_types < 2)
		return error_set(EINVAL, "BTF: no types");
	c.ptr_state = calloc(btf->nr_types, 1);
	c.val_state = calloc(btf->nr_types, 1);
	if (!c.ptr_state || !c.val_state) {
		err = error_set(ENOMEM, "BTF: no memory to check %u types",
				btf->nr_types);
		goto out;
	}
	for (id = 1; !err && id < btf->nr_types; id++)
		err = check_meta(btf, id, btf_type(btf, id));
	for (id = 1; !err && id < btf->nr_types; id++)
		err = walk_pointers(&c, id);
	for (id = 1; !err && id < btf->nr_types; id++) {
		unsigned k = kind_of(btf, id);

		if (is_modifier(k) || is_composite(k) || k == BTF_KIND_ARRAY)
			err = walk_value(&c, id, 0);
	}
	/* arrays first: a member's size is then known not to overflow */
	for (id = 1; !err && id < btf->nr_types; id++)
		if (kind_of(btf, id) == BTF_KIND_ARRAY)
			err = check_array(btf, id, btf_type(btf, id));
	for (id = 1; !err && id < btf->nr_types; id++)
		if (kind_of(btf, id) != BTF_KIND_ARRAY)
			err = check_refs(btf, id, btf_type(btf, id));
out:
	free(c.ptr_state);
	free(c.val_state);
	return err;
}
