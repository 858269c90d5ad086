/* Relocation, checked instruction by instruction on tests/bpf/relocs.bpf.c:
 * map references, global data at non-zero offsets, static and global
 * subprograms appended once per program, nested calls. No kernel needed:
 * before maps exist, references carry the map's index. */
#include <string.h>
#include "elf/error.h"
#include "obj/object.h"
#include "tests/testutil.h"

#define OBJ "build/bpf/tests/relocs.bpf.o"

static struct obj o;
static struct obj_prog_image *imgs;     /* [i]: o.progs[i] relocated */
static void *buf;
static size_t buf_size;

static void setup(void)
{
	buf = test_read_file(OBJ, &buf_size);
	ck_assert_msg(buf, "cannot read %s (make tests builds it)", OBJ);
	ck_assert_msg(obj_open(&o, "relocs", buf, buf_size) == 0, "%s",
		      error_msg());
	o.keep_notes = 1;
	imgs = calloc(o.nr_progs, sizeof *imgs);
	ck_assert_ptr_nonnull(imgs);
	ck_assert_msg(obj_relocate(&o, NULL, NULL, imgs) == 0, "%s",
		      error_msg());
}

static void teardown(void)
{
	obj_images_free(imgs, o.nr_progs);
	obj_close(&o);
	free(buf);
}

static Elf64_Sym symbol(const char *name)
{
	Elf64_Sym sym;
	size_t i;

	for (i = 1; i < o.elf.nsyms; i++)
		if (elf_symbol(&o.elf, i, &sym) == 0 &&
		    strcmp(elf_symbol_name(&o.elf, &sym), name) == 0)
			return sym;
	ck_abort_msg("no symbol %s", name);
	return sym;
}

static int map_index(const char *name)
{
	struct obj_map *m = obj_map(&o, name);

	ck_assert_msg(m, "no map %s", name);
	return (int)(m - o.maps);
}

/* Program name as setup relocated it. */
static const struct obj_prog_image *image(const char *name)
{
	const struct obj_prog *p = obj_prog(&o, name);

	ck_assert_msg(p, "no program %s", name);
	return &imgs[p - o.progs];
}

/* The ld_imm64 that refers to data map `map` at offset off, or -1. */
static long find_data_ref(const struct obj_prog_image *p, const char *map,
			  int off)
{
	size_t i;

	for (i = 0; i + 1 < p->insn_cnt; i++)
		if (p->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    p->insns[i].src_reg == BPF_PSEUDO_MAP_VALUE &&
		    p->insns[i].imm == map_index(map) &&
		    p->insns[i + 1].imm == off)
			return (long)i;
	return -1;
}

START_TEST(maps_and_data_sections)
{
	ck_assert_uint_eq(o.nr_maps, 5);
	ck_assert_str_eq(o.maps[map_index("relocs.rodata")].name,
			 "relocs.rodata");
	ck_assert_uint_eq(obj_map(&o, "relocs.rodata")->flags,
			  BPF_F_RDONLY_PROG);
	ck_assert_uint_eq(obj_map(&o, "relocs.bss")->value_size, 24);
	ck_assert_uint_eq(obj_map(&o, "totals")->type, BPF_MAP_TYPE_HASH);
	ck_assert_uint_eq(obj_map(&o, "totals")->max_entries, 16);
	ck_assert_uint_eq(obj_map(&o, "counts")->type, BPF_MAP_TYPE_ARRAY);
	ck_assert_uint_eq(obj_map(&o, "counts")->value_size, 8);
}
END_TEST

/* Every global the programs touch is a MAP_VALUE reference with the
 * variable's own offset in the second slot. */
START_TEST(global_data_offsets)
{
	const struct obj_prog_image *tp = image("reloc_tp");

	ck_assert_int_ge(find_data_ref(tp, "relocs.rodata",
				       (int)symbol("ro_third").st_value), 0);
	ck_assert_int_ge(find_data_ref(tp, "relocs.rodata",
				       (int)symbol("ro_first").st_value), 0);
	ck_assert_int_ge(find_data_ref(tp, "relocs.rodata",
				       (int)symbol("ro_second").st_value), 0);
	ck_assert_int_ge(find_data_ref(tp, "relocs.bss",
				       (int)symbol("bss_c").st_value), 0);
	ck_assert_int_ge(find_data_ref(tp, "relocs.bss",
				       (int)symbol("bss_b").st_value), 0);
	ck_assert_int_ge(find_data_ref(tp, "relocs.data",
				       (int)symbol("data_b").st_value), 0);
	/* data_static (in reloc_sock): a section-symbol relocation, its
	 * offset in the instruction's imm */
	ck_assert_int_ge(find_data_ref(image("reloc_sock"), "relocs.data",
				       (int)symbol("data_static").st_value), 0);
}
END_TEST

