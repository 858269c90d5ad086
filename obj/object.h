/* The object spec: one clang-built BPF object, its programs and maps, as
 * described by its ELF file. Pure: nothing here makes a syscall or holds
 * an fd, so it runs (and is fuzzed, and tested) on any machine.
 *
 * Life of an object:
 *   obj_open()      parse the ELF, BTF and .BTF.ext; find programs, maps,
 *                   global data
 *   obj_set_var()   user space fills `const volatile` knobs in .rodata
 *   obj_relocate()  each chosen program's final instructions, against
 *                   map fds and a kernel BTF handed in, into images
 *                   the caller owns (the spec is only read)
 *   obj_close()     free everything
 * What the kernel made from it (map and program fds) is the loader's:
 * struct loaded and obj_load() in loader/load.h, as cilium/ebpf keeps a
 * CollectionSpec apart from its Collection. `rawtrace inspect` stops after
 * obj_relocate() with placeholder map fds (the maps' indexes). */
#ifndef RAWTRACE_OBJECT_H
#define RAWTRACE_OBJECT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "elf/elf.h"
#include "elf/btf.h"
#include "obj/core.h"

enum attach_kind {
	ATTACH_NONE,
	ATTACH_KPROBE,
	ATTACH_KRETPROBE,
	ATTACH_TRACEPOINT,      /* tracepoint/CAT/NAME */
	ATTACH_RAW_TP,          /* raw_tracepoint/NAME */
	ATTACH_TP_BTF,          /* tp_btf/NAME */
	ATTACH_FUNC,            /* fentry/FUNC, fexit/FUNC (BPF trampoline) */
	ATTACH_SOCKET,          /* SO_ATTACH_BPF */
	ATTACH_CGROUP,          /* a cgroup link (BPF_LINK_CREATE) */
	/* Known to obj/, not yet attached by loader/ (issue 21): */
	ATTACH_KPROBE_MULTI,    /* kprobe.multi/PATTERN */
	ATTACH_KRETPROBE_MULTI,
	ATTACH_KSYSCALL,        /* ksyscall/NAME: the arch's syscall entry */
	ATTACH_KRETSYSCALL,
	ATTACH_UPROBE,          /* uprobe/PATH:FUNC[+OFF] */
	ATTACH_URETPROBE,
	ATTACH_UPROBE_MULTI,
	ATTACH_URETPROBE_MULTI,
	ATTACH_USDT,            /* usdt/PATH:PROVIDER:NAME */
	ATTACH_LSM,             /* lsm/HOOK (BPF trampoline on bpf_lsm_HOOK) */
	ATTACH_ITER,            /* iter/NAME: a bpf_iter link, read as a file */
	ATTACH_PERF_EVENT,      /* a perf event the user opens */
	ATTACH_XDP,             /* a network device */
	ATTACH_TC,              /* tc, classifier, action: a tc filter */
	ATTACH_TCX,             /* tc/ingress, tcx/egress, ...: a tcx link */
	ATTACH_SOCKMAP,         /* sk_msg, sk_skb: a sockmap or sockhash */
	ATTACH_STRUCT_OPS,      /* struct_ops/NAME: through its map */
	ATTACH_KIND_COUNT
};

/* What a section name says about its programs (obj/section.c). */
struct sec_info {
	uint32_t type, expected_attach;
	enum attach_kind kind;
	const char *target;             /* after the '/', or NULL */
	uint32_t prog_flags;            /* NAME.s: BPF_F_SLEEPABLE; xdp.frags:
					   BPF_F_XDP_HAS_FRAGS */
	int autoload;                   /* 0 for SEC("?...") */
};

enum extern_kind { EXTERN_KCONFIG, EXTERN_KSYM };

/* How a .kconfig value is stored (libbpf's kinds). */
enum kconfig_type {
	KCONFIG_BOOL, KCONFIG_CHAR, KCONFIG_INT, KCONFIG_TRISTATE,
	KCONFIG_CHAR_ARRAY,
};

/* One extern (obj/extern.c): a __kconfig value or a __ksym variable or
 * kfunc the kernel provides at load. */
