/* The generator of malformed objects: each case is a copy of a real
 * clang-built object (build/bpf/bind.bpf.o, build/bpf/tests/relocs.bpf.o)
 * with one record broken against one rule of obj_open's checks, and must
 * be refused with a one-line error naming that rule. Every clang-built
 * object of the project must still open.
 *
 * With MALFORMED_OUT=DIR set, each case is also written to DIR/NAME.o
 * with the expected part of its message in DIR/NAME.want (for
 * tests/sh/test_malformed.sh, which runs `rawtrace inspect` on them).
 * With MALFORMED_REPORT=1 nothing is asserted: each case prints whether
 * obj_open accepted it and whether relocation (what inspect runs next)
 * then succeeded too, i.e. what would slip through. */
#include <errno.h>
#include <glob.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include "tests/testutil.h"
#include "elf/btf.h"
#include "elf/elf.h"
#include "elf/error.h"
#include "obj/object.h"

#define BIND "build/bpf/bind.bpf.o"
#define RELOCS "build/bpf/tests/relocs.bpf.o"

/* A real object read from disk, with the views needed to find records:
 * its ELF, its BTF (parsed from an aligned copy, so type ids map to file
 * offsets) and its .BTF.ext. */
struct img {
	const char *path;
	unsigned char *b;
	size_t n;
	struct elf e;
	void *btf_buf;
	struct btf btf;
	size_t btf_off;          /* file offset of .BTF */
	struct btf_ext ext;
	size_t ext_off;          /* file offset of .BTF.ext */
};

static struct img bind_img, relocs_img;
static int report, cases, accepted, slipped, crashed;

static size_t sec_off(struct img *m, const char *name)
{
	Elf64_Shdr sh;
	int idx = elf_find_section(&m->e, name);

	ck_assert_msg(idx > 0, "%s: no section %s", m->path, name);
	elf_section(&m->e, (unsigned)idx, &sh);
	return sh.sh_offset;
}

static void load(struct img *m, const char *path)
{
	const void *data;
	size_t size;
	int idx;

	memset(m, 0, sizeof *m);
	m->path = path;
	m->b = test_read_file(path, &m->n);
	ck_assert_msg(m->b != NULL, "cannot read %s: run `make tests` first",
		      path);
	ck_assert_msg(elf_open(&m->e, m->b, m->n) == 0, "%s", error_msg());
	idx = elf_find_section(&m->e, ".BTF");
	elf_section_data(&m->e, (unsigned)idx, &data, &size);
	m->btf_off = sec_off(m, ".BTF");
	m->btf_buf = malloc(size);
	memcpy(m->btf_buf, data, size);
	ck_assert_msg(btf_parse(&m->btf, m->btf_buf, size) == 0, "%s",
		      error_msg());
	idx = elf_find_section(&m->e, ".BTF.ext");
	elf_section_data(&m->e, (unsigned)idx, &data, &size);
	m->ext_off = sec_off(m, ".BTF.ext");
	ck_assert_msg(btf_ext_parse(&m->ext, data, size, &m->btf) == 0, "%s",
		      error_msg());
}

static void setup(void)
{
	report = getenv("MALFORMED_REPORT") != NULL;
	load(&bind_img, BIND);
	load(&relocs_img, RELOCS);
}

static void teardown(void)
{
	struct img *all[] = { &bind_img, &relocs_img };
	size_t i;

	for (i = 0; i < 2; i++) {
		btf_free(&all[i]->btf);
		free(all[i]->btf_buf);
		free(all[i]->b);
	}
}

/* --- finding records, as file offsets into a copy --- */

static uint32_t get32(const unsigned char *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, 4);
	return v;
}

static void put32(unsigned char *b, size_t off, uint32_t v)
{
	memcpy(b + off, &v, 4);
}

static uint64_t get64(const unsigned char *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, 8);
	return v;
}

static void put64(unsigned char *b, size_t off, uint64_t v)
{
	memcpy(b + off, &v, 8);
}

static unsigned char *copy_of(const struct img *m)
{
	unsigned char *c = malloc(m->n);

	ck_assert_ptr_nonnull(c);
	memcpy(c, m->b, m->n);
	return c;
}

static size_t shdr_at(struct img *m, const char *name)
{
	int idx = elf_find_section(&m->e, name);

	ck_assert_msg(idx > 0, "%s: no section %s", m->path, name);
	return m->e.shoff + (size_t)idx * sizeof(Elf64_Shdr);
}

static unsigned sec_idx(struct img *m, const char *name)
{
	int idx = elf_find_section(&m->e, name);

	ck_assert_msg(idx > 0, "%s: no section %s", m->path, name);
	return (unsigned)idx;
}

static size_t sym_idx(struct img *m, const char *name)
{
	Elf64_Sym s;
	size_t i;

	for (i = 1; i < m->e.nsyms; i++)
		if (elf_symbol(&m->e, i, &s) == 0 &&
		    strcmp(elf_symbol_name(&m->e, &s), name) == 0)
			return i;
	ck_abort_msg("%s: no symbol %s", m->path, name);
	return 0;
}

/* The STT_SECTION symbol of section name (section symbols have no name
 * of their own). */
static size_t sec_sym(struct img *m, const char *name)
{
	unsigned idx = sec_idx(m, name);
	Elf64_Sym s;
	size_t i;

	for (i = 1; i < m->e.nsyms; i++)
		if (elf_symbol(&m->e, i, &s) == 0 && s.st_shndx == idx &&
		    ELF64_ST_TYPE(s.st_info) == STT_SECTION)
			return i;
	ck_abort_msg("%s: no section symbol for %s", m->path, name);
	return 0;
}

