/* The renderers of render/columns.h. Each reserves room for the whole
 * line once (out_room), writes every value straight into the output
 * buffer and keeps it (out_done): no copy of the event, none per field. */
#include <string.h>
#include <time.h>
#include "render/btf_value.h"
#include "render/columns.h"
#include "render/output.h"

static int shown(const struct column *c, uint32_t show)
{
	return (c->when & show) == c->when;
}

/* Loads of a fixed size: the compiler makes each one instruction, and
 * the event needs no alignment (a perf sample's is 4 bytes). */
static uint64_t load_uint(const unsigned char *p, unsigned size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (size) {
	case 1: memcpy(&u8, p, 1); return u8;
	case 2: memcpy(&u16, p, 2); return u16;
	case 4: memcpy(&u32, p, 4); return u32;
	}
	memcpy(&u64, p, 8);
	return u64;
}

static int64_t load_int(const unsigned char *p, unsigned size)
{
	uint64_t v = load_uint(p, size);

	switch (size) {
	case 1: return (int8_t)v;
	case 2: return (int16_t)v;
	case 4: return (int32_t)v;
	}
	return (int64_t)v;
}

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* CLOCK_REALTIME less CLOCK_MONOTONIC now, in ns, and *gap, how far
 * apart the two monotonic reads around the realtime one were: the
 * offset is off by at most gap / 2. Of three tries the closest: a
 * preempted read (milliseconds in a TCG guest) is not the one taken. */
static int64_t measure_offset(int64_t *gap)
{
	struct timespec m0, real, m1;
	int64_t off = 0, g;

	*gap = INT64_MAX;
	for (int i = 0; i < 3; i++) {
		clock_gettime(CLOCK_MONOTONIC, &m0);
		clock_gettime(CLOCK_REALTIME, &real);
		clock_gettime(CLOCK_MONOTONIC, &m1);
		g = ns_of(&m1) - ns_of(&m0);
		if (g < *gap) {
			*gap = g;
			off = ns_of(&real) - (ns_of(&m0) + g / 2);
		}
	}
	return off;
}

/* The realtime-minus-monotonic offset every event's wall-clock time is
 * made with: taken at the first event, so that times keep the order and
 * the spacing of their ts. Measured again when an event falls in another
 * second of CLOCK_MONOTONIC, and taken when it moved by more than 1 ms
 * beyond what the two measurings may be off (half of each one's gap): a
 * step of the wall clock (settimeofday, NTP's step) shows within a
 * second, the noise of reading two clocks never. */
static int64_t wall_offset(uint64_t mono_ns)
{
	static uint64_t sec = UINT64_MAX;
	static int64_t offset, off_by;
	int64_t now, gap, slack;

	if (mono_ns / 1000000000u != sec) {
		now = measure_offset(&gap);
		slack = off_by + gap / 2 + 1000000;
		if (sec == UINT64_MAX || now - offset > slack ||
		    offset - now > slack) {
			offset = now;
			off_by = gap / 2;
		}
		sec = mono_ns / 1000000000u;
	}
	return offset;
}

