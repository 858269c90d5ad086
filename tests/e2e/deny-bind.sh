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
TB=$WL/trybind BPFPROGS=$WL/bpfprogs CGPROGS=$WL/cgprogs
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
	rmdir "$A" "$B" "$cg2/rawtrace-deny-bind-$$" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# The event line of trybind's bind, as rawtrace must print it (no "ts").
want() {   # file-with-trybind-line action proto addr port
	pid=$(sed -n 's/^trybind: pid \([0-9]*\) .*/\1/p' "$1" | head -n 1)
	echo "{\"pid\":$pid,\"tid\":$pid,\"comm\":\"trybind\",\"action\":\"$2\",\"proto\":\"$3\",\"addr\":\"$4\",\"port\":$5}"
}

events() { grep '^{' "$1" | sed 's/"ts":[0-9]*,//' | unscoped; }

# Runs `rawtrace deny-bind -j ARGS` to the end; out/err in $T, rc in rt_rc.
run() {
	# shellcheck disable=SC2086
	"$RT" deny-bind -j $START_ARGS "$@" >"$T/out" 2>"$T/err"
	rt_rc=$?
	jsonl
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
	jsonl
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

# alive PID: the process exists and is not a zombie (orphans are not
# reaped on every host: a pid 1 that is not an init leaves zombies).
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
		! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}
