#!/bin/sh
# End-to-end test of `rawtrace packets`, run on this machine and inside the
# VM (busybox sh). The workload `packets` sends known packets on lo and
# prints the JSON line rawtrace must report for each; every case checks
# that each of those lines shows up exactly once (lo carries every packet
# twice: once is the dedup working), and that filters let nothing else by.
# Prints ok:/FAIL: lines for tests/run.sh.
# usage: packets.sh BACKEND   (env RT: rawtrace, WL: the workload directory)
# `packets` has no backends (a socket filter works on every kernel): BACKEND
# only names the run and moves the ports, so two runs never share one.
set -u
BACKEND=$1
RT=${RT:-./rawtrace} WL=${WL:-build/workload}
PACKETS=$WL/packets BPFPROGS=$WL/bpfprogs
NAME="packets[$BACKEND]" TOOL=packets START_ARGS="-j"
. "$(dirname "$0")/lib.inc"
case $BACKEND in kprobe) port0=47600 ;; *) port0=47400 ;; esac

# Runs the workload on ports from $1; its expected lines go to $T/exp.
workload() {
	if ! "$PACKETS" "$1" >"$T/exp" 2>"$T/wl_err"; then
		fail "workload" "$(cat "$T/wl_err")"
	fi
	sed 's/"ts":[0-9]*,//' "$T/out" >"$T/got" 2>/dev/null
}

# Each line of file $2 must be in the output exactly once.
each_once() {   # name expected-file
	if [ ! -s "$2" ]; then
		fail "$1" "workload reported nothing"
		return
	fi
	sed 's/"ts":[0-9]*,//' "$T/out" >"$T/got"
	bad=""
	while IFS= read -r line; do
		n=$(grep -c -x -F "$line" "$T/got")
		[ "$n" -eq 1 ] || bad="$bad
  seen $n times: $line"
	done <"$2"
	if [ -z "$bad" ]; then
		ok "$1"
	else
		fail "$1" "$bad"
	fi
}

# Every output line must match the extended regex $2.
only() {   # name regex
	if grep -v -E "$2" "$T/got" >"$T/extra"; then
		fail "$1" "lines that should have been filtered out:
$(head -n 5 "$T/extra")"
	else
		ok "$1"
	fi
}

