#!/bin/sh
# End-to-end test of the scope filters and of where events say they came
# from (issue 24), run on this machine and inside the VM (busybox sh):
# cgroups made by hand, named as Docker names them (systemd's
# docker-ID.scope and cgroupfs' /docker/ID), the runtimes' records of
# container names made by hand where this machine has none, and a network
# namespace made with unshare -n; the workload `scopeop` makes one bind, listen or
# connect inside and outside them. Each filter must keep exactly the
# inside events; "cgroup_id", "cgroup", "container" and "netns" must be
# what the file system says.
# Prints ok:/FAIL:/skipped: lines for tests/run.sh.
# usage: scope.sh BACKEND   (env RT: rawtrace, WL: the workload directory;
# BACKEND kprobe or tracepoint, or auto for each tool's own choice)
set -u
BACKEND=$1
RT=${RT:-./rawtrace} WL=${WL:-build/workload}
OP=$WL/scopeop BPFPROGS=$WL/bpfprogs CGPROGS=$WL/cgprogs
NAME="scope[$BACKEND]" TOOL=bind START_ARGS="-j"
[ "$BACKEND" = auto ] || START_ARGS="$START_ARGS --backend $BACKEND"
. "$(dirname "$0")/lib.inc"
case $BACKEND in kprobe) port0=48300 ;; tracepoint) port0=48100 ;; *) port0=48500 ;; esac

cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$cg2" ]; then
	skip "all: no cgroup2 mount"
	exit 0
fi
# Container ids: 64 hex digits, ours by the pid.
ID=$(printf 'a2e%061d' $$)
ID2=$(printf 'b2e%061d' $$)
ID3=$(printf 'c2e%060d' $$)     # and a last digit: two containers
SYSD="/rawtrace-e2e-$$.slice/docker-$ID.scope"   # Docker, systemd driver
CGFS="/rawtrace-e2e-$$/docker/$ID2"              # Docker, cgroupfs driver
OTHER="/rawtrace-e2e-$$-other"
ns_pid=""
cleanup() {
	[ -n "$ns_pid" ] && kill "$ns_pid" 2>/dev/null
	for d in "$SYSD/child" "$SYSD" "${SYSD%/*}" "$CGFS" "${CGFS%/*}" \
		 "${CGFS%/*/*}" "$OTHER" "/rawtrace-e2e-$$-amb/docker-${ID3}1.scope" \
		 "/rawtrace-e2e-$$-amb/docker-${ID3}2.scope" "/rawtrace-e2e-$$-amb"; do
		rmdir "$cg2$d" 2>/dev/null
	done
	for d in $made; do rm -rf "$d"; done
	rm -rf "$T"
}
trap cleanup EXIT
for d in "$SYSD/child" "$CGFS" "$OTHER"; do
	mkdir -p "$cg2$d" || { fail "setup" "mkdir $cg2$d"; exit 0; }
done

# in CGROUP OP PORT: the workload in that cgroup (under the mount);
# its output into $T/op.CGROUP-less name.
in_cg() {
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg2$1" \
		"$OP" "$2" "$3"
}
op_pid() { sed -n 's/^scopeop: pid \([0-9]*\)$/\1/p' "$1"; }

# The pids of the events in $T/out, one per line, sorted.
event_pids() { sed -n 's/.*"pid":\([0-9]*\),.*/\1/p' "$T/out" | sort -u; }

# kept WHAT WANT-PIDS: the events are from exactly these processes.
kept() {
	got=$(event_pids | tr '\n' ' ')
	want=$(echo "$2" | tr ' ' '\n' | sort -u | tr '\n' ' ')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "$1: exactly the inside events"
	else
		fail "$1" "events of pids [$got], want [$want]: $(head -c 600 "$T/out")"
	fi
}

# key_is WHAT PID KEY VALUE: PID's first event has "KEY":VALUE (VALUE as
# JSON: a number, null or a quoted string).
key_is() {
	line=$(grep "\"pid\":$2," "$T/out" | head -n 1)
	case $line in
	*"\"$3\":$4,"* | *"\"$3\":$4}"*) ok "$1: \"$3\" is $4" ;;
	*) fail "$1" "want \"$3\":$4 in: $line" ;;
	esac
}

cg_id() { stat -c %i "$cg2$1"; }

