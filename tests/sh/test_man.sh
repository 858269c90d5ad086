#!/bin/sh
# The man page doc/rawtrace.8: it renders without a warning; every option
# that `rawtrace -h` and `rawtrace COMMAND -h` list is documented (in the
# command's section, or among the common and global options): the list
# is read from -h here, so an option added without documentation fails;
# and every JSON key the tools write (read from their sources) is named.
set -u
cd "$(dirname "$0")/../.." || exit 1
MAN=doc/rawtrace.8 RT=./rawtrace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok: man $1"; }
fail() { echo "FAIL: man $1: $2"; }

if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
	echo "skipped: man: no man or groff (make deps installs man-db, groff-base)"
	exit 0
fi

w=$(MANWIDTH=80 man --warnings -l "$MAN" 2>&1 >/dev/null)
[ -z "$w" ] && ok "renders without warnings" || fail "warnings" "$w"

# Plain ASCII text: "-" stays "-" (UTF-8 output would make it U+2010).
LC_ALL=C MANWIDTH=80 man -l "$MAN" 2>/dev/null >"$T/page"
[ -s "$T/page" ] || fail "render" "no text"

# The lines under a heading ("COMMON OPTIONS", or "   rawtrace bind" for
# .SS), up to the next heading of either kind.
section() {
	awk -v h="$1" '$0 == h { on = 1; next }
		on && (/^[A-Z]/ || /^   rawtrace /) { on = 0 } on' "$T/page"
}

# Every -x and --long option in `rawtrace ARGS -h`.
options() {
	"$RT" "$@" -h 2>/dev/null |
		grep -oE -- '(^|[][ ,|(])--?[A-Za-z0-9][A-Za-z0-9-]*' |
		sed 's/^[][ ,|(]//' | sort -u
}

# check NAME TEXT-FILE OPTIONS...: each option is a word of the text.
check() {
	name=$1 text=$2 missing=""
	shift 2
	for o in "$@"; do
		grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$text" ||
			missing="$missing $o"
	done
	if [ -n "$missing" ]; then
		fail "$name" "options of -h missing from $MAN:$missing"
	else
		ok "$name: the $# options of -h are documented"
	fi
}

# shellcheck disable=SC2046
check "rawtrace -h" "$T/page" $(options)
for cmd in bind listen connect packets deny-bind inspect doctor btfgen run; do
	section "   rawtrace $cmd" >"$T/cmd"
	if [ ! -s "$T/cmd" ]; then
		fail "$cmd" "no section \"rawtrace $cmd\" in $MAN"
		continue
	fi
	{ cat "$T/cmd"; section "COMMON OPTIONS"; section "GLOBAL OPTIONS"; } \
		>"$T/text"
	# shellcheck disable=SC2046
	check "rawtrace $cmd -h" "$T/text" $(options "$cmd")
done

# What the code does, as the page says it: deny-bind attaches with
# cgroup links (loader/attach.c), events come from a BPF ring buffer by
# default, and the exit statuses are the ones the commands give.
section "   rawtrace deny-bind" >"$T/cmd"
grep -q "BPF_LINK_CREATE" "$T/cmd" && ! grep -q "BPF_PROG_ATTACH" "$T/cmd" &&
	ok "deny-bind: cgroup links, as the code attaches" ||
	fail "deny-bind" "the page does not say BPF_LINK_CREATE (or says BPF_PROG_ATTACH)"
section "DESCRIPTION" | tr '\n' ' ' | tr -s ' ' >"$T/cmd"
grep -q "BPF ring buffer" "$T/cmd" && ! grep -q "reads the perf rings" "$T/cmd" &&
	ok "description: the BPF ring buffer first" ||
	fail "description" "events said to come from perf rings only"
section "EXIT STATUS" | tr '\n' ' ' | tr -s ' ' >"$T/cmd"
bad=
for c in "1 bind -p" "1 btfgen" "1 deny-bind" "2" "2 frobnicate" "2 inspect" \
	 "2 doctor x"; do
	want=${c%% *} args=${c#"$want"}
	# shellcheck disable=SC2086
	"$RT" $args >/dev/null 2>&1
	rc=$?
	[ "$rc" = "$want" ] || bad="$bad [rawtrace$args: $rc, not $want]"
done
if [ -n "$bad" ]; then
	fail "exit status" "the code gives:$bad"
elif ! grep -q "1 on an error.*missing option" "$T/cmd" ||
     ! grep -q "2, with the usage, when no command is given" "$T/cmd"; then
	fail "exit status" "the page does not say 1 for missing options, 2 for usage: $(cat "$T/cmd")"
else
	ok "exit status: 1 for missing options, 2 for usage, as the code gives"
fi

# JSON keys: each named in bold in the page, as itself or as its column
# (the keys are the lowercase column names).
# The keys are the second argument of a column (render/columns.h), or
# what out_json_* writes.
keys=$( { grep -ohE '(out_json_[a-z]+|json_key)\("[a-z0-9_]+"' progs/*.c cli/*.c render/*.c |
	sed 's/.*("//; s/"$//'
	grep -ohE 'COL_[A-Z]+\((NULL|"[^"]*"), "[a-z0-9_]+"' progs/*.[ch] render/*.[ch] |
	sed 's/.*, "//; s/"$//'; } | sort -u)
if [ -z "$keys" ]; then
	fail "JSON keys" "none found in progs/*.c: where are they written now?"
else
	missing=""
	for k in ts $keys; do
		K=$(echo "$k" | tr a-z A-Z)
		grep -qE "^\.BR? (.* )?\"?($k|$K)\"?( |,|\$)" "$MAN" ||
			missing="$missing $k"
	done
	[ -z "$missing" ] && ok "every JSON key is documented" ||
		fail "JSON keys" "not in $MAN:$missing"
fi
exit 0
