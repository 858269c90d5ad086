/* Rewriting an object's BTF for a kernel older than its compiler: see
 * btf_sanitize.h. Every rewrite keeps the record's length (the kinds are
 * paired so that their tails are the same size), so each type stays
 * where it was and keeps its id. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "obj/btf_sanitize.h"

static const char *const feature_names[BTF_FEAT_COUNT] = {
	"func_global", "datasec", "qmark_datasec", "float",
	"decl_tag", "type_tag", "enum64",
};

const char *btf_feature_name(unsigned feat)
{
	unsigned i;

	for (i = 0; i < BTF_FEAT_COUNT; i++)
		if (feat == 1u << i)
			return feature_names[i];
	return "?";
}

static unsigned type_features(const struct btf *btf, const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_FUNC:
		return btf_vlen(t) == BTF_FUNC_GLOBAL ? BTF_FEAT_FUNC_GLOBAL : 0;
	case BTF_KIND_VAR:
		return BTF_FEAT_DATASEC;
	case BTF_KIND_DATASEC:
		return BTF_FEAT_DATASEC | (btf_str(btf, t->name_off)[0] == '?' ?
					   BTF_FEAT_QMARK_DATASEC : 0);
	case BTF_KIND_FLOAT:
		return BTF_FEAT_FLOAT;
	case BTF_KIND_DECL_TAG:
		return BTF_FEAT_DECL_TAG;
	case BTF_KIND_TYPE_TAG:
		return BTF_FEAT_TYPE_TAG;
	case BTF_KIND_ENUM:
		return btf_kflag(t) ? BTF_FEAT_ENUM64 : 0;
	case BTF_KIND_ENUM64:
		return BTF_FEAT_ENUM64;
	}
	return 0;
}

unsigned btf_features_used(const struct btf *btf)
{
	unsigned used = 0;
	uint32_t id;

	for (id = 1; id < btf->nr_types; id++)
		used |= type_features(btf, btf_type(btf, id));
	return used;
}

static uint32_t info(unsigned kind, unsigned vlen)
{
	return BTF_INFO(kind, 0, vlen);
}

/* A 1-byte unsigned INT: what a VAR or a DECL_TAG becomes (their 4-byte
 * tail, linkage or component index, becomes the encoding). */
static void to_byte_int(struct btf_type *t)
{
	uint32_t enc = BTF_INT(0, 0, 8);

	t->info = info(BTF_KIND_INT, 0);
	t->size = 1;
	memcpy(t + 1, &enc, sizeof enc);
}

/* DATASEC -> STRUCT: a var_secinfo (type, offset, size) and a member
 * (name, type, bit offset) are both 12 bytes; each member is named after
 * its variable. */
static void datasec_to_struct(const struct btf *btf, struct btf_type *t)
{
	struct btf_var_secinfo *v = (struct btf_var_secinfo *)(t + 1);
	struct btf_member *m = (struct btf_member *)(t + 1);
	unsigned i, n = btf_vlen(t);

	for (i = 0; i < n; i++) {
		struct btf_var_secinfo s = v[i];
		const struct btf_type *var = btf_type(btf, s.type);

		m[i].name_off = var ? var->name_off : 0;
		m[i].type = s.type;
		m[i].offset = s.offset * 8;
	}
	t->info = info(BTF_KIND_STRUCT, n);
}

/* ENUM64 -> UNION: a value (name, lo32, hi32) and a member are 12 bytes;
 * every member is the added 1-byte INT, at offset 0. */
static void enum64_to_union(struct btf_type *t, uint32_t byte_int)
{
	struct btf_member *m = (struct btf_member *)(t + 1);
	unsigned i, n = btf_vlen(t);

	for (i = 0; i < n; i++) {
		m[i].type = byte_int;
		m[i].offset = 0;
	}
	t->info = info(BTF_KIND_UNION, n);
}

/* One type, rewritten for what the kernel lacks. name points at its name
 * in the copy's strings (writable). */
