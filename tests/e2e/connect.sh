#!/bin/sh
# End-to-end test of `rawtrace connect`, run on this machine and inside
# the VM (busybox sh). The workload `connects` makes known TCP connects
# over loopback (accepted, refused, non-blocking, abandoned, and three the
# kernel will not start) and prints the JSON line rawtrace must report for
# each, with -U and --result; every case compares the two.
# Prints ok:/FAIL:/skipped: lines for tests/run.sh.
# usage: connect.sh BACKEND   (env RT: rawtrace, WL: the workload directory)
set -u
BACKEND=$1
RT=${RT:-./rawtrace} WL=${WL:-build/workload}
CONNECTS=$WL/connects BPFPROGS=$WL/bpfprogs
NAME="connect[$BACKEND]" TOOL=connect START_ARGS="--backend $BACKEND"
. "$(dirname "$0")/lib.inc"

# Each workload run takes 20 fresh ports, so a rerun (or the other
# backend in the same VM boot) never meets a port still in use.
next_base=$((20000 + ($$ % 100) * 400))
[ "$BACKEND" = kprobe ] && next_base=$((next_base + 200))
new_base() { base=$next_base; next_base=$((next_base + 20)); }

no_result() { sed 's/,"result":"[^"]*"//' "$1"; }

# 1. --result: every connect, failed ones included, every field right.
new_base
if start -j -U -x -r; then
	"$CONNECTS" $base >"$T/exp" || fail "workload" "connects failed"
	stop INT
	compare "all connects with -x --result" "$T/exp" "$(pid_of "$T/exp")"
	[ $rt_rc -eq 0 ] && ok "exit 0 on SIGINT" || fail "SIGINT" "exit $rt_rc"
	grep -q "events, 0 lost" "$T/err" && ok "lost total printed" ||
		fail "lost total" "$(cat "$T/err")"
else
	fail "start" "rawtrace did not start"
fi

# 2. Without --result: the same lines, no result key (RET 0 for refused).
new_base
if start -j -U -x; then
	"$CONNECTS" $base >"$T/exp1"
	stop TERM
	no_result "$T/exp1" >"$T/exp"
	compare "all connects with -x" "$T/exp" "$(pid_of "$T/exp")"
	[ $rt_rc -eq 0 ] && ok "exit 0 on SIGTERM" || fail "SIGTERM" "exit $rt_rc"
fi

# 3. Without -x connects the kernel would not start are left out.
new_base
if start -j -U -r; then
	"$CONNECTS" $base >"$T/exp1"
	stop INT
	grep '"ret":0,' "$T/exp1" >"$T/exp"
	compare "failed connects dropped without -x" "$T/exp" "$(pid_of "$T/exp")"
fi

# 4. -P: only the listed destination ports (in the kernel).
new_base
if start -j -U -x -r -P $((base + 2)),$((base + 3)); then
	"$CONNECTS" $base >"$T/exp1"
	stop INT
	grep -E "\"dport\":($((base + 2))|$((base + 3)))," "$T/exp1" >"$T/exp"
	compare "-P port filter" "$T/exp" "$(pid_of "$T/exp1")"
fi

# 5. -p: only the given process, while another one connects too.
new_base
mkfifo "$T/go"
( read _ <"$T/go"; exec "$CONNECTS" $base ) >"$T/exp" &
target=$!
new_base
if start -j -U -x -r -p $target; then
	"$CONNECTS" $base >"$T/other"
	echo go >"$T/go"
	wait $target
	stop INT
	compare "-p pid filter" "$T/exp" $target
	[ -z "$(events_of "$(pid_of "$T/other")")" ] && ok "-p hides others" ||
		fail "-p hides others" "saw events of another process"
else
	echo go >"$T/go"
	wait $target
fi

# 6. -u: only one user's connects; the UID column shows it.
new_base
if start -j -U -x -r -u 65534; then
	"$CONNECTS" $base 65534 >"$T/exp"
	new_base
	"$CONNECTS" $base >"$T/other"
	stop INT
	compare "-u uid filter (uid 65534)" "$T/exp" "$(pid_of "$T/exp")"
	[ -z "$(events_of "$(pid_of "$T/other")")" ] && ok "-u hides others" ||
		fail "-u hides others" "saw events of another user"
fi

# 7. The table: header and one line per connect.
new_base
start -U -x -r || fail "start" "rawtrace did not start"
"$CONNECTS" $base >"$T/exp"
stop INT
n=$(grep -c "^0 *[0-9]* *rt-connects " "$T/out")
if head -n 1 "$T/out" | grep -q "^UID *PID *COMM *IP *SADDR *SPORT *DADDR *DPORT *RET *RESULT$" &&
   [ "$n" -eq "$(wc -l <"$T/exp")" ] &&
   grep -q "^0 .* 6  ::1 *$((base + 13)) *::1 *$((base + 2)) *0   refused$" "$T/out"; then
	ok "table output"
else
	fail "table output" "$(cat "$T/out")"
fi

# 8. Killed with SIGKILL while tracing: every attachment dies with
#    rawtrace's fds (kprobe_events entries: with the next run).
kill9 'kp_connect|kret_connect|tp_enter_connec|tp_exit_connect|tp_state' -r

# 9. Nothing of ours is left in the kernel after we exit.
check_cleanup 'kp_connect|kret_connect|tp_enter_connec|tp_exit_connect|tp_state'

# 10. Bad input: one clear line and a non-zero exit.
bad "bad port" "^rawtrace connect: .*70000" -P 70000
bad "bad uid" "^rawtrace connect: .*abc" -u abc
bad "bad backend" "^rawtrace connect: .*foo" --backend foo
bad "stray argument" "^rawtrace connect: .*extra" extra
exit 0
