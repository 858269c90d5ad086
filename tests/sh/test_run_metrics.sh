#!/bin/sh
# `rawtrace run` while it runs (issue 22): --metrics serves the object's
# maps and globals at /metrics in Prometheus' text format, and -i dumps
# them every few seconds. tests/bpf/metrics.bpf.o counts the getppid()
# calls of build/workload/getppids (named rtm-...): a hash with a struct
# key (labels, one escaped), a per-CPU array (summed), log2 histograms
# (an array named *hist*, a hash of struct hist), globals (gauges).
# Checked: the values exactly; `promtool check metrics`; a real
# Prometheus scraping it and answering a PromQL query; a client that
# sends nothing, or a byte a second, neither stopping the rings from
# being read nor -d from ending on time; a port in use; -i's cadence.
set -u
. "$(dirname "$0")/jsonschema.inc"   # keep_json: -j lines for the schema
cd "$(dirname "$0")/../.." || exit 1
RT=${RT:-./rawtrace} TB=${TB:-build/bpf/tests} WL=${WL:-build/workload}
T=$(mktemp -d)
run_json_dir "$T/jsonl"
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	run_json_check "run metrics"
	rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok: run metrics: $1"; }
fail() { echo "FAIL: run metrics: $1: $2"; }
skip() { echo "skipped: run metrics: $1"; }

if [ "$(id -u)" -ne 0 ]; then
	skip "needs root"
	exit 0
fi
for f in "$RT" "$TB/metrics.bpf.o" "$WL/getppids"; do
	if [ ! -e "$f" ]; then
		skip "$f not built (make tests)"
		exit 0
	fi
done
if ! command -v curl >/dev/null; then
	skip "no curl (tests/deps.sh installs it)"
	exit 0
fi

# start NAME [RUN OPTIONS]: rawtrace run in the background, stdout in
# $T/NAME, stderr in $T/NAME.err; waits until it runs. Sets rt (its pid)
# and port (the one the kernel chose for --metrics 127.0.0.1:0).
start() {
	name=$1
	shift
	: >"$T/$name.err"
	"$RT" run "$@" "${obj:-$TB/metrics.bpf.o}" >"$T/$name" \
		2>"$T/$name.err" &
	rt=$!
	pids="$pids $rt"
	i=0
	while ! grep -q "Ctrl-C to stop" "$T/$name.err" && [ $i -lt 300 ]; do
		kill -0 $rt 2>/dev/null || break
		i=$((i + 1))
		sleep 0.1
	done
	port=$(sed -n 's#^rawtrace run: metrics at http://127\.0\.0\.1:\([0-9]*\)/metrics$#\1#p' \
		"$T/$name.err")
}

# expect NAME FILE LINE: FILE holds LINE, exactly.
expect() {
	if grep -qxF -- "$3" "$2"; then
		ok "$1"
	else
		fail "$1" "no line '$3' in: $(head -c 3000 "$2")"
	fi
}

# The comm holds a quote, a backslash and a newline: escaped in the label.
comm=$(printf 'rtm-"a\\b\nc')
start scrape --metrics 127.0.0.1:0
if [ -z "$port" ]; then
	fail "serves" "no port: $(cat "$T/scrape.err")"
	exit 0
fi
"$WL/getppids" 0 5 "$comm" | sed -n 's/^getppids: pid //p' >"$T/pid"
pid=$(cat "$T/pid")
curl -sS -D "$T/head" -o "$T/body" "http://127.0.0.1:$port/metrics" ||
	fail "curl" "$(cat "$T/head")"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/other")
[ "$code" = 404 ] && ok "another path is 404" || fail "another path" "$code"
kill -INT $rt
wait $rt
rc=$?
[ $rc = 0 ] && ok "ends as without --metrics" || fail "exit status" "$rc"
if grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/head"; then
	ok "the text format's content type"
else
	fail "content type" "$(cat "$T/head")"
fi
expect "a struct key's members as labels, escaped" "$T/body" \
	"metrics_calls_total{comm=\"rtm-\\\"a\\\\b\\nc\",pid=\"$pid\"} 5"
