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

void out_pad(const char *s, int width)
{
	size_t n = strlen(s);

	out_mem(s, n);
	for (; (int)n < width; n++)
		out_char(' ');
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

void out_json_str(const char *s, size_t max)
{
	size_t i;

	out_char('"');
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			out_char('\\');
			out_char((char)c);
		} else if (c < 0x20 || c >= 0x7f) {
			out_printf("\\u%04x", c);
		} else {
			out_char((char)c);
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
	char name[17];

	memcpy(name, comm, 16);   /* TASK_COMM_LEN */
	name[16] = 0;
	out_col_uint(pid, 7);
	out_col(name, 16);
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

void format_addr(int ver, const uint8_t *addr, char *out, size_t len)
{
	if (!inet_ntop(ver == 6 ? AF_INET6 : AF_INET, addr, out,
		       (socklen_t)len))
		snprintf(out, len, "?");
}
