#!/bin/sh
# Runs every end-to-end script in tests/e2e/ on each kernel of the matrix
# (tests/vm/kernel.sh; VM_KERNELS picks some), one VM boot per kernel, with
# every backend that kernel offers and with the automatic choice. A kernel
# that cannot be fetched is skipped; one that was fetched must pass.
# VM_JOBS kernels boot at a time (default 2): each VM's TCG takes one host
# thread, and on 2 cores two at a time halve the matrix's time (x86_64-6.1
# and arm64-6.12 took 84 s each, side by side or alone).
set -u
cd "$(dirname "$0")/../.." || exit 1
kernels=${VM_KERNELS:-"x86_64-6.1 x86_64-6.12 x86_64-5.10 arm64-6.1 arm64-6.12"}
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: vm e2e: needs root (to fetch and boot the kernels)"
	exit 0
fi
host_arch=$(uname -m | sed 's/^aarch64$/arm64/')
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# What a kernel offers, read from its config, not from rawtrace: BPF
# trampolines on kernel functions need ftrace direct calls (arm64 has them
# from 6.4 on), the tracepoint backend needs the syscall tracepoints.
cfg_has() { grep -q "^CONFIG_$2=y$" "$1"; }

# The guest's part: runs one e2e script per backend and prefixes each
# verdict line with the kernel's name.
cat >"$T/guest.sh" <<'GUEST'
. /bin/matrix.env
# Every e2e run's JSON lines, by tool (tests/e2e/lib.inc's jsonl: lines
# alike but for their ts once), are printed at the end for the host to
# check against the schema.
export E2E_JSONL=/tmp/jsonl
mkdir -p "$E2E_JSONL"
tag() { sed "s/^\(ok\|FAIL\|skipped\): /\1: vm $KERNEL /"; }
e2e() {   # script backend [env...]
	s=$1 b=$2
	shift 2
	env "$@" RT="$RT" WL=/bin sh "/bin/$s.sh" "$b" 2>&1 | tag
}
for b in $BIND_BACKENDS auto; do e2e bind "$b"; done
for b in $TRACE_BACKENDS auto; do e2e listen "$b"; e2e connect "$b"; done
# packets and deny-bind have one backend each: the argument only labels.
e2e packets auto
e2e deny-bind auto
# -c, --container, --netns and the keys that say where an event came from
e2e scope auto
# --cost: the kernel's run-time statistics (BPF_ENABLE_STATS, 5.8+)
e2e cost auto TB=/bin

# For the log (no verdict): what doctor makes of this kernel.
"$RT" doctor 2>&1 | sed "s/^/doctor $KERNEL: /"

# The object's BTF (issue 21): what this kernel does not know (FLOAT,
# DECL_TAG, TYPE_TAG on 5.10) is sanitised away, nothing more, and the
# kernel takes the BTF, so the verifier's log quotes the C lines.
"$RT" --explain run -d 1 /bin/bad_btf_kinds.bpf.o >/dev/null 2>/tmp/btf.err
if grep -q "refused its BTF" /tmp/btf.err ||
   ! grep -qF '; return *(volatile int *)((char *)ctx' /tmp/btf.err; then
	echo "FAIL: vm $KERNEL object BTF: no source lines: $(grep -e BTF -e '; ' /tmp/btf.err)"
elif [ -n "$BTF_UNKNOWN" ] &&
     ! grep -q "its BTF sanitised for this kernel, which does not know $BTF_UNKNOWN\$" /tmp/btf.err; then
	echo "FAIL: vm $KERNEL object BTF: not sanitised of $BTF_UNKNOWN: $(grep BTF /tmp/btf.err)"
elif [ -z "$BTF_UNKNOWN" ] && grep -q -e "sanitised" -e "BTF probe: the kernel refuses" /tmp/btf.err; then
	echo "FAIL: vm $KERNEL object BTF: sanitised where nothing is unknown: $(grep BTF /tmp/btf.err)"
else
	echo "ok: vm $KERNEL object BTF: loaded${BTF_UNKNOWN:+ without $BTF_UNKNOWN}, the verifier's log quotes the C lines"
fi

# What run shows of an object (issue 22): its ring records, maps, globals
# and histograms decoded with its BTF: the host's suites, on this kernel
# (without libbpf-tools, whose binaries need glibc: those parts skip).
for s in run_show run_events run_hist; do
	RT="$RT" TB=/bin WL=/bin LB=/nonexistent sh "/bin/test_$s.sh" 2>&1 | tag
done

