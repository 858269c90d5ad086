/* rawtrace: a minimal eBPF tracer that talks to the kernel through raw
 * syscalls only. This file picks the command and takes the options that
 * apply to all of them. */
#include <stdio.h>
#include <string.h>
#include "loader/sys.h"
#include "render/output.h"
#include "progs/tool.h"
#include "progs/tools.h"
#include "cli/commands.h"

/* The Makefile passes both (VERSION, GIT_COMMIT); a build without it
 * says so. */
#ifndef RAWTRACE_VERSION
#define RAWTRACE_VERSION "unknown"
#endif
#ifndef RAWTRACE_COMMIT
#define RAWTRACE_COMMIT "unknown"
#endif

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "btfgen",  btfgen_main,  "write the small kernel BTF the tools need, "
				   "for kernels without it" },
	{ "doctor",  doctor_main,  "what this kernel offers, and each tool's "
				   "backend here" },
	{ "inspect", inspect_main, "show a BPF object: maps, programs, "
				   "relocations, disassembly" },
	{ "run",     run_main,     "load and attach any BPF object, and "
				   "show its ring records" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* Every command, the tools' among the others, in the order of their
 * names; returns how many. */
static size_t all_commands(const char *names[], const char *helps[])
{
	size_t n = 0, i, j;

	for (i = 0; i < NCOMMANDS; i++, n++) {
		names[n] = commands[i].name;
		helps[n] = commands[i].help;
	}
	for (i = 0; tools[i]; i++, n++) {
		names[n] = tools[i]->name;
		helps[n] = tools[i]->help;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *a = names[j], *b = helps[j];

			names[j] = names[j - 1];
			helps[j] = helps[j - 1];
			names[j - 1] = a;
			helps[j - 1] = b;
		}
	return n;
}

static void usage(FILE *f)
{
	const char *names[32], *helps[32];
	size_t i, n = all_commands(names, helps);

	fprintf(f, "usage: rawtrace [--explain] [--btf FILE] COMMAND [ARGS]\n"
		"       rawtrace --version\n\n"
		"commands:\n");
	for (i = 0; i < n; i++)
		fprintf(f, "  %-10s %s\n", names[i], helps[i]);
	fprintf(f, "\n  --explain   print every bpf(), perf_event_open(), "
		"ioctl(), setsockopt()\n"
		"              and mmap() call, decoded, to stderr\n"
		"  --btf FILE  kernel BTF to use for CO-RE (raw BTF or an ELF "
		"vmlinux),\n"
		"              for kernels without /sys/kernel/btf/vmlinux\n"
		"  --version   print the version and the git commit built from\n"
		"\n'rawtrace COMMAND -h' shows a command's options.\n");
}

/* Takes --explain and --btf FILE out of argv, wherever they stand, so
 * `rawtrace bind --explain` works as well as `rawtrace --explain bind`. */
static int take_global_options(int argc, char **argv)
{
	int i, n = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--explain") == 0) {
			sys_explain_on(err_text);
		} else if (strcmp(argv[i], "--btf") == 0 && i + 1 < argc) {
			opt_btf_path = argv[++i];
		} else if (strncmp(argv[i], "--btf=", 6) == 0) {
			opt_btf_path = argv[i] + 6;
		} else {
			argv[n++] = argv[i];
		}
	}
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	size_t i;

	argc = take_global_options(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("rawtrace %s (commit %s)\n", RAWTRACE_VERSION,
		       RAWTRACE_COMMIT);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].main(argc - 1, argv + 1);
	for (i = 0; tools[i]; i++)
		if (strcmp(argv[1], tools[i]->name) == 0)
			return tool_main(tools[i], argc - 1, argv + 1);
	err_line("rawtrace: unknown command \"%s\" (try rawtrace -h)", argv[1]);
	return 2;
}
