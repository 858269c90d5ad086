#!/bin/sh
# Installs every Debian package the build and the tests need.
set -eu
pkgs="make gcc clang llvm musl-tools pkg-config check linux-libc-dev
      qemu-system-x86 busybox-static cpio xz-utils zstd lz4 binutils iproute2
      file util-linux"
missing=""
for p in $pkgs; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
