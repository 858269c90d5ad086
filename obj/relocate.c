/* Relocation: turning the compiler's instructions into what the kernel
 * loads.
 *
 * clang leaves a REL entry wherever an instruction refers to something it
 * cannot know: a map (the kernel gives it an fd only at run time), a
 * global variable (it lives in a map too), a function in .text (which the
 * kernel needs copied in after the program). .BTF.ext adds CO-RE records
 * wherever it read a kernel struct field. For each program we:
 *   1. copy its instructions;
 *   2. for every call into .text, append a copy of the called function
 *      (once per program, recursively) and point the call at the copy;
 *   3. set each map reference to the map's fd (BPF_PSEUDO_MAP_FD) and each
 *      global-data reference to the data map's fd plus the offset
 *      (BPF_PSEUDO_MAP_VALUE);
 *   4. resolve each CO-RE record against the kernel's BTF.
 * Steps 2-4 run over the program and over every appended copy, since a
 * subprogram has relocations of its own. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "obj/object.h"

#define INSN_SZ sizeof(struct bpf_insn)

struct sub {
	size_t start;           /* first instruction in .text */
	size_t pos;             /* where its copy starts in the program */
};

struct reloc {
	const struct obj *o;
	const struct obj_prog *p;       /* the spec's, read only */
	struct obj_prog_image *img;     /* what is built */
	const struct btf *kbtf;
	const int *map_fds;
	struct sub *subs;
	size_t nr_subs;
};

static int is_ld_imm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static int is_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) &&
	       insn->src_reg == BPF_PSEUDO_CALL;
}

static int add_note(struct reloc *r, size_t insn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A line for inspect (keep_notes) and --explain (the note callback) on
 * what a relocation did. Formatting every one is a third of the
 * relocation's work, so when neither will show it, it is not made. */
static int add_note(struct reloc *r, size_t insn, const char *fmt, ...)
{
	struct obj_prog_image *img = r->img;
	struct reloc_note *n;
	va_list ap;

	if (!r->o->keep_notes && !r->o->note)
		return 0;
	n = realloc(img->notes, (img->nr_notes + 1) * sizeof *n);
	if (!n)
		return -ENOMEM;
	img->notes = n;
	n += img->nr_notes++;
	n->insn = insn;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof n->text, fmt, ap);
	va_end(ap);
	if (r->o->note)
		r->o->note(r->o->note_ctx, r->p->name, insn, n->text);
	return 0;
}

/* Appends n instructions; returns their position or -ENOMEM. */
static long append(struct obj_prog_image *img, const void *src, size_t n)
{
	struct bpf_insn *insns;
	size_t pos = img->insn_cnt;

	insns = realloc(img->insns, (pos + n) * INSN_SZ);
	if (!insns)
		return -ENOMEM;
	memcpy(insns + pos, src, n * INSN_SZ);
	img->insns = insns;
	img->insn_cnt = pos + n;
	return (long)pos;
}

/* The value a map reference carries: the map's fd once created; before
 * that (rawtrace inspect) the map's index, which inspect names. */
static int map_ref(const struct reloc *r, const struct obj_map *m)
{
	size_t i = (size_t)(m - r->o->maps);

	return r->map_fds && r->map_fds[i] >= 0 ? r->map_fds[i] : (int)i;
}

static int relocate_range(struct reloc *r, unsigned sec, size_t start,
			  size_t n, size_t pos);

