/* The reference verdict for `rawtrace run` (issue 21): what libbpf
 * itself loads and attaches of one object on this kernel.
 *     lb-verdict [-v] [-b BTF] [-o DIR] OBJECT.bpf.o
 * Opens the object and loads every program libbpf loads by default (its
 * autoload ones) all at once, as a skeleton's load would. If that
 * all-or-nothing load fails, each program is loaded alone instead: a fresh
 * bpf_object each time, every other program's autoload off. A program
 * that is not autoload by default (SEC("?...")) is tried alone too. Each
 * loaded program is then attached as a skeleton's attach does it
 * (bpf_object__attach_skeleton over a skeleton of that one program: the
 * attach its section names, if it names one), and detached again.
 * Prints to stdout one line for the object, then one per program:
 *     # off PROG                     (each program not autoload by default)
 *     # OBJECT: all loaded | all refused(ERRNO)
 *     PROG SECTION loaded|refused(ERRNO) attached|refused(ERRNO)|n/a
 * n/a: not loaded, or the section has no auto-attach (SEC("uprobe")
 * without a target, "perf_event", socket filters and the like), which a
 * skeleton skips. ERRNO by its name (EPERM). -o DIR: each loaded program's
 * translated instructions to DIR/PROG.libbpf (tests/diff/xlated.h), for
 * the comparison with rawtrace's. -b: the kernel's BTF from a file.
 * libbpf's own messages go to stderr (-v: its debug ones too).
 * Before exiting it checks that it holds no BPF program, link or map,
 * nor perf event, any more (every one it made is closed): exit 4 if one
 * is left.
 * Exit 0 (whatever the verdicts), 1 if libbpf cannot open the object,
 * 2 for bad usage, 3 if a dump fails, 4 if something was left open.
 * Test-only: static, with Debian's libbpf; never linked with rawtrace. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "tests/diff/xlated.h"

static int verbose;
static const char *btf_path;
static const char *dump_dir;

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int usage(void)
{
	fprintf(stderr, "usage: lb-verdict [-v] [-b BTF] [-o DIR] OBJECT.bpf.o\n");
	return 2;
}

/* ERRNO's name; the kernel's own ENOTSUPP (524, "operation not
 * supported", which user space has no name for) too, else the number. */
static const char *ename(int err)
{
	static char num[16];
	const char *n;

	if (err < 0)
		err = -err;
	if (err == 524)
		return "ENOTSUPP";
	n = strerrorname_np(err);
	if (n)
		return n;
	snprintf(num, sizeof num, "%d", err);
	return num;
}

static struct bpf_object *open_obj(const char *path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);

	opts.btf_custom_path = btf_path;
	return bpf_object__open_file(path, &opts);
}

static int dump(struct bpf_program *p)
{
	char path[512], err[256];
	FILE *f;
	int r;

	if (!dump_dir)
		return 0;
	snprintf(path, sizeof path, "%s/%s.libbpf", dump_dir,
		 bpf_program__name(p));
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "lb-verdict: %s: %s\n", path, strerror(errno));
		return 3;
	}
	r = xlated_dump(bpf_program__fd(p), f, err, sizeof err);
	if ((ferror(f) | fclose(f)) && !r) {
		snprintf(err, sizeof err, "write error");
		r = -EIO;
	}
	if (r) {
		fprintf(stderr, "lb-verdict: %s: %s\n", bpf_program__name(p),
			err);
		return 3;
	}
	return 0;
}

/* Attaches p as bpf_object__attach_skeleton does, into *link: 0 with
 * *link NULL when its section has no auto-attach. */
static int attach(struct bpf_object *obj, struct bpf_program *p,
		  struct bpf_link **link)
{
	struct bpf_prog_skeleton ps = { bpf_program__name(p), &p, link };
	struct bpf_object_skeleton s;

	memset(&s, 0, sizeof s);
	s.sz = sizeof s;
	s.name = "lb-verdict";
	s.obj = &obj;
	s.prog_cnt = 1;
	s.prog_skel_sz = sizeof ps;
	s.progs = &ps;
	*link = NULL;
	return bpf_object__attach_skeleton(&s);
}