static size_t sym_at(struct img *m, size_t i)
{
	return sec_off(m, ".symtab") + i * sizeof(Elf64_Sym);
}

/* Entry i of REL section relname: r_offset at +0, r_info at +8. */
static size_t rel_at(struct img *m, const char *relname, size_t i)
{
	return sec_off(m, relname) + i * sizeof(Elf64_Rel);
}

static void set_rel_info(unsigned char *c, size_t at, uint32_t sym,
			 uint32_t type)
{
	put64(c, at + 8, ELF64_R_INFO((uint64_t)sym, type));
}

/* File offset of BTF type id's record. */
static size_t type_at(struct img *m, uint32_t id)
{
	return m->btf_off + m->btf.offs[id];
}

/* First type of kind (and name, unless NULL). */
static uint32_t find_type(struct img *m, unsigned kind, const char *name)
{
	uint32_t id;

	for (id = 1; id < m->btf.nr_types; id++) {
		const struct btf_type *t = btf_type(&m->btf, id);

		if (btf_kind(t) == kind &&
		    (!name || strcmp(btf_str(&m->btf, t->name_off), name) == 0))
			return id;
	}
	ck_abort_msg("%s: no BTF %s %s", m->path, btf_kind_name(kind),
		     name ? name : "");
	return 0;
}

/* Offset of a string in the BTF string section. */
static uint32_t str_off(struct img *m, const char *s)
{
	uint32_t off;

	for (off = 1; off < m->btf.strs_len; off += strlen(m->btf.strs + off) + 1)
		if (strcmp(m->btf.strs + off, s) == 0)
			return off;
	ck_abort_msg("%s: no BTF string %s", m->path, s);
	return 0;
}

/* The records of kind for section sec: file offset of the first. */
static size_t ext_recs(struct img *m, enum btf_ext_kind kind, const char *sec,
		       uint32_t *count, uint32_t *rec_size)
{
	struct btf_ext_sec es;

	ck_assert_msg(btf_ext_find(&m->ext, kind, &m->btf, sec, &es) == 0,
		      "%s", error_msg());
	*count = es.count;
	*rec_size = es.rec_size;
	return m->ext_off + (size_t)(es.recs - m->ext.data);
}

/* --- a case --- */

static void write_case(const char *name, const unsigned char *c, size_t n,
		       const char *want)
{
	const char *dir = getenv("MALFORMED_OUT");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof path, "%s/%s.o", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fwrite(c, 1, n, f);
	fclose(f);
	snprintf(path, sizeof path, "%s/%s.want", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", want);
	fclose(f);
}

/* Report mode: opens c in a child (code without the checks may crash
 * on it) and relocates it if it opened; tallies what got through. */
static void report_case(const char *name, struct img *m, unsigned char *c)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct obj o;
		struct obj_prog_image *imgs;
		int err = obj_open(&o, name, c, m->n), rel = -1;

		if (err == 0) {
			imgs = calloc(o.nr_progs + 1, sizeof *imgs);
			rel = imgs ? obj_relocate(&o, NULL, NULL, imgs) : -1;
		}
		printf("case %-28s open: %-8s relocate: %-4s %s\n", name,
		       err ? "refused" : "ACCEPTED", err ? "-" : rel ? "fail" :
		       "ok", err ? error_msg() : "");
		fflush(stdout);
		_exit(err ? 0 : rel ? 1 : 2);
	}
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status)) {
		printf("case %-28s CRASHED (signal %d)\n", name, WTERMSIG(status));
		crashed++;
	} else if (WEXITSTATUS(status)) {
		accepted++;
		slipped += WEXITSTATUS(status) == 2;
	}
}

/* Opens the mutated copy c (freed here): it must be refused, -EINVAL,
 * with one line containing want. */
static void expect_refused(const char *name, struct img *m, unsigned char *c,
			   const char *want)
{
	struct obj o;
	int err;

	cases++;
	write_case(name, c, m->n, want);
	if (report) {
		report_case(name, m, c);
		free(c);
		return;
	}
	err = obj_open(&o, name, c, m->n);
	if (err == 0)
		obj_close(&o);
	ck_assert_msg(err == -EINVAL, "%s: accepted, or not EINVAL (%d); "
		      "want \"%s\"", name, err, want);
	ck_assert_msg(strstr(error_msg(), want) != NULL,
		      "%s: error \"%s\" lacks \"%s\"", name, error_msg(), want);
	ck_assert_msg(strchr(error_msg(), '\n') == NULL,
		      "%s: error is more than one line", name);
	free(c);
}

/* --- every clang-built object opens --- */

START_TEST(test_real_objects_open)
{
	glob_t g;
	size_t i, n = 0;

	ck_assert_int_eq(glob("build/bpf/*.bpf.o", 0, NULL, &g), 0);
	ck_assert_int_eq(glob("build/bpf/tests/*.bpf.o", GLOB_APPEND, NULL, &g),
			 0);
	for (i = 0; i < g.gl_pathc; i++) {
		struct obj_prog_image *imgs;
		struct obj o;
		size_t size;
		void *buf;

		/* made to be refused: an unknown map type, map sizes that
		 * disagree with their types (test_map_sizes) */
		if (strstr(g.gl_pathv[i], "bad_map") ||
		    strstr(g.gl_pathv[i], "_size.bpf.o"))
			continue;
		buf = test_read_file(g.gl_pathv[i], &size);
		ck_assert_ptr_nonnull(buf);
		ck_assert_msg(obj_open(&o, "real", buf, size) == 0, "%s: %s",
			      g.gl_pathv[i], error_msg());
		o.keep_notes = 1;
		imgs = calloc(o.nr_progs + 1, sizeof *imgs);
		ck_assert_ptr_nonnull(imgs);
		ck_assert_msg(obj_relocate(&o, NULL, NULL, imgs) == 0, "%s: %s",
			      g.gl_pathv[i], error_msg());
		obj_images_free(imgs, o.nr_progs);
		obj_close(&o);
		free(buf);
		n++;
	}
	ck_assert_uint_ge(n, 10);
	globfree(&g);
}
END_TEST

