#!/bin/sh
# Usage: tests/vm/kernel.sh [NAME]
#
# Ensures build/vm/NAME/ holds a Debian cloud kernel the VM tests can boot.
# NAME is ARCH-VERSION, one of the matrix (default x86_64-6.1):
#   x86_64-6.1   linux-image-cloud-amd64 of this machine's suites
#   x86_64-6.12  linux-image-6.12-cloud-amd64 (bookworm-security)
#   x86_64-5.10  linux-image-cloud-amd64 of bullseye-security
#   arm64-6.1    linux-image-cloud-arm64
#   arm64-6.12   linux-image-6.12-cloud-arm64
# Each meta package names the real, versioned one, which is what we fetch.
# build/vm/NAME/ then holds:
#   kernel/          the unpacked linux-image package (modules for run.sh -m)
#   boot             the image qemu boots: bzImage, or arm64's plain Image
#   vmlinux.btf      its raw BTF blob (for tests on the host)
#   kernel.release   e.g. "6.1.0-56-cloud-amd64 (6.1.192-2)"
# and build/vm/busybox-ARCH/bin/busybox is the guest's busybox for an
# architecture other than the host's. x86_64-6.1's BTF is also
# build/vm/vmlinux-6.1.btf, where the CO-RE tests look for it.
# Cached: a second run only prints the version. On failure it prints one
# line "kernel.sh: <what>: <why>" to stderr and exits non-zero (see die).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
name=${1:-x86_64-6.1}
# Exit 1: the kernel could not be fetched (no network, archive unreachable),
# which callers report as skipped. Exit 2: it was fetched but is not one the
# tests can use, which is a failure.
die() { echo "kernel.sh: $*" >&2; exit 1; }
unusable() { echo "kernel.sh: $*" >&2; exit 2; }

# dpkg's name of the architecture, the meta package, and the suite when it
# is not one of this machine's own.
suite=""
case $name in
x86_64-6.1)  dpkg_arch=amd64 meta=linux-image-cloud-amd64 ;;
x86_64-6.12) dpkg_arch=amd64 meta=linux-image-6.12-cloud-amd64 ;;
x86_64-5.10) dpkg_arch=amd64 meta=linux-image-cloud-amd64 suite=bullseye-security ;;
arm64-6.1)   dpkg_arch=arm64 meta=linux-image-cloud-arm64 ;;
arm64-6.12)  dpkg_arch=arm64 meta=linux-image-6.12-cloud-arm64 ;;
*) unusable "$name: no such kernel (x86_64-6.1 x86_64-6.12 x86_64-5.10 arm64-6.1 arm64-6.12)" ;;
esac
arch=${name%%-*} version=${name#*-}
host_arch=$(uname -m | sed 's/^aarch64$/arm64/')

vm="$root/build/vm"
dir="$vm/$name"
mkdir -p "$vm"

# Several VM tests may start at once; only one of them should download.
exec 9>"$vm/.kernel.lock"
command -v flock >/dev/null 2>&1 && flock 9

bb_dir="$vm/busybox-$arch"
have_busybox() { [ "$arch" = "$host_arch" ] || [ -x "$bb_dir/bin/busybox" ]; }
if [ -f "$dir/kernel.release" ] && [ -e "$dir/boot" ] &&
   [ -s "$dir/vmlinux.btf" ] && have_busybox; then
	echo "kernel: $name: $(cat "$dir/kernel.release")"
	exit 0
fi

# A suite this machine's apt does not list (bullseye-security) comes from
# a private apt config: the same archive as this machine's own -security
# suite, with its lists under build/ so the system's stay untouched.
apt_env=""
if [ -n "$suite" ]; then
	pa="$vm/apt-$suite"
	uri=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' \
		'Created-By: Packages' 2>/dev/null |
		sed -n 's/^[^ ]*-security \([^ ]*\)$/\1/p' | head -n 1)
	[ -n "$uri" ] || die "$suite: this machine's apt has no -security suite to derive it from"
	mkdir -p "$pa/lists/partial" "$pa/cache/archives/partial" "$pa/parts"
	echo "deb $uri $suite main" >"$pa/sources.list"
	cat >"$pa/apt.conf" <<-EOF
	Dir::Etc::sourcelist "$pa/sources.list";
	Dir::Etc::sourceparts "$pa/parts";
	Dir::State::lists "$pa/lists";
	Dir::Cache "$pa/cache";
	APT::Architectures { "$dpkg_arch"; };
	EOF
	apt_env="APT_CONFIG=$pa/apt.conf"
	env $apt_env apt-get update >/dev/null 2>&1 ||
		die "apt-get update for $suite: failed (archive unreachable?)"
