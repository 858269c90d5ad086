/* port_filter.bpf.h: the port list of -P / --port, the same in every
 * tool that has one. User space fills the two .rodata knobs before load
 * (progs/options.c set_port_filter); the program asks port_wanted().
 * Which port is the tool's to say: the local one for bind and deny-bind,
 * the destination for connect.
 *
 * BPF side only. Include after rawtrace_bpf.h and events.h. */
#ifndef RAWTRACE_PORT_FILTER_BPF_H
#define RAWTRACE_PORT_FILTER_BPF_H

const volatile __u32 nr_ports = 0;                    /* 0: every port */
const volatile __u16 filter_ports[PORT_FILTER_MAX] = {}; /* host order */

static __always_inline bool port_wanted(__u16 port)
{
	__u32 n = nr_ports; /* volatile: read it once */

	if (!n)
		return true;
	for (__u32 i = 0; i < PORT_FILTER_MAX; i++) {
		if (i >= n)
			break;
		if (filter_ports[i] == port)
			return true;
	}
	return false;
}

#endif
