#!/bin/sh
# Runs every end-to-end script in tests/e2e/ inside the VM (Debian's 6.1
# cloud kernel, which has kprobes and BPF trampolines), with every
# backend, in one boot.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: vm e2e: needs root (to fetch and boot the kernel)"
	exit 0
fi
if ! sh tests/vm/kernel.sh >/tmp/rawtrace-kernel.log 2>&1; then
	echo "skipped: vm e2e: no kernel: $(tail -n 1 /tmp/rawtrace-kernel.log)"
	exit 0
fi
files=""
for f in ./rawtrace build/workload/* tests/e2e/*.sh tests/e2e/lib.inc; do
	files="$files -f $f"
done
script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat >"$script" <<'GUEST'
for t in /bin/*.sh; do
	backends="kprobe tracepoint"
	[ "$t" = /bin/bind.sh ] && backends="fexit $backends"
	for b in $backends; do
		RT=/bin/rawtrace WL=/bin sh "$t" "$b" 2>&1 | sed 's/^\(ok\|FAIL\|skipped\): /\1: vm /'
	done
	E2E_RING=perf RT=/bin/rawtrace WL=/bin sh "$t" "$b" 2>&1 | sed 's/^\(ok\|FAIL\|skipped\): /\1: vm /'
done
# The kprobe_events fallback (kernels before 4.17 have no kprobe PMU),
# forced on this kernel: entries must be added and removed again.
RAWTRACE_KPROBE_EVENTS=1 RT=/bin/rawtrace WL=/bin sh /bin/bind.sh kprobe 2>&1 |
	sed 's/^\(ok\|FAIL\|skipped\): /\1: vm kprobe_events /'
GUEST
# shellcheck disable=SC2086
sh tests/vm/run.sh -t 600 $files "$script"
rc=$?
[ $rc -eq 0 ] || echo "FAIL: vm e2e: the VM run exited $rc"
