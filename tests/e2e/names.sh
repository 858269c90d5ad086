#!/bin/sh
# End-to-end test of how the tools print a name a process chose itself
# (issue 16), run on this machine and inside the VM (busybox sh). The
# workload `named` calls itself FORGER, a newline, a forged event line, a
# screen clear and a bell, and makes one bind, listen and connect. For
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

# run_named NAME [RUNNER...]: the workload as NAME, on a port of its own
# (through RUNNER if given); its pid in $pid.
run_named() {
	nm=$1
	shift
	"$@" "$NAMED" "$nm" $port >"$T/wl" 2>&1
	port=$((port + 1))
	pid=$(sed -n 's/^named: pid \([0-9]*\)$/\1/p' "$T/wl")
}

# shown FILE...: the files with every control byte as '?': a failure
# message must not clear the screen of whoever reads the test log.
shown() { cat "$@" | tr -c '\n -~' '?'; }

# no_controls WHAT FILE: FILE holds only printable ASCII and newlines.
no_controls() {
	n=$(tr -d '\n -~' <"$2" | wc -c | tr -d ' ')
	if [ "$n" -eq 0 ]; then
		ok "$1: no control byte"
	else
		fail "$1" "$n bytes outside printable ASCII: $(od -c "$2" | head -n 20)"
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
		fail "$1 table" "a forged line: $(grep '^9 fake' "$T/out" | tr -c '\n -~' '?')"
	fi
}

# json_check WHAT PID FIELD: PID has exactly one event, with FIELD in it.
json_check() {
	grep "\"pid\":$2," "$T/out" >"$T/ev"
	if [ -n "$2" ] && [ "$(wc -l <"$T/ev")" -eq 1 ] &&
	   grep -qF "$3" "$T/ev"; then
		ok "$1"
	else
		fail "$1" "want one event with $3, got: $(shown "$T/ev" "$T/err")"
	fi
}

for TOOL in bind listen connect; do
	START_ARGS="--backend $BACKEND"
	if [ "$BACKEND" = fexit ] && [ $TOOL != bind ]; then
		continue
	fi
	if start; then
		run_named "$FORGER"
		stop INT
		table_check "$TOOL"
	else
		fail "$TOOL start" "rawtrace did not start"
	fi
	if start -j; then
		run_named "$FORGER"
		p1=$pid
		run_named "$UTF8"
		p2=$pid
		run_named "$NOT_UTF8"
		p3=$pid
		stop INT
		json_check "$TOOL json: comm is the name exactly" "$p1" "$FORGER_JSON"
		json_check "$TOOL json: UTF-8 kept" "$p2" "\"comm\":\"$UTF8\""
		json_check "$TOOL json: not UTF-8 is U+FFFD" "$p3" \
			'"comm":"a\ufffdb"'
	else
		fail "$TOOL start -j" "rawtrace did not start"
	fi
done

# deny-bind: the bind is denied and logged; the command's own output
# passes through untouched, so only the event line is checked.
TOOL=deny-bind
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$cg2" ]; then
	skip "deny-bind: no cgroup2 mount"
	exit 0
fi
run_named "$FORGER" "$RT" deny-bind --port $port --
if grep -q "denied binds are not shown" "$T/wl"; then
	skip "deny-bind: this kernel does not log denied binds"
	exit 0
fi
mv "$T/wl" "$T/out"
: >"$T/err"     # in $T/out
table_check "deny-bind"
run_named "$FORGER" "$RT" deny-bind -j --port $port --
mv "$T/wl" "$T/out"
json_check "deny-bind json: comm is the name exactly" "$pid" "$FORGER_JSON"
run_named "$UTF8" "$RT" deny-bind -j --port $port --
mv "$T/wl" "$T/out"
json_check "deny-bind json: UTF-8 kept" "$pid" "\"comm\":\"$UTF8\""
exit 0
