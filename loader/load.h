/* What the kernel made of an object spec (obj/object.h): the fds of its
 * maps and programs. The spec says what to make; this says what was made,
 * and closing it takes it all out of the kernel again, leaving the spec
 * as it was (cilium/ebpf's Collection beside its CollectionSpec).
 *
 *   obj_load()       create the maps the chosen programs use, relocate
 *                    the programs against their fds into images of its
 *                    own (the spec is not written), BPF_PROG_LOAD them
 *   loaded_free()    close every fd; the spec stays, for obj_close */
#ifndef RAWTRACE_LOAD_H
#define RAWTRACE_LOAD_H

#include "elf/btf.h"
#include "loader/externs.h"
#include "obj/object.h"

/* All zero: nothing loaded yet. */
struct loaded {
	struct obj *obj;                /* the spec (not owned); set by the
					   first obj_load */
	int *map_fds;                   /* [i]: obj->maps[i]'s fd, -1 until
					   created */
	int *prog_fds;                  /* [i]: obj->progs[i]'s fd, -1 until
					   loaded */
	struct obj_prog_image *images;  /* [i]: obj->progs[i] as this load
					   relocated it, what BPF_PROG_LOAD
					   was given (the spec stays as
					   parsed); kept to loaded_free */
	const struct btf *attach_btf;   /* the running kernel's BTF, where
					   attach_btf_id is looked up; NULL:
					   the kbtf obj_load is given */
	int externs_done;               /* obj_resolve_externs was called */
	struct module_fds mod_btfs;     /* module BTFs the externs are in
					   (the kfunc calls' fd_array) */
	int btf_fd;                     /* the object's BTF in the kernel;
					   0: not loaded (none, or refused) */
	int btf_tried;                  /* BPF_BTF_LOAD was tried */
	unsigned char *pinned;          /* [i]: we pinned obj->maps[i] */
};

/* Where LIBBPF_PIN_BY_NAME maps are pinned, as libbpf's default. */
#define BPF_PIN_ROOT "/sys/fs/bpf"

/* Removes the pins this load made (a map it found pinned stays). */
void loaded_unpin(struct loaded *l);

/* Puts the initial values of maps' slots (.values = {...}) in: the maps
 * (progs 0, when the maps are made) or the programs (progs 1, once they
 * are loaded; a refused program's slot stays empty). */
int loaded_fill_slots(struct loaded *l, int progs);

/* Creates the maps o's autoload programs use (those an earlier obj_load
 * made are kept), relocates, loads each autoload program. On failure the
 * programs are closed again; the maps stay, for another obj_load with
 * other programs, until loaded_unload or loaded_free (if making the maps
 * is what failed, they are closed). Every call on l must pass the same o. */
int obj_load(struct loaded *l, struct obj *o, const struct btf *kbtf);

/* Told each program obj_load_each could not load; error_msg says why. */
typedef void (*load_failed_fn)(void *ctx, struct obj_prog *p, int err);

/* obj_load for a user's object: a program the kernel refuses does not
 * sink the others. failed is told of each, and the rest are loaded.
 * Returns how many loaded, or -errno when the object could not be set
 * up at all (an extern missing, a map refused). */
int obj_load_each(struct loaded *l, struct obj *o, const struct btf *kbtf,
		  load_failed_fn failed, void *ctx);

/* The fd of a map or program of l's spec, or -1 if none was made. */
int loaded_map_fd(const struct loaded *l, const struct obj_map *m);
int loaded_prog_fd(const struct loaded *l, const struct obj_prog *p);

/* Closes every program and map fd. */
void loaded_unload(struct loaded *l);
/* Closes the program fds only. */
void loaded_unload_progs(struct loaded *l);
/* Closes every fd (the module BTFs' too) and frees l and its images
 * (attach_btf stays); the spec is untouched. */
void loaded_free(struct loaded *l);

/* The object's BTF in the kernel (BPF_BTF_LOAD once, sanitised for this
 * kernel), for the programs' func and line info and the maps' key and
 * value types; 0 where there is none or the kernel refuses it. */
int loaded_btf_fd(struct loaded *l);

/* The steps of obj_load, for callers that want them one by one (l set
 * up by loaded_init). obj_create_maps makes each map not made yet that
 * obj_maps_needed marks as used; prog_load loads p as l->images holds
 * it (obj_relocate_prog into it first). */
int loaded_init(struct loaded *l, struct obj *o);
int obj_create_maps(struct loaded *l);
int prog_load(struct loaded *l, const struct obj_prog *p);

/* Number of possible CPUs (/sys/devices/system/cpu/possible). */
int possible_cpus(void);

#endif