struct obj_extern {
	const char *name;               /* in the object's BTF strings */
	enum extern_kind kind;
	int is_func;                    /* a kfunc (ksym), called */
	int weak;                       /* STB_WEAK: may be missing (then 0) */
	uint32_t btf_id;                /* its VAR or FUNC in the object's BTF */
	uint32_t type_id;               /* VAR: its type, modifiers skipped
					   (0: a typeless ksym, const void);
					   FUNC: its FUNC_PROTO */
	unsigned sym;                   /* its ELF symbol */
	/* kconfig: where its value sits in the .kconfig map */
	enum kconfig_type kc_type;
	int kc_signed;
	uint32_t size, align, offset;
	/* ksym, from obj_resolve_externs */
	int resolved;                   /* 1 found, -1 weak and missing,
					   0 not asked yet (inspect) */
	uint32_t kernel_btf_id;
	int btf_fd;                     /* module BTF of a variable, or 0 */
	int fd_idx;                     /* kfunc: its module BTF's slot in
					   the load's fd_array, or 0 */
	uint64_t addr;                  /* a typeless ksym's address */
};

/* What the kernel says about one extern, filled in by a provider. */
struct extern_value {
	int found;                      /* 0: not in this kernel */
	const char *kconfig;            /* kconfig: as a .config writes it:
					   y, n, m, 42, 0x2a, "text" */
	uint32_t btf_id;                /* ksym: id in the kernel's BTF */
	const struct btf *btf;          /* typed ksym: the BTF btf_id is in
					   (vmlinux's or a module's), for
					   its type or prototype; NULL:
					   unchecked */
	int btf_fd, fd_idx;             /* a module's: see obj_extern */
	uint64_t addr;                  /* typeless ksym: its address */
};

/* Asked for each extern by obj_resolve_externs: fills *v, returns 0 or
 * -errno (a failure to find out, not "missing": that is v->found 0). */
typedef int (*obj_extern_fn)(void *ctx, const struct obj_extern *e,
			     struct extern_value *v);

/* A map's `pinning`: libbpf's LIBBPF_PIN_NONE, LIBBPF_PIN_BY_NAME (in
 * the bpffs, /sys/fs/bpf/NAME: shared with whoever pinned it first). */
enum { MAP_PIN_NONE, MAP_PIN_BY_NAME };

/* An initial value of a map-in-map or prog array, from .rel.maps:
 * `.values = { [1] = &inner_a }` puts map inner_a in slot 1. */
struct map_slot {
	uint32_t slot;
	int is_prog;                    /* target is o->progs[], else maps[] */
	size_t target;
};

struct obj_map {
	char name[BPF_OBJ_NAME_LEN];    /* as the kernel will know it */
	uint32_t type, key_size, value_size, max_entries, flags;
	uint32_t key_type_id, value_type_id; /* in the object's BTF, or 0 */
	uint32_t numa_node, pinning;
	uint64_t map_extra;
	int has_values;                 /* `values`: map-in-map, prog array */
	struct obj_map *inner;          /* map-in-map: the inner map's
					   definition (owned) */
	uint32_t values_off, def_size;  /* `values` in the definition, and
					   its symbol's size: where .rel.maps
					   points */
	struct map_slot *slots;         /* initial values (owned) */
	size_t nr_slots;
	unsigned sec;                   /* ELF section it comes from */
	uint64_t sec_off;               /* offset of its symbol in .maps */
	unsigned char *data;            /* global data: initial value */
	int is_data;                    /* .rodata/.data/.bss */
	int frozen;                     /* .rodata: frozen after update */
	int is_kconfig;                 /* the externs' .kconfig map (no
					   ELF section: sec is 0) */
	int is_struct_ops;              /* from .struct_ops[.link]: data is
					   the ops table, value_type_id its
					   struct */
};

/* A reason a CO-RE record could not be resolved, kept to explain a
 * verifier rejection at that instruction. */
struct core_note {
	size_t insn;                    /* in the relocated program */
	char text[400];
};

/* One relocation applied, for `rawtrace inspect`. */
struct reloc_note {
	size_t insn;
	char text[200];
};

struct obj_prog {
	char name[64];                  /* ELF symbol */
	const char *sec_name;
	unsigned sec;
	uint64_t sec_off, size;         /* bytes within the section */
	uint32_t type, expected_attach_type;
	enum attach_kind kind;
	const char *target;             /* what to attach to, from SEC(), or
					   NULL: SEC("kprobe") names none */
	uint32_t prog_flags;            /* BPF_PROG_LOAD's, from the section */
	int autoload;                   /* obj_load loads it (default 1;
					   0 for SEC("?...")) */
};

