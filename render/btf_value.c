#include <errno.h>
#include <string.h>
#include "render/btf_value.h"
#include "render/output.h"

#define MAX_DEPTH 16
/* Members and array elements one value may take to show. A type can
 * ask for far more work than its bytes (anonymous unions of anonymous
 * unions: 3^22 visits of the same 4 bytes; arrays of empty structs):
 * past this the value is hex. */
#define MAX_VISITS 65536

struct shown {
	const struct btf *btf;
	int json;
};

static void show(const struct shown *s, uint32_t id, const unsigned char *p,
		 size_t size, int depth);

static void hex(const unsigned char *p, size_t size, int json)
{
	size_t i;

	out_str(json ? "\"0x" : "0x");
	for (i = 0; i < size; i++)
		out_printf("%02x", p[i]);
	if (json)
		out_char('"');
}

uint64_t btf_read_bits(const unsigned char *p, uint32_t off, uint32_t bits)
{
	unsigned char b[8] = { 0 };
	uint32_t first = off / 8, n = (off % 8 + bits + 7) / 8;
	uint64_t v;

	memcpy(b, p + first, n > 8 ? 8 : n);
	memcpy(&v, b, 8);
	v >>= off % 8;
	return bits < 64 ? v & ((1ull << bits) - 1) : v;
}

int64_t btf_sign_extend(uint64_t v, uint32_t bits)
{
	return bits < 64 && (v >> (bits - 1) & 1) ?
	       (int64_t)(v | ~((1ull << bits) - 1)) : (int64_t)v;
}

static void show_int_bits(const struct btf_type *t, uint64_t v,
			  uint32_t bits, int json)
{
	uint32_t enc = BTF_INT_ENCODING(*(const uint32_t *)btf_tail(t));

	if (enc & BTF_INT_BOOL)
		out_str(v ? "true" : "false");
	else if (enc & BTF_INT_SIGNED)
		out_printf("%lld", (long long)btf_sign_extend(v, bits));
	else
		out_printf("%llu", (unsigned long long)v);
	(void)json;
}

static void show_int(const struct shown *s, const struct btf_type *t,
		     const unsigned char *p, size_t size)
{
	uint32_t info = *(const uint32_t *)btf_tail(t);
	uint32_t bits = BTF_INT_BITS(info);

	if (bits == 0 || bits > 64 || t->size > 8 || size < t->size) {
		hex(p, size < t->size ? size : t->size, s->json);
		return;
	}
	show_int_bits(t, btf_read_bits(p, BTF_INT_OFFSET(info), bits), bits,
		      s->json);
}

int btf_value_is_char(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf_type(btf, btf_skip_mods(btf, id));
	const char *name;

	if (!t || btf_kind(t) != BTF_KIND_INT || t->size != 1)
		return 0;
	name = btf_str(btf, t->name_off);
	return (BTF_INT_ENCODING(*(const uint32_t *)btf_tail(t)) &
		BTF_INT_CHAR) || strcmp(name, "char") == 0;
}

static void show_string(const struct shown *s, const unsigned char *p,
			size_t n)
{
	size_t len = strnlen((const char *)p, n);

	if (s->json) {
		out_json_str((const char *)p, len);
		return;
	}
	out_char('"');
	out_text((const char *)p, len);
	out_char('"');
}

static void show_array(const struct shown *s, const struct btf_type *t,
		       const unsigned char *p, size_t size, int depth)
{
	const struct btf_array *a = btf_tail(t);
	int64_t esz = btf_resolve_size(s->btf, a->type);
	uint32_t i;

	if (esz < 0 || (uint64_t)esz * a->nelems > size) {
		hex(p, size, s->json);
		return;
	}
	if (btf_value_is_char(s->btf, a->type)) {
		show_string(s, p, a->nelems);
		return;
	}
	out_char('[');
	for (i = 0; i < a->nelems; i++) {
		if (i)
			out_str(s->json ? "," : ", ");
		show(s, a->type, p + (size_t)esz * i, (size_t)esz, depth + 1);
	}
	out_char(']');
}

const char *btf_enum_at(const struct btf *btf, const struct btf_type *t,
			uint32_t i, uint64_t *value)
{
	const struct btf_enum *e = btf_tail(t);
	const struct btf_enum64 *e64 = btf_tail(t);
	int is64 = btf_kind(t) == BTF_KIND_ENUM64;

	*value = is64 ? (uint64_t)e64[i].val_hi32 << 32 | e64[i].val_lo32 :
		 (uint64_t)(uint32_t)e[i].val;
	/* as the value lies in memory: t->size bytes of it */
	if (t->size < 8)
		*value &= (1ull << (t->size * 8)) - 1;
	return btf_str(btf, is64 ? e64[i].name_off : e[i].name_off);
}

