#!/bin/sh
# `rawtrace run` against libbpf on this kernel (issue 21): for every
# libbpf-tools object (tests/diff/extract-libbpf-tools.sh) and our test
# objects, libbpf's verdict first (tests/diff/verdicts.sh: what libbpf
# loads, all-or-nothing or each program alone, and attaches as a skeleton
# would), then `rawtrace run OBJ -d 1`. Each object is FAIL when rawtrace
# does not load a program libbpf loads, or does not attach one libbpf
# attaches, or when the translated instructions of a program both loaded
# differ (those from `rt-diff run OBJ -d 1`, rawtrace with each load's
# programs dumped: tests/diff/rt_side.c, RT_DIFF_KEEP), else ok; doing
# more than libbpf is fine (counted). Programs libbpf does not load by
# default (SEC("?...")) are not required. The comparison, and the format
# of rawtrace run's lines it reads (parse_run), are in
# tests/diff/compare_run.sh, shared with tests/sh/test_vm_run_vs_libbpf.sh
# (the same in the 6.1 VM). Until `rawtrace run` exists:
# skipped. Env: RAWTRACE, RTDIFF (the binaries), RUN_SECONDS (-d, 1),
# ONLY="NAME..." (some objects only, by their names in the table),
# VERDICT_LABEL (the table's label, host).
set -u

cd "$(dirname "$0")/../.." || exit 1
# parse_run and compare_run: the comparison, shared with the VM's test
. tests/diff/compare_run.sh
RT=${RAWTRACE:-./rawtrace}
RTDIFF=${RTDIFF:-build/tests/rt-diff}
secs=${RUN_SECONDS:-1}
label=${VERDICT_LABEL:-host}
CORPUS=build/libbpf-tools
TOBJDIR=build/bpf/tests
TABLE=build/diff/verdicts-libbpf-$label.txt
XLATED=build/diff/xlated-libbpf-$label

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: run vs libbpf: needs root"
	exit 0
fi
if ! "$RT" run -h >/dev/null 2>&1; then
	echo "skipped: rawtrace run not built yet"
	exit 0
fi
for f in build/tests/lb-verdict "$RTDIFF"; do
	if [ ! -x "$f" ]; then
		echo "skipped: run vs libbpf: $f not built (make tests)"
		exit 0
	fi
done
if [ -z "$(ls "$CORPUS" 2>/dev/null)" ] &&
   ! sh tests/diff/extract-libbpf-tools.sh "$CORPUS" >/dev/null 2>&1; then
	echo "skipped: run vs libbpf: cannot install or extract libbpf-tools"
	exit 0
fi
if ! sh tests/diff/verdicts.sh "$label"; then
	echo "FAIL: run vs libbpf: libbpf's side (tests/diff/verdicts.sh) failed"
	exit 1
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
objects=0 good=0 more=0
# shellcheck disable=SC2013 # object names are words
for o in $(awk '$4 != "refused(open)" { print $1 }' "$TABLE" | uniq); do
	case $o in
	tests/*) f=$TOBJDIR/${o#tests/}.bpf.o ;;
	*) f=$CORPUS/$o.bpf.o ;;
	esac
	d=$T/$(echo "$o" | tr / _)
	mkdir -p "$d"
	timeout 60 "$RT" run "$f" -d "$secs" </dev/null >"$d/out" 2>"$d/err"
	rc=$?
	# the programs both loaded, for the translated instructions
	RT_DIFF_DIR=$d RT_DIFF_KEEP=1 timeout 60 "$RTDIFF" run "$f" -d "$secs" \
		</dev/null >/dev/null 2>"$d/rtdiff.err"
	compare_run "$label" "$o" "$d" "$rc" "$TABLE" "$XLATED"
done
echo "run vs libbpf $label: $good of $objects objects as libbpf or better; rawtrace loads or attaches $more programs more than libbpf"
