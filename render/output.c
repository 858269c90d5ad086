#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "elf/error.h"
#include "render/output.h"

static char buf[1 << 16];
static size_t used;
static int failed;

/* Room for n more bytes (n <= OUT_ROOM_MAX), flushing first if needed.
 * After a write error out_flush empties the buffer each time, so what
 * is written then is dropped. */
char *out_room(size_t n)
{
	if (used + n > sizeof buf)
		out_flush();
	return buf + used;
}

void out_done(char *end)
{
	used = (size_t)(end - buf);
}

void out_mem(const char *s, size_t n)
{
	while (n > 0) {
		size_t room;

		if (used == sizeof buf)
			out_flush();
		room = sizeof buf - used;
		if (room > n)
			room = n;
		memcpy(buf + used, s, room);
		used += room;
		s += room;
		n -= room;
	}
}

void out_str(const char *s)
{
	out_mem(s, strlen(s));
}

void out_char(char c)
{
	char *p = out_room(1);

	*p++ = c;
	out_done(p);
}

/* ---- writers: straight into the buffer, each returns its new end ---- */

static const char pairs[200] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

/* Digits of v, counted first so they are written in place, two at a
 * time from the end: no copy, half the divisions. */
char *put_uint(char *p, uint64_t v)
{
	uint64_t t = 10;
	size_t n = 1;
	char *end;

	while (n < 20 && v >= t) {
		n++;
		if (n < 20)
			t *= 10;
	}
	end = p + n;
	p = end;
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		*--p = pairs[d + 1];
		*--p = pairs[d];
	}
	if (v >= 10) {
		*--p = pairs[v * 2 + 1];
		*--p = pairs[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	return end;
}

char *put_int(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_uint(p, (uint64_t)0 - (uint64_t)v);
	}
	return put_uint(p, (uint64_t)v);
}

void out_printf(const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		out_mem(tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static const char hex[] = "0123456789abcdef";

/* The text rule for one byte: its escaped form at e (room for 4);
 * returns the end. */
static char *text_byte(unsigned char c, char *e)
{
	if (c >= 0x20 && c <= 0x7e && c != '\\') {
		*e++ = (char)c;
		return e;
	}
	*e++ = '\\';
	switch (c) {
	case '\\': *e++ = '\\'; return e;
	case '\n': *e++ = 'n'; return e;
	case '\t': *e++ = 't'; return e;
	case '\r': *e++ = 'r'; return e;
	}
	*e++ = 'x';
	*e++ = hex[c >> 4];
	*e++ = hex[c & 15];
	return e;
}

char *put_text(char *p, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++)
		p = text_byte((unsigned char)s[i], p);
	return p;
}

/* In pieces of at most 256 bytes (1 KiB escaped), so that a string of
 * any length fits the buffer. */
size_t out_text(const char *s, size_t max)
{
	size_t w = 0;

	while (max > 0 && *s) {
		size_t n = strnlen(s, max < 256 ? max : 256);
		char *p = out_room(4 * n), *end = put_text(p, s, n);

		out_done(end);
		w += (size_t)(end - p);
		s += n;
		max -= n;
	}
	return w;
}

size_t text_width(const char *s, size_t max)
{
	char e[4];
	size_t i, w = 0;

	for (i = 0; i < max && s[i]; i++)
		w += (size_t)(text_byte((unsigned char)s[i], e) - e);
	return w;
}

char *put_spaces(char *p, int n)
{
	for (; n > 0; n--)
		*p++ = ' ';
	return p;
}

void out_pad(const char *s, int width)
{
	size_t w = out_text(s, (size_t)-1);

	if ((int)w < width)
		out_done(put_spaces(out_room((size_t)width), width - (int)w));
}

void out_line(const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	out_text(tmp, sizeof tmp);
	out_char('\n');
}

/* The length of the valid UTF-8 sequence that starts s (n bytes left),
 * with its code point in *cp; 0 if none does. The ranges of the second
 * byte after E0, ED, F0 and F4 are what rule out overlong forms,
 * surrogates and code points past U+10FFFF (RFC 3629, section 4). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	/* a continuation byte, an overlong C0/C1 lead, or past U+10FFFF */
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	if (s[0] < 0xe0) {
		len = 2;
		v = s[0] & 0x1f;
	} else if (s[0] < 0xf0) {
		len = 3;
		v = s[0] & 0x0f;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else {
		len = 4;
		v = s[0] & 0x07;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return len;
}

/* Code points JSON output writes as \uXXXX although they are valid:
 * they move the cursor, end lines, or reorder what a terminal shows. */
static int json_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static char *json_u(char *p, uint32_t cp)
{
	*p++ = '\\';
	*p++ = 'u';
	*p++ = hex[cp >> 12 & 15];
	*p++ = hex[cp >> 8 & 15];
	*p++ = hex[cp >> 4 & 15];
	*p++ = hex[cp & 15];
	return p;
}

/* The body of a JSON string (no quotes): n bytes of s. */
static char *put_json_body(char *p, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, len, k;
	uint32_t cp;

	for (i = 0; i < n; i += len) {
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '"' &&
		    u[i] != '\\') {
			*p++ = (char)u[i];   /* the common case, first */
			len = 1;
			continue;
		}
		len = utf8_seq(u + i, n - i, &cp);
		if (!len) {
			p = json_u(p, 0xfffd);   /* one per byte, as Go does */
			len = 1;
		} else if (cp == '"' || cp == '\\') {
			*p++ = '\\';
			*p++ = (char)cp;
		} else if (json_control(cp)) {
			p = json_u(p, cp);
		} else {
			for (k = 0; k < len; k++)
				*p++ = s[i + k];
		}
	}
	return p;
}

char *put_json_str(char *p, const char *s, size_t max)
{
	*p++ = '"';
	p = put_json_body(p, s, strnlen(s, max));
	*p++ = '"';
	return p;
}

static int utf8_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* Where to end a piece of s that would end at k: before the lead byte
 * of a sequence that starts at most 3 bytes before k and reaches past k,
 * else at k (bytes that are no valid sequence are cut anywhere: each is
 * a U+FFFD of its own either way). */
static size_t utf8_cut(const char *s, size_t k)
{
	unsigned char lead;
	size_t j = k, len;

	while (j > 0 && k - j < 3 && utf8_cont(s[j]))
		j--;
	lead = (unsigned char)s[j];
	if (j == k || utf8_cont(s[j]))
		return k;
	len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	return j + len > k ? j : k;
}

/* In pieces, like out_text; a piece never cuts a UTF-8 sequence. */
void out_json_str(const char *s, size_t max)
{
	size_t n = strnlen(s, max), k;

	out_char('"');
	while (n > 0) {
		k = n <= 256 ? n : utf8_cut(s, 256);
		out_done(put_json_body(out_room(6 * k), s, k));
		s += k;
		n -= k;
	}
	out_char('"');
}

/* ---- addresses ---- */

char *put_ipv4(char *p, const uint8_t *a)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_uint(p, a[i]);
	}
	return p;
}

