#!/bin/sh
# make bench, native part: on this machine's kernel, with whatever backend
# rawtrace bind picks here (the tracepoint one where there are no kprobes
# and no fexit), against bpftrace's tracepoint probes and an empty
# program, all in the same rounds.
#
# Each run: a storm of N binds (build/workload/bindstorm -w, which waits for
# SIGUSR1) is started first; the tracer is started on its pid (-p); DELAY
# seconds (0.2) after the tracer says it is tracing, the storm is released;
# when it is done, the tracer gets SIGINT. Per run:
#   - the storm's rate, as a fraction of the rate of an untraced storm
#     made just before it;
#   - the events the tracer delivered and the events it says it lost, and
#     what is left: N - events - lost, the events lost silently (should
#     be 0: rawtrace must never lose an event without saying so);
#   - the lines it printed (where its output goes to a file);
#   - the tracer's user CPU per event, from wait4()'s rusage, less the user
#     CPU of an idle run of the same tracer (same start and stop, a storm
#     of 0 binds): the per-event cost without the start-up;
#   - its peak RSS.
# Rates swing with whatever else runs on the machine, so REPS rounds are
# made and medians shown; LOCK=FILE holds flock(FILE) around each round.
# Not a test: it prints figures, it does not judge them.
#
# The runs are logged to /tmp/rawtrace-bench-native.log; with REPRINT=1
# the table is printed again from that log, nothing is run.
#
# Usage: native.sh [SUMMARY_FILE]   (key=value lines for run.sh's table)
set -eu
cd "$(dirname "$0")/../.."
. tests/bench/stats.sh
N=${NATIVE_N:-300000} REPS=${REPS:-5} LOCK=${LOCK:-} DELAY=${DELAY:-0.2}
summary=${1:-/dev/null}
log=/tmp/rawtrace-bench-native.log
# The table, from the log.
report() {
awk -v summary="$summary" "$STATS_AWK"'
$1 == "PARAMS" { n = $2; reps = $3; next }
$1 == "LOAD" { load = $2 " " $3 " " $4; next }
# RUN round name binds rate user sys rss rc lines | bpftrace out | stderr
{
	split($0, part, " \\| ")
	r = $2; t = $3; binds = $4
	if (t ~ /^untraced-/) { base[r, t] = $5; bases = bases " " $5; next }
	if (!(t in seen)) { seen[t] = 1; order[++k] = t }
	if (binds == 0) { idle[t] = idle[t] " " $6; idles[t] = idles[t] " " $7; next }
	ev = "-"; lo = "-"
	if (t ~ /^rawtrace/ &&
	    match(part[3], /[0-9]+ events, [0-9]+ lost/)) {
		split(substr(part[3], RSTART, RLENGTH), f, " ")
		ev = f[1]; lo = f[3]
	}
	if (t ~ /^bpftrace/) {
		m = split(part[2], f, " "); lo = 0
		for (i = 1; i <= m; i++) {
			if (f[i] == "@:") ev = f[i + 1]
			if (f[i] == "Lost") lo += f[i + 1]
		}
		if (t == "bpftrace-print") ev = $10
	}
	ratio[t] = ratio[t] " " ($5 / base[r, "untraced-" t])
	user[t] = user[t] " " $6; sys[t] = sys[t] " " $7; rss[t] = rss[t] " " $8
	if ($10 != "-" && t != "bpftrace-count") printed[t] = printed[t] " " $10
	if (ev != "-") {
		events[t] = events[t] " " ev; lost[t] = lost[t] " " lo
		gone[t] = gone[t] " " (binds - ev - lo)
	}
}
END {
	printf "native storm: %d binds, %d rounds, untraced median %d binds/s " \
	       "(load average %s after); medians, but printed: the fewest, " \
	       "lost and unaccounted: the most; CPU per event less that of " \
	       "an idle run\n", n, reps, median(bases), load
	printf "%-16s %5s %8s %7s %11s %8s %8s %8s %9s %7s\n", "tracer",
	       "rate", "events", "lost", "unaccounted", "printed", "user/ev",
	       "sys/ev", "idle user", "RSS"
	for (i = 1; i <= k; i++) {
		t = order[i]
		printf "%-16s %5.2f", t, median(ratio[t])
		if (t in events)
			printf " %8d %7d %11d", median(events[t]), max(lost[t]),
			       max(gone[t])
		else
			printf " %8s %7s %11s", "-", "-", "-"
		printf " %8s", t in printed ? min(printed[t]) : "-"
		pe = ""
		if (t in events && median(events[t]) > 0) {
			split(user[t], u, " "); split(sys[t], sy, " ")
			split(events[t], e, " ")
			pe = ""; se = ""
			for (j = 1; j in u; j++) {
				pe = pe " " (u[j] - median(idle[t])) / e[j]
				se = se " " (sy[j] - median(idles[t])) / e[j]
			}
			printf " %5.2f us %5.2f us", median(pe), median(se)
		} else
			printf " %8s %8s", "-", "-"
		printf " %6.1f ms %4.1f MB\n", median(idle[t]) / 1000,
		       max(rss[t]) / 1024
		print "native." t ".rate=" median(ratio[t]) >>summary
		if (t in events) {
			print "native." t ".lost=" max(lost[t]) >>summary
			print "native." t ".unaccounted=" max(gone[t]) >>summary
			if (pe != "")
				print "native." t ".user_per_event=" median(pe) >>summary
		}
	}
	printf "  each round, rate:" 
	for (i = 1; i <= k; i++) {
		m = split(ratio[order[i]], a, " "); s = ""
		for (j = 1; j <= m; j++) s = s sprintf("%s%.2f", j > 1 ? "/" : "", a[j])
		printf " %s %s", order[i], s
	}
	printf "\n"
	print "native.load=" load >>summary
}' $log
}
[ -z "${REPRINT:-}" ] || { report; exit 0; }
W=build/workload B=build/bench
RT=./rawtrace
for f in $RT $W/bindstorm $W/rusage $B/floorload $B/floor.bpf.o; do
	[ -x "$f" ] || [ -f "$f" ] || {
		echo "native.sh: $f: not built (make bench builds it)" >&2; exit 2; }
