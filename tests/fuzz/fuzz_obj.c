/* libFuzzer target for the whole pure path: what `rawtrace inspect
 * untrusted.o` runs before it prints.
 *
 * The input is opened as a BPF object (obj_open and all its checks),
 * relocated without kernel BTF (CO-RE left unresolved, as inspect does on
 * a kernel without BTF) and again against a fixed kernel BTF, the
 * committed tests/fixtures/min_core.btf (or $RAWTRACE_FUZZ_KBTF); every
 * relocated instruction is disassembled, and the maps the programs need
 * are worked out. Then the externs are resolved by a made-up kernel
 * (every other one missing, values of each form) and the object relocated
 * once more; its BTF is sanitised as for a kernel that knows none of the
 * newer kinds, and the result parsed again. Everything is freed, for
 * LeakSanitizer.
 * It links elf/ and obj/ only: the layers that make no syscall. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/btf.h"
#include "elf/error.h"
#include "obj/btf_sanitize.h"
#include "obj/disasm.h"
#include "obj/object.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
/* Every rewrite at once: the copy must parse, with none of the kinds
 * and linkages left that it was rid of. */
static void sanitize_all(const struct btf *btf)
{
	struct btf out;
	void *blob;
	size_t size;

	if (btf_sanitize(btf, (1u << BTF_FEAT_COUNT) - 1, &blob, &size) != 0)
		return;
	if (btf_parse(&out, blob, size) != 0 || btf_features_used(&out))
		abort();
	btf_free(&out);
	free(blob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Relocation notes are told to a callback, as the loader's --explain
 * gets them: this one only reads them. */
static void note(void *ctx, const char *prog, size_t insn, const char *text)
{
	*(size_t *)ctx += strlen(prog) + strlen(text) + insn;
}

static struct btf kbtf;
static void *kbtf_buf;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("RAWTRACE_FUZZ_KBTF");
	FILE *f;
	long n;

	if (!path)
		path = "tests/fixtures/min_core.btf";
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) || posix_memalign(&kbtf_buf, 8, (size_t)n) ||
	    fread(kbtf_buf, 1, (size_t)n, f) != (size_t)n ||
	    btf_parse(&kbtf, kbtf_buf, (size_t)n) != 0) {
		fprintf(stderr, "fuzz_obj: cannot read the kernel BTF fixture "
			"%s (run from the source tree): %s\n", path, error_msg());
		exit(2);
	}
	fclose(f);
	return 0;
}

static void map_name(void *ctx, const struct bpf_insn *insn, char *buf,
		     size_t len)
{
	snprintf(buf, len, "map#%d", insn->imm);
}

static void walk_progs(const struct obj *o, const struct obj_prog_image *imgs)
{
	char line[256];
	size_t i, k;

	for (i = 0; i < o->nr_progs; i++) {
		const struct obj_prog_image *p = &imgs[i];

		for (k = 0; k < p->insn_cnt; ) {
			int n = disasm_insn(p->insns, p->insn_cnt, k, line,
					    sizeof line, map_name, NULL);

			k += n > 0 ? (size_t)n : 1;
		}
	}
}

/* A kernel that has every other extern, with a value of each form. */
static int fake_kernel(void *ctx, const struct obj_extern *e,
		       struct extern_value *v)
{
	static const char *const values[] = { "y", "m", "n", "42", "-1",
					      "0xffffffffffffffff",
					      "\"text\"", "\"", "" };
	unsigned *n = ctx;

	v->found = (*n)++ % 2 == 0;
	v->kconfig = values[*n % (sizeof values / sizeof values[0])];
	v->btf_id = *n;
	v->addr = 0xffffffff81000000ull + *n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct obj o;
	struct obj_prog_image *imgs;
	unsigned char *needed;
	size_t noted = 0;
	unsigned asked = 0;

	if (obj_open(&o, "fuzz", data, size) != 0) {
		error_clear();
		return 0;
	}
	o.keep_notes = 1;
	o.note = note;
	o.note_ctx = &noted;
	needed = calloc(o.nr_maps + 1, 1);
	if (needed)
		obj_maps_needed(&o, needed);
	free(needed);
	/* each relocation into the images of the one before */
	imgs = calloc(o.nr_progs + 1, sizeof *imgs);
	if (imgs && obj_relocate(&o, NULL, NULL, imgs) == 0)
		walk_progs(&o, imgs);
	if (imgs && obj_relocate(&o, &kbtf, NULL, imgs) == 0)
		walk_progs(&o, imgs);
	if (imgs && obj_resolve_externs(&o, fake_kernel, &asked) == 0 &&
	    obj_relocate(&o, NULL, NULL, imgs) == 0)
		walk_progs(&o, imgs);
	obj_images_free(imgs, imgs ? o.nr_progs : 0);
	if (o.has_btf)
		sanitize_all(&o.btf);
	obj_close(&o);
	error_clear();
	return 0;
}