/* What OBJ_TRUSTED skips is checks alone: each of our own objects
 * (those rawtrace embeds) opens into the same programs, maps, externs
 * and relocated instructions with the flag as without it. */
static void same_image(const struct obj_prog_image *a,
		       const struct obj_prog_image *b)
{
	ck_assert_uint_eq(a->insn_cnt, b->insn_cnt);
	ck_assert_uint_eq(a->main_cnt, b->main_cnt);
	ck_assert_mem_eq(a->insns, b->insns, a->insn_cnt * sizeof *a->insns);
	ck_assert_uint_eq(a->nr_func_info, b->nr_func_info);
	ck_assert_uint_eq(a->nr_core_notes, b->nr_core_notes);
}

static void same_obj(const struct obj *a, const struct obj *b)
{
	struct obj_prog_image *ia = calloc(a->nr_progs + 1, sizeof *ia);
	struct obj_prog_image *ib = calloc(b->nr_progs + 1, sizeof *ib);
	size_t i;

	ck_assert_uint_eq(a->nr_progs, b->nr_progs);
	ck_assert_uint_eq(a->nr_maps, b->nr_maps);
	ck_assert_uint_eq(a->nr_externs, b->nr_externs);
	ck_assert_uint_eq(a->kconfig_size, b->kconfig_size);
	for (i = 0; i < a->nr_progs; i++) {
		ck_assert_str_eq(a->progs[i].name, b->progs[i].name);
		ck_assert_uint_eq(a->progs[i].type, b->progs[i].type);
		ck_assert_uint_eq(a->progs[i].size, b->progs[i].size);
	}
	for (i = 0; i < a->nr_maps; i++) {
		const struct obj_map *x = &a->maps[i], *y = &b->maps[i];

		ck_assert_str_eq(x->name, y->name);
		ck_assert_uint_eq(x->type, y->type);
		ck_assert_uint_eq(x->key_size, y->key_size);
		ck_assert_uint_eq(x->value_size, y->value_size);
		ck_assert_uint_eq(x->max_entries, y->max_entries);
		ck_assert_uint_eq(x->value_type_id, y->value_type_id);
		ck_assert(!x->data == !y->data);
		if (x->data)
			ck_assert_mem_eq(x->data, y->data, x->value_size);
	}
	ck_assert_ptr_nonnull(ia);
	ck_assert_ptr_nonnull(ib);
	ck_assert_int_eq(obj_relocate((struct obj *)a, NULL, NULL, ia), 0);
	ck_assert_int_eq(obj_relocate((struct obj *)b, NULL, NULL, ib), 0);
	for (i = 0; i < a->nr_progs; i++)
		same_image(&ia[i], &ib[i]);
	obj_images_free(ia, a->nr_progs);
	obj_images_free(ib, b->nr_progs);
}

START_TEST(test_trusted_open)
{
	glob_t g;
	size_t i;

	ck_assert_int_eq(glob("build/bpf/*.bpf.o", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 5);
	for (i = 0; i < g.gl_pathc; i++) {
		struct obj checked, trusted;
		size_t size;
		void *buf = test_read_file(g.gl_pathv[i], &size);

		ck_assert_ptr_nonnull(buf);
		ck_assert_msg(obj_open(&checked, "t", buf, size) == 0, "%s: %s",
			      g.gl_pathv[i], error_msg());
		ck_assert_msg(obj_open_flags(&trusted, "t", buf, size,
					     OBJ_TRUSTED) == 0, "%s: %s",
			      g.gl_pathv[i], error_msg());
		ck_assert(!checked.trusted && trusted.trusted);
		same_obj(&checked, &trusted);
		obj_close(&checked);
		obj_close(&trusted);
		free(buf);
	}
	globfree(&g);
}
END_TEST

/* __uint(value_size, N) (or key_size) that is not the size of the
 * __type beside it is refused, in either order, as libbpf refuses it. */
START_TEST(test_map_sizes)
{
	static const char *const files[][2] = {
		{ "build/bpf/tests/bad_value_size.bpf.o",
		  "map mism: conflicting value size: value_size 8, its "
		  "type's 524288" },
		{ "build/bpf/tests/bad_key_size.bpf.o",
		  "map mism: conflicting key size: key_size 2, its type's 8" },
	};
	size_t i, size;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		void *buf = test_read_file(files[i][0], &size);
		struct obj o;

		ck_assert_ptr_nonnull(buf);
		ck_assert_int_eq(obj_open(&o, "bad", buf, size), -EINVAL);
		ck_assert_msg(strstr(error_msg(), files[i][1]), "%s: %s",
			      files[i][0], error_msg());
		free(buf);
	}
}
END_TEST

/* The kernel's own BTF passed the kernel's checker: btf_check must take
 * it too (the rules are no stricter than the kernel's on real BTF). */