expect "a counter's TYPE" "$T/body" "# TYPE metrics_calls_total counter"
expect "a counter's HELP" "$T/body" \
	"# HELP metrics_calls_total map calls: its counters"
expect "a per-CPU counter, summed" "$T/body" \
	'metrics_cpu_calls_total{key="0"} 5'
expect "a histogram's TYPE" "$T/body" "# TYPE metrics_call_hist histogram"
# calls 1..5 go to log2 slots 0, 1, 1, 2, 2
expect "an array histogram's le=1" "$T/body" 'metrics_call_hist_bucket{le="1"} 1'
expect "cumulative le=3" "$T/body" 'metrics_call_hist_bucket{le="3"} 3'
expect "cumulative le=7" "$T/body" 'metrics_call_hist_bucket{le="7"} 5'
expect "le=255, the last slot" "$T/body" 'metrics_call_hist_bucket{le="255"} 5'
expect "le=+Inf" "$T/body" 'metrics_call_hist_bucket{le="+Inf"} 5'
expect "_count" "$T/body" 'metrics_call_hist_count 5'
expect "_sum (the slots' midpoints)" "$T/body" 'metrics_call_hist_sum 16.5'
expect "a struct hist per key" "$T/body" \
	"metrics_pid_hists_bucket{key=\"$pid\",le=\"3\"} 3"
expect "a struct hist's count" "$T/body" "metrics_pid_hists_count{key=\"$pid\"} 5"
expect "a .bss global, a gauge" "$T/body" "metrics_total_calls 5"
expect "its TYPE" "$T/body" "# TYPE metrics_total_calls gauge"
expect "a negative .data global" "$T/body" "metrics_offset -3"
if grep -q events "$T/body"; then
	fail "a ring is no metric" "$(grep events "$T/body")"
else
	ok "a ring is no metric"
fi

if command -v promtool >/dev/null; then
	if promtool check metrics <"$T/body" >"$T/promtool" 2>&1; then
		ok "promtool check metrics"
	else
		fail "promtool check metrics" "$(cat "$T/promtool")"
	fi
else
	skip "promtool check metrics: no promtool (Debian's prometheus)"
fi

# Names that collide once made metric and label names, and a family cut
# at its entry bound (tests/bpf/bad_metrics.bpf.c): a key of 17 members,
# the first named le, as a histogram's labels; a counter map named as a
# global's gauge is; members x.y and x_y; an array of 100001 counters.
obj=$TB/bad_metrics.bpf.o
start names --metrics 127.0.0.1:0 -d 30
obj=""
"$WL/getppids" 0 2 rtm-names >/dev/null
curl -sS -o "$T/names.body" "http://127.0.0.1:$port/metrics" ||
	fail "curl names" "$(cat "$T/names.err")"
kill -INT $rt
wait $rt
buckets=$(grep -c '^bad_metrics_h_bucket{' "$T/names.body")
nole=$(grep '^bad_metrics_h_bucket{' "$T/names.body" | grep -vc ',le="[0-9+Inf]*"}')
[ "$buckets" = 5 ] && [ "$nole" = 0 ] &&
	ok "a histogram whose key fills the labels: le on every bucket" ||
	fail "le with full labels" "$buckets buckets, $nole without le: $(grep \
		_h_bucket "$T/names.body")"
if grep -q '^bad_metrics_h_bucket{le_2="7",a1="1",.*,a14="0",le="3"} 2$' \
	"$T/names.body"; then
	ok "a key member named le renamed le_2"
else
	fail "a key member named le" "$(grep _h_bucket "$T/names.body")"
fi
twice=$(grep '^# TYPE' "$T/names.body" | awk '{ print $3 }' | sort | uniq -d)
[ -z "$twice" ] && ok "no metric family twice" ||
	fail "a family twice" "$twice"
expect "a colliding family left out, said so" "$T/names.body" \
	"# rawtrace: counter bad_metrics_cnt_total left out: bad_metrics_cnt_total is the name of a metric before it"
expect "label names alike: the second renamed" "$T/names.body" \
	'bad_metrics_twins_total{x_y="1",x_y_2="2"} 1'
expect "a family cut at its entry bound says so" "$T/names.body" \
	"# rawtrace: map b: its first 100000 entries only"
