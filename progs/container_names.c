#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader/file.h"
#include "progs/container_names.h"

#define DOCKER_CONTAINERS "/var/lib/docker/containers"
#define STORAGE           "/var/lib/containers/storage"
#define NERDCTL           "/var/lib/nerdctl"
#define RECORD_MAX        (64u << 20)   /* a store bigger is not read */

struct found {
	char (*ids)[CONTAINER_ID_LEN + 1];
	int n;
};

static void add(struct found *f, const char *id)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->ids[i], id) == 0)
			return;
	if (f->n < NAMED_MAX)
		snprintf(f->ids[f->n++], CONTAINER_ID_LEN + 1, "%s", id);
}

/* The file as a string; NULL if it cannot be read (no such runtime
 * here, most often: nothing to say). */
static char *text_of(const char *path)
{
	void *buf;
	char *text;
	size_t len;

	if (file_read_all(path, RECORD_MAX, &buf, &len))
		return NULL;
	text = realloc(buf, len + 1);
	if (!text) {
		free(buf);
		return NULL;
	}
	text[len] = 0;
	return text;
}

static int is_id(const char *s)
{
	char id[CONTAINER_ID_LEN + 1];

	return container_of_name(s, strlen(s), id) && strcmp(id, s) == 0;
}

/* Docker: each container's config.v2.json has "Name":"/NAME". */
static void docker_named(const char *name, struct found *f)
{
	char file[PATH_MAX], want[CONTAINER_NAME_MAX + 16], *text;
	DIR *d = opendir(DOCKER_CONTAINERS);
	struct dirent *e;

	if (!d)
		return;
	snprintf(want, sizeof want, "\"Name\":\"/%s\"", name);
	while ((e = readdir(d))) {
		if (!is_id(e->d_name))
			continue;
		snprintf(file, sizeof file, "%s/%s/config.v2.json",
			 DOCKER_CONTAINERS, e->d_name);
		text = text_of(file);
		if (text && strstr(text, want))
			add(f, e->d_name);
		free(text);
	}
	closedir(d);
}

/* Podman and CRI-O: containers/storage keeps one containers.json per
 * graph driver (overlay-containers/, vfs-containers/, ...), and the
 * --rm kind in volatile-containers.json beside it. */
static void storage_names(const char *name, struct found *f)
{
	static const char *const files[] = {
		"containers.json", "volatile-containers.json",
	};
	char file[PATH_MAX], id[CONTAINER_ID_LEN + 1], *text;
	DIR *d = opendir(STORAGE);
	struct dirent *e;
	size_t len;

	if (!d)
		return;
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (len < 11 || strcmp(e->d_name + len - 11, "-containers"))
			continue;
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
			snprintf(file, sizeof file, "%s/%s/%s", STORAGE,
				 e->d_name, files[i]);
			text = text_of(file);
			if (text && storage_named(text, name, id))
				add(f, id);
			free(text);
		}
	}
	closedir(d);
}

/* nerdctl: HASH/names/NAMESPACE/NAME holds the id, per containerd
 * socket (HASH) and containerd namespace. */
static void nerdctl_names(const char *name, struct found *f)
{
	char dir[PATH_MAX], file[PATH_MAX], *text;
	DIR *top = opendir(NERDCTL), *ns;
	struct dirent *h, *n;

	if (!top)
		return;
	while ((h = readdir(top))) {
		if (h->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof dir, "%s/%s/names", NERDCTL, h->d_name);
		if (!(ns = opendir(dir)))
			continue;
		while ((n = readdir(ns))) {
			if (n->d_name[0] == '.')
				continue;
			if ((size_t)snprintf(file, sizeof file, "%s/%s/%s", dir,
					     n->d_name, name) >= sizeof file)
				continue;
			text = text_of(file);
			if (text) {
				text[strcspn(text, "\n")] = 0;
				if (is_id(text))
					add(f, text);
			}
			free(text);
		}
		closedir(ns);
	}
	closedir(top);
}

int container_ids_named(const char *name,
			char ids[NAMED_MAX][CONTAINER_ID_LEN + 1])
{
	struct found f = { ids, 0 };

	/* safe in a path and in a quoted search, or no runtime's name */
	if (!container_name_plain(name))
		return 0;
	docker_named(name, &f);
	storage_names(name, &f);
	nerdctl_names(name, &f);
	return f.n;
}