/* One program as a load hands it to the kernel: its instructions
 * relocated (subprograms appended, map fds, CO-RE) and what goes with
 * them. Owned by whoever relocated it (a load's struct loaded,
 * inspect), never by the spec: the spec stays as obj_open made it, so
 * it can be relocated again, for another load, against other fds. */
struct obj_prog_image {
	struct bpf_insn *insns;
	size_t insn_cnt;
	size_t main_cnt;                /* its own instructions, before the
					   subprograms appended to it */
	struct core_note *core_notes;
	size_t nr_core_notes;
	struct reloc_note *notes;
	size_t nr_notes;
	/* .BTF.ext's records for insns, subprograms' included, insn_off in
	 * instructions: BPF_PROG_LOAD's func_info and line_info */
	struct bpf_func_info *func_info;
	size_t nr_func_info;
	struct bpf_line_info *line_info;
	size_t nr_line_info;
	uint32_t attach_btf_id;         /* the loader's (obj_attach_btf_id):
					   tp_btf: btf_trace_<name> in
					   vmlinux; fentry/fexit: the FUNC */
};

/* Told each relocation note as it is made: obj/ prints nothing itself,
 * the loader passes the notes on to --explain. */
typedef void (*obj_note_fn)(void *ctx, const char *prog, size_t insn,
			    const char *text);

struct obj {
	char name[32];
	struct elf elf;
	void *btf_copy;                 /* our copy of .BTF, fixed up */
	struct btf btf;
	int has_btf;
	struct btf_ext ext;
	int has_ext;
	char license[128];
	unsigned maps_sec;              /* index of .maps, 0 if none */
	unsigned text_sec;              /* index of .text, 0 if none */
	struct obj_map *maps;
	size_t nr_maps;
	struct obj_prog *progs;
	size_t nr_progs;
	struct obj_extern *externs;     /* in libbpf's order (obj/extern.c) */
	size_t nr_externs;
	uint32_t kconfig_size;          /* bytes of the .kconfig map value */
	int trusted;                    /* opened with OBJ_TRUSTED */
	int keep_notes;                 /* record reloc_notes (inspect); they
					   are also made when note is set */
	obj_note_fn note;               /* NULL: notes are told no one */
	void *note_ctx;
};

/* Parses data (which must outlive obj). name is used for messages and as
 * the prefix of global-data map names. */
int obj_open(struct obj *o, const char *name, const void *data, size_t size);

/* obj_open with flags. OBJ_TRUSTED: data is known to pass the record
 * checks below (obj_check_symbols, obj_check, and btf_check of the fixed
 * BTF), so they are not run again; the obj is the same. For rawtrace's
 * own objects only, which `make` checks with obj_open before it embeds
 * them (tests/check_objects.c): the checks were a quarter of the
 * instructions rawtrace ran to start a tool. Never for a user's file. */
#define OBJ_TRUSTED 1u
int obj_open_flags(struct obj *o, const char *name, const void *data,
		   size_t size, unsigned flags);

/* obj_open's checks (obj/check.c), for the steps of obj_open:
 * obj_check_symbols: every symbol's name and section in range, functions
 * and objects inside their section. obj_fixup_btf: fills the DATASEC
 * sizes and VAR offsets clang leaves 0 (as libbpf does), then
 * btf_check. obj_check: every relocation and .BTF.ext record by its
 * section's rules. Each -EINVAL naming the record and the rule. */
int obj_check_symbols(const struct obj *o);
int obj_fixup_btf(struct obj *o);
int obj_check(const struct obj *o);

/* obj/extern.c, for obj_open and its checks: finds the externs (undefined
 * NOTYPE symbols named by extern VARs and FUNCs in .BTF) and lays out the
 * kconfig ones; obj_fixup_extern_datasec rewrites DATASEC .kconfig or
 * .ksyms t (type id) as libbpf does for the kernel. */
int obj_collect_externs(struct obj *o);
int obj_fixup_extern_datasec(struct obj *o, uint32_t id, struct btf_type *t);
/* After that: kfuncs in .ksyms give their place to one VAR, appended to
 * the BTF (which is copied and parsed again). */
int obj_add_kfunc_stand_in(struct obj *o);
struct obj_extern *obj_extern_of_symbol(const struct obj *o, size_t sym);

