#!/bin/sh
# What `rawtrace run` shows at its end of an object's maps and globals,
# decoded with the object's BTF (issue 22), field by field:
# tests/bpf/show.bpf.o counts the getppid() calls of build/workload/
# getppids in a hash with a struct key and value (char array, enum,
# bool, nested struct, array, a negative int), a per-CPU array, a hash
# of counters (largest first) and globals in .bss and .data; as text
# and as JSON Lines (-j).
set -u
. "$(dirname "$0")/jsonschema.inc"   # keep_json: -j lines for the schema
cd "$(dirname "$0")/../.." || exit 1
RT=${RT:-./rawtrace} TB=${TB:-build/bpf/tests} WL=${WL:-build/workload}
label=${LABEL:-}
T=$(mktemp -d)
run_json_dir "$T/jsonl"
trap 'run_json_check "run shows${label:+ $label}"; rm -rf "$T"' EXIT

ok() { echo "ok: run shows ${label}$1"; }
fail() { echo "FAIL: run shows ${label}$1: $2"; }
skip() { echo "skipped: run shows ${label}$1"; }

if [ "$(id -u)" -ne 0 ]; then
	skip "needs root"
	exit 0
fi
for f in "$RT" "$TB/show.bpf.o" "$WL/getppids"; do
	if [ ! -e "$f" ]; then
		skip "$f not built (make tests)"
		exit 0
	fi
done

# run_with_workload OUT [RUN OPTIONS]: rawtrace run until the workload
# (5 getppid calls as "rt-show") has run, then SIGINT. Prints its pid.
run_with_workload() {
	out=$1
	shift
	: >"$out.err"
	"$RT" run "$@" --set target_comm=rt-show "$TB/show.bpf.o" \
		>"$out" 2>"$out.err" &
	rt=$!
	i=0
	while ! grep -q "Ctrl-C to stop" "$out.err" && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	"$WL/getppids" 0 5 rt-show | sed -n 's/^getppids: pid //p' >"$out.pid"
	kill -INT $rt
	wait $rt
	echo $? >"$out.rc"
}

# expect NAME FILE LINE: FILE holds LINE, exactly.
expect() {
	if grep -qxF -- "$3" "$2"; then
		ok "$1"
	else
		fail "$1" "no line '$3' in: $(head -c 2000 "$2")"
	fi
}

run_with_workload "$T/text"
pid=$(cat "$T/text.pid")
if [ "$(cat "$T/text.rc")" != 0 ] || [ -z "$pid" ]; then
	fail "text" "exit $(cat "$T/text.rc"), pid '$pid': $(cat "$T/text.err")"
	exit 0
fi
expect "a .bss counter" "$T/text" "global hits=5"
expect "a .data int" "$T/text" "global answer=42"
expect "a .data char array" "$T/text" 'global greeting="hi"'
expect "a hash's header" "$T/text" "map by_comm (hash): 1 entry"
expect "a struct key and value" "$T/text" \
	"  key={comm=\"rt-show\", pid=$pid} value={count=5, color=GREEN, in={port=8080, ok=true}, bytes=[1, 2, 3], neg=-5}"
if grep -q '^  key=0 value=\[[0-9, ]*\] sum=5$' "$T/text"; then
	ok "a per-CPU value, summed"
else
	fail "a per-CPU value, summed" "$(grep -A1 '^map per_cpu' "$T/text")"
fi
expect "an array's zeros left out" "$T/text" "  (3 entries of zeros not shown)"
if [ "$(grep -A2 '^map counts ' "$T/text" | tail -n 2 | tr '\n' '|')" = \
     "  key=2 value=10|  key=1 value=5|" ]; then
	ok "counters largest first"
else
	fail "counters largest first" "$(grep -A2 '^map counts ' "$T/text")"
fi

run_with_workload "$T/json" -j
keep_json "$T/json"
pid=$(cat "$T/json.pid")
expect "JSON: a .bss counter" "$T/json" '{"global":"hits","value":5}'
expect "JSON: a .data char array" "$T/json" '{"global":"greeting","value":"hi"}'
expect "JSON: a struct key and value" "$T/json" \
	"{\"map\":\"by_comm\",\"key\":{\"comm\":\"rt-show\",\"pid\":$pid},\"value\":{\"count\":5,\"color\":\"GREEN\",\"in\":{\"port\":8080,\"ok\":true},\"bytes\":[1,2,3],\"neg\":-5}}"
expect "JSON: counters" "$T/json" '{"map":"counts","key":2,"value":10}'
if grep -q '^{"map":"per_cpu","key":0,"values":\[[0-9,]*\],"sum":5}$' "$T/json"; then
	ok "JSON: a per-CPU value, summed"
