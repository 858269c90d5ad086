/* The kernel's translated instructions of a loaded program (what the
 * verifier made of it: BPF_OBJ_GET_INFO_BY_FD, xlated_prog_insns), written
 * as text in which two loaders' results can be compared line by line.
 * Shared by both sides of the libbpf differential check (tests/diff/).
 *
 * Normalised, because these may differ between two correct loaders:
 * - the order of subprograms: each loader appends them after the main
 *   function in its own order. Functions are written in a canonical
 *   order instead: the main function, then a depth-first walk over the
 *   calls (BPF_PSEUDO_CALL) and callback references (BPF_PSEUDO_FUNC), in
 *   instruction order; a call names its target by that number;
 * - map ids: an ld_imm64 of a map is written as the map's name, type and
 *   sizes (and for a map value, the offset into it).
 * Everything else is written as the kernel gives it: code, registers,
 * offsets, immediates (helper call immediates included: both loads run
 * on the same kernel with the same credentials). Test code: raw
 * syscalls, no rawtrace or libbpf code, so either side can link it. */
#ifndef RAWTRACE_TESTS_XLATED_H
#define RAWTRACE_TESTS_XLATED_H

#include <stddef.h>
#include <stdio.h>

/* Writes program prog_fd to f. Returns 0, or -errno with a message in
 * err (e.g. a subprogram call in a program the kernel did not JIT, whose
 * targets the dump no longer holds). */
int xlated_dump(int prog_fd, FILE *f, char *err, size_t errlen);

#endif
