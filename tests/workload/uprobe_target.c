/* The target of the uprobe and usdt tests (tests/test_attach.c): calls
 * rt_probe_me N times (argv[1], default 1), each call passing two USDT
 * probes, SystemTap SDT notes written by hand as <sys/sdt.h> would write
 * them (no semaphore): rawtrace:tick without arguments, rawtrace:args
 * with two (the int i, and the long 1000 + i). */
#include <stdlib.h>

#define RT_SDT_NOTE(provider, name, args)				\
	"990:	nop\n"							\
	"	.pushsection .note.stapsdt,\"?\",\"note\"\n"		\
	"	.balign 4\n"						\
	"	.4byte 992f-991f, 994f-993f, 3\n"			\
	"991:	.asciz \"stapsdt\"\n"					\
	"992:	.balign 4\n"						\
	"993:	.8byte 990b\n"						\
	"	.8byte _.stapsdt.base\n"				\
	"	.8byte 0\n"						\
	"	.asciz \"" #provider "\"\n"				\
	"	.asciz \"" #name "\"\n"					\
	"	.asciz \"" args "\"\n"					\
	"994:	.balign 4\n"						\
	"	.popsection\n"						\
	"	.ifndef _.stapsdt.base\n"				\
	"	.pushsection .stapsdt.base,\"aG\",\"progbits\","	\
	".stapsdt.base,comdat\n"					\
	"	.weak _.stapsdt.base\n"					\
	"	.hidden _.stapsdt.base\n"				\
	"_.stapsdt.base: .space 1\n"					\
	"	.size _.stapsdt.base, 1\n"				\
	"	.popsection\n"						\
	"	.endif\n"

#define RT_SDT_PROBE(provider, name) \
	__asm__ __volatile__(RT_SDT_NOTE(provider, name, ""))
/* The operands print as the compiler placed them: %edi, $5, 8(%rsp). */
#define RT_SDT_PROBE2(provider, name, a, b) \
	__asm__ __volatile__(RT_SDT_NOTE(provider, name, "-4@%0 8@%1") \
			     :: "nor"(a), "nor"(b))

volatile int sink;

__attribute__((noinline, used)) int rt_probe_me(int i)
{
	long big = 1000L + i;

	RT_SDT_PROBE(rawtrace, tick);
	RT_SDT_PROBE2(rawtrace, args, i, big);
	sink += i;
	return sink;
}

int main(int argc, char **argv)
{
	int i, n = argc > 1 ? atoi(argv[1]) : 1;

	for (i = 0; i < n; i++)
		rt_probe_me(i);
	return 0;
}
