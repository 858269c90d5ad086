#!/bin/sh
# The builds of both architectures, side by side as make check leaves them:
# each binary static, stripped and of its own machine (one build dir
# never feeds the other's link), and make dist naming both by version
# with sums that check.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok: build $1"; }
fail() { echo "FAIL: build $1: $2"; }
command -v file >/dev/null 2>&1 || { echo "skipped: build: file(1) not installed"; exit 0; }

host_arch=$(uname -m | sed 's/^aarch64$/arm64/')
bin_of() { if [ "$1" = "$host_arch" ]; then echo rawtrace; else echo "rawtrace-$1"; fi; }
machine_of() { case $1 in x86_64) echo x86-64 ;; arm64) echo "ARM aarch64" ;; esac; }

# is_binary NAME FILE ARCH
is_binary() {
	d=$(file -b "$2")
	case $d in
	"ELF 64-bit LSB executable, $(machine_of "$3"),"*"statically linked"*", stripped")
		ok "$1: static, stripped, $3" ;;
	*)	fail "$1" "not a static, stripped $3 executable: $d" ;;
	esac
}
for a in x86_64 arm64; do
	b=$(bin_of "$a")
	if [ -f "$b" ]; then
		is_binary "$b" "$b" "$a"
	else
		fail "$b" "missing (make check builds it)"
	fi
done

# A make of its own: this one may run under make check's.
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -s dist DIST="$T/dist" VERSION=t1 >"$T/log" 2>&1; then
	for a in x86_64 arm64; do
		is_binary "dist $a" "$T/dist/rawtrace-t1-$a" "$a"
	done
	if (cd "$T/dist" && sha256sum -c --quiet SHA256SUMS) >"$T/sum" 2>&1 &&
	   [ "$(wc -l <"$T/dist/SHA256SUMS")" -eq 2 ]; then
		ok "dist: SHA256SUMS checks both binaries"
	else
		fail "dist SHA256SUMS" "$(cat "$T/sum" "$T/dist/SHA256SUMS")"
	fi
else
	fail "make dist" "$(tail -n 5 "$T/log")"
fi
