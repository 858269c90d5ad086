/* USDT argument specs (see elf/usdt_arg.h), by the grammar libbpf's
 * usdt.c accepts. Register offsets are those of the kernel's struct
 * pt_regs (x86_64) and struct user_pt_regs (arm64), which a USDT
 * program's context is. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elf/error.h"
#include "elf/usdt_arg.h"

/* x86_64: every name of each register, widest first, and where
 * pt_regs keeps it. */
static const struct {
	const char *names[4];
	short off;
} x86_regs[] = {
	{ { "rip" }, 128 },
	{ { "rax", "eax", "ax", "al" }, 80 },
	{ { "rbx", "ebx", "bx", "bl" }, 40 },
	{ { "rcx", "ecx", "cx", "cl" }, 88 },
	{ { "rdx", "edx", "dx", "dl" }, 96 },
	{ { "rsi", "esi", "si", "sil" }, 104 },
	{ { "rdi", "edi", "di", "dil" }, 112 },
	{ { "rbp", "ebp", "bp", "bpl" }, 32 },
	{ { "rsp", "esp", "sp", "spl" }, 152 },
	{ { "r8", "r8d", "r8w", "r8b" }, 72 },
	{ { "r9", "r9d", "r9w", "r9b" }, 64 },
	{ { "r10", "r10d", "r10w", "r10b" }, 56 },
	{ { "r11", "r11d", "r11w", "r11b" }, 48 },
	{ { "r12", "r12d", "r12w", "r12b" }, 24 },
	{ { "r13", "r13d", "r13w", "r13b" }, 16 },
	{ { "r14", "r14d", "r14w", "r14b" }, 8 },
	{ { "r15", "r15d", "r15w", "r15b" }, 0 },
};

static int x86_reg(const char *name)
{
	size_t i, j;

	for (i = 0; i < sizeof x86_regs / sizeof x86_regs[0]; i++)
		for (j = 0; j < 4 && x86_regs[i].names[j]; j++)
			if (strcmp(name, x86_regs[i].names[j]) == 0)
				return x86_regs[i].off;
	return -1;
}

/* arm64: x0..x30 at 8 * n (w0..w30, their low halves, too), then sp. */
static int arm64_reg(const char *name)
{
	char *end;
	long n;

	if (strcmp(name, "sp") == 0)
		return 31 * 8;
	if (name[0] != 'x' && name[0] != 'w')
		return -1;
	n = strtol(name + 1, &end, 10);
	return *end || end == name + 1 || n < 0 || n > 30 ? -1 : (int)n * 8;
}

/* One spec, without its "SIZE@": the location. */
static int x86_loc(const char *s, struct usdt_arg *a, char *reg)
{
	long off;
	int n = 0;

	if (sscanf(s, "%ld(%%%15[^)])%n", &off, reg, &n) == 2 && !s[n]) {
		a->type = USDT_ARG_REG_DEREF;
		a->val_off = (uint64_t)off;
	} else if (sscanf(s, "(%%%15[^)])%n", reg, &n) == 1 && !s[n]) {
		a->type = USDT_ARG_REG_DEREF;
	} else if (sscanf(s, "%%%15s%n", reg, &n) == 1 && !s[n]) {
		a->type = USDT_ARG_REG;
	} else if (sscanf(s, "$%ld%n", &off, &n) == 1 && !s[n]) {
		a->type = USDT_ARG_CONST;
		a->val_off = (uint64_t)off;
		return 0;
	} else {
		return -EINVAL;
	}
	return x86_reg(reg);
}