# The automatic choice is the first backend this kernel offers.
auto_pick() {   # tool want
	"$RT" "$1" -d 1 >/dev/null 2>/tmp/auto.err
	if grep -q "with the $2 backend" /tmp/auto.err; then
		echo "ok: vm $KERNEL $1: picks the $2 backend by itself"
	else
		echo "FAIL: vm $KERNEL $1: should pick $2: $(cat /tmp/auto.err)"
	fi
}
auto_pick bind "${BIND_BACKENDS%% *}"
auto_pick listen "${TRACE_BACKENDS%% *}"
auto_pick connect "${TRACE_BACKENDS%% *}"

# A backend the kernel lacks, asked for by name: one line that names the
# failure (not "No error information"), non-zero exit, nothing left.
if [ -n "$NO_FEXIT" ]; then
	if "$RT" bind --backend fexit -d 1 >/dev/null 2>/tmp/fexit.err; then
		echo "FAIL: vm $KERNEL bind[fexit]: accepted on a kernel without trampolines"
	elif [ "$(wc -l </tmp/fexit.err)" -eq 1 ] &&
	     grep -q '^rawtrace bind: ' /tmp/fexit.err &&
	     ! grep -q 'No error information' /tmp/fexit.err; then
		echo "ok: vm $KERNEL bind[fexit]: refused with one line"
	else
		echo "FAIL: vm $KERNEL bind[fexit]: $(cat /tmp/fexit.err)"
	fi
	if /bin/bpfprogs | grep -q fexit_bind; then
		echo "FAIL: vm $KERNEL bind[fexit]: programs left after the refusal"
	else
		echo "ok: vm $KERNEL bind[fexit]: nothing left after the refusal"
	fi
fi

# The events through perf event arrays (--ring perf; the default is the
# BPF ring buffer), with the automatic backend.
for s in bind listen connect packets deny-bind; do
	e2e "$s" auto E2E_RING=perf
done
# The kprobe_events fallback (kernels before 4.17 have no kprobe PMU),
# forced: entries must be added and removed again.
case " $BIND_BACKENDS " in *" kprobe "*)
	e2e bind kprobe RAWTRACE_KPROBE_EVENTS=1 |
		sed "s/^\(ok\|FAIL\|skipped\): vm $KERNEL /&kprobe_events /" ;;
esac

# Externs vmlinux's BTF lacks are looked for in the modules' BTF, with
# another BTF loaded (the first run's): kernels before 5.11 list it and
# have no module BTF. A strong kfunc in no BTF (nf_conntrack is not
# loaded here) is named in one line; a weak one is 0, its program loads.
"$RT" run /bin/kfunc_weak.bpf.o -d 10 >/dev/null 2>&1 &
sleep 3
"$RT" run /bin/kfunc_module.bpf.o -d 1 >/tmp/kf.out 2>/tmp/kf.err
if grep -qx 'rawtrace run: kfunc_module: extern bpf_ct_release (ksym): not in this kernel' /tmp/kf.err; then
	echo "ok: vm $KERNEL run: a kfunc in no BTF, vmlinux's or a module's, named"
else
	echo "FAIL: vm $KERNEL run: a kfunc in no BTF: $(cat /tmp/kf.err)"
fi
"$RT" run /bin/kfunc_weak.bpf.o -d 1 >/tmp/kf.out 2>/tmp/kf.err
if grep -q '^rawtrace run: weak_absent (xdp): loaded' /tmp/kf.err; then
	echo "ok: vm $KERNEL run: a weak kfunc in no BTF is 0, its program loads"
else
	echo "FAIL: vm $KERNEL run: a weak kfunc in no BTF: $(cat /tmp/kf.err)"
fi
wait

# The JSON lines for the host's schema check, a tool's file gzipped and
# in base64, "jsonz: TOOL TEXT" a line: 40 times fewer bytes than the
# lines themselves, which took the console minutes (386 k lines, 198 s,
# in 6.1's); for the log, how many and how long.
t0=$(date +%s)
for f in "$E2E_JSONL"/*.jsonl; do
	[ -e "$f" ] || continue
	t=${f##*/}
	gzip -c "$f" | base64 | sed "s/^/jsonz: ${t%.jsonl} /"
done
echo "e2e json $KERNEL: $(cat "$E2E_JSONL"/*.jsonl 2>/dev/null | wc -l) lines sent in $(($(date +%s) - t0)) s"
GUEST

# python3 with jsonschema for the guests' JSON lines; none: said once,
# not checked.
. tests/sh/jsonschema.inc

