/* A whole file in a malloc'd, 8-byte-aligned buffer: shared by the Check
 * programs (testutil.h) and the build-time tools that rewrite or check
 * BPF objects (tests/bpf/set_*.c, tests/check_objects.c), which do not
 * link Check. NULL if it cannot be read. */
#ifndef RAWTRACE_READ_FILE_H
#define RAWTRACE_READ_FILE_H

#include <stdio.h>
#include <stdlib.h>

static inline void *test_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    posix_memalign(&buf, 8, n ? (size_t)n : 1) == 0) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			*size = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

#endif
