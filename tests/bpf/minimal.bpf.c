/* A small valid BPF object for the ELF/BTF reader tests.
 *
 * It has one of each thing the loader must understand: a BTF-defined map,
 * .rodata and .bss globals, a static subprogram in .text reached by a
 * bpf-to-bpf call, a tracepoint program, a license, and one CO-RE field
 * read. Self-contained on purpose: no libbpf header, no shared header. */
#include <linux/bpf.h>
#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))
#define __noinline __attribute__((noinline))
/* BTF map definitions encode numbers as array sizes and types as
 * pointer targets, so both survive in the object's BTF. */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size,
				     const void *src) = (void *)113;
static __u64 (*bpf_get_current_task)(void) = (void *)35;

/* Only the field we read; CO-RE finds it by name in the kernel's BTF. */
struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

const volatile __u32 target_tgid = 0;   /* .rodata, set before load */
__u64 calls = 0;                         /* .bss */

static __noinline int bump(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	if (!v)
		return 0;
	__sync_fetch_and_add(v, 1);
	return 1;
}

SEC("tracepoint/syscalls/sys_enter_bind")
int handle_bind(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	int tgid = 0;

	bpf_probe_read_kernel(&tgid, sizeof tgid,
			      __builtin_preserve_access_index(&task->tgid));
	if (target_tgid && (__u32)tgid != target_tgid)
		return 0;
	calls++;
	return bump((__u32)tgid);
}

char LICENSE[] SEC("license") = "GPL";
