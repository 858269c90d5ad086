/* gunzip of a buffer in memory (loader/gunzip.c), for /proc/config.gz and
 * the embedded BPF objects (loader/embedded.c). */
#ifndef RAWTRACE_GUNZIP_H
#define RAWTRACE_GUNZIP_H

#include <stddef.h>

/* The gzip member in data, inflated into *text (malloc'd, NUL-ended, so
 * 16-byte aligned as malloc is), its length in *text_len unless that is
 * NULL. 0, or -EINVAL for data that is not gzip or is corrupt (its
 * trailer's CRC-32 or size disagrees), -ENOMEM. */
int gunzip(const void *data, size_t len, char **text, size_t *text_len);

#endif
