/* rawtrace btfgen: writes the small kernel BTF that rawtrace's tools
 * need, for kernels without /sys/kernel/btf/vmlinux: run it where the
 * target kernel's BTF is at hand (on the target while it still has BTF,
 * or on a build machine with --btf naming the target's vmlinux or raw
 * BTF), copy the file over, and run `rawtrace --btf FILE TOOL` there.
 * The cutting is obj/btfgen.c; this is the command around it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/error.h"
#include "obj/btfgen.h"
#include "loader/embedded.h"
#include "loader/file.h"
#include "loader/kbtf.h"
#include "obj/object.h"
#include "loader/sys.h"
#include "progs/tools.h"
#include "cli/commands.h"

#define MAX_OBJS 16
#define OPT_DROP 0x100

static const char usage_text[] =
	"usage: rawtrace [--btf INPUT] btfgen -o OUT [--drop TYPE.MEMBER]...\n"
	"Write the kernel BTF the tools' CO-RE reads need (~1.4 KB) to OUT,\n"
	"for `rawtrace --btf OUT TOOL` on a kernel without "
	"/sys/kernel/btf/vmlinux.\n"
	"INPUT: the target kernel's BTF, raw or an ELF vmlinux with .BTF\n"
	"(default: this kernel's, /sys/kernel/btf/vmlinux).\n"
	"  -o, --output OUT      the file to write: made beside OUT, then\n"
	"                        renamed over it; a symbolic link, a device\n"
	"                        or a directory there is refused\n"
	"  --drop TYPE.MEMBER    leave a member out, as a kernel built "
	"without it\n"
	"                        has it (for tests of CO-RE guards, e.g.\n"
	"                        sock_common.skc_v6_daddr)\n";

struct gen {
	struct obj objs[MAX_OBJS];
	void *data[MAX_OBJS];   /* each one's inflated bytes, which it
				   points into */
	size_t nr_objs;
	char **names;           /* every object's kernel type names, once */
	size_t nr_names;
	struct kbtf k;
	int has_k;
	struct btfgen g;
	void *out;
	size_t out_size;
	uint32_t nr_types;      /* in out */
};

static int add_names(struct gen *s, char **names, size_t n)
{
	char **more = realloc(s->names, (s->nr_names + n) * sizeof *more);
	size_t i, j;

	if (!more) {
		obj_names_free(names, n);
		return error_set(ENOMEM, "no memory for type names");
	}
	s->names = more;
	for (i = 0; i < n; i++) {
		for (j = 0; j < s->nr_names; j++)
			if (strcmp(s->names[j], names[i]) == 0)
				break;
		if (j < s->nr_names)
			free(names[i]);
		else
			s->names[s->nr_names++] = names[i];
	}
	free(names);
	return 0;
}

/* Every embedded object, and the names they look up in one list, so
 * that one pass over the input finds them all. */
static int open_objects(struct gen *s)
{
	const struct embedded_obj *e;
	char **names;
	size_t n, size;
	int err;

	for (e = embedded_objs; e->name; e++) {
		if (s->nr_objs == MAX_OBJS)
			return error_set(E2BIG, "more than %d objects", MAX_OBJS);
		err = embedded_inflate(e, &s->data[s->nr_objs], &size);
		if (err)
			return err;
		err = obj_open(&s->objs[s->nr_objs], e->name,
			       s->data[s->nr_objs], size);
		if (err)
			return error_prefix(-err, "%s: ", e->name);
		if (sys_explain)   /* the relocations btfgen_check_obj makes */
			s->objs[s->nr_objs].note = sys_note_insn;
		s->nr_objs++;
		err = obj_kernel_btf_names(&s->objs[s->nr_objs - 1], &names, &n);
		if (!err)
			err = add_names(s, names, n);
		if (err)
			return err;
	}
	return 0;
}

static int generate(struct gen *s, const char *const *drop, size_t nr_drop)
{
	struct btf min;
	size_t i;
	int err;

	err = kbtf_open(&s->k, opt_btf_path, (const char *const *)s->names,
			s->nr_names);
	if (err == -ENOENT && !opt_btf_path)
		return error_set(ENOENT, "this kernel has no BTF (%s): name the "
				 "target kernel's with --btf VMLINUX (see -h)",
				 KERNEL_BTF_PATH);
	if (err)
		return err;
	s->has_k = 1;
	err = btfgen_init(&s->g, &s->k.btf);
	for (i = 0; !err && i < nr_drop; i++)
		err = btfgen_drop(&s->g, drop[i]);
	for (i = 0; !err && i < s->nr_objs; i++)
		err = btfgen_add_obj(&s->g, &s->objs[i]);
	if (!err)
		err = btfgen_write(&s->g, &s->out, &s->out_size);
	if (err)
		return err;
	/* Read back as `--btf OUT` will read it, and each program relocated
	 * against both: a member kept too few would show here, not on the
	 * target. Dropped members change what resolves, on purpose. */
	err = btf_parse(&min, s->out, s->out_size);
	if (err)
		return error_prefix(-err, "the BTF written does not read back: ");
	s->nr_types = min.nr_types - 1;
	for (i = 0; !err && !nr_drop && i < s->nr_objs; i++)
		err = btfgen_check_obj(&s->objs[i], &s->k.btf, &min);
	btf_free(&min);
	return err;
}

static void gen_free(struct gen *s)
{
	size_t i;

	for (i = 0; i < s->nr_objs; i++)
		obj_close(&s->objs[i]);
	for (i = 0; i < MAX_OBJS; i++)  /* and one whose obj_open failed */
		free(s->data[i]);
	obj_names_free(s->names, s->nr_names);
	btfgen_free(&s->g);
	if (s->has_k)
		kbtf_close(&s->k);
	free(s->out);
}

int btfgen_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "drop", required_argument, NULL, OPT_DROP },
		{ NULL, 0, NULL, 0 },
	};
	static struct gen s;
	const char *out = NULL, *drop[16];
	size_t nr_drop = 0;
	int c, err;

	opterr = 0;     /* one line of our own, not getopt's as well */
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'o':
			out = optarg;
			break;
		case OPT_DROP:
			if (nr_drop == sizeof drop / sizeof drop[0])
				return tool_fail("btfgen", "too many --drop");
			drop[nr_drop++] = optarg;
			break;
		case ':':
			return tool_fail("btfgen", optopt == 'o' ?
					 "-o needs an argument: the file to "
					 "write (see -h)" : "an option needs "
					 "an argument (see -h)");
		default:
			return tool_fail("btfgen", "bad option (see -h)");
		}
	}
	if (optind < argc)
		return tool_fail("btfgen", "unexpected argument (see -h)");
	if (!out)
		return tool_fail("btfgen", "-o OUT is missing: where to write "
				 "the BTF (see -h)");
	err = open_objects(&s);
	if (!err)
		err = generate(&s, drop, nr_drop);
	if (!err)
		err = file_write_atomic(out, s.out, s.out_size);
	if (!err)
		printf("rawtrace btfgen: wrote %s: %zu bytes, %u of %u types "
		       "from %s%s\n", out, s.out_size, s.nr_types,
		       s.k.btf.nr_types - 1, opt_btf_path ? opt_btf_path :
		       KERNEL_BTF_PATH, nr_drop ? " (members dropped)" :
		       "; each tool's CO-RE reads resolve as against it");
	gen_free(&s);
	return err ? tool_fail("btfgen", error_msg()) : 0;
}
