/* struct loaded: the fds the kernel gave for an object spec's maps and
 * programs, kept beside the spec, indexed as its maps and programs. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "elf/error.h"
#include "loader/load.h"

static int *new_fds(size_t n)
{
	int *fds = malloc((n ? n : 1) * sizeof *fds);
	size_t i;

	for (i = 0; fds && i < n; i++)
		fds[i] = -1;
	return fds;
}

int loaded_init(struct loaded *l, struct obj *o)
{
	if (l->obj == o)
		return 0;
	if (l->obj)
		return error_set(EINVAL, "%s: already loaded from %s", o->name,
				 l->obj->name);
	l->map_fds = new_fds(o->nr_maps);
	l->prog_fds = new_fds(o->nr_progs);
	l->images = calloc(o->nr_progs ? o->nr_progs : 1, sizeof *l->images);
	if (!l->map_fds || !l->prog_fds || !l->images) {
		loaded_free(l);
		return error_set(ENOMEM, "%s: no memory", o->name);
	}
	l->obj = o;
	return 0;
}

int loaded_map_fd(const struct loaded *l, const struct obj_map *m)
{
	return l->obj ? l->map_fds[m - l->obj->maps] : -1;
}

int loaded_prog_fd(const struct loaded *l, const struct obj_prog *p)
{
	return l->obj ? l->prog_fds[p - l->obj->progs] : -1;
}

static void close_fds(int *fds, size_t n)
{
	size_t i;

	for (i = 0; fds && i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

void loaded_unload_progs(struct loaded *l)
{
	if (l->obj)
		close_fds(l->prog_fds, l->obj->nr_progs);
}

void loaded_unload(struct loaded *l)
{
	loaded_unload_progs(l);
	if (l->obj)
		close_fds(l->map_fds, l->obj->nr_maps);
}

void loaded_free(struct loaded *l)
{
	if (l->obj)
		obj_images_free(l->images, l->obj->nr_progs);
	else
		free(l->images);
	l->images = NULL;
	loaded_unload(l);
	if (l->btf_fd > 0)
		close(l->btf_fd);
	l->btf_fd = l->btf_tried = 0;
	/* the externs' values name these fds: resolve them again */
	module_fds_close(&l->mod_btfs);
	l->externs_done = 0;
	free(l->map_fds);
	free(l->pinned);
	l->pinned = NULL;
	free(l->prog_fds);
	l->map_fds = l->prog_fds = NULL;
	l->obj = NULL;
}
