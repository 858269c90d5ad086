/* The commands of rawtrace that are not tracing tools, each
 * `int NAME_main(int argc, char **argv)` returning the exit status (the
 * tracing tools are data: progs/tool.h, progs/tools.c), and the options
 * every command shares. */
#ifndef RAWTRACE_TOOLS_H
#define RAWTRACE_TOOLS_H

#include <stddef.h>

/* --btf FILE, taken by main before the command sees its arguments. */
extern const char *opt_btf_path;

int btfgen_main(int argc, char **argv);
int inspect_main(int argc, char **argv);
int doctor_main(int argc, char **argv);
int run_main(int argc, char **argv);

/* An object by a tool's name (*buf NULL: embedded) or a file's path
 * (*buf malloc'd); *name for its maps' names. */
int read_object(const char *what, void **buf, size_t *size,
		const char **name);

/* "rawtrace bind: <message>" on stderr, then returns 1. */
int tool_fail(const char *tool, const char *msg);

#endif
