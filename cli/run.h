/* rawtrace run OBJ.o: any clang-built BPF object, loaded and attached as
 * a libbpf skeleton would (cli/run.c); its --set (cli/run_set.c). */
#ifndef RAWTRACE_RUN_H
#define RAWTRACE_RUN_H

#include "obj/object.h"

/* --set VAR=VALUE, map.NAME.max_entries=N or map.NAME.value_size=N, on o
 * before load. */
int run_set(struct obj *o, const char *assignment);

/* A map the object leaves unsized (max_entries 0, or a stack map's
 * value_size) and --set did not size: -EINVAL naming the option. */
int run_check_sizes(const struct obj *o);

int run_main(int argc, char **argv);

#endif
