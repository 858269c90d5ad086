#!/bin/sh
# The command line as a user meets it: usage, inspect on every embedded
# object, bad input, no privileges, --explain, a closed output pipe.
# Each bad input must give one line on stderr and a non-zero exit.
set -u
cd "$(dirname "$0")/../.." || exit 1
RT=./rawtrace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok: cli $1"; }
fail() { echo "FAIL: cli $1: $2"; }

# expect_error NAME STATUS PATTERN CMD...: exit STATUS, one stderr line
# matching PATTERN.
expect_error() {
	name=$1 want=$2 pattern=$3
	shift 3
	"$@" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		fail "$name" "exit $rc, expected $want: $(cat "$T/err")"
	elif [ "$(wc -l <"$T/err")" -ne 1 ]; then
		fail "$name" "expected one line, got: $(cat "$T/err")"
	elif ! grep -q -- "$pattern" "$T/err"; then
		fail "$name" "no '$pattern' in: $(cat "$T/err")"
	else
		ok "$name"
	fi
}

$RT >/dev/null 2>"$T/err"; [ $? -eq 2 ] && grep -q usage "$T/err" &&
	ok "no arguments: usage" || fail "no arguments" "$(cat "$T/err")"
$RT -h | grep -q "inspect" && ok "-h lists commands" || fail "-h" "no list"
# --version: the version and the commit of this repository it was built
# from ("-dirty": with uncommitted changes).
v=$($RT --version)
commit=$(echo "$v" | sed -n 's/^rawtrace [^ ][^ ]* (commit \([0-9a-f]*\)\(-dirty\)\{0,1\})$/\1/p')
if [ -z "$commit" ]; then
	fail "--version" "\"$v\": not \"rawtrace VERSION (commit HASH)\""
elif command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1 &&
     ! git cat-file -e "$commit^{commit}" 2>/dev/null; then
	fail "--version" "commit $commit is not in this repository"
else
	ok "--version: $v"
fi
expect_error "unknown command" 2 'unknown command "frobnicate"' $RT frobnicate
expect_error "bad option value" 1 "70000" $RT bind -P 70000
expect_error "bad backend" 1 'backend "fentry"' $RT bind --backend fentry
expect_error "backend the tool lacks" 1 "no listen backend fexit" \
	$RT listen --backend fexit
expect_error "bad duration" 1 "duration" $RT bind -d x
expect_error "ring size not a power of two" 1 "power of two" $RT bind -b 3
# getopt's own messages are off: one line of ours, naming the option.
expect_error "unknown option" 1 "unknown option -Q" $RT bind -Q
expect_error "unknown long option" 1 "unknown option --bogus" \
	$RT connect --bogus
expect_error "option without its argument" 1 "option -p needs an argument" \
	$RT listen -p
expect_error "long option without its argument" 1 \
	"option --port needs an argument" $RT deny-bind --port
# Every letter -h lists is in the getopt string it is built from (a
# value it refuses is another message). "-h -h": the first may be the
# letter's argument, the second stops before anything runs.
bad=
for t in bind listen connect packets deny-bind; do
	for o in $($RT $t -h | sed -n 's/^  -\([a-zA-Z0-9]\),.*/\1/p'); do
		$RT $t -$o -h -h >/dev/null 2>"$T/err"
		grep -q "unknown option" "$T/err" && bad="$bad $t-$o"
	done
done
[ -z "$bad" ] && ok "every letter -h lists is an option" ||
	fail "letters -h lists" "unknown:$bad"

# inspect: every embedded object, without root.
objs=$($RT inspect 2>&1 | sed -n 's/^embedded objects://p')
[ -n "$objs" ] && ok "inspect lists embedded objects" ||
	fail "inspect list" "none"
for o in $objs; do
	if $RT inspect "$o" >"$T/out" 2>"$T/err" &&
	   grep -q "^program " "$T/out" && grep -q "disassembly:" "$T/out"; then
		ok "inspect $o"
	else
		fail "inspect $o" "$(cat "$T/err")"
	fi
done
printf 'not an object' >"$T/garbage.o"
expect_error "inspect garbage" 1 "not an ELF file" $RT inspect "$T/garbage.o"
expect_error "inspect missing file" 1 "No such file" $RT inspect "$T/none.o"
head -c 100 build/bpf/bind.bpf.o >"$T/cut.o"
expect_error "inspect truncated object" 1 "cut" $RT inspect "$T/cut.o"
expect_error "inspect with a bad --btf" 1 "none.btf" $RT inspect --btf "$T/none.btf" bind
# A port list is read whole, however long (it was cut at 255 bytes): an
# entry of 300 zeros is quoted by its start as the one refused.
zeros=$(printf '0%.0s' $(seq 300))
expect_error "deny-bind -P: a long entry read whole" 1 \
	'port "0000000000000000000000000000000000000000...": expected' \
	$RT deny-bind -P "80,$zeros"
