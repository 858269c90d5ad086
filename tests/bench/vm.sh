#!/bin/sh
# make bench, VM part: rawtrace bind against Debian's libbpf-tools
# bindsnoop, side by side in the VM (Debian's 6.1 cloud kernel, kprobes
# and fexit), in two boots:
#   - a storm of VM_N binds: the rate under each tracer, as a fraction of
#     the untraced rate, how many events each printed and reported lost;
#     rawtrace with the backend it picks there (fexit), printing columns as
#     bindsnoop does and JSON (-j, which also takes a timestamp per event),
#     and with --backend kprobe; and the floor: empty fexit programs on
#     inet_bind and inet6_bind (tests/bench/floor.bpf.c, loaded and
#     attached by build/bench/floorload), so that what rawtrace's fexit
#     programs cost above the trampoline itself can be read off;
#   - exec -> first event: from starting the tracer to its first event line,
#     with a bind every millisecond going on, rawtrace (default backend,
#     and kprobe) and bindsnoop in the same boot;
#   - peak RSS of the tracer (VmHWM) at that point.
# LOCK=FILE holds flock(FILE) around each boot.
# Not a test: it prints figures, it does not judge them.
#
# The guests' output is logged to /tmp/rawtrace-bench-vm.log; with
# REPRINT=1 the table is printed again from that log, nothing is run.
#
# Usage: vm.sh [SUMMARY_FILE]   (key=value lines for run.sh's table)
set -eu
cd "$(dirname "$0")/../.."
. tests/bench/stats.sh
N=${VM_N:-150000} REPS=${REPS:-5} LOCK=${LOCK:-}
summary=${1:-/dev/null}
log=/tmp/rawtrace-bench-vm.log
# The table, from the log.
report() {
awk -v summary="$summary" "$STATS_AWK"'
$1 == "PARAMS" { n = $2; reps = $3 }
# BENCH round name rate lines lost
$1 == "BENCH" && $3 == "untraced" { base[$2] = $4; bases = bases " " $4 }
$1 == "BENCH" && $3 != "untraced" {
	t = $3
	if (!(t in seen)) { seen[t] = 1; order[++k] = t }
	rate[$2, t] = $4
	ratio[t] = ratio[t] " " ($4 / base[$2])
	if (lines[t] == "" || $5 < lines[t]) lines[t] = $5
	if ($6 + 0 > lost[t] + 0 || lost[t] == "") lost[t] = $6
	gone[t] = gone[t] " " (n - $5 - $6)
}
# FIRST name ms rss_kib, one line per tracer in each round (in order)
$1 == "FIRST" && NF >= 4 {
	if (!($2 in first)) forder[++fk] = $2
	first[$2] = first[$2] " " $3
	if ($4 > rss[$2]) rss[$2] = $4
	if ($2 == "bindsnoop" && ("rawtrace" in last))
		vs_bs = vs_bs " " (last["rawtrace"] / $3)
	last[$2] = $3
}
END {
	for (r = 1; r <= reps; r++) {
		if (rate[r, "floor-fexit"] > 0)
			for (i = 1; i <= k; i++)
				vs_floor[order[i]] = vs_floor[order[i]] " " \
					(rate[r, order[i]] / rate[r, "floor-fexit"])
		if (rate[r, "rawtrace"] > 0)
			j_vs_cols = j_vs_cols " " (rate[r, "rawtrace-j"] / rate[r, "rawtrace"])
	}
	printf "VM storm (Debian 6.1 under TCG, 2 vCPUs): %d binds, %d rounds, " \
	       "untraced median %d binds/s; medians, except printed (fewest), " \
	       "lost and unaccounted (the worst round); exec -> first event " \
	       "and RSS from a second boot\n", n, reps, median(bases)
	printf "%-16s %5s %8s %8s %6s %11s %10s %8s %7s\n", "tracer", "rate",
	       "vs floor", "printed", "lost", "unaccounted", "1st event",
	       "vs bsnoop", "RSS"
	for (i = 1; i <= k; i++) {
		t = order[i]
		printf "%-16s %5.2f %8.2f", t, median(ratio[t]), median(vs_floor[t])
		if (t == "floor-fexit")
			printf " %8s %6s %11s", "-", "-", "-"
		else
			printf " %8d %6d %11d", lines[t], lost[t], max(gone[t])
		if (t in first)
			printf " %7.1f ms", median(first[t])
		else
			printf " %10s", "-"
		printf " %8s", t == "rawtrace" && vs_bs != "" ? \
			sprintf("%.2f", median(vs_bs)) : "-"
		if (t in rss)
			printf " %4.1f MB\n", rss[t] / 1024
		else
			printf " %7s\n", "-"
		print "vm." t ".rate=" median(ratio[t]) >>summary
		print "vm." t ".vs_floor=" median(vs_floor[t]) >>summary
		if (t != "floor-fexit")
			print "vm." t ".lost=" lost[t] >>summary
	}
	printf "  -j rate / columns rate, median of rounds: %.2f\n", median(j_vs_cols)
	printf "  each round, rate:"
	for (i = 1; i <= k; i++) {
		m = split(ratio[order[i]], a, " "); s = ""
		for (j = 1; j <= m; j++) s = s sprintf("%s%.2f", j > 1 ? "/" : "", a[j])
		printf " %s %s", order[i], s
	}
	printf "\n  each round, exec -> first event (ms):"
	for (i = 1; i <= fk; i++) {
		t = forder[i]
		m = split(first[t], a, " "); s = ""
		for (j = 1; j <= m; j++) s = s sprintf("%s%.0f", j > 1 ? "/" : "", a[j])
		printf " %s %s", t, s
	}
	printf "\n"
	print "vm.j_vs_columns=" median(j_vs_cols) >>summary
	print "vm.first.rawtrace=" median(first["rawtrace"]) >>summary
	print "vm.first.bindsnoop=" median(first["bindsnoop"]) >>summary
	print "vm.first_vs_bindsnoop=" median(vs_bs) >>summary
}' $log
}
[ -z "${REPRINT:-}" ] || { report; exit 0; }
for f in ./rawtrace build/workload/bindstorm build/workload/firstevent \
	 build/bench/floorload build/bench/floor.bpf.o; do
	[ -f "$f" ] || { echo "vm.sh: $f: not built (make bench builds it)" >&2; exit 2; }
