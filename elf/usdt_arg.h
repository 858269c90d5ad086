/* USDT argument specs, as SystemTap's <sys/sdt.h> writes them in a
 * note's argument string ("-4@%edi 8@-16(%rbp) 4@$5" on x86_64,
 * "-4@x0 8@[sp, 16] 4@5" on arm64), read into what libbpf's usdt.bpf.h
 * expects in its __bpf_usdt_specs map. Pure. */
#ifndef RAWTRACE_USDT_ARG_H
#define RAWTRACE_USDT_ARG_H

#include <stdint.h>

#define USDT_MAX_ARGS 12        /* usdt.bpf.h's BPF_USDT_MAX_ARG_CNT */

/* usdt.bpf.h's enum __bpf_usdt_arg_type */
enum usdt_arg_type { USDT_ARG_CONST, USDT_ARG_REG, USDT_ARG_REG_DEREF };

struct usdt_arg {
	enum usdt_arg_type type;
	uint64_t val_off;       /* the constant, or the offset from the
				   register's value */
	short reg_off;          /* the register's offset in struct pt_regs */
	int is_signed;
	int bitshift;           /* 64 - size in bits: what to shift out */
};

/* Reads the space-separated specs of args for e_machine machine
 * (EM_X86_64, EM_AARCH64) into out: their count, or -errno with
 * error_msg naming the spec. */
int usdt_parse_args(const char *args, uint16_t machine, struct usdt_arg *out);

/* The 208-byte struct __bpf_usdt_spec of usdt.bpf.h: args, then the
 * user's cookie, then the count. */
#define USDT_SPEC_SIZE 208
void usdt_spec_write(const struct usdt_arg *args, int n, uint64_t cookie,
		     unsigned char out[USDT_SPEC_SIZE]);

#endif
