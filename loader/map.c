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

/* The BTF a map is made with: the object's BTF fd and the ids of its
 * key and value types, so that bpftool and the kernel can show its
 * entries by their types (and the kinds that need it, such as task
 * storage, can be made at all). */
struct map_btf {
	int fd;                         /* 0: none */
	uint32_t key, value;
};

/* Maps whose key and value are no types of the program's but fds, ids or
 * records (and rings, which have neither): made without BTF, as libbpf
 * makes them. */
static int btf_less(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY: case BPF_MAP_TYPE_CGROUP_ARRAY:
	case BPF_MAP_TYPE_STACK_TRACE: case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS: case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH: case BPF_MAP_TYPE_CPUMAP:
	case BPF_MAP_TYPE_XSKMAP: case BPF_MAP_TYPE_SOCKMAP:
	case BPF_MAP_TYPE_SOCKHASH: case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK: case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF: case BPF_MAP_TYPE_PROG_ARRAY:
		return 1;
	}
	return 0;
}

/* A global data map's value is its section's DATASEC (.kconfig's too);
 * other maps' key and value types are those of their definition. */
static struct map_btf map_btf_of(struct loaded *l, const struct obj_map *m)
{
	const struct obj *o = l->obj;
	struct map_btf b = { 0, 0, 0 };
	const char *sec;
	int id;

	if (btf_less(m->type) || !o->has_btf)
		return b;
	if (m->is_data || m->is_kconfig) {
		sec = m->is_kconfig ? ".kconfig" :
		      elf_section_name(&o->elf, m->sec);
		id = btf_find_one(&o->btf, sec, BTF_KIND_DATASEC);
		b.value = id > 0 ? (uint32_t)id : 0;
	} else {
		b.key = m->key_type_id;
		b.value = m->value_type_id;
	}
	if (b.key || b.value)
		b.fd = loaded_btf_fd(l);
	return b;
}

/* max_entries: the spec's, or for a perf event array that leaves it 0,
 * the number of CPUs. inner_fd: a map-in-map's template of its inner
 * maps, or -1. Returns the fd. */
static int create_map(const struct obj_map *m, uint32_t max_entries,
		      int inner_fd, struct map_btf b)
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
	if (inner_fd >= 0)
		a.inner_map_fd = (uint32_t)inner_fd;
	if (b.fd > 0) {
		a.btf_fd = (uint32_t)b.fd;
		a.btf_key_type_id = b.key;
		a.btf_value_type_id = b.value;
	}
	memcpy(a.map_name, m->name, sizeof a.map_name - 1);
	fd = sys_bpf(BPF_MAP_CREATE, &a, sizeof a);
	/* An older kernel may refuse the types where it takes the map (a
	 * DATASEC value before 5.2): the map without them, as libbpf does. */
	if (fd < 0 && fd != -EPERM && b.fd > 0) {
		sys_note("map %s: the kernel refused its key and value types "
			 "(%s): made without them", m->name, errno_text(-fd));
		b.fd = 0;
		return create_map(m, max_entries, inner_fd, b);
	}
	if (fd == -EPERM)
		return error_set(EPERM, "map %s: BPF_MAP_CREATE: not permitted: "
				 "run as root (or with CAP_BPF and CAP_PERFMON)",
				 m->name);
	if (fd < 0)
		return error_set(-fd, "map %s: BPF_MAP_CREATE: %s", m->name,
				 errno_text(-fd));
	return fd;
}

/* A map-in-map is made with a template of its inner maps, which the
 * kernel only copies: made, used, closed. */
static int create_outer(struct loaded *l, const struct obj_map *m,
			uint32_t max_entries)
{
	int inner = create_map(m->inner, m->inner->max_entries, -1,
			       map_btf_of(l, m->inner)), fd;

	if (inner < 0)
		return error_prefix(-inner, "map %s: its inner map: ", m->name);
	fd = create_map(m, max_entries, inner, map_btf_of(l, m));
	close(inner);
	return fd;
}

/* --- pinning (LIBBPF_PIN_BY_NAME): /sys/fs/bpf/NAME, shared --- */

static void pin_path(char *buf, size_t size, const struct obj_map *m)
{
	snprintf(buf, size, "%s/%s", BPF_PIN_ROOT, m->name);
}

/* The map pinned at path, if it is one like m would be made (max_entries
 * as made here: a perf event array's 0 is the number of CPUs): whoever
 * pinned it first shares it, as libbpf's reuse does. -ENOENT: nothing
 * pinned there. */
static int reuse_pinned(const struct obj_map *m, uint32_t max_entries,
			const char *path)
{
	struct bpf_map_info info;
	union bpf_attr a;
	int fd, err;

	memset(&a, 0, sizeof a);
	a.pathname = (uintptr_t)path;
	fd = sys_bpf(BPF_OBJ_GET, &a, sizeof a);
	if (fd == -ENOENT)
		return fd;
	if (fd < 0)     /* a directory, a file outside a bpffs, ... */
		return error_set(-fd, "map %s: %s is there and is no pinned "
				 "map: %s", m->name, path, errno_text(-fd));
	memset(&info, 0, sizeof info);
	memset(&a, 0, sizeof a);
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof info;
	a.info.info = (uintptr_t)&info;
	err = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof a);
	if (!err && (info.type != m->type || info.key_size != m->key_size ||
		     info.value_size != m->value_size ||
		     info.max_entries != max_entries ||
		     info.map_flags != m->flags))
		err = error_set(EEXIST, "map %s: %s is pinned, and not a map "
				"like this one (type, sizes or flags differ)",
				m->name, path);
	else if (err)
		err = error_set(-err, "map %s: pinned at %s: %s", m->name,
				path, errno_text(-err));
	if (err) {
		close(fd);
		return err;
	}
	sys_note("map %s: reusing the one pinned at %s", m->name, path);
	return fd;
}

