/* sock_fd.bpf.h: the socket behind a file descriptor of the current task,
 * for tracepoint backends: a syscall tracepoint gets the fd, not the
 * struct sock the kernel function works on.
 *
 * BPF side only. Include after rawtrace_bpf.h and kernel_types.h. */
#ifndef RAWTRACE_SOCK_FD_BPF_H
#define RAWTRACE_SOCK_FD_BPF_H

/* current->files->fdt->fd[fd]->private_data->sk, every step through CO-RE
 * and bpf_probe_read_kernel; NULL when any step fails.
 *
 * Nothing here checks that the file is a socket: private_data of any
 * other file is something else. Call it only when the syscall's result
 * says fd was a socket (not -EBADF, not -ENOTSOCK). */
static __always_inline struct sock *sock_of_fd(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct files_struct *files;
	struct fdtable *fdt;
	struct file **fds;
	struct file *file = 0;
	struct socket *sock;

	files = CORE_GET(task->files);
	if (!files)
		return 0;
	fdt = CORE_GET(files->fdt);
	if (!fdt)
		return 0;
	if (fd < 0 || (unsigned int)fd >= CORE_GET(fdt->max_fds))
		return 0;
	fds = CORE_GET(fdt->fd);
	bpf_probe_read_kernel(&file, sizeof file, &fds[fd]);
	if (!file)
		return 0;
	sock = CORE_GET(file->private_data);
	if (!sock)
		return 0;
	return CORE_GET(sock->sk);
}

#endif /* RAWTRACE_SOCK_FD_BPF_H */
