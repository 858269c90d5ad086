#!/bin/sh
# CO-RE type_matches (bpf_core_type_matches()) on this kernel, against
# libbpf: build/bpf/tests/core_match.bpf.o (tests/bpf/core_match.bpf.c)
# holds one type_matches record per case, matching and not, on the
# kernel's own types; its iter/task program writes "NAME VALUE" for each,
# the value the loader patched in.
#   1. `rawtrace inspect` resolves every record against this kernel's BTF
#      and shows its value (no root);
#   2. `rawtrace run` prints the lines, and they are the values inspect
#      showed;
#   3. libbpf's load of the same object (bpftool iter pin, in a bpffs of
#      a private mount namespace, then a read of the pinned iterator)
#      prints the same lines.
# No value is written here: the kernel's types change, libbpf on this
# kernel is the reference. Only two records no kernel can match are
# checked for 0, and libbpf's answers must hold both a 0 and a 1 (else
# the comparison would tell little).
set -u
cd "$(dirname "$0")/../.." || exit 1
RT=./rawtrace
OBJ=build/bpf/tests/core_match.bpf.o
VMLINUX=/sys/kernel/btf/vmlinux
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok: core type_matches $1"; }
fail() { echo "FAIL: core type_matches $1: $2"; }

if [ ! -r "$VMLINUX" ]; then
	echo "skipped: core type_matches: no $VMLINUX"
	exit 0
fi
if [ ! -f "$OBJ" ]; then
	fail "object" "$OBJ not built (make tests)"
	exit 1
fi
n=$(grep -c 'SHOW(seq, "' tests/bpf/core_match.bpf.c)

# 1. inspect: "insn N: CO-RE type_matches struct x: 1 -> V" per record
$RT inspect "$OBJ" >"$T/inspect" 2>&1
rc=$?
sed -n 's/.*CO-RE type_matches [a-z]* \([^:]*\): 1 -> \([01]\)$/\1 \2/p' \
	"$T/inspect" >"$T/inspected"
if [ $rc -eq 0 ] && [ "$(wc -l <"$T/inspected")" -eq "$n" ]; then
	ok "inspect shows all $n records resolved"
else
	fail "inspect" "exit $rc, $(wc -l <"$T/inspected") of $n records resolved: $(grep -i 'type_matches\|error\|refus' "$T/inspect" | head -n 20)"
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: core type_matches: run and libbpf need root"
	exit 0
fi

# 2. rawtrace run: the iterator's lines on stdout
timeout 60 $RT run "$OBJ" -d 1 </dev/null >"$T/rt" 2>"$T/rt.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(wc -l <"$T/rt")" -eq "$n" ]; then
	ok "run prints $n lines"
else
	fail "run" "exit $rc, $(wc -l <"$T/rt") lines of $n: $(tail -n 5 "$T/rt.err")"
fi
if [ -s "$T/rt" ] && diff -u "$T/inspected" "$T/rt" >"$T/d1"; then
	ok "run's values are inspect's"
else
	fail "run against inspect" "$(cat "$T/d1" 2>/dev/null)"
fi
for name in rawtrace_no_such_type task_struct___no_field; do
	if grep -qx "$name 0" "$T/rt"; then
		ok "$name is 0"
	else
		fail "$name" "not 0: $(grep "^$name " "$T/rt")"
	fi
done

# 3. libbpf's answers, from the same object
if ! command -v bpftool >/dev/null || ! command -v unshare >/dev/null; then
	echo "skipped: core type_matches against libbpf: no bpftool or unshare"
	exit 0
fi
unshare -m sh -c "mount -t bpf bpf /sys/fs/bpf || exit 3
	bpftool iter pin '$OBJ' /sys/fs/bpf/core_match || exit 4
	cat /sys/fs/bpf/core_match" >"$T/lb" 2>"$T/lb.err"
rc=$?
if [ $rc -ne 0 ] || [ "$(wc -l <"$T/lb")" -ne "$n" ]; then
	fail "libbpf" "bpftool iter pin: exit $rc, $(wc -l <"$T/lb") lines of $n: $(tail -n 5 "$T/lb.err")"
elif ! grep -q ' 0$' "$T/lb" || ! grep -q ' 1$' "$T/lb"; then
	fail "libbpf" "its answers are not both 0s and 1s: $(cat "$T/lb")"
elif diff -u -L libbpf -L rawtrace "$T/lb" "$T/rt" >"$T/d2"; then
	ok "run's values are libbpf's ($(grep -c ' 1$' "$T/lb") match, $(grep -c ' 0$' "$T/lb") do not)"
else
	fail "run against libbpf" "$(cat "$T/d2")"
fi
