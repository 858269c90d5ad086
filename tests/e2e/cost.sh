#!/bin/sh
# End-to-end test of --cost (issue 23), here and in the VM (busybox sh):
# the kernel's count of runs of the program that sends bind's events is
# every event printed plus every one lost (but for other processes' binds
# that bind does not show, at most 1%), a storm of binds printed whole;
# its ns per run is above 0 and
# below 1 ms; text and -j; the event lines are the same with --cost; the
# statistics go off again at exit. Then `rawtrace run OBJ --cost` on
# tests/bpf/attach_tracepoint.bpf.o, whose program counts its own runs
# in .bss: the kernel's count must equal the program's.
# usage: cost.sh BACKEND|auto   (env RT, WL as bind.sh; TB: the test
# objects, default build/bpf/tests)
set -u
BACKEND=$1
RT=${RT:-./rawtrace} WL=${WL:-build/workload} TB=${TB:-build/bpf/tests}
BINDS=$WL/binds BPFPROGS=$WL/bpfprogs BINDSTORM=$WL/bindstorm
BACKEND_OPT="--backend $BACKEND"
[ "$BACKEND" = auto ] && BACKEND_OPT=""
NAME="cost[$BACKEND]" TOOL=bind START_ARGS="$BACKEND_OPT -j"
. "$(dirname "$0")/lib.inc"
STORM=2000
SYSCTL=/proc/sys/kernel/bpf_stats_enabled

# The programs of the backend that ran which send the events: one run,
# one event (or one lost), with -x and no filter.
emitters() {
	case $(sed -n 's/.*tracing with the \([a-z]*\) backend.*/\1/p' "$T/err") in
	tracepoint) echo "tp_exit_bind" ;;
	kprobe) echo "kret_bind4 kret_bind6" ;;
	fexit) echo "fexit_bind4 fexit_bind6" ;;
	esac
}

# From the line "rawtrace bind: N events, M lost": N + M.
sent() {
	sed -n 's/^rawtrace bind: \([0-9]*\) events, \([0-9]*\) lost$/\1 \2/p' \
		"$T/err" | { read -r e l && echo $((e + l)); }
}

# check_counts WHAT: runs of the emitters (summed) = events + lost, but
# for binds the programs see and bind does not show (a netlink or unix
# socket's, a bad fd: other processes' here), at most 1% and never
# negative; each emitter that ran: 0 < ns per run < 1 ms; and the storm's
# own binds all printed ($T/mine: how many). $T/runs holds "PROG RUNS
# NS_PER_RUN" lines.
check_counts() {
	what=$1 runs=0 bad=""
	for p in $(emitters); do
		line=$(grep "^$p " "$T/runs")
		[ -n "$line" ] || { bad="$bad [no line for $p]"; continue; }
		set -- $line
		runs=$((runs + $2))
		[ "$2" -eq 0 ] && continue
		[ "$3" -gt 0 ] && [ "$3" -lt 1000000 ] ||
			bad="$bad [$p: $3 ns per run]"
	done
	want=$(sent)
	if [ -z "$(emitters)" ] || [ -z "$want" ]; then
		fail "$what" "no backend or no events line: $(cat "$T/err")"
	elif [ "$runs" -lt "$want" ] || [ $(((runs - want) * 100)) -gt "$want" ]; then
		fail "$what" "the emitters ran $runs times, events + lost are $want"
	elif [ "$(cat "$T/mine")" -ne $STORM ]; then
		fail "$what" "$(cat "$T/mine") of the storm's $STORM binds printed"
	elif [ -n "$bad" ]; then
		fail "$what" "$bad"
	else
		ok "$what: $runs runs, events + lost $want, the storm's $STORM binds printed, ns per run in (0, 1 ms)"
	fi
}

# A storm of STORM binds, traced; its pid in $T/storm.
storm() {
	"$BINDSTORM" $STORM >/dev/null &
	echo $! >"$T/storm"
	wait $! || fail "storm" "bindstorm failed"
}

stats_before=$(cat $SYSCTL 2>/dev/null)
if ! "$RT" doctor 2>/dev/null | grep -q "run-time stats *yes"; then
	skip "this kernel has no BPF_ENABLE_STATS: $("$RT" doctor 2>&1 | grep run-time)"
	exit 0
fi