/* The .text function that contains instruction t: [*fstart, +*flen). */
static int find_subprog(const struct obj *o, size_t t, size_t *fstart,
			size_t *flen, const char **name)
{
	Elf64_Sym sym;
	size_t i;

	for (i = 1; i < o->elf.nsyms; i++) {
		if (elf_symbol(&o->elf, i, &sym) || sym.st_shndx != o->text_sec ||
		    ELF64_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		if (t >= sym.st_value / INSN_SZ &&
		    t < (sym.st_value + sym.st_size) / INSN_SZ) {
			*fstart = sym.st_value / INSN_SZ;
			*flen = sym.st_size / INSN_SZ;
			*name = elf_symbol_name(&o->elf, &sym);
			return 0;
		}
	}
	return error_set(EINVAL, "no function in .text at instruction %zu", t);
}

/* Makes sure the .text function holding instruction t is in the program;
 * returns the position t has there. */
static long place_subprog(struct reloc *r, size_t t)
{
	size_t i, fstart = 0, flen = 0;
	const void *text;
	size_t text_size;
	const char *name = "";
	struct sub *s;
	long pos;
	int err;

	err = find_subprog(r->o, t, &fstart, &flen, &name);
	if (err)
		return err;
	for (i = 0; i < r->nr_subs; i++)
		if (r->subs[i].start == fstart)
			return (long)(r->subs[i].pos + t - fstart);
	err = elf_section_data(&r->o->elf, r->o->text_sec, &text, &text_size);
	if (err)
		return err;
	if ((fstart + flen) * INSN_SZ > text_size)
		return error_set(EINVAL, "function %s: outside .text", name);
	pos = append(r->img, (const struct bpf_insn *)text + fstart, flen);
	if (pos < 0)
		return pos;
	s = realloc(r->subs, (r->nr_subs + 1) * sizeof *s);
	if (!s)
		return -ENOMEM;
	r->subs = s;
	r->subs[r->nr_subs++] = (struct sub){ fstart, (size_t)pos };
	add_note(r, (size_t)pos, "subprogram %s appended (%zu insns)",
		 name, flen);
	err = relocate_range(r, r->o->text_sec, fstart, flen, (size_t)pos);
	if (err)
		return err;
	return (long)(pos + (long)(t - fstart));
}

/* A bpf-to-bpf call at program position at, to .text instruction t. */
static int fix_call(struct reloc *r, size_t at, size_t t)
{
	long dest = place_subprog(r, t);

	if (dest < 0)
		return (int)dest;
	r->img->insns[at].imm = (int32_t)(dest - (long)at - 1);
	return add_note(r, at, "call to .text+%zu -> pc%+d", t * INSN_SZ,
			r->img->insns[at].imm);
}

/* The map that symbol sym in .maps defines, or NULL. */
static const struct obj_map *map_of_symbol(const struct obj *o,
					   const Elf64_Sym *sym)
{
	size_t i;

	if (!o->maps_sec || sym->st_shndx != o->maps_sec)
		return NULL;
	for (i = 0; i < o->nr_maps; i++)
		if (!o->maps[i].is_data && o->maps[i].sec_off == sym->st_value)
			return &o->maps[i];
	return NULL;
}

static int fix_map(struct reloc *r, size_t at, const Elf64_Sym *sym,
		   const char *symname)
{
	const struct obj_map *m = map_of_symbol(r->o, sym);
	struct bpf_insn *insn = &r->img->insns[at];

	if (!m)
		return error_set(EINVAL, "insn %zu: no map at .maps+%llu (%s)",
				 at, (unsigned long long)sym->st_value, symname);
	insn->src_reg = BPF_PSEUDO_MAP_FD;
	insn->imm = map_ref(r, m);
	return add_note(r, at, "map %s -> fd %d", m->name, insn->imm);
}

/* A global variable: the data map's fd and, in the next slot, the
 * variable's offset inside the section. */
static int fix_data(struct reloc *r, size_t at, const Elf64_Sym *sym,
		    struct obj_map *m)
{
	struct bpf_insn *insn = &r->img->insns[at];
	int64_t off = (int64_t)insn->imm + (int64_t)sym->st_value;

	if (off < 0 || off >= m->value_size)
		return error_set(EINVAL, "insn %zu: offset %lld outside %s "
				 "(size %u)", at, (long long)off, m->name,
				 m->value_size);
	insn[0].src_reg = BPF_PSEUDO_MAP_VALUE;
	insn[0].imm = map_ref(r, m);
	insn[1].imm = (int32_t)off;
	return add_note(r, at, "global data %s+%lld -> fd %d", m->name,
			(long long)off, insn->imm);
}

/* libbpf's mark for the call of a weak kfunc the kernel lacks: an
 * unknown helper, which the verifier accepts only as dead code (the
 * program checks bpf_ksym_exists() first). Plus the extern's index. */
#define POISON_KFUNC_CALL 2002000000

static int fix_kfunc_call(struct reloc *r, size_t at,
			  const struct obj_extern *e)
{
	struct bpf_insn *insn = &r->img->insns[at];

	if (e->resolved == 0)
		return add_note(r, at, "kfunc %s: resolved at load", e->name);
	if (e->resolved < 0) {
		insn->src_reg = insn->dst_reg = 0;
		insn->off = 0;
		insn->imm = POISON_KFUNC_CALL + (int32_t)(e - r->o->externs);
		return add_note(r, at, "kfunc %s: missing (weak), call "
				"poisoned", e->name);
	}
	insn->src_reg = BPF_PSEUDO_KFUNC_CALL;
	insn->imm = (int32_t)e->kernel_btf_id;
	insn->off = (int16_t)e->fd_idx;
	return add_note(r, at, "kfunc %s -> btf id %u", e->name, insn->imm);
}

/* An ld_imm64 of a ksym: its kernel BTF id where it has a type and was
 * found, else its address (0 for a missing weak one). */
static int fix_ksym(struct reloc *r, size_t at, const struct obj_extern *e)
{
	struct bpf_insn *insn = &r->img->insns[at];

	if (e->resolved == 0)
		return add_note(r, at, "ksym %s: resolved at load", e->name);
	if (e->type_id && e->resolved > 0) {
		insn[0].src_reg = BPF_PSEUDO_BTF_ID;
		insn[0].imm = (int32_t)e->kernel_btf_id;
		insn[1].imm = e->btf_fd;
		return add_note(r, at, "ksym %s -> btf id %u", e->name,
				insn->imm);
	}
	insn[0].src_reg = 0;
	insn[0].imm = (int32_t)(uint32_t)e->addr;
	insn[1].imm = (int32_t)(uint32_t)(e->addr >> 32);
	return add_note(r, at, "ksym %s -> address 0x%llx", e->name,
			(unsigned long long)e->addr);
}

/* A kconfig value: a load from the .kconfig map at the extern's offset. */
static int fix_kconfig(struct reloc *r, size_t at, const struct obj_extern *e)
{
	struct bpf_insn *insn = &r->img->insns[at];
	size_t i;

	for (i = 0; i < r->o->nr_maps && !r->o->maps[i].is_kconfig; i++)
		;
	if (i == r->o->nr_maps)
		return error_set(EINVAL, "insn %zu: kconfig %s: no .kconfig "
				 "map", at, e->name);
	insn[0].src_reg = BPF_PSEUDO_MAP_VALUE;
	insn[0].imm = map_ref(r, &r->o->maps[i]);
	insn[1].imm = (int32_t)e->offset;
	return add_note(r, at, "kconfig %s -> %s+%u, fd %d", e->name,
			r->o->maps[i].name, e->offset, insn->imm);
}

static int fix_extern(struct reloc *r, size_t at, size_t symidx,
		      const char *name)
{
	const struct obj_extern *e = obj_extern_of_symbol(r->o, symidx);
	struct bpf_insn *insn = &r->img->insns[at];

	if (!e)
		return error_set(ENOTSUP, "insn %zu: extern symbol %s is not "
				 "supported", at, name);
	if (insn->code == (BPF_JMP | BPF_CALL) && e->is_func)
		return fix_kfunc_call(r, at, e);
	if (!is_ld_imm64(insn) || at + 1 >= r->img->insn_cnt)
		return error_set(EINVAL, "insn %zu: extern %s on code 0x%02x",
				 at, name, insn->code);
	if (e->kind == EXTERN_KCONFIG)
		return fix_kconfig(r, at, e);
	return fix_ksym(r, at, e);
}

static int fix_one(struct reloc *r, size_t at, const struct elf_rel *rel)
{
	const struct obj *o = r->o;
	struct bpf_insn *insn = &r->img->insns[at];
	const char *name;
	struct obj_map *m;
	Elf64_Sym sym;
	int err = elf_symbol(&o->elf, rel->sym, &sym);

	if (err)
		return err;
	name = elf_symbol_name(&o->elf, &sym);
	if (sym.st_shndx == SHN_UNDEF)
		return fix_extern(r, at, rel->sym, name);
	if (is_call(insn)) {
		if (sym.st_shndx != o->text_sec || !o->text_sec)
			return error_set(EINVAL, "insn %zu: call to %s, which "
					 "is not in .text", at, name);
		return fix_call(r, at, sym.st_value / INSN_SZ +
				(size_t)((long)insn->imm + 1));
	}
	if (!is_ld_imm64(insn) || at + 1 >= r->img->insn_cnt)
		return error_set(EINVAL, "insn %zu: relocation against %s on an "
				 "instruction that is neither a call nor "
				 "ld_imm64 (code 0x%02x)", at, name, insn->code);
	if (o->maps_sec && sym.st_shndx == o->maps_sec)
		return fix_map(r, at, &sym, name);
	m = obj_data_map(o, sym.st_shndx);
	if (m)
		return fix_data(r, at, &sym, m);
	return error_set(ENOTSUP, "insn %zu: relocation against %s in "
			 "section %s is not supported", at, name,
			 elf_section_name(&o->elf, sym.st_shndx));
}

/* The SHT_REL section that applies to section sec, or 0. */
static unsigned rel_section_for(const struct obj *o, unsigned sec)
{
	Elf64_Shdr sh;
	unsigned i;

	for (i = 1; i < o->elf.shnum; i++)
		if (!elf_section(&o->elf, i, &sh) && sh.sh_type == SHT_REL &&
		    sh.sh_info == sec)
			return i;
	return 0;
}

/* Whether bytes [from, to] of section sec hold any of what obj_load will
 * load: an autoload program, or .text, which any of them may call into. */
static int loaded_code(const struct obj *o, unsigned sec, uint64_t from,
		       uint64_t to)
{
	size_t i;

	if (sec == o->text_sec)
		return 1;
	for (i = 0; i < o->nr_progs; i++) {
		const struct obj_prog *p = &o->progs[i];

		if (p->autoload && p->sec == sec && to >= p->sec_off &&
		    from < p->sec_off + p->size)
			return 1;
	}
	return 0;
}

void obj_maps_needed(const struct obj *o, unsigned char *needed)
{
	const struct obj_map *m;
	struct elf_rel rel;
	Elf64_Shdr sh;
	Elf64_Sym sym;
	unsigned sec;
	size_t i;
	int count, r;

	for (i = 0; i < o->nr_maps; i++)
		needed[i] = o->maps[i].is_data; /* user space may set its
						   variables */
	for (sec = 1; sec < o->elf.shnum; sec++) {
		if (elf_section(&o->elf, sec, &sh) || sh.sh_type != SHT_REL)
			continue;
		/* Most relocations are .BTF's and .BTF.ext's, and no
		 * program's: pass over their sections whole. */
		if (!loaded_code(o, sh.sh_info, 0, UINT64_MAX))
			continue;
		count = elf_rel_count(&o->elf, sec);
		for (r = 0; r < count; r++) {
			if (elf_rel(&o->elf, sec, (size_t)r, &rel) ||
			    elf_symbol(&o->elf, rel.sym, &sym))
				continue;  /* relocation will report it */
			m = map_of_symbol(o, &sym);
			if (m && loaded_code(o, sh.sh_info, rel.offset, rel.offset))
				needed[m - o->maps] = 1;
		}
	}
}

static int apply_elf_relocs(struct reloc *r, unsigned sec, size_t start,
			    size_t n, size_t pos, unsigned char *seen)
{
	unsigned relsec = rel_section_for(r->o, sec);
	struct elf_rel rel;
	int count, i, err;

	if (!relsec)
		return 0;
	count = elf_rel_count(&r->o->elf, relsec);
	if (count < 0)
		return count;
	for (i = 0; i < count; i++) {
		size_t idx;

		err = elf_rel(&r->o->elf, relsec, (size_t)i, &rel);
		if (err)
			return err;
		idx = rel.offset / INSN_SZ;
		/* obj_check refused a relocation that is not on a whole
		 * instruction; the others here belong to other programs */
		if (rel.offset % INSN_SZ || idx < start || idx >= start + n)
			continue;
		seen[idx - start] = 1;
		err = fix_one(r, pos + idx - start, &rel);
		if (err)
			return err;
	}
	return 0;
}

/* A call with no relocation stays inside its own section: clang resolved
 * the distance itself. Inside .text that is still a function we must copy. */
static int apply_local_calls(struct reloc *r, unsigned sec, size_t start,
			     size_t n, size_t pos, const unsigned char *seen)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		long t;

		if (seen[i] || !is_call(&r->img->insns[pos + i]))
			continue;
		t = (long)(start + i) + r->img->insns[pos + i].imm + 1;
		if (sec != r->o->text_sec)
			return error_set(ENOTSUP, "insn %zu: call inside "
					 "program section %s", pos + i,
					 r->p->sec_name);
		if (t < 0)
			return error_set(EINVAL, "insn %zu: call before .text",
					 pos + i);
		err = fix_call(r, pos + i, (size_t)t);
		if (err)
			return err;
	}
	return 0;
}

