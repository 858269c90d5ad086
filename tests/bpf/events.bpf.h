/* The record tests/bpf/events_rb.bpf.c and events_perf.bpf.c send, one
 * per getppid() of the processes named target_comm (tests/workload/
 * getppids), for `rawtrace run` to decode with the object's BTF (issue
 * 22): a ts member (shown first), a nested struct, an enum, a bool, char
 * arrays (one with a quote, a backslash and a tab: the escaping rules),
 * an array, a negative number, and a sequence number. EVENT is the
 * struct's name (each object tests another way of finding it). */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

enum color { RED = 1, GREEN = 2, BLUE = 3 };

struct inner {
	__u16 port;
	_Bool ok;
};

struct EVENT {
	__u32 pid;
	__u64 ts;
	char comm[16];
	struct inner in;
	enum color color;
	_Bool flag;
	int neg;
	__u8 bytes[3];
	char note[8];
	__u32 seq;
};

/* The event is made here, not on the stack: and so its type is in the
 * object's BTF (a map's value), as in libbpf-tools' execsnoop. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct EVENT);
} heap SEC(".maps");

const volatile char target_comm[16] = "";
__u32 seq = 0;

static struct EVENT *make_event(void)
{
	__u32 zero = 0;
	struct EVENT *e = bpf_map_lookup_elem(&heap, &zero);
	char comm[16] = {};     /* 6.1 leaves what follows the NUL as it was */

	if (!e)
		return 0;
	bpf_get_current_comm(comm, sizeof comm);
	for (int i = 0; i < sizeof comm; i++)
		if (comm[i] != target_comm[i])
			return 0;
	__builtin_memcpy(e->comm, comm, sizeof comm);
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ts = bpf_ktime_get_ns();
	e->in.port = 8080;
	e->in.ok = 1;
	e->color = BLUE;
	e->flag = 0;
	e->neg = -7;
	e->bytes[0] = 1;
	e->bytes[1] = 2;
	e->bytes[2] = 3;
	__builtin_memcpy(e->note, "q\"\\\t", 5);
	e->seq = ++seq;         /* one thread calls: no race */
	return e;
}

char LICENSE[] SEC("license") = "GPL";
