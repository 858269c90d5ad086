#!/bin/sh
# Boots the test VM once and checks that it offers what the kprobe, BTF and
# cgroup tests need, then that a failing guest script fails the harness.
# Skips (never passes) when qemu or the Debian kernel cannot be had; a
# kernel that was fetched but is unfit (kernel.sh exit 2) fails.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
run="$root/tests/vm/run.sh"

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	{ echo "skipped: vm: qemu-system-x86_64 not installed"; exit 0; }
command -v busybox >/dev/null 2>&1 ||
	{ echo "skipped: vm: busybox not installed"; exit 0; }
why=$(sh "$root/tests/vm/kernel.sh" 2>&1 >/dev/null)
case $? in
0) ;;
1) echo "skipped: vm: ${why:-kernel.sh failed}"; exit 0 ;;
*) echo "FAIL: vm: ${why:-kernel.sh failed}"; exit 0 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Guest side: one ok/FAIL line per check, so the host greps them as-is.
cat >"$tmp/guest.sh" <<'EOF'
rc=0
check() {	# check NAME WHY TEST...
	name=$1 why=$2; shift 2
	if "$@"; then echo "ok: vm $name"; else echo "FAIL: vm $name: $why"; rc=1; fi
}
check "kprobe PMU" "no /sys/bus/event_source/devices/kprobe/type" \
	test -r /sys/bus/event_source/devices/kprobe/type
check "kprobe_events" "no kprobe_events in tracefs" \
	test -w /sys/kernel/tracing/kprobe_events
check "btf" "no /sys/kernel/btf/vmlinux" test -r /sys/kernel/btf/vmlinux
check "cgroup2" "/sys/fs/cgroup is not a cgroup2 mount" \
	grep -q '^cgroup2 /sys/fs/cgroup cgroup2 ' /proc/mounts
check "bpffs" "/sys/fs/bpf is not a bpf mount" \
	grep -q '^bpf /sys/fs/bpf bpf ' /proc/mounts
lo_has_v6() { ip -6 addr show dev lo | grep -q '::1'; }
check "lo up" "loopback has no ::1 (down or no IPv6)" lo_has_v6
exit $rc
EOF
out="$tmp/out"
sh "$run" "$tmp/guest.sh" >"$out" 2>"$tmp/err"
rc=$?
# Only the guest's own verdict lines; kernel noise stays out of the count.
grep -E '^(ok|FAIL): vm ' "$out"
n=$(grep -cE '^(ok|FAIL): vm ' "$out")
if [ "$rc" -ne 0 ] || [ "$n" -ne 6 ]; then
	echo "FAIL: vm boot: run.sh exited $rc with $n of 6 check lines: $(tail -n 1 "$tmp/err")"
fi

# The harness must report a failing guest script as a failure.
printf 'echo guest-fails\nexit 7\n' >"$tmp/fail.sh"
sh "$run" "$tmp/fail.sh" >"$out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 7 ] && grep -q '^guest-fails$' "$out"; then
	echo "ok: vm failing script exits 7"
else
	echo "FAIL: vm failing script: run.sh exited $rc, want 7: $(tail -n 1 "$tmp/err")"
fi