if command -v promtool >/dev/null; then
	# exit 3 is lint advice (a gauge named *_total); 1 is an error
	promtool check metrics <"$T/names.body" >"$T/promtool" 2>&1
	rc=$?
	if [ $rc != 1 ] && ! grep -qi error "$T/promtool"; then
		ok "promtool: colliding names no error"
	else
		fail "promtool, colliding names" "$rc: $(cat "$T/promtool")"
	fi
fi

# A port in use: one line naming it, and nothing loaded.
start holder --metrics 127.0.0.1:0 -d 10
held=$port
holder=$rt
"$RT" run --metrics "127.0.0.1:$held" "$TB/metrics.bpf.o" >/dev/null \
	2>"$T/inuse.err"
rc=$?
kill -INT $holder
wait $holder
if [ $rc = 1 ] && [ "$(cat "$T/inuse.err")" = \
     "rawtrace run: --metrics 127.0.0.1:$held: the port is in use" ]; then
	ok "a port in use: one line naming it"
else
	fail "a port in use" "exit $rc: $(cat "$T/inuse.err")"
fi

# A client that sends nothing and one that sends a byte a second hold a
# connection each; the rings are still read, -d ends on time, and a
# scrape beside them is answered.
start slow --metrics 127.0.0.1:0 -d 8
t0=$(date +%s%N)
if command -v bash >/dev/null; then
	# bash's /dev/tcp: one connects and sends nothing, the next a byte
	# a second
	bash -c 'exec 7<>"/dev/tcp/127.0.0.1/$1" && sleep 10' _ "$port" &
	pids="$pids $!"
	sleep 0.2
	bash -c 'exec 8<>"/dev/tcp/127.0.0.1/$1" &&
		for c in G E T " " / m e t r; do
			printf %s "$c" >&8; sleep 1
		done' _ "$port" 2>/dev/null &
	pids="$pids $!"
	sleep 0.2
	"$WL/getppids" 0 5 rtm-slow >/dev/null
	code=$(curl -s -m 7 -o "$T/slowbody" -w '%{http_code}' \
		"http://127.0.0.1:$port/metrics")
	wait $rt
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	if [ $ms -lt 9500 ]; then
		ok "-d 8 ends on time with slow clients connected ($ms ms)"
	else
		fail "-d with slow clients" "$ms ms"
	fi
	expect "the ring read while slow clients hold the socket" \
		"$T/slow.err" "rawtrace run: ring events (ring buffer): 5 records"
	expect "the map counted meanwhile" "$T/slow" "global total_calls=5"
	if [ "$code" = 200 ] && grep -qx 'metrics_total_calls 5' "$T/slowbody"
	then
		ok "a scrape beside slow clients answered"
	else
		fail "a scrape behind slow clients" "$code: $(head -c 500 \
			"$T/slowbody")"
	fi
else
	skip "slow clients: no bash for /dev/tcp"
	kill -INT $rt
	wait $rt
fi

# idle N: N clients connect and send nothing (one bash holding them);
# then a scrape must be answered at once, long before their request
# deadline (500 ms) would free a place: 12 fit beside the scraper, 20
# fill the table and the oldest idle ones make room.
idle() {
	rm -f "$T/idle.ready"
	bash -c 'for i in $(seq "$2"); do
			exec {fd}<>"/dev/tcp/127.0.0.1/$1" || exit 1
		done
		: >"$3"; sleep 5' _ "$port" "$1" "$T/idle.ready" 2>/dev/null &
	idler=$!
	pids="$pids $idler"
	i=0
	while [ ! -e "$T/idle.ready" ] && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.02
	done
	out=$(curl -s -m 2 -o "$T/idlebody" -w '%{http_code} %{time_total}' \
		"http://127.0.0.1:$port/metrics")
	kill $idler 2>/dev/null
	case $out in
	"200 0."[0-3]*)
		if grep -qx 'metrics_total_calls 0' "$T/idlebody"; then
			ok "a scrape served at once beside $1 idle clients ($out s)"
		else
			fail "beside $1 idle clients" "$(head -c 300 "$T/idlebody")"
		fi ;;
	*)
		fail "a scrape beside $1 idle clients" "'$out'" ;;
	esac
}
if command -v bash >/dev/null; then
	start idle --metrics 127.0.0.1:0 -d 20
	idle 12
	idle 20
	kill -INT $rt
	wait $rt
