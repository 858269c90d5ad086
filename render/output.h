/* Buffered output for the tools: events are formatted into one large
 * buffer and written with one write() per drained batch, not one printf
 * per field. out_flush() after each batch keeps a pipe reader current.
 *
 * Strings from outside rawtrace (task comm, names and strings from BPF
 * objects and BTF, interface names, paths, error messages and --explain
 * notes that quote them) reach the terminal only through the two rules
 * below, so that no process or object can forge a line or send escape
 * sequences to root's terminal:
 *
 * Text: every byte outside printable ASCII 0x20-0x7e is written as
 *   \n, \t, \r or \xNN (two lowercase hex digits), and a backslash as
 *   \\. Everything else is written as it is. One event is always exactly
 *   one line, and the text reads back unambiguously. Column widths count
 *   the escaped form. UTF-8 is escaped too (é is \xc3\xa9): that also
 *   covers C1 controls (U+009B is a CSI) and bidi overrides.
 *
 * JSON: a string is UTF-8, kept as it is, except '"' and '\\' (\" and
 *   \\) and controls, written \uXXXX: C0 (U+0000-U+001F), DEL (U+007F),
 *   C1 (U+0080-U+009F), U+2028/U+2029 (line and paragraph separators),
 *   the bidi marks, embeddings, overrides and isolates (U+061C, U+200E,
 *   U+200F, U+202A-U+202E, U+2066-U+2069). Each byte that is not part of
 *   a valid UTF-8 sequence (a stray continuation byte, an overlong form,
 *   a surrogate, a code point past U+10FFFF, a truncated sequence) is
 *   written \ufffd, as Go's encoding/json does.
 *
 * Which call is for what:
 *   out_str, out_mem, out_char, out_printf, put_uint, put_int: bytes as
 *     they are, for rawtrace's own literals (headers, "\n") and numbers
 *     only, never for a string from outside.
 *   out_text, out_pad, out_line, put_text: the text rule.
 *   out_json_str, put_json_str: the JSON rule.
 *   Events: the column renderers (render/columns.h), through put_*.
 *   err_line, err_text: stderr, the text rule over the whole line.
 * Usage texts printed with fputs/fprintf are trusted literals only. */
#ifndef RAWTRACE_OUTPUT_H
#define RAWTRACE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

/* Trusted literals and numbers only: written as they are. */
void out_str(const char *s);
void out_mem(const char *s, size_t n);
void out_char(char c);
void out_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* s (at most max bytes, or up to its NUL) by the text rule; returns the
 * width written. text_width is that width without writing. */
size_t out_text(const char *s, size_t max);
size_t text_width(const char *s, size_t max);
/* s by the text rule, padded with spaces to width (left-aligned); a
 * longer s is written whole. */
void out_pad(const char *s, int width);
/* One line: formatted, all of it written by the text rule (so fmt holds
 * no '\n'), then '\n'. For lines that quote names (inspect, doctor). */
void out_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A JSON string by the JSON rule, quoted: at most max bytes, or up to
 * its NUL. */
void out_json_str(const char *s, size_t max);

/* Writes what is buffered. Returns 0, or -errno with error_msg set
 * ("stdout: ...", -EPIPE when the reader went away); after an error
 * further output is dropped. */
int out_flush(void);

/* stderr, unbuffered, one line per call: every byte of the line by the
 * text rule, then '\n'. err_line formats first (fmt holds no '\n');
 * err_text takes the line as it is: the printer --explain is given
 * (sys_explain_on), and how error messages (error_msg) are printed. */
void err_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void err_text(const char *line);

/* The fast path, for the column renderers (render/columns.c): out_room(n)
 * gives room for n more bytes at the end of the buffer (n <= OUT_ROOM_MAX;
 * it flushes first when the buffer is too full), the put_* writers write
 * there, each returning its new end, and out_done(end) keeps what they
 * wrote. No copy, no call to memcpy per field: the per-event cost.
 * put_text and put_json_str apply the rules above; sizes they may need:
 * put_text 4 x max, put_json_str 6 x max + 2, put_uint 20, put_int 21,
 * put_addr OUT_ADDR_MAX. */
#define OUT_ROOM_MAX 16384
#define OUT_ADDR_MAX 46
char *out_room(size_t n);
void out_done(char *end);
char *put_uint(char *p, uint64_t v);
char *put_int(char *p, int64_t v);
char *put_text(char *p, const char *s, size_t max);
char *put_json_str(char *p, const char *s, size_t max);
char *put_spaces(char *p, int n);
/* IPv4 dotted; IPv6 in RFC 5952 form (lowercase, no leading zeros, the
 * first longest run of two or more zero groups as "::", ::ffff:a.b.c.d
 * for IPv4-mapped): what inet_ntop gives, but for the deprecated
 * IPv4-compatible ::a.b.c.d, which glibc writes dotted and RFC 5952 does
 * not (musl neither). put_addr: ver 6 is IPv6, anything else IPv4. */
char *put_ipv4(char *p, const uint8_t *a);
char *put_ipv6(char *p, const uint8_t *a);
char *put_addr(char *p, int ver, const uint8_t *addr);


#endif
