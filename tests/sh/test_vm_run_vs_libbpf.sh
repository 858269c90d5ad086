#!/bin/sh
# `rawtrace run` against libbpf (issue 21) in the VM, on Debian's 6.1
# kernel (kprobes, fentry: far more programs load and attach there than
# here): one boot (tests/vm/run.sh) with rawtrace, rt-diff, lb-verdict,
# bpfprogs and the objects (the libbpf-tools corpus and our test objects)
# in the initramfs, and nf_conntrack loaded (its kfuncs, in its BTF). The guest takes libbpf's verdicts (tests/diff/
# verdicts.sh), then for each object runs `rawtrace run OBJ -d 1` and
# `rt-diff run OBJ -d 1` (RT_DIFF_KEEP: the translated instructions), and
# notes what each run left behind: BPF programs still loaded
# (build/workload/bpfprogs) and files in /sys/fs/bpf. Its files come
# back as a tar on the console (base64, between markers), and the host
# compares them as tests/sh/test_run_vs_libbpf.sh does
# (tests/diff/compare_run.sh): one ok:/FAIL: line per object, then a
# summary. Skipped without root, the binaries, qemu or the kernel.
# Env: KERNEL (x86_64-6.1), RUN_SECONDS (-d, 1), VM_TIMEOUT (s, 900).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/diff/compare_run.sh
k=${KERNEL:-x86_64-6.1}
label=vm-$k
secs=${RUN_SECONDS:-1}
CORPUS=build/libbpf-tools
TOBJDIR=build/bpf/tests

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: run vs libbpf vm: needs root (to fetch and boot the kernel)"
	exit 0
fi
if ! ./rawtrace run -h >/dev/null 2>&1; then
	echo "skipped: run vs libbpf vm: rawtrace run not built yet"
	exit 0
fi
for f in build/tests/lb-verdict build/tests/rt-diff build/workload/bpfprogs; do
	if [ ! -x "$f" ]; then
		echo "skipped: run vs libbpf vm: $f not built (make tests)"
		exit 0
	fi
done
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "skipped: run vs libbpf vm: qemu-system-x86_64 not installed"
	exit 0
fi
if [ -z "$(ls "$CORPUS" 2>/dev/null)" ] &&
   ! sh tests/diff/extract-libbpf-tools.sh "$CORPUS" >/dev/null 2>&1; then
	echo "skipped: run vs libbpf vm: cannot install or extract libbpf-tools"
	exit 0
fi
if ! sh tests/vm/kernel.sh "$k" >/tmp/rawtrace-kernel.log 2>&1; then
	echo "skipped: run vs libbpf vm: no kernel: $(tail -n 1 /tmp/rawtrace-kernel.log)"
	exit 0
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
files="-f ./rawtrace -f build/tests/rt-diff -f build/tests/lb-verdict"
files="$files -f build/workload/bpfprogs -f tests/diff/verdicts.sh"
for f in "$CORPUS"/*.bpf.o; do
	files="$files -f $f"
done
# Every file lands in /bin; the guest moves our test objects (their
# names are not the corpus's) to /tobj, for verdicts.sh's TOBJDIR.
tobjs=""
for f in "$TOBJDIR"/*.bpf.o; do
	case ${f##*/} in bad_*) continue ;; esac
	files="$files -f $f"
	tobjs="$tobjs ${f##*/}"
done
cat >"$T/guest.sh" <<EOF
mkdir -p /tobj /tmp/res/obj
for f in $tobjs; do mv /bin/\$f /tobj/; done
echo "run vs libbpf vm: kernel \$(uname -r)"
LBVERDICT=/bin/lb-verdict CORPUS=/bin TOBJDIR=/tobj OUT=/tmp/res/table \
	XLATED=/tmp/res/xlated sh /bin/verdicts.sh $label
