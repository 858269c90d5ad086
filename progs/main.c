/* rawtrace: a minimal eBPF tracer that talks to the kernel through raw
 * syscalls only. This file picks the command and takes the options that
 * apply to all of them. */
#include <stdio.h>
#include <string.h>
#include "loader/sys.h"
#include "progs/output.h"
#include "progs/tools.h"

const char *opt_btf_path;

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
	{ "bind",    bind_main,    "trace bind() calls (like bindsnoop)" },
	{ "btfgen",  btfgen_main,  "write the small kernel BTF the tools need, "
				   "for kernels without it" },
	{ "connect", connect_main, "trace TCP connects (like tcpconnect)" },
	{ "deny-bind", deny_bind_main, "make bind() fail with EPERM in a cgroup, "
				   "and log it" },
	{ "doctor",  doctor_main,  "what this kernel offers, and each tool's "
				   "backend here" },
	{ "inspect", inspect_main, "show a BPF object: maps, programs, "
				   "relocations, disassembly" },
	{ "listen",  listen_main,  "trace listen() calls (like solisten)" },
	{ "packets", packets_main, "trace IPv4/IPv6 packets on an interface "
				   "(like sockfilter)" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rawtrace [--explain] [--btf FILE] COMMAND [ARGS]\n"
		"       rawtrace --version\n\n"
		"commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n  --explain   print every bpf(), perf_event_open(), "
		"ioctl(), setsockopt()\n"
		"              and mmap() call, decoded, to stderr\n"
		"  --btf FILE  kernel BTF to use for CO-RE (raw BTF or an ELF "
		"vmlinux),\n"
		"              for kernels without /sys/kernel/btf/vmlinux\n"
		"  --version   print the version and the git commit built from\n"
		"\n'rawtrace COMMAND -h' shows a command's options.\n");
}

/* Messages quote names from objects and the kernel: escaped. */
int tool_fail(const char *tool, const char *msg)
{
	err_line("rawtrace %s: %s", tool, msg);
	return 1;
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
	err_line("rawtrace: unknown command \"%s\" (try rawtrace -h)", argv[1]);
	return 2;
}
