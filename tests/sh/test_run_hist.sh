#!/bin/sh
# The histograms `rawtrace run` draws at its end as the libbpf-tools draw
# theirs (issue 22), line by line: tests/bpf/hist.bpf.o numbers the
# getppid() calls of build/workload/getppids 1..20 and counts log2(n) in
# a hash of struct hist keyed by {pid, odd}, log2(3n) in a per-CPU array
# named *hist* (units usecs), and n/5 in an array drawn only with --hist
# step_counts:linear:5; a hash of counters keyed by a struct is no
# histogram; as text and as JSON (-j); --hist errors. Then
# Debian's libbpf-tools runqlat object (tests/diff/extract-libbpf-tools.sh),
# told one process of ours: its buckets sum to what its map holds as
# bpftool reads it, and its drawing has the real runqlat's form.
set -u
. "$(dirname "$0")/jsonschema.inc"   # keep_json: -j lines for the schema
cd "$(dirname "$0")/../.." || exit 1
RT=${RT:-./rawtrace} TB=${TB:-build/bpf/tests} WL=${WL:-build/workload}
LT=${LT:-build/libbpf-tools}
T=$(mktemp -d)
run_json_dir "$T/jsonl"
trap 'run_json_check "run hist"; rm -rf "$T"' EXIT

ok() { echo "ok: run hist $1"; }
fail() { echo "FAIL: run hist $1: $2"; }
skip() { echo "skipped: run hist $1"; }

if [ "$(id -u)" -ne 0 ]; then
	skip "needs root"
	exit 0
fi
for f in "$RT" "$TB/hist.bpf.o" "$WL/getppids"; do
	if [ ! -e "$f" ]; then
		skip "$f not built (make tests)"
		exit 0
	fi
done

# wait_started ERRFILE: until rawtrace run says it runs (30 s at most).
wait_started() {
	i=0
	while ! grep -q "Ctrl-C to stop" "$1" && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
}

# run_with_workload OUT [RUN OPTIONS]: rawtrace run until the workload
# (20 getppid calls as "rt-hist") has run, then SIGINT.
run_with_workload() {
	out=$1
	shift
	: >"$out.err"
	"$RT" run "$@" --set target_comm=rt-hist "$TB/hist.bpf.o" \
		>"$out" 2>"$out.err" &
	rt=$!
	wait_started "$out.err"
	"$WL/getppids" 0 20 rt-hist | sed -n 's/^getppids: pid //p' >"$out.pid"
	kill -INT $rt
	wait $rt
	echo $? >"$out.rc"
}

# block NAME FILE FIRST WANT: the lines after the line FIRST of FILE are
# the lines of the file WANT, exactly.
block() {
	n=$(wc -l <"$4")
	got=$(grep -xF -A "$n" -- "$3" "$2" | tail -n +2)
	if [ "$got" = "$(cat "$4")" ]; then
		ok "$1"
	else
		fail "$1" "after '$3' want:
$(cat "$4")
got:
$got"
	fi
}

# expect NAME FILE LINE: FILE holds LINE, exactly.
expect() {
	if grep -qxF -- "$3" "$2"; then
		ok "$1"
	else
		fail "$1" "no line '$3' in: $(head -c 3000 "$2")"
	fi
}

run_with_workload "$T/text" --hist step_counts:linear:5
pid=$(cat "$T/text.pid")
if [ "$(cat "$T/text.rc")" != 0 ] || [ -z "$pid" ]; then
	fail "text" "exit $(cat "$T/text.rc"), pid '$pid': $(cat "$T/text.err")"
	exit 0
fi
# n = 1..20: odd n in log2 slots 0,1,2,2,3,3,3,3,4,4; even n 1,2,2,3,...
cat >"$T/odd" <<'EOT'
     value               : count    distribution
         0 -> 1          : 1        |**********                              |
         2 -> 3          : 1        |**********                              |
         4 -> 7          : 2        |********************                    |
         8 -> 15         : 4        |****************************************|
        16 -> 31         : 2        |********************                    |
EOT
cat >"$T/even" <<'EOT'
     value               : count    distribution
         0 -> 1          : 0        |                                        |
         2 -> 3          : 1        |**********                              |
         4 -> 7          : 2        |********************                    |
         8 -> 15         : 4        |****************************************|
        16 -> 31         : 3        |******************************          |
EOT
cat >"$T/lat" <<'EOT'
     usecs               : count    distribution
         0 -> 1          : 0        |                                        |
         2 -> 3          : 1        |****                                    |
         4 -> 7          : 1        |****                                    |
         8 -> 15         : 3        |************                            |
        16 -> 31         : 5        |********************                    |
        32 -> 63         : 10       |****************************************|
EOT
cat >"$T/step" <<'EOT'
     value         : count     distribution
        0          : 4        |********************************        |
        5          : 5        |****************************************|
        10         : 5        |****************************************|
        15         : 5        |****************************************|
        20         : 1        |********                                |
EOT
block "struct hist per key: odd n" "$T/text" \
	"pid = $pid, odd = 1, comm = \"rt-hist\"" "$T/odd"
