/* The BTF feature probes: each a blob of one to three types that uses
 * the feature and nothing newer, so that the kernel refusing it says the
 * feature is unknown. A probe's BPF_BTF_LOAD goes through sys_bpf like
 * every other syscall, and --explain shows it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "obj/btf_sanitize.h"
#include "loader/btf_features.h"
#include "loader/sys.h"

#define T(name, kind, kflag, vlen, size_or_type) \
	(name), BTF_INFO(kind, kflag, vlen), (size_or_type)
/* [1] int, named by string 1 */
#define INT4(name) T(name, BTF_KIND_INT, 0, 0, 4), BTF_INT(BTF_INT_SIGNED, 0, 32)

struct probe {
	unsigned feat;
	const uint32_t *types;
	uint32_t types_len;
	const char *strs;               /* starts with "", ends with \0 */
	uint32_t strs_len;
};

/* Strings: "\0a\0" puts "a" at 1. */
static const uint32_t func_global[] = {
	INT4(1),                                        /* [1] int */
	T(0, BTF_KIND_FUNC_PROTO, 0, 1, 1), 1, 1,       /* [2] int (int a) */
	T(1, BTF_KIND_FUNC, 0, BTF_FUNC_GLOBAL, 2),     /* [3] global a */
};
static const uint32_t datasec[] = {
	INT4(0),                                        /* [1] int */
	T(1, BTF_KIND_VAR, 0, 0, 1), BTF_VAR_STATIC,    /* [2] a */
	T(3, BTF_KIND_DATASEC, 0, 1, 4), 2, 0, 4,       /* [3] .data { a } */
};
static const uint32_t float_[] = {
	T(1, BTF_KIND_FLOAT, 0, 0, 4),                  /* [1] float */
};
static const uint32_t decl_tag[] = {
	INT4(0),                                        /* [1] int */
	T(1, BTF_KIND_VAR, 0, 0, 1), BTF_VAR_STATIC,    /* [2] a */
	T(1, BTF_KIND_DECL_TAG, 0, 0, 2), (uint32_t)-1, /* [3] a on a */
};
static const uint32_t type_tag[] = {
	INT4(0),                                        /* [1] int */
	T(1, BTF_KIND_TYPE_TAG, 0, 0, 1),               /* [2] a int */
	T(0, BTF_KIND_PTR, 0, 0, 2),                    /* [3] a int * */
};
static const uint32_t enum64[] = {
	T(1, BTF_KIND_ENUM64, 0, 1, 8), 1, 0, 1,        /* [1] a { a = 1<<32 } */
};

#define PROBE(f, types, strs) \
	{ f, types, sizeof types, strs, sizeof strs }
static const struct probe probes[] = {
	PROBE(BTF_FEAT_FUNC_GLOBAL, func_global, "\0a"),
	PROBE(BTF_FEAT_DATASEC, datasec, "\0a\0.data"),
	PROBE(BTF_FEAT_QMARK_DATASEC, datasec, "\0a\0?.data"),
	PROBE(BTF_FEAT_FLOAT, float_, "\0float"),
	PROBE(BTF_FEAT_DECL_TAG, decl_tag, "\0a"),
	PROBE(BTF_FEAT_TYPE_TAG, type_tag, "\0a"),
	PROBE(BTF_FEAT_ENUM64, enum64, "\0a"),
};

/* 1: the kernel took the blob; 0: it refused it (or memory ran out,
 * which also leaves the feature unused). */
static int probe_ok(const struct probe *p)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION,
		.hdr_len = sizeof h,
		.type_len = p->types_len,
		.str_off = p->types_len, .str_len = p->strs_len,
	};
	size_t size = sizeof h + p->types_len + p->strs_len;
	unsigned char *blob = malloc(size);
	union bpf_attr a;
	int fd;

	if (!blob)
		return 0;
	memcpy(blob, &h, sizeof h);
	memcpy(blob + sizeof h, p->types, p->types_len);
	memcpy(blob + sizeof h + p->types_len, p->strs, p->strs_len);
	memset(&a, 0, sizeof a);
	a.btf = (uintptr_t)blob;
	a.btf_size = (uint32_t)size;
	fd = sys_bpf(BPF_BTF_LOAD, &a, sizeof a);
	free(blob);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* What was asked, and what of that was refused, for the process. */
static unsigned probed, refused;

unsigned kernel_btf_missing(unsigned wanted)
{
	size_t i;

	for (i = 0; i < sizeof probes / sizeof *probes; i++) {
		const struct probe *p = &probes[i];

		if (!(wanted & p->feat) || (probed & p->feat))
			continue;
		probed |= p->feat;
		if (probe_ok(p)) {
			sys_note("BTF probe: the kernel knows %s",
				 btf_feature_name(p->feat));
		} else {
			refused |= p->feat;
			sys_note("BTF probe: the kernel refuses %s",
				 btf_feature_name(p->feat));
		}
	}
	return refused & wanted;
}
