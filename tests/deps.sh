#!/bin/sh
# Installs every Debian package the build and the tests need.
set -eu
# bpftool and pahole are independent references for the tests (BTF ids,
# offsets); libbpf-dev (with libelf, zlib, zstd for a static link) builds
# the test-only libbpf loader of the differential check. None of them is
# linked into rawtrace. man-db and groff-base check the man page.
pkgs="make gcc clang llvm musl-tools pkg-config check linux-libc-dev
      qemu-system-x86 busybox-static cpio xz-utils zstd lz4 binutils iproute2
      file util-linux bpftool pahole libbpf-dev libelf-dev zlib1g-dev
      libzstd-dev man-db groff-base"
missing=""
for p in $pkgs; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
