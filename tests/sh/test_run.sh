#!/bin/sh
# rawtrace run OBJ.o on this kernel, as root: our test objects and, where
# tests/diff/extract-libbpf-tools.sh has put them in build/libbpf-tools/,
# Debian's libbpf-tools objects. What it says it loaded and attached, the
# records its rings count with a workload running, the exit status
# (--strict too), that nothing of it is left in the kernel afterwards
# (programs, links, maps, pins), and bad input: one line, non-zero.
set -u
cd "$(dirname "$0")/../.." || exit 1
RT=./rawtrace TB=build/bpf/tests LB=build/libbpf-tools WL=build/workload
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok: run $1"; }
fail() { echo "FAIL: run $1: $2"; }
skip() { echo "skipped: run $1"; }

if [ "$(id -u)" -ne 0 ]; then
	skip "needs root"
	exit 0
fi

# expect_error NAME PATTERN CMD...: a non-zero exit and one stderr line
# matching PATTERN.
expect_error() {
	name=$1 pattern=$2
	shift 2
	"$@" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -eq 0 ]; then
		fail "$name" "exit 0: $(cat "$T/err")"
	elif [ "$(wc -l <"$T/err")" -ne 1 ]; then
		fail "$name" "expected one line, got: $(cat "$T/err")"
	elif ! grep -q -- "$pattern" "$T/err"; then
		fail "$name" "no '$pattern' in: $(cat "$T/err")"
	else
		ok "$name"
	fi
}

expect_error "not an object: one line" "rawtrace run: " $RT run -d 1 /etc/passwd
expect_error "no such file: one line" "rawtrace run: .*nosuch" \
	$RT run -d 1 "$T/nosuch.bpf.o"
expect_error "no object given" "no OBJ.o given" $RT run -d 1
expect_error "unknown --prog" "--prog nosuch: no such program" \
	$RT run -d 1 --prog nosuch "$TB/minimal.bpf.o"
expect_error "unknown --skip" "--skip nosuch: no such program" \
	$RT run -d 1 --skip nosuch "$TB/minimal.bpf.o"
expect_error "--set without =" "not VAR=VALUE" \
	$RT run -d 1 --set nothing "$TB/minimal.bpf.o"
expect_error "--set of no variable" "no global variable nosuch" \
	$RT run -d 1 --set nosuch=1 "$TB/minimal.bpf.o"
# --set takes only what fits the variable: not a 16-byte integer (its
# value parsed into 8 bytes, 16 copied), not " -1" for an unsigned
# (strtoull skips the space and negates it into 2^64 - 1).
expect_error "--set of an __int128" "wide: a 16-byte integer: not settable" \
	$RT run -d 1 --set wide=1 "$TB/set_types.bpf.o"
expect_error "--set ' -1' of a __u64" 'big_u64: " -1" is not a value' \
	$RT run -d 1 --set "big_u64= -1" "$TB/set_types.bpf.o"
expect_error "--set 2^64 of a __u64" "is not a value of its type" \
	$RT run -d 1 --set big_u64=18446744073709551616 "$TB/set_types.bpf.o"
# A data map's size is its section's: a bigger value_size copied the
# heap after the section's bytes into the map.
expect_error "--set of a data map's size" "map set_type.rodata is global data" \
	$RT run -d 1 --set map.set_type.rodata.value_size=64 "$TB/set_types.bpf.o"
# A uprobe's file that is a FIFO (here stdin, with a writer that never
# writes): refused in one line, not read until the writer goes.
mkfifo "$T/fifo"
exec 3<>"$T/fifo"
timeout 20 $RT run -d 1 "$TB/uprobe_stdin.bpf.o" <"$T/fifo" >/dev/null 2>"$T/err"
rc=$?
exec 3>&-
[ $rc -eq 0 ] && grep -q "uprobe: /dev/stdin: a FIFO, not a regular file" "$T/err" &&
	ok "uprobe on a FIFO: refused, no wait" ||
	fail "uprobe on a FIFO" "exit $rc: $(cat "$T/err")"
expect_error "struct_ops refused" "map rt_ops: struct_ops maps are not supported" \
	$RT run -d 1 "$TB/struct_ops.bpf.o"