block "struct hist per key: even n" "$T/text" \
	"pid = $pid, odd = 0, comm = \"rt-hist\"" "$T/even"
block "a per-CPU array named *hist*, summed, in usecs" "$T/text" \
	"map lat_us_hist (percpu_array): 26 entries" "$T/lat"
block "--hist MAP:linear:5" "$T/text" "map step_counts (array): 8 entries" \
	"$T/step"
if [ "$(grep -c -- ' -> ' "$T/text")" = 16 ]; then
	ok "no other histogram drawn"
else
	fail "no other histogram drawn" "$(cat "$T/text")"
fi
expect "a hash of counters not named so: entries" "$T/text" "  key=$pid value=20"

run_with_workload "$T/plain"
expect "without --hist, an array of counters: entries" "$T/plain" "  key=1 value=5"

run_with_workload "$T/json" -j --hist step_counts:linear:5
keep_json "$T/json"
pid=$(cat "$T/json.pid")
expect "JSON: struct hist per key" "$T/json" \
	"{\"map\":\"hists\",\"key\":{\"pid\":$pid,\"odd\":1},\"value\":{\"comm\":\"rt-hist\"},\"hist\":\"log2\",\"units\":\"value\",\"buckets\":[{\"lo\":0,\"hi\":1,\"count\":1},{\"lo\":2,\"hi\":3,\"count\":1},{\"lo\":4,\"hi\":7,\"count\":2},{\"lo\":8,\"hi\":15,\"count\":4},{\"lo\":16,\"hi\":31,\"count\":2}]}"
expect "JSON: an array of counters" "$T/json" \
	'{"map":"lat_us_hist","hist":"log2","units":"usecs","buckets":[{"lo":0,"hi":1,"count":0},{"lo":2,"hi":3,"count":1},{"lo":4,"hi":7,"count":1},{"lo":8,"hi":15,"count":3},{"lo":16,"hi":31,"count":5},{"lo":32,"hi":63,"count":10}]}'
expect "JSON: linear" "$T/json" \
	'{"map":"step_counts","hist":"linear","units":"value","buckets":[{"lo":0,"hi":4,"count":4},{"lo":5,"hi":9,"count":5},{"lo":10,"hi":14,"count":5},{"lo":15,"hi":19,"count":5},{"lo":20,"hi":24,"count":1}]}'
if command -v jq >/dev/null; then
	if jq -e . "$T/json" >/dev/null 2>&1; then
		ok "JSON: every line parses (jq)"
	else
		fail "JSON: every line parses (jq)" "$(cat "$T/json")"
	fi
fi

# --hist errors: before anything is loaded, naming the map.
for c in "nosuch|no map nosuch in hist" \
	 "step_counts:linear:0|the step is a positive integer" \
	 "step_counts:linear:281474976710656|the step is a positive integer of at most 281474976710655" \
	 "step_counts:cubic|MAP:linear:STEP"; do
	arg=${c%%|*} want=${c#*|}
	"$RT" run -d 1 --hist "$arg" "$TB/hist.bpf.o" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc = 1 ] && grep -qF -- "$want" "$T/err" &&
	   ! grep -q "loaded" "$T/err"; then
		ok "--hist $arg: refused"
	else
		fail "--hist $arg" "exit $rc: $(cat "$T/err")"
	fi
done
"$RT" run -d 1 --hist by_key "$TB/hist.bpf.o" >/dev/null 2>"$T/err"
rc=$?
if [ $rc = 1 ] && grep -qF "map by_key holds no counters of slots" "$T/err"; then
	ok "--hist on counters keyed by a struct: refused"
else
	fail "--hist on counters keyed by a struct" "exit $rc: $(cat "$T/err")"
fi

# A hash of histograms whose key has no type (hist_keyless.bpf.o): its
# JSON objects parse, the map's name and the buckets, no key.
if [ -e "$TB/hist_keyless.bpf.o" ]; then
	"$RT" run -j -d 2 "$TB/hist_keyless.bpf.o" >"$T/kl" 2>"$T/kl.err" &
	rt=$!
	wait_started "$T/kl.err"
	"$WL/getppids" 0 3 rt-kl >/dev/null
	wait $rt
	rc=$?
	keep_json "$T/kl"
	line=$(grep '"map":"keyless"' "$T/kl")
	if [ $rc = 0 ] && case $line in
	   '{"map":"keyless","hist":"log2","units":"value","buckets":['*) true ;;
	   *) false ;; esac && { ! command -v jq >/dev/null ||
				jq -e . "$T/kl" >/dev/null 2>&1; }; then
		ok "a histogram with no key type: its JSON parses"
	else
		fail "a histogram with no key type" "exit $rc: $(cat "$T/kl" "$T/kl.err")"
	fi
else
	skip "$TB/hist_keyless.bpf.o not built (make tests)"
fi

# libbpf-tools' runqlat, per process, told the pid of a shell of ours
# that sleeps (a child each time) until told to go: once it has exited
# its histogram stops, and bpftool's slots must sum to our buckets.
if [ ! -e "$LT/runqlat.bpf.o" ]; then
	skip "runqlat: $LT/runqlat.bpf.o not extracted (tests/diff/extract-libbpf-tools.sh)"
	exit 0
