#!/bin/sh
# rawtrace btfgen on this machine: the command line, what it writes
# (bpftool reads it; `inspect` resolves every record with it exactly as
# with the whole kernel BTF), and, as root, the end-to-end tests of bind,
# listen and connect run with --btf and the minimal BTF. The VM side, with
# /sys/kernel/btf hidden, is test_vm_btfgen.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1
RT=./rawtrace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok: btfgen $1"; }
fail() { echo "FAIL: btfgen $1: $2"; }

# expect_error NAME PATTERN CMD...: exit 1, one stderr line with PATTERN.
expect_error() {
	name=$1 pattern=$2
	shift 2
	"$@" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	   grep -q -- "$pattern" "$T/err"; then
		ok "$name"
	else
		fail "$name" "exit $rc: $(cat "$T/err")"
	fi
}
expect_error "no -o" "-o OUT is missing" $RT btfgen
expect_error "missing input" "none.btf" $RT --btf "$T/none.btf" btfgen -o "$T/x"
expect_error "bad --drop" "TYPE.MEMBER" $RT btfgen -o "$T/x" --drop sock_common
[ ! -e "$T/x" ] && ok "nothing written on error" || fail "error" "$T/x written"
expect_error "-o without its argument" "-o needs an argument" $RT btfgen -o

# -o OUT as root: never written through a link, never a device or a
# directory replaced, never a part of a file; a file there is replaced
# whole, and nothing else is left beside it.
if [ -r /sys/kernel/btf/vmlinux ]; then
	mkdir "$T/o"
	echo data >"$T/o/target"
	ln -s "$T/o/target" "$T/o/link"
	expect_error "-o a symbolic link: refused" "symbolic link" \
		$RT btfgen -o "$T/o/link"
	[ "$(cat "$T/o/target")" = data ] && [ -L "$T/o/link" ] &&
		ok "-o a link: its target untouched" ||
		fail "-o a link" "target now $(wc -c <"$T/o/target") bytes"
	ln -s "$T/o/nowhere" "$T/o/dangling"
	expect_error "-o a dangling link: refused" "symbolic link" \
		$RT btfgen -o "$T/o/dangling"
	[ ! -e "$T/o/nowhere" ] && ok "-o a dangling link: nothing created" ||
		fail "-o a dangling link" "$T/o/nowhere created"
	mkdir "$T/o/dir"
	expect_error "-o a directory: refused" "a directory, not a regular file" \
		$RT btfgen -o "$T/o/dir"
	if [ "$(id -u)" -eq 0 ] && mknod "$T/o/full" c 1 7 2>/dev/null; then
		expect_error "-o a device: refused" "character device" \
			$RT btfgen -o "$T/o/full"
		[ -c "$T/o/full" ] && ok "-o a device: still there" ||
			fail "-o a device" "$T/o/full deleted or replaced"
	else
		echo "skipped: btfgen -o a device: needs root"
	fi
	echo old >"$T/o/file"
	chmod 600 "$T/o/file"
	if $RT btfgen -o "$T/o/file" >/dev/null 2>"$T/err" &&
	   [ "$(wc -c <"$T/o/file")" -gt 100 ] &&
	   [ "$(stat -c %a "$T/o/file")" = 600 ]; then
		ok "-o a file: replaced, its mode kept"
	else
		fail "-o a file" "$(cat "$T/err"); $(ls -l "$T/o/file")"
	fi
	# A write that fails (a full file system): the old file stays as it
	# was, and only our temporary file is removed.
	if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
		mkdir "$T/nospace"
		r=$(unshare -m sh -c "mount -t tmpfs -o size=4k tmpfs '$T/nospace' &&
			echo old >'$T/nospace/out' &&
			$RT btfgen -o '$T/nospace/out' 2>&1; echo \"rc=\$?\";
			cat '$T/nospace/out'; ls -A '$T/nospace'")
		[ "$(printf '%s\n' "$r" | tail -n 3 | tr '\n' ' ')" = "rc=1 old out " ] &&
			printf '%s\n' "$r" | grep -q "out: write failed: No space left" &&
			ok "-o on a full file system: old file kept, nothing left" ||
			fail "-o on a full file system" "$r"
	else
		echo "skipped: btfgen -o on a full file system: needs root"
	fi
	left=$(ls -A "$T/o" | grep -v -x -e target -e link -e dangling \
		-e dir -e full -e file)
	[ -z "$left" ] && ok "-o: no temporary file left" ||
		fail "-o temporary files" "$left"
else
	echo "skipped: btfgen -o checks: no /sys/kernel/btf/vmlinux"
fi

for input in /sys/kernel/btf/vmlinux build/vm/vmlinux-6.1.btf; do
	if [ ! -r "$input" ]; then
		echo "skipped: btfgen from $input: not there"
		continue
	fi
	out="$T/$(basename "$input").min"
	if ! $RT --btf "$input" btfgen -o "$out" >"$T/msg" 2>&1; then
		fail "from $input" "$(cat "$T/msg")"
		continue
	fi
	size=$(wc -c <"$out")
	[ "$size" -lt 65536 ] && ok "from $input: $size bytes" ||
		fail "size from $input" "$size bytes"
	if command -v bpftool >/dev/null 2>&1; then
		bpftool btf dump file "$out" >/dev/null 2>"$T/err" &&
			ok "bpftool reads what it wrote from $input" ||
			fail "bpftool dump" "$(cat "$T/err")"
	else
		echo "skipped: btfgen bpftool dump: no bpftool"
	fi
	# inspect shows each record as applied: identical but for the
	# line naming the BTF.
	for o in bind listen connect; do
		$RT --btf "$input" inspect $o | grep -v "^CO-RE resolved against" >"$T/full"
		$RT --btf "$out" inspect $o | grep -v "^CO-RE resolved against" >"$T/min"
		if [ -s "$T/full" ] && cmp -s "$T/full" "$T/min"; then
			ok "inspect $o: same relocations with $input and its cut"
		else
			fail "inspect $o with the cut of $input" \
				"$(diff "$T/full" "$T/min" | head -5)"
		fi
	done
done

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: btfgen e2e with --btf: needs root"
	exit 0
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "skipped: btfgen e2e with --btf: no /sys/kernel/btf/vmlinux"
	exit 0
fi
$RT btfgen -o "$T/min.btf" >/dev/null
backends=tracepoint
[ -e /sys/bus/event_source/devices/kprobe/type ] && backends="kprobe tracepoint"
for t in bind listen connect; do
	for b in $backends; do
		RT_BTF="$T/min.btf" RT=$RT WL=build/workload sh tests/e2e/$t.sh $b |
			sed 's/^\(ok\|FAIL\|skipped\): /\1: --btf min /'
	done
done
exit 0