# Bytes queued on rawtrace's AF_PACKET socket (/proc/net/packet Rmem).
queued() {
	for f in /proc/$rt_pid/fd/*; do
		l=$(readlink "$f" 2>/dev/null) || continue
		case $l in socket:\[*\]) ;; *) continue ;; esac
		ino=${l#socket:[}
		ino=${ino%]}
		awk -v i="$ino" '$9 == i { print $7 }' /proc/net/packet
	done
}

p=$port0

# 1. Every packet, every field, once; nothing queued on the tap.
if start; then
	workload $p
	q=$(queued)
	stop INT
	each_once "each packet once, every field right" "$T/exp"
	if [ "$q" = 0 ]; then
		ok "nothing queued on the AF_PACKET socket"
	else
		fail "queue" "Rmem of rawtrace's packet socket: '$q'"
	fi
	[ $rt_rc -eq 0 ] && ok "exit 0 on SIGINT" || fail "SIGINT" "exit $rt_rc"
	grep -q "events, 0 lost" "$T/err" && ok "lost total printed" ||
		fail "lost total" "$(cat "$T/err")"
else
	fail "start" "rawtrace did not start"
fi

# 2. Filters, all applied in the BPF program.
filter_case() {   # name expected-regex only-regex options...
	name=$1 want=$2 keep=$3
	shift 3
	p=$((p + 20))
	if start "$@"; then
		workload $p
		stop TERM
		grep -E "$want" "$T/exp" >"$T/expf"
		each_once "$name: its packets" "$T/expf"
		only "$name: nothing else" "$keep"
	else
		fail "$name" "rawtrace did not start"
	fi
}
# What could not be parsed ("unparsed":1) passes --proto and --port.
U='|"unparsed":1'
filter_case "--proto udp" "\"proto\":\"UDP\"$U" "\"proto\":\"UDP\"$U" \
	--proto udp
filter_case "--proto icmp6" "\"proto\":\"ICMPv6\"$U" "\"proto\":\"ICMPv6\"$U" \
	--proto icmp6
q=$((p + 20 + 1))
filter_case "--port $q" "\"[sd]port\":$q,$U" "\"[sd]port\":$q,$U" --port $q
filter_case "--host ::1" '"::1"' '"[sd]addr":"::1"' --host ::1
filter_case "--host 127.0.0.1 --proto tcp" '"TCP","saddr":"127.0.0.1"' \
	'"proto":"TCP".*"127\.0\.0\.1"' --host 127.0.0.1 --proto tcp
# A SYN whose first IPv4 fragment holds only the 8 bytes of TCP with the
# ports: shown with its ports (and the kernel's answer).
q=$((p + 20 + 14))
filter_case "--port $q, first fragment with 8 bytes of TCP" \
	"\"[sd]port\":$q,$U" "\"[sd]port\":$q,$U" --port $q
# A SYN behind 7 IPv6 destination options headers: unparsed, and kept by
# --port and --proto tcp.
q=$((p + 20 + 16))
filter_case "--port $q, SYN behind 7 destination options" \
	"\"[sd]port\":$q,$U" "\"[sd]port\":$q,$U" --port $q
filter_case "--proto tcp" "\"proto\":\"TCP\"$U" "\"proto\":\"TCP\"$U" \
	--proto tcp

# 3. -i any: lo's packets still once each, named lo.
p=$((p + 20))
if start -i any; then
	workload $p
	stop INT
	each_once "-i any" "$T/exp"
fi

# 4. The table.
p=$((p + 20))
rm -f "$T/out" "$T/err"
"$RT" packets -d 2 >"$T/out" 2>"$T/err" &
rt_pid=$!
sleep 1
"$PACKETS" $p >/dev/null
wait $rt_pid
lo4='127\.0\.0\.1'
if grep -q "^IF  *PROTO  *SOURCE  *DESTINATION  *LEN  *INFO" "$T/out" &&
   grep -Eq "^lo +UDP +127\.0\.0\.1:$p +-> +127\.0\.0\.1:$((p + 1)) +38$" \
	"$T/out" &&
   grep -Eq "^lo +ICMPv6 +::1 +-> +::1 +64 +type 128 code 0$" "$T/out" &&
   grep -Eq "^lo +UDP +::1 +-> +::1 +72 +frag$" "$T/out" &&
   grep -Eq "^lo +TCP +$lo4:$((p + 15)) +-> +$lo4:$((p + 14)) +28 +frag$" \
	"$T/out" &&
   grep -Eq "^lo +60 +::1 +-> +::1 +116 +unparsed$" "$T/out"; then
	ok "table output, -d stops"
else
	fail "table" "$(head -n 20 "$T/out") $(cat "$T/err")"
fi

# 4b. key=value: what JSON writes null is "-" there.
p=$((p + 20))
rm -f "$T/out" "$T/err"
"$RT" packets -o kv -d 2 >"$T/out" 2>"$T/err" &
rt_pid=$!
sleep 1
"$PACKETS" $p >/dev/null
wait $rt_pid
if grep -q " proto=UDP saddr=127\.0\.0\.1 sport=$p daddr=127\.0\.0\.1 dport=$((p + 1)) icmp_type=- icmp_code=- " "$T/out" &&
   grep -q " proto=ICMPv6 saddr=::1 sport=- daddr=::1 dport=- icmp_type=128 icmp_code=0 " "$T/out" &&
   grep -q " proto=60 saddr=::1 sport=- daddr=::1 dport=- icmp_type=- icmp_code=- .* unparsed=1$" "$T/out"; then
	ok "key=value: - for no port, no ICMP type"
else
	fail "key=value" "$(head -n 20 "$T/out") $(cat "$T/err")"
fi

# 5. The interface deleted while tracing: exit 1 within a few seconds, with
#    one line naming it (after the "tracing" line). Up, the tap also gets
#    a socket error; down, it gets none. It ends as a signal does: the
#    filter detached, then the ring read to the end (--explain says so).
gone_case() {   # up|down [--explain]
	dev=rtpk$$ name="interface deleted while tracing ($1${2:+ $2})"
	if ! ip link add "$dev" type veth peer name "${dev}p" 2>/dev/null; then
		skip "$name: no veth here"
		return
	fi
	[ "$1" = up ] && ip link set "$dev" up
	# shellcheck disable=SC2086
	if ! start -i "$dev" ${2:-}; then
		ip link del "$dev"
		fail "$name" "rawtrace did not start"
		return
	fi
	ip link del "$dev"
	i=0
	while kill -0 $rt_pid 2>/dev/null && [ $i -lt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	if kill -0 $rt_pid 2>/dev/null; then
		stop INT
		fail "$name" "still running 5 s later"
		return
	fi
	wait $rt_pid
	rt_rc=$?
	jsonl
	gone_line="rawtrace packets: interface $dev: deleted while tracing"
	if [ -n "${2:-}" ]; then
		if [ $rt_rc -eq 1 ] && [ "$(tail -n 1 "$T/err")" = "$gone_line" ] &&
		   grep -q "detached: reading what the programs sent before" \
			"$T/err"; then
			ok "$name: detached, then the ring read"
		else
			fail "$name" "exit $rt_rc: $(tail -n 5 "$T/err")"
		fi
	elif [ $rt_rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 2 ] &&
	   grep -qx "$gone_line" "$T/err"; then
		ok "$name: exit 1, one line"
	else
		fail "$name" "exit $rt_rc: $(cat "$T/err")"
	fi
}
gone_case up
gone_case down
gone_case up --explain

# 6. --netns: the tap is made in that network namespace, so it sees that
#    namespace's lo and nothing of ours. The workload runs inside (its
#    ports p..p+19: each line once) and then outside on other ports: no
#    line may have one of those, nor come twice (ICMP, fragments, unparsed
#    carry no port). Needs unshare, nsenter and ip (busybox has them).
netns_traffic() {   # name netns-arg
	p=$((p + 40))
	if ! start --netns "$2"; then
		fail "$1" "rawtrace did not start"
		return
	fi
	nsenter -t "$ns_pid" -n "$PACKETS" $p >"$T/exp" 2>"$T/wl_err" ||
		fail "$1: workload inside" "$(cat "$T/wl_err")"
	"$PACKETS" $((p + 20)) >/dev/null 2>"$T/wl_err" ||
		fail "$1: workload outside" "$(cat "$T/wl_err")"
	stop INT
	each_once "$1: the namespace's packets, each once" "$T/exp"
	outside=$(sed -n 's/.*"sport":\([0-9]*\),.*"dport":\([0-9]*\),.*/\1 \2/p' \
		"$T/got" | awk -v lo=$p -v hi=$((p + 19)) \
		'$1 < lo || $1 > hi || $2 < lo || $2 > hi' | head -n 3)
	if [ -z "$outside" ]; then
		ok "$1: nothing from outside the namespace"
	else
		fail "$1" "ports from outside: $outside"
	fi
	if grep -q "tracing lo of network namespace $ns_ino " "$T/err"; then
		ok "$1: says which namespace"
	else
		fail "$1: the tracing line" "$(cat "$T/err")"
	fi
	no_progs 'packets$' "after $1"
}

