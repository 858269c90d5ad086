#!/bin/sh
# The libbpf differential check (tests/diff/check.sh) in the VM, on
# Debian's 6.1 cloud kernel, which loads every backend (kprobe and fexit
# too): so there a backend that neither side loads is a FAIL. Another
# kernel runs the same files and guest script (without DIFF_STRICT where
# a backend is missing on purpose).
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: libbpf diff vm: needs root (to fetch and boot the kernel)"
	exit 0
fi
for f in build/tests/rt-diff build/tests/lb-diff; do
	if [ ! -x "$f" ]; then
		echo "skipped: libbpf diff vm: $f not built (make tests)"
		exit 0
	fi
done
if ! sh tests/vm/kernel.sh >/tmp/rawtrace-kernel.log 2>&1; then
	echo "skipped: libbpf diff vm: no kernel: $(tail -n 1 /tmp/rawtrace-kernel.log)"
	exit 0
fi
files=""
for f in build/tests/rt-diff build/tests/lb-diff build/bpf/*.bpf.o \
	 build/bpf/tests/*.bpf.o \
	 tests/diff/check.sh; do
	files="$files -f $f"
done
script=$(mktemp)
trap 'rm -f "$script"' EXIT
echo 'DIFF_STRICT=1 sh /bin/check.sh vm' >"$script"
# shellcheck disable=SC2086
sh tests/vm/run.sh -t 300 $files "$script"
rc=$?
[ $rc -eq 0 ] || echo "FAIL: libbpf diff vm: the VM run exited $rc"
