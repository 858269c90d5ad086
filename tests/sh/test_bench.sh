#!/bin/sh
# make bench's scripts and helpers, in seconds and without timing anything:
# the scripts parse; rusage reports the exit status and passes SIGINT on;
# floorload (as root) attaches the empty tracepoint programs and takes
# them out again at SIGINT. The benchmarks themselves are `make bench`.
set -u
cd "$(dirname "$0")/../.." || exit 1
W=build/workload B=build/bench
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok: bench $1"; }
fail() { echo "FAIL: bench $1: $2"; }

for s in tests/bench/*.sh; do
	if sh -n "$s" 2>"$T/e"; then ok "$s parses"; else fail "$s" "$(cat "$T/e")"; fi
done

# rusage: one line "user_us sys_us rss_kib status", and CMD's status.
$W/rusage "$T/ru" sh -c 'exit 3'
rc=$?
if [ $rc -eq 3 ] && grep -qE '^[0-9]+ [0-9]+ [0-9]+ 3$' "$T/ru"; then
	ok "rusage reports the exit status"
else
	fail "rusage" "exit $rc, wrote: $(cat "$T/ru" 2>/dev/null)"
fi
$W/rusage "$T/ru" sleep 30 &
p=$!
sleep 0.2
kill -INT $p
wait $p
rc=$?
if [ $rc -eq 130 ] && grep -qE ' 130$' "$T/ru"; then
	ok "rusage passes SIGINT on"
else
	fail "rusage SIGINT" "exit $rc, wrote: $(cat "$T/ru" 2>/dev/null)"
fi

# floorload: what it needs is said, and the floor comes and goes.
$B/floorload >/dev/null 2>&1
[ $? -eq 2 ] && ok "floorload without arguments: usage, exit 2" ||
	fail "floorload usage" "did not exit 2"
if [ "$(id -u)" -ne 0 ] || { [ ! -d /sys/kernel/tracing/events/syscalls ] &&
   [ ! -d /sys/kernel/debug/tracing/events/syscalls ]; }; then
	echo "skipped: bench floorload attach: needs root and syscall tracepoints"
	exit 0
fi
$B/floorload $B/floor.bpf.o floor_enter floor_exit 2>"$T/e" &
p=$!
i=0
while ! grep -q 'attached' "$T/e" && kill -0 $p 2>/dev/null && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.05
done
n=$($W/bpfprogs | grep -cE ' floor_(enter|exit)$')
if grep -q '2 programs attached' "$T/e" && [ "$n" -eq 2 ]; then
	ok "floorload attaches floor_enter and floor_exit"
else
	fail "floorload attach" "$n of 2 loaded; said: $(cat "$T/e")"
fi
kill -INT $p
wait $p
rc=$?
i=0
while $W/bpfprogs | grep -qE ' floor_(enter|exit)$' && [ $i -lt 30 ]; do
	i=$((i + 1))
	sleep 0.1
done
if [ $rc -eq 0 ] && ! $W/bpfprogs | grep -qE ' floor_'; then
	ok "floorload takes the floor out at SIGINT"
else
	fail "floorload stop" "exit $rc; left: $($W/bpfprogs | grep floor_ | tr '\n' ' ')"
fi
