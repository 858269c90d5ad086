#!/bin/sh
# doc/events.schema.json itself: a valid JSON Schema (draft 2020-12), every
# object in it closed and each of its keys described; every JSON key a
# tool's column list names (progs/TOOL.c) is in the tool's $defs entry;
# hand-written lines of each tool, of --cost (progs/cost.c) and of
# `rawtrace run -j` (cli/run_events.c, cli/run_maps.c), as they are
# written, pass tests/schema_check.py; lines with a key the schema
# does not know,
# a wrong type, a missing required key or a null where none is allowed
# fail it, one FAIL line each, exit 1. The tools' real output is checked
# by test_e2e.sh and test_vm_e2e.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1
SCHEMA=doc/events.schema.json CHECK=tests/schema_check.py
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok: schema $1"; }
fail() { echo "FAIL: schema $1: $2"; }

. tests/sh/jsonschema.inc
if [ -z "$py" ]; then
	echo "skipped: schema: no python3 with jsonschema (make deps installs python3-jsonschema)"
	exit 0
fi

if "$py" - "$SCHEMA" >"$T/e" 2>&1 <<'EOF'
import json, sys
from jsonschema import Draft202012Validator
s = json.load(open(sys.argv[1]))
assert s.get("$schema") == "https://json-schema.org/draft/2020-12/schema", "$schema"
Draft202012Validator.check_schema(s)
# every object the schema describes (a $defs entry, a nested one such as
# cost's) is closed and each of its keys described
def walk(where, d):
    if isinstance(d, list):
        for i, x in enumerate(d):
            walk("%s[%d]" % (where, i), x)
    if not isinstance(d, dict):
        return
    if "properties" in d:
        assert d.get("additionalProperties") is False, where + ": additionalProperties"
        for k, v in d["properties"].items():
            assert v.get("description"), where + "." + k + ": no description"
    for k, v in d.items():
        walk(where + "." + k, v)
# (run's entry is its closed lines' if-thens: a decoded record has the
# keys of the object's own struct)
for name, d in s["$defs"].items():
    assert name == "run" or d.get("additionalProperties") is False, name + ": additionalProperties"
    walk(name, d)
EOF
then
	ok "valid draft 2020-12, each object closed, each key described"
else
	fail "check_schema" "$(cat "$T/e")"
fi

# The keys of a tool's column list: the second string of each COL_*
# entry, and those of the head macros.
src_keys() {
	sed -n 's/^[[:space:]]*COL_[A-Z]*([^,]*, *"\([a-z_]*\)".*/\1/p' "$1"
	grep -q 'COL_T[A-Z]*_HEAD(' "$1" && echo ts && echo time
	grep -q 'COL_TASK(' "$1" && echo pid && echo tid && echo comm
}
for tool in bind listen connect deny-bind packets; do
	src=progs/$(echo $tool | tr - _).c
	src_keys "$src" | sort -u >"$T/src"
	"$py" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["$defs"][sys.argv[2]]["properties"]))' \
		"$SCHEMA" "$tool" | sort -u >"$T/schema"
	missing=$(comm -23 "$T/src" "$T/schema" | tr '\n' ' ')
	if [ ! -s "$T/src" ]; then
		fail "$tool keys" "no column keys found in $src"
	elif [ -n "$missing" ]; then
		fail "$tool keys" "in $src's columns, not in $SCHEMA: $missing"
	else
		ok "$tool: the $(wc -l <"$T/src") keys of $src's columns are in the schema"
	fi
done

