/* A histogram drawn as the libbpf-tools draw theirs (print_log2_hist and
 * print_linear_hist of their trace_helpers.c), so that a user's object
 * built like theirs shows the picture they know (issue 22).
 *
 * log2: slot i counts values of [2^i, 2^(i+1)), slot 0 also counts 0;
 *   a header "     UNITS               : count    distribution", then
 *   one row per slot up to the last that is not zero,
 *   "        LO -> HI         : COUNT    |****   |", the bar 40 wide,
 *   scaled to the largest count; past slot 32 the columns widen and the
 *   bar is 20 wide, as theirs.
 * linear: slot i counts [base + i*step, base + (i+1)*step); a header
 *   "     UNITS         : count     distribution", then one row per
 *   slot that is not zero, from the first to the last, showing its low
 *   bound.
 * All slots zero: nothing at all, as theirs.
 *
 * Where theirs goes wrong, this does not: counts are 64-bit and printed
 * unsigned (theirs prints a __u32 with %d), the bar is scaled in 128-bit
 * arithmetic (theirs overflows 32 bits past 107374182 counts, 2^32/40),
 * and slot 63's high bound is 2^64-1 (theirs shifts by 64). */
#ifndef RAWTRACE_HIST_H
#define RAWTRACE_HIST_H

#include <stddef.h>
#include <stdint.h>
#include "elf/btf.h"

#define HIST_LOG2_SLOTS 64      /* a log2 histogram's slots at most */

struct histogram {
	int linear;             /* else log2 */
	uint64_t base, step;    /* linear only; step >= 1 */
	const char *units;      /* the first column's name; a literal of ours */
	const uint64_t *slots;
	size_t n;               /* log2: at most HIST_LOG2_SLOTS */
};

/* Slot i's bounds, both included, as drawn. */
void hist_bounds(const struct histogram *h, size_t i, uint64_t *lo,
		 uint64_t *hi);

/* Whether every slot is zero. */
int hist_empty(const struct histogram *h);

/* The drawing, to stdout's buffer (render/output.h). */
void hist_out(const struct histogram *h);

/* The slots drawn, as a JSON array of {"lo":N,"hi":N,"count":N}: log2
 * from slot 0 to the last that is not zero, linear those not zero. */
void hist_json_out(const struct histogram *h);

/* The line over one histogram of a map that holds one per key, as the
 * libbpf-tools head theirs ("disk = sda", "pid = 12 bash"): the key's
 * members as "name = value, ..." (a key that is no struct, or one with
 * a bitfield or an anonymous member: "key = VALUE"), then the members of
 * the value but the one named slots (a libbpf-tools struct hist's comm),
 * decoded with btf (render/btf_value.h), then "\n". With json, instead
 * the members of the histogram's JSON object, each after a comma:
 * ,"key":KEY and, when the value has other members, ,"value":{those}
 * (nothing when there is neither). key_id 0: no key. */
void hist_heading_out(const struct btf *btf, uint32_t key_id,
		      const void *key, size_t key_size, uint32_t value_id,
		      const void *value, size_t value_size, const char *slots,
		      int json);

#endif
