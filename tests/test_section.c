/* The section table (obj/section.c): what each libbpf section name means
 * to rawtrace, the '+' rule (the name alone, or the name, '/' and a
 * target), sleepable ".s" variants and the '?' prefix. Pure: no root. */
#include <errno.h>
#include <linux/bpf.h>
#include "testutil.h"
#include "elf/error.h"
#include "loader/attach.h"
#include "obj/object.h"

static struct sec_info must(const char *sec)
{
	struct sec_info si;

	ck_assert_msg(section_program_type(sec, &si) == 0, "%s: unknown", sec);
	return si;
}

START_TEST(tracing_sections)
{
	struct sec_info si = must("kprobe/inet_bind");

	ck_assert_int_eq(si.type, BPF_PROG_TYPE_KPROBE);
	ck_assert_int_eq(si.kind, ATTACH_KPROBE);
	ck_assert_str_eq(si.target, "inet_bind");
	ck_assert_int_eq(si.autoload, 1);
	ck_assert_uint_eq(si.prog_flags, 0);
	si = must("kprobe");
	ck_assert_int_eq(si.kind, ATTACH_KPROBE);
	ck_assert_ptr_null(si.target);
	ck_assert_int_eq(must("kretprobe/x").kind, ATTACH_KRETPROBE);
	si = must("kprobe.multi/tcp_*");
	ck_assert_int_eq(si.kind, ATTACH_KPROBE_MULTI);
	ck_assert_int_eq(si.expected_attach, BPF_TRACE_KPROBE_MULTI);
	ck_assert_str_eq(si.target, "tcp_*");
	ck_assert_int_eq(must("kretprobe.multi/x").kind,
			 ATTACH_KRETPROBE_MULTI);
	ck_assert_int_eq(must("ksyscall/kill").kind, ATTACH_KSYSCALL);
	ck_assert_int_eq(must("kretsyscall/kill").kind, ATTACH_KRETSYSCALL);
	si = must("uretprobe//bin/bash:readline");
	ck_assert_int_eq(si.kind, ATTACH_URETPROBE);
	ck_assert_str_eq(si.target, "/bin/bash:readline");
	si = must("uprobe.s/libc.so.6:malloc");
	ck_assert_int_eq(si.kind, ATTACH_UPROBE);
	ck_assert_uint_eq(si.prog_flags, BPF_F_SLEEPABLE);
	ck_assert_str_eq(si.target, "libc.so.6:malloc");
	ck_assert_int_eq(must("usdt").kind, ATTACH_USDT);
	ck_assert_uint_eq(must("usdt.s/x:p:n").prog_flags, BPF_F_SLEEPABLE);
	ck_assert_int_eq(must("tp/sched/sched_switch").kind, ATTACH_TRACEPOINT);
	ck_assert_str_eq(must("tracepoint/a/b").target, "a/b");
	ck_assert_int_eq(must("raw_tp/sched_switch").kind, ATTACH_RAW_TP);
	ck_assert_int_eq(must("raw_tp.w/nbd_send_request").type,
			 BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE);
	ck_assert_int_eq(must("tp_btf/sched_switch").kind, ATTACH_TP_BTF);
	ck_assert_int_eq(must("perf_event").type, BPF_PROG_TYPE_PERF_EVENT);
}
END_TEST

START_TEST(btf_sections)
{
	struct sec_info si = must("fmod_ret/do_sys_open");

	ck_assert_int_eq(si.kind, ATTACH_FUNC);
	ck_assert_int_eq(si.expected_attach, BPF_MODIFY_RETURN);
	si = must("fexit.s/do_exit");
	ck_assert_int_eq(si.expected_attach, BPF_TRACE_FEXIT);
	ck_assert_uint_eq(si.prog_flags, BPF_F_SLEEPABLE);
	si = must("lsm/file_open");
	ck_assert_int_eq(si.type, BPF_PROG_TYPE_LSM);
	ck_assert_int_eq(si.expected_attach, BPF_LSM_MAC);
	ck_assert_int_eq(si.kind, ATTACH_LSM);
	ck_assert_uint_eq(must("lsm.s/bprm_committed_creds").prog_flags,
			  BPF_F_SLEEPABLE);
	si = must("iter/task");
	ck_assert_int_eq(si.expected_attach, BPF_TRACE_ITER);
	ck_assert_int_eq(si.kind, ATTACH_ITER);
	ck_assert_int_eq(must("struct_ops/init").kind, ATTACH_STRUCT_OPS);
}
END_TEST

