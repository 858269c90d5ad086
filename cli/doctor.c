/* rawtrace doctor: what this kernel offers rawtrace, and which backend
 * each tool would use here and why. Every check is one line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "loader/attach.h"
#include "loader/embedded.h"
#include "loader/kbtf.h"
#include "loader/stats.h"
#include "obj/names.h"
#include "loader/sys.h"
#include "elf/error.h"
#include "progs/options.h"
#include "render/output.h"
#include "progs/tool.h"
#include "progs/tools.h"
#include "cli/commands.h"

static void line(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Lines quote error messages, paths and what the kernel says: written by
 * the text rule (out_line), and at once, in order with --explain's
 * notes on stderr. */
static void line(const char *what, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	out_line("  %-20s %s", what, tmp);
	out_flush();
}

/* Which backend the tool would use here, found the way the tool finds it:
 * by loading and attaching its programs (then detaching and unloading
 * them), and why earlier ones in its list were skipped. */
static void check_tool(const char *tool, const char *object,
		       const struct backend *list, const char *order)
{
	const struct start how = { NULL, opt_btf_path, 0, NULL, NULL };
	struct ladder ld = { NULL, "", "" };
	struct session s;
	int err = session_open(&s, object);

	if (!err)
		err = ladder_start(&s, &ld, list, &how);
	if (!err)
		line(tool, "%s backend (%s)%s%s%s%s%s%s", ld.backend->name,
		     ld.backend->what, ld.skipped[0] ? "; skipped " : "",
		     ld.skipped, ld.left_out[0] ? "; left out " : "",
		     ld.left_out, order ? "; order: " : "", order ? order : "");
	else
		line(tool, "cannot start: %s%s%s", error_msg(),
		     ld.skipped[0] ? "; skipped before it: " : "", ld.skipped);
	session_close(&s);
}

/* Whether the tool's programs need the kernel's BTF (CO-RE reads, or an
 * fexit/tp_btf target) and, if so, whether there is one. */
static void check_tool_btf(const char *tool, const char *obj_name,
			   const char *btf)
{
	const struct embedded_obj *e = embedded_find(obj_name);
	void *data = NULL;
	size_t size;
	struct obj o;
	int need;

	if (!e || embedded_inflate(e, &data, &size) ||
	    obj_open(&o, obj_name, data, size)) {
		line(tool, "cannot tell: %s", e ? error_msg() : "no object");
		free(data);
		return;
	}
	need = obj_needs_kernel_btf(&o);
	obj_close(&o);
	free(data);
	if (!need)
		line(tool, "not needed");
	else if (btf)
		line(tool, "needed: %s", btf);
	else
		line(tool, "needed, missing: make it with `rawtrace --btf "
		     "VMLINUX btfgen -o FILE`, run with --btf FILE");
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	return 0;
}

/* A tiny array map: the one bpf() call that says whether we may use BPF
 * at all. */
static const char *bpf_refused;   /* why bpf() failed, NULL if it works */

static int check_bpf_syscall(void)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	fd = sys_bpf(BPF_MAP_CREATE, &a, sizeof a);
	if (fd >= 0) {
		close(fd);
		line("bpf() syscall", "ok");
		return 1;
	}
	bpf_refused = fd == -ENOSYS ? "missing (CONFIG_BPF_SYSCALL off)" :
		fd == -EPERM ? "not permitted (run as root, or with CAP_BPF "
		"and CAP_PERFMON)" : errno_text(-fd);
	line("bpf() syscall", "%s", bpf_refused);
	return 0;
}

static void check_privileges(void)
{
	char buf[256];
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long caps = 0;

	while (f && fgets(buf, sizeof buf, f))
		if (sscanf(buf, "CapEff: %llx", &caps) == 1)
			break;
	if (f)
		fclose(f);
	/* CAP_SYS_ADMIN 21, CAP_PERFMON 38, CAP_BPF 39 */
	line("privileges", "euid %d; CAP_BPF %s, CAP_PERFMON %s, "
	     "CAP_SYS_ADMIN %s", (int)geteuid(), caps >> 39 & 1 ? "yes" : "no",
	     caps >> 38 & 1 ? "yes" : "no", caps >> 21 & 1 ? "yes" : "no");
	if (read_line("/proc/sys/kernel/unprivileged_bpf_disabled", buf,
		      sizeof buf) == 0)
		line("unprivileged bpf", "%s (kernel.unprivileged_bpf_disabled"
		     "=%s)", strcmp(buf, "0") ? "disabled" : "allowed", buf);
	if (read_line("/sys/kernel/security/lockdown", buf, sizeof buf) == 0)
		line("lockdown", "%s", buf);
}