static int add_core_note(struct reloc *r, size_t insn,
			 const struct core_result *res)
{
	struct obj_prog_image *img = r->img;
	struct core_note *n;

	n = realloc(img->core_notes, (img->nr_core_notes + 1) * sizeof *n);
	if (!n)
		return -ENOMEM;
	img->core_notes = n;
	n += img->nr_core_notes++;
	n->insn = insn;
	snprintf(n->text, sizeof n->text, "%s insn %zu: %s: %s", r->p->name,
		 insn, res->path, res->why);
	return 0;
}

static int apply_core(struct reloc *r, unsigned sec, size_t start, size_t n,
		      size_t pos)
{
	const struct obj *o = r->o;
	struct btf_ext_sec es;
	struct bpf_core_relo rec;
	struct core_result res;
	uint32_t i;
	int err;

	if (!o->has_ext || btf_ext_find(&o->ext, BTF_EXT_CORE, &o->btf,
					elf_section_name(&o->elf, sec), &es))
		return 0;
	for (i = 0; i < es.count; i++) {
		size_t idx, at;

		memcpy(&rec, es.recs + (size_t)i * es.rec_size, sizeof rec);
		idx = rec.insn_off / INSN_SZ;
		/* as above: unaligned records were refused at open */
		if (rec.insn_off % INSN_SZ || idx < start || idx >= start + n)
			continue;
		at = pos + idx - start;
		if (!r->kbtf) {
			add_note(r, at, "CO-RE %s: unresolved (no kernel "
				 "BTF)", core_kind_name(rec.kind));
			continue;
		}
		memset(&res, 0, sizeof res);
		err = core_relocate(r->img->insns, r->img->insn_cnt, at, &o->btf,
				    r->kbtf, &rec, &res);
		if (err)
			return error_prefix(-err, "%s insn %zu: CO-RE: ",
					    r->p->name, at);
		if (res.poisoned)
			err = add_core_note(r, at, &res);
		else
			err = add_note(r, at, "CO-RE %s %s: %llu -> %llu",
				       core_kind_name(rec.kind), res.path,
				       (unsigned long long)res.local,
				       (unsigned long long)res.target);
		if (err)
			return err;
	}
	return 0;
}

