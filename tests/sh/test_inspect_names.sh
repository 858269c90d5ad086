#!/bin/sh
# inspect, --explain and error messages on an object whose names hold
# control bytes (issue 16): a copy of the test object minimal.bpf.o with
# its program, section and map names overwritten in place (same lengths,
# so every offset holds) by names with newlines, escape sequences and a
# bell, under a file name that holds an escape too. Nothing may reach
# stdout or stderr raw: the names come out escaped. No root needed.
set -u
cd "$(dirname "$0")/../.." || exit 1
RT=./rawtrace
OBJ=build/bpf/tests/minimal.bpf.o
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok: inspect names $1"; }
fail() { echo "FAIL: inspect names $1: $2"; }

if ! command -v perl >/dev/null; then
	echo "skipped: inspect names: no perl to patch the object"
	exit 0
fi

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

# has WHAT FILE TEXT: FILE holds TEXT (fixed string).
has() {
	if grep -qF -- "$3" "$2"; then
		ok "$1"
	else
		fail "$1" "no '$3' in: $(shown "$2")"
	fi
}

# Same-length names: program handle_bind, section tracepoint/syscalls/...,
# map counts (in .strtab, .BTF and .BTF.ext alike).
ESC=$(printf '\033')
O="$T/o${ESC}[2J.bpf.o"
perl -0777 -pe 's/handle_bind\0/h\n9 fake\e[J\0/g;
	s/syscalls\/sys_enter_bind/sys\e[2J\a\/sys_enter_bind/g;
	s/counts\0/c\e[2J\n\0/g' "$OBJ" >"$O"
PROG='h\n9 fake\x1b[J'
SECTION='tracepoint/sys\x1b[2J\x07/sys_enter_bind'
MAP='c\x1b[2J\n'

if cmp -s "$OBJ" "$O"; then
	fail "patch" "the names were not found in $OBJ"
	exit 0
fi

$RT inspect "$O" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ]; then
	ok "inspect runs"
else
	fail "inspect" "exit $rc: $(shown "$T/err")"
fi
no_controls "inspect stdout" "$T/out"
no_controls "inspect stderr" "$T/err"
has "program name escaped" "$T/out" "program $PROG"
has "section name escaped" "$T/out" "section $SECTION, type TRACEPOINT"
has "section list escaped" "$T/out" "] $SECTION "
has "attach target escaped" "$T/out" \
	'attach: tracepoint sys\x1b[2J\x07/sys_enter_bind'
has "map list escaped" "$T/out" "  $MAP  "
has "relocation note escaped" "$T/out" "map $MAP -> fd"
has "disassembly escaped" "$T/out" "map[$MAP]"
has "object name escaped" "$T/out" 'object o\x1b[2J: '

# --explain prints each relocation as a note, quoting the names.
$RT --explain inspect "$O" >/dev/null 2>"$T/err"
no_controls "--explain notes" "$T/err"
has "--explain note escaped" "$T/err" "  # $PROG insn "
has "--explain map note escaped" "$T/err" "map $MAP -> fd"

# An error that quotes names: the section's type prefix overwritten too.
perl -0777 -pe 's/handle_bind\0/h\n9 fake\e[J\0/g;
	s/tracepoint\/syscalls/e\n9 fake\e[Jsyscalls/g' "$OBJ" >"$T/bad.o"
$RT inspect "$T/bad.o" >"$T/out" 2>"$T/err"
rc=$?
no_controls "error stdout" "$T/out"
no_controls "error stderr" "$T/err"
if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ]; then
	ok "error: exit 1, one line"
else
	fail "error" "exit $rc: $(shown "$T/err")"
fi
has "error quotes the names escaped" "$T/err" \
	"program $PROG: unknown section type \"e\\n9 fake\\x1b[Jsyscalls/"
exit 0
