/* rawtrace_bpf.h: everything a rawtrace BPF program needs, in one header.
 *
 * This replaces libbpf's bpf_helpers.h, bpf_tracing.h and bpf_core_read.h.
 * Nothing here is magic: each piece is plain C that clang turns into
 * something the loader (loader/) has to recognise and fix before the
 * kernel sees the code. Reading this top comment is the quickest way to
 * learn what a BPF loader does.
 *
 * How BPF C becomes relocations
 * -----------------------------
 *  SEC("name")      puts a function or variable in an ELF section. The
 *                   section name of a program says its type and where it
 *                   attaches ("kprobe/inet_bind", "tracepoint/syscalls/x").
 *
 *  maps             A map is a global struct in section ".maps" whose
 *                   members are never stored: __uint(max_entries, 64)
 *                   declares a pointer to an int[64], so the number lives
 *                   only in the object's BTF, as an array length. The
 *                   loader reads the BTF to learn type, sizes and limits,
 *                   then calls BPF_MAP_CREATE. Each `&map` in the code is
 *                   a 64-bit load (ld_imm64) with an ELF relocation
 *                   (R_BPF_64_64) against the map's symbol; the loader
 *                   writes the map fd into the instruction and marks it
 *                   BPF_PSEUDO_MAP_FD.
 *
 *  globals          .rodata, .data and .bss become one-element array maps.
 *                   Reading a global is an ld_imm64 with a relocation
 *                   against the section (or the variable's symbol); the
 *                   loader writes the map fd, marks the instruction
 *                   BPF_PSEUDO_MAP_VALUE, and puts the variable's offset
 *                   inside the section in the second half of the insn.
 *                   `const volatile` globals are knobs that user space sets
 *                   in .rodata before load; the kernel then freezes the map
 *                   and the verifier treats them as constants.
 *
 *  __noinline       keeps a static function out of line, in ".text". A call
 *                   to it is a BPF_CALL with src_reg BPF_PSEUDO_CALL and a
 *                   relocation (R_BPF_64_32); the loader copies the callee
 *                   after each program that reaches it and fixes the
 *                   relative jump.
 *
 *  helpers          bpf_xxx below are pointers whose value is a number:
 *                   calling one compiles to `call N`, which the kernel
 *                   resolves itself. No relocation.
 *
 *  CO-RE            Kernel structs (kernel_types.h) are declared with
 *                   preserve_access_index. clang then records, for each
 *                   field access, a record in .BTF.ext (the struct, the
 *                   path to the field as member indexes, and what the
 *                   instruction needs: offset, size, existence, shifts,
 *                   an enum value). The loader looks the same names up in
 *                   the running kernel's BTF (/sys/kernel/btf/vmlinux) and
 *                   patches the number in the instruction. The macros at
 *                   the end of this file wrap the clang builtins that emit
 *                   those records.
 *
 *  license          SEC("license") holds the license string; GPL-only
 *                   helpers (probe_read_kernel, perf_event_output) need a
 *                   GPL-compatible one.
 */
#ifndef RAWTRACE_BPF_H
#define RAWTRACE_BPF_H

#include <linux/types.h>
#include <linux/bpf.h>   /* BPF_MAP_TYPE_*, BPF_F_CURRENT_CPU: uapi only */

/* ---- sections and inlining ------------------------------------------- */

#define SEC(name) __attribute__((section(name), used))

#undef __always_inline
#define __always_inline inline __attribute__((always_inline))
#define __noinline __attribute__((noinline))

/* BARRIER_VAR(x): makes clang forget what it knows about x. After
 * `if (n > 28) n = 28;` clang may pass the unclamped copy of n to a helper
 * because it knows the two are equal on that path; the verifier does not,
 * and rejects the size. Passing x through an empty asm forces clang to use
 * the clamped register. */
#define BARRIER_VAR(x) asm volatile("" : "+r"(x))

/* ---- BTF-defined maps --------------------------------------------------
 * Numbers are encoded as array lengths and types as pointer targets, so
 * both survive in BTF while the struct itself holds only NULL pointers:
 *
 *   struct {
 *           __uint(type, BPF_MAP_TYPE_HASH);
 *           __uint(max_entries, 1024);
 *           __type(key, __u32);
 *           __type(value, struct thing);
 *   } things SEC(".maps");
 */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

