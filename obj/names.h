/* The kernel's names for the numbers in bpf(), perf_event_open() and
 * friends, for --explain and `rawtrace inspect`. Unknown values come back
 * as their number (in a static buffer, so use the result at once). */
#ifndef RAWTRACE_NAMES_H
#define RAWTRACE_NAMES_H

#include <stdint.h>

/* The kernel's own "not supported" code, which is not in the uapi headers
 * and has no text in musl; some bpf() paths return it. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

const char *bpf_cmd_name(int cmd);          /* "BPF_MAP_CREATE" */
const char *map_type_name(unsigned type);   /* "PERF_EVENT_ARRAY" */
const char *prog_type_name(unsigned type);  /* "KPROBE" */
const char *attach_type_name(unsigned type); /* "BPF_CGROUP_INET4_POST_BIND" */
const char *perf_type_name(unsigned type);  /* "PERF_TYPE_TRACEPOINT" */
const char *errno_name(int err);            /* "EPERM" */
/* What an errno means ("Operation not permitted"), from our own table:
 * use it, not strerror, for what the kernel returns. */
const char *errno_text(int err);
const char *sockopt_name(int level, int name); /* "SO_ATTACH_BPF" */
const char *map_flags_str(uint32_t flags);  /* "BPF_F_RDONLY_PROG|0x..." */

#endif