/* Appends one .BTF.ext record (its first size bytes: the kernel's struct)
 * to *arr, its insn_off now the instruction's place in the program. */
static int add_ext_rec(void **arr, size_t *nr, size_t size,
		       const unsigned char *rec, uint32_t insn_off)
{
	unsigned char *a = realloc(*arr, (*nr + 1) * size);

	if (!a)
		return -ENOMEM;
	memcpy(a + *nr * size, rec, size);
	memcpy(a + *nr * size, &insn_off, sizeof insn_off); /* first field */
	*arr = a;
	(*nr)++;
	return 0;
}

/* The func_info and line_info records of instructions [start, start+n)
 * of section sec, moved to where they sit in the program (and counted in
 * instructions, as the kernel takes them, not bytes): so the object's BTF
 * still describes every function after subprograms are appended. */
static int apply_ext_info(struct reloc *r, unsigned sec, size_t start,
			  size_t n, size_t pos)
{
	static const size_t sizes[] = { sizeof(struct bpf_func_info),
					sizeof(struct bpf_line_info) };
	struct obj_prog_image *img = r->img;
	void **arr[] = { (void **)&img->func_info, (void **)&img->line_info };
	size_t *nr[] = { &img->nr_func_info, &img->nr_line_info };
	struct btf_ext_sec es;
	uint32_t i, off;
	int k, err;

	for (k = BTF_EXT_FUNC; r->o->has_ext && k <= BTF_EXT_LINE; k++) {
		if (btf_ext_find(&r->o->ext, (enum btf_ext_kind)k, &r->o->btf,
				 elf_section_name(&r->o->elf, sec), &es))
			continue;
		for (i = 0; i < es.count; i++) {
			const unsigned char *rec = es.recs +
						   (size_t)i * es.rec_size;

			memcpy(&off, rec, sizeof off);
			off /= INSN_SZ;  /* whole instructions: obj_check */
			if (off < start || off >= start + n)
				continue;
			err = add_ext_rec(arr[k], nr[k], sizes[k], rec,
					  (uint32_t)(pos + off - start));
			if (err)
				return err;
		}
	}
	return 0;
}

