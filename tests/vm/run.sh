#!/bin/sh
# Usage: tests/vm/run.sh [-p] [-k KERNEL] [-t TIMEOUT_SECONDS] [-f FILE]...
#                        [-m MODULE]... SCRIPT
#
# Boots a Debian cloud kernel (tests/vm/kernel.sh KERNEL, default
# x86_64-6.1; arm64-* in qemu-system-aarch64) in qemu (TCG, no KVM)
# with a throwaway initramfs: static busybox, each FILE in /bin, SCRIPT as
# /test.sh, and each MODULE (e.g. veth, cls_bpf; with its dependencies)
# insmod'ed before the script runs. Streams the console to stdout without
# \r and exits with the script's status.
# Fails (exit 124) on timeout, default 120 s, and (exit 125) if the guest
# never reported a status, e.g. because the kernel panicked.
#
# The two vCPUs take turns on one host thread (single-threaded TCG). With
# a host thread each (-p, multi-threaded TCG) the guest now and then hangs
# with both vCPUs in a soft lockup while rawtrace attaches tracepoints and
# the other vCPU makes syscalls: three of our last seven full e2e runs did; a
# loop of rawtrace runs with a syscall loop beside it hung in round 28,
# where single-threaded TCG ran 45 rounds clean, as fast. -p is for the
# benchmarks, whose reader must run beside the storm.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
marker=RAWTRACE-VM-EXIT
die() { echo "run.sh: $*" >&2; exit 2; }

usage="usage: run.sh [-p] [-k KERNEL] [-t SECONDS] [-f FILE]... [-m MODULE]... SCRIPT"
timeout=120 files="" mods="" name=x86_64-6.1
accel="-accel tcg,thread=single"
while getopts pk:t:f:m: o; do
	case $o in
	p) accel="-accel tcg,thread=multi" ;;
	k) name=$OPTARG ;;
	t) timeout=$OPTARG ;;
	f) [ -f "$OPTARG" ] || die "-f $OPTARG: no such file"
	   files="$files $OPTARG" ;;	# paths with spaces are not supported
	m) mods="$mods $OPTARG" ;;
	*) die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || die "$usage"
script=$1
[ -f "$script" ] || die "$script: no such script"
case $timeout in ''|*[!0-9]*) die "-t $timeout: not a number of seconds" ;; esac

# The machine for each architecture: the console the kernel writes to,
# and -cpu max (TCG's defaults lack features the cloud kernels like;
# pauth-impdef: a pointer authentication TCG emulates far faster than the
# architected QARMA).
arch=${name%%-*}
case $arch in
x86_64) qemu="qemu-system-x86_64" pkg=qemu-system-x86 console=ttyS0
	machine="-machine q35 -cpu max" ;;
arm64)  qemu="qemu-system-aarch64" pkg=qemu-system-arm console=ttyAMA0
	machine="-machine virt -cpu max,pauth-impdef=on" ;;
*) die "-k $name: no such kernel" ;;
esac
command -v $qemu >/dev/null 2>&1 || die "$qemu: not installed (apt-get install $pkg)"
command -v cpio >/dev/null 2>&1 || die "cpio: not installed"
sh "$root/tests/vm/kernel.sh" "$name" >&2 || die "kernel: not available (see above)"
vm="$root/build/vm/$name"
release=$(sed 's/ .*//' "$vm/kernel.release")
moddir="$vm/kernel/lib/modules/$release"
# The host's busybox, or the one kernel.sh unpacked for another architecture.
if [ "$arch" = "$(uname -m | sed 's/^aarch64$/arm64/')" ]; then
	bb=$(command -v busybox 2>/dev/null || true)
	[ -n "$bb" ] || die "busybox: not installed (apt-get install busybox-static)"
else
	bb="$root/build/vm/busybox-$arch/bin/busybox"
fi
# A dynamic busybox would need libc in the initramfs.
! command -v file >/dev/null 2>&1 ||
	file -L "$bb" | grep -q 'statically linked' ||
	die "$bb: not statically linked (apt-get install busybox-static)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rawtrace-vm.XXXXXX")
qpid=""
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- the initramfs tree ---
r="$tmp/root"
mkdir -p "$r/bin" "$r/dev" "$r/proc" "$r/sys" "$r/tmp" "$r/run" "$r/lib/modules" "$r/usr"
# The applets' links are made in the guest (busybox --install), as another
# architecture's busybox cannot run here to list them.
cp "$bb" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
ln -s bin "$r/sbin"
ln -s ../bin "$r/usr/bin"
ln -s ../bin "$r/usr/sbin"
for f in $files; do
	cp "$f" "$r/bin/" && chmod 755 "$r/bin/${f##*/}"
