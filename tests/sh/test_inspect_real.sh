#!/bin/sh
# rawtrace inspect on real-world libbpf-style objects: the BPF object in
# each of Debian's libbpf-tools binaries (issue 21), cut out by
# tests/diff/extract-libbpf-tools.sh into build/libbpf-tools. Each object
# must open: ok, or FAIL with inspect's error line. Then a summary count.
# Installing libbpf-tools needs root (and apt); without them: skipped.
# RAWTRACE=path picks another binary (to count what an older build opens).
set -u
cd "$(dirname "$0")/../.." || exit 1
RT=${RAWTRACE:-./rawtrace}
DIR=build/libbpf-tools

if [ ! -d "$DIR" ] || [ -z "$(ls "$DIR" 2>/dev/null)" ]; then
	if [ "$(id -u)" -ne 0 ] && ! dpkg -s libbpf-tools >/dev/null 2>&1; then
		echo "skipped: inspect real: libbpf-tools missing, and not root"
		exit 0
	fi
	sh tests/diff/extract-libbpf-tools.sh "$DIR" >/dev/null 2>&1 || {
		echo "skipped: inspect real: cannot install or extract libbpf-tools"
		exit 0
	}
fi

T=$(mktemp)
trap 'rm -f "$T"' EXIT
opened=0
total=0
for o in "$DIR"/*.bpf.o; do
	total=$((total + 1))
	name=$(basename "$o")
	if "$RT" inspect "$o" >/dev/null 2>"$T"; then
		opened=$((opened + 1))
		echo "ok: inspect real $name"
	else
		echo "FAIL: inspect real $name: $(head -n 1 "$T")"
	fi
done
echo "inspect real: $opened of $total objects opened"
