#!/bin/sh
# The libbpf differential check, on the running kernel: for each embedded
# object, each knob set below and each backend of the tool, load the
# programs once as rawtrace does (rt-diff: rawtrace with obj_load wrapped,
# see tests/diff/rt_side.c) and once with libbpf (lb-diff, with the same
# .rodata bytes), and compare the kernel's translated instructions of each
# program (tests/diff/xlated.h: subprograms in a canonical order, maps by
# name; everything else must be equal). That checks every relocation and
# CO-RE decision rawtrace made against the reference implementation on
# this kernel's BTF.
#
# Usage: sh check.sh LABEL   (LABEL names the kernel in the ok: lines)
# Environment (the defaults are the VM's, where every file is in /bin):
#   RTDIFF, LBDIFF  the two helpers (build/tests/rt-diff, lb-diff)
#   OBJDIR          the embedded BPF objects (build/bpf)
#   TOBJDIR         the test objects (build/bpf/tests)
#   DIFF_STRICT=1   a backend neither side can load is a FAIL, not
#                   skipped: for kernels that have every backend (6.1)
#   DIFF_BTF=FILE   the kernel's BTF from a file (rawtrace --btf), for a
#                   kernel without /sys/kernel/btf/vmlinux
# Runs in busybox sh (tests/sh/test_vm_diff_libbpf.sh) and on the host
# (tests/sh/test_diff_libbpf.sh); another kernel of a VM matrix can run it
# as is. Prints ok:/FAIL:/skipped: per object, backend and knob set.
set -u
label=${1:-}
RTDIFF=${RTDIFF:-/bin/rt-diff}
LBDIFF=${LBDIFF:-/bin/lb-diff}
OBJDIR=${OBJDIR:-/bin}
TOBJDIR=${TOBJDIR:-/bin}
strict=${DIFF_STRICT:-0}
btf=${DIFF_BTF:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# cgroup v2, for deny-bind (and bind -c); nothing is attached to it.
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)

# The embedded objects, loaded by their tools. The knob sets: each tool
# with its defaults, and with options that flip
# every knob it has (filters on, timestamps, -x, -r), so that the code the
# defaults let the verifier prune is compared too.
# TOOL OBJECT SET OPTIONS...
cases() {
	cat <<EOF
bind bind defaults
bind bind filters -x -j -p 1 -P 80,443 -c ${CG:-/}
listen listen defaults
listen listen filters -t -p 1
connect connect defaults
connect connect filters -r -x -j -p 1 -P 80,443 -u 0
packets packets defaults
packets packets ipv4 -j --proto tcp --port 80 --host 127.0.0.1
packets packets ipv6 -t --proto udp --host ::1
deny-bind deny_bind defaults -c $CG
deny-bind deny_bind filters -c $CG -j --audit -P 80 -a 127.0.0.1
deny-bind deny_bind ipv6 -c $CG -6 -a ::1
EOF
}

# Test objects (tests/bpf/), loaded as a tool loads its backend, with
# the programs that load on any kernel: relocations of every kind (calls
# to a static and to a global subprogram, maps, .rodata/.data/.bss),
# tp_btf, and CO-RE field and bitfield records of every kind. (core.bpf.c's
# core_loads and core_types are only relocated by test_core, never loaded.)
# OBJECT PROG...
files() {
	cat <<EOF
relocs reloc_tp reloc_sock
minimal handle_bind
tp_btf count_exec
core core_fields core_bits
EOF
}

# The backends of TOOL, as its table in progs/TOOL.c lists them; "-" for
# a tool with one way to load (no --backend).
backends() {
	b=$("$RTDIFF" --list | awk -v t="$1" '$1 == "backend" && $2 == t { print $3 }')
	echo "${b:--}"
}

ok() { echo "ok: libbpf diff $label: $1"; }
fail() { echo "FAIL: libbpf diff $label: $1: $2"; }
skip() {
	if [ "$strict" = 1 ]; then
		fail "$1" "$2 (on a kernel that should load it)"
	else
		echo "skipped: libbpf diff $label: $1: $2"
	fi
}

last_line() { grep -v '^$' "$1" | tail -n 1; }
# rawtrace's own message: its first line (a verifier log may follow).
rt_error() { grep -m 1 '^rawtrace' "$1" || last_line "$1"; }