# 1. -j: the JSON lines after the events, their counts right; the event
# lines as without --cost (compared with what binds says they must be).
if start -x --cost; then
	"$BINDS" 47400 >"$T/exp"
	storm
	stop INT
	compare "-j --cost: the events as without it" "$T/exp" "$(pid_of "$T/exp")"
	sed -n 's/^{"cost":{"prog":"\([^"]*\)","runs":\([0-9]*\),"ns_per_run":\([0-9]*\),"kernel_ns":[0-9]*,"missed":[0-9]*}}$/\1 \2 \3/p' \
		"$T/out" >"$T/runs"
	grep -c "\"pid\":$(cat "$T/storm")," "$T/out" >"$T/mine"
	check_counts "-j --cost"
	events=$(grep -vc '^{"cost":' "$T/out")
	if grep -q "^{\"cost\":{\"runs\":[0-9]*,\"kernel_ns\":[1-9][0-9]*,\"events\":$events,\"seconds\":[0-9.]*,\"events_per_s\":[1-9][0-9]*,\"user_ns\":[0-9]*,\"user_ns_per_event\":[0-9]*}}\$" "$T/out"; then
		ok "-j --cost: the totals line, events as printed ($events)"
	else
		fail "-j --cost totals" "$(grep '^{"cost":{"runs"' "$T/out")"
	fi
	[ "$(tail -n 1 "$T/out" | cut -c1-16)" = '{"cost":{"runs":' ] &&
		ok "-j --cost: the cost lines come last" ||
		fail "-j --cost order" "last line: $(tail -n 1 "$T/out")"
	[ $rt_rc -eq 0 ] && ok "-j --cost: exit 0" || fail "-j --cost" "exit $rt_rc"
	# the sysctl is never written: after exit as before (it does not
	# show BPF_ENABLE_STATS' holders, so the run cannot be seen in it)
	if [ -n "$stats_before" ]; then
		[ "$(cat $SYSCTL)" = "$stats_before" ] &&
			ok "$SYSCTL as before ($stats_before)" ||
			fail "sysctl" "$SYSCTL is $(cat $SYSCTL), was $stats_before"
	fi
else
	fail "start -j --cost" "rawtrace did not start"
fi

# 2. Text: the lines on stderr after the events total.
if START_ARGS="$BACKEND_OPT" start -x --cost; then
	storm
	stop INT
	sed -n 's/^rawtrace bind: cost: \([a-z_0-9]*\): \([0-9]*\) runs, \([0-9]*\) ns per run, [0-9.]* ms in the kernel$/\1 \2 \3/p' \
		"$T/err" >"$T/runs"
	awk -v p="$(cat "$T/storm")" '$1 == p' "$T/out" | wc -l >"$T/mine"
	check_counts "--cost"
	tail -n 1 "$T/err" | grep -q "^rawtrace bind: cost: [0-9.]* ms in the kernel in all ([0-9]* runs); the reader: [0-9.]* ms user CPU, [0-9]* ns per event; [0-9]* events/s over [0-9.]* s$" &&
		ok "--cost: the totals line last" ||
		fail "--cost totals" "$(tail -n 1 "$T/err")"
	grep -q '^{"cost"' "$T/out" && fail "--cost text" "JSON on stdout" ||
		ok "--cost text: nothing of it on stdout"
fi

# 3. Off by default: no cost line without --cost.
if start -x; then
	"$BINDS" 47420 >/dev/null
	stop INT
	grep -q cost "$T/out" "$T/err" && fail "off by default" "$(grep cost "$T/out" "$T/err")" ||
		ok "no cost lines without --cost"
fi
check_cleanup "tp_(enter|exit)_bind|kp_bind|kret_bind|fexit_bind"

# 4. run OBJ --cost: the kernel's runs of `count` = its own count.
if [ -f "$TB/attach_tracepoint.bpf.o" ]; then
	JSONL_TOOL=run   # run's lines: the schema's entry run (E2E_JSONL)
	: >"$T/err"
	"$RT" run -j --cost "$TB/attach_tracepoint.bpf.o" >"$T/out" 2>"$T/err" &
	rt_pid=$!
	i=0
	while ! grep -q "Ctrl-C to stop" "$T/err" && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	for i in 1 2 3 4 5 6 7 8 9 10; do "$BPFPROGS" >/dev/null; done
	stop INT
	own=$(sed -n 's/^{"global":"runs","value":\([0-9]*\)}$/\1/p' "$T/out")
	line=$(sed -n 's/^{"cost":{"prog":"count","runs":\([0-9]*\),"ns_per_run":\([0-9]*\),.*/\1 \2/p' "$T/out")
	set -- $line 0 0
	if [ -z "$own" ] || [ -z "$line" ]; then
		fail "run --cost" "no count or no cost line: $(cat "$T/out" "$T/err")"
	elif [ "$1" -ne "$own" ] || [ "$own" -lt 10 ]; then
		fail "run --cost" "the kernel counted $1 runs, the program $own (10 execs made)"
	elif [ "$2" -le 0 ] || [ "$2" -ge 1000000 ]; then
		fail "run --cost" "$2 ns per run"
	else
		ok "run --cost: $1 runs, as the program counted them, $2 ns per run"
	fi
	no_progs " count$" "after run --cost"
else
	skip "run --cost: no $TB/attach_tracepoint.bpf.o (make tests)"
fi

# 5. A bad use: one line.
bad "--cost=1" "option --cost takes no argument" --cost=1
exit $((fails > 0))
