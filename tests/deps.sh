#!/bin/sh
# Installs every Debian package the build and the tests need.
set -eu
# bpftool and pahole are independent references for the tests (BTF ids,
# offsets); libbpf-dev (with libelf, zlib, zstd for a static link) builds
# the test-only libbpf loader of the differential check. None of them is
# linked into rawtrace. man-db and groff-base check the man page.
# libbpf-tools: its binaries' BPF objects are the corpus of
# tests/sh/test_inspect_real.sh.
# curl and prometheus (its promtool, and the server itself, scraping a
# running `rawtrace run --metrics`): tests/sh/test_run_metrics.sh. Its
# service is not wanted running; the test starts its own on a spare port.
# python3-jsonschema: tests/schema_check.py checks the tools' JSON Lines
# against doc/events.schema.json (tests/sh/test_schema.sh, test_e2e.sh,
# test_vm_e2e.sh).
# The other architecture (make ARCH=..., the VM matrix) comes from Debian
# multiarch: its musl and uapi headers, and a cross gcc for musl's wrapper.
# Its busybox is unpacked by tests/vm/kernel.sh, not installed: the static
# busybox of two architectures cannot be installed side by side.
# Packages installed for both name their architecture (dpkg -s would call
# a bare name ambiguous).
host=$(dpkg --print-architecture)
case $host in
amd64) other=arm64 cross=gcc-aarch64-linux-gnu ;;
arm64) other=amd64 cross=gcc-x86-64-linux-gnu ;;
*)     echo "deps.sh: $host: not an architecture rawtrace builds on" >&2
       exit 1 ;;
esac
pkgs="make gcc clang llvm musl-tools pkg-config check linux-libc-dev:$host
      qemu-system-x86 qemu-system-arm busybox-static cpio xz-utils zstd lz4
      binutils iproute2 file util-linux bpftool pahole libbpf-dev libelf-dev
      zlib1g-dev libzstd-dev man-db groff-base libbpf-tools curl prometheus
      zopfli python3-jsonschema
      $cross musl-dev:$other linux-libc-dev:$other"
missing=""
for p in $pkgs; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
dpkg --print-foreign-architectures | grep -qx "$other" ||
	dpkg --add-architecture "$other"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
