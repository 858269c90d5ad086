#!/bin/sh
# End-to-end test of how the tools print a name a process chose itself
# (issue 16), run on this machine and inside the VM (busybox sh). The
# workload `named` calls itself FORGER, a newline, a forged event line, a
# screen clear and a bell, and makes one bind, listen and connect (then
# again under other names, for JSON), traced alone with -p. For
# bind, listen, connect (with BACKEND) and deny-bind: the table has
# exactly one line for it, the name escaped in it, and no control byte
# at all; JSON's comm is the name exactly; a UTF-8 name comes through JSON
# whole, and a byte that is not UTF-8 as \ufffd.
# Prints ok:/FAIL:/skipped: lines for tests/run.sh.
# usage: names.sh BACKEND   (env RT: rawtrace, WL: the workload directory)
# deny-bind has one backend: its cases run for each BACKEND alike.
set -u
BACKEND=$1
RT=${RT:-./rawtrace} WL=${WL:-build/workload}
NAMED=$WL/named BPFPROGS=$WL/bpfprogs
NAME="names[$BACKEND]" TOOL=bind START_ARGS=""
. "$(dirname "$0")/lib.inc"

# 13 bytes (a comm keeps 15), and how the table and JSON must show them.
FORGER=$(printf 'e\n9 fake\033[2J\007')
FORGER_TEXT='e\n9 fake\x1b[2J\x07'
FORGER_JSON='"comm":"e\u000a9 fake\u001b[2J\u0007"'
UTF8=$(printf '\303\251\342\234\223')          # é✓
NOT_UTF8=$(printf 'a\377b')

case $BACKEND in
fexit) port=47800 ;;
kprobe) port=47830 ;;
*) port=47860 ;;
esac

# spawn PORT NAME...: the workload, started but waiting on a fifo until
# go, so that rawtrace traces it alone (-p $pid), whatever else on the
# machine binds meanwhile; NAME i makes its calls on port PORT+i.
spawn() {
	rm -f "$T/go"
	mkfifo "$T/go"
	( read _ <"$T/go"; exec "$NAMED" "$@" ) >"$T/wl" 2>&1 &
	pid=$!
}
go() { echo go >"$T/go"; wait $pid; }

named_pid() { sed -n 's/^named: pid \([0-9]*\)$/\1/p' "$1"; }

# shown FILE...: the files with every control byte as '?': a failure
# message must not clear the screen of whoever reads the test log.
shown() { cat "$@" | tr -c '\n -~' '?'; }

# no_controls WHAT FILE: FILE holds only printable ASCII and newlines.
no_controls() {
	n=$(tr -d '\n -~' <"$2" | wc -c | tr -d ' ')
	if [ "$n" -eq 0 ]; then
		ok "$1: no control byte"
	else
		fail "$1" "$n bytes not printable ASCII: $(od -c "$2" | head -n 20)"
	fi
}

# table_check WHAT: $T/out has exactly one line for $pid, which shows the
# name escaped, and no line the name forged.
table_check() {
	no_controls "$1 table" "$T/out"
	no_controls "$1 stderr" "$T/err"
	lines=$(grep -c "^$pid " "$T/out")
	if [ -n "$pid" ] && [ "$lines" -eq 1 ] &&
	   grep "^$pid " "$T/out" | grep -qF "$FORGER_TEXT"; then
		ok "$1 table: one line, the name escaped"
	else
		fail "$1 table" "$lines lines for pid '$pid': $(od -c "$T/out" | head -n 20)"
	fi
	if grep -q '^9 fake' "$T/out"; then
		grep '^9 fake' "$T/out" >"$T/forged"
		fail "$1 table" "a forged line: $(shown "$T/forged")"
	fi
}

# json_check WHAT PORT FIELD: $pid has exactly one event on PORT ("port"
# or "dport"), with FIELD in it.
json_check() {
	grep -E "\"pid\":$pid,.*port\":$2[,}]" "$T/out" >"$T/ev"
	if [ -n "$pid" ] && [ "$(wc -l <"$T/ev")" -eq 1 ] &&
	   grep -qF "$3" "$T/ev"; then
		ok "$1"
	else
		fail "$1" "want one event with $3, got: $(shown "$T/ev" "$T/err")"
	fi
}

for TOOL in bind listen connect; do
	if [ "$BACKEND" = fexit ] && [ $TOOL != bind ]; then
		continue
	fi
	START_ARGS="--backend $BACKEND"
	spawn $port "$FORGER"
	if start -p $pid; then
		go
		stop INT
		table_check "$TOOL"
	else
		go
		fail "$TOOL start" "rawtrace did not start"
	fi
	port=$((port + 1))
	spawn $port "$FORGER" "$UTF8" "$NOT_UTF8"
	if start -j -p $pid; then
		go
		stop INT
		json_check "$TOOL json: comm is the name exactly" $port \
			"$FORGER_JSON"
		json_check "$TOOL json: UTF-8 kept" $((port + 1)) \
			"\"comm\":\"$UTF8\""
		json_check "$TOOL json: not UTF-8 is U+FFFD" $((port + 2)) \
			'"comm":"a\ufffdb"'
	else
		go
		fail "$TOOL start -j" "rawtrace did not start"
	fi
	port=$((port + 3))
done

# deny-bind: the binds are denied and logged; the command's own output
# (named's lines) passes through untouched, in the same file.
TOOL=deny-bind
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$cg2" ]; then
	skip "deny-bind: no cgroup2 mount"
	exit 0
fi
"$RT" deny-bind --port $port -- "$NAMED" $port "$FORGER" >"$T/out" 2>&1
if grep -q "denied binds are not shown" "$T/out"; then
	skip "deny-bind: this kernel does not log denied binds"
	exit 0
fi
pid=$(named_pid "$T/out")
: >"$T/err"     # in $T/out
table_check "deny-bind"
port=$((port + 1))
"$RT" deny-bind -j --port $port,$((port + 1)) -- \
	"$NAMED" $port "$FORGER" "$UTF8" >"$T/out" 2>&1
jsonl
pid=$(named_pid "$T/out")
json_check "deny-bind json: comm is the name exactly" $port "$FORGER_JSON"
json_check "deny-bind json: UTF-8 kept" $((port + 1)) "\"comm\":\"$UTF8\""
exit 0