# gone PID...: waits up to 5 s for every PID to be gone.
gone() {
	i=0
	for p in "$@"; do
		while alive "$p"; do
			i=$((i + 1))
			[ $i -gt 50 ] && return 1
			sleep 0.1
		done
	done
}
# written FILE...: waits up to 10 s for every FILE to have something in it.
written() {
	i=0
	for f in "$@"; do
		while [ ! -s "$f" ]; do
			i=$((i + 1))
			[ $i -gt 100 ] && return 1
			sleep 0.1
		done
	done
}
# The command of the cases below: it leaves a daemon (double fork, setsid,
# its pid in $T/dpid) and waits ($T/cpid), or with "exit" exits. Run as
# cmd=$(daemon_cmd) before the command starts, so the old pid files are
# gone by then.
daemon_cmd() {
	rm -f "$T/dpid" "$T/cpid"
	tail="exec sleep 1000"
	[ "${1:-}" = exit ] && tail="while [ ! -s $T/dpid ]; do sleep 0.1; done; exit 5"
	echo "( setsid sh -c 'echo \$\$ >$T/dpid; exec sleep 1000' </dev/null >/dev/null 2>&1 & ); echo \$\$ >$T/cpid; $tail"
}
# With --explain rawtrace names its guardian: has it exited, its job done?
guardian_gone() {
	g=$(sed -n 's/.*# guardian \([0-9]*\) .*/\1/p' "$T/err")
	if [ -z "$g" ]; then
		fail "$1: guardian" "not named: $(tail -n 3 "$T/err")"
	elif gone "$g"; then
		ok "$1: the guardian has exited"
	else
		fail "$1: guardian" "pid $g still runs"
	fi
}
# Is the cgroup of deny-bind pid $1 gone, and the command and its daemon?
all_gone() {   # case rawtrace-pid
	if gone "$(cat "$T/cpid")" "$(cat "$T/dpid")"; then
		ok "$1: the command and its daemon are gone"
	else
		fail "$1" "still running: $(cat "$T/cpid" "$T/dpid" | tr '\n' ' ')$(tail -n 5 "$T/err")"
	fi
	i=0
	while [ -d "$cg2/rawtrace-deny-bind-$2" ] && [ $i -lt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	[ ! -d "$cg2/rawtrace-deny-bind-$2" ] && ok "$1: its cgroup is gone" ||
		fail "$1" "cgroup rawtrace-deny-bind-$2 left"
}

# 10. Killed with SIGKILL, --cgroup: the policy goes with rawtrace's fds
#     (cgroup links), so binds in the cgroup work again.
if mkdir -p "$A"; then
	rm -f "$T/err"     # not the last run's start-up line
	"$RT" deny-bind --cgroup "$A" >"$T/out" 2>"$T/err" &
	rt=$!
	i=0
	while ! grep -q "Ctrl-C to stop" "$T/err" 2>/dev/null && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	sh -c "echo \$\$ >$A/cgroup.procs && exec $TB 4 127.0.0.1 47460" >"$T/in_a"
	rc_a=$?
	kill -9 $rt
	wait $rt 2>/dev/null
	[ $rc_a -eq 1 ] && ok "--cgroup, kill -9: denied before" ||
		fail "--cgroup, kill -9: before" "exit $rc_a: $(cat "$T/in_a" "$T/err")"
	i=0
	while [ -n "$("$CGPROGS" "$A")" ] && [ $i -lt 30 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	left=$("$CGPROGS" "$A" | tr '\n' ' ')
	[ -z "$left" ] && ok "--cgroup, kill -9: nothing attached to the cgroup" ||
		fail "--cgroup, kill -9: attached" "$left"
	sh -c "echo \$\$ >$A/cgroup.procs && exec $TB 4 127.0.0.1 47461" >"$T/in_a"
	rc_a=$?
	[ $rc_a -eq 0 ] && ok "--cgroup, kill -9: a bind in the cgroup works" ||
		fail "--cgroup, kill -9: policy left" "$(cat "$T/in_a")"
else
	skip "--cgroup, kill -9: cannot make cgroups under $cg2"
fi

# 11. Killed with SIGKILL, -- CMD: the guardian kills the command and what
#     it daemonised, and removes the cgroup.
cmd=$(daemon_cmd)
"$RT" --explain deny-bind -- sh -c "$cmd" >"$T/out" 2>"$T/err" &
rt=$!
if written "$T/cpid" "$T/dpid"; then
	kill -9 $rt
	wait $rt 2>/dev/null
	all_gone "-- CMD, kill -9" $rt
	guardian_gone "-- CMD, kill -9"
else
	fail "-- CMD, kill -9" "the command did not start: $(cat "$T/err")"
	kill -9 $rt
fi

# 12. SIGKILL to rawtrace's whole process group (as a Ctrl-C goes to it):
#     the guardian, in a session of its own, is not hit and cleans up.
cmd=$(daemon_cmd)
setsid "$RT" deny-bind -- sh -c "$cmd" >"$T/out" 2>"$T/err" &
rt=$!
if written "$T/cpid" "$T/dpid"; then
	pgid=$(sed 's/.*) //' "/proc/$rt/stat" | cut -d' ' -f3)
	if [ "$pgid" = "$rt" ]; then
		kill -KILL -"$rt"
		wait $rt 2>/dev/null
		all_gone "kill -9 to the process group" $rt
	else
		skip "kill -9 to the process group: setsid forked (pgid $pgid)"
		kill -9 $rt
	fi
else
	fail "kill -9 to the process group" "the command did not start: $(cat "$T/err")"
	kill -9 $rt
fi

# 13. The command exits and leaves a daemon: killed too, before the
#     policy goes (nothing from the cgroup outlives it).
cmd=$(daemon_cmd exit)
"$RT" --explain deny-bind -- sh -c "$cmd" >"$T/out" 2>"$T/err" &
rt=$!
wait $rt
rc=$?
[ $rc -eq 5 ] && ok "command left a daemon: its exit status" ||
	fail "command left a daemon" "exit $rc: $(tail -n 3 "$T/err")"
all_gone "command left a daemon" $rt
guardian_gone "command left a daemon"
if grep -q 'bpf(BPF_LINK_CREATE, {prog_fd=[0-9]*, target_fd=[0-9]*, attach_type=BPF_CGROUP_INET4_POST_BIND, flags=0x0}, [0-9]*) = [0-9]' "$T/err"; then
	ok "--explain: the cgroup link, decoded"
else
	fail "--explain: BPF_LINK_CREATE" "$(grep LINK_CREATE "$T/err")"
fi

# 14. A later run removes the cgroups of rawtraces that died, when nothing
#     holds their policy any more, and kills what runs there; a cgroup
#     whose rawtrace lives, or whose policy is still held, stays.
sh -c 'exit 0' &
dead=$!
wait $dead
S="$cg2/rawtrace-deny-bind-$dead" L="$cg2/rawtrace-deny-bind-$$"
if mkdir "$S" "$L"; then
	sh -c "echo \$\$ >$S/cgroup.procs && exec sleep 1000" </dev/null >/dev/null 2>&1 &
	sp=$!
	i=0
	while ! grep -q . "$S/cgroup.procs" && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	"$RT" deny-bind -- true >/dev/null 2>"$T/err"
	if gone $sp && [ ! -d "$S" ]; then
		ok "stale cgroup: its process killed, removed"
	else
		fail "stale cgroup" "$(ls -d "$S" 2>/dev/null) $(cat "$T/err")"
		kill -9 $sp 2>/dev/null
	fi
	grep -q "killed them" "$T/err" && ok "stale cgroup: said so" ||
		fail "stale cgroup: message" "$(cat "$T/err")"
	[ -d "$L" ] && ok "cgroup of a live rawtrace kept" ||
		fail "live cgroup" "removed"
	# Dead owner, but the policy still held (as by a guardian at work).
	mkdir "$S"
	rm -f "$T/err"
	"$RT" deny-bind --cgroup "$S" >/dev/null 2>"$T/err" &
	rt=$!
	i=0
	while ! grep -q "Ctrl-C to stop" "$T/err" 2>/dev/null && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	"$RT" deny-bind -- true >/dev/null 2>&1
	[ -d "$S" ] && ok "stale cgroup with its policy held: kept" ||
		fail "held cgroup" "removed"
	kill -INT $rt
	wait $rt
	rmdir "$S" "$L" 2>/dev/null
else
	skip "stale cgroups: cannot make cgroups under $cg2"
fi

# 15. Every bind the policy refused until it was removed is an event or
#     counted lost, at every kind of stop: rawtrace detaches first and
#     drains the ring after. denyloop binds in a tight loop through the
#     stop and counts its EPERMs (each one a run of the program, and each
#     run an EPERM) until a bind works: the exact figure to hold
#     "N events, M lost" against.
DL=$WL/denyloop
# accounted CASE: rawtrace's summary against denyloop's count in $T/count.
accounted() {
	if ! written "$T/count"; then
		fail "$1" "denyloop wrote no count: $(tail -n 3 "$T/err")"
		kill -9 "$(cat "$T/lpid" 2>/dev/null)" 2>/dev/null
		return
	fi
	denied=$(cat "$T/count")
	ev=$(sed -n 's/.*: \([0-9]*\) events, [0-9]* lost$/\1/p' "$T/err")
	lost=$(sed -n 's/.*: [0-9]* events, \([0-9]*\) lost$/\1/p' "$T/err")
	lines=$(grep -c '^{' "$T/out")
	if [ -n "$ev" ] && [ "$denied" -gt 0 ] &&
	   [ $((ev + lost)) -eq "$denied" ] && [ "$lines" -eq "$ev" ]; then
		ok "$1: $ev events + $lost lost = $denied binds refused"
	else
		fail "$1" "${ev:-?} events ($lines lines) + ${lost:-?} lost, $denied binds refused: $(tail -n 2 "$T/err")"
	fi
}
# loop_in CGROUP: denyloop in CGROUP, its pid in $T/lpid; waits for its
# first EPERM, and a little longer, so that the stop comes mid-loop.
loop_in() {
	rm -f "$T/count" "$T/count.run"
	sh -c "echo \$\$ >$1/cgroup.procs && exec $DL $T/count" </dev/null &
	echo $! >"$T/lpid"
	i=0
	while [ ! -e "$T/count.run" ] && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	sleep 0.2
}
# cgroup_stop CASE SIGNAL|-d: --cgroup, stopped by the signal or by -d 1.
cgroup_stop() {
	rm -f "$T/err"
	dur=""
	[ "$2" = -d ] && dur="-d 1"
	# shellcheck disable=SC2086
	"$RT" deny-bind -j $START_ARGS $dur --cgroup "$A" >"$T/out" 2>"$T/err" &
	rt=$!
	i=0
	while ! grep -q "Ctrl-C to stop" "$T/err" 2>/dev/null && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	loop_in "$A"
	[ "$2" != -d ] && kill -"$2" $rt
	wait $rt
	rc=$?
	jsonl
	[ $rc -eq 0 ] || fail "$1: exit" "$rc: $(tail -n 2 "$T/err")"
	accounted "$1"
}
if mkdir -p "$A"; then
	cgroup_stop "stop by SIGINT" INT
	cgroup_stop "stop by SIGTERM" TERM
	cgroup_stop "stop by -d" -d
else
	skip "stops: cannot make cgroups under $cg2"
fi
# The command ends while a process it started binds on, with sockets made
# in the command's cgroup, from outside it (-m: so that it is not killed
# at the end): the stop is the command's exit.
rm -f "$T/count" "$T/count.run" "$T/err"
# shellcheck disable=SC2086
# The wait is bounded, and ends when the loop has died (not built, say):
# a loop that never started must fail the check, not hang the suite.
"$RT" deny-bind -j $START_ARGS -- sh -c "$DL -m $cg2 $T/count & l=\$!; echo \$l >$T/lpid; i=0; while [ ! -e $T/count.run ] && kill -0 \$l 2>/dev/null && [ \$i -lt 200 ]; do i=\$((i + 1)); sleep 0.05; done; sleep 0.3" >"$T/out" 2>"$T/err"
rc=$?
jsonl
[ $rc -eq 0 ] || fail "stop by the command's end: exit" "$rc: $(tail -n 2 "$T/err")"
accounted "stop by the command's end"

# 16. A root command can move a process out of its cgroup: from then on
#     its binds are not denied and it is not killed at the end (the nature
#     of a cgroup policy). The guardian says so, naming pid and comm.
rm -f "$T/mpid" "$T/hold"
mkfifo "$T/hold"
"$RT" deny-bind -- sh -c "sh -c 'echo \$\$ >$cg2/cgroup.procs; echo \$\$ >$T/mpid; read x <$T/hold' & sleep 1" >"$T/out" 2>"$T/err" &
rt=$!
wait $rt
mp=$(cat "$T/mpid" 2>/dev/null)
if [ -n "$mp" ] && grep -q "^rawtrace deny-bind: pid $mp (sh) left cgroup $cg2/rawtrace-deny-bind-$rt: its binds are not denied any more" "$T/err"; then
	ok "a process that left the cgroup: said so"
else
	fail "a process that left the cgroup" "pid ${mp:-?}: $(cat "$T/err")"
fi
alive "$mp" && ok "a process that left the cgroup: not killed" ||
	fail "a process that left the cgroup" "killed"
[ -n "$mp" ] && echo >"$T/hold"
gone "$mp"
# The same, the mover being the last of 1000 children: their pids take
# more than 4 KiB of /proc/PID/task/TID/children, which the guardian
# must read to the end (and no process outside may be named instead).
rm -f "$T/mpid"
# The command waits (up to 60 s) for the guardian's line: one look at 1000
# processes takes far longer than the 20 ms between looks in a TCG VM, and a
# command that ended first would end the watch before it saw the move.
# shellcheck disable=SC2016
"$RT" deny-bind -- sh -c "i=0; while [ \$i -lt 1000 ]; do sleep 30 & i=\$((i + 1)); done; sh -c 'echo \$\$ >$cg2/cgroup.procs; echo \$\$ >$T/mpid; read x <$T/hold' & i=0; while ! grep -q ' left cgroup ' $T/err && [ \$i -lt 600 ]; do i=\$((i + 1)); sleep 0.1; done; sleep 0.5" >"$T/out" 2>"$T/err" &
rt=$!
wait $rt
mp=$(cat "$T/mpid" 2>/dev/null)
if [ -n "$mp" ] && [ "$(grep -c " left cgroup " "$T/err")" -eq 1 ] &&
   grep -q "^rawtrace deny-bind: pid $mp (sh) left cgroup $cg2/rawtrace-deny-bind-$rt: " "$T/err"; then
	ok "a process that left the cgroup, the last of 1000 children: said so"
else
	fail "a process that left the cgroup, the last of 1000 children" "pid ${mp:-?}: $(grep -v "^rawtrace deny-bind: killed" "$T/err")"
fi
[ -n "$mp" ] && echo >"$T/hold"
gone "$mp"

# 17. Nothing of ours is left in the kernel.
check_cleanup 'deny_bind4|deny_bind6'

# 18. Bad input: one clear line and a non-zero exit.
bad "port 70000" 70000 --port 70000 -- true
bad "missing cgroup" "No such file" --cgroup "$cg2/rawtrace-no-such-cgroup"
bad "not cgroup v2" "not a cgroup v2" --cgroup /proc
bad "no command after --" "no command" --
bad "neither cgroup nor command" "no cgroup"
bad "IPv6 address with -4" "IPv6" -4 --addr ::1 -- true
exit 0
