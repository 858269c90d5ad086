#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "elf/error.h"

/* Room for a verifier log's tail (loader/prog.c) under its one line. */
static char msg[2048];

int error_set(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return -errnum;
}

int error_prefix(int errnum, const char *fmt, ...)
{
	char old[sizeof msg];
	size_t n;
	va_list ap;

	memcpy(old, msg, sizeof old);
	va_start(ap, fmt);
	n = (size_t)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < sizeof msg)
		snprintf(msg + n, sizeof msg - n, "%s", old);
	return -errnum;
}

const char *error_msg(void)
{
	return msg;
}

void error_clear(void)
{
	msg[0] = 0;
}
