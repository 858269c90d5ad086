#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "loader/load.h"
#include "loader/map_read.h"
#include "loader/sys.h"
#include "obj/names.h"

int map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

size_t map_value_stride(const struct obj_map *m)
{
	return map_is_percpu(m->type) ? ((size_t)m->value_size + 7) / 8 * 8 :
	       m->value_size;
}

static int walk_error(const struct obj_map *m, const char *what, int err)
{
	return error_set(-err, "map %s: %s: %s", m->name, what,
			 errno_text(-err));
}

long map_walk(int fd, const struct obj_map *m, long max, map_entry_fn fn,
	      void *ctx)
{
	int ncpus = map_is_percpu(m->type) ? possible_cpus() : 1;
	size_t vsize = map_value_stride(m) * (size_t)(ncpus > 0 ? ncpus : 1);
	unsigned char *key, *next, *value, *t;
	long n = 0, steps = 0;
	int err, first = 1;

	if (ncpus < 0)
		return ncpus;
	key = calloc(1, m->key_size + 1);
	next = calloc(1, m->key_size + 1);
	value = calloc(1, vsize + 1);
	err = key && next && value ? 0 : error_set(ENOMEM, "map %s: no memory",
						    m->name);
	/* steps bounds a walk that a program keeps changing under us */
	while (!err && n < max && steps++ < max * 2 + 1024) {
		err = bpf_map_next_key(fd, first ? NULL : key, next);
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		if (err) {
			err = walk_error(m, "BPF_MAP_GET_NEXT_KEY", err);
			break;
		}
		err = bpf_map_lookup(fd, next, value);
		/* deleted meanwhile: on from the key before it, which a
		 * hash still has (from the deleted one it would start over,
		 * and show every entry again) */
		if (err == -ENOENT) {
			err = 0;
			continue;
		}
		if (err) {
			err = walk_error(m, "BPF_MAP_LOOKUP_ELEM", err);
			break;
		}
		first = 0;
		t = key, key = next, next = t;
		n++;
		if (fn(ctx, key, value, ncpus))
			break;
	}
	free(key);
	free(next);
	free(value);
	return err ? err : n;
}
