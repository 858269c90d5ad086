#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "progs/output.h"

static char buf[1 << 16];
static size_t used;
static int failed;

static void drain_if_full(size_t need)
{
	if (used + need > sizeof buf)
		out_flush();
}

void out_mem(const char *s, size_t n)
{
	while (n > 0 && !failed) {
		size_t room;

		drain_if_full(n);
		room = sizeof buf - used;
		if (room == 0)
			return;
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
	out_mem(&c, 1);
}

/* v in decimal, written backwards so that it ends just before end (no
 * NUL); returns where it starts. 20 digits at most, 21 with the sign. */
static char *decimal(char *end, uint64_t v, int negative)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (negative)
		*--end = '-';
	return end;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

void out_uint(uint64_t v)
{
	char tmp[24], *s = decimal(tmp + sizeof tmp, v, 0);

	out_mem(s, (size_t)(tmp + sizeof tmp - s));
}

void out_int(int64_t v)
{
	char tmp[24], *s = decimal(tmp + sizeof tmp, magnitude(v), v < 0);

	out_mem(s, (size_t)(tmp + sizeof tmp - s));
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

/* The text rule for one byte: its escaped form into e (room for 4);
 * returns how long that is. */
static size_t text_byte(unsigned char c, char *e)
{
	if (c >= 0x20 && c <= 0x7e && c != '\\') {
		e[0] = (char)c;
		return 1;
	}
	e[0] = '\\';
	switch (c) {
	case '\\': e[1] = '\\'; return 2;
	case '\n': e[1] = 'n'; return 2;
	case '\t': e[1] = 't'; return 2;
	case '\r': e[1] = 'r'; return 2;
	}
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 15];
	return 4;
}

/* Straight into the buffer: this runs for every event's comm. */
size_t out_text(const char *s, size_t max)
{
	size_t i, w = 0;

	for (i = 0; i < max && s[i]; i++) {
		size_t n;

		drain_if_full(4);
		n = text_byte((unsigned char)s[i], buf + used);
		if (!failed)
			used += n;
		w += n;
	}
	return w;
}

size_t text_width(const char *s, size_t max)
{
	char e[4];
	size_t i, w = 0;

	for (i = 0; i < max && s[i]; i++)
		w += text_byte((unsigned char)s[i], e);
	return w;
}

static void pad(size_t w, int width)
{
	for (; (int)w < width; w++)
		out_char(' ');
}

void out_pad(const char *s, int width)
{
	pad(out_text(s, (size_t)-1), width);
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

static void json_u(uint32_t cp)
{
	char e[6] = { '\\', 'u', hex[cp >> 12 & 15], hex[cp >> 8 & 15],
		      hex[cp >> 4 & 15], hex[cp & 15] };

	out_mem(e, sizeof e);
}

void out_json_str(const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strnlen(s, max), i, len;
	uint32_t cp;

	out_char('"');
	for (i = 0; i < n; i += len) {
		len = utf8_seq(u + i, n - i, &cp);
		if (!len) {
			json_u(0xfffd);   /* one per byte, as Go does */
			len = 1;
		} else if (cp == '"' || cp == '\\') {
			out_char('\\');
			out_char((char)cp);
		} else if (json_control(cp)) {
			json_u(cp);
		} else {
			out_mem(s + i, len);
		}
	}
	out_char('"');
}

void out_col(const char *s, int width)
{
	out_pad(s, width);
	out_char(' ');
}

void out_col_uint(uint64_t v, int width)
{
	char tmp[24];

	tmp[sizeof tmp - 1] = '\0';
	out_col(decimal(tmp + sizeof tmp - 1, v, 0), width);
}

void out_col_int(int64_t v, int width)
{
	char tmp[24];

	tmp[sizeof tmp - 1] = '\0';
	out_col(decimal(tmp + sizeof tmp - 1, magnitude(v), v < 0), width);
}

void out_col_task(uint32_t pid, const char *comm)
{
	out_col_uint(pid, 7);
	pad(out_text(comm, 16), 16);   /* TASK_COMM_LEN: may lack its NUL */
	out_char(' ');
}

static void json_key(const char *key)
{
	out_str(",\"");
	out_str(key);
	out_str("\":");
}

void out_json_begin(uint64_t ts_ns)
{
	out_str("{\"ts\":");
	out_uint(ts_ns);
}

void out_json_task(uint32_t pid, uint32_t tid, const char *comm)
{
	out_json_uint("pid", pid);
	out_json_uint("tid", tid);
	json_key("comm");
	out_json_str(comm, 16);   /* TASK_COMM_LEN: may lack its NUL */
}

void out_json_uint(const char *key, uint64_t v)
{
	json_key(key);
	out_uint(v);
}

void out_json_int(const char *key, int64_t v)
{
	json_key(key);
	out_int(v);
}

void out_json_text(const char *key, const char *s)
{
	json_key(key);
	out_json_str(s, (size_t)-1);
}

void out_json_end(void)
{
	out_str("}\n");
}

int out_flush(void)
{
	size_t off = 0;

	if (failed)
		return -failed;
	while (off < used) {
		ssize_t n = write(STDOUT_FILENO, buf + off, used - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			failed = n < 0 ? errno : EIO;
			used = 0;
			return -failed;
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
		n += text_byte((unsigned char)*line, e + n);
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

void format_addr(int ver, const uint8_t *addr, char *out, size_t len)
{
	if (!inet_ntop(ver == 6 ? AF_INET6 : AF_INET, addr, out,
		       (socklen_t)len))
		snprintf(out, len, "?");
}