expect_error "bind -P: an empty entry" 1 "port list: an empty entry" \
	$RT bind -P "80,,443" -d 1
# inspect -h: the whole help on stdout, nothing on stderr, exit 0.
$RT inspect -h >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/err" ] && grep -q "^embedded objects: .*bind" "$T/out" &&
	ok "inspect -h: all on stdout" ||
	fail "inspect -h" "exit $rc, stdout: $(cat "$T/out"), stderr: $(cat "$T/err")"
# Files by a user's path that are not regular files: refused before
# reading (a FIFO would block for good; a directory has no size), and a
# file no BPF object is as large as is not read into memory.
mkfifo "$T/fifo"
mkdir "$T/dir"
truncate -s 1G "$T/big.o"
expect_error "inspect a FIFO" 1 "fifo: a FIFO, not a regular file" \
	timeout 10 $RT inspect "$T/fifo"
expect_error "inspect a directory" 1 "dir: a directory, not a regular file" \
	$RT inspect "$T/dir"
expect_error "inspect a 1 GiB file" 1 "big.o: too large for a BPF object.* 64 MiB" \
	timeout 10 $RT inspect "$T/big.o"
expect_error "--btf a FIFO" 1 "fifo: a FIFO, not a regular file" \
	timeout 10 $RT inspect --btf "$T/fifo" bind
expect_error "--btf a directory" 1 "dir: a directory, not a regular file" \
	$RT inspect --btf "$T/dir" bind

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: cli root cases: needs root"
	exit 0
fi

# No privileges: a clear line, nothing left behind.
if command -v setpriv >/dev/null; then
	cp $RT "$T/rawtrace" && chmod 755 "$T" "$T/rawtrace"
	expect_error "not root" 1 "not permitted" \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$T/rawtrace" bind -d 1
	# doctor without privileges: no tool said to work, no "missing"
	# for what it only cannot see.
	setpriv --reuid=65534 --regid=65534 --clear-groups "$T/rawtrace" \
		doctor >"$T/out" 2>&1
	n=$(grep -c "^  [a-z-]*  *cannot start here: bpf() not permitted" "$T/out")
	if [ "$n" -ne 5 ] || grep -q "^  tracefs  *missing" "$T/out"; then
		fail "doctor not root" "$(cat "$T/out")"
	else
		ok "doctor not root: says every tool cannot start, tracefs unknown"
	fi
else
	echo "skipped: cli not root: no setpriv"
fi

# --explain: every syscall decoded, on stderr.
# The events map is a ring buffer (this kernel has them), or with --ring
# perf a perf event array.
$RT --explain bind -d 1 >/dev/null 2>"$T/err"
for call in "bpf(BPF_MAP_CREATE, {map_type=RINGBUF" "# events: BPF ring buffer" \
	    "bpf(BPF_PROG_LOAD, {prog_type=" "perf_event_open({type=" \
	    "ioctl(" "mmap(NULL, " "bpf(BPF_MAP_FREEZE"; do
	grep -qF "$call" "$T/err" && ok "--explain shows $call" ||
		fail "--explain" "no '$call' in: $(head -5 "$T/err")"
done
$RT --explain bind --ring perf -d 1 >/dev/null 2>"$T/err"
for call in "bpf(BPF_MAP_CREATE, {map_type=PERF_EVENT_ARRAY" \
	    "perf_event_open({type=PERF_TYPE_SOFTWARE, config=PERF_COUNT_SW_BPF_OUTPUT"; do
	grep -qF "$call" "$T/err" && ok "--explain --ring perf shows $call" ||
		fail "--explain --ring perf" "no '$call' in: $(head -5 "$T/err")"
done
expect_error "bad --ring" 1 "ring \"x\"" $RT bind --ring x

# Backends the kernel turns down. bind tries fexit, kprobe, tracepoint:
# either fexit loads, or the tool says under --explain why it was skipped
# and goes on; asked for by name, a refused backend is a one-line error
# with nothing left behind. doctor finds the same backend the same way.
$RT --explain bind -d 1 >/dev/null 2>"$T/err"
chosen=$(sed -n 's/.*tracing with the \([a-z]*\) backend.*/\1/p' "$T/err")
if [ "$chosen" = fexit ]; then
	ok "bind picks fexit where it loads"
