/* Type records whose compatibility looks behind pointers and into
 * function prototypes, which the tools' own objects lack: btfgen must
 * keep what they point to (tests/test_btfgen.c). Never loaded. */
#include <linux/bpf.h>
#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))
#define TYPE_EXISTS 0   /* __builtin_preserve_type_info kinds */
#define TYPE_SIZE 1
#define type_info(T, k) __builtin_preserve_type_info(*(typeof(T) *)0, k)

/* Both in every x86-64 kernel's BTF: a function pointer and a pointer
 * to a struct, behind typedefs. */
typedef void (*smp_call_func_t)(void *info);
struct page {
	int rawtrace_unused;
};
typedef struct page *pgtable_t;

__u64 out[4];

SEC("raw_tracepoint/sys_enter")
int type_records(void *ctx)
{
	out[0] = type_info(smp_call_func_t, TYPE_EXISTS);
	out[1] = type_info(smp_call_func_t, TYPE_SIZE);
	out[2] = type_info(pgtable_t, TYPE_EXISTS);
	out[3] = type_info(pgtable_t, TYPE_SIZE);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
