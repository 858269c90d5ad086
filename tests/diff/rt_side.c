/* The rawtrace side of the libbpf differential check: rawtrace itself
 * (every object of the binary, its main included), linked with
 * -Wl,--wrap=obj_load,--wrap=main so that the functions here run first.
 * A command such as
 *     RT_DIFF_DIR=out rt-diff bind --backend tracepoint -x -j
 * parses its options, sets its knobs and loads its backend exactly as
 * `rawtrace bind` does; then, instead of attaching, obj_load writes into
 * RT_DIFF_DIR, for the libbpf side (tests/diff/lb_side.c) to load the
 * same:
 *   object          the object's name (bind for bind.bpf.o)
 *   progs           the programs it loads, one a line
 *   data            "SECTION FILE" for each global-data section, FILE
 *                   (data.N) holding the bytes rawtrace gave the kernel:
 *                   the knobs the tool set (read back after the load)
 *   maps            "NAME TYPE KEY VALUE MAX" for each other map, as the
 *                   tool set it before the load (the events map is a ring
 *                   buffer or a perf array: the knobs say which helper
 *                   the programs call, and the map must match)
 *   PROG.rawtrace   each loaded program's translated instructions
 *                   (tests/diff/xlated.h)
 * and exits 0. If the load fails, the tool goes on as rawtrace would
 * (another backend, an error message and exit 1) with the first three
 * written, so the libbpf side can say whether it loads there.
 * With RT_DIFF_KEEP=1 it writes only the PROG.rawtrace files, after
 * each load that succeeds, and then returns, so that the command goes
 * on as rawtrace's does (`rt-diff run OBJ -d 1` attaches and runs; a
 * load of one program at a time dumps each):
 * tests/sh/test_run_vs_libbpf.sh.
 * Two more ways to run it, before rawtrace's main:
 *   rt-diff --list     "object NAME" for each embedded object and
 *                      "backend TOOL NAME" for each entry of the tools'
 *                      backend tables, so that the check covers an object
 *                      or a backend added later without being told;
 *   rt-diff --object FILE.bpf.o [--btf BTF] PROG...
 *                      an object that is not embedded (tests/bpf/), its
 *                      programs loaded by session_load as a tool's are. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "loader/embedded.h"
#include "loader/load.h"
#include "loader/session.h"
#include "loader/sys.h"
#include "progs/options.h"
#include "progs/tool.h"
#include "tests/diff/xlated.h"

int __real_obj_load(struct loaded *l, struct obj *o, const struct btf *kbtf);
int __wrap_obj_load(struct loaded *l, struct obj *o, const struct btf *kbtf);
int __real_obj_load_each(struct loaded *l, struct obj *o,
			 const struct btf *kbtf, load_failed_fn failed,
			 void *ctx);
int __wrap_obj_load_each(struct loaded *l, struct obj *o,
			 const struct btf *kbtf, load_failed_fn failed,
			 void *ctx);

static const char *dir;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "rt-diff: %s: %s\n", what, why);
	exit(3);
}

static FILE *open_out(const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		die(path, strerror(errno));
	return f;
}

static void close_out(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f))
		die(path, "write error");
}

static void write_bytes(const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f = open_out(name, path, sizeof path);

	fwrite(p, 1, n, f);
	close_out(f, path);
}

/* The global data as it stands: after the load (l), the kernel's copy. */
static void write_data(const struct obj *o, const struct loaded *l)
{
	unsigned char *buf;
	char path[512], name[32];
	FILE *f = open_out("data", path, sizeof path);
	size_t i;
	int key = 0, err;

	for (i = 0; i < o->nr_maps; i++) {
		const struct obj_map *m = &o->maps[i];

		if (!m->is_data)
			continue;
		snprintf(name, sizeof name, "data.%zu", i);
		fprintf(f, "%s %s\n", elf_section_name(&o->elf, m->sec), name);
		if (!l || loaded_map_fd(l, m) < 0) {
			write_bytes(name, m->data, m->value_size);
			continue;
		}
		buf = malloc(m->value_size);
		if (!buf)
			die(m->name, "no memory");
		err = bpf_map_lookup(loaded_map_fd(l, m), &key, buf);
		if (err)
			die(m->name, strerror(-err));
		write_bytes(name, buf, m->value_size);
		free(buf);
	}
	close_out(f, path);
}

