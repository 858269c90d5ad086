/* Columns as data: a list of fields over an event struct, each with its
 * table header, its JSON key, its kind, where it is in the event and how
 * wide it is. One list drives a tool's table header, its text line and
 * its JSON object, through the renderers below, so the two forms never
 * drift apart. Nothing here knows a tool: a later `rawtrace run` can
 * build such a list from an object's BTF at run time.
 *
 * Strings from outside (comm, computed names that quote the kernel) go
 * through the rules of render/output.h: the text rule in the table and in
 * key=value, the JSON rule in JSON. */
#ifndef RAWTRACE_COLUMNS_H
#define RAWTRACE_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

enum col_kind {
	COL_UINT,       /* unsigned integer of size 1, 2, 4 or 8 */
	COL_INT,        /* signed integer of size 1, 2, 4 or 8 */
	COL_BIT,        /* unsigned integer & mask: 1 if any bit set, else 0 */
	COL_STR,        /* char[size], NUL-terminated or full (a comm) */
	COL_ADDR,       /* __u8[16]: IPv6 when the byte at ver_at is 6, else
			   IPv4 in the first 4 bytes */
	COL_TIME,       /* __u64 CLOCK_MONOTONIC ns: HH:MM:SS of the wall
			   clock in text, the number in JSON */
	COL_TEXT,       /* computed: fn's string (a JSON string) */
	COL_FLAG,       /* as COL_BIT, but JSON and key=value write the key
			   only when it is 1: a rare flag that would
			   otherwise add ":0" to every line */
	/* The kinds `rawtrace run` builds from an object's BTF
	 * (cli/run_events.c): */
	COL_BOOL,       /* integer of size 1, 2, 4 or 8: true or false */
	COL_ENUM,       /* integer of size 1, 2, 4 or 8, by its name in
			   data (struct col_enum); the number when none */
	COL_LABEL,      /* the constant string data (a ring's name) */
	COL_BEGIN,      /* JSON: "key":{ -- the members that follow, up to
			   the matching COL_END, are a nested object; not
			   in the table or key=value */
	COL_END,        /* JSON: } */
	COL_BTF,        /* the value of BTF type data (struct col_btf),
			   by render/btf_value.h: for what the kinds above
			   cannot say (arrays, unions, pointers, floats) */
	COL_LOOKUP,     /* unsigned integer of size 1, 2, 4 or 8, by the
			   string lookup gives for it (a cgroup's path for
			   its id): a JSON string, or null */
};

/* A computed column's longest string, NUL included. */
#define COL_TEXT_MAX 64

struct column {
	const char *name;       /* table header; NULL: not in the table */
	const char *key;        /* JSON and key=value key; NULL: table only */
	uint8_t kind;           /* enum col_kind */
	uint16_t size;          /* bytes at offset; a COL_STR longer than
				   COL_STR_ROOM is written in pieces */
	uint16_t offset;        /* in the event */
	uint16_t ver_at;        /* COL_ADDR: offset of the 4-or-6 byte */
	int16_t width;          /* table: padded to it (but the last) */
	uint32_t mask;          /* COL_BIT */
	uint32_t when;          /* shown only when the run's show mask has
				   all these bits (0: always) */
	/* COL_TEXT: the string for this event, in buf (COL_TEXT_MAX bytes)
	 * or a constant; never longer than COL_TEXT_MAX - 1. */
	const char *(*text)(const void *event, char *buf);
	const void *data;       /* COL_ENUM, COL_LABEL, COL_BTF */
	/* COL_LOOKUP: the string for a value, from a cache of the caller's
	 * that outlives the line (any length); NULL: not known. */
	const char *(*lookup)(uint64_t value);
	/* Whether the event has a value here (NULL: always): one it has
	 * not is null in JSON and "-" in the table and key=value. For a
	 * field whose meaning depends on another (packets' ports). */
	int (*known)(const void *event);
};

/* A COL_STR up to this many bytes is reserved with the line; a longer
 * one (execsnoop's args) and a COL_BTF value are written through the
 * buffer in pieces, after what comes before them in the line. */
#define COL_STR_ROOM 255

/* COL_ENUM's names: n values and their names (BTF strings). */
struct col_enum {
	uint32_t n;
	const uint64_t *value;          /* each masked to the column's size */
	const char *const *name;
	size_t longest;                 /* the longest name's length */
};

struct btf;
/* COL_BTF's type. */
struct col_btf {
	const struct btf *btf;
	uint32_t id;
};