/* Asks ask for every extern's value and records it: kconfig values are
 * written into the .kconfig map's data, ksyms kept for obj_relocate,
 * which then patches the instructions as libbpf does (a ksym variable's
 * ld_imm64 becomes BPF_PSEUDO_BTF_ID, or its address where typeless; a
 * kfunc call BPF_PSEUDO_KFUNC_CALL; a missing weak kfunc's call an
 * invalid helper call the verifier drops as dead code). A missing strong
 * extern: -ENOENT naming it. Pure: the kernel is the provider's. */
int obj_resolve_externs(struct obj *o, obj_extern_fn ask, void *ctx);
/* Writes kconfig extern e's value, given as text (as above). */
int obj_set_kconfig(struct obj *o, const struct obj_extern *e,
		    const char *text);

struct obj_prog *obj_prog(struct obj *o, const char *name);
struct obj_map *obj_map(struct obj *o, const char *name);

/* The global-data map made from ELF section sec, or NULL. */
struct obj_map *obj_data_map(const struct obj *o, unsigned sec);

/* Sets global variable `var` in a data section before load; size must be
 * the variable's size. */
int obj_set_var(struct obj *o, const char *var, const void *val, size_t size);

/* Builds every autoload program's final instructions into imgs[i] for
 * o->progs[i] (o->nr_progs entries, zeroed or from an earlier call):
 * subprograms appended, calls patched, map and global-data references
 * set to the maps' fds (map_fds[i] for o->maps[i]; where map_fds is NULL
 * or the entry -1, the map's index i), CO-RE records resolved against
 * kbtf (NULL: leave them, and fail if a program needs one). o is only
 * read. */
int obj_relocate(const struct obj *o, const struct btf *kbtf,
		 const int *map_fds, struct obj_prog_image *imgs);
/* The same for one program, whether chosen or not, into img (zeroed, or
 * an earlier image, which is replaced): a loader that loads each
 * program as soon as it is relocated stops at the first the kernel
 * refuses, without the work for the rest. */
int obj_relocate_prog(const struct obj *o, const struct obj_prog *p,
		      const struct btf *kbtf, const int *map_fds,
		      struct obj_prog_image *img);
/* Frees what img holds and zeroes it. */
void obj_prog_image_free(struct obj_prog_image *img);
/* Frees n images and the array (malloc'd) that holds them. */
void obj_images_free(struct obj_prog_image *imgs, size_t n);

void obj_close(struct obj *o);

/* The maps the autoload programs use: sets needed[i] for o->maps[i]
 * (nr_maps entries) if it is a global-data map, or a map that an autoload
 * program (or .text) refers to, in one pass over the object's
 * relocations. A map no loaded program touches, such as the entry
 * probes' hash map when the fexit backend loads, is not made at all. */
void obj_maps_needed(const struct obj *o, unsigned char *needed);

/* 1 if some autoload program has CO-RE records (needs the kernel's BTF). */
int obj_needs_kernel_btf(const struct obj *o);
/* 1 if some autoload program is fentry/fexit, tp_btf, lsm or iter: the
 * kernel knows its target by an id in the running kernel's own BTF. */
int obj_needs_attach_btf(const struct obj *o);

/* The names obj_load will look up in the kernel's BTF: each CO-RE
 * record's root type (flavor stripped), btf_trace_<tracepoint> for
 * tp_btf programs, the function for fentry/fexit ones, bpf_lsm_<hook>
 * and bpf_iter_<name> for lsm and iter ones, so that one pass over the
 * kernel's BTF finds them all.
 * *names is a malloc'd array of *n malloc'd strings: obj_names_free. */
int obj_kernel_btf_names(const struct obj *o, char ***names, size_t *n);
void obj_names_free(char **names, size_t n);

/* p's target's id in kbtf, the running kernel's BTF, for a program of
 * those kinds: > 0; 0 for a program of another kind; -ENOENT naming the
 * program if kbtf has no such function, tracepoint, hook or iterator. */
int obj_attach_btf_id(const struct obj_prog *p, const struct btf *kbtf);

/* Section name -> program type, expected attach type, attach kind,
 * target, load flags and autoload, by libbpf's naming conventions.
 * Returns -ENOENT for an unknown section. */
int section_program_type(const char *sec, struct sec_info *info);
/* "kprobe", "uprobe", "xdp", ...: for messages. */
const char *attach_kind_name(enum attach_kind kind);

#endif