fi
apt() { env $apt_env "$@"; }

# The meta package names the real, versioned one (linux-image-6.1.0-NN-...).
real_pkg() {
	apt apt-cache depends "$meta:$dpkg_arch" 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1
}
pkg=$(real_pkg)
if [ -z "$pkg" ] && [ -z "$suite" ]; then
	apt-get update >/dev/null 2>&1 || die "apt-get update: failed (no network?)"
	pkg=$(real_pkg)
fi
[ -n "$pkg" ] || die "apt-cache depends $meta:$dpkg_arch: names no linux-image package (for arm64: dpkg --add-architecture arm64, i.e. make deps)"
case $pkg in
"linux-image-$version".*) ;;
*) unusable "$meta names $pkg, not a $version kernel" ;;
esac

tmp="$vm/kernel.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp/x"
# apt-get download writes into the current directory.
(cd "$tmp" && apt apt-get download "$pkg:$dpkg_arch" >/dev/null 2>&1) ||
	die "apt-get download $pkg:$dpkg_arch: failed (no network or not in the archive?)"
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "apt-get download $pkg: produced no .deb"
debver=$(dpkg-deb -f "$deb" Version)
dpkg-deb -x "$deb" "$tmp/x" || die "dpkg-deb -x $deb: failed"
rm -f "$deb"

img=$(ls "$tmp"/x/boot/vmlinuz-* 2>/dev/null | head -n 1)
cfg=$(ls "$tmp"/x/boot/config-* 2>/dev/null | head -n 1)
[ -n "$img" ] && [ -n "$cfg" ] || unusable "$pkg: no boot/vmlinuz-* or boot/config-*"
release=${img##*/vmlinuz-}

# Everything the tests rely on must be built in: the initramfs carries no
# modules by default (run.sh -m can add some, e.g. veth or cls_bpf).
case $arch in
x86_64) console=SERIAL_8250_CONSOLE ;;
arm64)  console=SERIAL_AMBA_PL011_CONSOLE ;;
esac
for opt in KPROBES KPROBE_EVENTS BPF BPF_SYSCALL BPF_EVENTS DEBUG_INFO_BTF \
	TRACEPOINTS FTRACE PERF_EVENTS CGROUPS CGROUP_BPF IPV6 INET UNIX \
	DEVTMPFS TMPFS DEBUG_FS BLK_DEV_INITRD RD_GZIP $console; do
	v=$(sed -n "s/^CONFIG_$opt=//p" "$cfg")
	[ "$v" = y ] || unusable "$pkg: CONFIG_$opt is '${v:-unset}', need y"
done

magic_of() { head -c "$2" "$1" | od -An -tx1 | tr -d ' \n'; }
command -v objcopy >/dev/null 2>&1 || unusable "objcopy: not installed (binutils)"

