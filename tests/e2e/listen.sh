#!/bin/sh
# End-to-end test of `rawtrace listen`, run on this machine and inside the
# VM (busybox sh). The workload `listens` makes known listen() calls and
# prints the JSON line rawtrace must report for each (and nothing for the
# calls that never reach inet_listen); every case compares the two.
# Prints ok:/FAIL:/skipped: lines for tests/run.sh.
# usage: listen.sh BACKEND   (env RT: rawtrace, WL: the workload directory)
set -u
BACKEND=$1
RT=${RT:-./rawtrace} WL=${WL:-build/workload}
LISTENS=$WL/listens BPFPROGS=$WL/bpfprogs
NAME="listen[$BACKEND]" TOOL=listen START_ARGS="--backend $BACKEND"
. "$(dirname "$0")/lib.inc"

netns_of() { sed -n 's/.*"netns":\([0-9]*\),.*/\1/p'; }

# 1. Every listen, failed ones included, with every field right; nothing
#    for the calls that never reach inet_listen.
if start -j; then
	"$LISTENS" 47400 >"$T/exp" 2>"$T/wlerr" || cat "$T/wlerr"
	stop INT
	compare "all listens, failures and autobind ports" "$T/exp" \
		"$(pid_of "$T/exp")"
	[ $rt_rc -eq 0 ] && ok "exit 0 on SIGINT" || fail "SIGINT" "exit $rt_rc"
	grep -q "events, 0 lost" "$T/err" && ok "lost total printed" ||
		fail "lost total" "$(cat "$T/err")"
	# The last listen ran in a new network namespace, if one was allowed.
	first=$(head -n 1 "$T/exp" | netns_of)
	last=$(tail -n 1 "$T/exp" | netns_of)
	if grep -q "no new netns" "$T/wlerr"; then
		skip "netns: $(cat "$T/wlerr")"
	elif [ -n "$first" ] && [ "$first" != "$last" ] &&
	     [ "net:[$first]" = "$(readlink /proc/self/ns/net)" ]; then
		ok "netns is the socket's namespace inode"
	else
		fail "netns" "first $first, last $last"
	fi
else
	fail "start" "rawtrace did not start"
fi

# 2. The table: header, and the v6 line with its columns.
if start; then
	"$LISTENS" 47410 >"$T/exp"
	stop TERM
	[ $rt_rc -eq 0 ] && ok "exit 0 on SIGTERM" || fail "SIGTERM" "exit $rt_rc"
	pid=$(pid_of "$T/exp")
	ns=$(head -n 1 "$T/exp" | netns_of)
	want="PID     COMM             RET PROTO BACKLOG NETNS      ADDR            PORT"
	[ "$(head -n 1 "$T/out")" = "$want" ] && ok "table header" ||
		fail "table header" "$(head -n 1 "$T/out")"
	want=$(printf '%-7s %-16s %-3s %-5s %-7s %-10s %-15s %s' "$pid" \
		rt-listens 0 TCPv6 128 "$ns" ::1 47411)
	grep -qxF "$want" "$T/out" && ok "table line" ||
		fail "table line" "no line \"$want\" in: $(cat "$T/out")"
fi

# 3. -p: only the given process, while another one listens too.
mkfifo "$T/go"
( read _ <"$T/go"; exec "$LISTENS" 47420 ) >"$T/exp" 2>/dev/null &
target=$!
if start -j -p $target; then
	"$LISTENS" 47430 >"$T/other" 2>/dev/null
	echo go >"$T/go"
	wait $target
	stop INT
	compare "-p pid filter" "$T/exp" $target
	[ -z "$(events_of "$(pid_of "$T/other")")" ] && ok "-p hides others" ||
		fail "-p hides others" "saw events of another process"
else
	echo go >"$T/go"
fi

# 4. Killed with SIGKILL while tracing: every attachment dies with
#    rawtrace's fds (kprobe_events entries: with the next run).
kill9 'kp_listen|kret_listen|tp_enter_listen|tp_exit_listen'

# 5. Nothing of ours is left in the kernel after we exit.
check_cleanup 'kp_listen|kret_listen|tp_enter_listen|tp_exit_listen'

bad "bad pid" "abc" -p abc
bad "pid 0" "pid" -p 0
bad "unknown backend" "uprobe" --backend uprobe
bad "buffer pages not a power of two" "power of two" -b 3
bad "extra argument" "sleep" sleep
exit 0