static int pin(const struct obj_map *m, int fd, const char *path)
{
	union bpf_attr a;
	int err;

	memset(&a, 0, sizeof a);
	a.pathname = (uintptr_t)path;
	a.bpf_fd = (uint32_t)fd;
	err = sys_bpf(BPF_OBJ_PIN, &a, sizeof a);
	if (err == -EPERM || err == -ENOENT || err == -EINVAL)
		return error_set(-err, "map %s: pinning at %s: %s (is the BPF "
				 "filesystem mounted there? mount -t bpf bpf "
				 "%s)", m->name, path, errno_text(-err),
				 BPF_PIN_ROOT);
	if (err)
		return error_set(-err, "map %s: pinning at %s: %s", m->name,
				 path, errno_text(-err));
	return 0;
}

void loaded_unpin(struct loaded *l)
{
	char path[128];
	size_t i;

	for (i = 0; l->obj && l->pinned && i < l->obj->nr_maps; i++)
		if (l->pinned[i]) {
			pin_path(path, sizeof path, &l->obj->maps[i]);
			if (unlink(path) == 0)
				sys_note("unpinned %s", path);
			l->pinned[i] = 0;
		}
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

/* What obj/ reads and the loader cannot make: one line, rather than a
 * map made wrong. */
static int unsupported_map(const struct obj_map *m)
{
	return m->is_struct_ops ? error_set(ENOTSUP, "map %s: struct_ops "
					    "maps are not supported", m->name)
				: 0;
}

/* Makes map i (or takes the one pinned by its name); fills global data
 * into a map made here. */
static int make_map(struct loaded *l, size_t i, uint32_t max_entries)
{
	const struct obj_map *m = &l->obj->maps[i];
	char path[128];
	int fd, err;

	pin_path(path, sizeof path, m);
	if (m->pinning == MAP_PIN_BY_NAME) {
		fd = reuse_pinned(m, max_entries, path);
		if (fd >= 0 || fd != -ENOENT) {
			l->map_fds[i] = fd;
			return fd < 0 ? fd : 0;
		}
	}
	fd = m->inner ? create_outer(l, m, max_entries) :
	     create_map(m, max_entries, -1, map_btf_of(l, m));
	if (fd < 0)
		return fd;
	l->map_fds[i] = fd;
	err = m->is_data ? fill_data_map(m, fd) : 0;
	if (!err && m->pinning == MAP_PIN_BY_NAME) {
		err = pin(m, fd, path);
		if (!err && l->pinned)
			l->pinned[i] = 1;
	}
	return err;
}

/* A map's initial values that are maps (.values = { [1] = &inner_a }):
 * those maps are made too, whether a program names them or not. */
static void slots_needed(const struct obj *o, unsigned char *needed)
{
	size_t i, k;

	for (i = 0; i < o->nr_maps; i++)
		for (k = 0; needed[i] && k < o->maps[i].nr_slots; k++)
			if (!o->maps[i].slots[k].is_prog)
				needed[o->maps[i].slots[k].target] = 1;
}

int loaded_fill_slots(struct loaded *l, int progs)
{
	const struct obj *o = l->obj;
	size_t i, k;
	int err;

	for (i = 0; i < o->nr_maps; i++)
		for (k = 0; l->map_fds[i] >= 0 && k < o->maps[i].nr_slots;
		     k++) {
			const struct map_slot *sl = &o->maps[i].slots[k];
			int fd = sl->is_prog ? l->prog_fds[sl->target] :
				 l->map_fds[sl->target];

			/* a program the kernel refused leaves its slot empty */
			if (sl->is_prog != progs || fd < 0)
				continue;
			err = bpf_map_update(l->map_fds[i], &sl->slot, &fd,
					     BPF_ANY);
			if (err)
				return error_set(-err, "map %s: slot %u: %s",
						 o->maps[i].name, sl->slot,
						 errno_text(-err));
		}
	return 0;
}

int obj_create_maps(struct loaded *l)
{
	const struct obj *o = l->obj;
	unsigned char *needed = calloc(o->nr_maps ? o->nr_maps : 1, 1);
	size_t i;
	int err = 0, cpus;

	if (!needed)
		return error_set(ENOMEM, "%s: no memory", o->name);
	if (!l->pinned)
		l->pinned = calloc(o->nr_maps ? o->nr_maps : 1, 1);
	obj_maps_needed(o, needed);
	slots_needed(o, needed);
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
		err = make_map(l, i, max_entries);
	}
	free(needed);
	return err ? err : loaded_fill_slots(l, 0);
}
