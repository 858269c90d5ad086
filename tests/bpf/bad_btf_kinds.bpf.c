/* An object whose BTF has kinds older kernels do not know: FLOAT (5.13),
 * DECL_TAG (5.16), TYPE_TAG (5.17), and a 64-bit enum (ENUM64 from 6.0
 * where clang writes it; clang 14 writes an 8-byte ENUM). Its one
 * program is rejected by the verifier, so that the log shows whether the
 * program had its line info: on 5.10 only once the BTF is sanitised.
 * (bad_: made to fail, left out of the comparisons with libbpf.) */
#include "include/rawtrace_bpf.h"

enum wide { WIDE_SMALL = 1, WIDE_BIG = 0x100000000ULL };

struct sample {
	float ratio;
	enum wide w;
	int __attribute__((btf_type_tag("user"))) *where;
};

struct sample last_sample;
int tagged_knob __attribute__((btf_decl_tag("knob")));

SEC("socket")
int sanitize_reads_past_ctx(void *ctx)
{
	last_sample.w = WIDE_BIG;
	return *(volatile int *)((char *)ctx + 4000 + tagged_knob * 0);
}

char LICENSE[] SEC("license") = "GPL";
