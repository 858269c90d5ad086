#!/bin/sh
# The comparison of tests/sh/test_run_vs_libbpf.sh, checked on its own
# with a stand-in for rawtrace run (tests/diff/mock_run.sh, which says
# what libbpf says) on three objects: it must pass them all as they are,
# and fail the object where the stand-in refuses a program libbpf loads,
# and the one where it changes a program's translated instructions.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: run vs libbpf harness: needs root"
	exit 0
fi
if [ ! -x build/tests/lb-verdict ]; then
	echo "skipped: run vs libbpf harness: build/tests/lb-verdict not built (make tests)"
	exit 0
fi
if [ -z "$(ls build/libbpf-tools 2>/dev/null)" ] &&
   ! sh tests/diff/extract-libbpf-tools.sh >/dev/null 2>&1; then
	echo "skipped: run vs libbpf harness: cannot install or extract libbpf-tools"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T" build/diff/verdicts-libbpf-harness.txt build/diff/xlated-libbpf-harness' EXIT
mock=tests/diff/mock_run.sh
objs="execsnoop bindsnoop tests/minimal"

# run NAME [VAR=VALUE...]: the comparison with the stand-in, into $T/NAME.
run() {
	n=$1
	shift
	env RAWTRACE=$mock RTDIFF=$mock ONLY="$objs" VERDICT_LABEL=harness "$@" \
		sh tests/sh/test_run_vs_libbpf.sh >"$T/$n" 2>&1
}
says() { grep -c "^$2: run vs libbpf harness: $3" "$T/$1"; }

run same
if [ "$(says same ok '')" -eq 3 ] && [ "$(says same FAIL '')" -eq 0 ]; then
	echo "ok: run vs libbpf harness: a run that does what libbpf does passes"
else
	echo "FAIL: run vs libbpf harness: a run that does what libbpf does:"
	sed 's/^/  /' "$T/same"
fi
run drop MOCK_DROP=tracepoint__syscalls__sys_enter_execve
if [ "$(says drop FAIL execsnoop)" -eq 1 ] && [ "$(says drop ok '')" -eq 2 ] &&
   grep -q 'sys_enter_execve: libbpf loads it, rawtrace does not' "$T/drop"; then
	echo "ok: run vs libbpf harness: a program libbpf loads and run refuses fails"
else
	echo "FAIL: run vs libbpf harness: a program libbpf loads and run refuses:"
	sed 's/^/  /' "$T/drop"
fi
run corrupt MOCK_CORRUPT=handle_bind
if [ "$(says corrupt FAIL tests/minimal)" -eq 1 ] && [ "$(says corrupt ok '')" -eq 2 ] &&
   grep -q "handle_bind: the kernel's instructions differ" "$T/corrupt"; then
	echo "ok: run vs libbpf harness: different translated instructions fail"
else
	echo "FAIL: run vs libbpf harness: different translated instructions:"
	sed 's/^/  /' "$T/corrupt"
fi
