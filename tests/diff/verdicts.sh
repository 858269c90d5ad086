#!/bin/sh
# The reference for `rawtrace run` (issue 21): what libbpf itself loads
# and attaches, program by program, of every object of the libbpf-tools
# corpus (tests/diff/extract-libbpf-tools.sh) and of our test objects,
# on the running kernel (tests/diff/lb_verdict.c says how: all-or-nothing
# first, then each program alone; attach as a skeleton would).
#
# Usage: sh verdicts.sh LABEL
# Writes the table to $OUT (default build/diff/verdicts-libbpf-LABEL.txt),
# one line per program:
#     OBJECT PROGRAM SECTION LOAD ATTACH ALL
# LOAD loaded|refused(ERRNO); ATTACH attached|refused(ERRNO)|n/a (not
# loaded, or no auto-attach); ALL: whether libbpf's load of the whole
# object succeeded (all) or the program was loaded alone (alone); off:
# a program not autoload by default (SEC("?...")), which libbpf loads
# only when asked, tried alone.
# An object libbpf cannot even open: OBJECT - - refused(open) n/a -.
# Each loaded program's translated instructions go to
# $XLATED/OBJECT/PROG.libbpf (default build/diff/xlated-libbpf-LABEL),
# for the comparison with rawtrace's. Then prints a summary, and
# FAIL: lines where lb-verdict itself went wrong (exit 1 if any).
# Environment (defaults: the tree's build):
#   LBVERDICT  the helper (build/tests/lb-verdict)
#   CORPUS     the libbpf-tools objects (build/libbpf-tools)
#   TOBJDIR    our test objects (build/bpf/tests; bad_*.bpf.o, made to
#              fail, left out)
#   VERDICT_BTF=FILE  the kernel's BTF from a file
#   ONLY="NAME..."    only these objects (their names in the table)
# Runs in busybox sh too (the VM).
set -u
label=${1:-host}
LBVERDICT=${LBVERDICT:-build/tests/lb-verdict}
CORPUS=${CORPUS:-build/libbpf-tools}
TOBJDIR=${TOBJDIR:-build/bpf/tests}
OUT=${OUT:-build/diff/verdicts-libbpf-$label.txt}
XLATED=${XLATED:-build/diff/xlated-libbpf-$label}
btf=${VERDICT_BTF:-}

if [ ! -x "$LBVERDICT" ]; then
	echo "verdicts: $LBVERDICT not built (make tests)" >&2
	exit 2
fi
mkdir -p "$(dirname "$OUT")"
rm -rf "$XLATED"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
: >"$OUT.tmp"
bad=0

# one NAME FILE: its lines in the table.
one() {
	if [ -n "${ONLY:-}" ]; then
		case " $ONLY " in *" $1 "*) ;; *) return ;; esac
	fi
	mkdir -p "$XLATED/$1"
	"$LBVERDICT" ${btf:+-b "$btf"} -o "$XLATED/$1" "$2" \
		>"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$T/out" ]; then
		echo "$1 - - refused(open) n/a -" >>"$OUT.tmp"
		return
	fi
	if [ $rc -ne 0 ]; then
		echo "FAIL: verdicts $label: $1: lb-verdict exited $rc: $(grep '^lb-verdict' "$T/err" | tail -n 1)"
		bad=1
	fi
	all=alone
	grep -q '^# .*: all loaded$' "$T/out" && all=all
	grep -v '^#' "$T/out" | while read -r prog sec load attach; do
		if grep -qx "# off $prog" "$T/out"; then
			echo "$1 $prog $sec $load $attach off"
		else
			echo "$1 $prog $sec $load $attach $all"
		fi
	done >>"$OUT.tmp"
}

for f in "$CORPUS"/*.bpf.o; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .bpf.o)
	one "$n" "$f"
done
for f in "$TOBJDIR"/*.bpf.o; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .bpf.o)
	case $n in bad_*) continue ;; esac
	one "tests/$n" "$f"
done
mv "$OUT.tmp" "$OUT"

# The summary: libbpf-tools objects, then ours.
summary() {
	awk -v what="$1" -v label="$label" '
	($1 ~ /^tests\//) != (what == "test objects") { next }
	{
		objs[$1] = 1
		if ($6 == "all") all[$1] = 1
		if ($4 == "refused(open)") { noopen[$1] = 1; next }
		progs++
		if ($4 == "loaded") { loaded++; ld[$1]++ } else nl[$1] = 1
		if ($5 == "attached") { attached++; at[$1]++ }
		if ($5 == "n/a" && $4 == "loaded") noauto++
		if ($6 == "all" && $4 == "loaded") wl++
		if ($6 == "all" && $5 == "attached") wa++
	}
	END {
		for (o in objs) {
			n++
			if (o in all) na++
			if (!(o in nl) && !(o in noopen)) every++
			if (o in ld) some++
			if (o in at) att++
		}
		if (!n) exit
		printf "verdicts %s: %s: %d objects: libbpf loads %d whole " \
		    "(all-or-nothing), every program of %d and some of %d " \
		    "(each alone), attaches some of %d; %d programs: %d loaded, " \
		    "%d attached, %d loaded without auto-attach (of the whole " \
		    "objects: %d loaded, %d attached)\n", label, what, n, na,
		    every, some, att, progs, loaded, attached, noauto, wl + 0,
		    wa + 0
	}' "$OUT"
}
summary libbpf-tools
summary "test objects"
echo "verdicts $label: table in $OUT, translated instructions in $XLATED/"
exit $bad
