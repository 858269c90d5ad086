/* Maps: BPF_MAP_CREATE for each, then the initial value of global data,
 * then BPF_MAP_FREEZE for .rodata so that neither user space nor the
 * program can change it again: the verifier can then treat its values as
 * constants and prune the branches a filter knob turns off. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elf/error.h"
#include "obj/names.h"
#include "loader/load.h"
#include "loader/perf.h"
#include "loader/sys.h"

/* Number of possible CPUs: a perf event array needs a slot for each CPU
 * a program might run on, numbered up to the highest possible one. */
int possible_cpus(void)
{
	int *cpus, n = perf_read_cpu_list("/sys/devices/system/cpu/possible",
					  &cpus), i, max = 0;

	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		max = cpus[i] + 1 > max ? cpus[i] + 1 : max;
	free(cpus);
	return max;
}

/* max_entries: the spec's, or for a perf event array that leaves it 0,
 * the number of CPUs. Returns the fd. */
static int create_map(const struct obj_map *m, uint32_t max_entries)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	a.map_type = m->type;
	a.key_size = m->key_size;
	a.value_size = m->value_size;
	a.max_entries = max_entries;
	a.map_flags = m->flags;
	a.numa_node = m->numa_node;     /* used with BPF_F_NUMA_NODE */
	a.map_extra = m->map_extra;     /* a bloom filter's hash count */
	memcpy(a.map_name, m->name, sizeof a.map_name - 1);
	fd = sys_bpf(BPF_MAP_CREATE, &a, sizeof a);
	if (fd == -EPERM)
		return error_set(EPERM, "map %s: BPF_MAP_CREATE: not permitted: "
				 "run as root (or with CAP_BPF and CAP_PERFMON)",
				 m->name);
	if (fd < 0)
		return error_set(-fd, "map %s: BPF_MAP_CREATE: %s", m->name,
				 errno_text(-fd));
	return fd;
}

static int fill_data_map(const struct obj_map *m, int fd)
{
	union bpf_attr a;
	int key = 0, err;

	err = bpf_map_update(fd, &key, m->data, BPF_ANY);
	if (err)
		return error_set(-err, "map %s: setting initial value: %s",
				 m->name, errno_text(-err));
	if (!m->frozen)
		return 0;
	memset(&a, 0, sizeof a);
	a.map_fd = fd;
	err = sys_bpf(BPF_MAP_FREEZE, &a, sizeof a);
	if (err)
		return error_set(-err, "map %s: BPF_MAP_FREEZE: %s", m->name,
				 errno_text(-err));
	return 0;
}

/* What obj/ reads and the loader cannot make yet (issue 21): one line
 * each, rather than a map made wrong. */
static int unsupported_map(const struct obj_map *m)
{
	const char *what = m->is_struct_ops ? "struct_ops maps" :
			   m->inner ? "map-in-map (inner maps)" :
			   m->nr_slots ? "initial values (.rel.maps)" :
			   m->pinning ? "pinning" : NULL;

	return what ? error_set(ENOTSUP, "map %s: %s not yet supported",
				m->name, what) : 0;
}

int obj_create_maps(struct loaded *l)
{
	const struct obj *o = l->obj;
	unsigned char *needed = calloc(o->nr_maps ? o->nr_maps : 1, 1);
	size_t i;
	int err = 0, cpus, fd;

	if (!needed)
		return error_set(ENOMEM, "%s: no memory", o->name);
	obj_maps_needed(o, needed);
	for (i = 0; !err && i < o->nr_maps; i++) {
		const struct obj_map *m = &o->maps[i];
		uint32_t max_entries = m->max_entries;

		if ((err = unsupported_map(m)))
			break;
		if (l->map_fds[i] >= 0 || !needed[i])
			continue;
		if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY &&
		    max_entries == 0) {
			cpus = possible_cpus();
			if (cpus < 0) {
				err = cpus;
				break;
			}
			max_entries = (uint32_t)cpus;
		}
		fd = create_map(m, max_entries);
		if (fd < 0) {
			err = fd;
			break;
		}
		l->map_fds[i] = fd;
		if (m->is_data)
			err = fill_data_map(m, fd);
	}
	free(needed);
	return err;
}
