/* Which container a cgroup v2 path belongs to, by the runtimes' naming
 * conventions; pure string work, no file is read. */
#ifndef RAWTRACE_CONTAINER_H
#define RAWTRACE_CONTAINER_H

#include <stddef.h>

#define CONTAINER_ID_LEN 64     /* hex digits of a full container id */

/* The container id a directory's name carries, into id (65 bytes), or 0:
 *   docker-ID.scope          Docker with the systemd cgroup driver
 *   cri-containerd-ID.scope  containerd's CRI plugin (Kubernetes)
 *   crio-ID.scope            CRI-O
 *   libpod-ID.scope, libpod-ID   Podman (systemd, cgroupfs)
 *   nerdctl-ID.scope         containerd run by nerdctl (systemd)
 *   ID                       the cgroupfs drivers: /docker/ID,
 *                            /kubepods/besteffort/podUID/ID
 * where ID is 64 lower-case hex digits. The runtimes' helper scopes
 * (crio-conmon-ID.scope, libpod-conmon-ID.scope) are not containers. */
int container_of_name(const char *name, size_t len, char *id);

/* The id of the innermost container on path (a cgroup's, "/a/b/c"), into
 * id (65 bytes); 0 if no component of it follows a convention. */
int container_of_path(const char *path, char *id);

#define CONTAINER_NAME_MAX 255   /* bytes of a name we look up */

/* name is a container's name as the runtimes allow it
 * ([A-Za-z0-9][A-Za-z0-9_.-]*, at most CONTAINER_NAME_MAX bytes): one
 * that JSON writes without escapes and a path holds as one component,
 * so that a plain comparison with their records is exact. */
int container_name_plain(const char *name);

/* The id of the container named name in json, the text of a
 * containers/storage containers.json (Podman's and CRI-O's store of
 * containers, their ids and names), into id (65 bytes); 0 if none, or
 * if name is not plain. */
int storage_named(const char *json, const char *name, char *id);

#endif