START_TEST(test_kernel_btf_passes)
{
	const char *paths[] = { "/sys/kernel/btf/vmlinux",
				"build/vm/vmlinux-6.1.btf",
				"tests/fixtures/min_core.btf" };
	size_t i, size, n = 0;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		void *buf = test_read_file(paths[i], &size);
		struct btf b;

		if (!buf)
			continue;
		ck_assert_msg(btf_parse(&b, buf, size) == 0, "%s: %s", paths[i],
			      error_msg());
		ck_assert_msg(btf_check(&b) == 0, "%s: %s", paths[i],
			      error_msg());
		btf_free(&b);
		free(buf);
		n++;
	}
	if (n < 2)
		SKIP("no kernel BTF here (/sys/kernel/btf/vmlinux, build/vm)");
}
END_TEST

/* --- ELF symbols --- */

START_TEST(test_symbols)
{
	struct img *m = &relocs_img;
	unsigned char *c;
	size_t s;

	/* LLVM's reader refuses a symbol table whose entries are not
	 * Elf64_Sym-sized, whatever the section's size */
	c = copy_of(m);
	put64(c, shdr_at(m, ".symtab") + offsetof(Elf64_Shdr, sh_entsize), 16);
	expect_refused("symtab_entsize", m, c,
		       "section .symtab: sh_entsize 16 is not 24");

	c = copy_of(m);
	put64(c, shdr_at(m, ".symtab") + offsetof(Elf64_Shdr, sh_entsize), 0);
	expect_refused("symtab_entsize_zero", m, c,
		       "section .symtab: sh_entsize 0 is not 24");

	/* the FILE symbol: used by nothing, so skipped before */
	c = copy_of(m);
	put32(c, sym_at(m, 1) + offsetof(Elf64_Sym, st_name), 0xfffff);
	expect_refused("sym_name_range", m, c, "outside string table");

	c = copy_of(m);
	s = sec_sym(m, ".debug_abbrev");
	memcpy(c + sym_at(m, s) + offsetof(Elf64_Sym, st_shndx),
	       &(uint16_t){ 0xff00 }, 2);
	expect_refused("sym_shndx_range", m, c, "st_shndx 65280 out of range");

	c = copy_of(m);
	put64(c, sym_at(m, sym_idx(m, "ro_third")) +
	      offsetof(Elf64_Sym, st_value), 0x1000);
	expect_refused("sym_outside_section", m, c, "outside section .rodata");

	/* a NOBITS section's size is not bounded by the file: the fuzzer
	 * made a 4 GB .bss, which obj_open then allocated */
	c = copy_of(m);
	put64(c, shdr_at(m, ".bss") + offsetof(Elf64_Shdr, sh_size), 1ull << 32);
	expect_refused("data_section_too_big", m, c,
		       "section .bss: 4294967296 bytes of global data");

	/* sections without bytes where bytes are read */
	c = copy_of(m);
	put32(c, shdr_at(m, ".text") + offsetof(Elf64_Shdr, sh_type), SHT_NOBITS);
	expect_refused("text_without_bytes", m, c, "section .text is not code");

	c = copy_of(m);
	put32(c, shdr_at(m, ".BTF") + offsetof(Elf64_Shdr, sh_type), SHT_NOBITS);
	expect_refused("btf_without_bytes", m, c,
		       ".BTF: a section without bytes");

	c = copy_of(m);
	put32(c, shdr_at(m, ".BTF.ext") + offsetof(Elf64_Shdr, sh_type),
	      SHT_NOBITS);
	expect_refused("btf_ext_without_bytes", m, c,
		       ".BTF.ext: a section without bytes");

	c = copy_of(m);
	put64(c, sym_at(m, sym_idx(m, "add_one")) +
	      offsetof(Elf64_Sym, st_size), 100);
	expect_refused("sym_func_partial_insn", m, c, "not whole instructions");
}
END_TEST

/* --- relocations of code --- */

#define TP ".reltracepoint/syscalls/sys_enter_bind"

START_TEST(test_code_relocations)
{
	struct img *m = &relocs_img;
	unsigned char *c;
	size_t s, prog = sec_off(m, "tracepoint/syscalls/sys_enter_bind");

	/* the example: dropped without a word before */
	c = copy_of(m);
	put64(c, rel_at(m, TP, 2), 0x30 + 4);
	expect_refused("rel_not_insn_aligned", m, c,
		       "offset 52): not a multiple of 8");

	/* entry 0 is an ld_imm64 at 0; insn 2 (offset 16) is a load */
	c = copy_of(m);
	put64(c, rel_at(m, TP, 0), 16);
	expect_refused("rel_ld_on_wrong_insn", m, c,
		       "R_BPF_64_64 on code 0x79, not an ld_imm64");

	/* the second half of an ld_imm64 */
	c = copy_of(m);
	put64(c, rel_at(m, TP, 0), 8);
	expect_refused("rel_ld_second_half", m, c, "not an ld_imm64");

	/* entry 3 is the call at 0x48: as R_BPF_64_64 */
	c = copy_of(m);
	set_rel_info(c, rel_at(m, TP, 3), (uint32_t)sec_sym(m, ".text"), 1);
	expect_refused("rel_type_vs_insn", m, c, "not an ld_imm64");

	c = copy_of(m);
	set_rel_info(c, rel_at(m, TP, 2), (uint32_t)sym_idx(m, "ro_first"), 7);
	expect_refused("rel_type_unknown", m, c,
		       "relocation type 7 is not one for code");

	c = copy_of(m);
	set_rel_info(c, rel_at(m, TP, 2), 0xffff, 1);
	expect_refused("rel_symbol_range", m, c, "symbol index 65535 out of range");

	/* the call against a map symbol */
	c = copy_of(m);
	set_rel_info(c, rel_at(m, TP, 3), (uint32_t)sym_idx(m, "counts"), 10);
	expect_refused("rel_call_not_text", m, c, "which is not in .text");

	/* the call's imm past the end of .text */
	c = copy_of(m);
	put32(c, prog + 9 * 8 + 4, 500);
	expect_refused("rel_call_past_text", m, c, "lands on no function");

	/* a helper call (src_reg 0) with a call relocation */
	c = copy_of(m);
	c[prog + 9 * 8 + 1] = 0;
	expect_refused("rel_call_helper", m, c, "on a helper call");

	/* ld_imm64 of ro_first (.rodata, 16 bytes) + 4096 */
	c = copy_of(m);
	put32(c, prog + 6 * 8 + 4, 4096);
	expect_refused("rel_data_outside", m, c, "outside section .rodata");

	/* the program shrunk to 3 instructions: later relocations are in
	 * no program (silently dropped before) */
	c = copy_of(m);
	put64(c, sym_at(m, sym_idx(m, "reloc_tp")) +
	      offsetof(Elf64_Sym, st_size), 24);
	expect_refused("rel_outside_program", m, c, "in no program or function");

	/* a map reference against a label moved into .maps, at no map */
	c = copy_of(m);
	s = sym_idx(m, "LBB3_2");
	memcpy(c + sym_at(m, s) + offsetof(Elf64_Sym, st_shndx),
	       &(uint16_t){ (uint16_t)sec_idx(m, ".maps") }, 2);
	put64(c, sym_at(m, s) + offsetof(Elf64_Sym, st_value), 8);
	set_rel_info(c, rel_at(m, TP, 0), (uint32_t)s, 1);
	expect_refused("rel_map_at_no_map", m, c, "no map at .maps+8");
}
END_TEST