else
	fail "JSON: a per-CPU value" "$(grep per_cpu "$T/json")"
fi
if command -v jq >/dev/null; then
	if jq -e . "$T/json" >/dev/null 2>&1; then
		ok "JSON: every line parses (jq)"
	else
		fail "JSON: every line parses (jq)" "$(cat "$T/json")"
	fi
fi
# A map of more entries than run keeps to show: said, as text and JSON
# (bad_metrics' array b has 100001).
if [ -e "$TB/bad_metrics.bpf.o" ]; then
	"$RT" run -d 1 "$TB/bad_metrics.bpf.o" >"$T/cut" 2>/dev/null
	"$RT" run -j -d 1 "$TB/bad_metrics.bpf.o" >"$T/cutj" 2>/dev/null
	# (of b's 100000 entries, the first 100: a check of seconds)
	grep -v '^{"map":"b","key"' "$T/cutj" >"$T/cutj.few"
	grep -m 100 '^{"map":"b","key"' "$T/cutj" >>"$T/cutj.few"
	keep_json "$T/cutj.few"
	if grep -q '^  (the first 100000 entries shown: ' "$T/cut" &&
	   grep -qxF '{"map":"b","truncated":true,"shown":100000}' "$T/cutj"; then
		ok "a map cut at 100000 entries: said, in JSON too"
	else
		fail "a map cut at 100000 entries" "$(grep -e first -e truncated "$T/cut" "$T/cutj")"
	fi
fi

# The map is made with its key and value types (the object's BTF): the
# kernel's bpftool decodes it too, to what run says.
if command -v bpftool >/dev/null && command -v jq >/dev/null; then
	: >"$T/bt.err"
	"$RT" run -j --set target_comm=rt-show "$TB/show.bpf.o" \
		>"$T/bt" 2>"$T/bt.err" &
	rt=$!
	i=0
	while ! grep -q "Ctrl-C to stop" "$T/bt.err" && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	"$WL/getppids" 0 5 rt-show >/dev/null
	bpftool -j map dump name by_comm >"$T/bpftool.json" 2>&1
	kill -INT $rt
	wait $rt
	keep_json "$T/bt"
	theirs=$(jq -cS '.[0].formatted | {key, value}' "$T/bpftool.json" 2>&1)
	ours=$(jq -cS 'select(.map == "by_comm") | {key, value}' "$T/bt" 2>&1)
	if [ -n "$ours" ] && [ "$theirs" = "$ours" ]; then
		ok "bpftool decodes the map as run does (made with its BTF types)"
	else
		fail "bpftool's decoding" "bpftool: $theirs; run: $ours"
	fi
else
	skip "bpftool's decoding: no bpftool or jq"
fi

# Counters with ties (tests/bpf/ties.bpf.o: 16 keys of 2, 16 of 1):
# largest first, each tie in the order the kernel walks the hash, which
# is bpftool's order. (The sort broke ties by the records' addresses,
# which qsort moves: no order at all.)
if command -v bpftool >/dev/null && command -v jq >/dev/null &&
   [ -e "$TB/ties.bpf.o" ]; then
	: >"$T/ties.err"
	"$RT" run -j --set target_comm=rt-ties "$TB/ties.bpf.o" \
		>"$T/ties" 2>"$T/ties.err" &
	rt=$!
	i=0
	while ! grep -q "Ctrl-C to stop" "$T/ties.err" && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	"$WL/getppids" 0 1 rt-ties >/dev/null
	bpftool -j map dump name rt_ties >"$T/ties.bt" 2>&1
	kill -INT $rt
	wait $rt
	keep_json "$T/ties"
	# (bpftool wraps a dump by name in the maps of that name)
	theirs=$(jq -c '(if .[0].elements then .[0].elements else . end) |
			map(.formatted) |
			[(.[] | select(.value == 2) | .key),
			 (.[] | select(.value == 1) | .key)]' \
		 "$T/ties.bt" 2>&1)
	ours=$(jq -sc '[.[] | select(.map == "rt_ties") | .key]' "$T/ties" 2>&1)
	if [ "$(echo "$ours" | jq length 2>/dev/null)" = 32 ] &&
	   [ "$theirs" = "$ours" ]; then
		ok "ties in the kernel's order, largest first"
	else
		fail "ties in the kernel's order" "bpftool: $theirs; run: $ours"
	fi
else
	skip "ties: no bpftool or jq, or ties.bpf.o not built"
fi
exit 0