static void sanitize_type(const struct btf *btf, struct btf_type *t,
			  char *name, unsigned missing, uint32_t byte_int)
{
	unsigned kind = btf_kind(t);

	if (missing & BTF_FEAT_DATASEC) {
		if (kind == BTF_KIND_VAR) {
			to_byte_int(t);
			return;
		}
		if (kind == BTF_KIND_DATASEC) {
			/* ".data" is no C name; a struct's must be */
			for (; *name; name++)
				if (*name == '.' || *name == '?')
					*name = '_';
			datasec_to_struct(btf, t);
			return;
		}
	}
	switch (kind) {
	case BTF_KIND_DATASEC:
		if ((missing & BTF_FEAT_QMARK_DATASEC) && name[0] == '?')
			name[0] = '_';
		break;
	case BTF_KIND_FUNC:
		if (missing & BTF_FEAT_FUNC_GLOBAL)
			t->info = info(BTF_KIND_FUNC, BTF_FUNC_STATIC);
		break;
	case BTF_KIND_FLOAT:
		/* anonymous: "float" is no struct name to a C compiler */
		if (missing & BTF_FEAT_FLOAT) {
			t->name_off = 0;
			t->info = info(BTF_KIND_STRUCT, 0);
		}
		break;
	case BTF_KIND_DECL_TAG:
		if (missing & BTF_FEAT_DECL_TAG) {
			to_byte_int(t);
			t->name_off = 0;
		}
		break;
	case BTF_KIND_TYPE_TAG:
		if (missing & BTF_FEAT_TYPE_TAG) {
			t->name_off = 0;
			t->info = info(BTF_KIND_CONST, 0);
		}
		break;
	case BTF_KIND_ENUM:   /* kflag: signed values, known since ENUM64 */
		if (missing & BTF_FEAT_ENUM64)
			t->info = info(BTF_KIND_ENUM, btf_vlen(t));
		break;
	case BTF_KIND_ENUM64:
		if (missing & BTF_FEAT_ENUM64)
			enum64_to_union(t, byte_int);
		break;
	}
}

static int has_kind(const struct btf *btf, unsigned kind)
{
	uint32_t id;

	for (id = 1; id < btf->nr_types; id++)
		if (btf_kind(btf_type(btf, id)) == kind)
			return 1;
	return 0;
}

int btf_sanitize(const struct btf *btf, unsigned missing, void **out,
		 size_t *out_size)
{
	struct { struct btf_type t; uint32_t enc; } byte_int;
	struct btf_header h;
	unsigned char *buf;
	char *strs;
	size_t at, add = 0;
	uint32_t id, byte_int_id = 0;

	if (!btf->data)
		return error_set(EINVAL, "BTF: sanitising needs the blob in "
				 "memory");
	memcpy(&h, btf->data, sizeof h);
	if ((missing & BTF_FEAT_ENUM64) && has_kind(btf, BTF_KIND_ENUM64)) {
		memset(&byte_int, 0, sizeof byte_int);
		byte_int.t.info = info(BTF_KIND_INT, 0);
		byte_int.t.size = 1;
		byte_int.enc = BTF_INT(0, 0, 8);
		byte_int_id = btf->nr_types;
		add = sizeof byte_int;
	}
	buf = malloc(btf->size + add);
	if (!buf)
		return error_set(ENOMEM, "BTF: no memory to sanitise it");
	/* the added type goes after the last one: what follows the types
	 * (the strings, as clang lays them out) moves up */
	at = (size_t)h.hdr_len + h.type_off + h.type_len;
	memcpy(buf, btf->data, at);
	memcpy(buf + at, &byte_int, add);
	memcpy(buf + at + add, btf->data + at, btf->size - at);
	if (add) {
		if (h.str_off >= h.type_off + h.type_len)
			h.str_off += (uint32_t)add;
		h.type_len += (uint32_t)add;
		memcpy(buf, &h, sizeof h);
	}
	/* btf_parse checked every name offset against the strings */
	strs = (char *)buf + h.hdr_len + h.str_off;
	for (id = 1; id < btf->nr_types; id++) {
		struct btf_type *t = (struct btf_type *)(buf + btf->offs[id]);

		sanitize_type(btf, t, strs + t->name_off, missing,
			      byte_int_id);
	}
	*out = buf;
	*out_size = btf->size + add;
	return 0;
}