/* Calls land on the start of a copied function; each function is copied
 * once per program however often it is called. */
static void check_calls(const char *prog)
{
	const struct obj_prog_image *p = image(prog);
	size_t i, subs = symbol("add_one").st_size / 8 +
			 symbol("count_event").st_size / 8;
	size_t starts[2] = { 0, 0 }, nstarts = 0;

	ck_assert_uint_eq(p->insn_cnt, p->main_cnt + subs);
	for (i = 0; i < p->insn_cnt; i++) {
		const struct bpf_insn *in = &p->insns[i];
		long dest;

		if (in->code != (BPF_JMP | BPF_CALL) ||
		    in->src_reg != BPF_PSEUDO_CALL)
			continue;
		dest = (long)i + in->imm + 1;
		ck_assert_int_ge(dest, (long)p->main_cnt);
		ck_assert_int_lt(dest, (long)p->insn_cnt);
		if (nstarts < 2 && (nstarts == 0 || starts[0] != (size_t)dest))
			starts[nstarts++] = (size_t)dest;
	}
	ck_assert_uint_eq(nstarts, 2);   /* add_one and count_event */
}

START_TEST(subprogram_calls)
{
	check_calls("reloc_tp");
	check_calls("reloc_sock");
}
END_TEST

/* The appended code is the .text function, byte for byte, apart from
 * the instructions relocation rewrote. */
START_TEST(subprogram_copied_verbatim)
{
	const struct obj_prog_image *p = image("reloc_tp");
	Elf64_Sym add_one = symbol("add_one");
	const struct bpf_insn *text;
	const void *data;
	size_t size, i, n = add_one.st_size / 8, pos = 0, same = 0;
	int found = 0;

	ck_assert_int_eq(elf_section_data(&o.elf, o.text_sec, &data, &size), 0);
	text = (const struct bpf_insn *)data + add_one.st_value / 8;
	for (i = 0; i < p->nr_notes; i++)
		if (strstr(p->notes[i].text, "subprogram add_one appended")) {
			pos = p->notes[i].insn;
			found = 1;
		}
	ck_assert(found);
	for (i = 0; i < n; i++)
		same += memcmp(&text[i], &p->insns[pos + i], 8) == 0;
	/* counts map ref, a .bss ref and a .rodata ref: 3 ld_imm64 = 6 slots
	 * may differ; everything else is the same */
	ck_assert_uint_ge(same, n - 6);
	ck_assert_uint_eq(p->insns[pos + n - 1].code, BPF_JMP | BPF_EXIT);
}
END_TEST

/* func_info follows the code: one record per function, at the
 * instruction where its copy starts, naming that function's FUNC; the
 * line_info starts there too, and both stay in instruction order. */
START_TEST(func_info_follows_subprograms)
{
	const struct obj_prog_image *p = image("reloc_tp");
	const char *name;
	size_t i, k, subs = 0;

	ck_assert_uint_eq(p->nr_func_info, 3);  /* reloc_tp, its two subs */
	ck_assert_uint_eq(p->func_info[0].insn_off, 0);
	ck_assert_str_eq(btf_type_name(&o.btf, p->func_info[0].type_id),
			 "reloc_tp");
	for (i = 0; i < p->nr_notes; i++) {
		char want[64];

		if (!strstr(p->notes[i].text, "appended"))
			continue;
		subs++;
		for (k = 0; k < p->nr_func_info; k++)
			if (p->func_info[k].insn_off == p->notes[i].insn)
				break;
		ck_assert_uint_lt(k, p->nr_func_info);
		name = btf_type_name(&o.btf, p->func_info[k].type_id);
		snprintf(want, sizeof want, "subprogram %s appended", name);
		ck_assert_ptr_nonnull(strstr(p->notes[i].text, want));
	}
	ck_assert_uint_eq(subs, 2);
	ck_assert_uint_gt(p->nr_line_info, 3);
	ck_assert_uint_eq(p->line_info[0].insn_off, 0);
	for (i = 1; i < p->nr_line_info; i++)
		ck_assert_uint_ge(p->line_info[i].insn_off,
				  p->line_info[i - 1].insn_off);
	for (i = 0; i < p->nr_line_info; i++)
		ck_assert_uint_lt(p->line_info[i].insn_off, p->insn_cnt);
}
END_TEST