done
command -v bpftrace >/dev/null 2>&1 || {
	apt-get update -qq && apt-get install -y -qq bpftrace >/dev/null; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rawtrace-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "PARAMS $N $REPS" >$log
[ -z "$LOCK" ] || exec 9>>"$LOCK"
lock() { [ -z "$LOCK" ] || flock 9; }
unlock() { [ -z "$LOCK" ] || flock -u 9; }

# traced NAME BINDS READY OUT CMD...: one run as above, CMD's %PID%
# replaced by the storm's pid, its stdout to OUT; READY is what it prints
# (stdout or stderr) once it traces. Appends one line to the log:
#   RUN round name binds rate user_us sys_us rss_kib rc out err
traced() {
	name=$1 binds=$2 ready=$3 out=$4
	shift 4
	$W/bindstorm -w "$binds" >$tmp/rate &
	storm=$!
	for a; do
		shift
		set -- "$@" "$(printf %s "$a" | sed "s/%PID%/$storm/g")"
	done
	$W/rusage $tmp/ru "$@" >"$out" 2>$tmp/err &
	tracer=$!
	i=0
	until grep -qs "$ready" $tmp/err "$out"; do
		i=$((i + 1))
		if [ $i -gt 6000 ] || ! kill -0 $tracer 2>/dev/null; then
			echo "native.sh: $name never said \"$ready\":" >&2
			cat $tmp/err >&2
			kill -INT $tracer 2>/dev/null || true
			kill -USR1 $storm
			wait
			exit 1
		fi
		sleep 0.01
	done
	sleep "$DELAY"
	kill -USR1 $storm
	wait $storm
	# A tracer that does not stop at SIGINT would hang the bench.
	kill -INT $tracer
	i=0
	while kill -0 $tracer 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 3000 ]; then
			echo "native.sh: $name did not stop 30 s after SIGINT" >&2
			pkill -KILL -P $tracer
			exit 1
		fi
		sleep 0.01
	done
	wait $tracer || true
	# What the tracer reported, flattened onto the log line.
	err=$(tr '\n' ' ' <$tmp/err)
	case $name in
	bpftrace*) res=$(grep -E '^@: |^Lost [0-9]+ events' "$out" | tr '\n' ' ') ;;
	*) res=- ;;
	esac
	lines=-
	[ "$out" = /dev/null ] || lines=$(grep -cE '^[0-9{]|^bind ' "$out" || true)
	echo "RUN $r $name $binds $(cat $tmp/rate) $(cat $tmp/ru) $lines | $res | $err" >>$log
}

# The tracers, each as: NAME READY OUT CMD...
bp_count='BEGIN { printf("tracing\n"); }
tracepoint:syscalls:sys_exit_bind /pid == %PID%/ { @ = count(); }'
bp_print='BEGIN { printf("tracing\n"); }
tracepoint:syscalls:sys_exit_bind /pid == %PID%/ {
	printf("bind %d %d %s %d\n", pid, tid, comm, args->ret); }'
each_tracer() {
	"$@" rawtrace          'tracing with' $tmp/out $RT bind -p %PID%
	"$@" rawtrace-null     'tracing with' /dev/null $RT bind -p %PID%
	"$@" rawtrace-j        'tracing with' $tmp/out $RT bind -j -p %PID%
	"$@" rawtrace-j-null   'tracing with' /dev/null $RT bind -j -p %PID%
	"$@" floor             'attached' /dev/null $B/floorload $B/floor.bpf.o \
		floor_enter floor_exit
	"$@" bpftrace-count    '^tracing' $tmp/out bpftrace -e "$bp_count"
	"$@" bpftrace-print    '^tracing' $tmp/out bpftrace -e "$bp_print"
}
storm_run() {
	name=$1
	shift
	echo "RUN $r untraced-$name $N $($W/bindstorm "$N") - - - - - | - |" >>$log
	traced "$name" "$N" "$@"
}
idle_run() { name=$1; shift; traced "$name" 0 "$@"; }

echo "native: $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)" \
     "before; $REPS rounds of $N binds"
r=1
while [ $r -le "$REPS" ]; do
	lock
	each_tracer storm_run
	each_tracer idle_run
	unlock
	r=$((r + 1))
done
echo "LOAD $(cut -d' ' -f1-3 /proc/loadavg)" >>$log
report
