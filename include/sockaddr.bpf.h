/* sockaddr.bpf.h: the address a bind() or connect() caller passed, kept
 * by the probes that see it: min(addrlen, 28) bytes of a sockaddr_in or
 * sockaddr_in6, the rest zero.
 *
 * BPF side only. Include after rawtrace_bpf.h and kernel_types.h. */
#ifndef RAWTRACE_SOCKADDR_BPF_H
#define RAWTRACE_SOCKADDR_BPF_H

union sockaddr_any {
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

/* Copies the first min(addrlen, sizeof *dst) bytes of the caller's
 * address into dst, which must be zeroed. `user` says whether addr points
 * to user memory (a syscall argument) or kernel memory (the kernel's copy
 * that inet_bind or tcp_v4_connect gets). */
static __always_inline void copy_sockaddr(union sockaddr_any *dst,
					  const void *addr, int addrlen,
					  bool user)
{
	__u64 n;

	if (addrlen <= 0)
		return;
	n = (__u32)addrlen;
	BARRIER_VAR(n); /* compare and use the same register */
	if (n > sizeof *dst)
		n = sizeof *dst;
	BARRIER_VAR(n);
	if (user)
		bpf_probe_read_user(dst, n, addr);
	else
		bpf_probe_read_kernel(dst, n, addr);
}

#endif