static void write_inputs(const struct obj *o)
{
	char path[512];
	FILE *f = open_out("object", path, sizeof path);
	size_t i;

	fprintf(f, "%s\n", o->name);
	close_out(f, path);
	f = open_out("progs", path, sizeof path);
	for (i = 0; i < o->nr_progs; i++)
		if (o->progs[i].autoload)
			fprintf(f, "%s\n", o->progs[i].name);
	close_out(f, path);
	f = open_out("maps", path, sizeof path);
	for (i = 0; i < o->nr_maps; i++)
		if (!o->maps[i].is_data)
			fprintf(f, "%s %u %u %u %u\n", o->maps[i].name,
				o->maps[i].type, o->maps[i].key_size,
				o->maps[i].value_size, o->maps[i].max_entries);
	close_out(f, path);
	write_data(o, NULL);
}

static void dump_prog(const struct obj_prog *p, int fd)
{
	char path[512], name[96], err[256];
	FILE *f;

	snprintf(name, sizeof name, "%s.rawtrace", p->name);
	f = open_out(name, path, sizeof path);
	if (xlated_dump(fd, f, err, sizeof err))
		die(p->name, err);
	close_out(f, path);
}

int __wrap_obj_load(struct loaded *l, struct obj *o, const struct btf *kbtf)
{
	size_t i;
	int err, fd;

	const char *keep = getenv("RT_DIFF_KEEP");

	dir = getenv("RT_DIFF_DIR");
	if (!dir || !*dir)
		die("RT_DIFF_DIR", "not set (the directory to write to)");
	if (!keep || strcmp(keep, "1") != 0)
		keep = NULL;
	if (!keep)
		write_inputs(o);
	err = __real_obj_load(l, o, kbtf);
	if (err)
		return err;
	if (!keep)
		write_data(o, l);
	for (i = 0; i < o->nr_progs; i++)
		if ((fd = loaded_prog_fd(l, &o->progs[i])) >= 0)
			dump_prog(&o->progs[i], fd);
	if (keep)
		return 0;
	exit(0);
}

/* rawtrace run loads a program at a time (obj_load_each): with
 * RT_DIFF_KEEP=1, each program it loaded is dumped as obj_load's are. */
int __wrap_obj_load_each(struct loaded *l, struct obj *o,
			 const struct btf *kbtf, load_failed_fn failed,
			 void *ctx)
{
	const char *keep = getenv("RT_DIFF_KEEP");
	size_t i;
	int n, fd;

	dir = getenv("RT_DIFF_DIR");
	if (!dir || !*dir)
		die("RT_DIFF_DIR", "not set (the directory to write to)");
	if (!keep || strcmp(keep, "1") != 0)
		die("RT_DIFF_KEEP", "obj_load_each (rawtrace run) is dumped "
		    "only with RT_DIFF_KEEP=1");
	n = __real_obj_load_each(l, o, kbtf, failed, ctx);
	if (n <= 0)
		return n;
	for (i = 0; i < o->nr_progs; i++)
		if ((fd = loaded_prog_fd(l, &o->progs[i])) >= 0)
			dump_prog(&o->progs[i], fd);
	return n;
}

static int list_all(void)
{
	const struct embedded_obj *e;
	const struct backend *b;
	size_t i;

	for (e = embedded_objs; e->name; e++)
		printf("object %s\n", e->name);
	for (i = 0; tools[i]; i++)
		for (b = tools[i]->backends; b && b->name; b++)
			printf("backend %s %s\n", tools[i]->name, b->name);
	return 0;
}

/* FILE's bytes, 8-byte aligned as the embedded objects are. */
static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint64_t *buf = NULL;
	long n;

	if (!f)
		die(path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		die(path, "cannot size it");
	buf = malloc((size_t)n + 8);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path, "cannot read it");
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* --object FILE [--btf BTF] PROG...: as a tool loads its backend.
 * argv[0] is FILE. Returns only if the load fails. */
static int load_file(int argc, char **argv)
{
	const char *btf = NULL, *path = argv[0], *base;
	char **progs = argv + 1, name[32];
	struct session s;
	size_t size;
	void *data;
	int err;

	if (argc >= 3 && strcmp(progs[0], "--btf") == 0) {
		btf = progs[1];
		progs += 2;
		argc -= 2;
	}
	if (argc < 2)
		die("--object", "usage: rt-diff --object FILE [--btf BTF] "
		    "PROG...");
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(name, sizeof name, "%.*s", (int)strcspn(base, "."), base);
	data = read_file(path, &size);
	memset(&s, 0, sizeof s);
	err = obj_open(&s.obj, name, data, size);
	if (!err)
		err = session_load(&s, (const char *const *)progs, btf);
	fprintf(stderr, "rawtrace %s: %s\n", name, error_msg());
	session_close(&s);
	free(data);
	return 1;
}

int __real_main(int argc, char **argv);
int __wrap_main(int argc, char **argv);

int __wrap_main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--list") == 0)
		return list_all();
	if (argc >= 2 && strcmp(argv[1], "--object") == 0)
		return load_file(argc - 2, argv + 2);
	return __real_main(argc, argv);
}
