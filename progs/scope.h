/* scope.h: the user side of include/scope.bpf.h. -c, --container and
 * --netns scope a tool to a cgroup v2 or a network namespace (the
 * programs decide); every event says which cgroup, and so which
 * container, it came from, by names resolved here once per cgroup id. */
#ifndef RAWTRACE_SCOPE_H
#define RAWTRACE_SCOPE_H

#include <stddef.h>
#include <stdint.h>
#include "render/columns.h"

struct common_opts;
struct session;

/* After the options are parsed, before anything loads: --container to
 * its cgroup's path (into o->cgroup), -c checked to be a cgroup v2
 * directory, --netns to its inode number (o->netns_ino). One line when
 * it is none of these, or ambiguous. */
int scope_resolve(struct common_opts *o);

/* Between load and attach: -c's cgroup into the scope_cgroup map. */
int scope_prepare(struct session *s, const struct common_opts *o);

/* --container's argument to the path of its cgroup directory, into
 * path: a container id or a unique start of one (Docker, containerd,
 * CRI-O, Podman), a Docker name, or a systemd unit (NAME, NAME.scope,
 * NAME.service, machine-NAME.scope). -errno with one line when nothing
 * or more than one cgroup matches. */
int container_cgroup(const char *name, char *path, size_t len);

/* --netns's argument opened: an inode number (found among
 * /proc/PID/ns/net and /run/netns), a path to a namespace file, or an
 * `ip netns` name. *fd is the namespace, to setns() into; *ino its
 * inode number, the one the programs compare. */
int netns_open(const char *arg, int *fd, uint32_t *ino);

/* A cgroup id's path under the cgroup2 mount ("/system.slice/x.scope"),
 * its container's id, or its first 12 hex digits (as `docker ps`); NULL
 * when the id is in no cgroup now, or the path follows no convention.
 * Each id is looked up once: later calls are a hash lookup. */
const char *cgroup_path_of(uint64_t id);
const char *cgroup_container_of(uint64_t id);
const char *cgroup_container_short(uint64_t id);

/* What every task's event ends with: "cgroup_id", "container" and
 * "cgroup" in JSON and key=value, and with -C the table's CONTAINER
 * (the first 12 digits) and CGROUP columns, last for its width. type is
 * the event's struct, with a __u64 cgroup_id. */
#define COL_CGROUP(type) \
	COL_U(NULL, "cgroup_id", type, cgroup_id, 0, 0), \
	COL_LOOK("CONTAINER", NULL, type, cgroup_id, cgroup_container_short, \
		 12, COL_SHOW_CGROUP), \
	COL_LOOK(NULL, "container", type, cgroup_id, cgroup_container_of, 0, \
		 0), \
	COL_LOOK("CGROUP", NULL, type, cgroup_id, cgroup_path_of, 0, \
		 COL_SHOW_CGROUP), \
	COL_LOOK(NULL, "cgroup", type, cgroup_id, cgroup_path_of, 0, 0)

#endif
