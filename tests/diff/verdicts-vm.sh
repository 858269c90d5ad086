#!/bin/sh
# libbpf's verdicts (tests/diff/verdicts.sh) on a VM kernel: boots KERNEL
# (default x86_64-6.1; tests/vm/run.sh) with lb-verdict and the
# libbpf-tools objects in /bin, runs verdicts.sh there, and writes the
# guest's table to build/diff/verdicts-libbpf-vm-KERNEL.txt (the summary
# on stdout). Our test objects stay out: in the guest every file is in
# /bin. A figure, not a test: holds flock(/tmp/rawtrace-vm.lock) around
# the boot, as everything that boots a VM here should.
# Usage: sh tests/diff/verdicts-vm.sh [KERNEL]
set -u
cd "$(dirname "$0")/../.." || exit 1
k=${1:-x86_64-6.1}
label=vm-$k
out=build/diff/verdicts-libbpf-$label.txt
[ -x build/tests/lb-verdict ] || { echo "verdicts-vm: make tests first" >&2; exit 2; }
ls build/libbpf-tools/*.bpf.o >/dev/null 2>&1 ||
	sh tests/diff/extract-libbpf-tools.sh >/dev/null || exit 2
sh tests/vm/kernel.sh "$k" >/dev/null || exit 2
files="-f build/tests/lb-verdict -f tests/diff/verdicts.sh"
for f in build/libbpf-tools/*.bpf.o; do
	files="$files -f $f"
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat >"$T/guest.sh" <<EOF
LBVERDICT=/bin/lb-verdict CORPUS=/bin TOBJDIR=/none OUT=/tmp/v.txt \
	XLATED=/tmp/xlated sh /bin/verdicts.sh $label
echo "verdicts-vm: kernel \$(uname -r)"
sed 's/^/VERDICT /' /tmp/v.txt
EOF
# shellcheck disable=SC2086
flock /tmp/rawtrace-vm.lock sh tests/vm/run.sh -k "$k" -t 1800 $files \
	"$T/guest.sh" >"$T/console" 2>&1
rc=$?
mkdir -p build/diff
sed -n 's/^VERDICT //p' "$T/console" >"$out"
grep -e '^verdicts' -e '^FAIL' "$T/console"
if [ $rc -ne 0 ] || [ ! -s "$out" ]; then
	echo "verdicts-vm: the VM run exited $rc; its last lines:"
	tail -n 20 "$T/console"
	exit 1
fi
echo "verdicts-vm: table in $out"
