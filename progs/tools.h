/* What every command shares, the tools and the front end's (cli/): the
 * global --btf option and the one-line failure. The tracing tools are
 * data: progs/tool.h, progs/tools.c. */
#ifndef RAWTRACE_TOOLS_H
#define RAWTRACE_TOOLS_H

/* --btf FILE, taken by main before the command sees its arguments. */
extern const char *opt_btf_path;

/* "rawtrace bind: <message>" on stderr, then returns 1. */
int tool_fail(const char *tool, const char *msg);

#endif