done
[ -x /usr/sbin/bindsnoop ] || {
	apt-get update -qq && apt-get install -y -qq libbpf-tools >/dev/null; }
sh tests/vm/kernel.sh >/dev/null
# bindsnoop is dynamically linked: carry its libraries and run it through
# the dynamic loader with --library-path /bin.
files="-f ./rawtrace -f build/workload/bindstorm -f build/workload/firstevent"
files="$files -f build/bench/floorload -f build/bench/floor.bpf.o"
files="$files -f /usr/sbin/bindsnoop"
for lib in $(ldd /usr/sbin/bindsnoop | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
	files="$files -f $lib"
done
storms=$(mktemp) firsts=$(mktemp)
trap 'rm -f "$storms" "$firsts"' EXIT
common='BS="/bin/ld-linux-x86-64.so.2 --library-path /bin /bin/bindsnoop"'
locked() { if [ -n "$LOCK" ]; then flock "$LOCK" "$@"; else "$@"; fi; }
# Storms, under -p: the vCPUs run in parallel, so the reader can keep up
# beside the storm, as on real hardware. Rates on this 2-vCPU TCG guest
# swing from run to run (the untraced rate alone by 2x), so each tracer
# runs REPS times, interleaved with untraced runs, and each rate is taken
# against the untraced run of its own round; the table shows the median.
cat >"$storms" <<GUEST
N=$N REPS=$REPS
$common
# storm NAME CMD...: starts the tracer, storms, stops it, prints a line.
storm() {
	name=\$1; shift
	"\$@" >/tmp/out 2>/tmp/err & p=\$!
	sleep 3
	rate=\$(bindstorm \$N)
	kill -INT \$p; wait \$p
	lines=\$(grep -c '^[0-9{]' /tmp/out)
	# rawtrace: "N events, M lost" at exit; bindsnoop: "lost N events"
	# lines while it runs.
	lost=\$(sed -n 's/.* events, \([0-9]*\) lost/\1/p' /tmp/err)
	[ -n "\$lost" ] || lost=\$(sed -n 's/.*[Ll]ost \([0-9]*\) events.*/\1/p' /tmp/err |
		awk '{ n += \$1 } END { print n + 0 }')
	echo "BENCH \$r \$name \$rate \$lines \$lost"
}
r=1
while [ \$r -le \$REPS ]; do
	echo "BENCH \$r untraced \$(bindstorm \$N)"
	storm rawtrace rawtrace bind
	storm rawtrace-j rawtrace bind -j
	storm rawtrace-kprobe rawtrace bind --backend kprobe
	storm bindsnoop \$BS
	storm floor-fexit floorload /bin/floor.bpf.o floor_fexit4 floor_fexit6
	r=\$((r + 1))
done
GUEST
# Exec -> first event, in a boot of its own without -p: here tracers
# attach and detach while binds go on, and multi-threaded TCG now and
# then wedges a vCPU at inet_bind's first instruction while the kernel
# patches it (a soft lockup; see tests/vm/run.sh).
cat >"$firsts" <<GUEST
REPS=$REPS
$common
bindstorm -i 1 & s=\$!
r=1
while [ \$r -le \$REPS ]; do
	echo "FIRST rawtrace \$(firstevent /bin/rawtrace bind 2>/dev/null)"
	echo "FIRST rawtrace-kprobe \$(firstevent /bin/rawtrace bind --backend kprobe 2>/dev/null)"
	echo "FIRST bindsnoop \$(firstevent \$BS 2>/dev/null)"
	r=\$((r + 1))
done
kill \$s
GUEST
echo "PARAMS $N $REPS" >$log
# shellcheck disable=SC2086
{ locked sh tests/vm/run.sh -p -t 1800 $files "$storms" &&
  locked sh tests/vm/run.sh -t 600 $files "$firsts"; } >>$log 2>&1 || {
	tail -20 $log; exit 1; }
report
