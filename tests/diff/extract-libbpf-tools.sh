#!/bin/sh
# The corpus for `rawtrace inspect` and `rawtrace run`: the BPF object
# embedded in each of Debian's libbpf-tools binaries, cut out into
# OUTDIR (default build/libbpf-tools). Installs libbpf-tools first if it
# is missing (as root). Prints the number of objects extracted; the
# objects are Debian's, built from bcc: never commit them.
set -e
out=${1:-build/libbpf-tools}
here=$(dirname "$0")
tool=build/tests/extract-bpf-elf
if [ ! -x "$tool" ]; then
	mkdir -p build/tests
	cc -O2 -o "$tool" "$here/extract_bpf_elf.c"
fi
if ! dpkg -s libbpf-tools >/dev/null 2>&1; then
	apt-get install -y libbpf-tools >/dev/null 2>&1 ||
		{ apt-get update >/dev/null && apt-get install -y libbpf-tools >/dev/null; }
fi
rm -rf "$out"
mkdir -p "$out"
dpkg -L libbpf-tools | grep '/sbin/[^/]*$' | while read -r bin; do
	# a wrapper script or a symlink to another tool holds no object of its own
	[ -f "$bin" ] && [ ! -L "$bin" ] || continue
	"$tool" "$bin" "$out" >/dev/null
done
ls "$out" | wc -l
