/* The end of `rawtrace run`: what the object keeps, on stdout. */
#ifndef RAWTRACE_RUN_MAPS_H
#define RAWTRACE_RUN_MAPS_H

#include "obj/object.h"

/* Every hash, array, LRU, per-CPU and LPM map of o that was made
 * (map_fds[i] >= 0), and the globals of .bss and .data, decoded with o's
 * BTF; one JSON object per line with json. 0, or -errno with the error
 * set (the maps after a failing one are still shown). */
int run_show_maps(const struct obj *o, const int *map_fds, int json);

/* Whether maps of this type are shown (the kinds above); run --metrics
 * serves the same. */
int run_map_shown(uint32_t type);

/* Whether a map's name says it holds a histogram: "hist" or "slots" in
 * it, in any case (LatHist, lat_slots). One rule for the drawing at the
 * end and for --metrics. */
int run_map_says_hist(const char *name);

/* --hist MAP[:log2|:linear[:STEP]]: draw MAP as a histogram (log2 by
 * default; linear slots STEP wide, 1 by default). arg is kept, not
 * copied. 0, or -errno with the error set for a malformed one. */
int run_hist_option(const char *arg);

/* Each --hist names a map of o that can be drawn as a histogram: 0, or
 * -errno with the error set. */
int run_hist_check(const struct obj *o);

#endif