/* One program's line; p loaded (load_err 0), or not. */
static void line(const struct bpf_program *p, int load_err, int att_err,
		 int linked)
{
	printf("%s %s ", bpf_program__name(p), bpf_program__section_name(p));
	if (load_err)
		printf("refused(%s) n/a\n", ename(load_err));
	else if (att_err)
		printf("loaded refused(%s)\n", ename(att_err));
	else
		printf("loaded %s\n", linked ? "attached" : "n/a");
}

/* Attaches and reports every program of a loaded obj that it loaded. */
static int attach_all(struct bpf_object *obj)
{
	struct bpf_program *p;
	int err, r;

	bpf_object__for_each_program(p, obj) {
		struct bpf_link *link = NULL;

		if (!bpf_program__autoload(p))
			continue;
		r = dump(p);
		if (r)
			return r;
		err = attach(obj, p, &link);
		line(p, 0, err, link != NULL);
		if (link)
			bpf_link__destroy(link);
	}
	return 0;
}

/* Loads program NAME of path alone, attaches it, reports it. */
static int alone(const char *path, const char *name)
{
	struct bpf_object *obj = open_obj(path);
	struct bpf_program *p, *me = NULL;
	int err, r = 0;

	if (!obj) {
		fprintf(stderr, "lb-verdict: %s: reopen: %s\n", path,
			strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(p, obj) {
		int mine = strcmp(bpf_program__name(p), name) == 0;

		bpf_program__set_autoload(p, mine);
		if (mine)
			me = p;
	}
	if (!me) {
		bpf_object__close(obj);
		return 1;
	}
	if (verbose)
		fprintf(stderr, "lb-verdict: %s alone\n", name);
	err = bpf_object__load(obj);
	if (err) {
		line(me, err, 0, 0);
		fflush(stdout);
	} else {
		r = attach_all(obj);
	}
	bpf_object__close(obj);
	return r;
}

/* How many BPF objects (fds of the anon inodes bpf-prog, bpf_link,
 * bpf-map...) and perf events (an attach's) this process still holds. */
static int leftovers(void)
{
	char path[300], target[128];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	ssize_t len;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		len = readlink(path, target, sizeof target - 1);
		if (len < 0)
			continue;
		target[len] = 0;
		if (strncmp(target, "anon_inode:bpf", 14) == 0 ||
		    strcmp(target, "anon_inode:[perf_event]") == 0) {
			fprintf(stderr, "lb-verdict: fd %s still open: %s\n",
				e->d_name, target);
			n++;
		}
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	char **names;
	const char *path;
	int c, i, n = 0, err, r = 0;

	while ((c = getopt(argc, argv, "vb:o:")) != -1) {
		if (c == 'v')
			verbose = 1;
		else if (c == 'b')
			btf_path = optarg;
		else if (c == 'o')
			dump_dir = optarg;
		else
			return usage();
	}
	if (argc - optind != 1)
		return usage();
	path = argv[optind];
	libbpf_set_print(print);
	setvbuf(stdout, NULL, _IOLBF, 0);
	obj = open_obj(path);
	if (!obj) {
		fprintf(stderr, "lb-verdict: %s: %s\n", path, strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(p, obj)
		n++;
	names = calloc(n + 1, sizeof *names);
	if (!names)
		return 1;
	n = 0;
	/* default-off programs, tried alone whatever the first load does */
	bpf_object__for_each_program(p, obj)
		if (!bpf_program__autoload(p)) {
			names[n++] = strdup(bpf_program__name(p));
			printf("# off %s\n", bpf_program__name(p));
		}
	err = bpf_object__load(obj);
	if (!err) {
		printf("# %s: all loaded\n", path);
		r = attach_all(obj);
	} else {
		printf("# %s: all refused(%s)\n", path, ename(err));
		n = 0;
		bpf_object__for_each_program(p, obj)
			names[n++] = strdup(bpf_program__name(p));
	}
	bpf_object__close(obj);
	for (i = 0; i < n && !r; i++)
		r = alone(path, names[i]);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (leftovers())
		return 4;
	return r;
}
