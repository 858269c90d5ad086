/* A ring's record whose type is a tree of anonymous unions, each level
 * holding the one below three times (set-anon makes the anon_ members
 * anonymous after clang): shown by members, it is 3^22 visits of the
 * same 4 bytes. rawtrace run must refuse to build its columns in one
 * line, and show the map holding it in hex, promptly (review of issue
 * 22, finding 2). */
#include "include/rawtrace_bpf.h"

/* a bitfield: no column, so the column builder's only bound was time */
union U22 {
	int x : 4;
};
union U21 {
	union U22 anon_a;
	union U22 anon_b;
	union U22 anon_c;
};
union U20 {
	union U21 anon_a;
	union U21 anon_b;
	union U21 anon_c;
};
union U19 {
	union U20 anon_a;
	union U20 anon_b;
	union U20 anon_c;
};
union U18 {
	union U19 anon_a;
	union U19 anon_b;
	union U19 anon_c;
};
union U17 {
	union U18 anon_a;
	union U18 anon_b;
	union U18 anon_c;
};
union U16 {
	union U17 anon_a;
	union U17 anon_b;
	union U17 anon_c;
};
union U15 {
	union U16 anon_a;
	union U16 anon_b;
	union U16 anon_c;
};
union U14 {
	union U15 anon_a;
	union U15 anon_b;
	union U15 anon_c;
};
union U13 {
	union U14 anon_a;
	union U14 anon_b;
	union U14 anon_c;
};
union U12 {
	union U13 anon_a;
	union U13 anon_b;
	union U13 anon_c;
};
union U11 {
	union U12 anon_a;
	union U12 anon_b;
	union U12 anon_c;
};
union U10 {
	union U11 anon_a;
	union U11 anon_b;
	union U11 anon_c;
};
union U9 {
	union U10 anon_a;
	union U10 anon_b;
	union U10 anon_c;
};
union U8 {
	union U9 anon_a;
	union U9 anon_b;
	union U9 anon_c;
};
union U7 {
	union U8 anon_a;
	union U8 anon_b;
	union U8 anon_c;
};
union U6 {
	union U7 anon_a;
	union U7 anon_b;
	union U7 anon_c;
};
union U5 {
	union U6 anon_a;
	union U6 anon_b;
	union U6 anon_c;
};
union U4 {
	union U5 anon_a;
	union U5 anon_b;
	union U5 anon_c;
};
union U3 {
	union U4 anon_a;
	union U4 anon_b;
	union U4 anon_c;
};
union U2 {
	union U3 anon_a;
	union U3 anon_b;
	union U3 anon_c;
};
union U1 {
	union U2 anon_a;
	union U2 anon_b;
	union U2 anon_c;
};
union event {
	union U1 anon_a;
	union U1 anon_b;
	union U1 anon_c;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, union event);
} deep SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 4);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int tp(void *ctx)
{
	union event e = {};
	__u32 key = 0;

	*(int *)&e = 7;
	bpf_map_update_elem(&deep, &key, &e, 0);
	bpf_ringbuf_output(&events, &e, sizeof e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
