#!/bin/sh
# test_attach (every attach kind) in the x86_64 6.1 VM, whose kernel has
# what this host's lacks: kprobes, ksyscall, kprobe.multi, fentry, lsm
# (lsm: the clear refusal where "bpf" is not in the boot's lsm= list).
# The guest's ok/FAIL/skipped lines are the test's; one VM at a time, under
# /tmp/rawtrace-vm.lock. Skips where qemu or the kernel cannot be had.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
kernel=${VM_KERNEL:-x86_64-6.1}
bin=build/tests/test_attach-static

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	{ echo "skipped: vm attach: qemu-system-x86_64 not installed"; exit 0; }
[ "$(uname -m)" = x86_64 ] ||
	{ echo "skipped: vm attach: an x86_64 host builds the static test"; exit 0; }
why=$(sh tests/vm/kernel.sh "$kernel" 2>&1 >/dev/null)
case $? in
0) ;;
1) echo "skipped: vm attach: ${why:-kernel.sh failed}"; exit 0 ;;
*) echo "FAIL: vm attach: ${why:-kernel.sh failed}"; exit 0 ;;
esac
if [ ! -x "$bin" ] || [ ! -x build/workload/uprobe_target ]; then
	echo "FAIL: vm attach: no $bin or uprobe_target (make tests builds them)"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The suite reads its objects and its target by relative paths.
cat >"$tmp/guest.sh" <<'GUEST'
mkdir -p /t/build/bpf/tests /t/build/workload /t/build/tests
cp /bin/attach_*.bpf.o /t/build/bpf/tests/
cp /bin/uprobe_target /t/build/workload/
cd /t || exit 1
/bin/test_attach-static > out 2>&1
rc=$?
cat out
grep -q '^100%' out && exit 0
exit 1
GUEST
files="-f $bin -f build/workload/uprobe_target"
for f in build/bpf/tests/attach_*.bpf.o; do
	files="$files -f $f"
done
# shellcheck disable=SC2086
flock /tmp/rawtrace-vm.lock sh tests/vm/run.sh -k "$kernel" -t 900 \
	-m cls_bpf -m sch_ingress $files \
	"$tmp/guest.sh" >"$tmp/out" 2>"$tmp/err"
rc=$?
grep -E '^skipped: ' "$tmp/out" | sed 's/^skipped: /skipped: vm attach: /'
sum=$(grep -E '^[0-9]+%: Checks' "$tmp/out")
if [ $rc -eq 0 ]; then
	echo "ok: vm attach $kernel: $sum"
else
	grep -E ':[EF]:kinds:' "$tmp/out" | sed 's/^/FAIL: vm attach: /'
	echo "FAIL: vm attach $kernel: run.sh exited $rc: $sum $(tail -n 1 "$tmp/err")"
fi
exit 0