elif [ -n "$chosen" ] && grep -q "fexit backend skipped: program fexit_bind4" "$T/err"; then
	ok "bind skips fexit with a reason, uses $chosen"
	before=$(build/workload/bpfprogs | wc -l)
	expect_error "refused backend asked for by name" 1 "fexit_bind4" \
		$RT bind --backend fexit -d 1
	after=$(build/workload/bpfprogs | wc -l)
	[ "$before" = "$after" ] && ok "refused backend leaves nothing" ||
		fail "refused backend" "programs before $before, after $after"
else
	fail "bind backend choice" "$(grep -v '^  ' "$T/err" | tail -3)"
fi
# When every backend fails, the one error line says why each earlier one
# was skipped (here no backend can read its BTF).
expect_error "every backend fails: each reason given" 1 \
	"none.btf: .*; skipped before it: fexit: .*; kprobe: " \
	$RT --btf "$T/none.btf" bind -d 1
# bind -P "1,000...047000" (252 zeros): the port is 47000, not the 4 a
# list cut at 255 bytes gave; build/workload/binds binds 47000.
$RT bind -j -P "1,$(printf '0%.0s' $(seq 252))47000" -d 3 >"$T/out" 2>"$T/err" &
pid=$!
i=0
while ! grep -q "tracing with" "$T/err" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
build/workload/binds >/dev/null 2>&1
wait $pid
grep -q '"port":47000' "$T/out" && ok "bind -P: a list longer than 255 bytes" ||
	fail "bind -P long list" "no port 47000 in: $(head -3 "$T/out") $(cat "$T/err")"

# -c PATH that is not a cgroup v2 directory: refused before anything
# loads, in one line without the backends' chain.
expect_error "bind -c not a cgroup" 1 "^rawtrace bind: cgroup $T: not a cgroup v2 directory\$" \
	$RT bind -c "$T" -d 1
n=$($RT --explain bind -c "$T" -d 1 2>&1 | grep -c "BPF_PROG_LOAD")
[ "$n" = 0 ] && ok "bind -c not a cgroup: nothing loaded" ||
	fail "bind -c not a cgroup" "$n BPF_PROG_LOAD before the check"

# The same for a tool: no wait on a FIFO, no second backend opening it.
expect_error "bind --btf a FIFO" 1 "fifo: a FIFO, not a regular file" \
	timeout -k 5 10 $RT --btf "$T/fifo" bind -d 1
expect_error "bind --btf a directory" 1 "dir: a directory, not a regular file" \
	$RT --btf "$T/dir" bind -d 1
$RT doctor >"$T/out" 2>&1
grep -q "^  bind  *$chosen backend" "$T/out" &&
	ok "doctor names bind's backend ($chosen)" ||
	fail "doctor" "no '$chosen backend' for bind in: $(cat "$T/out")"

# tracefs that rawtrace had to mount is unmounted at exit (in a mount
# namespace of its own, with tracefs taken away first).
if command -v unshare >/dev/null && grep -q " /sys/kernel/tracing tracefs" /proc/mounts; then
	for c in "bind -d 1" doctor; do
		n=$(unshare -m sh -c "umount /sys/kernel/tracing &&
			umount /sys/kernel/debug 2>/dev/null;
			$RT $c >/dev/null 2>&1; grep -c ' tracefs ' /proc/mounts")
		[ "$n" = 0 ] && ok "$c: tracefs it mounted is unmounted at exit" ||
			fail "$c: tracefs" "still mounted ($n) after it mounted it"
	done
else
	echo "skipped: cli tracefs unmount: no unshare or no tracefs at /sys/kernel/tracing"
fi

# A closed output pipe: one line, exit 1, no hang.
( $RT bind -d 10 2>"$T/err"; echo $? >"$T/rc" ) | true
if [ "$(cat "$T/rc")" = 1 ] && grep -q "broken pipe" "$T/err"; then
	ok "closed output pipe"
else
	fail "closed output pipe" "exit $(cat "$T/rc"): $(cat "$T/err")"
fi
# A full disk: the write's own error, not an earlier backend's.
if [ -w /dev/full ]; then
	$RT bind -d 1 >/dev/full 2>"$T/err"
	rc=$?
	if [ $rc = 1 ] && tail -n 1 "$T/err" | grep -q "stdout: No space left"; then
		ok "stdout full"
	else
		fail "stdout full" "exit $rc: $(cat "$T/err")"
	fi
else
	echo "skipped: cli stdout full: no /dev/full"
fi
exit 0
