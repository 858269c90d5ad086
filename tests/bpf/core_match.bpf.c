/* CO-RE type_matches records (bpf_core_type_matches()) against the
 * running kernel's own types, matching and not: an iter/task program that,
 * at the end of each read, writes one line per record, "NAME VALUE", the
 * value the loader patched in. tests/sh/test_core_match.sh compares what
 * `rawtrace run` prints with what libbpf's load of the same object prints
 * (bpftool iter pin), on this kernel.
 *
 * clang before 15 cannot write a type_matches record: there
 * type_matches() writes a type_exists one, of the same shape, and the
 * Makefile turns every type_exists record of this object into type_matches
 * (tests/bpf/set_core_kind.c). So no real type_exists here. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#if __clang_major__ >= 15
#define type_matches(T) bpf_core_type_matches(T)
#else
#define type_matches(T) bpf_core_type_exists(T)
#endif

#define CORE __attribute__((preserve_access_index))

struct seq_file;
struct mm_struct;

struct list_head {
	struct list_head *next, *prev;
} CORE;

/* a few of the kernel's members, a struct by value among them */
struct task_struct {
	int pid;
	int tgid;
	struct list_head tasks;
	struct mm_struct *mm;
} CORE;

struct bpf_iter_meta {
	struct seq_file *seq;
} CORE;

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} CORE;

/* pid is an int in the kernel, not a long */
struct task_struct___long_pid {
	long pid;
} CORE;

struct task_struct___no_field {
	int rawtrace_no_such_field;
} CORE;

/* the kernel's char has no sign, clang's is signed: no match */
struct task_struct___comm {
	char comm[16];
} CORE;

/* arrays: the same length */
struct prot_inuse {
	int val[64];
} CORE;

struct prot_inuse___short {
	int val[32];
} CORE;

/* a typedef of an anonymous struct; but clang calls the kernel's "long
 * unsigned int" "unsigned long", and int names must match too */
typedef struct {
	unsigned long sig[1];
} sigset_t;

/* mm points to a struct, not a union */
union mm_struct___u;
struct task_struct___union_mm {
	union mm_struct___u *mm;
} CORE;

/* names, not values, of the enumerators; flavors ignored */
enum pid_type {
	PIDTYPE_TGID = 100,
	PIDTYPE_PID = 200,
};

enum pid_type___no_such {
	PIDTYPE_PID___b,
	PIDTYPE_RAWTRACE___b,
};

/* prototypes: int (*iopoll)(struct kiocb *, struct io_comp_batch *,
 * unsigned int) */
struct kiocb;
struct io_comp_batch;
struct file_operations {
	int (*iopoll)(struct kiocb *, struct io_comp_batch *, unsigned int);
} CORE;

struct file_operations___two_args {
	int (*iopoll)(struct kiocb *, struct io_comp_batch *);
} CORE;

/* a typedef: its candidates are typedefs, then what they name */
typedef int pid_t;
typedef unsigned int pid_t___unsigned;

struct rawtrace_no_such_type {
	int x;
} CORE;

#define SHOW(seq, name, T) \
	BPF_SEQ_PRINTF(seq, name " %d\n", (int)type_matches(T))

SEC("iter/task")
int core_match(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;

	/* once a read, at its end */
	if (ctx->task)
		return 0;
	SHOW(seq, "task_struct", struct task_struct);
	SHOW(seq, "task_struct___long_pid", struct task_struct___long_pid);
	SHOW(seq, "task_struct___no_field", struct task_struct___no_field);
	SHOW(seq, "task_struct___comm", struct task_struct___comm);
	SHOW(seq, "prot_inuse", struct prot_inuse);
	SHOW(seq, "prot_inuse___short", struct prot_inuse___short);
	SHOW(seq, "sigset_t", sigset_t);
	SHOW(seq, "task_struct___union_mm", struct task_struct___union_mm);
	SHOW(seq, "list_head", struct list_head);
	SHOW(seq, "pid_type", enum pid_type);
	SHOW(seq, "pid_type___no_such", enum pid_type___no_such);
	SHOW(seq, "file_operations", struct file_operations);
	SHOW(seq, "file_operations___two_args",
	     struct file_operations___two_args);
	SHOW(seq, "pid_t", pid_t);
	SHOW(seq, "pid_t___unsigned", pid_t___unsigned);
	SHOW(seq, "rawtrace_no_such_type", struct rawtrace_no_such_type);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
