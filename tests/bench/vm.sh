#!/bin/sh
# make bench: rawtrace bind against Debian's libbpf-tools bindsnoop, side by
# side in the VM (Debian's 6.1 cloud kernel, kprobes), in two boots:
#   - a storm of N binds: the rate under each tracer, as a fraction of the
#     untraced rate, and how many events each printed; rawtrace with the
#     backend it picks there (fexit), printing columns as bindsnoop does
#     and JSON (-j, which also takes a timestamp per event), and with
#     --backend kprobe;
#   - exec -> first event: from starting the tracer to its first event line,
#     with a bind every millisecond going on;
#   - peak RSS of the tracer (VmHWM) at that point.
# Not a test: it prints figures, it does not judge them.
set -eu
cd "$(dirname "$0")/../.."
N=${N:-150000} REPS=${REPS:-5}
make -s rawtrace build/workload/bindstorm build/workload/firstevent
[ -x /usr/sbin/bindsnoop ] || {
	apt-get update -qq && apt-get install -y -qq libbpf-tools >/dev/null; }
sh tests/vm/kernel.sh >/dev/null
# bindsnoop is dynamically linked: carry its libraries and run it through
# the dynamic loader with --library-path /bin.
files="-f ./rawtrace -f build/workload/bindstorm -f build/workload/firstevent"
files="$files -f /usr/sbin/bindsnoop"
for lib in $(ldd /usr/sbin/bindsnoop | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
	files="$files -f $lib"
done
storms=$(mktemp) firsts=$(mktemp)
trap 'rm -f "$storms" "$firsts"' EXIT
common='BS="/bin/ld-linux-x86-64.so.2 --library-path /bin /bin/bindsnoop"'
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
	lost=\$(sed -n 's/.* events, \([0-9]*\) lost/\1/p' /tmp/err)
	echo "BENCH \$r \$name \$rate \$lines \${lost:--}"
}
r=1
while [ \$r -le \$REPS ]; do
	echo "BENCH \$r untraced \$(bindstorm \$N)"
	storm rawtrace rawtrace bind
	storm rawtrace-j rawtrace bind -j
	storm rawtrace-kprobe rawtrace bind --backend kprobe
	storm bindsnoop \$BS
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
log=/tmp/rawtrace-bench.log
# shellcheck disable=SC2086
{ sh tests/vm/run.sh -p -t 1800 $files "$storms" &&
  sh tests/vm/run.sh -t 600 $files "$firsts"; } >$log 2>&1 || {
	tail -20 $log; exit 1; }
awk -v n="$N" -v reps="$REPS" '
function median(list,    a, k, i, j, t) {
	k = split(list, a, " ")
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
$1 == "BENCH" && $3 == "untraced" { base[$2] = $4; bases = bases " " $4 }
$1 == "BENCH" && $3 != "untraced" {
	t = $3
	if (!(t in seen)) { seen[t] = 1; order[++k] = t }
	ratio[t] = ratio[t] " " ($4 / base[$2])
	if (lines[t] == "" || $5 < lines[t]) lines[t] = $5
	if ($6 != "-") lost[t] += $6; else lost[t] = "-"
}
$1 == "FIRST" && NF >= 4 {
	first[$2] = first[$2] " " $3
	if ($4 > rss[$2]) rss[$2] = $4
}
END {
	printf "storm of %d binds in the VM, %d rounds (untraced median: " \
	       "%d binds/s); medians over the rounds\n", n, reps, median(bases)
	printf "%-24s", ""
	for (i = 1; i <= k; i++) printf " %15s", order[i]
	printf " %10s\n", "target"
	printf "%-24s", "rate vs untraced"
	for (i = 1; i <= k; i++) printf " %15.2f", median(ratio[order[i]])
	printf " %10s\n", ">= 0.9"
	printf "%-24s", "  each round"
	for (i = 1; i <= k; i++) {
		m = split(ratio[order[i]], a, " "); s = ""
		for (j = 1; j <= m; j++) s = s sprintf("%s%.2f", j > 1 ? "/" : "", a[j])
		printf " %15s", s
	}
	printf "\n%-24s", "fewest events printed"
	for (i = 1; i <= k; i++) printf " %15s", lines[order[i]] "/" n
	printf " %10s\n%-24s", "all", "lost (reported)"
	for (i = 1; i <= k; i++) printf " %15s", lost[order[i]]
	printf " %10s\n%-24s", "0", "exec -> first event"
	for (i = 1; i <= k; i++)
		if (order[i] in first)
			printf " %12.1f ms", median(first[order[i]])
		else
			printf " %15s", "-"
	printf " %10s\n%-24s", "< 55 ms", "peak RSS"
	for (i = 1; i <= k; i++)
		if (order[i] in rss)
			printf " %12.1f MB", rss[order[i]] / 1024
		else
			printf " %15s", "-"
	printf " %10s\n", "< 2.5 MB"
}' $log
