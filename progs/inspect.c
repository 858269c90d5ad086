/* rawtrace inspect FILE.o | TOOL: what is in a BPF object, and what the
 * loader does to it, without loading anything (no root, any kernel).
 * Every name here comes from the object, which may be anyone's: they are
 * written by the text rule of progs/output.h (out_pad, out_text,
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
#include "progs/output.h"
#include "progs/tools.h"

static const char *kind_name(const struct obj_prog *p)
{
	static const char *const names[] = {
		[ATTACH_NONE] = "-", [ATTACH_KPROBE] = "kprobe",
		[ATTACH_KRETPROBE] = "kretprobe",
		[ATTACH_TRACEPOINT] = "tracepoint",
		[ATTACH_RAW_TP] = "raw_tracepoint", [ATTACH_TP_BTF] = "tp_btf",
		[ATTACH_FUNC] = "fentry",
		[ATTACH_SOCKET] = "socket (SO_ATTACH_BPF)",
		[ATTACH_CGROUP] = "cgroup (BPF_LINK_CREATE)",
	};
	if (p->kind == ATTACH_FUNC &&
	    p->expected_attach_type == BPF_TRACE_FEXIT)
		return "fexit";
	return names[p->kind];
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
		if (m->is_data)
			out_printf(" (global data%s)", m->frozen ?
				   ", frozen after load" : "");
		out_char('\n');
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

static void print_prog(const struct obj *o, const struct obj_prog *p)
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
	out_char('\n');
	out_line("  attach: %s%s%s", kind_name(p),
		 p->target ? " " : "", p->target ? p->target : "");
	out_printf("  instructions: %zu (%zu own, %zu from subprograms)\n",
		   p->insn_cnt, p->main_cnt, p->insn_cnt - p->main_cnt);
	out_str("  relocations:\n");
	for (i = 0; i < p->nr_notes; i++)
		out_line("    insn %4zu: %s", p->notes[i].insn, p->notes[i].text);
	for (i = 0; i < p->nr_core_notes; i++)
		out_line("    %s (poisoned)", p->core_notes[i].text);
	out_str("  disassembly:\n");
	for (i = 0; i < p->insn_cnt; i += (size_t)n) {
		n = disasm_insn(p->insns, p->insn_cnt, i, line, sizeof line,
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

/* The most inspect reads. A BPF object is small (the largest in the
 * wild, with their BTF, are a few MiB); a file larger than this is not
 * one, and reading it whole would cost its size in memory. */
#define INSPECT_MAX_BYTES (64ull << 20)

static int load_bytes(const char *what, void **buf, size_t *size,
		      const char **name)
{
	const struct embedded_obj *e = embedded_find(what);
	int err;

	if (e) {
		*buf = NULL;
		*size = (size_t)(e->end - e->start);
		*name = e->name;
		return 0;
	}
	err = file_read_all(what, INSPECT_MAX_BYTES, buf, size);
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
	const struct embedded_obj *e;
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
	err = load_bytes(argv[1], &buf, &size, &name);
	if (err)
		return tool_fail("inspect", error_msg());
	e = embedded_find(argv[1]);
	err = obj_open(&o, name, buf ? buf : (void *)e->start, size);
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
	err = obj_relocate(&o, have_btf ? &k.btf : NULL, NULL);
	out_line("object %s: %zu bytes, license \"%s\"", name, size, o.license);
	out_line("CO-RE resolved against: %s", have_btf ? (opt_btf_path ?
		 opt_btf_path : KERNEL_BTF_PATH) : "(no kernel BTF: unresolved)");
	print_sections(&o);
	print_maps(&o);
	for (i = 0; !err && i < o.nr_progs; i++)
		print_prog(&o, &o.progs[i]);
	out_flush();   /* the listing, then what stopped it */
	if (err)
		err_line("rawtrace inspect: %s", error_msg());
	obj_close(&o);
	if (have_btf)
		kbtf_close(&k);
	free(buf);
	return err ? 1 : 0;
}