/* The event struct's member m, as a column's kind, size and offset. */
#define COL_AT(k, type, m) .kind = (k), .size = sizeof(((type *)0)->m), \
	.offset = offsetof(type, m)

/* A field of the event struct: its header, key, kind and place, and the
 * show bits it needs. */
#define COL_OF(k, name_, key_, type, m, when_) \
	.name = name_, .key = key_, COL_AT(k, type, m), .when = when_

/* Kinds of column every tool builds from: the name, then the key. */
#define COL_U(name, key, type, m, width_, when) \
	{ COL_OF(COL_UINT, name, key, type, m, when), .width = width_ }
#define COL_S(name, key, type, m, width_, when) \
	{ COL_OF(COL_INT, name, key, type, m, when), .width = width_ }
#define COL_B(name, key, type, m, bits, when) \
	{ COL_OF(COL_BIT, name, key, type, m, when), .mask = bits }
#define COL_F(name, key, type, m, bits, when) \
	{ COL_OF(COL_FLAG, name, key, type, m, when), .mask = bits }
#define COL_STRING(name, key, type, m, width_, when) \
	{ COL_OF(COL_STR, name, key, type, m, when), .width = width_ }
#define COL_IP(name, key, type, m, ver, width_, when) \
	{ COL_OF(COL_ADDR, name, key, type, m, when), \
	  .ver_at = offsetof(type, ver), .width = width_ }
#define COL_CALC(name_, key_, fn, width_, when_) \
	{ .name = name_, .key = key_, .kind = COL_TEXT, .width = width_, \
	  .when = when_, .text = fn }
/* A field by the string fn gives for its value (COL_LOOKUP). */
#define COL_LOOK(name, key, type, m, fn, width_, when) \
	{ COL_OF(COL_LOOKUP, name, key, type, m, when), .width = width_, \
	  .lookup = fn }
/* An unsigned field that only some events have: known_(event) says. */
#define COL_U_IF(name, key, type, m, width_, when, known_) \
	{ COL_OF(COL_UINT, name, key, type, m, when), .width = width_, \
	  .known = known_ }
/* The columns a tool's event starts with: ts [TIME] PID tid COMM. ts is
 * the JSON key every tool writes first; TIME, shown with the run's
 * COL_SHOW_TIME bit (-t), is HH:MM:SS in the table and "time", RFC 3339
 * UTC with nanoseconds, in JSON and key=value. */
#define COL_SHOW_TIME 1u
/* -C: the table's CONTAINER and CGROUP columns (COL_SCOPE, progs/). */
#define COL_SHOW_CGROUP (1u << 15)
#define COL_TIME_HEAD(type) \
	COL_U(NULL, "ts", type, ts_ns, 0, 0), \
	{ COL_OF(COL_TIME, "TIME", "time", type, ts_ns, COL_SHOW_TIME), \
	  .width = 8 }
#define COL_TASK_HEAD(type) COL_TIME_HEAD(type)
#define COL_TASK(type) \
	COL_U("PID", "pid", type, pid, 7, 0), \
	COL_U(NULL, "tid", type, tid, 0, 0), \
	COL_STRING("COMM", "comm", type, comm, 16, 0)

/* The most bytes one line of the list takes: the renderers reserve it
 * in the output buffer at once, so it must be at most OUT_ROOM_MAX
 * (render/output.h); tool_main checks. */
size_t render_room(const struct column *cols, size_t n, uint32_t show);

/* The table header line. */
void render_header(const struct column *cols, size_t n, uint32_t show);

/* One event as a table line: each value padded to its column's width
 * and followed by a space, but for the last, which ends the line;
 * trailing empty values are left out. */
void render_table(const struct column *cols, size_t n, uint32_t show,
		  const void *event);

/* One event as a JSON object on its own line. */
void render_json(const struct column *cols, size_t n, uint32_t show,
		 const void *event);

/* How events are printed: columns under a header (-o table, the
 * default), JSON Lines (-o json, -j) or key=value pairs with the JSON
 * keys (-o kv). */
enum render_format { RENDER_TABLE, RENDER_JSON, RENDER_KV };

/* One event in that format (RENDER_TABLE: its table line; the header is
 * render_header's). */
void render_event(enum render_format f, const struct column *cols, size_t n,
		  uint32_t show, const void *event);

/* One event as key=value pairs, separated by spaces, on one line:
 * numbers and addresses as in JSON, strings by the text rule with a
 * space also written \x20, so that a line splits on spaces. */
void render_kv(const struct column *cols, size_t n, uint32_t show,
	       const void *event);

#endif
