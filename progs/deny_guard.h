/* What keeps `rawtrace deny-bind -- CMD` from ever running the command
 * without its policy, even when rawtrace dies by SIGKILL.
 *
 * The policy is a pair of BPF links on the command's cgroup: it holds as
 * long as some process has their fds open. Before the command starts,
 * rawtrace forks a guardian, which inherits the links and the read end of
 * a pipe whose only write end rawtrace holds. When that end closes
 * (rawtrace exited, or was killed: the kernel closes its fds), the
 * guardian kills everything in the cgroup, removes it and exits, letting
 * the links go last. PR_SET_PDEATHSIG on the command would not do: it is
 * cleared by a setuid exec or a change of uids, and the command's
 * daemonised descendants never had it. */
#ifndef RAWTRACE_DENY_GUARD_H
#define RAWTRACE_DENY_GUARD_H

#include <sys/types.h>

struct guard {
	pid_t pid;              /* the guardian, 0 if none */
	int pipe_w;             /* our end of its pipe */
};

/* Forks the guardian of the cgroup at path; call it with the policy
 * attached and before the command starts. */
int guard_start(struct guard *g, const char *path);

/* Lets the guardian go (closes the pipe) and waits for it to empty and
 * remove the cgroup; if it could not, tries once more here. 0, or -errno
 * with error_msg set. */
int guard_finish(struct guard *g, const char *path);

/* SIGKILL to every process in the cgroup at path and below (cgroup.kill
 * on 5.14+, else each pid of cgroup.procs, until none is left), then
 * removes the cgroups. Returns how many processes path held, or -errno. */
int cgroup_kill_remove(const char *path);

/* Removes each rawtrace-deny-bind-PID cgroup under root whose rawtrace
 * (PID) is gone and on which no program is attached any more: its
 * guardian is gone too, and what still runs there runs without the
 * policy it was started under, so it is killed (and said so on stderr). */
void cgroup_cleanup_stale(const char *root);

#endif
