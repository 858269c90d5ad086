#!/bin/sh
# Ensures build/vm/ holds a Debian cloud kernel the VM tests can boot:
#   build/vm/kernel/          the unpacked linux-image-*-cloud-amd64 package
#   build/vm/vmlinuz          symlink to its bzImage
#   build/vm/vmlinux-6.1.btf  its raw BTF blob (for CO-RE tests on the host)
#   build/vm/kernel.release   e.g. "6.1.0-56-cloud-amd64 (6.1.192-2)"
# The host kernel has no kprobes, so this one is what kprobe tests run on.
# Cached: a second run only prints the version. On failure it prints one
# line "kernel.sh: <what>: <why>" to stderr and exits non-zero, so callers
# can turn it into "skipped: vm: ...".
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
vm="$root/build/vm"
mkdir -p "$vm"

die() { echo "kernel.sh: $*" >&2; exit 1; }

# Several VM tests may start at once; only one of them should download.
exec 9>"$vm/.kernel.lock"
command -v flock >/dev/null 2>&1 && flock 9

if [ -f "$vm/kernel.release" ] && [ -e "$vm/vmlinuz" ] &&
   [ -s "$vm/vmlinux-6.1.btf" ]; then
	echo "kernel: $(cat "$vm/kernel.release")"
	exit 0
fi

# The meta package names the real, versioned one (linux-image-6.1.0-NN-...).
meta=linux-image-cloud-amd64
real_pkg() {
	apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1
}
pkg=$(real_pkg)
if [ -z "$pkg" ]; then
	apt-get update >/dev/null 2>&1 || die "apt-get update: failed (no network?)"
	pkg=$(real_pkg)
fi
[ -n "$pkg" ] || die "apt-cache depends $meta: names no linux-image package"

tmp="$vm/kernel.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp/x"
# apt-get download writes into the current directory.
(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) ||
	die "apt-get download $pkg: failed (no network or not in the archive?)"
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "apt-get download $pkg: produced no .deb"
debver=$(dpkg-deb -f "$deb" Version)
dpkg-deb -x "$deb" "$tmp/x" || die "dpkg-deb -x $deb: failed"

img=$(ls "$tmp"/x/boot/vmlinuz-* 2>/dev/null | head -n 1)
cfg=$(ls "$tmp"/x/boot/config-* 2>/dev/null | head -n 1)
[ -n "$img" ] && [ -n "$cfg" ] || die "$pkg: no boot/vmlinuz-* or boot/config-*"
release=${img##*/vmlinuz-}

# Everything the tests rely on must be built in: the initramfs carries no
# modules by default (run.sh -m can add some, e.g. veth or cls_bpf).
for opt in KPROBES KPROBE_EVENTS BPF BPF_SYSCALL BPF_EVENTS DEBUG_INFO_BTF \
	TRACEPOINTS FTRACE PERF_EVENTS CGROUPS CGROUP_BPF IPV6 INET UNIX \
	DEVTMPFS TMPFS DEBUG_FS BLK_DEV_INITRD RD_GZIP SERIAL_8250_CONSOLE; do
	v=$(sed -n "s/^CONFIG_$opt=//p" "$cfg")
	[ "$v" = y ] || die "$pkg: CONFIG_$opt is '${v:-unset}', need y"
done

# bzImage = setup code + decompressor + compressed vmlinux. Find which
# compressor Debian chose (6.1 cloud: LZ4, legacy frame 02 21 4c 18), then
# try each place its magic occurs until one decompresses to an ELF.
comp=$(sed -n 's/^CONFIG_KERNEL_\([A-Z0-9]*\)=y$/\1/p' "$cfg")
case "$comp" in
LZ4)  magic='\x02\x21\x4c\x18';         unpack='lz4 -dc' ;;
ZSTD) magic='\x28\xb5\x2f\xfd';         unpack='zstd -dc' ;;
XZ)   magic='\xfd\x37\x7a\x58\x5a\x00'; unpack='xz -dc' ;;
GZIP) magic='\x1f\x8b\x08';             unpack='gzip -dc' ;;
*)    die "$img: kernel compression '$comp' not handled" ;;
esac
tool=${unpack%% *}
command -v "$tool" >/dev/null 2>&1 || die "$tool: not installed (needed for $comp vmlinuz)"
command -v objcopy >/dev/null 2>&1 || die "objcopy: not installed (binutils)"

vmlinux="$tmp/vmlinux"
found=""
for off in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1); do
	# Trailing bytes after the stream make the tool exit non-zero; judge by
	# the output instead.
	tail -c +$((off + 1)) "$img" | $unpack >"$vmlinux" 2>/dev/null || true
	if [ "$(head -c 4 "$vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		found=$off
		break
	fi
done
[ -n "$found" ] || die "$img: no $comp stream decompresses to an ELF vmlinux"

objcopy -O binary --only-section=.BTF "$vmlinux" "$tmp/btf" 2>/dev/null ||
	die "objcopy --only-section=.BTF: failed on vmlinux"
[ "$(head -c 2 "$tmp/btf" | od -An -tx1 | tr -d ' ')" = 9feb ] ||
	die "$img: .BTF section does not start with magic 9f eb"
rm -f "$vmlinux"

# Publish atomically-ish: the version file goes last and marks completeness.
rm -rf "$vm/kernel" "$vm/kernel.release"
mv "$tmp/x" "$vm/kernel"
mv "$tmp/btf" "$vm/vmlinux-6.1.btf"
ln -sf "kernel/boot/vmlinuz-$release" "$vm/vmlinuz"
echo "$release ($debver)" >"$vm/kernel.release"
echo "kernel: $(cat "$vm/kernel.release")"
