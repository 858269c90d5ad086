# The comparison of `rawtrace run` with libbpf's verdicts (issue 21),
# shared by tests/sh/test_run_vs_libbpf.sh (this kernel) and
# tests/sh/test_vm_run_vs_libbpf.sh (the VM's, from the guest's files).
# Sourced (POSIX sh); defines parse_run and compare_run, and the counters
# objects, good, more (set them to 0 first).

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

# compare_run LABEL OBJECT DIR RC TABLE XLATED: one object's verdict, an
# "ok:" or a "FAIL:" line (with the problems under it). DIR holds err
# (rawtrace run's stderr), the translated instructions rt-diff dumped
# (PROG.rawtrace), and, if the caller checked, left (what the run left
# behind, one thing a line; a FAIL if not empty); RC is rawtrace run's
# exit status. TABLE is libbpf's (tests/diff/verdicts.sh), XLATED its
# translated instructions. Writes rt, lb, verdict, bad and PROG.diff in
# DIR; counts objects, good, more.
compare_run() {
	label=$1 o=$2 d=$3 rc=$4 TABLE=$5 XLATED=$6
	objects=$((objects + 1))
	parse_run "$d/err" >"$d/rt"
	awk -v o="$o" '$1 == o { print $2, $4, $5, $6 }' "$TABLE" >"$d/lb"
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
	[ "$rc" -lt 124 ] || echo "rawtrace run exited $rc" >>"$d/bad"
	nl=$(awk '$2 == "loaded"' "$d/lb" | wc -l)
	na=$(awk '$3 == "attached"' "$d/lb" | wc -l)
	rl=$(awk '$2 == "loaded"' "$d/rt" | wc -l)
	ra=$(awk '$3 == "attached"' "$d/rt" | wc -l)
	n=$(wc -l <"$d/lb")
	counts="$n programs; libbpf loads $nl, attaches $na; rawtrace loads $rl, attaches $ra"
	[ "$rc" -eq 0 ] || counts="$counts; rawtrace run exited $rc"
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
	# whatever the run left behind fails, even a refusal
	if [ -s "$d/left" ]; then
		echo "rawtrace run left behind:" >>"$d/bad"
		sed 's/^/    /' "$d/left" >>"$d/bad"
	fi
	if [ -s "$d/bad" ]; then
		echo "FAIL: run vs libbpf $label: $o: $counts:"
		sed 's/^/  /' "$d/bad"
		[ -s "$d/rt" ] || echo "  rawtrace run said: $why"
	else
		good=$((good + 1))
		echo "ok: run vs libbpf $label: $o: $counts"
	fi
}
