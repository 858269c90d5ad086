#!/bin/sh
# End-to-end test of `rawtrace deny-bind`, run on this machine and inside
# the VM (busybox sh): the cases of the kernel selftest test_sock.c ("bind4
# reject all" and friends) with the workload `trybind`, which makes one
# bind and exits 0 (bound), 1 (EPERM) or 2 (other error).
# Prints ok:/FAIL:/skipped: lines for tests/run.sh.
# usage: deny-bind.sh BACKEND   (env RT: rawtrace, WL: the workload directory)
# deny-bind has one backend (cgroup post_bind hooks): BACKEND only labels
# the lines, and the same cases run for each.
set -u
BACKEND=$1
RT=${RT:-./rawtrace} WL=${WL:-build/workload}
TB=$WL/trybind BPFPROGS=$WL/bpfprogs
NAME="deny-bind[$BACKEND]" TOOL=deny-bind START_ARGS=""
. "$(dirname "$0")/lib.inc"

cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$cg2" ]; then
	skip "all: no cgroup2 mount"
	rm -rf "$T"
	exit 0
fi
A="$cg2/rawtrace-test-deny-a-$$" B="$cg2/rawtrace-test-deny-b-$$"
cleanup() {
	rmdir "$A" "$B" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# The event line of trybind's bind, as rawtrace must print it (no "ts").
want() {   # file-with-trybind-line action proto addr port
	pid=$(sed -n 's/^trybind: pid \([0-9]*\) .*/\1/p' "$1" | head -n 1)
	echo "{\"pid\":$pid,\"tid\":$pid,\"comm\":\"trybind\",\"action\":\"$2\",\"proto\":\"$3\",\"addr\":\"$4\",\"port\":$5}"
}

events() { grep '^{' "$1" | sed 's/"ts":[0-9]*,//'; }

# Runs `rawtrace deny-bind -j ARGS` to the end; out/err in $T, rc in rt_rc.
run() {
	# shellcheck disable=SC2086
	"$RT" deny-bind -j $START_ARGS "$@" >"$T/out" 2>"$T/err"
	rt_rc=$?
}

# Does an event for this command's bind match, and nothing else came?
check_event() {   # case action proto addr port
	want "$T/out" "$2" "$3" "$4" "$5" >"$T/want"
	events "$T/out" >"$T/got"
	if diff "$T/want" "$T/got" >"$T/diff"; then
		ok "$1: event"
	else
		fail "$1: event" "$(cat "$T/diff" "$T/err")"
	fi
}

# 1. Reject all, IPv4 (the selftest's "bind4 reject all"): EPERM, the
#    exit status of the command passed through, one event.
run -- "$TB" 4 127.0.0.1 47400
if [ $rt_rc -eq 1 ] && grep -q 'errno 1 ' "$T/out"; then
	ok "reject all v4: EPERM, exit status 1 passed on"
else
	fail "reject all v4" "exit $rt_rc: $(cat "$T/out" "$T/err")"
fi
check_event "reject all v4" denied TCP 127.0.0.1 47400

# 2. Reject all, IPv6, UDP, port 0: the event shows the port it got.
run -- "$TB" 6 ::1 0 udp
if [ $rt_rc -eq 1 ] && grep -q 'errno 1 ' "$T/out"; then
	ok "reject all v6 udp: EPERM"
else
	fail "reject all v6 udp" "exit $rt_rc: $(cat "$T/out" "$T/err")"
fi
port=$(events "$T/out" | sed -n 's/.*"port":\([0-9]*\)}$/\1/p')
if [ -n "$port" ] && [ "$port" -gt 0 ]; then
	check_event "reject all v6 udp, port 0" denied UDP ::1 "$port"
else
	fail "reject all v6 udp, port 0: event" "$(cat "$T/out")"
fi

# 3. --port: other ports are allowed ("bind4 allow specific port" turned
#    around); a v4-mapped bind on an IPv6 socket counts too.
run --port 47410 -- sh -c "$TB 4 127.0.0.1 47411; $TB 4 127.0.0.1 47410; $TB 6 ::1 47412"
if grep -q 'bind 127.0.0.1 47411 tcp: ok' "$T/out" &&
   grep -q 'bind 127.0.0.1 47410 tcp: errno 1 ' "$T/out" &&
   grep -q 'bind ::1 47412 tcp: ok' "$T/out"; then
	ok "--port: 47411 allowed, 47410 denied"
else
	fail "--port" "$(cat "$T/out" "$T/err")"
fi
grep 'bind 127.0.0.1 47410' "$T/out" >"$T/one"
want "$T/one" denied TCP 127.0.0.1 47410 >"$T/want"
events "$T/out" >"$T/got"
diff "$T/want" "$T/got" >/dev/null && ok "--port: one event, for 47410" ||
	fail "--port: events" "$(cat "$T/got")"

# 4. --addr, -4 and -6 pick what is denied.
run --addr 127.0.0.1 -- sh -c "$TB 4 127.0.0.1 47420; $TB 4 0.0.0.0 47421; $TB 6 ::ffff:127.0.0.1 47422"
if grep -q '127.0.0.1 47420 tcp: errno 1 ' "$T/out" &&
   grep -q '0.0.0.0 47421 tcp: ok' "$T/out" &&
   grep -q '::ffff:127.0.0.1 47422 tcp: errno 1 ' "$T/out"; then
	ok "--addr: only that address (v4-mapped too)"
else
	fail "--addr" "$(cat "$T/out" "$T/err")"
fi
run -6 -- sh -c "$TB 4 127.0.0.1 47430; $TB 6 ::1 47431"
if grep -q '127.0.0.1 47430 tcp: ok' "$T/out" &&
   grep -q '::1 47431 tcp: errno 1 ' "$T/out"; then
	ok "-6: IPv4 allowed, IPv6 denied"
else
	fail "-6" "$(cat "$T/out" "$T/err")"
fi
run -4 -- sh -c "$TB 4 127.0.0.1 47432; $TB 6 ::1 47433"
if grep -q '127.0.0.1 47432 tcp: errno 1 ' "$T/out" &&
   grep -q '::1 47433 tcp: ok' "$T/out"; then
	ok "-4: IPv4 denied, IPv6 allowed"
else
	fail "-4" "$(cat "$T/out" "$T/err")"
fi

# 5. --audit: nothing is denied, the would-be denials are logged.
run --audit --port 47440 -- sh -c "$TB 4 127.0.0.1 47440 && $TB 4 127.0.0.1 47441"
if [ $rt_rc -eq 0 ] && grep -q '47440 tcp: ok' "$T/out"; then
	ok "--audit: bind allowed"
else
	fail "--audit" "exit $rt_rc: $(cat "$T/out" "$T/err")"
fi
grep 'bind 127.0.0.1 47440' "$T/out" >"$T/one"
want "$T/one" audit TCP 127.0.0.1 47440 >"$T/want"
events "$T/out" >"$T/got"
diff "$T/want" "$T/got" >/dev/null && ok "--audit: logged as audit" ||
	fail "--audit: events" "$(cat "$T/got")"

# 6. Exit status of the command: a code, and 128+n for a signal.
run -- sh -c 'exit 7'
[ $rt_rc -eq 7 ] && ok "exit status 7 passed on" || fail "exit 7" "got $rt_rc"
run -- sh -c 'kill -TERM $$'
[ $rt_rc -eq 143 ] && ok "killed by SIGTERM: 143" ||
	fail "signal status" "got $rt_rc"

# 7. SIGTERM to rawtrace goes to the command; rawtrace still cleans up.
"$RT" deny-bind -- sh -c 'echo started; exec sleep 30' >"$T/out" 2>"$T/err" &
rt=$!
i=0
while ! grep -q started "$T/out" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM $rt
wait $rt
rc=$?
[ $rc -eq 143 ] && ok "SIGTERM passed to the command" ||
	fail "SIGTERM passed on" "exit $rc: $(cat "$T/err")"

# 8. The command's cgroup is gone once rawtrace exits.
left=$(ls -d "$cg2"/rawtrace-deny-bind-* 2>/dev/null)
[ -z "$left" ] && ok "command cgroups removed" || fail "cgroup left" "$left"

# 9. --cgroup: siblings are not affected, and the policy is gone after exit.
if mkdir "$A" "$B"; then
	# shellcheck disable=SC2086
	"$RT" deny-bind -j $START_ARGS --cgroup "$A" >"$T/out" 2>"$T/err" &
	rt=$!
	i=0
	while ! grep -q "Ctrl-C to stop" "$T/err" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $rt 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	sh -c "echo \$\$ >$A/cgroup.procs && exec $TB 4 127.0.0.1 47450" >"$T/in_a"
	rc_a=$?
	sh -c "echo \$\$ >$B/cgroup.procs && exec $TB 4 127.0.0.1 47451" >"$T/in_b"
	rc_b=$?
	sleep 0.5     # events are flushed at least every 100 ms
	kill -INT $rt
	wait $rt
	rt_rc=$?
	[ $rc_a -eq 1 ] && ok "--cgroup: denied in the cgroup" ||
		fail "--cgroup: in the cgroup" "exit $rc_a: $(cat "$T/in_a" "$T/err")"
	[ $rc_b -eq 0 ] && ok "--cgroup: sibling cgroup unaffected" ||
		fail "--cgroup: sibling" "exit $rc_b: $(cat "$T/in_b")"
	[ $rt_rc -eq 0 ] && ok "--cgroup: exit 0 on SIGINT" ||
		fail "--cgroup: SIGINT" "exit $rt_rc"
	want "$T/in_a" denied TCP 127.0.0.1 47450 >"$T/want"
	events "$T/out" >"$T/got"
	diff "$T/want" "$T/got" >/dev/null && ok "--cgroup: one event, from the cgroup" ||
		fail "--cgroup: events" "$(cat "$T/got")"
	sh -c "echo \$\$ >$A/cgroup.procs && exec $TB 4 127.0.0.1 47452" >"$T/in_a"
	rc_a=$?
	[ $rc_a -eq 0 ] && ok "--cgroup: policy gone after exit" ||
		fail "--cgroup: policy left" "$(cat "$T/in_a")"
	# -d ends it by itself.
	"$RT" deny-bind --cgroup "$A" -d 1 >/dev/null 2>"$T/err"
	rc=$?
	[ $rc -eq 0 ] && ok "--cgroup -d 1: exit 0" || fail "-d" "exit $rc: $(cat "$T/err")"
else
	skip "--cgroup: cannot make cgroups under $cg2"
fi

# 10. Nothing of ours is left in the kernel.
check_cleanup 'deny_bind4|deny_bind6'

# 11. Bad input: one clear line and a non-zero exit.
bad "port 70000" 70000 --port 70000 -- true
bad "missing cgroup" "No such file" --cgroup "$cg2/rawtrace-no-such-cgroup"
bad "not cgroup v2" "not a cgroup v2" --cgroup /proc
bad "no command after --" "no command" --
bad "neither cgroup nor command" "no cgroup"
bad "IPv6 address with -4" "IPv6" -4 --addr ::1 -- true
exit 0