# what is loaded or pinned now, to compare with after a run
# (never empty: busybox grep -f with no patterns matches every line)
state() { echo state; bpfprogs | sort; ls -R /sys/fs/bpf 2>/dev/null | sed 's|^|bpffs: |'; }
for o in \$(awk '\$4 != "refused(open)" { print \$1 }' /tmp/res/table | uniq); do
	case \$o in
	tests/*) f=/tobj/\${o#tests/}.bpf.o ;;
	*) f=/bin/\$o.bpf.o ;;
	esac
	d=/tmp/res/obj/\$(echo "\$o" | tr / _)
	mkdir -p \$d
	state >/tmp/before
	timeout 120 rawtrace run \$f -d $secs </dev/null >\$d/out 2>\$d/err
	echo \$? >\$d/rc
	# programs go once their last reference does, not always at once
	i=0
	while state | grep -vxF -f /tmp/before >\$d/left && [ \$i -lt 5 ]; do
		sleep 1
		i=\$((i + 1))
	done
	RT_DIFF_DIR=\$d RT_DIFF_KEEP=1 timeout 120 rt-diff run \$f -d $secs \
		</dev/null >/dev/null 2>\$d/rtdiff.err
	echo "run vs libbpf vm: \$o: rawtrace run exited \$(cat \$d/rc)"
done
# nf_conntrack's kfuncs (-m nf_conntrack): from its module BTF, through
# the fd_array, as --explain shows
rawtrace --explain run /tobj/kfunc_module.bpf.o -d 1 </dev/null >/dev/null \
	2>/tmp/res/modkfunc
echo RT-RESULTS-BEGIN
tar czf - -C /tmp res | base64 | sed 's/^/RT-B64 /'
echo RT-RESULTS-END
EOF
# shellcheck disable=SC2086 # the -f options are words
sh tests/vm/run.sh -k "$k" -t "${VM_TIMEOUT:-900}" -m nf_conntrack $files \
	"$T/guest.sh" \
	>"$T/console" 2>&1
vrc=$?
grep -e '^verdicts ' -e '^FAIL' "$T/console"
mkdir -p "$T/x"
if ! grep -q '^RT-RESULTS-END' "$T/console" ||
   ! sed -n 's/^RT-B64 //p' "$T/console" | base64 -d | tar xzf - -C "$T/x" ||
   [ ! -s "$T/x/res/table" ]; then
	echo "FAIL: run vs libbpf vm: no results from the guest (the VM run exited $vrc); its last lines:"
	tail -n 20 "$T/console" | sed 's/^/  /'
	exit 1
fi
R=$T/x/res
objects=0 good=0 more=0 zero=0
# shellcheck disable=SC2013 # object names are words
for o in $(awk '$4 != "refused(open)" { print $1 }' "$R/table" | uniq); do
	d=$R/obj/$(echo "$o" | tr / _)
	if [ ! -f "$d/rc" ]; then
		objects=$((objects + 1))
		echo "FAIL: run vs libbpf $label: $o: the guest did not run it"
		continue
	fi
	rc=$(cat "$d/rc")
	[ "$rc" -eq 0 ] && zero=$((zero + 1))
	compare_run "$label" "$o" "$d" "$rc" "$R/table" "$R/xlated"
done
# Module kfuncs (tests/bpf/kfunc_module.bpf.c): found in nf_conntrack's
# BTF, not vmlinux's, and the program loads; a weak kfunc no kernel has
# (kfunc_weak) is 0 and its call dead code.
m=$R/modkfunc
if grep -q 'extern bpf_xdp_ct_lookup: in module nf_conntrack' "$m" &&
   grep -q 'prog_name="ct_lookup".*fd_array=' "$m" &&
   grep -q '^rawtrace run: ct_lookup (xdp): loaded' "$m"; then
	echo "ok: run vs libbpf $label: kfunc_module: nf_conntrack's kfuncs from its module BTF"
else
	echo "FAIL: run vs libbpf $label: kfunc_module: nf_conntrack's kfuncs not from its module BTF, or not loaded:"
	grep -e '^rawtrace' -e 'extern' -e 'ct_lookup' "$m" | sed 's/^/  /'
fi
if grep -q '^rawtrace run: weak_absent (xdp): loaded' "$R/obj/tests_kfunc_weak/err"; then
	echo "ok: run vs libbpf $label: kfunc_weak: a weak kfunc no kernel has, its call removed"
else
	echo "FAIL: run vs libbpf $label: kfunc_weak: weak_absent did not load:"
	sed 's/^/  /' "$R/obj/tests_kfunc_weak/err"
fi
echo "run vs libbpf $label: $good of $objects objects as libbpf or better; rawtrace loads or attaches $more programs more than libbpf; rawtrace run exited 0 on $zero of $objects"
[ $vrc -eq 0 ] || echo "FAIL: run vs libbpf vm: the VM run exited $vrc"
