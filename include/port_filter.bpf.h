/* port_filter.bpf.h: the port list of -P / --port, the same in every
 * tool that has one: knobs.ports (a struct port_list, include/knobs.h),
 * which user space fills before load; the program asks port_wanted().
 * Which port is the tool's to say: the local one for bind and deny-bind,
 * the destination for connect.
 *
 * BPF side only. Include after the tool's `knobs`. */
#ifndef RAWTRACE_PORT_FILTER_BPF_H
#define RAWTRACE_PORT_FILTER_BPF_H

static __always_inline bool port_wanted(__u16 port)
{
	__u32 n = knobs.ports.n; /* volatile: read it once */

	if (!n)
		return true;
	for (__u32 i = 0; i < PORT_FILTER_MAX; i++) {
		if (i >= n)
			break;
		if (knobs.ports.port[i] == port)
			return true;
	}
	return false;
}

#endif
