/* One last-error message for the whole program.
 *
 * Library code (elf/, obj/, loader/) never prints: a function that fails fills
 * the message and returns -errno, and only the front end decides what to
 * print. The message names what failed and why, in one line. */
#ifndef RAWTRACE_ERROR_H
#define RAWTRACE_ERROR_H

/* Formats the message and returns -errnum, so a failure reads as
 *     return error_set(EINVAL, "section %s: offset past end of file", name);
 */
int error_set(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Puts context in front of the current message ("bind_exit: " + message)
 * and returns -errnum, for callers that add what they know. */
int error_prefix(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The current message; "" if none was set. */
const char *error_msg(void);

void error_clear(void);

#endif
