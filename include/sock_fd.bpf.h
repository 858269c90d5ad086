/* sock_fd.bpf.h: the socket behind a file descriptor of the current task,
 * for tracepoint backends: a syscall tracepoint gets the fd, not the
 * struct sock the kernel function works on.
 *
 * BPF side only. Include after rawtrace_bpf.h, kernel_types.h and the
 * tool's `knobs` (include/knobs.h). */
#ifndef RAWTRACE_SOCK_FD_BPF_H
#define RAWTRACE_SOCK_FD_BPF_H

/* Whether current's task_struct can be walked with plain loads: the
 * kernel has bpf_get_current_task_btf (5.11+; the CO-RE enum check says
 * so from the kernel's BTF) and its own BTF, which the verifier needs to
 * type the pointer and check the loads' offsets against, and CO-RE works
 * from that same BTF (knobs.c.kernel_btf, set by user space: off with
 * --btf FILE, which the kernel itself may lack, or not match). Both are
 * constants at load, so on older kernels the verifier never sees the
 * helper. */
#define TASK_BTF                                                             \
	(knobs.c.kernel_btf &&                                               \
	 CORE_ENUM_EXISTS(enum bpf_func_id, BPF_FUNC_get_current_task_btf))

/* current->files->fdt: the fd table, and how many slots it has. Through
 * BTF pointers where TASK_BTF, each step a plain load the verifier checks
 * (and makes fault-tolerant); else through bpf_probe_read_kernel. */
static __always_inline struct file **current_fds(unsigned int *max_fds)
{
	struct task_struct *task;
	struct files_struct *files;
	struct fdtable *fdt;

	if (TASK_BTF) {
		task = bpf_get_current_task_btf();
		files = task->files;
		if (!files)
			return 0;
		fdt = files->fdt;
		if (!fdt)
			return 0;
		*max_fds = fdt->max_fds;
		return fdt->fd;
	}
	task = (struct task_struct *)bpf_get_current_task();
	files = CORE_GET(task->files);
	if (!files)
		return 0;
	fdt = CORE_GET(files->fdt);
	if (!fdt)
		return 0;
	*max_fds = CORE_GET(fdt->max_fds);
	return CORE_GET(fdt->fd);
}

/* current->files->fdt->fd[fd]->private_data->sk; NULL when any step
 * fails. fd[] holds pointers to pointers, which the verifier types as
 * plain numbers, so from there on every step is a helper read.
 *
 * Nothing here checks that the file is a socket: private_data of any
 * other file is something else. Call it only when the syscall's result
 * says fd was a socket (not -EBADF, not -ENOTSOCK). */
static __always_inline struct sock *sock_of_fd(int fd)
{
	unsigned int max_fds = 0;
	struct file **fds;
	struct file *file = 0;
	struct socket *sock;

	fds = current_fds(&max_fds);
	if (!fds || fd < 0 || (unsigned int)fd >= max_fds)
		return 0;
	bpf_probe_read_kernel(&file, sizeof file, &fds[fd]);
	if (!file)
		return 0;
	sock = CORE_GET(file->private_data);
	if (!sock)
		return 0;
	return CORE_GET(sock->sk);
}

#endif /* RAWTRACE_SOCK_FD_BPF_H */