START_TEST(map_references)
{
	const struct obj_prog_image *p = image("reloc_tp");
	size_t i, totals = 0, counts = 0;

	for (i = 0; i < p->insn_cnt; i++) {
		if (p->insns[i].code != (BPF_LD | BPF_IMM | BPF_DW) ||
		    p->insns[i].src_reg != BPF_PSEUDO_MAP_FD)
			continue;
		totals += p->insns[i].imm == map_index("totals");
		counts += p->insns[i].imm == map_index("counts");
	}
	ck_assert_uint_eq(totals, 1);
	ck_assert_uint_eq(counts, 1);
}
END_TEST

/* obj_load makes only the maps the programs it loads refer to: bind's
 * fexit programs never touch `pending`, its entry/exit pairs do. */
static void autoload_only(struct obj *b, const char *prefix)
{
	size_t i;

	for (i = 0; i < b->nr_progs; i++)
		b->progs[i].autoload =
			strncmp(b->progs[i].name, prefix, strlen(prefix)) == 0;
}

/* Whether obj_maps_needed marks b's map called name. */
static int map_needed(struct obj *b, const char *name)
{
	unsigned char needed[16];
	const struct obj_map *m = obj_map(b, name);

	ck_assert_msg(m, "no map %s", name);
	ck_assert_uint_le(b->nr_maps, sizeof needed);
	obj_maps_needed(b, needed);
	return needed[m - b->maps];
}

START_TEST(maps_needed_by_loaded_programs)
{
	struct obj b;
	size_t size;
	void *data = test_read_file("build/bpf/bind.bpf.o", &size);

	ck_assert_msg(data, "cannot read build/bpf/bind.bpf.o");
	ck_assert_msg(obj_open(&b, "bind", data, size) == 0, "%s", error_msg());
	autoload_only(&b, "fexit_");
	ck_assert_int_eq(map_needed(&b, "pending"), 0);
	ck_assert_int_eq(map_needed(&b, "events"), 1);
	ck_assert_int_eq(map_needed(&b, "scope_cgroup"), 1);
	ck_assert_int_eq(map_needed(&b, "bind.rodata"), 1);
	autoload_only(&b, "tp_");
	ck_assert_int_eq(map_needed(&b, "pending"), 1);
	autoload_only(&b, "none");
	ck_assert_int_eq(map_needed(&b, "events"), 0);
	obj_close(&b);
	free(data);
}
END_TEST

/* Notes are made for inspect (keep_notes) and --explain only; the
 * instructions come out the same either way. */
START_TEST(notes_only_when_kept)
{
	const struct obj_prog_image *p = image("reloc_tp");
	struct obj_prog_image again = { 0 };

	ck_assert_uint_gt(p->nr_notes, 0);
	o.keep_notes = 0;
	ck_assert_msg(obj_relocate_prog(&o, obj_prog(&o, "reloc_tp"), NULL,
					NULL, &again) == 0, "%s", error_msg());
	ck_assert_uint_eq(again.nr_notes, 0);
	ck_assert_uint_eq(again.insn_cnt, p->insn_cnt);
	ck_assert_mem_eq(again.insns, p->insns, p->insn_cnt * sizeof *p->insns);
	obj_prog_image_free(&again);
}
END_TEST

/* The fds a load would give o's maps: fd base + i for o.maps[i]. */
static int *fake_fds(int base)
{
	int *fds = malloc(o.nr_maps * sizeof *fds);
	size_t i;

	ck_assert_ptr_nonnull(fds);
	for (i = 0; i < o.nr_maps; i++)
		fds[i] = base + (int)i;
	return fds;
}