/* --- relocations of .BTF, .BTF.ext, debug sections; unknown targets --- */

START_TEST(test_other_relocations)
{
	struct img *m = &relocs_img;
	unsigned char *c;

	/* the same rule for relocations: an entry is an Elf64_Rel */
	c = copy_of(m);
	put64(c, shdr_at(m, ".rel.BTF") + offsetof(Elf64_Shdr, sh_entsize), 24);
	expect_refused("rel_entsize", m, c,
		       "section .rel.BTF: sh_entsize 24 is not 16");

	c = copy_of(m);
	put64(c, rel_at(m, ".rel.BTF", 0), get32(m->b, rel_at(m, ".rel.BTF", 0)) + 4);
	expect_refused("rel_btf_not_datasec", m, c,
		       "is not a DATASEC entry's offset");

	/* bss_c's entry against data_a, a symbol of .data */
	c = copy_of(m);
	set_rel_info(c, rel_at(m, ".rel.BTF", 0), (uint32_t)sym_idx(m, "data_a"),
		     4);
	expect_refused("rel_btf_wrong_section", m, c,
		       "for a record of section '.bss'");

	c = copy_of(m);
	put64(c, rel_at(m, ".rel.BTF.ext", 0),
	      get32(m->b, rel_at(m, ".rel.BTF.ext", 0)) + 4);
	expect_refused("rel_btfext_not_insn_off", m, c,
		       "is not a record's insn_off");

	c = copy_of(m);
	set_rel_info(c, rel_at(m, ".rel.BTF.ext", 0),
		     (uint32_t)sym_idx(m, "reloc_sock"), 4);
	expect_refused("rel_btfext_wrong_section", m, c,
		       "for a record of section '.text'");

	c = copy_of(m);
	set_rel_info(c, rel_at(m, ".rel.debug_info", 0),
		     (uint32_t)sec_sym(m, ".debug_abbrev"), 1);
	expect_refused("rel_debug_not_data", m, c,
		       "relocation type 1 is not one for data");

	/* .rel.debug_addr retargeted at .rodata, which nothing relocates */
	c = copy_of(m);
	put32(c, shdr_at(m, ".rel.debug_addr") + offsetof(Elf64_Shdr, sh_info),
	      sec_idx(m, ".rodata"));
	expect_refused("rel_section_of_data", m, c,
		       "relocations of section .rodata, which nothing applies");
}
END_TEST

/* --- BTF --- */

static size_t member_at(struct img *m, uint32_t id, unsigned i)
{
	return type_at(m, id) + sizeof(struct btf_type) +
	       i * sizeof(struct btf_member);
}

static size_t secinfo_at(struct img *m, uint32_t id, unsigned i)
{
	return type_at(m, id) + sizeof(struct btf_type) +
	       i * sizeof(struct btf_var_secinfo);
}

/* info: kind in bits 24-28, kind_flag bit 31, vlen bits 0-15 */
#define INFO(kind, kflag, vlen) ((uint32_t)(kflag) << 31 | (kind) << 24 | (vlen))
#define T_TYPE offsetof(struct btf_type, type)
#define T_INFO offsetof(struct btf_type, info)
#define T_NAME offsetof(struct btf_type, name_off)