static char *put_2(char *p, int v)
{
	*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/* The wall-clock time of a CLOCK_MONOTONIC time: HH:MM:SS local time
 * (the table), or RFC 3339 UTC with nanoseconds (JSON, key=value:
 * 2026-12-07T03:19:00.123456789Z). The broken-down time is made only
 * when the second changes, not per event. */
static char *put_clock(char *p, uint64_t mono_ns, int utc)
{
	static time_t last = -1;
	static int last_utc;
	static struct tm tm;
	int64_t ns = (int64_t)mono_ns + wall_offset(mono_ns);
	time_t t = (time_t)(ns / 1000000000);

	if (t != last || utc != last_utc) {
		if (utc)
			gmtime_r(&t, &tm);
		else
			localtime_r(&t, &tm);
		last = t;
		last_utc = utc;
	}
	if (utc) {
		p = put_2(p, (tm.tm_year + 1900) / 100);
		p = put_2(p, (tm.tm_year + 1900) % 100);
		*p++ = '-';
		p = put_2(p, tm.tm_mon + 1);
		*p++ = '-';
		p = put_2(p, tm.tm_mday);
		*p++ = 'T';
	}
	p = put_2(p, tm.tm_hour);
	*p++ = ':';
	p = put_2(p, tm.tm_min);
	*p++ = ':';
	p = put_2(p, tm.tm_sec);
	if (utc) {
		long frac = (long)(ns % 1000000000);

		*p++ = '.';
		for (int div = 100000000; div; div /= 10)
			*p++ = (char)('0' + frac / div % 10);
		*p++ = 'Z';
	}
	return p;
}

/* The most bytes a column's value, key and padding take, escaped: 24
 * for a number (20 digits and a sign) or the time (30 as RFC 3339, 8 in
 * the table; less 8 for the first 8 of the width) with what
 * surrounds any value (JSON's ',', '"', ':' and the separating space);
 * strings at worst 6 bytes per byte (JSON's \u00XX) and their quotes. */
static size_t room_for(const struct column *c)
{
	size_t n = 24 + (c->key ? strlen(c->key) : 0) +
		   (size_t)(c->width > 0 ? c->width : 0);

	switch (c->kind) {
	case COL_STR:
		/* a longer one is written in pieces (spills) */
		return c->size > COL_STR_ROOM ? n :
		       n + 6 * (size_t)c->size + 2;
	case COL_ADDR:
		return n + OUT_ADDR_MAX + 2;
	case COL_TEXT:
		return n + 6 * COL_TEXT_MAX + 2;
	case COL_ENUM:
		return n + 6 * ((const struct col_enum *)c->data)->longest + 2;
	case COL_LABEL:
		return n + 6 * strlen(c->data) + 2;
	case COL_TIME:
		return n + 30 + 2;
	case COL_LOOKUP:
		/* a longer string is written in pieces */
		return n + 6 * COL_STR_ROOM + 2;
	}
	return n;
}

/* A value written through the buffer in pieces (out_text, out_json_str,
 * btf_value_out) rather than into the line's room: the line so far is
 * kept, and the room is reserved again after it. */
static int spills(const struct column *c)
{
	return c->kind == COL_BTF ||
	       (c->kind == COL_STR && c->size > COL_STR_ROOM);
}

size_t render_room(const struct column *cols, size_t n, uint32_t show)
{
	size_t i, room = 2;

	for (i = 0; i < n; i++)
		if (shown(&cols[i], show))
			room += room_for(&cols[i]);
	return room;
}

/* Set by put_value when it wrote a value through the buffer in pieces:
 * the line's room was reserved again, so the table pads nothing after. */
static int spilled;

/* Room for a whole line, reserved at once. The sum is kept for the
 * list and show mask it was made for: a tool renders with one of each. */
static size_t room;

static char *start_line(const struct column *cols, size_t n, uint32_t show)
{
	static const struct column *last;
	static size_t last_n;
	static uint32_t last_show;

	if (cols != last || n != last_n || show != last_show) {
		room = render_room(cols, n, show);
		last = cols;
		last_n = n;
		last_show = show;
	}
	return out_room(room);
}

enum form { TEXT, JSON, KV };

static char *put_key(char *p, const char *key)
{
	while (*key)
		*p++ = *key++;
	return p;
}

/* A string by the form's rule. */
static char *put_string(char *p, const char *s, size_t max, enum form f)
{
	char *q;

	if (f == JSON)
		return put_json_str(p, s, max);
	q = put_text(p, s, max);
	if (f == KV) {
		/* a space becomes \x20: the text rule's form, widened */
		char *r, *w;
		size_t spaces = 0;

		for (r = p; r < q; r++)
			spaces += *r == ' ';
		if (!spaces)
			return q;
		w = q + 3 * spaces;
		for (r = q; r > p;) {
			if (*--r == ' ') {
				*--w = '0';
				*--w = '2';
				*--w = 'x';
				*--w = '\\';
			} else {
				*--w = *r;
			}
		}
		return q + 3 * spaces;
	}
	return q;
}

/* A long string (COL_STR_ROOM and more) by the key=value rule, in
 * pieces that fit the room put_string(KV) may need (4 bytes a byte). */
static void out_kv_text(const char *s, size_t max)
{
	size_t piece, n = strnlen(s, max);
	char *p;

	for (; n; s += piece, n -= piece) {
		piece = n < OUT_ROOM_MAX / 4 ? n : OUT_ROOM_MAX / 4;
		p = out_room(4 * piece);
		out_done(put_string(p, s, piece, KV));
	}
}

/* A spilling column's value (spills), after the line so far; returns
 * where the line goes on, in room reserved again. A BTF value (an array,
 * a struct) is written in its JSON form with -o kv: it has no spaces
 * but inside its strings. */
static char *put_spilled(char *p, const struct column *c,
			 const unsigned char *at, enum form f)
{
	const struct col_btf *b = c->data;

	spilled = 1;
	out_done(p);
	if (c->kind == COL_BTF)
		btf_value_out(b->btf, b->id, at, c->size, f != TEXT);
	else if (f == JSON)
		out_json_str((const char *)at, c->size);
	else if (f == KV)
		out_kv_text((const char *)at, c->size);
	else
		out_text((const char *)at, c->size);
	return out_room(room);
}

static char *put_enum(char *p, const struct column *c,
		      const unsigned char *at, enum form f)
{
	const struct col_enum *e = c->data;
	uint64_t v = load_uint(at, c->size);
	uint32_t i;

	for (i = 0; i < e->n; i++)
		if (e->value[i] == v)
			return put_string(p, e->name[i], e->longest, f);
	return put_uint(p, v);
}

/* What a value the event does not have is written as. */
static char *put_null(char *p, enum form f)
{
	return put_key(p, f == JSON ? "null" : "-");
}

/* A COL_LOOKUP's string: in the line's room when it fits, else in
 * pieces, as a long COL_STR. */
static char *put_lookup(char *p, const struct column *c,
			const unsigned char *at, enum form f)
{
	const char *s = c->lookup(load_uint(at, c->size));
	size_t len;

	if (!s)
		return put_null(p, f);
	len = strlen(s);
	if (len <= COL_STR_ROOM)
		return put_string(p, s, len, f);
	spilled = 1;
	out_done(p);
	if (f == JSON)
		out_json_str(s, len);
	else if (f == KV)
		out_kv_text(s, len);
	else
		out_text(s, len);
	return out_room(room);
}

static char *put_value(char *p, const struct column *c, const void *event,
		       enum form f)
{
	const unsigned char *at = (const unsigned char *)event + c->offset;
	char tmp[COL_TEXT_MAX];

	if (c->known && !c->known(event))
		return put_null(p, f);
	if (spills(c))
		return put_spilled(p, c, at, f);
	switch (c->kind) {
	case COL_UINT:
		return put_uint(p, load_uint(at, c->size));
	case COL_INT:
		return put_int(p, load_int(at, c->size));
	case COL_BIT:
	case COL_FLAG:
		*p++ = load_uint(at, c->size) & c->mask ? '1' : '0';
		return p;
	case COL_STR:
		return put_string(p, (const char *)at, c->size, f);
	case COL_ADDR:
		if (f == JSON)
			*p++ = '"';
		p = put_addr(p, ((const unsigned char *)event)[c->ver_at], at);
		if (f == JSON)
			*p++ = '"';
		return p;
	case COL_TIME:
		if (f == JSON)
			*p++ = '"';
		p = put_clock(p, load_uint(at, 8), f != TEXT);
		if (f == JSON)
			*p++ = '"';
		return p;
	case COL_TEXT:
		return put_string(p, c->text(event, tmp), COL_TEXT_MAX - 1, f);
	case COL_BOOL:
		return put_key(p, load_uint(at, c->size) ? "true" : "false");
	case COL_ENUM:
		return put_enum(p, c, at, f);
	case COL_LABEL:
		return put_string(p, c->data, strlen(c->data), f);
	case COL_LOOKUP:
		return put_lookup(p, c, at, f);
	}
	return p;
}

/* A key JSON and key=value leave out for this event: a COL_FLAG at 0. */
static int keyless(const struct column *c, const void *event)
{
	const unsigned char *at = (const unsigned char *)event + c->offset;

	return c->kind == COL_FLAG && !(load_uint(at, c->size) & c->mask);
}

/* A table line: each shown column's value (the event's), or its name
 * (event NULL: the header), padded to its width; the line ends after
 * the last thing written, without trailing spaces. */
static void render_row(const struct column *cols, size_t n, uint32_t show,
		       const void *event)
{
	char *p = start_line(cols, n, show), *end = p, *v;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!cols[i].name || !shown(&cols[i], show))
			continue;
		v = p;
		spilled = 0;
		p = event ? put_value(p, &cols[i], event, TEXT) :
			    put_key(p, cols[i].name);
		if (spilled) {
			/* written before p, in pieces: no padding */
			end = p;
			*p++ = ' ';
			continue;
		}
		if (p > v)
			end = p;
		p = put_spaces(p, cols[i].width - (int)(p - v));
		*p++ = ' ';
	}
	*end++ = '\n';
	out_done(end);
}

