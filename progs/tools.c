/* The tool table: every tracing tool `rawtrace COMMAND` runs through
 * tool_main, and `rawtrace doctor` checks. Each is a description in its
 * own file (progs/NAME.c). */
#include <stddef.h>
#include "progs/tool.h"

extern const struct tool bind_tool, listen_tool, connect_tool, packets_tool,
	deny_bind_tool;

const struct tool *const tools[] = {
	&bind_tool, &listen_tool, &connect_tool, &packets_tool,
	&deny_bind_tool, NULL,
};