/* ---- helpers ----------------------------------------------------------
 * The number is the helper's position in linux/bpf.h's __BPF_FUNC_MAPPER
 * list (enum bpf_func_id). `call N` is all the kernel needs. */

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key,
				   const void *value, __u64 flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;
/* pid in the kernel's sense (thread id) in the low half, tgid in the high */
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
static __u64 (*bpf_get_current_uid_gid)(void) = (void *)15;
static long (*bpf_get_current_comm)(void *buf, __u32 size) = (void *)16;
static long (*bpf_perf_event_output)(void *ctx, void *map, __u64 flags,
				     void *data, __u64 size) = (void *)25;
static long (*bpf_skb_load_bytes)(const void *skb, __u32 offset,
				  void *to, __u32 len) = (void *)26;
static __u64 (*bpf_get_current_task)(void) = (void *)35;
static long (*bpf_current_task_under_cgroup)(void *map, __u32 index) = (void *)37;
/* The id of current's cgroup v2 (the inode number of its directory). */
static __u64 (*bpf_get_current_cgroup_id)(void) = (void *)80;
/* Like skb_load_bytes, but offset counts from a header (BPF_HDR_START_MAC
 * or BPF_HDR_START_NET), whatever the link layer; linear data only. */
static long (*bpf_skb_load_bytes_relative)(const void *skb, __u32 offset,
					   void *to, __u32 len,
					   __u32 start_header) = (void *)68;
static long (*bpf_probe_read_user)(void *dst, __u32 size,
				   const void *unsafe_ptr) = (void *)112;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size,
				     const void *unsafe_ptr) = (void *)113;
static long (*bpf_probe_read_user_str)(void *dst, __u32 size,
				       const void *unsafe_ptr) = (void *)114;
static long (*bpf_probe_read_kernel_str)(void *dst, __u32 size,
					 const void *unsafe_ptr) = (void *)115;
/* 5.11+: current as a pointer the verifier types from the kernel's BTF,
 * so its fields are plain loads. Only where the kernel has its own BTF
 * (the verifier refuses the helper otherwise): see sock_fd.bpf.h. */
struct task_struct;
static struct task_struct *(*bpf_get_current_task_btf)(void) = (void *)158;
/* BPF ring buffer (5.8+): copy size bytes into the ring as one record;
 * query how many bytes wait in it (BPF_RB_AVAIL_DATA). */
static long (*bpf_ringbuf_output)(void *ringbuf, void *data, __u64 size,
				  __u64 flags) = (void *)130;
static __u64 (*bpf_ringbuf_query)(void *ringbuf, __u64 flags) = (void *)134;

/* BPF_F_CURRENT_CPU (linux/bpf.h): perf_event_output writes to the ring
 * of the CPU the program runs on. */

/* ---- byte order --------------------------------------------------------
 * Network order to host order, for ports read out of kernel structs. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define rt_ntohs(x) __builtin_bswap16(x)
#define rt_ntohl(x) __builtin_bswap32(x)
#else
#define rt_ntohs(x) (x)
#define rt_ntohl(x) (x)
#endif

/* ---- kprobe arguments ----------------------------------------------------
 * A kprobe program gets the probed function's saved registers. The layout
 * below is the kernel's struct pt_regs for the architecture (stable for
 * years, and the verifier checks every access stays inside it), so it is
 * read directly, without CO-RE. */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10;
	unsigned long r9, r8, ax, cx, dx, si, di, orig_ax;
	unsigned long ip, cs, flags, sp, ss;
};
/* x86-64 SysV calling convention: rdi, rsi, rdx, rcx, r8; result in rax */
#define PT_REGS_PARM1(x) ((x)->di)
#define PT_REGS_PARM2(x) ((x)->si)
#define PT_REGS_PARM3(x) ((x)->dx)
#define PT_REGS_PARM4(x) ((x)->cx)
#define PT_REGS_PARM5(x) ((x)->r8)
#define PT_REGS_RC(x)    ((x)->ax)
#elif defined(__TARGET_ARCH_arm64)
/* arm64's struct pt_regs starts with struct user_pt_regs. */
struct pt_regs {
	unsigned long regs[31];
	unsigned long sp, pc, pstate;
};
/* AAPCS64: arguments in x0..x7, result in x0 */
#define PT_REGS_PARM1(x) ((x)->regs[0])
#define PT_REGS_PARM2(x) ((x)->regs[1])
#define PT_REGS_PARM3(x) ((x)->regs[2])
#define PT_REGS_PARM4(x) ((x)->regs[3])
#define PT_REGS_PARM5(x) ((x)->regs[4])
#define PT_REGS_RC(x)    ((x)->regs[0])
#else
#error "define __TARGET_ARCH_x86 or __TARGET_ARCH_arm64"
#endif