netns_iface() {   # our end, the namespace's end
	name="--netns -i IFACE of the namespace"
	if ! start --netns /proc/$ns_pid/ns/net -i "$2"; then
		fail "$name" "rawtrace did not start"
		return
	fi
	ip link set "$1" up
	nsenter -t $ns_pid -n ip link set "$2" up
	i=0
	while ! grep -q '"if":' "$T/out" && [ $i -lt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	stop INT
	if ! grep -q '"if":' "$T/out"; then
		skip "$name: no packet came on it (IPv6 off?)"
	elif grep -v "\"if\":\"$2\"" "$T/out" >"$T/extra"; then
		fail "$name" "other names: $(head -n 3 "$T/extra")"
	else
		ok "$name: found there, named in the events"
	fi
}

netns_cases() {
	for c in unshare nsenter ip; do
		if ! command -v $c >/dev/null; then
			skip "--netns: no $c here"
			return
		fi
	done
	unshare -n sleep 600 &
	ns_pid=$!
	i=0
	while [ "$(readlink /proc/$ns_pid/ns/net)" = "$(readlink /proc/$$/ns/net)" ] &&
	      [ $i -lt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	ns_ino=$(readlink /proc/$ns_pid/ns/net | sed 's/[^0-9]//g')
	if [ "$(readlink /proc/$ns_pid/ns/net)" = "$(readlink /proc/$$/ns/net)" ] ||
	   ! nsenter -t $ns_pid -n ip link set lo up; then
		kill $ns_pid
		skip "--netns: could not make a network namespace with lo up"
		return
	fi
	netns_traffic "--netns /proc/PID/ns/net" /proc/$ns_pid/ns/net
	netns_traffic "--netns INODE" "$ns_ino"

	# -i is looked up in the namespace: a veth end moved there is found
	# and the events name it (asked of the tap, not of our namespace,
	# where its index is nobody's or another's); the end we keep is not
	# found. Its packets: what IPv6 sends on a link that comes up (MLD
	# reports, router solicitations). busybox's ip takes netns PID, not
	# a path, and names the peer itself (vethN): read from "DEV@PEER:".
	dev=rtpn$$
	if ip link add "$dev" type veth peer name "${dev}p" 2>/dev/null &&
	   peer=$(ip -o link show "$dev" |
		  sed -n 's/^[0-9]*: [^@]*@\([^:]*\):.*/\1/p') &&
	   [ -n "$peer" ] && ip link set "$peer" netns $ns_pid; then
		bad "--netns, -i of ours" "interface \"$dev\": no such interface" \
			--netns /proc/$ns_pid/ns/net -i "$dev" -d 2
		netns_iface "$dev" "$peer"
	else
		skip "--netns -i IFACE: no veth here"
	fi
	ip link del "$dev" 2>/dev/null
	# Entering takes CAP_SYS_ADMIN: without it, one line and nothing
	# loaded (busybox's setpriv has no --bounding-set).
	drop="--inh-caps=-sys_admin --bounding-set=-sys_admin"
	# shellcheck disable=SC2086
	if setpriv $drop true 2>/dev/null; then
		name="--netns without CAP_SYS_ADMIN"
		# shellcheck disable=SC2086
		if setpriv $drop "$RT" packets --netns /proc/$ns_pid/ns/net \
			-d 1 >/dev/null 2>"$T/e"; then
			fail "$name" "accepted"
		elif [ "$(wc -l <"$T/e")" -eq 1 ] &&
		     grep -q "cannot enter it: setns: " "$T/e"; then
			ok "$name: one line"
		else
			fail "$name" "$(cat "$T/e")"
		fi
		no_progs 'packets$' "after setns failed"
	else
		skip "--netns without CAP_SYS_ADMIN: no setpriv --bounding-set"
	fi
	kill $ns_pid
	wait $ns_pid 2>/dev/null
}
netns_cases
bad "--netns of a UTS namespace" "not a network namespace" \
	--netns /proc/self/ns/uts -d 2
bad "--netns of a missing file" "netns /nonexistent/net: " \
	--netns /nonexistent/net -d 2
bad "--netns of an inode no namespace has" "no process is in" --netns 1 -d 2
no_progs 'packets$' "after --netns was refused"

# 7. Killed with SIGKILL while tracing: every attachment dies with
#    rawtrace's fds (kprobe_events entries: with the next run).
kill9 'packets$'

# 8. Nothing of ours is left in the kernel after we exit.
check_cleanup 'packets$'

bad "unknown interface" "nosuchif0" -i nosuchif0
bad "port 70000" "70000" --port 70000
bad "bad host" "1.2.3" --host 1.2.3
bad "unknown protocol" "sctp" --proto sctp
bad "-p" "no -p" -p 1
bad "--backend" "no --backend" --backend kprobe
bad "extra argument" "foo" foo
exit 0
