#!/bin/sh
# The libbpf differential check (tests/diff/check.sh) on this machine's
# kernel: every embedded object, every backend the kernel loads, each
# knob set, loaded by rawtrace and by libbpf, compared instruction by
# instruction as the verifier left them. The 6.1 VM runs the same:
# test_vm_diff_libbpf.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: libbpf diff host: needs root"
	exit 0
fi
RTDIFF=build/tests/rt-diff LBDIFF=build/tests/lb-diff OBJDIR=build/bpf \
	TOBJDIR=build/bpf/tests \
	sh tests/diff/check.sh host