START_TEST(test_btf_refs)
{
	struct img *m = &bind_img;
	unsigned char *c;
	uint32_t cst = find_type(m, BTF_KIND_CONST, NULL);
	uint32_t vol = btf_type(&m->btf, cst)->type;
	uint32_t tdef = find_type(m, BTF_KIND_TYPEDEF, "__u8");
	uint32_t ptr = find_type(m, BTF_KIND_PTR, NULL);
	uint32_t sock = find_type(m, BTF_KIND_STRUCT, "sockaddr_in");
	uint32_t func = find_type(m, BTF_KIND_FUNC, NULL);
	uint32_t uint = find_type(m, BTF_KIND_INT, "unsigned int");

	ck_assert_int_eq(btf_kind(btf_type(&m->btf, vol)), BTF_KIND_VOLATILE);

	c = copy_of(m);
	put32(c, type_at(m, 1) + T_TYPE, 0x7fffff);
	expect_refused("btf_type_id_range", m, c, "out of range");

	/* CONST -> VOLATILE -> TYPEDEF -> CONST */
	c = copy_of(m);
	put32(c, type_at(m, vol) + T_TYPE, tdef);
	put32(c, type_at(m, tdef) + T_TYPE, cst);
	expect_refused("btf_modifier_loop", m, c,
		       "reference loop through modifiers and pointers");

	c = copy_of(m);
	put32(c, type_at(m, ptr) + T_TYPE, ptr);
	expect_refused("btf_pointer_loop", m, c,
		       "reference loop through modifiers and pointers");

	/* sockaddr_in's member sin_family of type sockaddr_in */
	c = copy_of(m);
	put32(c, member_at(m, sock, 0) + offsetof(struct btf_member, type), sock);
	expect_refused("btf_struct_holds_itself", m, c, "contains itself");

	/* ... and through an array: sin_zero is __u8[8] */
	c = copy_of(m);
	{
		uint32_t arr = ((const struct btf_member *)
				btf_tail(btf_type(&m->btf, sock)))[3].type;

		put32(c, type_at(m, arr) + sizeof(struct btf_type) +
		      offsetof(struct btf_array, type), sock);
	}
	expect_refused("btf_struct_holds_itself_array", m, c, "contains itself");

	/* the example */
	c = copy_of(m);
	put32(c, type_at(m, func) + T_TYPE, uint);
	expect_refused("btf_func_not_proto", m, c, "not a FUNC_PROTO");

	c = copy_of(m);
	put32(c, member_at(m, sock, 1) + offsetof(struct btf_member, type),
	      btf_type(&m->btf, func)->type);
	expect_refused("btf_member_no_size", m, c, "has no size");

	c = copy_of(m);
	{
		uint32_t arr = ((const struct btf_member *)
				btf_tail(btf_type(&m->btf, sock)))[3].type;

		put32(c, type_at(m, arr) + sizeof(struct btf_type) +
		      offsetof(struct btf_array, index_type), sock);
	}
	expect_refused("btf_array_index", m, c, "is not an INT");
}
END_TEST

START_TEST(test_btf_sizes)
{
	struct img *m = &bind_img;
	unsigned char *c;
	uint32_t sock = find_type(m, BTF_KIND_STRUCT, "sockaddr_in");
	uint32_t arr = ((const struct btf_member *)
			btf_tail(btf_type(&m->btf, sock)))[3].type;
	uint32_t uni = find_type(m, BTF_KIND_UNION, "sockaddr_any");
	uint32_t uint = find_type(m, BTF_KIND_INT, "unsigned int");
	uint32_t en = find_type(m, BTF_KIND_ENUM, NULL);
	uint32_t ptr = find_type(m, BTF_KIND_PTR, NULL);

	/* sin_zero (8 bytes) at byte 12 of 16 */
	c = copy_of(m);
	put32(c, member_at(m, sock, 3) + offsetof(struct btf_member, offset),
	      96);
	expect_refused("btf_member_past_end", m, c, "past the struct's 16 bytes");

	c = copy_of(m);
	put32(c, member_at(m, sock, 2) + offsetof(struct btf_member, offset), 8);
	expect_refused("btf_member_order", m, c, "before the previous member's");

	c = copy_of(m);
	put32(c, member_at(m, uni, 1) + offsetof(struct btf_member, offset), 32);
	expect_refused("btf_union_member_offset", m, c, "a union member at bit");

	/* __u8[0x80000000] in a 16-byte struct: ... and an array of int of
	 * 2^31 elements overflows 32 bits */
	c = copy_of(m);
	put32(c, type_at(m, arr) + sizeof(struct btf_type) +
	      offsetof(struct btf_array, type), uint);
	put32(c, type_at(m, arr) + sizeof(struct btf_type) +
	      offsetof(struct btf_array, nelems), 0x80000000u);
	expect_refused("btf_array_overflow", m, c,
		       "2147483648 elements of 4 bytes overflow 32 bits");

	c = copy_of(m);
	put32(c, type_at(m, uint) + sizeof(struct btf_type), 40);   /* bits */
	expect_refused("btf_int_bits", m, c, "40 bits exceed the size 4");

	c = copy_of(m);
	put32(c, type_at(m, en) + offsetof(struct btf_type, size), 3);
	expect_refused("btf_enum_size", m, c, "size 3 is not 1, 2, 4 or 8");

	c = copy_of(m);
	put32(c, type_at(m, ptr) + T_INFO, INFO(BTF_KIND_PTR, 1, 0));
	expect_refused("btf_kind_flag", m, c, "kind_flag set");

	c = copy_of(m);
	put32(c, type_at(m, ptr) + T_INFO, INFO(BTF_KIND_PTR, 0, 1));
	expect_refused("btf_vlen", m, c, "vlen 1, must be 0");

	c = copy_of(m);
	put32(c, type_at(m, sock) + T_NAME, str_off(m, ".rodata"));
	expect_refused("btf_name_not_identifier", m, c,
		       "name is not a C identifier");

	c = copy_of(m);
	put32(c, type_at(m, ptr) + T_NAME, str_off(m, "socket"));
	expect_refused("btf_ptr_with_name", m, c, "this kind has no name");
}
END_TEST