/* Relocates instructions [start, start+n) of section sec, whose copy sits
 * at position pos of the program. */
static int relocate_range(struct reloc *r, unsigned sec, size_t start,
			  size_t n, size_t pos)
{
	unsigned char *seen = calloc(n ? n : 1, 1);
	int err;

	if (!seen)
		return -ENOMEM;
	err = apply_ext_info(r, sec, start, n, pos);
	if (!err)
		err = apply_core(r, sec, start, n, pos);
	if (!err)
		err = apply_elf_relocs(r, sec, start, n, pos, seen);
	if (!err)
		err = apply_local_calls(r, sec, start, n, pos, seen);
	free(seen);
	return err;
}

void obj_prog_image_free(struct obj_prog_image *img)
{
	free(img->insns);
	free(img->notes);
	free(img->core_notes);
	free(img->func_info);
	free(img->line_info);
	memset(img, 0, sizeof *img);
}

void obj_images_free(struct obj_prog_image *imgs, size_t n)
{
	while (imgs && n > 0)
		obj_prog_image_free(&imgs[--n]);
	free(imgs);
}

int obj_relocate_prog(const struct obj *o, const struct obj_prog *p,
		      const struct btf *kbtf, const int *map_fds,
		      struct obj_prog_image *img)
{
	struct reloc r = { .o = o, .p = p, .img = img, .kbtf = kbtf,
			   .map_fds = map_fds };
	const void *code;
	size_t size;
	long pos;
	int err;

	obj_prog_image_free(img);
	err = elf_section_data(&o->elf, p->sec, &code, &size);
	if (err)
		return err;
	pos = append(img, (const unsigned char *)code + p->sec_off,
		     p->size / INSN_SZ);
	if (pos < 0)
		return (int)pos;
	img->main_cnt = img->insn_cnt;
	err = relocate_range(&r, p->sec, p->sec_off / INSN_SZ, img->main_cnt,
			     0);
	free(r.subs);
	if (err)
		return error_prefix(-err, "program %s: ", p->name);
	return 0;
}

int obj_relocate(const struct obj *o, const struct btf *kbtf,
		 const int *map_fds, struct obj_prog_image *imgs)
{
	size_t i;
	int err;

	for (i = 0; i < o->nr_progs; i++) {
		if (!o->progs[i].autoload)
			continue;
		err = obj_relocate_prog(o, &o->progs[i], kbtf, map_fds,
					&imgs[i]);
		if (err)
			return err;
	}
	return 0;
}
