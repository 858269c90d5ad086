/* rawtrace inspect FILE.o | TOOL: what is in a BPF object, and what the
 * loader does to it, without loading anything (no root, any kernel).
 * Every name here comes from the object, which may be anyone's: they are
 * written by the text rule of render/output.h (out_pad, out_text,
 * out_line); out_str and out_printf only with our own words and numbers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "obj/disasm.h"
#include "loader/embedded.h"
#include "loader/file.h"
#include "loader/kbtf.h"
#include "loader/sys.h"
#include "obj/names.h"
#include "obj/object.h"
#include "render/output.h"
#include "progs/tools.h"
#include "cli/commands.h"

static const char *kind_name(const struct obj_prog *p)
{
	if (p->kind == ATTACH_FUNC &&
	    p->expected_attach_type == BPF_TRACE_FEXIT)
		return "fexit";
	if (p->kind == ATTACH_FUNC &&
	    p->expected_attach_type == BPF_MODIFY_RETURN)
		return "fmod_ret";
	if (p->kind == ATTACH_SOCKET)
		return "socket (SO_ATTACH_BPF)";
	if (p->kind == ATTACH_CGROUP)
		return "cgroup (BPF_LINK_CREATE)";
	return attach_kind_name(p->kind);
}

static void print_sections(const struct obj *o)
{
	Elf64_Shdr sh;
	unsigned i;

	out_str("sections:\n");
	for (i = 1; i < o->elf.shnum; i++) {
		if (elf_section(&o->elf, i, &sh))
			continue;
		out_printf("  [%2u] ", i);
		out_pad(elf_section_name(&o->elf, i), 32);
		out_printf(" type %-2u flags 0x%-3llx size %llu\n", sh.sh_type,
			   (unsigned long long)sh.sh_flags,
			   (unsigned long long)sh.sh_size);
	}
}

/* " values [1]=inner_a [2]=prog": the initial values (.rel.maps). */
static void print_slots(const struct obj *o, const struct obj_map *m)
{
	size_t i;

	if (m->nr_slots)
		out_str(" values");
	for (i = 0; i < m->nr_slots; i++) {
		const struct map_slot *s = &m->slots[i];

		out_printf(" [%u]=", s->slot);
		out_text(s->is_prog ? o->progs[s->target].name :
			 o->maps[s->target].name, (size_t)-1);
	}
}

static void print_maps(const struct obj *o)
{
	size_t i;

	out_str("maps:\n");
	for (i = 0; i < o->nr_maps; i++) {
		const struct obj_map *m = &o->maps[i];

		out_str("  ");
		out_pad(m->name, 15);
		out_printf(" %-17s key %u value %u max_entries %u",
			   map_type_name(m->type), m->key_size,
			   m->value_size, m->max_entries);
		if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !m->max_entries)
			out_str(" (possible CPUs at load)");
		if (m->flags)
			out_printf(" flags %s", map_flags_str(m->flags));
		if (m->pinning == MAP_PIN_BY_NAME)
			out_str(" pinned by name");
		if (m->inner)
			out_printf(" inner %s key %u value %u max_entries %u",
				   map_type_name(m->inner->type),
				   m->inner->key_size, m->inner->value_size,
				   m->inner->max_entries);
		if (m->is_struct_ops) {
			out_str(" (struct ");
			out_text(btf_type_name(&o->btf, m->value_type_id),
				 (size_t)-1);
			out_char(')');
		}
		print_slots(o, m);
		if (m->is_kconfig)
			out_str(" (kconfig externs, frozen after load)");
		else if (m->is_data)
			out_printf(" (global data%s)", m->frozen ?
				   ", frozen after load" : "");
		out_char('\n');
	}
}

static const char *const kconfig_type_names[] = {
	[KCONFIG_BOOL] = "bool", [KCONFIG_CHAR] = "char",
	[KCONFIG_INT] = "int", [KCONFIG_TRISTATE] = "tristate",
	[KCONFIG_CHAR_ARRAY] = "string",
};

/* Only where there are any: the listing of objects without stays as
 * it was. */
static void print_externs(const struct obj *o)
{
	size_t i;

	if (!o->nr_externs)
		return;
	out_str("externs:\n");
	for (i = 0; i < o->nr_externs; i++) {
		const struct obj_extern *e = &o->externs[i];

		out_str("  ");
		out_pad(e->name, 24);
		if (e->kind == EXTERN_KCONFIG)
			out_printf(" kconfig %s, %u bytes at .kconfig+%u",
				   kconfig_type_names[e->kc_type], e->size,
				   e->offset);
		else
			out_printf(" ksym %s", e->is_func ? "kfunc" :
				   e->type_id ? "variable" : "address");
		out_printf(", %s, type [%u]\n", e->weak ? "weak" : "strong",
			   e->btf_id);
	}
}

/* In inspect, relocated map references carry the map's index. */
static void name_map(void *ctx, const struct bpf_insn *insn, char *buf,
		     size_t len)
{
	const struct obj *o = ctx;
	const char *name = "?";

	if (insn->imm >= 0 && (size_t)insn->imm < o->nr_maps)
		name = o->maps[insn->imm].name;
	if (insn->src_reg == BPF_PSEUDO_MAP_VALUE)
		snprintf(buf, len, "map[%s]+%d", name, insn[1].imm);
	else
		snprintf(buf, len, "map[%s]", name);
}

