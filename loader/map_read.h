/* Reading what a loaded object keeps in its maps (rawtrace run, at the
 * end of a run): every entry of a map, and a global data map's value. */
#ifndef RAWTRACE_MAP_READ_H
#define RAWTRACE_MAP_READ_H

#include <stddef.h>
#include <stdint.h>
#include "obj/object.h"

/* A per-CPU map's value: value_size rounded up to 8, once per possible
 * CPU (the layout BPF_MAP_LOOKUP_ELEM fills). */
int map_is_percpu(uint32_t type);

/* The bytes of one CPU's slot of m's value: value_size rounded up to
 * 8 for a per-CPU map, value_size for any other. */
size_t map_value_stride(const struct obj_map *m);

/* One entry: key (key_size bytes), value (value_size bytes, or ncpus
 * slots of round_up(value_size, 8) for a per-CPU map). Non-zero stops
 * the walk. */
typedef int (*map_entry_fn)(void *ctx, const void *key, const void *value,
			    int ncpus);

/* Calls fn for the map at fd (made from m) entry by entry, at most max
 * entries; returns how many, or -errno with the error set. A key
 * deleted between its listing and its lookup is passed over. */
long map_walk(int fd, const struct obj_map *m, long max, map_entry_fn fn,
	      void *ctx);

#endif