else
	skip "idle clients: no bash for /dev/tcp"
fi

# -i 0.7 for 3 s: four dumps 0.7 s apart, each under its time, the
# counter growing between them (3 calls before the first, 4 more between
# the second and the third); then the last one at the end.
"$RT" run -i 0.7 -d 3 "$TB/metrics.bpf.o" 2>"$T/i.err" |
	while IFS= read -r line; do
		echo "$(date +%s%N) $line"
	done >"$T/i" &
ipipe=$!
i=0
while ! grep -q "Ctrl-C to stop" "$T/i.err" && [ $i -lt 300 ]; do
	i=$((i + 1))
	sleep 0.1
done
"$WL/getppids" 0 3 rtm-i >/dev/null
sleep 1.6
"$WL/getppids" 0 4 rtm-i >/dev/null
wait $ipipe
stamp='^[0-9]+ [0-9]{2}:[0-9]{2}:[0-9]{2}$'
heads=$(grep -cE "$stamp" "$T/i")
vals=$(sed -n 's/^[0-9]* global total_calls=//p' "$T/i" | tr '\n' ' ')
gaps=$(grep -E "$stamp" "$T/i" |
	awk 'NR > 1 { d = ($1 - prev) / 1e6; if (d < 500 || d > 900)
		bad = bad " " d } { prev = $1 } END { print bad }')
if [ "$heads" = 4 ] && [ -z "$gaps" ]; then
	ok "-i 0.7: four dumps 0.7 s apart"
else
	fail "-i 0.7 cadence" "$heads dumps, gaps off:$gaps: $(cat "$T/i")"
fi
[ "$vals" = "3 3 7 7 7 " ] &&
	ok "-i 0.7: the counter growing between dumps ($vals)" ||
	fail "-i 0.7 values" "'$vals'"
"$RT" run -j -i 0.7 -d 2 "$TB/metrics.bpf.o" >"$T/j" 2>/dev/null
keep_json "$T/j"
n=$(grep -c '^{"global":"total_calls","value":0}$' "$T/j")
[ "$n" = 3 ] && ok "-j -i 0.7: JSON Lines dumps (2 + the last)" ||
	fail "-j -i 0.7" "$n dumps: $(cat "$T/j")"

# A real Prometheus scrapes it and answers a PromQL query.
if ! command -v prometheus >/dev/null; then
	skip "a real Prometheus: none installed (Debian's prometheus)"
	exit 0
fi
# a spare port for Prometheus itself: one nothing listens on
pport=""
for p in $(seq 39090 39190); do
	if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
		pport=$p
		break
	fi
done
start prom --metrics 127.0.0.1:0 -d 60
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: rawtrace
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$T/prom.log" 2>&1 &
pids="$pids $!"
"$WL/getppids" 0 7 rtm-prom >/dev/null
got=""
i=0
while [ $i -lt 60 ]; do
	got=$(curl -s "http://127.0.0.1:$pport/api/v1/query?query=sum(metrics_calls_total)" |
		sed -n 's/.*"value":\[[0-9.]*,"\([0-9.]*\)"\].*/\1/p')
	[ "$got" = 7 ] && break
	i=$((i + 1))
	sleep 0.5
done
if [ "$got" = 7 ]; then
	ok "Prometheus scrapes it: sum(metrics_calls_total) = 7"
else
	fail "Prometheus query" "'$got': $(tail -n 5 "$T/prom.log")"
fi
q='histogram_quantile(1,metrics_call_hist_bucket)'
got=$(curl -s -G "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$q" |
	sed -n 's/.*"value":\[[0-9.]*,"\([0-9.]*\)"\].*/\1/p')
# the 7th call is in slot 2, [4, 7]: its upper bound
[ "$got" = 7 ] && ok "Prometheus reads the histogram: $q = 7" ||
	fail "Prometheus histogram" "'$got'"
kill -INT $rt
wait $rt
exit 0