static void print_prog(const struct obj *o, const struct obj_prog *p,
		       const struct obj_prog_image *img)
{
	char line[160];
	size_t i;
	int n;

	out_char('\n');
	out_line("program %s", p->name);
	out_str("  section ");
	out_text(p->sec_name, (size_t)-1);
	out_printf(", type %s", prog_type_name(p->type));
	if (p->expected_attach_type)
		out_printf(", expected_attach_type %s",
			   attach_type_name(p->expected_attach_type));
	if (p->prog_flags & BPF_F_SLEEPABLE)
		out_str(", sleepable");
	if (p->prog_flags & BPF_F_XDP_HAS_FRAGS)
		out_str(", xdp frags");
	out_char('\n');
	out_line("  attach: %s%s%s%s", kind_name(p),
		 p->target ? " " : "", p->target ? p->target : "",
		 p->autoload ? "" : " (not loaded unless asked: '?')");
	out_printf("  instructions: %zu (%zu own, %zu from subprograms)\n",
		   img->insn_cnt, img->main_cnt, img->insn_cnt - img->main_cnt);
	out_str("  relocations:\n");
	for (i = 0; i < img->nr_notes; i++)
		out_line("    insn %4zu: %s", img->notes[i].insn,
			 img->notes[i].text);
	for (i = 0; i < img->nr_core_notes; i++)
		out_line("    %s (poisoned)", img->core_notes[i].text);
	out_str("  disassembly:\n");
	for (i = 0; i < img->insn_cnt; i += (size_t)n) {
		n = disasm_insn(img->insns, img->insn_cnt, i, line, sizeof line,
				name_map, (void *)o);
		out_line("    %4zu: %s", i, line);
	}
}

/* "build/bpf/bind.bpf.o" -> "bind": the name map names start with. */
static const char *object_name(const char *path)
{
	static char name[32];
	const char *base = strrchr(path, '/');
	char *dot;

	snprintf(name, sizeof name, "%s", base ? base + 1 : path);
	dot = strchr(name, '.');
	if (dot && dot != name)
		*dot = 0;
	return name;
}

/* The most inspect and run read. A BPF object is small (the largest in
 * the wild, with their BTF, are a few MiB); a file larger than this is not
 * one, and reading it whole would cost its size in memory. */
#define OBJECT_MAX_BYTES (64ull << 20)

int read_object(const char *what, void **buf, size_t *size,
		      const char **name)
{
	const struct embedded_obj *e = embedded_find(what);
	int err;

	if (e) {
		*name = e->name;
		return embedded_inflate(e, buf, size);
	}
	err = file_read_all(what, OBJECT_MAX_BYTES, buf, size);
	if (err == -ENOENT)
		return error_set(ENOENT, "%s: %s (not a file, nor a tool name)",
				 what, errno_text(ENOENT));
	if (err == -EFBIG)
		return error_prefix(EFBIG, "%s: too large for a BPF object "
				    "(the largest are a few MiB): ", what);
	if (err)
		return error_prefix(-err, "%s: ", what);
	*name = object_name(what);
	return 0;
}

static void usage(FILE *f)
{
	const struct embedded_obj *e;

	fprintf(f, "usage: rawtrace inspect FILE.o | TOOL\n"
		"embedded objects:");
	for (e = embedded_objs; e->name; e++)
		fprintf(f, " %s", e->name);
	fprintf(f, "\n");
}

int inspect_main(int argc, char **argv)
{
	struct obj_prog_image *imgs;
	struct kbtf k;
	struct obj o;
	void *buf = NULL;
	size_t size = 0, i;
	const char *name = NULL;
	int have_btf, err;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
			  strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		usage(stderr);
		return 2;
	}
	err = read_object(argv[1], &buf, &size, &name);
	if (err)
		return tool_fail("inspect", error_msg());
	err = obj_open(&o, name, buf, size);
	if (err) {
		free(buf);
		return tool_fail("inspect", error_msg());
	}
	have_btf = kbtf_open_for(&k, opt_btf_path, &o) == 0;
	if (!have_btf && opt_btf_path) {
		obj_close(&o);
		free(buf);
		return tool_fail("inspect", error_msg());
	}
	o.keep_notes = 1;
	if (sys_explain)
		o.note = sys_note_insn;
	imgs = calloc(o.nr_progs ? o.nr_progs : 1, sizeof *imgs);
	err = imgs ? obj_relocate(&o, have_btf ? &k.btf : NULL, NULL, imgs) :
		     error_set(ENOMEM, "no memory");
	/* SEC("?...") programs too: inspect shows what each would be */
	for (i = 0; !err && i < o.nr_progs; i++)
		if (!o.progs[i].autoload)
			err = obj_relocate_prog(&o, &o.progs[i], have_btf ?
						&k.btf : NULL, NULL, &imgs[i]);
	out_line("object %s: %zu bytes, license \"%s\"", name, size, o.license);
	out_line("CO-RE resolved against: %s", have_btf ? (opt_btf_path ?
		 opt_btf_path : KERNEL_BTF_PATH) : "(no kernel BTF: unresolved)");
	print_sections(&o);
	print_maps(&o);
	print_externs(&o);
	for (i = 0; !err && i < o.nr_progs; i++)
		print_prog(&o, &o.progs[i], &imgs[i]);
	out_flush();   /* the listing, then what stopped it */
	if (err)
		err_line("rawtrace inspect: %s", error_msg());
	obj_images_free(imgs, imgs ? o.nr_progs : 0);
	obj_close(&o);
	if (have_btf)
		kbtf_close(&k);
	free(buf);
	return err ? 1 : 0;
}
