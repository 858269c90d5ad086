#!/bin/sh
# make install: the binary, the man page and the JSON schema land under
# DESTDIR and PREFIX (default /usr/local), unchanged, and the installed
# binary runs.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok: install $1"; }
fail() { echo "FAIL: install $1: $2"; }

# installed NAME ROOT: ROOT/sbin/rawtrace, ROOT/share/man/man8/rawtrace.8
# and ROOT/share/rawtrace/events.schema.json
installed() {
	if ! cmp -s rawtrace "$2/sbin/rawtrace"; then
		fail "$1" "no $2/sbin/rawtrace, or not ./rawtrace"
	elif [ ! -x "$2/sbin/rawtrace" ]; then
		fail "$1" "$2/sbin/rawtrace is not executable"
	elif ! cmp -s doc/rawtrace.8 "$2/share/man/man8/rawtrace.8"; then
		fail "$1" "no $2/share/man/man8/rawtrace.8, or not doc/rawtrace.8"
	elif ! cmp -s doc/events.schema.json "$2/share/rawtrace/events.schema.json"; then
		fail "$1" "no $2/share/rawtrace/events.schema.json, or not doc/events.schema.json"
	elif [ -x "$2/share/rawtrace/events.schema.json" ]; then
		fail "$1" "$2/share/rawtrace/events.schema.json is executable"
	elif ! "$2/sbin/rawtrace" --version | grep -q "^rawtrace "; then
		fail "$1" "the installed binary does not run"
	else
		ok "$1"
	fi
}

# The sub-make must not rebuild anything: make check built it all.
unset MAKEFLAGS MFLAGS
if make -s install DESTDIR="$T/a" >"$T/log" 2>&1; then
	installed "DESTDIR, default PREFIX /usr/local" "$T/a/usr/local"
else
	fail "make install DESTDIR" "$(cat "$T/log")"
fi
if make -s install DESTDIR="$T/b" PREFIX=/usr >"$T/log" 2>&1; then
	installed "DESTDIR and PREFIX=/usr" "$T/b/usr"
	files=$(cd "$T/b" && find . -type f | sort | tr '\n' ' ')
	[ "$files" = "./usr/sbin/rawtrace ./usr/share/man/man8/rawtrace.8 ./usr/share/rawtrace/events.schema.json " ] &&
		ok "those three files and nothing else" ||
		fail "files installed" "$files"
else
	fail "make install PREFIX" "$(cat "$T/log")"
fi
exit 0