/* Without privileges tracefs is root's directory (mode 700) and cannot
 * be mounted: "missing" would be a guess, so doctor says it cannot tell. */
static void check_tracing(void)
{
	static const char *const unsure = "cannot tell without privileges "
		"(run as root)";
	const char *tfs = tracefs_path();
	int pmu = kprobe_pmu_available(), kprobes = kprobes_available();

	line("tracefs", "%s", tfs ? tfs : bpf_refused ? unsure : "missing");
	line("kprobe PMU", "%s", pmu ?   /* sysfs: readable by all */
	     "yes (/sys/bus/event_source/devices/kprobe)" : "no");
	line("kprobes", "%s", kprobes ? "yes" : bpf_refused ? unsure :
	     "no (CONFIG_KPROBES off, or no kprobe_events)");
}

/* --cost needs the kernel's run-time statistics: BPF_ENABLE_STATS
 * (5.8+), tried here by opening its fd and closing it again. */
static void check_stats(void)
{
	char buf[16];
	int err = bpf_refused ? 0 : stats_probe();

	if (bpf_refused)
		line("run-time stats", "cannot tell: bpf() %s", bpf_refused);
	else if (!err)
		line("run-time stats", "yes (BPF_ENABLE_STATS, for --cost)");
	else if (err == -EINVAL)
		line("run-time stats", "--cost only with kernel.bpf_stats_enabled"
		     "=1 set by hand (now %s): no BPF_ENABLE_STATS before 5.8",
		     read_line(BPF_STATS_SYSCTL, buf, sizeof buf) ? "unreadable" :
		     buf);
	else
		line("run-time stats", "no --cost: BPF_ENABLE_STATS: %s", errno_text(-err));
}

/* One tool's line: its backend, found by starting it; or, where bpf()
 * is refused, that it cannot start, which is true of every tool. */
static void check_one(const struct tool *t, const char *cg)
{
	if (bpf_refused)
		line(t->name, "cannot start here: bpf() %s", bpf_refused);
	else if (t->backends)
		check_tool(t->name, t->object, t->backends, t->backend_order);
	else if (t->needs_cgroup2 && !cg)
		line(t->name, "unavailable: no cgroup v2 mount");
	else
		line(t->name, "%s", t->doctor);
}

int doctor_main(int argc, char **argv)
{
	const char *cg, *btf_at;
	struct kbtf k;
	int btf, bpf_ok;
	size_t i;

	(void)argv;
	if (argc > 1) {
		int help = argc == 2 && strcmp(argv[1], "-h") == 0;

		/* the help on stdout; a usage error's on stderr */
		fprintf(help ? stdout : stderr, "usage: rawtrace doctor\nChecks "
			"what this kernel offers rawtrace and which backend "
			"each tool uses here.\n");
		return help ? 0 : 2;
	}
	process_policy();   /* it loads programs, as the tools do */
	out_str("kernel:\n");
	bpf_ok = check_bpf_syscall();
	check_privileges();
	check_tracing();
	btf = kbtf_open(&k, opt_btf_path, NULL, 0) == 0;
	if (btf) {
		line("BTF", "%s (%u types, checked in %.1f ms)", opt_btf_path ?
		     opt_btf_path : KERNEL_BTF_PATH, k.btf.nr_types, k.parse_ms);
		kbtf_close(&k);
	} else {
		line("BTF", "missing: CO-RE needs it; pass --btf FILE "
		     "(rawtrace btfgen makes one)");
	}
	cg = cgroup2_path();
	line("cgroup v2", "%s", cg ? cg : "not mounted");
	check_stats();

	out_str("\ntools:\n");
	/* Ctrl-C only sets session_stop now: looked at between tools, each
	 * of which closes all it started before returning. */
	for (i = 0; tools[i] && !session_stop; i++)
		check_one(tools[i], cg);

	out_str("\nBTF per tool:\n");
	btf_at = btf ? (opt_btf_path ? opt_btf_path : KERNEL_BTF_PATH) : NULL;
	for (i = 0; tools[i] && !session_stop; i++)
		check_tool_btf(tools[i]->name, tools[i]->object, btf_at);
	out_flush();
	tracefs_unmount();
	if (session_stop) {
		err_line("rawtrace doctor: interrupted");
		return 1;
	}
	return bpf_ok ? 0 : 1;
}
