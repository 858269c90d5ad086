#!/bin/sh
# inspect, --explain and error messages on objects whose names hold control
# bytes (issue 16): a valid object under a file name that holds an escape,
# and copies of minimal.bpf.o with program, section and map names
# overwritten by names with newlines, escape sequences and a bell (refused
# by the BTF checks: the refusal quotes them). Nothing may reach stdout or
# stderr raw: the names come out escaped. No root needed.
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

# 1. A valid object under a file name that holds an escape: the name
# reaches inspect's header, escaped; the global-data maps carry it as the
# kernel takes a map name (as libbpf: each byte not alphanumeric, '_' or
# '.' becomes '_'), so no escape reaches them.
ESC=$(printf '\033')
O="$T/o${ESC}[2J.bpf.o"
cp "$OBJ" "$O"
$RT inspect "$O" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ]; then
	ok "inspect runs"
else
	fail "inspect" "exit $rc: $(shown "$T/err")"
fi
no_controls "inspect stdout" "$T/out"
no_controls "inspect stderr" "$T/err"
has "object name escaped" "$T/out" 'object o\x1b[2J: '
has "global data map name made safe" "$T/out" 'global data o__2J.rodata+0'

# --explain prints each relocation as a note, quoting the names.
$RT --explain inspect "$O" >/dev/null 2>"$T/err"
no_controls "--explain notes" "$T/err"
has "--explain note with the safe map name" "$T/err" \
	'  # handle_bind insn 11: global data o__2J.rodata+0'

# refused WHAT FILE TEXT: inspect FILE fails with one line, no control
# byte anywhere, quoting the bad name escaped (TEXT).
refused() {
	$RT inspect "$2" >"$T/out" 2>"$T/err"
	rc=$?
	no_controls "$1: stdout" "$T/out"
	no_controls "$1: stderr" "$T/err"
	if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ]; then
		ok "$1: exit 1, one line"
	else
		fail "$1" "exit $rc: $(shown "$T/err")"
	fi
	has "$1: quotes the name escaped" "$T/err" "$3"
}

# 2. Program, section and map names overwritten in place (same lengths,
# in .strtab, .BTF and .BTF.ext alike) with newlines, escape sequences
# and a bell. The kernel's BTF rules allow only C identifiers there, so
# the object is refused; the refusal shows the name escaped.
perl -0777 -pe 's/handle_bind\0/h\n9 fake\e[J\0/g;
	s/syscalls\/sys_enter_bind/sys\e[2J\a\/sys_enter_bind/g;
	s/counts\0/c\e[2J\n\0/g' "$OBJ" >"$T/names.o"
if cmp -s "$OBJ" "$T/names.o"; then
	fail "patch" "the names were not found in $OBJ"
	exit 0
fi
refused "map name" "$T/names.o" "VAR 'c\\x1b[2J\\n'"

# 3. The section's type prefix overwritten too.
perl -0777 -pe 's/handle_bind\0/h\n9 fake\e[J\0/g;
	s/tracepoint\/syscalls/e\n9 fake\e[Jsyscalls/g' "$OBJ" >"$T/bad.o"
refused "program name" "$T/bad.o" "FUNC 'h\\n9 fake\\x1b[J'"
exit 0
