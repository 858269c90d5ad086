/* A map of a type no kernel knows: obj_open must name it and refuse. */
#include "include/rawtrace_bpf.h"

struct {
	__uint(type, 99);
	__type(key, int);
	__type(value, int);
	__uint(max_entries, 1);
} strange SEC(".maps");

SEC("socket")
int uses_strange(void *ctx)
{
	int key = 0;

	return bpf_map_lookup_elem(&strange, &key) ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
