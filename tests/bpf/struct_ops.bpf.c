/* An object whose only programs are a struct_ops table's (issue 21):
 * it must open, with its STRUCT_OPS map kept, and be refused at load
 * with one line. The struct stands for a kernel ops table
 * (tcp_congestion_ops); only its BTF matters here. */
#include <linux/bpf.h>
#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))

struct sock;

struct tcp_congestion_ops {
	void (*init)(struct sock *sk);
	char name[16];
};

SEC("struct_ops/rt_init")
int rt_init(unsigned long long *ctx)
{
	return 0;
}

SEC(".struct_ops")
struct tcp_congestion_ops rt_ops = {
	.init = (void *)rt_init,
	.name = "rt",
};

char LICENSE[] SEC("license") = "GPL";