fi
if ! command -v bpftool >/dev/null || ! command -v jq >/dev/null; then
	skip "runqlat: needs bpftool and jq (make deps)"
	exit 0
fi
sh -c "while [ ! -e $T/go ]; do sleep 0.02; done; for i in 1 2 3 4 5 6 7 8; do sleep 0.01; done" &
sleeper=$!
: >"$T/rq.err"
"$RT" run -j --set targ_tgid=$sleeper --set targ_per_process=true \
	--skip handle_sched_wakeup --skip handle_sched_wakeup_new \
	--skip handle_sched_switch "$LT/runqlat.bpf.o" >"$T/rq" 2>"$T/rq.err" &
rt=$!
wait_started "$T/rq.err"
if ! grep -q "Ctrl-C to stop" "$T/rq.err"; then
	skip "runqlat: does not run here: $(cat "$T/rq.err")"
	touch "$T/go"
	kill -INT $rt 2>/dev/null
	wait
	exit 0
fi
touch "$T/go"
wait $sleeper
# our run's hists map: of the maps its fds hold, the one named so
id=
for m in $(sed -n 's/^map_id:[[:space:]]*//p' /proc/$rt/fdinfo/* 2>/dev/null); do
	if [ "$(bpftool map show id "$m" -j 2>/dev/null | jq -r .name)" = hists ]; then
		id=$m
		break
	fi
done
bpftool map dump id "$id" -j >"$T/bt" 2>"$T/bt.err"
kill -INT $rt
wait $rt
rc=$?
keep_json "$T/rq"
# bpftool decodes with the map's BTF when the map has one, else gives
# hex bytes: the key a u32, the value 26 u32 slots and a comm.
theirs=$(jq --argjson pid "$sleeper" '
	def byte: ltrimstr("0x") | explode |
		map(if . >= 97 then . - 87 else . - 48 end) | .[0] * 16 + .[1];
	def u32s: map(byte) as $b | [range(0; ($b | length) / 4) |
		$b[4 * .] + 256 * $b[4 * . + 1] + 65536 * $b[4 * . + 2] +
		16777216 * $b[4 * . + 3]];
	[.[] | select((.key | type) == "number" and .key == $pid or
		      (.key | type) == "array" and (.key | u32s[0]) == $pid) |
	 if (.value | type) == "object" then .value.slots[]
	 else .value[0:104] | u32s[] end] |
	def trim: if length > 0 and .[-1] == 0 then .[:-1] | trim else . end;
	trim' "$T/bt" 2>/dev/null | tr -d ' \n')
ours=$(jq -sc '[.[] | select(.map == "hists" and .key == '"$sleeper"') |
	.buckets[].count]' "$T/rq" 2>/dev/null)
sum=$(echo "$ours" | jq add 2>/dev/null)
if [ $rc = 0 ] && [ -n "$id" ] && [ "${sum:-null}" != null ] &&
   [ "$sum" -gt 0 ] && [ "$ours" = "$theirs" ]; then
	ok "runqlat: our buckets are the slots bpftool reads, $sum in all"
else
	fail "runqlat: buckets vs bpftool" "exit $rc, map id '$id', ours '$ours', bpftool's '$theirs': $(head -c 2000 "$T/rq") $(head -c 1000 "$T/bt") $(cat "$T/rq.err")"
fi
if grep -q "\"key\":$sleeper,\"value\":{\"comm\":\"sh\"},\"hist\":\"log2\"" "$T/rq"; then
	ok "runqlat: per process, keyed by pid, with its comm"
else
	fail "runqlat: key and comm" "$(cat "$T/rq")"
fi

# The drawing beside the real runqlat's over the same second: the same
# header and rows (the counts are the machine's, not compared).
if [ -x /usr/sbin/runqlat ]; then
	"$RT" run -d 2 --skip handle_sched_wakeup --skip handle_sched_wakeup_new \
		--skip handle_sched_switch "$LT/runqlat.bpf.o" >"$T/ours" 2>/dev/null &
	rt=$!
	timeout 10 /usr/sbin/runqlat 1 1 >"$T/real" 2>&1
	wait $rt
	form() {
		grep -- ' -> ' "$1" | grep -vcE '^ +[0-9]+ -> [0-9]+ +: [0-9]+ +\|[* ]{40}\|$'
	}
	if grep -qE '^     [a-z]+ +: count    distribution$' "$T/ours" &&
	   grep -qE '^     usecs +: count    distribution$' "$T/real" &&
	   [ "$(form "$T/ours")" = 0 ] && [ "$(form "$T/real")" = 0 ] &&
	   grep -q ' -> ' "$T/ours" && grep -q ' -> ' "$T/real"; then
		ok "runqlat: drawn in the real runqlat's form"
	else
		fail "runqlat: the real runqlat's form" "ours: $(cat "$T/ours") real: $(cat "$T/real")"
	fi
else
	skip "runqlat: /usr/sbin/runqlat not installed (libbpf-tools)"
fi
exit 0
