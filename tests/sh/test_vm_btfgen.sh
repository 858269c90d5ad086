#!/bin/sh
# Kernels without BTF, in the VM (Debian's 6.1 cloud kernel): the guest
# makes the minimal BTF with `rawtrace btfgen` while its kernel still
# shows its own (and it must equal the one made here, on the "build
# machine", from the same kernel's BTF), then hides /sys/kernel/btf under
# a tmpfs. Then: bind, listen and connect without --btf fail with one line
# naming btfgen; with --btf and the kprobe and tracepoint backends their
# end-to-end tests pass, every field right; bind's fexit backend is skipped
# with a reason; a BTF without skc_v6_* (a kernel built without IPv6)
# still loads every tool; packets and deny-bind need no BTF at all.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: vm btfgen: needs root (to fetch and boot the kernel)"
	exit 0
fi
if ! sh tests/vm/kernel.sh >/tmp/rawtrace-kernel-btfgen.log 2>&1; then
	echo "skipped: vm btfgen: no kernel: $(tail -n 1 /tmp/rawtrace-kernel-btfgen.log)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The build machine's side: cut from the kernel's BTF file.
if ./rawtrace --btf build/vm/vmlinux-6.1.btf btfgen -o "$tmp/host-min.btf" >"$tmp/gen" 2>&1; then
	echo "ok: vm btfgen: made on the host from build/vm/vmlinux-6.1.btf ($(wc -c <"$tmp/host-min.btf") bytes)"
else
	echo "FAIL: vm btfgen: on the host: $(cat "$tmp/gen")"
fi
files=""
for f in ./rawtrace build/workload/* tests/e2e/*.sh tests/e2e/lib.inc "$tmp/host-min.btf"; do
	[ -f "$f" ] && files="$files -f $f"
done
cat >"$tmp/guest.sh" <<'GUEST'
export RT=/bin/rawtrace WL=/bin
ok() { echo "ok: vm btfgen: $1"; }
fail() { echo "FAIL: vm btfgen: $1: $2"; }
prefix() { sed "s/^\(ok\|FAIL\|skipped\): /\1: vm $1 /"; }

if $RT btfgen -o /tmp/min.btf >/tmp/gen 2>&1 &&
   $RT btfgen -o /tmp/nov6.btf --drop sock_common.skc_v6_daddr \
	--drop sock_common.skc_v6_rcv_saddr >>/tmp/gen 2>&1; then
	ok "made in the guest: $(head -n 1 /tmp/gen)"
	size=$(wc -c </tmp/min.btf)
	[ "$size" -lt 65536 ] && ok "under 64 KiB ($size bytes)" ||
		fail "size" "$size bytes"
	cmp -s /tmp/min.btf /bin/host-min.btf &&
		ok "same bytes as made on the host from vmlinux-6.1.btf" ||
		fail "host and guest" "the two minimal BTFs differ"
else
	fail "btfgen in the guest" "$(cat /tmp/gen)"
fi

mount -t tmpfs nobtf /sys/kernel/btf
[ -e /sys/kernel/btf/vmlinux ] && fail "hide BTF" "vmlinux still there" ||
	ok "/sys/kernel/btf hidden"

for t in bind listen connect; do
	$RT $t -d 1 >/dev/null 2>/tmp/e
	rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l </tmp/e)" -eq 1 ] &&
	   grep -q "no BTF.*rawtrace --btf VMLINUX btfgen -o FILE" /tmp/e; then
		ok "$t without BTF: one line naming btfgen"
	else
		fail "$t without BTF" "exit $rc: $(cat /tmp/e)"
	fi
done
$RT doctor >/tmp/d 2>&1
grep -q "^  bind  *needed, missing: .*btfgen" /tmp/d &&
grep -q "^  packets  *not needed" /tmp/d &&
grep -q "^  deny-bind  *not needed" /tmp/d &&
	ok "doctor: BTF needed by bind, missing; not by packets, deny-bind" ||
	fail "doctor" "$(cat /tmp/d)"

# The end-to-end tests with --btf, both backends.
for t in bind listen connect; do
	for b in kprobe tracepoint; do
		RT_BTF=/tmp/min.btf sh /bin/$t.sh $b 2>&1 | prefix "--btf"
	done
done
$RT --explain --btf /tmp/min.btf bind -d 1 >/dev/null 2>/tmp/e
grep -q "fexit backend skipped: fexit and tp_btf programs need this kernel's own BTF" /tmp/e &&
grep -q "tracing with the kprobe backend" /tmp/e &&
	ok "bind with --btf: fexit skipped with a reason, kprobe used" ||
	fail "bind ladder with --btf" "$(grep -v '^ *#\|^bpf\|^perf\|^ioctl\|^mmap' /tmp/e | tail -3)"

# A kernel built without IPv6: the v6 reads are dead code, all else loads.
for t in bind listen connect; do
	for b in kprobe tracepoint; do
		if $RT --btf /tmp/nov6.btf $t --backend $b -d 1 >/dev/null 2>/tmp/e; then
			ok "$t[$b] loads with a BTF without skc_v6_*"
		else
			fail "$t[$b] without skc_v6_*" "$(cat /tmp/e)"
		fi
	done
done

# Tools that need no BTF, with none to be had.
sh /bin/packets.sh any 2>&1 | prefix "no-btf"
sh /bin/deny-bind.sh any 2>&1 | prefix "no-btf"
umount /sys/kernel/btf
GUEST
# shellcheck disable=SC2086
{ sh tests/vm/run.sh -t 600 -m veth $files "$tmp/guest.sh"; echo $? >"$tmp/rc"; } |
	tee "$tmp/out"
rc=$(cat "$tmp/rc")
[ "$rc" -eq 0 ] || echo "FAIL: vm btfgen: the VM run exited $rc"
# A suite that did not run at all prints no FAIL: look for each one's lines.
for s in "--btf bind[kprobe]" "--btf bind[tracepoint]" "--btf listen[kprobe]" \
	 "--btf listen[tracepoint]" "--btf connect[kprobe]" \
	 "--btf connect[tracepoint]" "no-btf packets[any]" "no-btf deny-bind[any]"; do
	grep -qF "ok: vm $s " "$tmp/out" ||
		echo "FAIL: vm btfgen: no ok line from $s"
done
