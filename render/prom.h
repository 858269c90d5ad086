/* The Prometheus text exposition format (version 0.0.4), as `rawtrace
 * run --metrics` serves an object's maps and globals (issue 22): pure
 * formatting into a bounded buffer, no sockets (cli/run_metrics.c serves
 * it).
 *
 * Names: a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*, a label name
 * [a-zA-Z_][a-zA-Z0-9_]*; any other byte becomes '_', and a name that
 * would start with a digit gets a '_' in front. A label name starting
 * "__" (Prometheus' own) loses its extra underscores.
 * Label values: '\\', '"' and newline written \\, \" and \n; a byte
 * that is not part of valid UTF-8 written as U+FFFD (the format is
 * UTF-8). # HELP text: '\\' and newline escaped the same way.
 *
 * Bound: the buffer holds at most max bytes. A family that does not fit
 * is taken back whole, and neither it nor any after it is written: one
 * comment line says so instead ("# rawtrace: truncated at N bytes: ..."),
 * so that a scraper sees whole families, never half of one. */
#ifndef RAWTRACE_PROM_H
#define RAWTRACE_PROM_H

#include <stddef.h>
#include <stdint.h>
#include "elf/btf.h"

struct prom_buf {
	char *p;
	size_t len, cap, max;
	size_t family;          /* where the family being written began */
	int full;               /* a family did not fit: nothing more */
	char **names;           /* the metric names written so far: a hash
				   set of nnames in names_cap slots */
	size_t nnames, names_cap;
};

#define PROM_MAX_LABELS 16
#define PROM_NAME_MAX 128
#define PROM_VALUE_MAX 256

struct prom_labels {
	size_t n;
	char name[PROM_MAX_LABELS][PROM_NAME_MAX];
	char value[PROM_MAX_LABELS][PROM_VALUE_MAX];   /* raw: escaped
							  when written */
};

/* An empty buffer of at most max bytes (grown as written). */
void prom_init(struct prom_buf *b, size_t max);
void prom_free(struct prom_buf *b);

/* "obj_name" from an object's file name and a map's or global's name:
 * a trailing ".o" and then ".bpf" are dropped from obj ("show.bpf.o" ->
 * "show"), then both are joined by '_' and made a metric name; suffix
 * ("_total", or "") after. */
void prom_metric_name(char *dst, size_t size, const char *obj,
		      const char *name, const char *suffix);

/* name as a label name. */
void prom_label_name(char *dst, size_t size, const char *name);

/* Appends label name = value (value: n bytes, or up to a NUL) to l; one
 * past PROM_MAX_LABELS is dropped. A name l already has (two members
 * alike once made label names: x.y and x_y) gets _2, _3, ... after it. */
void prom_label(struct prom_labels *l, const char *name, const char *value,
		size_t n);

/* A family's "# HELP name help" and "# TYPE name type" lines: the
 * samples after it, up to the next, are its (taken back with it when
 * they pass the bound). 0; or -EEXIST when name, or a sample name a
 * histogram implies (name_bucket, _sum, _count), is one an earlier
 * family used: then a comment line ("# rawtrace: ...") says so instead,
 * and the caller writes none of its samples (two families of one name
 * are refused by Prometheus); -ENOMEM. */
int prom_family(struct prom_buf *b, const char *name, const char *type,
		const char *help);

/* A comment line of rawtrace's own ("# " and text, escaped as HELP). */
void prom_comment(struct prom_buf *b, const char *text);

/* One sample line: name{labels} value (value as written: a number). */
void prom_sample(struct prom_buf *b, const char *name,
		 const struct prom_labels *l, const char *value);

/* A log2 histogram as libbpf-tools keep one (slot 0 counts 0 and 1,
 * slot i >= 1 counts [2^i, 2^(i+1)-1]) as the samples of a Prometheus
 * histogram: name_bucket{labels,le="2^(i+1)-1"} cumulative for every
 * slot, le="+Inf", name_sum and name_count. The slots hold no sum of the
 * values: name_sum counts each value at its slot's midpoint, an
 * estimate (the HELP line says so). le is a label of the histogram's:
 * a label of l named le is renamed (le_2), and with l full its last
 * label makes room for le. */
void prom_log2_hist(struct prom_buf *b, const char *name,
		    const struct prom_labels *l, const uint64_t *slots,
		    size_t n);

/* A map key at key (size bytes, of BTF type id; 0: none) as labels: a
 * struct's or union's members each by its name (a nested struct's as
 * OUTER_INNER), anything else as one label "key". Integers in decimal,
 * bools true/false, enums by name, char arrays as text up to the NUL,
 * what else there is (and a key with no BTF) as 0x hex bytes. At most
 * PROM_MAX_LABELS labels; a type of more than 4096 members in all
 * (nested and anonymous ones counted) is one label "key" in hex. */
void prom_key_labels(struct prom_labels *l, const struct btf *btf,
		     uint32_t id, const void *key, size_t size);

/* The value at p of type id as a sample value, when it is an integer,
 * bool or enum of at most 8 bytes (signed by its encoding): 0, or
 * -EINVAL. */
int prom_number(const struct btf *btf, uint32_t id, const void *p,
		size_t size, char *dst, size_t dsize);

/* The element count of member "slots" of struct type id, when it is an
 * array of integers of 4 or 8 bytes (libbpf-tools' struct hist) that
 * lies within value_size bytes (the map's: its BTF type may claim more);
 * its offset and element size in *off and *esize. 0 when there is none. */
uint32_t prom_hist_slots(const struct btf *btf, uint32_t id,
			 size_t value_size, size_t *off, size_t *esize);

#endif