void render_table(const struct column *cols, size_t n, uint32_t show,
		  const void *event)
{
	render_row(cols, n, show, event);
}

void render_header(const struct column *cols, size_t n, uint32_t show)
{
	render_row(cols, n, show, NULL);
}

void render_json(const struct column *cols, size_t n, uint32_t show,
		 const void *event)
{
	char *p = start_line(cols, n, show);
	size_t i;
	int first = 1;

	*p++ = '{';
	for (i = 0; i < n; i++) {
		if (!cols[i].key || !shown(&cols[i], show) ||
		    keyless(&cols[i], event))
			continue;
		if (cols[i].kind == COL_END) {
			*p++ = '}';
			first = 0;
			continue;
		}
		if (!first)
			*p++ = ',';
		first = 0;
		*p++ = '"';
		p = put_key(p, cols[i].key);
		*p++ = '"';
		*p++ = ':';
		if (cols[i].kind == COL_BEGIN) {
			*p++ = '{';
			first = 1;
			continue;
		}
		p = put_value(p, &cols[i], event, JSON);
	}
	*p++ = '}';
	*p++ = '\n';
	out_done(p);
}

void render_kv(const struct column *cols, size_t n, uint32_t show,
	       const void *event)
{
	char *p = start_line(cols, n, show);
	size_t i;
	int first = 1;

	for (i = 0; i < n; i++) {
		/* nested members by their own keys */
		if (!cols[i].key || !shown(&cols[i], show) ||
		    keyless(&cols[i], event) || cols[i].kind == COL_BEGIN ||
		    cols[i].kind == COL_END)
			continue;
		if (!first)
			*p++ = ' ';
		first = 0;
		p = put_key(p, cols[i].key);
		*p++ = '=';
		p = put_value(p, &cols[i], event, KV);
	}
	*p++ = '\n';
	out_done(p);
}

void render_event(enum render_format f, const struct column *cols, size_t n,
		  uint32_t show, const void *event)
{
	if (f == RENDER_JSON)
		render_json(cols, n, show, event);
	else if (f == RENDER_KV)
		render_kv(cols, n, show, event);
	else
		render_table(cols, n, show, event);
}