# ---- -c and --container, each tool ----------------------------------------
n=0
for tool in bind listen connect; do
	TOOL=$tool
	b=$START_ARGS
	# fexit is bind's alone: listen and connect pick their own
	case $BACKEND in fexit) START_ARGS="-j" ;; esac
	for how in "-c $cg2$SYSD" "-c $SYSD" "--container ${ID%??????????????????????????????????????????????????????}"; do
		n=$((n + 1))
		port=$((port0 + n))
		# shellcheck disable=SC2086
		if ! start $how; then
			fail "$tool $how" "rawtrace did not start"
			continue
		fi
		in_cg "$SYSD" "$tool" "$port" >"$T/in" 2>&1
		in_cg "$SYSD/child" "$tool" $((port + 40)) >"$T/child" 2>&1
		in_cg "$OTHER" "$tool" $((port + 80)) >"$T/other" 2>&1
		"$OP" "$tool" $((port + 120)) >"$T/out_op" 2>&1
		stop INT
		kept "$tool $how" "$(op_pid "$T/in") $(op_pid "$T/child")"
		[ "$(op_pid "$T/other")" ] && [ "$(op_pid "$T/out_op")" ] ||
			fail "$tool $how" "workload: $(cat "$T/other" "$T/out_op")"
	done
	# where it came from: the path, the id, the container
	p=$(op_pid "$T/in")
	key_is "$tool" "$p" cgroup "\"$SYSD\""
	key_is "$tool" "$p" cgroup_id "$(cg_id "$SYSD")"
	key_is "$tool" "$p" container "\"$ID\""
	p=$(op_pid "$T/child")
	key_is "$tool below a container" "$p" container "\"$ID\""
	START_ARGS=$b
done

# The cgroupfs driver's naming, and an event from no container.
TOOL=bind
n=$((n + 1))
if start --container "$ID2"; then
	in_cg "$CGFS" bind $((port0 + n)) >"$T/in" 2>&1
	stop INT
	p=$(op_pid "$T/in")
	kept "bind --container (cgroupfs)" "$p"
	key_is "bind (cgroupfs)" "$p" container "\"$ID2\""
	key_is "bind (cgroupfs)" "$p" cgroup "\"$CGFS\""
else
	fail "bind --container (cgroupfs)" "rawtrace did not start"
fi
# Names, as each runtime records them: a record made by hand for the
# cgroupfs container ($ID2), where that runtime's store is absent here
# (a real runtime's files are left alone, and that name is skipped).
NAMED="docker storage nerdctl" made=""
name_record() {     # name_record RUNTIME NAME ID: 0 if made
	case $1 in
	docker) root=/var/lib/docker
		d=$root/containers/$3
		set -- "$d/config.v2.json" "{\"ID\":\"$3\",\"Name\":\"/$2\",\"State\":{}}" ;;
	storage) root=/var/lib/containers
		d=$root/storage/overlay-containers
		set -- "$d/containers.json" "[{\"id\":\"$ID\",\"names\":[\"other-$2\"]},{\"id\":\"$3\",\"names\":[\"$2-x\",\"$2\"],\"image\":\"\"}]" ;;
	nerdctl) root=/var/lib/nerdctl
		d=$root/1935db59/names/default
		set -- "$d/$2" "$3" ;;
	esac
	[ -e "$root" ] && case " $made " in *" $root "*) ;; *) return 1 ;; esac
	mkdir -p "$d" && printf '%s\n' "$2" >"$1" && made="$made $root"
}
for rt in $NAMED; do
	n=$((n + 1))
	if ! name_record $rt "e2e-$rt-$$" "$ID2"; then
		skip "bind --container NAME ($rt): this machine has its own $rt records"
	elif start --container "e2e-$rt-$$"; then
		in_cg "$CGFS" bind $((port0 + n)) >"$T/in" 2>&1
		stop INT
		kept "bind --container NAME ($rt)" "$(op_pid "$T/in")"
	else
		fail "bind --container NAME ($rt)" "rawtrace did not start: $(cat "$T/err")"
	fi
done
n=$((n + 1))
if start; then
	in_cg "$OTHER" bind $((port0 + n)) >"$T/in" 2>&1
	stop INT
	p=$(op_pid "$T/in")
	key_is "bind (no container)" "$p" container null
	key_is "bind (no container)" "$p" cgroup "\"$OTHER\""
fi