const char *btf_enum_name(const struct btf *btf, const struct btf_type *t,
			  uint64_t value)
{
	uint64_t v;
	uint32_t i;

	for (i = 0; i < btf_vlen(t); i++) {
		const char *name = btf_enum_at(btf, t, i, &v);

		if (v == value)
			return name;
	}
	return NULL;
}

static void show_enum(const struct shown *s, const struct btf_type *t,
		      const unsigned char *p, size_t size)
{
	const char *name;
	uint64_t v = 0;

	if (t->size > 8 || size < t->size) {
		hex(p, size, s->json);
		return;
	}
	v = btf_read_bits(p, 0, t->size * 8);
	name = btf_enum_name(s->btf, t, v);
	if (name && s->json) {
		out_json_str(name, 256);
		return;
	}
	if (name) {
		out_text(name, 256);
		return;
	}
	if (btf_kflag(t))
		out_printf("%lld", (long long)btf_sign_extend(v, t->size * 8));
	else
		out_printf("%llu", (unsigned long long)v);
}

/* The visits show makes for type id at depth, counted on *n up to
 * past MAX_VISITS: it walks the type as show does, stopping once over,
 * so that it costs no more than the budget itself. */
static void visits(const struct btf *btf, uint32_t id, int depth,
		   uint64_t *n)
{
	const struct btf_type *t = btf_type(btf, btf_skip_mods(btf, id));
	const struct btf_member *m;
	const struct btf_array *a;
	uint64_t before, each;
	uint32_t i;

	if (!t || depth > MAX_DEPTH || *n > MAX_VISITS)
		return;
	switch (btf_kind(t)) {
	case BTF_KIND_ARRAY:
		a = btf_tail(t);
		if (btf_value_is_char(btf, a->type) || !a->nelems)
			return;
		/* every element costs what the first does, and itself */
		before = *n;
		visits(btf, a->type, depth + 1, n);
		each = *n - before + 1;
		*n = each > MAX_VISITS || a->nelems > MAX_VISITS / each ?
		     MAX_VISITS + 1 : before + each * a->nelems;
		return;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		m = btf_tail(t);
		for (i = 0; i < btf_vlen(t) && *n <= MAX_VISITS; i++) {
			++*n;
			visits(btf, m[i].type, depth + 1, n);
		}
		return;
	case BTF_KIND_DATASEC:
		for (i = 0; i < btf_vlen(t) && *n <= MAX_VISITS; i++) {
			++*n;
			visits(btf, ((const struct btf_var_secinfo *)
				     btf_tail(t))[i].type, depth + 1, n);
		}
		return;
	case BTF_KIND_VAR:
		visits(btf, t->type, depth + 1, n);
		return;
	}
}

static void member_name(const struct shown *s, const char *name, int first)
{
	if (!first)
		out_str(s->json ? "," : ", ");
	if (s->json) {
		out_json_str(name, 256);
		out_char(':');
	} else {
		out_text(name, 256);
		out_char('=');
	}
}

/* A member that is a bitfield: its bits, shown as the integer or enum it
 * is declared as. */
static void show_bitfield(const struct shown *s, uint32_t id,
			  const unsigned char *p, uint32_t off, uint32_t bits)
{
	const struct btf_type *t = btf_type(s->btf, btf_skip_mods(s->btf, id));
	uint64_t v = btf_read_bits(p, off, bits > 64 ? 64 : bits);

	if (t && btf_kind(t) == BTF_KIND_INT)
		show_int_bits(t, v, bits, s->json);
	else
		out_printf("%llu", (unsigned long long)v);
}

/* The members of a struct or union at p, in its parent's braces; an
 * anonymous struct or union member's members in its place. Returns
 * whether any was written. */
