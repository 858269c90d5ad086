#!/bin/sh
# make bench: rawtrace bind against Debian's libbpf-tools bindsnoop, side by
# side in the same VM boot (Debian's 6.1 cloud kernel, kprobes):
#   - a storm of N binds: the rate under each tracer, as a fraction of the
#     untraced rate, and how many events each printed;
#   - exec -> first event: from starting the tracer to its first event line,
#     with a bind every millisecond going on;
#   - peak RSS of the tracer (VmHWM) at that point.
# Not a test: it prints figures, it does not judge them.
set -eu
cd "$(dirname "$0")/../.."
N=${N:-150000}
make -s rawtrace build/workload/bindstorm build/workload/firstevent
[ -x /usr/sbin/bindsnoop ] || {
	apt-get update -qq && apt-get install -y -qq libbpf-tools >/dev/null; }
sh tests/vm/kernel.sh >/dev/null
# bindsnoop is dynamically linked: carry its libraries and run it through
# the dynamic loader with --library-path /bin.
files="-f ./rawtrace -f build/workload/bindstorm -f build/workload/firstevent"
files="$files -f /usr/sbin/bindsnoop"
for lib in $(ldd /usr/sbin/bindsnoop | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
	files="$files -f $lib"
done
script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat >"$script" <<GUEST
N=$N
BS="/bin/ld-linux-x86-64.so.2 --library-path /bin /bin/bindsnoop"
base=\$(bindstorm \$N)
rawtrace bind -j >/tmp/rt.out 2>/tmp/rt.err & p=\$!
sleep 3
rt=\$(bindstorm \$N)
kill -INT \$p; wait \$p
rt_lines=\$(wc -l </tmp/rt.out)
rt_lost=\$(sed -n 's/.* events, \([0-9]*\) lost/\1/p' /tmp/rt.err)
\$BS >/tmp/bs.out 2>&1 & p=\$!
sleep 3
bs=\$(bindstorm \$N)
kill -INT \$p; wait \$p
bs_lines=\$((\$(grep -c '^[0-9]' /tmp/bs.out) ))
bindstorm -i 1 & s=\$!
rt_first=\$(firstevent /bin/rawtrace bind -j 2>/dev/null)
bs_first=\$(firstevent /bin/ld-linux-x86-64.so.2 --library-path /bin /bin/bindsnoop 2>/dev/null)
kill \$s
echo "BENCH untraced \$base"
echo "BENCH rawtrace \$rt \$rt_lines \$rt_lost \$rt_first"
echo "BENCH bindsnoop \$bs \$bs_lines - \$bs_first"
GUEST
# shellcheck disable=SC2086
sh tests/vm/run.sh -t 900 $files "$script" >/tmp/rawtrace-bench.log 2>&1 || {
	tail -20 /tmp/rawtrace-bench.log; exit 1; }
awk -v n="$N" '
$1 == "BENCH" && $2 == "untraced" { base = $3 }
$1 == "BENCH" && $2 != "untraced" {
	name[++k] = $2; rate[k] = $3; lines[k] = $4; lost[k] = $5
	first[k] = $6; rss[k] = $7
}
END {
	printf "storm of %d binds in the VM (untraced: %d binds/s)\n", n, base
	printf "%-24s %14s %14s %12s\n", "", name[1], name[2], "target"
	printf "%-24s %14.2f %14.2f %12s\n", "rate vs untraced",
	       rate[1] / base, rate[2] / base, ">= 0.9"
	printf "%-24s %14s %14s %12s\n", "events printed",
	       lines[1] "/" n, lines[2] "/" n, "all"
	printf "%-24s %14s %14s %12s\n", "lost (reported)", lost[1], lost[2], "0"
	printf "%-24s %11.1f ms %11.1f ms %12s\n", "exec -> first event",
	       first[1], first[2], "< 55 ms"
	printf "%-24s %11.1f MB %11.1f MB %12s\n", "peak RSS",
	       rss[1] / 1024, rss[2] / 1024, "< 2.5 MB"
}' /tmp/rawtrace-bench.log
