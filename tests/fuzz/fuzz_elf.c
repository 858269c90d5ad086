/* libFuzzer target for the pure readers in elf/.
 *
 * The input is read as an ELF object (every accessor over every section,
 * symbol and relocation; then its .BTF and .BTF.ext through the BTF
 * readers), and the same bytes again as a raw BTF blob, the form of
 * /sys/kernel/btf/vmlinux, both in memory and read on demand
 * (btf_open_lazy). The uprobe and USDT lookups (elf/symoff.c,
 * elf/usdt_arg.c) run over it too. Everything is freed, for
 * LeakSanitizer. */
#include <stdlib.h>
#include <string.h>
#include "elf/btf.h"
#include "elf/elf.h"
#include "elf/error.h"
#include "elf/symoff.h"
#include "elf/usdt_arg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The BTF readers want a 4-byte-aligned blob that outlives the parse. */
static void *aligned_copy(const void *src, size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, 8, n ? n : 1) != 0)
		return NULL;
	memcpy(p, src, n);
	return p;
}

static void walk_types(const struct btf *btf)
{
	uint32_t id, ids[4];

	for (id = 0; id <= btf->nr_types; id++) {
		const char *name = btf_type_name(btf, id);

		btf_skip_mods(btf, id);
		btf_resolve_size(btf, id);
		if (*name)
			btf_find(btf, name, strlen(name), -1, ids, 4);
	}
	btf_find_one(btf, "sock", BTF_KIND_STRUCT);
	btf_find(btf, "task_struct___x", 11, -1, ids, 4);
}

struct blob {
	const uint8_t *data;
	size_t size;
};

/* The lazy reader must never ask for bytes outside the blob. */
static int blob_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct blob *b = ctx;

	if (off > b->size || len > b->size - off)
		abort();
	memcpy(buf, b->data + off, len);
	return 0;
}

/* Each btf_find of a name not given up front is a pass over the blob, so
 * only a few are made. */
static void walk_lazy(const uint8_t *data, size_t size)
{
	struct blob b = { data, size };
	struct btf_source src = { blob_read, &b, size };
	const char *want[] = { "sock", "int", "" };
	struct btf btf;
	uint32_t id, ids[4];
	int finds = 0;

	/* no names up front, as doctor opens the kernel's BTF */
	if (btf_open_lazy(&btf, &src, NULL, 0) == 0)
		btf_free(&btf);
	if (btf_open_lazy(&btf, &src, want, 3) != 0)
		return;
	for (id = 0; id <= btf.nr_types; id++) {
		const char *name = btf_type_name(&btf, id);

		btf_skip_mods(&btf, id);
		btf_resolve_size(&btf, id);
		if (*name && finds++ < 4)
			btf_find(&btf, name, strlen(name), -1, ids, 4);
	}
	btf_find_one(&btf, "sock", BTF_KIND_STRUCT);
	btf_free(&btf);
}

static void walk_ext(const struct btf *btf, const void *data, size_t size)
{
	struct btf_ext ext;
	struct btf_ext_sec sec, found;
	unsigned char rec[64];
	int k;

	if (btf_ext_parse(&ext, data, size, btf) != 0)
		return;
	for (k = BTF_EXT_FUNC; k <= BTF_EXT_CORE; k++) {
		size_t cursor = 0;

		while (btf_ext_next(&ext, (enum btf_ext_kind)k, btf, &cursor,
				    &sec)) {
			uint32_t i;

			/* Touch every record, as the loader would. */
			for (i = 0; i < sec.count; i++)
				memcpy(rec, sec.recs + (size_t)i * sec.rec_size,
				       sec.rec_size < sizeof rec ?
				       sec.rec_size : sizeof rec);
			btf_ext_find(&ext, (enum btf_ext_kind)k, btf, sec.name,
				     &found);
		}
	}
}

static void walk_btf(const void *data, size_t size,
		     const void *ext, size_t ext_size)
{
	struct btf btf;
	void *copy = aligned_copy(data, size);

	walk_lazy(data, size);
	if (!copy)
		return;
	if (btf_parse(&btf, copy, size) == 0) {
		btf_check(&btf);
		walk_types(&btf);
		if (ext)
			walk_ext(&btf, ext, ext_size);
		btf_free(&btf);
	}
	free(copy);
}

static int walk_note(void *ctx, const struct usdt_note *n)
{
	const struct elf *e = ctx;
	struct usdt_arg args[USDT_MAX_ARGS];
	unsigned char spec[USDT_SPEC_SIZE];
	uint64_t off;
	int count;

	elf_addr_offset(e, n->pc, &off);
	elf_addr_offset(e, n->semaphore, &off);
	(void)strlen(n->provider);
	(void)strlen(n->name);
	count = usdt_parse_args(n->args, e->machine, args);
	if (count > 0)
		usdt_spec_write(args, count, 0, spec);
	return 0;
}

/* What a uprobe or a usdt attach reads of a target binary. */
static void walk_probes(const struct elf *e)
{
	Elf64_Sym sym;
	uint64_t off;

	elf_func_offset(e, "main", &off);
	if (e->nsyms > 1 && elf_symbol(e, 1, &sym) == 0)
		elf_func_offset(e, elf_symbol_name(e, &sym), &off);
	elf_usdt_notes(e, NULL, NULL, walk_note, (void *)e);
}

static void walk_elf(const uint8_t *data, size_t size)
{
	const void *btf = NULL, *ext = NULL, *p;
	size_t btf_size = 0, ext_size = 0, n, i;
	struct elf e;
	unsigned s;

	if (elf_open(&e, data, size) != 0)
		return;
	for (s = 0; s <= e.shnum; s++) {
		Elf64_Shdr sh;
		const char *name = elf_section_name(&e, s);
		int count, k;

		if (elf_section(&e, s, &sh) != 0 ||
		    elf_section_data(&e, s, &p, &n) != 0)
			continue;
		elf_find_section(&e, name);
		if (strcmp(name, ".BTF") == 0 && p) {
			btf = p;
			btf_size = n;
		} else if (strcmp(name, ".BTF.ext") == 0 && p) {
			ext = p;
			ext_size = n;
		}
		count = elf_rel_count(&e, s);
		for (k = 0; k < count; k++) {
			struct elf_rel r;

			elf_rel(&e, s, (size_t)k, &r);
		}
	}
	for (i = 0; i <= e.nsyms; i++) {
		Elf64_Sym sym;

		if (elf_symbol(&e, i, &sym) == 0)
			(void)strlen(elf_symbol_name(&e, &sym));
	}
	walk_probes(&e);
	if (btf)
		walk_btf(btf, btf_size, ext, ext_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	walk_elf(data, size);
	walk_btf(data, size, NULL, 0);
	error_clear();
	return 0;
}