/* ---- CO-RE ---------------------------------------------------------------
 * The second argument of __builtin_preserve_field_info: which fact about
 * the field the loader must put in the instruction. Numbering is
 * enum bpf_core_relo_kind in linux/bpf.h. */
enum rt_field_info {
	FIELD_BYTE_OFFSET = 0, /* where the field (or its containing word) is */
	FIELD_BYTE_SIZE   = 1, /* how many bytes to load for it */
	FIELD_EXISTS      = 2, /* 1 if the running kernel has it, else 0 */
	FIELD_SIGNED      = 3, /* 1 if it must be sign-extended */
	FIELD_LSHIFT_U64  = 4, /* shifts that isolate a bitfield, see below */
	FIELD_RSHIFT_U64  = 5,
};

/* Second argument of __builtin_preserve_enum_value. */
enum rt_enum_info {
	ENUMVAL_EXISTS = 0,    /* 1 if the kernel's enum has this name */
	ENUMVAL_VALUE  = 1,    /* the kernel's number for it */
};

/* CORE_READ(dst, src): copy *src into *dst, where src points into a kernel
 * struct, e.g. CORE_READ(&fam, &sk->__sk_common.skc_family). The address
 * arithmetic in src gets a FIELD_BYTE_OFFSET record per member on the
 * path, so the offsets are the running kernel's, not the header's. The
 * copy itself goes through bpf_probe_read_kernel, which tolerates bad
 * pointers (dst is zeroed on fault). */
#define CORE_READ(dst, src)                                                  \
	bpf_probe_read_kernel((dst), sizeof(*(dst)),                         \
			      __builtin_preserve_access_index(src))

/* CORE_GET(expr): value-returning form, for pointer chasing:
 *   struct files_struct *files = CORE_GET(task->files);
 * Returns zero if the read faults. Everything inside expr is relocated,
 * so expr must be one kernel pointer followed by kernel fields: for
 * args->sock->sk, load args->sock first (args is ours, not the kernel's). */
#define CORE_GET(expr)                                                       \
	({                                                                   \
		typeof(expr) __v;                                            \
		CORE_READ(&__v, &(expr));                                    \
		__v;                                                         \
	})

/* CORE_FIELD_EXISTS(type, field): 1 if the running kernel's `type` has
 * `field` (after the flavor suffix "___xxx" is dropped from the type
 * name), else 0. The loader patches a constant, so the verifier sees
 * which branch is dead and skips it: that is why code in the dead branch
 * may use fields that do not exist here. */
#define CORE_FIELD_EXISTS(type, field)                                       \
	__builtin_preserve_field_info(((type *)0)->field, FIELD_EXISTS)

/* CORE_READ_BITFIELD(ptr, field): read a field, bitfield or not, whose
 * width and position may differ between kernels. Four facts are
 * relocated: the byte offset and byte size of a load that covers the
 * field, and two shifts. The load fills the low bytes of a u64 (on
 * little-endian); shifting left by LSHIFT drops the bits above the field,
 * shifting right by RSHIFT (arithmetic if the field is signed) drops the
 * bits below it and brings the value down to bit 0. Works for plain
 * integer fields too (the shifts then just clear the unused bytes).
 * Goes through bpf_probe_read_kernel, so ptr may be any kernel pointer. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define __rt_bitfield_dst(v, sz) ((void *)&(v))
#else
#define __rt_bitfield_dst(v, sz) ((void *)&(v) + 8 - (sz))
#endif
/* The two shifts, applied to __val holding the field's containing bytes
 * in its low bytes. */
#define __rt_bitfield_shift(__val, ptr, field)                               \
	({                                                                   \
		__val <<= __builtin_preserve_field_info((ptr)->field,        \
							FIELD_LSHIFT_U64);   \
		if (__builtin_preserve_field_info((ptr)->field, FIELD_SIGNED)) \
			__val = (unsigned long long)((long long)__val >>     \
				__builtin_preserve_field_info((ptr)->field,  \
							FIELD_RSHIFT_U64));  \
		else                                                         \
			__val >>= __builtin_preserve_field_info((ptr)->field, \
							FIELD_RSHIFT_U64);   \
		__val;                                                       \
	})

