/* Shell-style patterns (loader/glob.c), for kprobe.multi's. */
#ifndef RAWTRACE_GLOB_H
#define RAWTRACE_GLOB_H

/* Whether s matches pattern as fnmatch(pattern, s, 0) says: '*', '?',
 * brackets ("[a-z_]", "[!0-9]", "[^x]", "[[:alpha:]]"), '\' quoting the
 * next character; '/' and a leading '.' are not special. In bytes:
 * kernel symbols are ASCII. */
int glob_match(const char *pattern, const char *s);

#endif
