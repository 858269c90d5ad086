/* A libbpf-style object whose maps and globals `rawtrace run` shows at
 * its end, decoded with the object's BTF (issue 22): a hash with a struct
 * key and a struct value (char array, enum, bool, nested struct, array,
 * negative number), a per-CPU array, a hash of counters (shown largest
 * first), a .bss counter and .data globals. It counts getppid() calls
 * of the processes named target_comm (tests/workload/getppids). */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

enum color { RED = 1, GREEN = 2, BLUE = 3 };

struct inner {
	__u16 port;
	_Bool ok;
};

struct key {
	char comm[16];
	__u32 pid;
};

struct val {
	__u64 count;
	enum color color;
	struct inner in;
	__u8 bytes[3];
	int neg;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct key);
	__type(value, struct val);
} by_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

const volatile char target_comm[16] = "";
__u64 hits = 0;
int answer = 42;
char greeting[8] = "hi";

static void add(__u32 key, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&counts, &key);

	if (c) {
		__sync_fetch_and_add(c, n);
		return;
	}
	bpf_map_update_elem(&counts, &key, &n, BPF_NOEXIST);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct val first = {
		.color = GREEN, .in = { .port = 8080, .ok = 1 },
		.bytes = { 1, 2, 3 }, .neg = -5,
	};
	struct key k = {};
	struct val *v;
	__u64 *c;

	bpf_get_current_comm(k.comm, sizeof k.comm);
	for (int i = 0; i < sizeof k.comm; i++)
		if (k.comm[i] != target_comm[i])
			return 0;
	k.pid = pid;
	bpf_map_update_elem(&by_comm, &k, &first, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&by_comm, &k);
	if (v)
		__sync_fetch_and_add(&v->count, 1);
	c = bpf_map_lookup_elem(&per_cpu, &zero);
	if (c)
		*c += 1;
	add(1, 1);
	add(2, 2);
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
