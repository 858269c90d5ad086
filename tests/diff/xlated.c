/* See xlated.h. The kernel's dump (bpf_insn_prepare_dump) has already
 * turned each map pointer back into src_reg BPF_PSEUDO_MAP_FD or
 * BPF_PSEUDO_MAP_VALUE with imm = the map's id and, for a value, the next
 * imm = the offset. After JIT (jit_subprogs) a subprogram call keeps its
 * relative target in off (imm: the kernel's subprogram number) and a
 * callback reference (BPF_PSEUDO_FUNC) keeps it in imm. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "tests/diff/xlated.h"

#define LD_IMM64 (BPF_LD | BPF_IMM | BPF_DW)

struct dump {
	const struct bpf_insn *insns;
	size_t n;
	size_t *start;          /* function starts, ascending; start[0] = 0 */
	size_t nr_funcs;
	int *order;             /* canonical number of each function, -1 */
	size_t *seq;            /* functions in canonical order */
	size_t next;
	char *err;
	size_t errlen;
};

static int bpf_call(int cmd, union bpf_attr *a)
{
	long r = syscall(__NR_bpf, cmd, a, sizeof *a);

	return r < 0 ? -errno : (int)r;
}

static int get_info(int fd, void *info, uint32_t len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof a);
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = len;
	a.info.info = (uintptr_t)info;
	return bpf_call(BPF_OBJ_GET_INFO_BY_FD, &a);
}

static int fail(char *err, size_t len, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -code;
}

static int is_call(const struct bpf_insn *x)
{
	return x->code == (BPF_JMP | BPF_CALL) && x->src_reg == BPF_PSEUDO_CALL;
}

static int is_func_ref(const struct bpf_insn *x)
{
	return x->code == LD_IMM64 && x->src_reg == BPF_PSEUDO_FUNC;
}

/* Where the call or callback reference at i leads (find_funcs checks
 * that it is inside the program), or -1 if it is neither. */
static long target(const struct dump *d, size_t i)
{
	const struct bpf_insn *x = &d->insns[i];

	if (is_call(x))
		return (long)i + x->off + 1;
	if (is_func_ref(x))
		return (long)i + x->imm + 1;
	return -1;
}