# -C: CONTAINER (12 digits) and CGROUP in the table
n=$((n + 1))
START_ARGS=${START_ARGS#-j}
if start -C --container "$ID2"; then
	in_cg "$CGFS" bind $((port0 + n)) >"$T/in" 2>&1
	stop INT
	short=$(echo "$ID2" | cut -c1-12)
	if head -n 1 "$T/out" | grep -q ' CONTAINER  *CGROUP$' &&
	   grep -q " $short  *$CGFS\$" "$T/out"; then
		ok "bind -C: CONTAINER and CGROUP columns"
	else
		fail "bind -C" "$(cat "$T/out")"
	fi
fi
START_ARGS="-j${START_ARGS}"

# ---- --netns ------------------------------------------------------------------
unshare -n sleep 60 &
ns_pid=$!
sleep 0.3
if ! kill -0 "$ns_pid" 2>/dev/null || ! nsenter -t "$ns_pid" -n ip link set lo up 2>/dev/null; then
	skip "--netns: unshare -n, nsenter or ip missing or refused"
else
	ino=$(stat -L -c %i "/proc/$ns_pid/ns/net")
	for tool in bind listen connect; do
		TOOL=$tool
		b=$START_ARGS
		case $BACKEND in fexit) START_ARGS="-j" ;; esac
		for ns in "/proc/$ns_pid/ns/net" "$ino"; do
			n=$((n + 1))
			port=$((port0 + n))
			if ! start --netns "$ns"; then
				fail "$tool --netns $ns" "rawtrace did not start"
				continue
			fi
			nsenter -t "$ns_pid" -n "$OP" "$tool" "$port" >"$T/in" 2>&1
			"$OP" "$tool" $((port + 40)) >"$T/out_op" 2>&1
			stop INT
			kept "$tool --netns $ns" "$(op_pid "$T/in")"
			key_is "$tool --netns" "$(op_pid "$T/in")" netns "$ino"
		done
		START_ARGS=$b
	done
	# without the filter, an event outside says the host's netns
	TOOL=bind
	n=$((n + 1))
	if start; then
		"$OP" bind $((port0 + n)) >"$T/out_op" 2>&1
		stop INT
		key_is "bind (host netns)" "$(op_pid "$T/out_op")" netns \
			"$(stat -L -c %i /proc/self/ns/net)"
	fi
fi

# ---- deny-bind --container -------------------------------------------------
TOOL=deny-bind
n=$((n + 1))
# started by hand: it says "denying", not "tracing"
"$RT" deny-bind -j --container "$ID2" >"$T/out" 2>"$T/err" &
rt_pid=$!
i=0
while ! grep -q "denying" "$T/err" && [ $i -lt 300 ] && kill -0 $rt_pid 2>/dev/null; do
	i=$((i + 1))
	sleep 0.1
done
if grep -q "denying" "$T/err"; then
	in_cg "$CGFS" bind $((port0 + n)) >"$T/in" 2>&1
	rc_in=$?
	"$OP" bind $((port0 + n + 40)) >"$T/out_op" 2>&1
	rc_out=$?
	stop INT
	if [ $rc_in -ne 0 ] && [ $rc_out -eq 0 ]; then
		ok "deny-bind --container: denied inside only"
	else
		fail "deny-bind --container" "inside $rc_in, outside $rc_out"
	fi
	p=$(op_pid "$T/in")
	key_is "deny-bind" "$p" container "\"$ID2\""
	key_is "deny-bind" "$p" cgroup_id "$(cg_id "$CGFS")"
else
	fail "deny-bind --container" "did not start: $(cat "$T/err")"
	kill $rt_pid 2>/dev/null
fi

# ---- bad input: one line each, nothing loaded left --------------------------
TOOL=bind
bad "-c missing" "cgroup /nonexistent-cg: No such file or directory" -c /nonexistent-cg -d 1
bad "-c not cgroup v2" "not a cgroup v2 directory" -c /proc -d 1
bad "-c and --container" "not both" -c "$cg2$SYSD" --container "$ID" -d 1
bad "--container none" "container \"nosuchcontainer\": no cgroup under" --container nosuchcontainer -d 1
mkdir -p "$cg2/rawtrace-e2e-$$-amb/docker-${ID3}1.scope" "$cg2/rawtrace-e2e-$$-amb/docker-${ID3}2.scope"
bad "--container two" "container \"$ID3\": 2 cgroups match" --container "$ID3" -d 1
# one name, two runtimes, two containers
if name_record docker "e2e-dup-$$" "$ID2" && name_record nerdctl "e2e-dup-$$" "$ID"; then
	bad "--container a name two runtimes know" "container \"e2e-dup-$$\": 2 cgroups match" --container "e2e-dup-$$" -d 1
else
	skip "--container a name two runtimes know: this machine has its own records"
fi
bad "--netns not netns" "netns /proc/self/ns/uts: not a network namespace" --netns /proc/self/ns/uts -d 1
bad "--netns missing" "netns /nonexistent-ns: No such file or directory" --netns /nonexistent-ns -d 1
bad "--netns no such inode" "netns 12345: no process is in" --netns 12345 -d 1
TOOL=packets
bad "packets -c" "" -c "$cg2$SYSD" -d 1
TOOL=deny-bind
bad "deny-bind --container none" "no cgroup under" --container nosuchcontainer
no_progs "bind_|listen|connect|deny_bind" "after the bad inputs"
[ $fails -eq 0 ]
