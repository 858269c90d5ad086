/* gunzip of a buffer in memory (loader/gunzip.c), for /proc/config.gz. */
#ifndef RAWTRACE_GUNZIP_H
#define RAWTRACE_GUNZIP_H

#include <stddef.h>

/* The gzip member in data, inflated into *text (malloc'd, NUL-ended).
 * 0, or -EINVAL for data that is not gzip or is corrupt, -ENOMEM. */
int gunzip(const void *data, size_t len, char **text);

#endif
