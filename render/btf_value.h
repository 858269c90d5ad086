/* A value shown by its BTF type, as `rawtrace run` shows what an object
 * keeps in its maps and globals (issue 22).
 *
 * Integers as numbers (signed by their encoding), bools as true/false,
 * char arrays as strings (up to their first NUL), enums by their
 * enumerator's name (the number when none has the value), structs and
 * unions as {name=value, ...} (JSON: objects; an anonymous member's
 * members are shown in its parent's place), arrays as [a, b, ...],
 * pointers as 0x hex, floats with %g. Typedefs and modifiers are looked
 * through. What it cannot show (a size that does not fit the type, a
 * 128-bit integer, a nesting deeper than 16, anonymous members
 * counted) is written as hex bytes; so is a whole value whose type
 * asks for more than 65536 members and elements to show (a tree of
 * anonymous unions that would take forever).
 * Strings go through the text or JSON rule of render/output.h. */
#ifndef RAWTRACE_BTF_VALUE_H
#define RAWTRACE_BTF_VALUE_H

#include <stddef.h>
#include <stdint.h>
#include "elf/btf.h"

/* The size bytes at data, as a value of type id of btf, to stdout's
 * buffer (render/output.h); as JSON if json. */
void btf_value_out(const struct btf *btf, uint32_t id, const void *data,
		   size_t size, int json);

/* The value at data as an unsigned integer, when id is an integer or
 * enum type of at most 8 bytes; -EINVAL otherwise. */
int btf_value_u64(const struct btf *btf, uint32_t id, const void *data,
		  size_t size, uint64_t *v);

/* bits bits from bit off of p (little-endian, as the BPF side wrote
 * them on this machine), at most 64; and such a number's sign extended
 * from its top bit. */
uint64_t btf_read_bits(const unsigned char *p, uint32_t off, uint32_t bits);
int64_t btf_sign_extend(uint64_t v, uint32_t bits);

/* Enumerator i of the ENUM or ENUM64 t: its name, and its value as t's
 * size bytes of memory hold it (a negative 1-byte enumerator is 0xff).
 * btf_enum_name: the name of t's first enumerator of that value, or
 * NULL when none has it. */
const char *btf_enum_at(const struct btf *btf, const struct btf_type *t,
			uint32_t i, uint64_t *value);
const char *btf_enum_name(const struct btf *btf, const struct btf_type *t,
			  uint64_t value);

/* Whether id is a char, whose arrays are shown as strings: a 1-byte
 * integer named char or encoded as one. */
int btf_value_is_char(const struct btf *btf, uint32_t id);

#endif
