/* elf/elf.c: a real clang object read correctly, then a corpus of
 * malformed copies of it, each refused with its own message. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "tests/testutil.h"
#include "elf/elf.h"
#include "elf/error.h"

#define OBJ "build/bpf/tests/minimal.bpf.o"
#define PROG_SEC "tracepoint/syscalls/sys_enter_bind"

static unsigned char *obj;
static size_t obj_size;
static struct elf orig;     /* the unmodified object, for finding things */

static void load_obj(void)
{
	obj = test_read_file(OBJ, &obj_size);
	ck_assert_msg(obj != NULL, "cannot read %s: run `make %s` first",
		      OBJ, OBJ);
	ck_assert_msg(elf_open(&orig, obj, obj_size) == 0, "%s", error_msg());
}

static void free_obj(void)
{
	free(obj);
	obj = NULL;
}

/* A private copy to mutate. */
static unsigned char *copy(void)
{
	unsigned char *c = malloc(obj_size);

	ck_assert_ptr_nonnull(c);
	memcpy(c, obj, obj_size);
	return c;
}

static void put16(unsigned char *b, size_t off, uint16_t v) { memcpy(b + off, &v, 2); }
static void put32(unsigned char *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void put64(unsigned char *b, size_t off, uint64_t v) { memcpy(b + off, &v, 8); }

/* File offset of field `off` of section header idx. */
static size_t shdr_at(unsigned idx, size_t off)
{
	return orig.shoff + idx * sizeof(Elf64_Shdr) + off;
}

static unsigned sec(const char *name)
{
	int i = elf_find_section(&orig, name);

	ck_assert_msg(i > 0, "%s", error_msg());
	return (unsigned)i;
}

static size_t sym_index(const char *name)
{
	Elf64_Sym s;
	size_t i;

	for (i = 1; i < orig.nsyms; i++)
		if (elf_symbol(&orig, i, &s) == 0 &&
		    strcmp(elf_symbol_name(&orig, &s), name) == 0)
			return i;
	ck_abort_msg("symbol %s not found", name);
	return 0;
}

/* File offset of field `off` of symbol idx. */
static size_t sym_at(size_t idx, size_t off)
{
	Elf64_Shdr sh;

	elf_section(&orig, orig.symtab, &sh);
	return sh.sh_offset + idx * sizeof(Elf64_Sym) + off;
}

/* Opens a mutated copy of size n and expects failure with msg. */
static void expect_open_fails(unsigned char *c, size_t n, const char *msg)
{
	struct elf e;
	int err = elf_open(&e, c, n);

	ck_assert_int_eq(err, -EINVAL);
	ck_assert_msg(strstr(error_msg(), msg) != NULL,
		      "error \"%s\" lacks \"%s\"", error_msg(), msg);
	free(c);
}

static void expect_msg(int err, const char *msg)
{
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_msg(strstr(error_msg(), msg) != NULL,
		      "error \"%s\" lacks \"%s\"", error_msg(), msg);
}

START_TEST(test_sections)
{
	unsigned text = sec(".text"), bss = sec(".bss");
	const void *data;
	size_t size;
	Elf64_Shdr sh;

	ck_assert_uint_eq(orig.machine, EM_BPF);
	ck_assert_uint_gt(orig.symtab, 0);
	ck_assert_str_eq(elf_section_name(&orig, orig.symtab), ".symtab");
	ck_assert_int_gt(elf_find_section(&orig, PROG_SEC), 0);
	ck_assert_int_gt(elf_find_section(&orig, ".maps"), 0);
	ck_assert_int_gt(elf_find_section(&orig, ".rodata"), 0);
	ck_assert_int_gt(elf_find_section(&orig, ".BTF"), 0);
	ck_assert_int_gt(elf_find_section(&orig, ".BTF.ext"), 0);

	ck_assert_int_eq(elf_section_data(&orig, sec("license"), &data, &size), 0);
	ck_assert_uint_eq(size, 4);
	ck_assert_str_eq((const char *)data, "GPL");
	ck_assert_int_eq(elf_section_data(&orig, bss, &data, &size), 0);
	ck_assert_ptr_null(data);
	ck_assert_uint_eq(size, 8);
	ck_assert_int_eq(elf_section(&orig, text, &sh), 0);
	ck_assert_uint_eq(sh.sh_type, SHT_PROGBITS);
	ck_assert_uint_eq(sh.sh_size % 8, 0);

	ck_assert_int_eq(elf_find_section(&orig, ".nope"), -ENOENT);
	ck_assert_str_eq(error_msg(), "section .nope not found");
	ck_assert_int_eq(elf_section(&orig, 0, &sh), -EINVAL);
	expect_msg(elf_section(&orig, orig.shnum, &sh), "out of range");
	ck_assert_ptr_null(elf_section_name(&orig, orig.shnum));
}
END_TEST

START_TEST(test_symbols)
{
	Elf64_Sym s;
	size_t i;

	ck_assert_int_eq(elf_symbol(&orig, sym_index("bump"), &s), 0);
	ck_assert_uint_eq(s.st_shndx, sec(".text"));
	ck_assert_uint_eq(ELF64_ST_TYPE(s.st_info), STT_FUNC);
	ck_assert_int_eq(elf_symbol(&orig, sym_index("handle_bind"), &s), 0);
	ck_assert_uint_eq(s.st_shndx, sec(PROG_SEC));
	ck_assert_int_eq(elf_symbol(&orig, sym_index("counts"), &s), 0);
	ck_assert_uint_eq(s.st_shndx, sec(".maps"));
	ck_assert_uint_eq(s.st_size, 32);
	ck_assert_int_eq(elf_symbol(&orig, sym_index("target_tgid"), &s), 0);
	ck_assert_uint_eq(s.st_shndx, sec(".rodata"));
	ck_assert_int_eq(elf_symbol(&orig, sym_index("calls"), &s), 0);
	ck_assert_uint_eq(s.st_shndx, sec(".bss"));
	ck_assert_int_eq(elf_symbol(&orig, sym_index("LICENSE"), &s), 0);

	for (i = 1; i < orig.nsyms; i++)
		ck_assert_msg(elf_symbol(&orig, i, &s) == 0, "%s", error_msg());
	expect_msg(elf_symbol(&orig, 0, &s), "symbol index 0 out of range");
	expect_msg(elf_symbol(&orig, orig.nsyms, &s), "out of range");
}
END_TEST

START_TEST(test_relocations)
{
	unsigned rel = sec(".rel" PROG_SEC), text_rel = sec(".rel.text");
	struct elf_rel r;
	Elf64_Sym s;
	unsigned i;
	int n, k;

	ck_assert_int_eq(elf_rel_count(&orig, rel), 3);
	ck_assert_int_eq(elf_rel(&orig, rel, 0, &r), 0);
	ck_assert_uint_eq(r.type, R_BPF_64_64);
	ck_assert_int_eq(elf_symbol(&orig, r.sym, &s), 0);
	ck_assert_str_eq(elf_symbol_name(&orig, &s), "target_tgid");
	ck_assert_int_eq(elf_rel(&orig, rel, 1, &r), 0);
	ck_assert_int_eq(elf_symbol(&orig, r.sym, &s), 0);
	ck_assert_str_eq(elf_symbol_name(&orig, &s), "calls");
	/* The call to static bump() goes through the .text section symbol. */
	ck_assert_int_eq(elf_rel(&orig, rel, 2, &r), 0);
	ck_assert_uint_eq(r.type, R_BPF_64_32);
	ck_assert_int_eq(elf_symbol(&orig, r.sym, &s), 0);
	ck_assert_uint_eq(ELF64_ST_TYPE(s.st_info), STT_SECTION);
	ck_assert_uint_eq(s.st_shndx, sec(".text"));
	expect_msg(elf_rel(&orig, rel, 3, &r), "entry 3 out of range");

	ck_assert_int_eq(elf_rel_count(&orig, text_rel), 1);
	ck_assert_int_eq(elf_rel(&orig, text_rel, 0, &r), 0);
	ck_assert_uint_eq(r.offset, 3 * 8);
	ck_assert_int_eq(elf_symbol(&orig, r.sym, &s), 0);
	ck_assert_str_eq(elf_symbol_name(&orig, &s), "counts");

	/* Every relocation in the object, debug ones included, reads. */
	for (i = 1; i < orig.shnum; i++) {
		Elf64_Shdr sh;

		elf_section(&orig, i, &sh);
		if (sh.sh_type != SHT_REL)
			continue;
		n = elf_rel_count(&orig, i);
		ck_assert_msg(n > 0, "%s", error_msg());
		for (k = 0; k < n; k++)
			ck_assert_msg(elf_rel(&orig, i, k, &r) == 0, "%s",
				      error_msg());
	}
	expect_msg(elf_rel_count(&orig, sec(".text")), "not a SHT_REL");
}
END_TEST

START_TEST(test_bad_header)
{
	unsigned char *c;

	expect_open_fails(copy(), 40, "truncated ELF header (40 bytes, need 64)");
	expect_open_fails(copy(), 3, "not an ELF file");
	c = copy(); c[0] = 0;
	expect_open_fails(c, obj_size, "not an ELF file");
	c = copy(); c[EI_CLASS] = ELFCLASS32;
	expect_open_fails(c, obj_size, "ELF32 objects are not supported");
	c = copy(); c[EI_DATA] = ELFDATA2MSB;
	expect_open_fails(c, obj_size, "big-endian ELF objects are not supported");
	c = copy(); put16(c, offsetof(Elf64_Ehdr, e_shentsize), 40);
	expect_open_fails(c, obj_size, "e_shentsize 40 is not 64");
	c = copy(); put16(c, offsetof(Elf64_Ehdr, e_shnum), 0);
	expect_open_fails(c, obj_size, "no section headers");
}
END_TEST

START_TEST(test_bad_section_table)
{
	char want[128];
	unsigned char *c;

	c = copy(); put64(c, offsetof(Elf64_Ehdr, e_shoff), obj_size - 100);
	expect_open_fails(c, obj_size, "section header table extends past end");
	c = copy(); put64(c, offsetof(Elf64_Ehdr, e_shoff), UINT64_MAX - 8);
	expect_open_fails(c, obj_size, "section header table extends past end");
	/* A cut at the table's last byte. */
	expect_open_fails(copy(), obj_size - 1,
			  "section header table extends past end");

	c = copy(); put16(c, offsetof(Elf64_Ehdr, e_shstrndx), orig.shnum);
	snprintf(want, sizeof want, "e_shstrndx %u out of range (%u sections)",
		 orig.shnum, orig.shnum);
	expect_open_fails(c, obj_size, want);
	c = copy(); put16(c, offsetof(Elf64_Ehdr, e_shstrndx), sec(".text"));
	snprintf(want, sizeof want, "e_shstrndx %u is not a string table",
		 sec(".text"));
	expect_open_fails(c, obj_size, want);
}
END_TEST

START_TEST(test_bad_sections)
{
	unsigned text = sec(".text"), symtab = orig.symtab;
	char want[128];
	unsigned char *c;

	c = copy(); put64(c, shdr_at(text, offsetof(Elf64_Shdr, sh_offset)), 4096);
	put64(c, shdr_at(text, offsetof(Elf64_Shdr, sh_size)), obj_size);
	snprintf(want, sizeof want, "section .text: extends past end of file "
		 "(offset 4096 + size %zu > %zu)", obj_size, obj_size);
	expect_open_fails(c, obj_size, want);
	c = copy(); put64(c, shdr_at(text, offsetof(Elf64_Shdr, sh_offset)),
			  UINT64_MAX);
	expect_open_fails(c, obj_size, "section .text: extends past end of file");

	c = copy(); put32(c, shdr_at(text, offsetof(Elf64_Shdr, sh_name)), 65536);
	snprintf(want, sizeof want, "section %u: sh_name 65536 outside section "
		 "name table", text);
	expect_open_fails(c, obj_size, want);

	c = copy(); put32(c, shdr_at(symtab, offsetof(Elf64_Shdr, sh_link)), text);
	snprintf(want, sizeof want, "section .symtab: sh_link %u is not a "
		 "string table", text);
	expect_open_fails(c, obj_size, want);
	c = copy(); put32(c, shdr_at(symtab, offsetof(Elf64_Shdr, sh_link)), 999);
	expect_open_fails(c, obj_size, "section .symtab: sh_link 999 is not a "
			  "section");
	c = copy(); put64(c, shdr_at(symtab, offsetof(Elf64_Shdr, sh_size)),
			  orig.nsyms * sizeof(Elf64_Sym) - 1);
	snprintf(want, sizeof want, "section .symtab: size %zu is not a "
		 "multiple of 24", orig.nsyms * sizeof(Elf64_Sym) - 1);
	expect_open_fails(c, obj_size, want);
	/* A second symbol table. */
	c = copy();
	put32(c, shdr_at(sec(".rel.text"), offsetof(Elf64_Shdr, sh_type)), SHT_SYMTAB);
	put64(c, shdr_at(sec(".rel.text"), offsetof(Elf64_Shdr, sh_size)), 0);
	put64(c, shdr_at(sec(".rel.text"), offsetof(Elf64_Shdr, sh_entsize)),
	      sizeof(Elf64_Sym));
	put32(c, shdr_at(sec(".rel.text"), offsetof(Elf64_Shdr, sh_link)),
	      orig.strtab);
	expect_open_fails(c, obj_size, "section .symtab: second symbol table");
}
END_TEST

START_TEST(test_bad_symbols)
{
	size_t bump = sym_index("bump");
	unsigned char *c;
	struct elf e;
	Elf64_Sym s;
	char want[128];

	c = copy(); put32(c, sym_at(bump, offsetof(Elf64_Sym, st_name)), 0xffffff);
	ck_assert_int_eq(elf_open(&e, c, obj_size), 0);
	snprintf(want, sizeof want, "symbol %zu: st_name 16777215 outside string "
		 "table", bump);
	expect_msg(elf_symbol(&e, bump, &s), want);
	free(c);

	c = copy(); put16(c, sym_at(bump, offsetof(Elf64_Sym, st_shndx)), 200);
	ck_assert_int_eq(elf_open(&e, c, obj_size), 0);
	snprintf(want, sizeof want, "symbol bump: st_shndx 200 out of range "
		 "(%u sections)", orig.shnum);
	expect_msg(elf_symbol(&e, bump, &s), want);
	put16(c, sym_at(bump, offsetof(Elf64_Sym, st_shndx)), SHN_ABS);
	ck_assert_int_eq(elf_symbol(&e, bump, &s), 0);
	free(c);
}
END_TEST

START_TEST(test_bad_relocations)
{
	unsigned rel = sec(".rel.text");
	Elf64_Shdr sh;
	unsigned char *c;
	struct elf e;
	struct elf_rel r;
	char want[128];

	elf_section(&orig, rel, &sh);

	c = copy(); put32(c, shdr_at(rel, offsetof(Elf64_Shdr, sh_link)), 9);
	ck_assert_int_eq(elf_open(&e, c, obj_size), 0);
	expect_msg(elf_rel_count(&e, rel),
		   "section .rel.text: sh_link 9 is not the symbol table");
	expect_msg(elf_rel(&e, rel, 0, &r),
		   "section .rel.text: sh_link 9 is not the symbol table");
	free(c);

	c = copy(); put32(c, shdr_at(rel, offsetof(Elf64_Shdr, sh_info)), 99);
	ck_assert_int_eq(elf_open(&e, c, obj_size), 0);
	expect_msg(elf_rel_count(&e, rel),
		   "section .rel.text: sh_info 99 is not a section");
	free(c);

	c = copy(); put64(c, shdr_at(rel, offsetof(Elf64_Shdr, sh_size)), 15);
	ck_assert_int_eq(elf_open(&e, c, obj_size), 0);
	expect_msg(elf_rel_count(&e, rel),
		   "section .rel.text: size 15 is not a multiple of 16");
	free(c);

	c = copy();
	put64(c, sh.sh_offset + offsetof(Elf64_Rel, r_info),
	      ELF64_R_INFO(99, R_BPF_64_64));
	ck_assert_int_eq(elf_open(&e, c, obj_size), 0);
	snprintf(want, sizeof want, ".rel.text entry 0: symbol index 99 out of "
		 "range (%zu symbols)", orig.nsyms);
	expect_msg(elf_rel(&e, rel, 0, &r), want);
	free(c);

	c = copy(); put64(c, sh.sh_offset + offsetof(Elf64_Rel, r_offset), 0x68);
	ck_assert_int_eq(elf_open(&e, c, obj_size), 0);
	expect_msg(elf_rel(&e, rel, 0, &r), ".rel.text entry 0: offset 104 "
		   "outside section .text (size 104)");
	/* The last whole instruction is still inside. */
	put64(c, sh.sh_offset + offsetof(Elf64_Rel, r_offset), 0x60);
	ck_assert_int_eq(elf_rel(&e, rel, 0, &r), 0);
	put64(c, sh.sh_offset + offsetof(Elf64_Rel, r_offset), UINT64_MAX - 3);
	expect_msg(elf_rel(&e, rel, 0, &r), "outside section .text");
	free(c);
}
END_TEST

/* Every prefix of the object either opens or fails cleanly. */
START_TEST(test_truncations)
{
	struct elf e;
	size_t n;

	for (n = 0; n < obj_size; n++) {
		int err = elf_open(&e, obj, n);

		ck_assert_msg(err == 0 || err == -EINVAL, "size %zu: %d", n, err);
		ck_assert_msg(err != 0 || n >= orig.shoff, "size %zu opened", n);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("elf");

	tcase_add_checked_fixture(tc, load_obj, free_obj);
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_symbols);
	tcase_add_test(tc, test_relocations);
	tcase_add_test(tc, test_bad_header);
	tcase_add_test(tc, test_bad_section_table);
	tcase_add_test(tc, test_bad_sections);
	tcase_add_test(tc, test_bad_symbols);
	tcase_add_test(tc, test_bad_relocations);
	tcase_add_test(tc, test_truncations);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_main(suite());
}
