/* A libbpf-style object with what libbpf-tools' objects and libbpf users
 * write (issue 21): __kconfig and __ksym externs, weak and strong, a
 * pinned map, a map-in-map and a prog array with initial values, and
 * sections rawtrace's own tools do not use (ksyscall, a '?' program, a
 * sleepable uprobe, lsm, iter). Built with libbpf-dev's
 * bpf_helpers.h, as such objects are; for the open and relocation tests
 * only (test_extern), never loaded. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* kconfig: strong and weak, one of each kind libbpf stores */
extern int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern enum libbpf_tristate CONFIG_NF_CONNTRACK __kconfig __weak;
extern char CONFIG_LOCALVERSION[8] __kconfig __weak;
extern unsigned long long CONFIG_HZ __kconfig __weak;

/* ksyms: a typed variable, a typeless one, a strong and a weak kfunc */
extern const int bpf_prog_active __ksym;
extern const void bpf_link_fops __ksym __weak;
/* a struct, not a forward declaration: libbpf (and rawtrace) find a FWD
 * incompatible with the kernel's STRUCT in a kfunc's prototype */
struct task_struct {
	int pid;
};
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned SEC(".maps");

/* max_entries left 0: one per possible CPU, on creation and on reuse */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_events SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner inner_a SEC(".maps");

/* with an initial value: .rel.maps puts inner_a in slot 1 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [1] = &inner_a },
};

SEC("ksyscall/nanosleep")
int nanosleep_entry(void *ctx)
{
	__u64 v = LINUX_KERNEL_VERSION + CONFIG_BPF_SYSCALL + CONFIG_HZ +
		  CONFIG_NF_CONNTRACK + CONFIG_LOCALVERSION[0];
	__u32 key = 0;
	struct task_struct *t;

	if (&bpf_link_fops)
		v++;
	v += *(const int *)bpf_this_cpu_ptr(&bpf_prog_active);
	bpf_map_update_elem(&pinned, &key, &v, 0);
	bpf_perf_event_output(ctx, &pinned_events, BPF_F_CURRENT_CPU, &v,
			      sizeof v);
	t = bpf_task_from_pid(1);
	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("?kprobe/do_nanosleep")
int not_autoloaded(void *ctx)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&outer, &key) != 0;
}

SEC("uprobe.s//bin/true:main")
int sleepable_uprobe(void *ctx)
{
	return 0;
}

/* verified against the kernel's bpf_lsm_file_open and bpf_iter_task */
SEC("lsm.s/file_open")
int lsm_file_open(void *ctx)
{
	return 0;
}

SEC("iter/task")
int iter_task(void *ctx)
{
	return 0;
}

/* a prog array with the uprobe in slot 2 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = { [2] = (void *)&sleepable_uprobe },
};

char LICENSE[] SEC("license") = "GPL";