# run_obj NAME SECONDS OBJ [OPTIONS...] [-- WORKLOAD...]: runs rawtrace
# run, the workload beside it, into $T/out (stderr) and $rc.
run_obj() {
	name=$1 secs=$2 obj=$3
	shift 3
	opts=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		opts="$opts $1"
		shift
	done
	[ $# -gt 0 ] && shift
	# shellcheck disable=SC2086
	$RT run -d "$secs" $opts "$obj" >/dev/null 2>"$T/out" &
	pid=$!
	sleep 1
	[ $# -gt 0 ] && "$@" >/dev/null 2>&1
	wait $pid
	rc=$?
}

# minimal.bpf.o: one tracepoint program, no ring.
run_obj minimal 2 "$TB/minimal.bpf.o"
if [ $rc -eq 0 ] && grep -q "handle_bind (tracepoint/syscalls/sys_enter_bind): loaded, attached" "$T/out" &&
   grep -q "1 programs loaded, 1 attached" "$T/out"; then
	ok "minimal: loaded, attached, exit 0"
else
	fail "minimal" "exit $rc: $(cat "$T/out")"
fi

# A verifier rejection: the log's tail with the C line (the object's BTF
# and line info were loaded); no program loaded at all is an error.
$RT run -d 1 "$TB/bad_verifier.bpf.o" >/dev/null 2>"$T/out"
rc=$?
if [ $rc -ne 0 ] && grep -q "load refused: .*verifier rejected" "$T/out" &&
   grep -q "@ bad_verifier.bpf.c:[0-9]" "$T/out" &&
   grep -q "no program could be loaded" "$T/out"; then
	ok "verifier rejection: the source line, non-zero exit"
else
	fail "verifier rejection" "exit $rc: $(cat "$T/out")"
fi
# The tail ends where the log ends: the verifier's reason and its
# "processed N insns" line whole, however long the lines before them
# (a kernel that annotates each line with register state, this one and
# 6.12, filled the message and cut the reason off).
$RT run -d 1 "$TB/bad_btf_kinds.bpf.o" >/dev/null 2>"$T/out"
if grep -q "^    invalid bpf_context access off=4000 size=4\$" "$T/out" &&
   grep -q "^    processed [0-9]* insns" "$T/out"; then
	ok "verifier rejection: the log's last lines whole"
else
	fail "verifier rejection: the log's last lines" "$(cat "$T/out")"
fi

# The ids of the programs named $2.. that are loaded now, one a line.
prog_ids() {
	bpftool prog show 2>/dev/null | awk -v names=" $* " '
		/^[0-9]+:/ { id = $1; sub(":", "", id);
			     for (i = 1; i < NF; i++) if ($i == "name" &&
				 index(names, " " $(i + 1) " ")) print id }'
}

# nothing_left NAME IDS-FILE: none of those programs, nor a link to one,
# is in the kernel any more.
nothing_left() {
	left=""
	for id in $(cat "$2"); do
		bpftool prog show id "$id" >/dev/null 2>&1 && left="$left prog $id"
		bpftool link show 2>/dev/null | grep -q "prog $id\$\|prog $id " &&
			left="$left link-to $id"
	done
	if [ ! -s "$2" ]; then
		fail "$1: nothing left" "no program of it was seen while it ran"
	elif [ -n "$left" ]; then
		fail "$1: nothing left" "still there:$left"
	else
		ok "$1: nothing left (programs $(tr '\n' ' ' <"$2"))"
	fi
}

command -v bpftool >/dev/null || skip "what is left: no bpftool"

# opensnoop: four tracepoints, a perf event array; opens counted; then
# --set targ_tgid=1 (only init's opens) counts none of the workload's.
if [ -f "$LB/opensnoop.bpf.o" ]; then
	progs="tracepoint__syscalls__sys_enter_open tracepoint__syscalls__sys_enter_openat"
	$RT run -d 3 "$LB/opensnoop.bpf.o" >/dev/null 2>"$T/out" &
	pid=$!
	sleep 1
	for i in 1 2 3 4 5 6 7 8 9 10; do cat /etc/hostname >/dev/null; done
	command -v bpftool >/dev/null && prog_ids $progs >"$T/ids"
	wait $pid
	rc=$?
	n=$(sed -n 's/.*ring events (perf event array): \([0-9]*\) records.*/\1/p' "$T/out")
	if [ $rc -eq 0 ] && [ "$(grep -c ': loaded, attached$' "$T/out")" -eq 4 ] &&
	   [ "${n:-0}" -ge 10 ]; then
		ok "opensnoop: 4 attached, $n records counted"
	else
		fail "opensnoop" "exit $rc, ${n:-no} records: $(cat "$T/out")"
	fi
	command -v bpftool >/dev/null && nothing_left opensnoop "$T/ids"
	run_obj "opensnoop --set" 3 "$LB/opensnoop.bpf.o" --set targ_tgid=1 \
		-- sh -c 'for i in 1 2 3 4 5; do cat /etc/hostname; done'
	n=$(sed -n 's/.*ring events (perf event array): \([0-9]*\) records.*/\1/p' "$T/out")
	[ $rc -eq 0 ] && [ "${n:-x}" -lt 5 ] &&
		ok "opensnoop --set targ_tgid=1: the filter holds ($n records)" ||
		fail "opensnoop --set" "exit $rc, ${n:-no} records: $(cat "$T/out")"
	expect_error "--set out of range" "not a value of its type" \
		$RT run -d 1 --set targ_tgid=99999999999 "$LB/opensnoop.bpf.o"
else
	skip "opensnoop: no $LB (sh tests/diff/extract-libbpf-tools.sh)"
fi

# execsnoop: SIGTERM ends the run early, exit 0, the count said.
if [ -f "$LB/execsnoop.bpf.o" ]; then
	$RT run "$LB/execsnoop.bpf.o" >/dev/null 2>"$T/out" &
	pid=$!
	sleep 1
	for i in 1 2 3 4 5; do /bin/true; done
	prog_ids tracepoint__syscalls__sys_enter_execve >"$T/ids"
	kill -TERM $pid
	wait $pid
	rc=$?
	n=$(sed -n 's/.*ring events (perf event array): \([0-9]*\) records.*/\1/p' "$T/out")
	[ $rc -eq 0 ] && [ "${n:-0}" -ge 5 ] &&
		ok "execsnoop: stopped by SIGTERM, exit 0, $n records" ||
		fail "execsnoop" "exit $rc, ${n:-no} records: $(cat "$T/out")"
	command -v bpftool >/dev/null && nothing_left execsnoop "$T/ids"
fi

# bindsnoop: kprobes (none here) and an fexit (refused here): the run
# goes as far as the kernel allows (exit 0), --strict makes it 1.
if [ -f "$LB/bindsnoop.bpf.o" ] && [ ! -e /sys/bus/event_source/devices/kprobe/type ]; then
	$RT run -d 1 "$LB/bindsnoop.bpf.o" >/dev/null 2>"$T/out"
	rc=$?
	grep -q "ipv4_bind_entry (kprobe/inet_bind): attach refused: .*no kprobes" "$T/out" &&
		[ $rc -eq 0 ] && ok "bindsnoop: no kprobes here: said, exit 0" ||
		fail "bindsnoop" "exit $rc: $(cat "$T/out")"
	$RT run -d 1 --strict "$LB/bindsnoop.bpf.o" >/dev/null 2>"$T/out"
	rc=$?
	[ $rc -ne 0 ] && grep -q -- "--strict: [0-9]* programs refused" "$T/out" &&
		ok "bindsnoop --strict: exit $rc" ||
		fail "bindsnoop --strict" "exit $rc: $(cat "$T/out")"
fi

# capable: a stack map user space sizes: unsized, the error names the
# option; sized, it loads.
if [ -f "$LB/capable.bpf.o" ]; then
	expect_error "unsized map names --set" \
		"map stackmap: no size: .*--set map.stackmap.max_entries=N" \
		$RT run -d 1 "$LB/capable.bpf.o"
	expect_error "stack map without value size names --set" \
		"--set map.stackmap.value_size=N" \
		$RT run -d 1 --set map.stackmap.max_entries=1024 "$LB/capable.bpf.o"
	$RT run -d 1 --set map.stackmap.max_entries=1024 \
		--set map.stackmap.value_size=1016 "$LB/capable.bpf.o" \
		>/dev/null 2>"$T/out"
	rc=$?
	[ $rc -eq 0 ] && grep -q "programs loaded" "$T/out" &&
		ok "capable with map.stackmap.max_entries: loaded" ||
		fail "capable sized" "exit $rc: $(cat "$T/out")"
fi

# --prog and --skip choose among alternatives.
if [ -f "$LB/execsnoop.bpf.o" ]; then
	$RT run -d 1 --skip tracepoint__syscalls__sys_exit_execve \
		"$LB/execsnoop.bpf.o" >/dev/null 2>"$T/out"
	rc=$?
	[ $rc -eq 0 ] && grep -q "1 programs loaded, 1 attached" "$T/out" &&
		! grep -q sys_exit_execve "$T/out" &&
		ok "--skip leaves a program out" ||
		fail "--skip" "exit $rc: $(cat "$T/out")"
fi

# Pins: in a mount namespace of our own with a bpffs of its own, so the
# host's /sys/fs/bpf is untouched. Pinned by the run, removed at exit;
# kept with --keep-pins; a pin found there is reused and left.
if command -v unshare >/dev/null; then
	unshare -m sh -c "mount -t bpf bpf /sys/fs/bpf || exit 3
		$RT run -d 1 $TB/externs.bpf.o >/dev/null 2>&1
		[ -e /sys/fs/bpf/pinned ] && exit 4
		$RT run -d 1 --keep-pins $TB/externs.bpf.o >/dev/null 2>&1
		[ -e /sys/fs/bpf/pinned ] || exit 5
		$RT --explain run -d 1 $TB/externs.bpf.o >$T/pins 2>&1
		grep -q 'reusing the one pinned at /sys/fs/bpf/pinned\$' $T/pins || exit 6
		grep -q 'reusing the one pinned at /sys/fs/bpf/pinned_events' $T/pins || exit 8
		[ -e /sys/fs/bpf/pinned ] || exit 7
		exit 0"
	rc=$?
	case $rc in
	0) ok "pins: removed at exit, kept with --keep-pins, reused" ;;
	3) skip "pins: cannot mount a bpffs" ;;
	*) fail "pins" "step $rc" ;;
	esac
	# Something that is no pinned map where the pin goes (a directory):
	# one line that says so, not an earlier step's stale message.
	unshare -m sh -c "mount -t bpf bpf /sys/fs/bpf || exit 3
		mkdir /sys/fs/bpf/pinned || exit 3
		$RT run -d 1 $TB/externs.bpf.o" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -eq 3 ]; then
		skip "pin path taken: cannot mount a bpffs"
	elif [ $rc -ne 0 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	     grep -q "map pinned: /sys/fs/bpf/pinned is there and is no pinned map" "$T/err"; then
		ok "pin path taken by a directory: one line"
	else
		fail "pin path taken by a directory" "exit $rc: $(cat "$T/err")"
	fi
fi

# --explain: every call, the object's BTF and its line info among them.
$RT --explain run -d 1 "$TB/minimal.bpf.o" 2>"$T/out" >/dev/null
grep -q "bpf(BPF_BTF_LOAD, {btf_size=" "$T/out" &&
	grep -q "bpf(BPF_PROG_LOAD, {prog_type=TRACEPOINT.*prog_btf_fd=[0-9]*, func_info_cnt=[1-9][0-9]*, line_info_cnt=[1-9]" "$T/out" &&
	grep -q "perf_event_open(" "$T/out" &&
	ok "--explain: BTF_LOAD, PROG_LOAD with line info, the attach" ||
	fail "--explain" "$(head -20 "$T/out")"
# The end is the session's, as the tools': after the wait, the detach,
# a grace period (membarrier), then the last read of the rings.
awk '/Ctrl-C to stop/ { s = 1 } s == 1 && /membarrier\(/ { s = 2 }
	s == 2 && /# detached: reading what the programs sent before/ { s = 3 }
	END { exit s != 3 }' "$T/out" &&
	ok "--explain: the session's end: detach, grace period, last read" ||
	fail "--explain: the end" "$(tail -8 "$T/out")"

# Two rings of one object, a ring buffer and a perf event array, read
# in one loop: one record in each per getppid() of the workload, all of
# them counted (the last ones read after the detach).
if [ -x "$WL/getppids" ]; then
	"$WL/getppids" 1500 300 &
	wpid=$!
	$RT run -d 3 --set target_tgid=$wpid "$TB/two_rings.bpf.o" \
		>/dev/null 2>"$T/out"
	rc=$?
	wait $wpid
	[ $rc -eq 0 ] &&
		grep -q "ring rb (ring buffer): 300 records$" "$T/out" &&
		grep -q "ring perf (perf event array): 300 records$" "$T/out" &&
		ok "two rings: 300 records in each" ||
		fail "two rings" "exit $rc: $(cat "$T/out")"
else
	skip "two rings (no $WL/getppids: make workloads)"
fi

# One program's failure does not sink the others (ladder.bpf.o: targets
# no kernel has beside two that attach); a cgroup program waits for
# --cgroup, and attaches with it.
$RT run -d 1 "$TB/ladder.bpf.o" >/dev/null 2>"$T/out"
rc=$?
[ $rc -eq 0 ] && grep -q "lad_a_tp (tracepoint/syscalls/sys_enter_getppid): loaded, attached$" "$T/out" &&
	grep -q "lad_tp_none (.*): attach refused: .*not in this kernel" "$T/out" &&
	grep -q "lad_fexit_none (.*): load refused: " "$T/out" &&
	grep -q "lad_cg (cgroup/post_bind4): loaded, not attached: .*--cgroup PATH" "$T/out" &&
	ok "failures named, the rest attached, exit 0" ||
	fail "mixed object" "exit $rc: $(cat "$T/out")"
cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$cg" ]; then
	mkdir -p "$cg/rawtrace-test-run-$$"
	$RT run -d 1 --prog lad_cg --cgroup "$cg/rawtrace-test-run-$$" \
		"$TB/ladder.bpf.o" >/dev/null 2>"$T/out"
	rc=$?
	rmdir "$cg/rawtrace-test-run-$$"
	[ $rc -eq 0 ] && grep -q "lad_cg (cgroup/post_bind4): loaded, attached$" "$T/out" &&
		ok "--cgroup attaches a cgroup program" ||
		fail "--cgroup" "exit $rc: $(cat "$T/out")"
fi

# Externs resolved by the loader (externs.bpf.o's kconfig values).
$RT --explain run -d 1 "$TB/externs.bpf.o" 2>"$T/out" >/dev/null
v=$(sed -n 's/.*# extern LINUX_KERNEL_VERSION: \([0-9]*\)$/\1/p' "$T/out")
# CONFIG_HZ as this kernel's config says it (/boot's, or /proc/config.gz,
# which the loader inflates itself)
cfg=/boot/config-$(uname -r)
hz=$( { cat "$cfg" 2>/dev/null || zcat /proc/config.gz 2>/dev/null; } |
	sed -n 's/^CONFIG_HZ=//p')
if [ -n "$hz" ]; then
	grep -q "# extern CONFIG_HZ: $hz\$" "$T/out" &&
		ok "externs: CONFIG_HZ $hz from the kernel's config" ||
		fail "externs: CONFIG_HZ" "$(grep CONFIG_HZ "$T/out")"
fi
# A string value longer than any buffer of ours (CONFIG_CMDLINE can be):
# read whole, then cut to the extern's size as libbpf does. A /boot of our
# own, in a mount namespace of our own.
long=$(printf '%0300d' 0)
if command -v unshare >/dev/null; then
	unshare -m sh -c "mount -t tmpfs none /boot &&
		mount -t bpf bpf /sys/fs/bpf || exit 3
		printf 'CONFIG_HZ=100\\nCONFIG_LOCALVERSION=\"-$long\"\\n' \
			>/boot/config-\$(uname -r)
		$RT --explain run -d 1 $TB/externs.bpf.o" >/dev/null 2>"$T/long"
	rc=$?
	if [ $rc -eq 3 ]; then
		skip "externs: a long kconfig string: cannot mount a tmpfs on /boot or a bpffs"
	elif [ $rc -eq 0 ] &&
	     grep -q "# extern CONFIG_LOCALVERSION: \"-$long\"\$" "$T/long"; then
		ok "externs: a kconfig string of 300 characters"
	else
		fail "externs: a long kconfig string" "exit $rc: $(grep -v '^#' "$T/long" | tail -n 2)"
	fi
fi
[ -n "$v" ] && [ "$v" -gt 0 ] && ok "externs: LINUX_KERNEL_VERSION $v" ||
	fail "externs" "$(grep -i extern "$T/out" | head -5)"
exit 0
