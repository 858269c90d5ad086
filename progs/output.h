/* Buffered output for the tools: events are formatted into one large
 * buffer and written with one write() per drained batch, not one printf
 * per field. out_flush() after each batch keeps a pipe reader current. */
#ifndef RAWTRACE_OUTPUT_H
#define RAWTRACE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

void out_str(const char *s);
void out_mem(const char *s, size_t n);
void out_char(char c);
void out_uint(uint64_t v);
void out_int(int64_t v);
/* s padded with spaces to width (left-aligned), or cut if longer when
 * cut is set. */
void out_pad(const char *s, int width);
void out_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A JSON string, quoted and escaped. */
void out_json_str(const char *s, size_t max);

/* Table columns: the value left-aligned, padded to width, then a space.
 * out_col_task writes the PID and COMM columns every tool starts with
 * (comm need not be NUL-terminated). */
void out_col(const char *s, int width);
void out_col_uint(uint64_t v, int width);
void out_col_int(int64_t v, int width);
void out_col_task(uint32_t pid, const char *comm);

/* One JSON object per line, built field by field:
 *     out_json_begin(e->ts_ns);            {"ts":123
 *     out_json_task(pid, tid, comm);       ,"pid":1,"tid":1,"comm":"sh"
 *     out_json_int("ret", e->ret);         ,"ret":-98
 *     out_json_text("addr", addr);         ,"addr":"::1"
 *     out_json_end();                      }\n
 * ts comes first in every tool, so tests can strip it with one sed. */
void out_json_begin(uint64_t ts_ns);
void out_json_task(uint32_t pid, uint32_t tid, const char *comm);
void out_json_uint(const char *key, uint64_t v);
void out_json_int(const char *key, int64_t v);
void out_json_text(const char *key, const char *s);
void out_json_end(void);

/* Writes what is buffered. Returns 0, or -errno (-EPIPE when the reader
 * went away); after an error further output is dropped. */
int out_flush(void);

/* Formats an IPv4 (ver 4) or IPv6 address into buf (>= 46 bytes). */
void format_addr(int ver, const uint8_t *addr, char *buf, size_t len);

#endif
