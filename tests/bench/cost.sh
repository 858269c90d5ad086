#!/bin/sh
# What --cost itself costs: the kernel's run-time statistics add two
# clock reads to every run of every BPF program while they are on. The
# same storm of N binds (build/workload/bindstorm -w) is traced by
# `rawtrace bind -p PID` without and with --cost, alternately, REPS
# rounds; the figure is the median over rounds of the ratio of the two
# storm rates in the same round (rates swing with the machine's load; a
# ratio of neighbours swings less). Also the ns per run --cost reports,
# and, steadier, what the statistics add to one run of an empty program
# as the kernel times it (build/workload/statscost: BPF_PROG_TEST_RUN
# with and without them). Not a test: it prints figures.
# Usage: cost.sh   (env N, default 300000; REPS, default 7)
set -eu
cd "$(dirname "$0")/../.."
N=${N:-300000} REPS=${REPS:-7} RT=./rawtrace W=build/workload
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run [--cost]: one traced storm; prints its rate (binds/s).
run() {
	$W/bindstorm -w "$N" >$tmp/rate &
	storm=$!
	$RT bind -p $storm "$@" >/dev/null 2>$tmp/err &
	tracer=$!
	until grep -qs "tracing with" $tmp/err; do sleep 0.01; done
	sleep 0.2
	kill -USR1 $storm
	wait $storm
	kill -INT $tracer
	wait $tracer
	cat $tmp/rate
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "cost.sh: $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $REPS rounds of $N binds"
r=0
while [ $r -lt "$REPS" ]; do
	r=$((r + 1))
	plain=$(run)
	cost=$(run --cost)
	grep "cost: tp_exit_bind\|cost: tp_enter_bind" $tmp/err | sed 's/^rawtrace bind: cost: //' >>$tmp/ns
	echo "$plain $cost" | awk -v r=$r '{ printf "round %d: %d binds/s without --cost, %d with, ratio %.3f\n", r, $1, $2, $2 / $1 }' |
		tee -a $tmp/rounds
done
echo "median ratio (with / without): $(awk '{ print $NF }' $tmp/rounds | median)"
for p in tp_enter_bind tp_exit_bind; do
	echo "$p: median ns per run $(grep "^$p:" $tmp/ns | sed 's/.* runs, \([0-9]*\) ns per run.*/\1/' | median)"
done
$W/statscost