# Good lines: each tool's keys with and without the optional ones.
CG='"cgroup_id":8731,"cgroup":"/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope","container":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"'
CG0='"cgroup_id":1,"cgroup":"/","container":null'
CGGONE='"cgroup_id":9001,"cgroup":null,"container":null'
TASK='"pid":9361,"tid":9362,"comm":"rt-binds"'
TIME='"time":"2025-01-31T08:51:35.123456789Z"'
cat >"$T/bind.jsonl" <<EOF
{"ts":889969974658,$TASK,"ret":0,"proto":"TCP","opts":"...R.","if":0,"port":45678,"addr":"127.0.0.1",$CG0,"netns":4026531840}
{"ts":889969974658,$TIME,$TASK,"ret":-98,"proto":"UDP","opts":"FTNRr","if":1,"port":0,"addr":"::ffff:10.0.0.1",$CG,"netns":4026532177}
{"ts":1,$TASK,"ret":-13,"proto":"UNK","opts":".....","if":0,"port":65535,"addr":"fe80::1",$CGGONE,"netns":4026531840}
EOF
cat >"$T/listen.jsonl" <<EOF
{"ts":889969974658,$TASK,"ret":0,"proto":"TCPv4","backlog":4096,"netns":4026531833,"addr":"0.0.0.0","port":47700,$CG0}
{"ts":889969974658,$TIME,$TASK,"ret":-22,"proto":"TCPv6","backlog":3,"netns":4026532177,"addr":"::","port":49962,$CG}
EOF
cat >"$T/connect.jsonl" <<EOF
{"ts":889969974658,$TASK,"ip":4,"saddr":"127.0.0.1","sport":47730,"daddr":"127.0.0.1","dport":47720,"ret":0,$CG0,"netns":4026531840}
{"ts":889969974658,$TIME,"uid":1000,$TASK,"ip":6,"saddr":"::","sport":0,"daddr":"ff02::1","dport":47723,"ret":-101,"result":"-",$CG,"netns":4026531840}
{"ts":889969974658,"uid":0,$TASK,"ip":4,"saddr":"127.0.0.1","sport":47731,"daddr":"127.0.0.1","dport":47722,"ret":0,"result":"refused",$CGGONE,"netns":4026531840}
EOF
cat >"$T/deny-bind.jsonl" <<EOF
{"ts":889969974658,$TASK,"action":"denied","proto":"TCP","addr":"127.0.0.1","port":80,$CG}
{"ts":889969974658,$TIME,$TASK,"action":"audit","proto":"132","addr":"::1","port":0,$CG0}
EOF
cat >"$T/packets.jsonl" <<EOF
{"ts":889969974658,"if":"lo","proto":"UDP","saddr":"127.0.0.1","sport":47760,"daddr":"127.0.0.1","dport":47761,"len":38,"flags":"","frag":0,"icmp_type":null,"icmp_code":null}
{"ts":889969974658,$TIME,"if":"lo","proto":"TCP","saddr":"::1","sport":47765,"daddr":"::1","dport":47764,"len":60,"flags":"SA","frag":0,"icmp_type":null,"icmp_code":null}
{"ts":889969974658,"if":"eth0","proto":"ICMPv6","saddr":"::1","sport":null,"daddr":"::1","dport":null,"len":64,"flags":"","frag":0,"icmp_type":128,"icmp_code":0}
{"ts":889969974658,"if":"if7","proto":"UDP","saddr":"127.0.0.1","sport":null,"daddr":"127.0.0.1","dport":null,"len":36,"flags":"","frag":1,"icmp_type":null,"icmp_code":null}
{"ts":889969974658,"if":"lo","proto":"60","saddr":"::1","sport":null,"daddr":"::1","dport":null,"len":116,"flags":"","frag":0,"unparsed":1,"icmp_type":null,"icmp_code":null}
{"ts":889969974658,"if":"lo","proto":"0","saddr":"0.0.0.0","sport":null,"daddr":"0.0.0.0","dport":null,"len":0,"flags":"","frag":0,"unparsed":1,"icmp_type":null,"icmp_code":null}
EOF
# --cost -j: a line per program, then the totals (user_ns_per_event null
# without events).
cat >"$T/cost.jsonl" <<EOF
{"cost":{"prog":"tp_exit_bind","runs":2003,"ns_per_run":1234,"kernel_ns":2471702,"missed":0}}
{"cost":{"prog":"a_program_name_longer_than_15","runs":0,"ns_per_run":0,"kernel_ns":0,"missed":0}}
{"cost":{"runs":2003,"kernel_ns":2471702,"events":2001,"seconds":1.234,"events_per_s":1622,"user_ns":4000000,"user_ns_per_event":1999}}
{"cost":{"runs":0,"kernel_ns":0,"events":0,"seconds":0.512,"events_per_s":0,"user_ns":0,"user_ns_per_event":null}}
EOF
# run -j: decoded records (the user's keys; several rings: ring first),
# hex records, map entries (per-CPU: values and sum), histograms, a map
# cut short, globals, cost lines.
cat >"$T/run.jsonl" <<EOF
{"ts":889969974658,"pid":9361,"comm":"rt-ev","in":{"port":8080,"ok":true},"color":"BLUE","bytes":[1,2,3],"note":"q"}
{"ring":"rb","ts":1,"seq":2}
{"map":1,"global":[],"hex":{}}
{"ring":"rb","hex":"0a0b0c0d0a0b0c0d"}
{"hex":""}
{"map":"counts","key":2,"value":10}
{"map":"by_comm","key":{"comm":"rt-show","pid":9361},"value":{"count":5,"color":"GREEN"}}
{"map":"raw","key":"00000001","value":"ffff"}
{"map":"per_cpu","key":0,"values":[1,4,0,0],"sum":5}
{"map":"per_cpu_s","key":0,"values":[{"a":1},{"a":2}]}
{"map":"hists","key":{"pid":9361,"odd":1},"value":{"comm":"rt-hist"},"hist":"log2","units":"value","buckets":[{"lo":0,"hi":1,"count":1},{"lo":2,"hi":3,"count":1}]}
{"map":"lat_us_hist","hist":"log2","units":"usecs","buckets":[{"lo":0,"hi":1,"count":0},{"lo":2,"hi":18446744073709551615,"count":1}]}
{"map":"step_counts","hist":"linear","units":"value","buckets":[{"lo":5,"hi":9,"count":5}]}
{"map":"empty","hist":"log2","units":"nsecs","buckets":[]}
{"map":"b","truncated":true,"shown":100000}
{"global":"hits","value":5}
{"global":"greeting","value":"hi"}
{"cost":{"prog":"count","runs":11,"ns_per_run":112,"kernel_ns":1232,"missed":0}}
{"cost":{"runs":11,"kernel_ns":1232,"events":0,"seconds":1.002,"events_per_s":0,"user_ns":0,"user_ns_per_event":null}}
EOF
for tool in bind listen connect deny-bind packets cost run; do
	n=$(wc -l <"$T/$tool.jsonl")
	if "$py" "$CHECK" "$SCHEMA" "$T/$tool.jsonl" >"$T/out" 2>&1 &&
	   ! grep -q '^FAIL' "$T/out" &&
	   grep -q "^ok: schema $tool: $n lines of " "$T/out"; then
		ok "$tool: $n hand-written lines valid"
	else
		fail "$tool good lines" "$(cat "$T/out")"
	fi
