/* Shared by the Check test programs in tests/.
 *
 * A test that cannot run here (not root, no VM, no kernel feature) calls
 * SKIP: it prints "skipped: <test>: <why>" and returns, and tests/run.sh
 * counts it as skipped, not passed. */
#ifndef RAWTRACE_TESTUTIL_H
#define RAWTRACE_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/btf.h"
#include "tests/read_file.h"

#define SKIP(why) do { \
	printf("skipped: %s: %s\n", __func__, (why)); \
	fflush(stdout); \
	return; \
} while (0)

#define SKIP_UNLESS_ROOT() do { \
	if (geteuid() != 0) \
		SKIP("needs root"); \
} while (0)

/* A btf_source over a buffer, for btf_open_lazy. */
static inline int test_mem_read(void *ctx, uint64_t off, void *buf,
				size_t len)
{
	memcpy(buf, (const char *)ctx + off, len);
	return 0;
}

static inline struct btf_source test_mem_source(const void *buf, size_t size)
{
	struct btf_source s = { test_mem_read, (void *)buf, size };

	return s;
}

/* Runs one suite, prints Check's summary, exits 0 only if all passed. */
static inline int test_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