static int arm64_loc(const char *s, struct usdt_arg *a, char *reg)
{
	long off;
	int n = 0;

	if (sscanf(s, "[%15[a-z0-9], %ld]%n", reg, &off, &n) == 2 && !s[n]) {
		a->type = USDT_ARG_REG_DEREF;
		a->val_off = (uint64_t)off;
	} else if (sscanf(s, "[%15[a-z0-9]]%n", reg, &n) == 1 && !s[n]) {
		a->type = USDT_ARG_REG_DEREF;
	} else if (sscanf(s, "%ld%n", &off, &n) == 1 && !s[n]) {
		a->type = USDT_ARG_CONST;
		a->val_off = (uint64_t)off;
		return 0;
	} else if (sscanf(s, "%15[a-z0-9]%n", reg, &n) == 1 && !s[n]) {
		a->type = USDT_ARG_REG;
	} else {
		return -EINVAL;
	}
	return arm64_reg(reg);
}

static int parse_one(const char *spec, uint16_t machine, struct usdt_arg *a)
{
	char reg[16] = "";
	int size, n = 0, off;

	memset(a, 0, sizeof *a);
	if (sscanf(spec, "%d@%n", &size, &n) != 1 || n == 0)
		return error_set(EINVAL, "usdt argument \"%s\": no SIZE@", spec);
	a->is_signed = size < 0;
	size = abs(size);
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return error_set(EINVAL, "usdt argument \"%s\": size %d", spec,
				 size);
	a->bitshift = 64 - size * 8;
	if (machine == EM_X86_64)
		off = x86_loc(spec + n, a, reg);
	else if (machine == EM_AARCH64)
		off = arm64_loc(spec + n, a, reg);
	else
		return error_set(ENOTSUP, "usdt arguments: machine %u not "
				 "supported", machine);
	if (off == -EINVAL)
		return error_set(EINVAL, "usdt argument \"%s\": not a form we "
				 "read", spec);
	if (off < 0)
		return error_set(EINVAL, "usdt argument \"%s\": register %s "
				 "unknown", spec, reg);
	a->reg_off = (short)off;
	return 0;
}

/* One spec's length: to the next space, but arm64's "8@[sp, 16]" has a
 * space inside its brackets. */
static int token_len(const char *s)
{
	int len = (int)strcspn(s, " ");
	const char *at = memchr(s, '@', (size_t)len), *close;

	if (at && at[1] == '[' && (close = strchr(at, ']')))
		len = (int)(close - s) + 1;
	return len;
}

int usdt_parse_args(const char *args, uint16_t machine, struct usdt_arg *out)
{
	char spec[64];
	int n = 0, len, err;

	while (*args) {
		while (*args == ' ')
			args++;
		if (!*args)
			break;
		len = token_len(args);
		if (n == USDT_MAX_ARGS)
			return error_set(E2BIG, "usdt: more than %d arguments",
					 USDT_MAX_ARGS);
		if (len >= (int)sizeof spec)
			return error_set(EINVAL, "usdt argument \"%.*s\": too "
					 "long", len, args);
		snprintf(spec, sizeof spec, "%.*s", len, args);
		err = parse_one(spec, machine, &out[n++]);
		if (err)
			return err;
		args += len;
	}
	return n;
}

/* The layout of usdt.bpf.h's structs, field by field (16 bytes an arg). */
void usdt_spec_write(const struct usdt_arg *args, int n, uint64_t cookie,
		     unsigned char out[USDT_SPEC_SIZE])
{
	int i;

	memset(out, 0, USDT_SPEC_SIZE);
	for (i = 0; i < n; i++) {
		unsigned char *a = out + 16 * i;
		uint32_t type = args[i].type;
		int16_t reg = args[i].reg_off;

		memcpy(a, &args[i].val_off, 8);
		memcpy(a + 8, &type, 4);
		memcpy(a + 12, &reg, 2);
		a[14] = (unsigned char)args[i].is_signed;
		a[15] = (unsigned char)args[i].bitshift;
	}
	memcpy(out + 16 * USDT_MAX_ARGS, &cookie, 8);
	memcpy(out + 16 * USDT_MAX_ARGS + 8, &(int16_t){ (int16_t)n }, 2);
}