static char *put_hex16(char *p, unsigned v)
{
	int shift = 12;

	while (shift > 0 && !(v >> shift & 15))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = hex[v >> shift & 15];
	return p;
}

/* RFC 5952: groups in lowercase hex without leading zeros; the longest
 * run of two or more zero groups (the first of equal ones) as "::"; an
 * IPv4-mapped address (::ffff:0:0/96) with its last 32 bits dotted. */
char *put_ipv6(char *p, const uint8_t *a)
{
	unsigned w[8];
	int i, ngroups = 8, best = -1, best_len = 1, run = 0, mapped = 1;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < 5; i++)
		mapped &= w[i] == 0;
	if (mapped && w[5] == 0xffff)
		ngroups = 6;
	for (i = 0; i < ngroups; i++) {
		run = w[i] ? 0 : run + 1;
		if (run > best_len) {
			best_len = run;
			best = i - run + 1;
		}
	}
	for (i = 0; i < ngroups; i++) {
		if (i == best) {
			*p++ = ':';
			if (i == 0)
				*p++ = ':';
			i += best_len - 1;
			continue;
		}
		p = put_hex16(p, w[i]);
		if (i < ngroups - 1)
			*p++ = ':';
	}
	if (ngroups == 6) {
		*p++ = ':';
		p = put_ipv4(p, a + 12);
	}
	return p;
}

char *put_addr(char *p, int ver, const uint8_t *addr)
{
	return ver == 6 ? put_ipv6(p, addr) : put_ipv4(p, addr);
}

int out_flush(void)
{
	size_t off = 0;

	if (failed) {
		used = 0;   /* dropped: the reader is gone */
		return error_set(failed, "stdout: %s", strerror(failed));
	}
	while (off < used) {
		ssize_t n = write(STDOUT_FILENO, buf + off, used - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			failed = n < 0 ? errno : EIO;
			used = 0;
			return error_set(failed, "stdout: %s", strerror(failed));
		}
		off += (size_t)n;
	}
	used = 0;
	return 0;
}

/* Escaped into a buffer on the stack and written with one fwrite (stderr
 * is unbuffered), in pieces only when the line is very long. */
void err_text(const char *line)
{
	char e[1024];
	size_t n = 0;

	for (; *line; line++) {
		if (n + 4 + 1 > sizeof e) {
			fwrite(e, 1, n, stderr);
			n = 0;
		}
		n = (size_t)(text_byte((unsigned char)*line, e + n) - e);
	}
	e[n++] = '\n';
	fwrite(e, 1, n, stderr);
}

void err_line(const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	err_text(tmp);
}