START_TEST(network_sections)
{
	ck_assert_int_eq(must("xdp").kind, ATTACH_XDP);
	ck_assert_int_eq(must("xdp").expected_attach, BPF_XDP);
	ck_assert_uint_eq(must("xdp.frags").prog_flags, BPF_F_XDP_HAS_FRAGS);
	ck_assert_int_eq(must("xdp/devmap").expected_attach, BPF_XDP_DEVMAP);
	ck_assert_uint_eq(must("xdp.frags/cpumap").prog_flags,
			  BPF_F_XDP_HAS_FRAGS);
	ck_assert_int_eq(must("tc").type, BPF_PROG_TYPE_SCHED_CLS);
	ck_assert_int_eq(must("classifier").kind, ATTACH_TC);
	ck_assert_int_eq(must("action").type, BPF_PROG_TYPE_SCHED_ACT);
	ck_assert_int_eq(must("tcx/ingress").kind, ATTACH_TCX);
	ck_assert_int_eq(must("tc/egress").expected_attach, 47);
	ck_assert_int_eq(must("socket").kind, ATTACH_SOCKET);
	ck_assert_int_eq(must("sockops").expected_attach, BPF_CGROUP_SOCK_OPS);
	ck_assert_int_eq(must("sk_msg").kind, ATTACH_SOCKMAP);
	ck_assert_int_eq(must("sk_skb/stream_parser").expected_attach,
			 BPF_SK_SKB_STREAM_PARSER);
	ck_assert_int_eq(must("sk_skb/stream_verdict").expected_attach,
			 BPF_SK_SKB_STREAM_VERDICT);
	ck_assert_int_eq(must("cgroup/post_bind4").expected_attach,
			 BPF_CGROUP_INET4_POST_BIND);
	ck_assert_int_eq(must("cgroup/getsockname6").expected_attach,
			 BPF_CGROUP_INET6_GETSOCKNAME);
	ck_assert_int_eq(must("cgroup/sendmsg4").type,
			 BPF_PROG_TYPE_CGROUP_SOCK_ADDR);
	ck_assert_int_eq(must("cgroup/recvmsg6").expected_attach,
			 BPF_CGROUP_UDP6_RECVMSG);
	ck_assert_int_eq(must("cgroup/sysctl").type,
			 BPF_PROG_TYPE_CGROUP_SYSCTL);
	ck_assert_int_eq(must("cgroup/getsockopt").type,
			 BPF_PROG_TYPE_CGROUP_SOCKOPT);
	ck_assert_int_eq(must("cgroup/dev").type, BPF_PROG_TYPE_CGROUP_DEVICE);
	ck_assert_int_eq(must("cgroup_skb/egress").kind, ATTACH_CGROUP);
}
END_TEST

/* "?" opens the program but does not load it. */
START_TEST(question_mark_is_not_autoloaded)
{
	struct sec_info si = must("?kprobe/inet_bind");

	ck_assert_int_eq(si.autoload, 0);
	ck_assert_int_eq(si.kind, ATTACH_KPROBE);
	ck_assert_str_eq(si.target, "inet_bind");
	ck_assert_int_eq(must("?xdp").autoload, 0);
}
END_TEST

/* Exact names take nothing after them; '+' names take only '/'; ".s"
 * only where a sleepable variant exists. */
START_TEST(unknown_sections)
{
	static const char *const bad[] = {
		"kprobex", "kprobe.s/x", "socket/1", "xdp/foo", "perf_event/x",
		"tcx", "cgroup/bind5", "sk_skb/other", "sockops.s", "?", "",
		"kprobe.multix", "uprobe.ss/x", ".text", "license",
	};
	struct sec_info si;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(section_program_type(bad[i], &si) == -ENOENT,
			      "\"%s\" accepted", bad[i]);
}
END_TEST

START_TEST(kind_names)
{
	ck_assert_str_eq(attach_kind_name(ATTACH_USDT), "usdt");
	ck_assert_str_eq(attach_kind_name(ATTACH_XDP), "xdp");
	ck_assert_str_eq(attach_kind_name(ATTACH_KIND_COUNT), "?");
}
END_TEST

/* Kinds the loader cannot attach yet say so in one line, before any
 * syscall; so does a program whose section names no target. */
START_TEST(attach_not_yet_supported)
{
	struct obj_prog p;
	struct link l;

	memset(&p, 0, sizeof p);
	strcpy(p.name, "prog");
	p.sec_name = "struct_ops/x";
	p.kind = ATTACH_STRUCT_OPS;
	ck_assert_int_eq(attach_prog(&p, -1, NULL, &l), -ENOTSUP);
	ck_assert_str_eq(error_msg(), "program prog: section struct_ops/x: "
			 "attaching struct_ops programs is not yet supported");
	p.sec_name = "kprobe";
	p.kind = ATTACH_KPROBE;
	ck_assert_int_eq(attach_prog(&p, -1, NULL, &l), -EINVAL);
	ck_assert_str_eq(error_msg(), "program prog: section kprobe names "
			 "nothing to attach to");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("section");
	TCase *tc = tcase_create("section");

	tcase_add_test(tc, tracing_sections);
	tcase_add_test(tc, btf_sections);
	tcase_add_test(tc, network_sections);
	tcase_add_test(tc, question_mark_is_not_autoloaded);
	tcase_add_test(tc, unknown_sections);
	tcase_add_test(tc, kind_names);
	tcase_add_test(tc, attach_not_yet_supported);
	suite_add_tcase(s, tc);
	return test_main(s);
}
