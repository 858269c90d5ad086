/* Every syscall rawtrace makes to set up tracing goes through here.
 *
 * One wrapper per syscall, each returning -errno on failure (never -1 and
 * errno), and each able to print itself, decoded, to stderr when
 * --explain is on:
 *   bpf(BPF_MAP_CREATE, {map_type=PERF_EVENT_ARRAY, key_size=4, ...}) = 3
 * This file is the teaching surface: read it to see what talking to the
 * kernel's BPF subsystem takes. */
#ifndef RAWTRACE_SYS_H
#define RAWTRACE_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

/* Set by --explain (sys_explain_on). */
extern int sys_explain;

/* Turns --explain on and starts its clock; sys_explain_ms is the time
 * since then (0 without --explain). Each line --explain makes goes to
 * print, without its '\n': the front end's printer, which escapes the
 * names from the object and the kernel that lines quote (err_text in
 * render/output.h), so the library never writes to the terminal. */
void sys_explain_on(void (*print)(const char *line));
double sys_explain_ms(void);
/* The CPU time this process has used, in ms, under --explain (else 0):
 * beside sys_explain_ms it tells work from waiting. */
double sys_explain_cpu_ms(void);

/* Milliseconds on CLOCK_MONOTONIC: the one clock the loader times with. */
double monotonic_ms(void);

/* bpf(cmd, attr, size): size is how much of attr the caller filled. */
int sys_bpf(int cmd, union bpf_attr *attr, unsigned size);

int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
			int group_fd, unsigned long flags);

int sys_ioctl(int fd, unsigned long request, unsigned long arg);

int sys_setsockopt(int fd, int level, int name, const void *val,
		   socklen_t len);

int sys_socket(int domain, int type, int protocol);

int sys_bind(int fd, const struct sockaddr *addr, socklen_t len);

int sys_listen(int fd, int backlog);

/* getsockname; *len in and out, as the syscall's. */
int sys_getsockname(int fd, struct sockaddr *addr, socklen_t *len);

/* One rtnetlink request on a NETLINK_ROUTE socket (0 or -errno), and
 * recv for its answer (bytes or -errno). */
struct nlmsghdr;
int sys_netlink_send(int fd, const struct nlmsghdr *nh);
int sys_recv(int fd, void *buf, size_t len);

/* setns(fd, nstype): joins the namespace fd refers to (CLONE_NEWNET:
 * sockets made from then on belong to it). */
int sys_setns(int fd, int nstype);

/* mmap a shared mapping of fd; *addr receives the address. */
int sys_mmap(void **addr, size_t len, int prot, int fd, off_t off);

int sys_munmap(void *addr, size_t len);

/* membarrier(MEMBARRIER_CMD_GLOBAL, 0, 0): with more than one CPU online,
 * returns after an RCU grace period (loader/session.c says why it is
 * needed, and what it does on one CPU). */
int sys_membarrier_global(void);

/* Prints one free-form line when --explain is on: for steps
 * that are not syscalls but that a learner should see (a relocation
 * applied, a tracefs file written). */
void sys_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A relocation note from obj/ (struct obj's note, set when sys_explain
 * is on) as a sys_note line: "PROG insn N: TEXT". */
void sys_note_insn(void *ctx, const char *prog, size_t insn, const char *text);

/* Convenience wrappers over sys_bpf used by several loader files. */
int bpf_map_update(int map_fd, const void *key, const void *value,
		   uint64_t flags);
int bpf_map_lookup(int map_fd, const void *key, void *value);
/* The key after key (NULL: the first); -ENOENT after the last. */
int bpf_map_next_key(int map_fd, const void *key, void *next);

#endif
