/* rawtrace run --set: a global variable's value before load, typed by
 * the object's BTF (an integer, a bool, an enum, a char array), as a
 * skeleton's user sets rodata->VAR; or map.NAME.max_entries=N, the size
 * a libbpf tool's user space gives a map before load. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include "elf/error.h"
#include "cli/run.h"

/* text as a whole number that fits size bytes, signed or not. */
static int parse_int(const char *text, uint32_t size, int is_signed,
		     uint64_t *v)
{
	char *end;
	unsigned bits = size * 8;

	/* strtoull takes leading space and a '-' after it, and negates:
	 * " -1" would be 2^64 - 1 */
	if (!*text || isspace((unsigned char)text[0]))
		return -ERANGE;
	errno = 0;
	if (is_signed) {
		long long s = strtoll(text, &end, 0);
		long long lim = bits >= 64 ? 0 : 1LL << (bits - 1);

		if (errno || !*text || *end || (lim && (s < -lim || s >= lim)))
			return -ERANGE;
		*v = (uint64_t)s;
		return 0;
	}
	if (text[0] == '-')
		return -ERANGE;
	*v = strtoull(text, &end, 0);
	if (errno || !*text || *end || (bits < 64 && *v >> bits))
		return -ERANGE;
	return 0;
}

/* An enum's value: one of its names, or a number. */
static int parse_enum(const struct btf *btf, const struct btf_type *t,
		      const char *text, uint64_t *v)
{
	const struct btf_enum *e = btf_tail(t);
	unsigned i;

	for (i = 0; i < btf_vlen(t); i++)
		if (strcmp(btf_str(btf, e[i].name_off), text) == 0) {
			*v = (uint64_t)(int64_t)e[i].val;
			return 0;
		}
	return parse_int(text, t->size, 1, v);
}

static int parse_bool(const char *text, uint64_t *v)
{
	if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "y"))
		*v = 1;
	else if (!strcmp(text, "false") || !strcmp(text, "0") ||
		 !strcmp(text, "n"))
		*v = 0;
	else
		return -EINVAL;
	return 0;
}

/* A char array's value: the text, NUL-filled; it must leave room for
 * the NUL. */
static int set_chars(struct obj *o, const char *var, uint32_t n,
		     const char *text)
{
	char *buf;
	int err;

	if (strlen(text) >= n)
		return error_set(EINVAL, "--set %s: \"%s\" does not fit "
				 "char[%u]", var, text, n);
	buf = calloc(1, n);
	if (!buf)
		return error_set(ENOMEM, "no memory");
	memcpy(buf, text, strlen(text));
	err = obj_set_var(o, var, buf, n);
	free(buf);
	return err;
}

static int is_char(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf_type(btf, btf_skip_mods(btf, id));

	return t && btf_kind(t) == BTF_KIND_INT && t->size == 1;
}

static int set_var(struct obj *o, const char *var, const char *text)
{
	int id = o->has_btf ? btf_find_one(&o->btf, var, BTF_KIND_VAR) : -1;
	const struct btf_type *t;
	const struct btf_array *a;
	uint64_t v = 0;
	uint32_t enc;
	int err;

	if (id < 0)
		return error_set(ENOENT, "--set %s: no global variable %s in "
				 "the object", var, var);
	t = btf_type(&o->btf, btf_skip_mods(&o->btf,
					    btf_type(&o->btf, (uint32_t)id)->type));
	switch (t ? btf_kind(t) : 0) {
	case BTF_KIND_INT:
		/* v holds 8 bytes: a wider integer (__int128) is not parsed */
		if (t->size > sizeof v)
			return error_set(EINVAL, "--set %s: a %u-byte integer: "
					 "not settable", var, t->size);
		enc = BTF_INT_ENCODING(*(const uint32_t *)btf_tail(t));
		err = enc & BTF_INT_BOOL ? parse_bool(text, &v) :
		      parse_int(text, t->size, enc & BTF_INT_SIGNED, &v);
		break;
	case BTF_KIND_ENUM:
		if (t->size > sizeof v)
			return error_set(EINVAL, "--set %s: a %u-byte enum: "
					 "not settable", var, t->size);
		err = parse_enum(&o->btf, t, text, &v);
		break;
	case BTF_KIND_ARRAY:
		a = btf_tail(t);
		if (!is_char(&o->btf, a->type))
			return error_set(EINVAL, "--set %s: an array, not of "
					 "char: not settable", var);
		return set_chars(o, var, a->nelems, text);
	default:
		return error_set(EINVAL, "--set %s: a %s: only integers, "
				 "bools, enums and char arrays are settable",
				 var, t ? btf_kind_name(btf_kind(t)) : "void");
	}
	if (err)
		return error_set(EINVAL, "--set %s: \"%s\" is not a value of "
				 "its type (%u bytes)", var, text, t->size);
	/* little-endian, as the BPF targets rawtrace builds for */
	return obj_set_var(o, var, &v, t->size);
}

/* map.NAME.max_entries=N, map.NAME.value_size=N */
static int set_map_size(struct obj *o, const char *what, const char *text)
{
	const char *dot = strrchr(what, '.');
	char name[64];
	struct obj_map *m;
	uint32_t *field;
	uint64_t v;

	if (!dot || (size_t)(dot - what) >= sizeof name)
		return error_set(EINVAL, "--set map.%s: not map.NAME.FIELD",
				 what);
	memcpy(name, what, (size_t)(dot - what));
	name[dot - what] = 0;
	m = obj_map(o, name);
	if (!m)
		return error_set(ENOENT, "--set map.%s: no map %s", what, name);
	/* its value is the section's bytes, its one entry holds them */
	if (m->is_data || m->is_kconfig)
		return error_set(EINVAL, "--set map.%s: map %s is global "
				 "data: its size is its section's", what, name);
	field = strcmp(dot, ".max_entries") == 0 ? &m->max_entries :
		strcmp(dot, ".value_size") == 0 ? &m->value_size : NULL;
	if (!field)
		return error_set(EINVAL, "--set map.%s: of a map, only "
				 "max_entries and value_size", what);
	if (parse_int(text, 4, 0, &v) || v == 0)
		return error_set(EINVAL, "--set map.%s: \"%s\" is not a size",
				 what, text);
	*field = (uint32_t)v;
	return 0;
}

int run_set(struct obj *o, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	char what[128];

	if (!eq || eq == assignment ||
	    (size_t)(eq - assignment) >= sizeof what)
		return error_set(EINVAL, "--set %s: not VAR=VALUE", assignment);
	memcpy(what, assignment, (size_t)(eq - assignment));
	what[eq - assignment] = 0;
	if (strncmp(what, "map.", 4) == 0)
		return set_map_size(o, what + 4, eq + 1);
	return set_var(o, what, eq + 1);
}

int run_check_sizes(const struct obj *o)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++) {
		const struct obj_map *m = &o->maps[i];
		/* a perf event array left 0 gets one slot per CPU; a ring
		 * buffer has no values */
		int no_entries = !m->max_entries &&
				 m->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY;
		int no_value = !m->value_size &&
			       m->type == BPF_MAP_TYPE_STACK_TRACE;

		if (m->is_data || m->is_kconfig || m->is_struct_ops)
			continue;
		if (no_entries || no_value)
			return error_set(EINVAL, "map %s: no %s: user space "
					 "sets it (--set map.%s.%s=N)", m->name,
					 no_entries ? "size" : "value size",
					 m->name, no_entries ? "max_entries" :
					 "value_size");
	}
	return 0;
}
