/* BPF instructions in the kernel verifier's notation, e.g.
 *     r1 = *(u32 *)(r6 +16)
 *     if r0 != 0x0 goto pc+3
 *     call bpf_probe_read_kernel#113
 *     r2 = map[events]
 * Pure: no syscalls. Used by `rawtrace inspect`. */
#ifndef RAWTRACE_DISASM_H
#define RAWTRACE_DISASM_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* Names the object behind an ld_imm64 with a pseudo src_reg
 * (BPF_PSEUDO_MAP_FD: imm is a map fd or index; BPF_PSEUDO_MAP_VALUE: imm
 * is the map, next imm the offset). Writes a short text such as
 * "map[events]" or "map[.rodata]+8" into buf. May be NULL: then the raw
 * numbers are printed as the kernel does (map[id:3], map[id:3][0]+8). */
typedef void (*disasm_map_fn)(void *ctx, const struct bpf_insn *insn,
			      char *buf, size_t len);

/* Formats insns[i] into buf (always NUL-terminated). Returns how many
 * slots the instruction takes: 2 for ld_imm64 (when insns[i+1] exists),
 * else 1. Unknown opcodes print as "(code) unknown" rather than failing. */
int disasm_insn(const struct bpf_insn *insns, size_t count, size_t i,
		char *buf, size_t len, disasm_map_fn map_name, void *ctx);

/* Name of helper id ("probe_read_kernel"), or NULL if unknown. */
const char *disasm_helper_name(int32_t id);

#endif
