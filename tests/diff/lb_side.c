/* The libbpf side of the differential check (tests/diff/check.sh):
 *     lb-diff -o DIR [-b BTF] [-d SECTION=FILE]... [-m MAP=T:K:V:N]...
 *             OBJECT.bpf.o PROG...
 * opens the object with libbpf, loads only the programs named (and the
 * maps, all of them, as libbpf does), each global-data section set to the
 * bytes in FILE (what rawtrace gave the kernel: the verifier prunes on
 * frozen .rodata, so both must load the same knobs), and writes each
 * program's translated instructions to DIR/PROG.libbpf in the form of
 * tests/diff/xlated.h. -m: a map's type, key and value sizes and
 * max_entries as rawtrace made it (max_entries 0: libbpf's default). -b: the kernel's BTF for CO-RE from a file (what
 * rawtrace --btf takes), for kernels without /sys/kernel/btf/vmlinux. A test-only program: linked with libbpf (statically,
 * glibc), never with rawtrace. Exit 0, 1 if libbpf cannot load (its
 * messages on stderr), 2 for bad usage, 3 if a dump fails. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "tests/diff/xlated.h"

#define MAX_DATA 8
#define MAX_MAPS 32

static int verbose;

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int usage(void)
{
	fprintf(stderr, "usage: lb-diff [-v] -o DIR [-b BTF] [-d SECTION=FILE]... "
		"[-m MAP=TYPE:KEY:VALUE:MAX]... OBJECT.bpf.o PROG...\n");
	return 2;
}

static int wanted(const char *name, char **progs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(progs[i], name) == 0)
			return 1;
	return 0;
}

/* SECTION=FILE: the map libbpf made of SECTION starts as FILE's bytes. */
static int set_data(struct bpf_object *obj, char *arg)
{
	char *eq = strchr(arg, '='), buf[65536];
	struct bpf_map *m;
	size_t n;
	FILE *f;
	int err;

	if (!eq)
		return usage();
	*eq = 0;
	m = bpf_object__find_map_by_name(obj, arg);
	if (!m) {
		fprintf(stderr, "lb-diff: no global-data map for %s\n", arg);
		return 1;
	}
	f = fopen(eq + 1, "rb");
	if (!f) {
		fprintf(stderr, "lb-diff: %s: %s\n", eq + 1, strerror(errno));
		return 1;
	}
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	err = bpf_map__set_initial_value(m, buf, n);
	if (err) {
		fprintf(stderr, "lb-diff: %s: %zu bytes: %s\n", arg, n,
			strerror(-err));
		return 1;
	}
	return 0;
}

/* MAP=TYPE:KEY:VALUE:MAX: the map is made as rawtrace made it. */
static int set_map(struct bpf_object *obj, char *arg)
{
	char *eq = strchr(arg, '=');
	unsigned type, key, value, max;
	struct bpf_map *m;

	if (!eq || sscanf(eq + 1, "%u:%u:%u:%u", &type, &key, &value,
			  &max) != 4)
		return usage();
	*eq = 0;
	m = bpf_object__find_map_by_name(obj, arg);
	if (!m) {
		fprintf(stderr, "lb-diff: no map %s\n", arg);
		return 1;
	}
	if (bpf_map__set_type(m, type) || bpf_map__set_key_size(m, key) ||
	    bpf_map__set_value_size(m, value) ||
	    (max && bpf_map__set_max_entries(m, max))) {
		fprintf(stderr, "lb-diff: map %s: cannot set its definition\n",
			arg);
		return 1;
	}
	return 0;
}

static int dump(struct bpf_program *p, const char *dir)
{
	char path[512], err[256];
	FILE *f;
	int r;

	snprintf(path, sizeof path, "%s/%s.libbpf", dir,
		 bpf_program__name(p));
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "lb-diff: %s: %s\n", path, strerror(errno));
		return 3;
	}
	r = xlated_dump(bpf_program__fd(p), f, err, sizeof err);
	if ((ferror(f) | fclose(f)) && !r) {
		snprintf(err, sizeof err, "write error");
		r = -EIO;
	}
	if (r) {
		fprintf(stderr, "lb-diff: %s: %s\n", bpf_program__name(p), err);
		return 3;
	}
	return 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	char *data[MAX_DATA], *maps[MAX_MAPS], *dir = NULL;
	struct bpf_object *obj;
	struct bpf_program *p;
	int c, i, nr_data = 0, nr_maps = 0, nr_progs, err;

	while ((c = getopt(argc, argv, "vo:b:d:m:")) != -1) {
		if (c == 'v')
			verbose = 1;
		else if (c == 'b')
			opts.btf_custom_path = optarg;
		else if (c == 'o')
			dir = optarg;
		else if (c == 'd' && nr_data < MAX_DATA)
			data[nr_data++] = optarg;
		else if (c == 'm' && nr_maps < MAX_MAPS)
			maps[nr_maps++] = optarg;
		else
			return usage();
	}
	if (!dir || argc - optind < 2)
		return usage();
	libbpf_set_print(print);
	obj = bpf_object__open_file(argv[optind], &opts);
	if (!obj) {
		fprintf(stderr, "lb-diff: %s: %s\n", argv[optind],
			strerror(errno));
		return 1;
	}
	nr_progs = argc - optind - 1;
	for (i = 0; i < nr_progs; i++)
		if (!bpf_object__find_program_by_name(obj, argv[optind + 1 + i])) {
			fprintf(stderr, "lb-diff: %s: no program %s\n",
				argv[optind], argv[optind + 1 + i]);
			return 1;
		}
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, wanted(bpf_program__name(p),
						    argv + optind + 1, nr_progs));
	for (i = 0; i < nr_data; i++) {
		err = set_data(obj, data[i]);
		if (err)
			return err;
	}
	for (i = 0; i < nr_maps; i++) {
		err = set_map(obj, maps[i]);
		if (err)
			return err;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "lb-diff: %s: load: %s\n", argv[optind],
			strerror(-err));
		return 1;
	}
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p))
			continue;
		err = dump(p, dir);
		if (err)
			return err;
	}
	bpf_object__close(obj);
	return 0;
}
