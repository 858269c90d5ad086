/* fnmatch(pattern, s, 0) as musl's, for the ASCII of kernel symbols:
 * musl's handles any locale's multibyte text and pulled its wide
 * character tables (16 KB) into rawtrace for this one use. Its rules,
 * kept here: '\' quotes the next character outside brackets only (a
 * last '\' is itself); a '[' with no ']' to end it is a plain '['; in a
 * bracket, a first ']' or '-' (after '!' or '^') is a member, "a-z" a
 * range (ending in any character), "[:name:]" a class ("[.x.]" and
 * "[=x=]" match nothing); '/' and a leading '.' are not special. */
#include <ctype.h>
#include <string.h>
#include "loader/glob.h"

static const struct {
	const char *name;
	int (*is)(int c);
} classes[] = {
	{ "alnum", isalnum }, { "alpha", isalpha }, { "blank", isblank },
	{ "cntrl", iscntrl }, { "digit", isdigit }, { "graph", isgraph },
	{ "lower", islower }, { "print", isprint }, { "punct", ispunct },
	{ "space", isspace }, { "upper", isupper }, { "xdigit", isxdigit },
};

static int in_class(const char *name, size_t n, unsigned char c)
{
	size_t i;

	for (i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (strlen(classes[i].name) == n &&
		    strncmp(classes[i].name, name, n) == 0)
			return classes[i].is(c) != 0;
	return 0;
}

/* Past "[:", "[." or "[=" at p and its closing ":]" (".]", "=]"): at
 * that ']'; NULL if there is none. */
static const char *class_end(const char *p)
{
	char z = p[1];

	p += 2;
	if (*p)
		p++;
	while (*p && (p[-1] != z || *p != ']'))
		p++;
	return *p ? p : NULL;
}

static int opens_class(const char *p)
{
	return p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=');
}

/* The ']' that ends the bracket whose '[' is just before p, or NULL. */
static const char *bracket_end(const char *p)
{
	if (*p == '!' || *p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p && *p != ']'; p++)
		if (opens_class(p) && !(p = class_end(p)))
			return NULL;
	return *p ? p : NULL;
}

/* Whether c is in the bracket whose '[' is just before p (it has its
 * ']': bracket_end said so). */
static int in_bracket(const char *p, unsigned char c)
{
	const char *end;
	unsigned char prev;
	int inv = 0;

	if (*p == '!' || *p == '^') {
		inv = 1;
		p++;
	}
	if (*p == ']' || *p == '-') {
		if (c == (unsigned char)*p)
			return !inv;
		p++;
	}
	/* a range's start is the character before its '-', whatever it
	 * is (musl's: even the '[' or '!' that opened the bracket) */
	prev = (unsigned char)p[-1];
	for (; *p != ']'; p++) {
		if (p[0] == '-' && p[1] != ']') {
			if (prev <= c && c <= (unsigned char)p[1])
				return !inv;
			continue;       /* its end is looked at next */
		}
		if (opens_class(p)) {
			end = class_end(p);
			if (p[1] == ':' && end - p - 3 < 16 &&
			    in_class(p + 2, (size_t)(end - p - 3), c))
				return !inv;
			p = end;
			continue;
		}
		prev = (unsigned char)*p;
		if (prev == c)
			return !inv;
	}
	return inv;
}

/* One character of the pattern at *pp against c (not NUL): whether it
 * matches, *pp moved past it. */
static int one(const char **pp, unsigned char c)
{
	const char *p = *pp, *end;

	if (*p == '?') {
		*pp = p + 1;
		return 1;
	}
	if (*p == '[' && (end = bracket_end(p + 1))) {
		*pp = end + 1;
		return in_bracket(p + 1, c);
	}
	if (*p == '\\' && p[1])
		p++;
	*pp = p + 1;
	return (unsigned char)*p == c;
}

/* Left to right; at a '*' remember where, and on a mismatch let that
 * '*' take one more character (the last '*' is the only one that ever
 * needs to: each other token takes exactly one character, so what the
 * earlier stars took can stay). */
int glob_match(const char *pattern, const char *s)
{
	const char *p = pattern, *star = NULL, *star_s = NULL;

	for (;;) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			star = p;
			star_s = s;
			continue;
		}
		if (!*s) {
			if (!*p)
				return 1;
		} else if (*p && one(&p, (unsigned char)*s)) {
			s++;
			continue;
		}
		if (!star || !*star_s)
			return 0;
		p = star;
		s = ++star_s;
	}
}