done

# The top level: each line is exactly one tool's, or a cost line (oneOf);
# run's lines are not of it.
for f in "$T"/*.jsonl; do
	[ "$f" = "$T/run.jsonl" ] || cat "$f"
done >"$T/all"
if "$py" - "$SCHEMA" "$T/all" >"$T/e" 2>&1 <<'EOF'
import json, sys
from jsonschema import Draft202012Validator
v = Draft202012Validator(json.load(open(sys.argv[1])))
for n, line in enumerate(open(sys.argv[2]), 1):
    v.validate(json.loads(line))
EOF
then
	ok "every good line is valid against the top level (one tool's entry)"
else
	fail "top level" "$(tail -n 3 "$T/e")"
fi

# bad TOOL WHAT PATTERN LINE: the line fails, one FAIL line saying PATTERN,
# exit 1.
bad() {
	echo "$4" >"$T/bad.jsonl"
	"$py" "$CHECK" "$SCHEMA" "$1=$T/bad.jsonl" >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && [ "$(grep -c '^FAIL: ' "$T/out")" -eq 1 ] &&
	   grep -q "^FAIL: $T/bad.jsonl:1: $1: .*$3" "$T/out" &&
	   ! grep -q '^ok:' "$T/out"; then
		ok "$1: $2 fails"
	else
		fail "$1: $2" "exit $rc: $(cat "$T/out")"
	fi
}
B="\"ts\":1,$TASK,\"ret\":0,\"proto\":\"TCP\",\"opts\":\".....\",\"if\":0,\"port\":1,\"addr\":\"127.0.0.1\",$CG0"
bad bind "an unknown key" "'color' was unexpected" "{$B,\"netns\":1,\"color\":1}"
bad bind "a missing required key (netns)" "'netns' is a required property" "{$B}"
bad bind "a port as a string" "'1' is not of type 'integer'" \
	"{\"ts\":1,$TASK,\"ret\":0,\"proto\":\"TCP\",\"opts\":\".....\",\"if\":0,\"port\":\"1\",\"addr\":\"127.0.0.1\",$CG0,\"netns\":1}"
bad bind "a port above 65535" "65536 is greater than" \
	"{\"ts\":1,$TASK,\"ret\":0,\"proto\":\"TCP\",\"opts\":\".....\",\"if\":0,\"port\":65536,\"addr\":\"127.0.0.1\",$CG0,\"netns\":1}"
bad bind "a bad address" "addr" \
	"{\"ts\":1,$TASK,\"ret\":0,\"proto\":\"TCP\",\"opts\":\".....\",\"if\":0,\"port\":1,\"addr\":\"127.0.0.256\",$CG0,\"netns\":1}"
bad bind "netns null" "None is not of type 'integer'" "{$B,\"netns\":null}"
bad bind "ts 0" "0 is less than the minimum of 1" "{$(echo "$B" | sed 's/"ts":1/"ts":0/'),\"netns\":1}"
bad listen "a container id not of 64 hex digits" "does not match" \
	"{\"ts\":1,$TASK,\"ret\":0,\"proto\":\"TCPv4\",\"backlog\":1,\"netns\":1,\"addr\":\"0.0.0.0\",\"port\":1,\"cgroup_id\":2,\"cgroup\":\"/docker/abc\",\"container\":\"abc\"}"
bad listen "a cgroup path without the leading /" "does not match '\\^/'" \
	"{\"ts\":1,$TASK,\"ret\":0,\"proto\":\"TCPv4\",\"backlog\":1,\"netns\":1,\"addr\":\"0.0.0.0\",\"port\":1,\"cgroup_id\":2,\"cgroup\":\"a\",\"container\":null}"
bad connect "a result not of the list" "'maybe' is not one of" \
	"{\"ts\":1,$TASK,\"ip\":4,\"saddr\":\"127.0.0.1\",\"sport\":1,\"daddr\":\"127.0.0.1\",\"dport\":2,\"ret\":0,\"result\":\"maybe\",$CG0,\"netns\":1}"
bad connect "a bad time" "time" \
	"{\"ts\":1,\"time\":\"08:51:35\",$TASK,\"ip\":4,\"saddr\":\"127.0.0.1\",\"sport\":1,\"daddr\":\"127.0.0.1\",\"dport\":2,\"ret\":0,$CG0,\"netns\":1}"
bad deny-bind "netns, which deny-bind has not" "'netns' was unexpected" \
	"{\"ts\":1,$TASK,\"action\":\"denied\",\"proto\":\"TCP\",\"addr\":\"::1\",\"port\":80,$CG0,\"netns\":1}"
bad packets "pid, which packets has not" "'pid' was unexpected" \
	"{\"ts\":1,\"pid\":1,\"if\":\"lo\",\"proto\":\"UDP\",\"saddr\":\"127.0.0.1\",\"sport\":1,\"daddr\":\"127.0.0.1\",\"dport\":2,\"len\":38,\"flags\":\"\",\"frag\":0,\"icmp_type\":null,\"icmp_code\":null}"
bad packets "a missing icmp_type" "'icmp_type' is a required property" \
	"{\"ts\":1,\"if\":\"lo\",\"proto\":\"UDP\",\"saddr\":\"127.0.0.1\",\"sport\":1,\"daddr\":\"127.0.0.1\",\"dport\":2,\"len\":38,\"flags\":\"\",\"frag\":0,\"icmp_code\":null}"
bad packets "unparsed 0 (written only when 1)" "1 was expected" \
	"{\"ts\":1,\"if\":\"lo\",\"proto\":\"UDP\",\"saddr\":\"127.0.0.1\",\"sport\":1,\"daddr\":\"127.0.0.1\",\"dport\":2,\"len\":38,\"flags\":\"\",\"frag\":0,\"unparsed\":0,\"icmp_type\":null,\"icmp_code\":null}"
bad packets "a line that is not JSON" "not JSON" '{"ts":1,'
bad packets "a JSON array" "not a JSON object" '[1,2]'
# --cost's lines: in their own entry, not in a tool's
C='"prog":"p","runs":1,"ns_per_run":1,"kernel_ns":1'
S='"runs":1,"kernel_ns":1,"events":1,"seconds":0.5,"events_per_s":2,"user_ns":1000'
bad bind "a cost line (the entry cost's)" "'cost' was unexpected" \
	"{\"cost\":{$C,\"missed\":0}}"
bad cost "an unknown key in a program's line" "'color' was unexpected" \
	"{\"cost\":{$C,\"missed\":0,\"color\":1}}"
bad cost "a key beside cost" "'ts' was unexpected" \
	"{\"cost\":{$C,\"missed\":0},\"ts\":1}"
bad cost "a program's line without missed" "'missed' is a required property" \
	"{\"cost\":{$C}}"
bad cost "the totals without user_ns_per_event" "'user_ns_per_event' is a required property" \
	"{\"cost\":{$S}}"
bad cost "the totals with a program's ns_per_run" "'ns_per_run' was unexpected" \
	"{\"cost\":{$S,\"user_ns_per_event\":null,\"ns_per_run\":1}}"
bad cost "negative runs" "-1 is less than the minimum of 0" \
	"{\"cost\":{\"prog\":\"p\",\"runs\":-1,\"ns_per_run\":1,\"kernel_ns\":1,\"missed\":0}}"
bad cost "user_ns_per_event a string" "'n/a' is not of type 'integer', 'null'" \
	"{\"cost\":{$S,\"user_ns_per_event\":\"n/a\"}}"
bad cost "seconds as a string" "'0.5' is not of type 'number'" \
	"{\"cost\":{$(echo "$S" | sed 's/0\.5/"0.5"/'),\"user_ns_per_event\":1}}"

# run's lines: each closed but for a decoded record, which is any object
# but one of only a closed line's keys
bad run "a map entry without its value" "'value' is a required property" \
	'{"map":"counts","key":2}'
bad run "a map named by a number" "5 is not of type 'string'" \
	'{"map":5,"key":1,"value":2}'
bad run "per-CPU values not an array" "5 is not of type 'array'" \
	'{"map":"p","key":0,"values":5,"sum":5}'
bad run "a negative per-CPU sum" "-1 is less than the minimum of 0" \
	'{"map":"p","key":0,"values":[],"sum":-1}'
bad run "a histogram's units not of the list" "'secs' is not one of" \
	'{"map":"h","hist":"log2","units":"secs","buckets":[]}'
bad run "a histogram neither log2 nor linear" "'exp' is not one of" \
	'{"map":"h","hist":"exp","units":"value","buckets":[]}'
bad run "a bucket with a key of none" "'avg' was unexpected" \
	'{"map":"h","hist":"log2","units":"value","buckets":[{"lo":0,"hi":1,"count":0,"avg":1}]}'
bad run "a histogram without buckets" "'buckets' is a required property" \
	'{"map":"h","hist":"log2","units":"value"}'
bad run "truncated false" "True was expected" \
	'{"map":"b","truncated":false,"shown":1}'
bad run "a global without its value" "'value' is a required property" \
	'{"global":"hits"}'
bad run "hex in capitals" "does not match" '{"ring":"rb","hex":"0A"}'
bad run "hex of an odd number of digits" "does not match" '{"hex":"abc"}'
bad run "a bad cost line" "'user_ns_per_event' is a required property" \
	"{\"cost\":{$S}}"
bad run "a line that is not JSON" "not JSON" '{"map":'
bad bind "a run line" "'key', 'map', 'value' were unexpected" '{"map":"counts","key":2,"value":10}'

# A file without a JSON line is said, not failed; a tool without an
# entry is.
: >"$T/packets.jsonl"
"$py" "$CHECK" "$SCHEMA" "$T/packets.jsonl" >"$T/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '^ok: schema packets: .* has no JSON lines' "$T/out" &&
	ok "an empty file: said, not failed" ||
	fail "an empty file" "exit $rc: $(cat "$T/out")"
"$py" "$CHECK" "$SCHEMA" "execsnoop=$T/packets.jsonl" >"$T/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "^FAIL: .*no \$defs entry 'execsnoop'" "$T/out" &&
	ok "a tool without an entry fails" ||
	fail "a tool without an entry" "exit $rc: $(cat "$T/out")"
exit 0