# compare NAME DIR: each program rawtrace loaded, against libbpf's.
compare() {
	bad=""
	# shellcheck disable=SC2013 # program names are words
	for p in $(cat "$2/progs"); do
		if [ ! -f "$2/$p.rawtrace" ] || [ ! -f "$2/$p.libbpf" ]; then
			bad="$bad $p(no dump)"
		elif ! diff -u -L "$p libbpf" -L "$p rawtrace" \
		    "$2/$p.libbpf" "$2/$p.rawtrace" >"$2/$p.diff"; then
			bad="$bad $p"
		fi
	done
	if [ -z "$bad" ]; then
		ok "$1 ($(tr '\n' ' ' <"$2/progs" | sed 's/ $//'))"
		return
	fi
	fail "$1" "the kernel's instructions differ (- libbpf, + rawtrace):$bad"
	for p in $bad; do
		[ -f "$2/$p.diff" ] && head -n 40 "$2/$p.diff"
	done
}

# one NAME OBJDIR TOOL OPTIONS...: rt-diff TOOL OPTIONS..., then lb-diff
# on the object it loaded, found in OBJDIR.
one() {
	name=$1 objdir=$2 tool=$3
	shift 3
	d="$T/$(echo "$name" | tr ' /' '__')"
	mkdir -p "$d"
	gbtf=$btf       # --object takes its own --btf, after FILE
	[ "$tool" = --object ] && gbtf=""
	RT_DIFF_DIR="$d" "$RTDIFF" ${gbtf:+--btf "$gbtf"} "$tool" "$@" \
		</dev/null >"$d/rt.out" 2>"$d/rt.err"
	rt=$?
	if [ ! -f "$d/progs" ]; then
		fail "$name" "rawtrace stopped before loading: $(rt_error "$d/rt.err")"
		return
	fi
	covered="$covered $(cat "$d/object")"
	if [ $rt -ne 0 ] && [ $rt -ne 1 ]; then
		fail "$name" "rt-diff exited $rt: $(rt_error "$d/rt.err")"
		return
	fi
	set --
	[ -z "$btf" ] || set -- -b "$btf"
	while read -r sec file; do
		set -- "$@" -d "$sec=$d/$file"
	done <"$d/data"
	# shellcheck disable=SC2034 # each line: name type key value max
	[ -f "$d/maps" ] && while read -r m type key value max; do
		set -- "$@" -m "$m=$type:$key:$value:$max"
	done <"$d/maps"
	# shellcheck disable=SC2046
	"$LBDIFF" -o "$d" "$@" "$objdir/$(cat "$d/object").bpf.o" \
		$(cat "$d/progs") </dev/null >"$d/lb.out" 2>"$d/lb.err"
	lb=$?
	if [ $lb -gt 1 ]; then
		fail "$name" "lb-diff exited $lb: $(last_line "$d/lb.err")"
	elif [ $rt -ne 0 ] && [ $lb -ne 0 ]; then
		skip "$name" "neither loads here: $(rt_error "$d/rt.err"); $(last_line "$d/lb.err")"
	elif [ $rt -ne 0 ]; then
		fail "$name" "libbpf loads it, rawtrace does not: $(rt_error "$d/rt.err")"
	elif [ $lb -ne 0 ]; then
		fail "$name" "rawtrace loads it, libbpf does not: $(last_line "$d/lb.err")"
	else
		compare "$name" "$d"
	fi
}

for f in "$RTDIFF" "$LBDIFF"; do
	if [ ! -x "$f" ]; then
		echo "skipped: libbpf diff $label: $f not built (make tests)"
		exit 0
	fi
done
if [ -z "$btf" ] && [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "skipped: libbpf diff $label: no /sys/kernel/btf/vmlinux (DIFF_BTF=FILE gives one)"
	exit 0
fi
echo "libbpf diff $label: kernel $(uname -r)"
covered=""
cases >"$T/cases"
while read -r tool obj set opts; do
	if [ "$tool" = deny-bind ] && [ -z "$CG" ]; then
		skip "$obj $set" "no cgroup v2 mount"
		continue
	fi
	for b in $(backends "$tool"); do
		if [ "$b" = - ]; then
			# shellcheck disable=SC2086
			one "$obj $set" "$OBJDIR" "$tool" $opts
		else
			# shellcheck disable=SC2086
			one "$obj $b $set" "$OBJDIR" "$tool" --backend "$b" $opts
		fi
	done
done <"$T/cases"
files >"$T/files"
while read -r obj progs; do
	# shellcheck disable=SC2086
	one "$obj (test object)" "$TOBJDIR" --object "$TOBJDIR/$obj.bpf.o" \
		${btf:+--btf "$btf"} $progs
done <"$T/files"
# Every embedded object must be in some case above.
for o in $("$RTDIFF" --list | awk '$1 == "object" { print $2 }'); do
	case " $covered " in
	*" $o "*) ;;
	*) fail "$o" "no case in tests/diff/check.sh loads this object" ;;
	esac
done
exit 0
