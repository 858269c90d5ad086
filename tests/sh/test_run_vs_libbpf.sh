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
# default (SEC("?...")) are not required. Until `rawtrace run` exists:
# skipped. Env: RAWTRACE, RTDIFF (the binaries), RUN_SECONDS (-d, 1),
# ONLY="NAME..." (some objects only, by their names in the table),
# VERDICT_LABEL (the table's label, host).
set -u

# parse_run FILE: rawtrace run's per-program lines, from its stderr in
# FILE, as "PROG LOAD ATTACH": LOAD loaded|refused, ATTACH
# attached|refused|not|n/a. The format expected of rawtrace run, one line
# per program of the object (its name escaped as rawtrace escapes names):
#     rawtrace run: PROG (SECTION): loaded, attached
#     rawtrace run: PROG (SECTION): load refused: WHY
#     rawtrace run: PROG (SECTION): attach refused: WHY
#     rawtrace run: PROG (SECTION): loaded, not attached: WHY
# (the last where rawtrace cannot attach it without more, e.g.
# "needs --iface"). Other lines are ignored; a line of this shape with
# another verdict is "PROG ? ?", which fails.
parse_run() {
	sed -n 's/^rawtrace run: \([^ ]*\) ([^)]*): \(.*\)$/\1 \2/p' "$1" |
	while read -r prog rest; do
		case $rest in
		"loaded, attached") echo "$prog loaded attached" ;;
		"load refused: "*) echo "$prog refused n/a" ;;
		"attach refused: "*) echo "$prog loaded refused" ;;
		"loaded, not attached: "*) echo "$prog loaded not" ;;
		*) echo "$prog ? ?" ;;
		esac
	done
}

cd "$(dirname "$0")/../.." || exit 1
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
	objects=$((objects + 1))
	d=$T/$(echo "$o" | tr / _)
	mkdir -p "$d"
	timeout 60 "$RT" run "$f" -d "$secs" </dev/null >"$d/out" 2>"$d/err"
	rc=$?
	parse_run "$d/err" >"$d/rt"
	awk -v o="$o" '$1 == o { print $2, $4, $5, $6 }' "$TABLE" >"$d/lb"
	# the programs both loaded, for the translated instructions
	RT_DIFF_DIR=$d RT_DIFF_KEEP=1 timeout 60 "$RTDIFF" run "$f" -d "$secs" \
		</dev/null >/dev/null 2>"$d/rtdiff.err"
	# Each libbpf program against rawtrace's line; then rawtrace's lines
	# for programs the object does not have. Prints the problems, one a
	# line, then "more N": what rawtrace did that libbpf did not.
	awk '
	FNR == NR { load[$1] = $2; att[$1] = $3; how[$1] = $4; order[++n] = $1; next }
	{ if ($1 in seen) dup[$1] = 1; seen[$1] = 1; rl[$1] = $2; ra[$1] = $3 }
	END {
		m = 0
		for (i = 1; i <= n; i++) {
			p = order[i]
			if (p in dup) { print p ": more than one line"; continue }
			if (!(p in seen)) {
				if (load[p] == "loaded" && how[p] != "off")
					print p ": libbpf loads it, rawtrace printed no line for it"
				else if (how[p] != "off")
					print p ": no line for it"
				continue
			}
			if (rl[p] == "?") { print p ": a verdict not in the expected format"; continue }
			if (how[p] == "off") continue
			if (load[p] == "loaded" && rl[p] != "loaded")
				print p ": libbpf loads it, rawtrace does not"
			else if (att[p] == "attached" && ra[p] != "attached")
				print p ": libbpf attaches it, rawtrace does not (" ra[p] ")"
			else if ((load[p] != "loaded" && rl[p] == "loaded") ||
				 (att[p] != "attached" && ra[p] == "attached"))
				m++
		}
		for (p in seen)
			if (!(p in load)) print p ": rawtrace names a program the object does not have"
		print "more " m
	}' "$d/lb" "$d/rt" >"$d/verdict"
	grep -v '^more ' "$d/verdict" >"$d/bad"
	more=$((more + $(sed -n 's/^more //p' "$d/verdict")))
	# translated instructions of every program both loaded
	awk '$2 == "loaded" { print $1 }' "$d/lb" | while read -r p; do
		grep -q "^$p loaded " "$d/rt" || continue
		if [ ! -f "$d/$p.rawtrace" ]; then
			echo "$p: loaded, but rt-diff run dumped no translated instructions"
		elif ! diff -u -L "$p libbpf" -L "$p rawtrace" \
		    "$XLATED/$o/$p.libbpf" "$d/$p.rawtrace" >"$d/$p.diff"; then
			echo "$p: the kernel's instructions differ (- libbpf, + rawtrace)"
			head -n 30 "$d/$p.diff" | sed 's/^/    /'
		fi
	done >>"$d/bad"
	[ $rc -lt 124 ] || echo "rawtrace run exited $rc" >>"$d/bad"
	nl=$(awk '$2 == "loaded"' "$d/lb" | wc -l)
	na=$(awk '$3 == "attached"' "$d/lb" | wc -l)
	rl=$(awk '$2 == "loaded"' "$d/rt" | wc -l)
	ra=$(awk '$3 == "attached"' "$d/rt" | wc -l)
	n=$(wc -l <"$d/lb")
	counts="$n programs; libbpf loads $nl, attaches $na; rawtrace loads $rl, attaches $ra"
	# Two refusals of a whole object pass: where libbpf loads none of its
	# programs either (a map only user space can size, no bpffs to pin
	# in), rawtrace may refuse it in one line before any program; and a
	# struct_ops map, which issue 21 has rawtrace refuse in one line.
	why=$(grep -v '^$' "$d/err" | tail -n 1)
	if [ ! -s "$d/rt" ] && [ "$rc" -ne 0 ] && [ -n "$why" ] &&
	   { [ "$nl" -eq 0 ] ||
	     echo "$why" | grep -q 'struct_ops maps are not supported'; }; then
		: >"$d/bad"
		counts="$counts; the object refused in one line: $why"
	fi
	if [ -s "$d/bad" ]; then
		echo "FAIL: run vs libbpf $label: $o: $counts:"
		sed 's/^/  /' "$d/bad"
		[ -s "$d/rt" ] || echo "  rawtrace run said: $why"
	else
		good=$((good + 1))
		echo "ok: run vs libbpf $label: $o: $counts"
	fi
done
echo "run vs libbpf $label: $good of $objects objects as libbpf or better; rawtrace loads or attaches $more programs more than libbpf"