START_TEST(test_btf_datasec)
{
	struct img *m = &bind_img;
	unsigned char *c;
	uint32_t ro = find_type(m, BTF_KIND_DATASEC, ".rodata");
	uint32_t uint = find_type(m, BTF_KIND_INT, "unsigned int");
	const struct btf_var_secinfo *v = btf_tail(btf_type(&m->btf, ro));
	unsigned i, n = btf_vlen(btf_type(&m->btf, ro)), first = 0;
	char want[80];
	Elf64_Shdr sh;
	Elf64_Sym s;

	elf_section(&m->e, sec_idx(m, ".rodata"), &sh);

	/* the entry of the variable at offset 0 (offsets are filled from
	 * the symbols: clang leaves them 0) */
	for (i = 0; i < n; i++) {
		const char *name = btf_type_name(&m->btf, v[i].type);

		elf_symbol(&m->e, sym_idx(m, name), &s);
		if (s.st_value == 0)
			first = i;
	}

	/* the example: an entry past its section */
	c = copy_of(m);
	put32(c, secinfo_at(m, ro, n - 1) + offsetof(struct btf_var_secinfo,
						      size), 200);
	snprintf(want, sizeof want, "past the section's %llu bytes",
		 (unsigned long long)sh.sh_size);
	expect_refused("btf_datasec_past_section", m, c, want);

	c = copy_of(m);
	put32(c, secinfo_at(m, ro, first) + offsetof(struct btf_var_secinfo,
						      size), (uint32_t)sh.sh_size);
	expect_refused("btf_datasec_overlap", m, c, "overlap");

	c = copy_of(m);
	put32(c, secinfo_at(m, ro, 0) + offsetof(struct btf_var_secinfo, type),
	      uint);
	expect_refused("btf_datasec_not_var", m, c, "not a VAR");

	/* knobs (struct bind_knobs, more than 2 bytes) given 2 */
	c = copy_of(m);
	for (i = 0; i < n; i++)
		if (strcmp(btf_type_name(&m->btf, v[i].type), "knobs") == 0)
			put32(c, secinfo_at(m, ro, i) +
			      offsetof(struct btf_var_secinfo, size), 2);
	expect_refused("btf_datasec_var_size", m, c, "smaller than its type's");

	c = copy_of(m);
	put32(c, type_at(m, ro) + T_NAME, str_off(m, "socket"));
	expect_refused("btf_datasec_no_section", m, c, "names no ELF section");

	/* clang leaves the size 0; one that is set must be the section's */
	c = copy_of(m);
	put32(c, type_at(m, ro) + offsetof(struct btf_type, size), 100);
	snprintf(want, sizeof want, "size 100, but the section has %llu bytes",
		 (unsigned long long)sh.sh_size);
	expect_refused("btf_datasec_size", m, c, want);

	/* knobs' symbol renamed: its offset cannot be filled in */
	c = copy_of(m);
	elf_symbol(&m->e, sym_idx(m, "use_ringbuf"), &s);
	put32(c, sym_at(m, sym_idx(m, "knobs")) +
	      offsetof(Elf64_Sym, st_name), s.st_name);
	expect_refused("btf_datasec_var_no_symbol", m, c,
		       "no global symbol knobs in section .rodata");

	c = copy_of(m);
	put32(c, type_at(m, v[0].type) + sizeof(struct btf_type), 7);
	expect_refused("btf_var_linkage", m, c, "linkage 7");
}
END_TEST

/* --- .BTF.ext records --- */

/* The first section with CO-RE records (it has func and line info too). */
static const char *core_section(struct img *m)
{
	struct btf_ext_sec es;
	size_t cursor = 0;

	ck_assert_int_eq(btf_ext_next(&m->ext, BTF_EXT_CORE, &m->btf, &cursor,
				      &es), 1);
	return es.name;
}

START_TEST(test_btf_ext)
{
	struct img *m = &bind_img;
	const char *sec = core_section(m);
	unsigned char *c;
	uint32_t cnt, rs, uint = find_type(m, BTF_KIND_INT, "unsigned int");
	size_t f = ext_recs(m, BTF_EXT_FUNC, sec, &cnt, &rs);
	size_t l = ext_recs(m, BTF_EXT_LINE, sec, &cnt, &rs);
	size_t r = ext_recs(m, BTF_EXT_CORE, sec, &cnt, &rs);
	Elf64_Shdr sh;
	size_t size;

	elf_section(&m->e, sec_idx(m, sec), &sh);
	size = sh.sh_size;

	c = copy_of(m);
	put32(c, f, 4);
	expect_refused("ext_func_insn_unaligned", m, c,
		       "insn_off 4 is not a multiple of 8");

	c = copy_of(m);
	put32(c, f + 4, uint);
	expect_refused("ext_func_not_func", m, c, "is not a FUNC");

	c = copy_of(m);
	put32(c, l, (uint32_t)size + 8);
	expect_refused("ext_line_insn_past", m, c, "past the section's");

	c = copy_of(m);
	put32(c, l + offsetof(struct bpf_line_info, line_off), 0xffffff);
	expect_refused("ext_line_name_range", m, c, "outside the BTF strings");

	/* libbpf looks at CO-RE instruction offsets only at load */
	c = copy_of(m);
	put32(c, r + rs, get32(m->b, r + rs) + 4);
	expect_refused("ext_core_insn_unaligned", m, c, "is not a multiple of 8");

	c = copy_of(m);
	put32(c, r, (uint32_t)size + 64);
	expect_refused("ext_core_insn_past", m, c, "past the section's");

	c = copy_of(m);
	put32(c, r + offsetof(struct bpf_core_relo, kind), 99);
	expect_refused("ext_core_kind", m, c, "unknown kind 99");

	c = copy_of(m);
	put32(c, r + offsetof(struct bpf_core_relo, access_str_off),
	      str_off(m, "socket"));
	expect_refused("ext_core_access", m, c, "is not \"N:N:...\"");

	c = copy_of(m);
	put32(c, r + offsetof(struct bpf_core_relo, type_id), 0x7fff);
	expect_refused("ext_core_type_range", m, c, "type 32767 out of range");

	/* the program's last instruction is its exit */
	c = copy_of(m);
	put32(c, r, (uint32_t)size - 8);
	expect_refused("ext_core_on_exit", m, c, "cannot carry a value");

	/* the last func_info group emptied, the part shortened to match:
	 * libbpf refuses a group of no records */
	c = copy_of(m);
	{
		struct btf_ext_sec es, last = { 0 };
		size_t cursor = 0, at;

		while (btf_ext_next(&m->ext, BTF_EXT_FUNC, &m->btf, &cursor, &es))
			last = es;
		at = m->ext_off + (size_t)(last.recs - m->ext.data);
		put32(c, at - 4, 0);
		put32(c, m->ext_off + 12, get32(m->b, m->ext_off + 12) -
		      last.count * last.rec_size);
	}
	expect_refused("ext_empty_group", m, c, "has no records");

	c = copy_of(m);
	put32(c, f - 8, str_off(m, "socket"));
	expect_refused("ext_section_missing", m, c,
		       "section socket is not a code section");
}
END_TEST

