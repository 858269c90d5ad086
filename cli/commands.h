/* The commands of rawtrace that are not tracing tools (cli/), each
 * `int NAME_main(int argc, char **argv)` returning the exit status; the
 * tracing tools are data (progs/tool.h, progs/tools.c). */
#ifndef RAWTRACE_COMMANDS_H
#define RAWTRACE_COMMANDS_H

#include <stddef.h>

int btfgen_main(int argc, char **argv);
int inspect_main(int argc, char **argv);
int doctor_main(int argc, char **argv);
int run_main(int argc, char **argv);

/* An object by a tool's name (embedded, inflated) or a file's path:
 * its bytes in *buf (malloc'd either way); *name for its maps' names. */
int read_object(const char *what, void **buf, size_t *size,
		const char **name);

#endif