/* How many map references of p carry one of fds, and how many in all. */
static void count_refs(const struct obj_prog_image *p, const int *fds,
		       size_t *theirs, size_t *all)
{
	size_t i, k;

	*theirs = *all = 0;
	for (i = 0; i + 1 < p->insn_cnt; i++) {
		if (p->insns[i].code != (BPF_LD | BPF_IMM | BPF_DW) ||
		    (p->insns[i].src_reg != BPF_PSEUDO_MAP_FD &&
		     p->insns[i].src_reg != BPF_PSEUDO_MAP_VALUE))
			continue;
		(*all)++;
		for (k = 0; k < o.nr_maps; k++)
			*theirs += p->insns[i].imm == fds[k];
	}
}

/* The same spec relocated twice, for two loads with their own maps:
 * each image keeps the fds it was made with (the tools' backend ladder
 * and `run` beside `inspect` load one spec more than once). */
START_TEST(relocated_twice_each_its_own)
{
	const struct obj_prog *p = obj_prog(&o, "reloc_tp");
	struct obj_prog_image a = { 0 }, b = { 0 };
	int *fa = fake_fds(100), *fb = fake_fds(200);
	size_t theirs, all;

	ck_assert_int_eq(obj_relocate_prog(&o, p, NULL, fa, &a), 0);
	ck_assert_int_eq(obj_relocate_prog(&o, p, NULL, fb, &b), 0);
	ck_assert_ptr_ne(a.insns, b.insns);
	count_refs(&a, fa, &theirs, &all);
	ck_assert_uint_gt(all, 0);
	ck_assert_uint_eq(theirs, all);
	count_refs(&b, fb, &theirs, &all);
	ck_assert_uint_eq(theirs, all);
	ck_assert_uint_eq(a.insn_cnt, b.insn_cnt);
	ck_assert_uint_eq(a.nr_func_info, b.nr_func_info);
	obj_prog_image_free(&a);
	obj_prog_image_free(&b);
	free(fa);
	free(fb);
}
END_TEST

/* Relocation reads the spec and writes nothing of it: its programs, as
 * obj_open described them, and their instructions in the ELF sections,
 * are byte for byte what they were. */
START_TEST(spec_untouched_by_relocation)
{
	size_t n = o.nr_progs * sizeof *o.progs, i;
	struct obj_prog *before = malloc(n);
	unsigned char *code[8];
	const void *data;
	size_t len;
	int *fds = fake_fds(300);

	/* as obj_open left it, not as setup's relocation did */
	obj_close(&o);
	ck_assert_int_eq(obj_open(&o, "relocs", buf, buf_size), 0);
	o.keep_notes = 1;
	ck_assert_ptr_nonnull(before);
	ck_assert_uint_le(o.nr_progs, 8);
	memcpy(before, o.progs, n);
	for (i = 0; i < o.nr_progs; i++) {
		ck_assert_int_eq(elf_section_data(&o.elf, o.progs[i].sec, &data,
						  &len), 0);
		code[i] = malloc(o.progs[i].size);
		ck_assert_ptr_nonnull(code[i]);
		memcpy(code[i], (const unsigned char *)data + o.progs[i].sec_off,
		       o.progs[i].size);
	}
	ck_assert_msg(obj_relocate(&o, NULL, fds, imgs) == 0, "%s",
		      error_msg());
	ck_assert_mem_eq(o.progs, before, n);
	for (i = 0; i < o.nr_progs; i++) {
		ck_assert_int_eq(elf_section_data(&o.elf, o.progs[i].sec, &data,
						  &len), 0);
		ck_assert_mem_eq((const unsigned char *)data +
				 o.progs[i].sec_off, code[i], o.progs[i].size);
		free(code[i]);
	}
	free(before);
	free(fds);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("relocate");
	TCase *tc = tcase_create("relocs.bpf.o");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, maps_and_data_sections);
	tcase_add_test(tc, global_data_offsets);
	tcase_add_test(tc, subprogram_calls);
	tcase_add_test(tc, subprogram_copied_verbatim);
	tcase_add_test(tc, func_info_follows_subprograms);
	tcase_add_test(tc, map_references);
	tcase_add_test(tc, maps_needed_by_loaded_programs);
	tcase_add_test(tc, notes_only_when_kept);
	tcase_add_test(tc, relocated_twice_each_its_own);
	tcase_add_test(tc, spec_untouched_by_relocation);
	suite_add_tcase(s, tc);
	return test_main(s);
}