static int show_members(const struct shown *s, const struct btf_type *t,
			const unsigned char *p, size_t size, int depth,
			int first)
{
	const struct btf_member *m = btf_tail(t);
	uint32_t i;

	for (i = 0; i < btf_vlen(t); i++) {
		uint32_t off = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m[i].offset)
					    : m[i].offset;
		uint32_t bits = btf_kflag(t) ?
				BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0;
		const char *name = btf_str(s->btf, m[i].name_off);
		const struct btf_type *mt = btf_type(s->btf,
			btf_skip_mods(s->btf, m[i].type));
		int64_t msz = btf_resolve_size(s->btf, m[i].type);

		if (bits && (off + bits + 7) / 8 <= size) {
			member_name(s, name, first);
			show_bitfield(s, m[i].type, p, off, bits);
		} else if (off % 8 || msz < 0 ||
			   off / 8 + (uint64_t)msz > size) {
			continue;       /* cannot be read: not shown */
		} else if (!*name && mt && depth < MAX_DEPTH &&
			   (btf_kind(mt) == BTF_KIND_STRUCT ||
			    btf_kind(mt) == BTF_KIND_UNION)) {
			/* one level deeper, as a named member would be */
			if (show_members(s, mt, p + off / 8, (size_t)msz,
					 depth + 1, first))
				first = 0;
			continue;
		} else {
			member_name(s, name, first);
			show(s, m[i].type, p + off / 8, (size_t)msz, depth + 1);
		}
		first = 0;
	}
	return !first;
}

static void show_struct(const struct shown *s, const struct btf_type *t,
			const unsigned char *p, size_t size, int depth)
{
	out_char('{');
	show_members(s, t, p, size, depth, 1);
	out_char('}');
}

/* A DATASEC (a map of global data): each variable by its name. */
static void show_datasec(const struct shown *s, const struct btf_type *t,
			 const unsigned char *p, size_t size, int depth)
{
	const struct btf_var_secinfo *v = btf_tail(t);
	uint32_t i;
	int first = 1;

	out_char('{');
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *var = btf_type(s->btf, v[i].type);

		if (!var || (uint64_t)v[i].offset + v[i].size > size)
			continue;
		member_name(s, btf_str(s->btf, var->name_off), first);
		show(s, v[i].type, p + v[i].offset, v[i].size, depth + 1);
		first = 0;
	}
	out_char('}');
}

static void show_float(const struct btf_type *t, const unsigned char *p,
		       size_t size, int json)
{
	float f;
	double d;

	if (t->size == 4 && size >= 4) {
		memcpy(&f, p, 4);
		out_printf("%g", (double)f);
	} else if (t->size == 8 && size >= 8) {
		memcpy(&d, p, 8);
		out_printf("%g", d);
	} else {
		hex(p, size, json);
	}
}

static void show(const struct shown *s, uint32_t id, const unsigned char *p,
		 size_t size, int depth)
{
	const struct btf_type *t;
	uint64_t ptr;

	id = btf_skip_mods(s->btf, id);
	t = btf_type(s->btf, id);
	if (!t || depth > MAX_DEPTH) {
		hex(p, size, s->json);
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		show_int(s, t, p, size);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		show_enum(s, t, p, size);
		break;
	case BTF_KIND_ARRAY:
		show_array(s, t, p, size, depth);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		show_struct(s, t, p, size, depth);
		break;
	case BTF_KIND_DATASEC:
		show_datasec(s, t, p, size, depth);
		break;
	case BTF_KIND_VAR:
		show(s, t->type, p, size, depth + 1);
		break;
	case BTF_KIND_FLOAT:
		show_float(t, p, size, s->json);
		break;
	case BTF_KIND_PTR:
		if (size < 8) {
			hex(p, size, s->json);
			break;
		}
		memcpy(&ptr, p, 8);
		out_printf(s->json ? "\"0x%llx\"" : "0x%llx",
			   (unsigned long long)ptr);
		break;
	default:
		hex(p, size, s->json);
	}
}

void btf_value_out(const struct btf *btf, uint32_t id, const void *data,
		   size_t size, int json)
{
	struct shown s = { btf, json };
	uint64_t n = 0;

	visits(btf, id, 0, &n);
	if (n > MAX_VISITS) {
		hex(data, size, json);
		return;
	}
	show(&s, id, data, size, 0);
}

int btf_value_u64(const struct btf *btf, uint32_t id, const void *data,
		  size_t size, uint64_t *v)
{
	const struct btf_type *t = btf_type(btf, btf_skip_mods(btf, id));
	unsigned kind = t ? btf_kind(t) : 0;

	if ((kind != BTF_KIND_INT && kind != BTF_KIND_ENUM &&
	     kind != BTF_KIND_ENUM64) || t->size > 8 || t->size > size)
		return -EINVAL;
	*v = btf_read_bits(data, 0, t->size * 8);
	return 0;
}