done
cp "$script" "$r/test.sh"
# The kernel opens /dev/console for init before devtmpfs is mounted.
mknod -m 600 "$r/dev/console" c 5 1 2>/dev/null || true

# Modules in load order: dependencies first (read from .modinfo, since the
# package ships no modules.dep and kmod is not needed on the host).
modinfo_deps() {
	objcopy -O binary --only-section=.modinfo "$1" "$tmp/modinfo" 2>/dev/null || return 0
	tr '\0' '\n' <"$tmp/modinfo" | sed -n 's/^depends=//p' | tr ',' ' '
}
# Module file names use '-' or '_' interchangeably with the module name.
find_ko() {
	find "$moddir/kernel" \( -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" \
		-o -name "$(echo "$1" | tr - _).ko*" \) | head -n 1
}
loaded=""
add_module() {
	case " $loaded " in *" $1 "*) return 0 ;; esac
	ko=$(find_ko "$1")
	if [ -z "$ko" ]; then
		grep -q "/$1\.ko" "$moddir/modules.builtin" 2>/dev/null && return 0
		die "-m $1: no such module in $moddir"
	fi
	for d in $(modinfo_deps "$ko"); do add_module "$d"; done
	# sh has no locals: the dependencies' calls set ko to theirs
	ko=$(find_ko "$1")
	case $ko in
	*.xz)  xz -dc "$ko" >"$r/lib/modules/$1.ko" ;;
	*.zst) zstd -dcq "$ko" >"$r/lib/modules/$1.ko" ;;
	*.gz)  gzip -dc "$ko" >"$r/lib/modules/$1.ko" ;;
	*)     cp "$ko" "$r/lib/modules/$1.ko" ;;
	esac
	loaded="$loaded $1"
	echo "$1" >>"$r/lib/modules/order"
}
for m in $mods; do add_module "$m"; done

cat >"$r/init" <<EOF
#!/bin/sh
# PID 1 in the test VM: mount what the tracer needs, run /test.sh, report.
# RAWTRACE_TCG_GUEST: for the tests, a qemu guest without KVM, whose
# wall clock steps against the monotonic one (tests/e2e/bind.sh).
export PATH=/bin HOME=/ TERM=dumb RAWTRACE_TCG_GUEST=1
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t sysfs sys /sys
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
ip link set lo up
if [ -f /lib/modules/order ]; then
	while read -r m; do
		insmod /lib/modules/\$m.ko || echo "init: insmod \$m: failed"
	done </lib/modules/order
fi
cd /tmp
sh /test.sh
rc=\$?
# Own line even if the script left a partial one or the kernel interleaved.
echo
echo "$marker=\$rc"
sync
poweroff -f
EOF
chmod 755 "$r/init" "$r/test.sh"

(cd "$r" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$tmp/initrd.gz" ||
	die "cpio/gzip: could not build the initramfs"

# --- boot ---
# -nodefaults: no VGA/NIC to probe, which shortens the boot.
# panic=-1 + -no-reboot: a panic ends qemu instead of hanging to the timeout;
# softlockup_panic=1 makes a CPU stuck in the kernel such a panic.
log="$tmp/console"
fifo="$tmp/fifo"
mkfifo "$fifo"
start=$(date +%s)
timeout -k 5 "$timeout" $qemu $machine -smp 2 -m 512 $accel \
	-nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-kernel "$vm/boot" -initrd "$tmp/initrd.gz" \
	-append "console=$console quiet panic=-1 softlockup_panic=1 rdinit=/init" \
	</dev/null >"$fifo" 2>&1 &
qpid=$!
# The guest tty turns \n into \r\n; strip \r so '^ok: ' greps work.
# sed -u so the console streams line by line instead of in 4 KiB blocks.
sed -u -e 's/\r//g' -e "w $log" -e "/^$marker=/d" <"$fifo" || true
set +e
wait "$qpid"
qrc=$?
set -e
qpid=""
elapsed=$(($(date +%s) - start))

status=$(sed -n "s/^$marker=\([0-9][0-9]*\).*/\1/p" "$log" | tail -n 1)
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "run.sh: timeout: guest still running after ${timeout}s, killed qemu" >&2
	exit 124
fi
if [ -z "$status" ]; then
	echo "run.sh: no $marker line: guest died before /test.sh finished (qemu exit $qrc)" >&2
	exit 125
fi
echo "run.sh: $script exited $status in ${elapsed}s (boot+run+poweroff)" >&2
exit "$status"
