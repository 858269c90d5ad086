#!/bin/sh
# make bench: the native part (tests/bench/native.sh: this machine's
# kernel, against bpftrace), then the VM part (tests/bench/vm.sh: Debian's
# 6.1 kernel under qemu, against bindsnoop), each printing its table; then
# one compact table of the figures issues 14 and 23 set aims for: with
# them the binaries' sizes and, where valgrind is, the instructions
# `bind --backend tracepoint -d 1` takes to start (callgrind, an
# unstripped link of the same objects).
#   PARTS="native vm"   which parts to run
#   REPS=5              rounds of each part (medians are shown)
#   NATIVE_N=300000     binds per native storm
#   VM_N=150000         binds per VM storm
#   LOCK=FILE           hold flock(FILE) around each native round and each
#                       VM boot (for machines shared with other heavy jobs)
#   REPRINT=1           run nothing: print the tables again from the last
#                       run's logs (/tmp/rawtrace-bench-{native,vm}.log)
# About 12 minutes on 2 idle cores with the defaults. Not a test: it prints
# figures, it does not judge them.
set -eu
cd "$(dirname "$0")/../.."
PARTS=${PARTS:-native vm}
sum=$(mktemp)
trap 'rm -f "$sum"' EXIT
start=$(date +%s)
for p in $PARTS; do
	case $p in
	native|vm) sh tests/bench/$p.sh "$sum" ;;
	*) echo "run.sh: PARTS: no part \"$p\" (native, vm)" >&2; exit 2 ;;
	esac
	echo
done
for a in x86_64 arm64; do
	bin=./rawtrace
	[ "$a" = "$(uname -m | sed 's/^aarch64$/arm64/')" ] || bin=./rawtrace-$a
	[ ! -f "$bin" ] || echo "size.$a=$(wc -c <"$bin")" >>"$sum"
done
if [ -z "${REPRINT:-}" ] && command -v valgrind >/dev/null &&
   make -s BIN=build/rawtrace.prof LDFLAGS="-static -Wl,--gc-sections" \
	build/rawtrace.prof >/dev/null 2>&1; then
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		build/rawtrace.prof bind --backend tracepoint -d 1 \
		>/dev/null 2>"$sum.cg" &&
	sed -n 's/.*Collected : \([0-9]*\).*/start.instructions=\1/p' \
		"$sum.cg" | tail -n 1 >>"$sum"
	rm -f "$sum.cg"
fi
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- 2>/dev/null || commit=$commit-dirty
what="commit $commit, $(($(date +%s) - start)) s in all"
[ -z "${REPRINT:-}" ] || what="reprinted from the last run's logs"
awk -F= -v what="$what" '
{ v[$1] = $2 }
function has(k) { return k in v }
function f(k, fmt) { return has(k) ? sprintf(fmt, v[k]) : "-" }
function row(name, got, aim) {
	if (aim == "") printf "%-52s %s\n", name, got
	else printf "%-52s %-17s %s\n", name, got, aim
}
END {
	printf "summary, %s", what
	if (has("native.load")) printf " (native load average after: %s)", v["native.load"]
	printf "\n"
	row("", "measured", "aim")
	if (has("size.x86_64") || has("size.arm64"))
		row("size: ./rawtrace x86_64 / arm64, bytes",
		    f("size.x86_64", "%d") " / " f("size.arm64", "%d"), "<= 262144 / 294912")
	if (has("start.instructions"))
		row("native: start, bind --backend tracepoint -d 1",
		    sprintf("%.1f M instr", v["start.instructions"] / 1e6), "<= 10 M")
	if (has("native.rawtrace.rate")) {
		row("native: lost, columns (to a file / to /dev/null)",
		    f("native.rawtrace.lost", "%d") " / " f("native.rawtrace-null.lost", "%d"), "0")
		row("native: lost, -j (to a file / to /dev/null)",
		    f("native.rawtrace-j.lost", "%d") " / " f("native.rawtrace-j-null.lost", "%d"), "0")
		u = 0
		split("rawtrace rawtrace-null rawtrace-j rawtrace-j-null", t, " ")
		for (i = 1; i in t; i++)
			if (v["native." t[i] ".unaccounted"] + 0 > u)
				u = v["native." t[i] ".unaccounted"] + 0
		row("native: binds neither printed nor counted lost", u, "0")
		row("native: rate vs untraced, columns / -j (to a file)",
		    f("native.rawtrace.rate", "%.2f") " / " f("native.rawtrace-j.rate", "%.2f"), ">= 0.9")
		row("native: rate, empty tracepoint programs (floor)",
		    f("native.floor.rate", "%.2f"), "")
		if (v["native.floor.rate"] + 0 > 0)
			row("native: rate / floor, columns / -j",
			    sprintf("%.2f / %.2f", v["native.rawtrace.rate"] / v["native.floor.rate"],
				    v["native.rawtrace-j.rate"] / v["native.floor.rate"]), ">= 0.95")
		row("native: rate, bpftrace count-only / printf",
		    f("native.bpftrace-count.rate", "%.2f") " / " f("native.bpftrace-print.rate", "%.2f"), "")
		row("native: reader user CPU per event, columns / -j",
		    f("native.rawtrace.user_per_event", "%.2f") " / " \
		    f("native.rawtrace-j.user_per_event", "%.2f") " us", "<= 0.5 us")
	}
	if (has("vm.rawtrace.rate")) {
		row("VM: rate vs untraced, fexit columns / -j / floor",
		    f("vm.rawtrace.rate", "%.2f") " / " f("vm.rawtrace-j.rate", "%.2f") " / " \
		    f("vm.floor-fexit.rate", "%.2f"), "")
		row("VM: fexit rate / empty-fexit floor, columns / -j",
		    f("vm.rawtrace.vs_floor", "%.2f") " / " f("vm.rawtrace-j.vs_floor", "%.2f"), ">= 0.9")
		row("VM: -j rate / columns rate", f("vm.j_vs_columns", "%.2f"), "1")
		row("VM: rate vs untraced, kprobe / bindsnoop",
		    f("vm.rawtrace-kprobe.rate", "%.2f") " / " f("vm.bindsnoop.rate", "%.2f"), ">= 0.8 (kprobe)")
		row("VM: exec -> first event, rawtrace / bindsnoop",
		    f("vm.first.rawtrace", "%.0f") " / " f("vm.first.bindsnoop", "%.0f") " ms", "")
		row("VM: exec -> first event, rawtrace vs bindsnoop",
		    f("vm.first_vs_bindsnoop", "%.2f"), "<= 0.5")
	}
}' "$sum"