static int is_ref(const struct dump *d, size_t i)
{
	return is_call(&d->insns[i]) || is_func_ref(&d->insns[i]);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* The function that starts at insn t, or -1. */
static long func_at(const struct dump *d, size_t t)
{
	size_t lo = 0, hi = d->nr_funcs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (d->start[mid] == t)
			return (long)mid;
		if (d->start[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static size_t func_end(const struct dump *d, size_t f)
{
	return f + 1 < d->nr_funcs ? d->start[f + 1] : d->n;
}

static size_t slots(const struct dump *d, size_t i)
{
	return d->insns[i].code == LD_IMM64 && i + 1 < d->n ? 2 : 1;
}

static int find_funcs(struct dump *d)
{
	size_t i, k = 0;
	long t;

	d->start = malloc((d->n + 1) * sizeof *d->start);
	if (!d->start)
		return fail(d->err, d->errlen, ENOMEM, "no memory");
	d->start[k++] = 0;
	for (i = 0; i < d->n; i += slots(d, i)) {
		if (!is_ref(d, i))
			continue;
		t = target(d, i);
		if (t < 0 || t >= (long)d->n)
			return fail(d->err, d->errlen, EINVAL, "insn %zu: call "
				    "target %ld outside the program (%zu insns)",
				    i, t, d->n);
		d->start[k++] = (size_t)t;
	}
	qsort(d->start, k, sizeof *d->start, cmp_size);
	d->nr_funcs = 0;
	for (i = 0; i < k; i++)
		if (i == 0 || d->start[i] != d->start[i - 1])
			d->start[d->nr_funcs++] = d->start[i];
	return 0;
}

/* A loader that gave the kernel func_info (libbpf does, rawtrace not)
 * lets us check that the starts read off the calls are the kernel's. */
static int check_func_info(struct dump *d, const struct bpf_func_info *fi,
			   uint32_t nr)
{
	uint32_t i;

	if (nr == 0)
		return 0;
	if (nr != d->nr_funcs)
		return fail(d->err, d->errlen, EPROTO, "calls lead to %zu "
			    "functions, the kernel's func_info has %u",
			    d->nr_funcs, nr);
	for (i = 0; i < nr; i++)
		if (fi[i].insn_off != d->start[i])
			return fail(d->err, d->errlen, EPROTO, "function %u "
				    "starts at insn %zu by the calls, at %u by "
				    "func_info", i, d->start[i], fi[i].insn_off);
	return 0;
}

static void visit(struct dump *d, size_t f)
{
	size_t i;
	long t, g;

	d->order[f] = (int)d->next;
	d->seq[d->next++] = f;
	for (i = d->start[f]; i < func_end(d, f); i += slots(d, i)) {
		if (!is_ref(d, i))
			continue;
		t = target(d, i);
		g = func_at(d, (size_t)t);
		if (d->order[g] < 0)
			visit(d, (size_t)g);
	}
}

static int order_funcs(struct dump *d)
{
	size_t f;

	d->order = malloc(d->nr_funcs * sizeof *d->order);
	d->seq = malloc(d->nr_funcs * sizeof *d->seq);
	if (!d->order || !d->seq)
		return fail(d->err, d->errlen, ENOMEM, "no memory");
	for (f = 0; f < d->nr_funcs; f++)
		d->order[f] = -1;
	d->next = 0;
	visit(d, 0);
	/* A function nothing calls cannot be one: starts come from calls. */
	for (f = 0; f < d->nr_funcs; f++)
		if (d->order[f] < 0)
			return fail(d->err, d->errlen, EPROTO, "function at insn "
				    "%zu is not reached from the main one",
				    d->start[f]);
	return 0;
}

/* "map events type 4 key 4 value 4 max 2" for the map with this id. */
static int map_text(uint32_t id, char *buf, size_t len, char *err,
		    size_t errlen)
{
	struct bpf_map_info mi;
	union bpf_attr a;
	int fd, r;

	memset(&a, 0, sizeof a);
	a.map_id = id;
	fd = bpf_call(BPF_MAP_GET_FD_BY_ID, &a);
	if (fd < 0)
		return fail(err, errlen, -fd, "map id %u: %s", id,
			    strerror(-fd));
	memset(&mi, 0, sizeof mi);
	r = get_info(fd, &mi, sizeof mi);
	close(fd);
	if (r < 0)
		return fail(err, errlen, -r, "map id %u: info: %s", id,
			    strerror(-r));
	snprintf(buf, len, "map %s type %u key %u value %u max %u", mi.name,
		 mi.type, mi.key_size, mi.value_size, mi.max_entries);
	return 0;
}

static int print_insn(struct dump *d, FILE *f, size_t i, size_t rel)
{
	const struct bpf_insn *x = &d->insns[i];
	char map[128];
	long t;
	int err;

	fprintf(f, "%4zu: %02x %u %u ", rel, x->code, x->dst_reg, x->src_reg);
	if (is_ref(d, i)) {
		t = target(d, i);
		fprintf(f, "func %d\n", d->order[func_at(d, (size_t)t)]);
		return 0;
	}
	if (x->code == LD_IMM64 && i + 1 < d->n &&
	    (x->src_reg == BPF_PSEUDO_MAP_FD ||
	     x->src_reg == BPF_PSEUDO_MAP_VALUE)) {
		err = map_text((uint32_t)x->imm, map, sizeof map, d->err,
			       d->errlen);
		if (err)
			return err;
		fprintf(f, "%+d %s", x->off, map);
		if (x->src_reg == BPF_PSEUDO_MAP_VALUE)
			fprintf(f, " +%u", (uint32_t)x[1].imm);
		fputc('\n', f);
		return 0;
	}
	fprintf(f, "%+d %d", x->off, x->imm);
	if (x->code == LD_IMM64 && i + 1 < d->n)
		fprintf(f, " %d", x[1].imm);
	fputc('\n', f);
	return 0;
}

static int print_funcs(struct dump *d, FILE *f)
{
	size_t k, fn, i;
	int err;

	for (k = 0; k < d->nr_funcs; k++) {
		fn = d->seq[k];
		fprintf(f, "func %zu: %zu insns\n", k,
			func_end(d, fn) - d->start[fn]);
		for (i = d->start[fn]; i < func_end(d, fn); i += slots(d, i)) {
			err = print_insn(d, f, i, i - d->start[fn]);
			if (err)
				return err;
		}
	}
	return 0;
}

int xlated_dump(int prog_fd, FILE *f, char *err, size_t errlen)
{
	struct bpf_prog_info info, full;
	struct bpf_func_info *fi = NULL;
	struct dump d;
	int r;

	memset(&d, 0, sizeof d);
	d.err = err;
	d.errlen = errlen;
	memset(&info, 0, sizeof info);
	r = get_info(prog_fd, &info, sizeof info);
	if (r < 0)
		return fail(err, errlen, -r, "BPF_OBJ_GET_INFO_BY_FD: %s",
			    strerror(-r));
	if (info.xlated_prog_len == 0)
		return fail(err, errlen, EPERM, "the kernel shows no "
			    "translated instructions (not root?)");
	d.insns = malloc(info.xlated_prog_len);
	if (info.nr_func_info)
		fi = calloc(info.nr_func_info, sizeof *fi);
	if (!d.insns || (info.nr_func_info && !fi)) {
		r = fail(err, errlen, ENOMEM, "no memory");
		goto out;
	}
	memset(&full, 0, sizeof full);
	full.xlated_prog_len = info.xlated_prog_len;
	full.xlated_prog_insns = (uintptr_t)d.insns;
	full.nr_func_info = info.nr_func_info;
	full.func_info_rec_size = sizeof *fi;
	full.func_info = (uintptr_t)fi;
	r = get_info(prog_fd, &full, sizeof full);
	if (r < 0) {
		r = fail(err, errlen, -r, "BPF_OBJ_GET_INFO_BY_FD: %s",
			 strerror(-r));
		goto out;
	}
	d.n = info.xlated_prog_len / sizeof *d.insns;
	r = find_funcs(&d);
	if (!r && d.nr_funcs > 1 && info.jited_prog_len == 0)
		r = fail(err, errlen, ENOTSUP, "program has subprogram calls "
			 "but was not JITed: the dump holds no call targets");
	if (!r)
		r = check_func_info(&d, fi, info.nr_func_info);
	if (!r)
		r = order_funcs(&d);
	if (r)
		goto out;
	fprintf(f, "# idx: code dst src off imm (see tests/diff/xlated.h)\n"
		"program %s type %u gpl %u attach_btf_id %u: %zu functions, "
		"%zu insns\n", info.name, info.type, info.gpl_compatible,
		info.attach_btf_id, d.nr_funcs, d.n);
	r = print_funcs(&d, f);
out:
	free(fi);
	free((void *)d.insns);
	free(d.start);
	free(d.order);
	free(d.seq);
	return r;
}