#define CORE_READ_BITFIELD(ptr, field)                                       \
	({                                                                   \
		unsigned long long __val = 0;                                \
		unsigned int __off = __builtin_preserve_field_info(          \
			(ptr)->field, FIELD_BYTE_OFFSET);                    \
		unsigned int __sz = __builtin_preserve_field_info(           \
			(ptr)->field, FIELD_BYTE_SIZE);                      \
		bpf_probe_read_kernel(__rt_bitfield_dst(__val, __sz), __sz,  \
				      (const void *)(ptr) + __off);          \
		__rt_bitfield_shift(__val, ptr, field);                      \
	})

/* A plain load of sz bytes (1, 2, 4 or 8), zero-extended. sz is a CO-RE
 * constant: the verifier follows one case and skips the others. */
static __always_inline unsigned long long __rt_load(const void *p,
						    unsigned int sz)
{
	switch (sz) {
	case 1: return *(const unsigned char *)p;
	case 2: return *(const unsigned short *)p;
	case 4: return *(const unsigned int *)p;
	case 8: return *(const unsigned long long *)p;
	}
	return 0;
}

/* CORE_LOAD_BITFIELD(ptr, field): CORE_READ_BITFIELD with a plain load
 * instead of a helper call. Only for pointers whose kernel type the
 * verifier knows: the arguments of fentry/fexit and tp_btf programs and
 * the struct pointers loaded from them. The verifier checks each such load
 * against the kernel's BTF and makes it fault-tolerant, and it costs no
 * more than a load. For any other kernel pointer (kprobe arguments, values
 * kept in maps) the verifier refuses the load: use CORE_READ_BITFIELD. */
#define CORE_LOAD_BITFIELD(ptr, field)                                       \
	({                                                                   \
		unsigned long long __val = __rt_load(                        \
			(const void *)(ptr) + __builtin_preserve_field_info( \
				(ptr)->field, FIELD_BYTE_OFFSET),            \
			__builtin_preserve_field_info((ptr)->field,          \
						      FIELD_BYTE_SIZE));     \
		__rt_bitfield_shift(__val, ptr, field);                      \
	})

/* CORE_WINDOW_BITFIELD(win, win_size, win_start, ptr, field): field of
 * *ptr, taken from win, a copy of win_size bytes of *ptr starting at byte
 * win_start. One bpf_probe_read_kernel of a window that holds several
 * fields costs less than one per field. A field this kernel placed
 * outside the window is read on its own. */
#define CORE_WINDOW_BITFIELD(win, win_size, win_start, ptr, field)           \
	({                                                                   \
		unsigned int __o = __builtin_preserve_field_info(            \
			(ptr)->field, FIELD_BYTE_OFFSET);                    \
		unsigned int __s = __builtin_preserve_field_info(            \
			(ptr)->field, FIELD_BYTE_SIZE);                      \
		unsigned long long __val;                                    \
		if (__o >= (win_start) &&                                    \
		    __o + __s <= (win_start) + (win_size)) {                 \
			/* A scalar first: summed in another order the     \
			 * pointer would leave the stack on the way. */     \
			unsigned long long __rel = __o - (win_start);        \
			BARRIER_VAR(__rel);                                  \
			__val = __rt_load((const char *)(win) + __rel, __s); \
			__val = __rt_bitfield_shift(__val, ptr, field);      \
		} else {                                                     \
			__val = CORE_READ_BITFIELD(ptr, field);              \
		}                                                            \
		__val;                                                       \
	})

/* CORE_ENUM_EXISTS(enum type, NAME) / CORE_ENUM_VALUE(enum type, NAME):
 * whether the kernel's enum has NAME, and its value there. Use VALUE only
 * on a branch guarded by EXISTS: a missing name poisons the instruction. */
#define CORE_ENUM_EXISTS(enum_type, name)                                    \
	__builtin_preserve_enum_value(*(typeof(enum_type) *)name, ENUMVAL_EXISTS)
#define CORE_ENUM_VALUE(enum_type, name)                                     \
	__builtin_preserve_enum_value(*(typeof(enum_type) *)name, ENUMVAL_VALUE)

#endif /* RAWTRACE_BPF_H */
