/* Container names: the runtimes' own records of which id a name is. */
#ifndef RAWTRACE_CONTAINER_NAMES_H
#define RAWTRACE_CONTAINER_NAMES_H

#include "progs/container.h"

#define NAMED_MAX 4     /* ids kept per name: more is ambiguous anyway */

/* The ids of the containers called name, by the records of Docker
 * (/var/lib/docker/containers/ID/config.v2.json), Podman and CRI-O
 * (containers/storage's /var/lib/containers/storage/DRIVER-containers/
 * containers.json and volatile-containers.json) and nerdctl
 * (/var/lib/nerdctl/HASH/names/NAMESPACE/NAME holds the id); the
 * rootful places only. Returns how many (at most NAMED_MAX): 0 if no
 * runtime here knows the name. */
int container_ids_named(const char *name,
			char ids[NAMED_MAX][CONTAINER_ID_LEN + 1]);

#endif