# x86_64: bzImage = setup code + decompressor + compressed vmlinux. Find
# which compressor Debian chose (6.1 cloud: LZ4, legacy frame 02 21 4c 18),
# then try each place its magic occurs until one decompresses to an ELF,
# whose .BTF section is the blob.
btf_of_bzimage() {
	comp=$(sed -n 's/^CONFIG_KERNEL_\([A-Z0-9]*\)=y$/\1/p' "$cfg")
	case "$comp" in
	LZ4)  magic='\x02\x21\x4c\x18';         unpack='lz4 -dc' ;;
	ZSTD) magic='\x28\xb5\x2f\xfd';         unpack='zstd -dc' ;;
	XZ)   magic='\xfd\x37\x7a\x58\x5a\x00'; unpack='xz -dc' ;;
	GZIP) magic='\x1f\x8b\x08';             unpack='gzip -dc' ;;
	*)    unusable "$img: kernel compression '$comp' not handled" ;;
	esac
	tool=${unpack%% *}
	command -v "$tool" >/dev/null 2>&1 || unusable "$tool: not installed (needed for $comp vmlinuz)"
	vmlinux="$tmp/vmlinux"
	found=""
	for off in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1); do
		# Trailing bytes after the stream make the tool exit non-zero;
		# judge by the output instead.
		tail -c +$((off + 1)) "$img" | $unpack >"$vmlinux" 2>/dev/null || true
		if [ "$(magic_of "$vmlinux" 4)" = 7f454c46 ]; then
			found=$off
			break
		fi
	done
	[ -n "$found" ] || unusable "$img: no $comp stream decompresses to an ELF vmlinux"
	objcopy -O binary --only-section=.BTF "$vmlinux" "$tmp/btf" 2>/dev/null ||
		unusable "objcopy --only-section=.BTF: failed on vmlinux"
	rm -f "$vmlinux"
}

# arm64: the Image is the kernel's memory image, not an ELF, and Debian
# ships no System.map to say where .BTF lies. The blob starts with its
# header (magic eb9f, version 1, flags 0, hdr_len 24), which also gives
# its length: hdr_len + str_off + str_len.
btf_of_image() {
	off=$(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$1" |
		cut -d: -f1 | head -n 1)
	[ -n "$off" ] || unusable "$1: no BTF header in the Image"
	# shellcheck disable=SC2046
	set -- "$1" $(tail -c +$((off + 1)) "$1" | head -c 24 | od -An -tu4)
	tail -c +$((off + 1)) "$1" | head -c $(($3 + $6 + $7)) >"$tmp/btf"
}

case $arch in
x86_64)
	btf_of_bzimage
	boot="kernel/boot/vmlinuz-$release" ;;
arm64)
	# qemu's -kernel takes the plain Image; Debian's may come gzipped.
	if [ "$(magic_of "$img" 2)" = 1f8b ]; then
		gzip -dc "$img" >"$tmp/x/boot/Image" || unusable "$img: gunzip failed"
		boot="kernel/boot/Image"
	else
		boot="kernel/boot/vmlinuz-$release"
	fi
	btf_of_image "$tmp/x/${boot#kernel/}" ;;
esac
[ "$(magic_of "$tmp/btf" 2)" = 9feb ] ||
	unusable "$img: BTF blob does not start with magic 9f eb"

# The guest's busybox for another architecture than the host's, unpacked
# (busybox-static cannot be installed for two architectures at once).
if ! have_busybox; then
	mkdir -p "$tmp/bb"
	(cd "$tmp" && apt-get download "busybox-static:$dpkg_arch" >/dev/null 2>&1) ||
		die "apt-get download busybox-static:$dpkg_arch: failed"
	dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/bb" ||
		die "dpkg-deb -x busybox-static:$dpkg_arch: failed"
	rm -rf "$bb_dir"
	mv "$tmp/bb" "$bb_dir"
fi

# Publish atomically-ish: the version file goes last and marks completeness.
rm -rf "$dir"
mkdir -p "$dir"
mv "$tmp/x" "$dir/kernel"
mv "$tmp/btf" "$dir/vmlinux.btf"
ln -sf "$boot" "$dir/boot"
[ "$name" != x86_64-6.1 ] || ln -sf "$name/vmlinux.btf" "$vm/vmlinux-6.1.btf"
echo "$release ($debver)" >"$dir/kernel.release"
echo "kernel: $name: $(cat "$dir/kernel.release")"