/* func_info of .text in relocs.bpf.o: two functions, swapped. */
START_TEST(test_btf_ext_order)
{
	struct img *m = &relocs_img;
	unsigned char *c;
	uint32_t cnt, rs;
	size_t f = ext_recs(m, BTF_EXT_FUNC, ".text", &cnt, &rs);

	ck_assert_uint_ge(cnt, 2);
	c = copy_of(m);
	put32(c, f, get32(m->b, f + rs));
	put32(c, f + rs, 0);
	expect_refused("ext_func_order", m, c, "not after the previous");
}
END_TEST

/* --- externs and map initial values (tests/bpf/externs.bpf.c) --- */

/* File offset of the entry of REL section relname against symbol sym. */
static size_t rel_against(struct img *m, const char *relname, size_t sym)
{
	Elf64_Shdr sh;
	size_t i;

	elf_section(&m->e, sec_idx(m, relname), &sh);
	for (i = 0; i < sh.sh_size / sizeof(Elf64_Rel); i++)
		if (ELF64_R_SYM(get64(m->b, rel_at(m, relname, i) + 8)) == sym)
			return rel_at(m, relname, i);
	ck_abort_msg("%s: no %s entry against symbol %zu", m->path, relname,
		     sym);
	return 0;
}

START_TEST(test_externs)
{
	struct img x, *m = &x;
	unsigned char *c;
	uint32_t id;
	size_t r;

	load(m, "build/bpf/tests/externs.bpf.o");
	/* the VAR no longer extern: the symbol is undefined for nothing */
	id = find_type(m, BTF_KIND_VAR, "LINUX_KERNEL_VERSION");
	c = copy_of(m);
	put32(c, type_at(m, id) + sizeof(struct btf_type),
	      BTF_VAR_GLOBAL_ALLOCATED);
	expect_refused("extern_no_btf", m, c, "extern LINUX_KERNEL_VERSION: "
		       "no VAR or FUNC of that name with extern linkage");

	/* a kconfig value of a struct type */
	c = copy_of(m);
	put32(c, type_at(m, find_type(m, BTF_KIND_VAR, "CONFIG_HZ")) + T_TYPE,
	      find_type(m, BTF_KIND_STRUCT, "inner"));
	expect_refused("extern_kconfig_type", m, c, "is not bool, char, an "
		       "integer, enum libbpf_tristate or a char array");

	/* a kfunc call retargeted at a kconfig value */
	c = copy_of(m);
	r = rel_against(m, ".relksyscall/nanosleep",
			sym_idx(m, "bpf_task_release"));
	set_rel_info(c, r, (uint32_t)sym_idx(m, "LINUX_KERNEL_VERSION"), 10);
	expect_refused("extern_call_not_func", m, c, "call to extern "
		       "LINUX_KERNEL_VERSION, which is no function");

	/* outer's initial value moved before its 'values' */
	r = rel_against(m, ".rel.maps", sym_idx(m, "inner_a"));
	c = copy_of(m);
	put64(c, r, get64(m->b, r) - 16);
	expect_refused("rel_maps_not_slot", m, c, "is no slot of a map's "
		       "'values'");

	/* a map-in-map slot holding a program */
	c = copy_of(m);
	set_rel_info(c, r, (uint32_t)sym_idx(m, "iter_task"), 2);
	expect_refused("rel_maps_wrong_kind", m, c, "iter_task is not a map");

	btf_free(&m->btf);
	free(m->btf_buf);
	free(m->b);
}
END_TEST

/* The count of cases the report mode ran, and what got through. */
START_TEST(test_report)
{
	if (report)
		printf("malformed: %d cases, %d accepted by obj_open, %d of "
		       "them relocated too, %d crashed\n", cases, accepted,
		       slipped, crashed);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("malformed");
	TCase *tc = tcase_create("malformed");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_real_objects_open);
	tcase_add_test(tc, test_trusted_open);
	tcase_add_test(tc, test_map_sizes);
	tcase_add_test(tc, test_kernel_btf_passes);
	tcase_add_test(tc, test_symbols);
	tcase_add_test(tc, test_code_relocations);
	tcase_add_test(tc, test_other_relocations);
	tcase_add_test(tc, test_btf_refs);
	tcase_add_test(tc, test_btf_sizes);
	tcase_add_test(tc, test_btf_datasec);
	tcase_add_test(tc, test_btf_ext);
	tcase_add_test(tc, test_btf_ext_order);
	tcase_add_test(tc, test_externs);
	tcase_add_test(tc, test_report);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* one process: the report counts add up across tests */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