# run_kernel NAME: its verdict lines on stdout; its files in $T/NAME/.
run_kernel() {
	name=$1 arch=${1%%-*} K="$T/$1"
	mkdir -p "$K"
	sh tests/vm/kernel.sh "$name" >/dev/null 2>"$K/kernel.err"
	case $? in
	0) ;;
	1) echo "skipped: vm $name: $(sed 's/^kernel.sh: //' "$K/kernel.err" | tail -n 1)"
	   return ;;
	*) echo "FAIL: vm $name: $(tail -n 1 "$K/kernel.err")"
	   return ;;
	esac
	if [ "$arch" = "$host_arch" ]; then
		rt=./rawtrace wl=build/workload
	else
		rt=./rawtrace-$arch wl=build/$arch/workload
	fi
	if [ ! -x "$rt" ] || [ ! -x "$wl/binds" ] ||
	   [ ! -f build/bpf/tests/bad_btf_kinds.bpf.o ]; then
		echo "FAIL: vm $name: no $rt, $wl/ or build/bpf/tests/ (make check builds them)"
		return
	fi
	cfg=$(ls build/vm/"$name"/kernel/boot/config-* | head -n 1)
	trace="" bind="" no_fexit=""
	if cfg_has "$cfg" DYNAMIC_FTRACE_WITH_DIRECT_CALLS; then
		bind=fexit
	else
		no_fexit=1
		echo "skipped: vm $name bind[fexit]: no BPF trampolines on kernel functions (CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS unset)"
	fi
	if cfg_has "$cfg" KPROBE_EVENTS; then
		trace=kprobe
	else
		echo "skipped: vm $name kprobe backends: CONFIG_KPROBE_EVENTS unset"
	fi
	if cfg_has "$cfg" FTRACE_SYSCALLS; then
		trace="$trace tracepoint"
	else
		echo "skipped: vm $name tracepoint backends: CONFIG_FTRACE_SYSCALLS unset"
	fi
	bind="$bind $trace"
	# The BTF kinds of bad_btf_kinds.bpf.o (clang 14: no ENUM64) that
	# the kernel lacks: FLOAT came in 5.13, DECL_TAG 5.16, TYPE_TAG 5.17.
	case $name in
	*-5.10) btf_unknown="float, decl_tag, type_tag" ;;
	*) btf_unknown="" ;;
	esac
	cat >"$K/matrix.env" <<-EOF
	KERNEL=$name
	RT=/bin/${rt##*/}
	BIND_BACKENDS="$(echo $bind)"
	TRACE_BACKENDS="$(echo $trace)"
	NO_FEXIT=$no_fexit
	BTF_UNKNOWN="$btf_unknown"
	EOF
	files="-f $K/matrix.env -f $rt -f build/bpf/tests/bad_btf_kinds.bpf.o"
	for f in "$wl"/* tests/e2e/*.sh tests/e2e/lib.inc \
		 build/bpf/tests/kfunc_module.bpf.o build/bpf/tests/kfunc_weak.bpf.o \
		 tests/sh/test_run_show.sh tests/sh/test_run_events.sh \
		 tests/sh/test_run_hist.sh tests/sh/jsonschema.inc \
		 build/bpf/tests/show.bpf.o \
		 build/bpf/tests/events_rb.bpf.o build/bpf/tests/events_perf.bpf.o \
		 build/bpf/tests/two_rings.bpf.o build/bpf/tests/hist.bpf.o \
		 build/bpf/tests/hist_keyless.bpf.o build/bpf/tests/bad_anon.bpf.o \
		 build/bpf/tests/attach_tracepoint.bpf.o; do
		files="$files -f $f"
	done
	start=$(date +%s)
	# shellcheck disable=SC2086
	# veth: packets.sh deletes a traced interface (a module in these
	# kernels)
	sh tests/vm/run.sh -k "$name" -t 1200 -m veth $files "$T/guest.sh" \
		>"$K/out" 2>"$K/err"
	rc=$?
	grep -v '^jsonz: ' "$K/out"
	echo "vm $name: $(($(date +%s) - start)) s (boot, tests, poweroff)"
	[ $rc -eq 0 ] || echo "FAIL: vm $name: the VM run exited $rc: $(tail -n 1 "$K/err")"
	# The guest's JSON lines, a file per tool, against the schema; a
	# file that does not come back whole (gunzip checks its CRC) fails.
	mkdir -p "$K/jsonl"
	for t in $(sed -n 's/^jsonz: \([a-z-]*\) .*/\1/p' "$K/out" | sort -u); do
		sed -n "s/^jsonz: $t //p" "$K/out" | tr -d '\r' | base64 -d |
			gunzip >"$K/jsonl/$t.jsonl" ||
			echo "FAIL: vm $name schema: $t's JSON lines came back damaged"
	done
	schema_check_dir "$K/jsonl" "vm $name"
}

# Batches of VM_JOBS kernels; each one's lines are printed whole, in order.
jobs=${VM_JOBS:-2} batch=""
flush() {
	wait
	for k in $batch; do cat "$T/$k.log"; done
	batch=""
}
for k in $kernels; do
	run_kernel "$k" >"$T/$k.log" 2>&1 &
	batch="$batch $k"
	[ "$(echo $batch | wc -w)" -lt "$jobs" ] || flush
done
flush
