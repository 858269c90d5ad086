#!/bin/sh
# Runs every end-to-end script in tests/e2e/ on this machine, as root, with
# the backend this kernel has (tracepoint: it has no kprobes; kprobe too
# where it has them). The same scripts run in the VM: test_vm_e2e.sh.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: e2e: needs root"
	exit 0
fi
backends=tracepoint
[ -e /sys/bus/event_source/devices/kprobe/type ] && backends="kprobe tracepoint"
# Every JSON line the scripts' runs print, by tool (tests/e2e/lib.inc's
# jsonl: lines alike but for their ts once), is checked against
# doc/events.schema.json at the end.
J=$(mktemp -d)
trap 'rm -rf "$J"' EXIT
export E2E_JSONL="$J"
for t in tests/e2e/*.sh; do
	for b in $backends; do
		RT=./rawtrace WL=build/workload sh "$t" "$b"
	done
	# The default events map is the BPF ring buffer; the perf event
	# arrays (older kernels, --ring perf) with the last backend.
	RT=./rawtrace WL=build/workload E2E_RING=perf sh "$t" "$b"
done

# The collected lines against the schema: one FAIL line per bad line (at
# most 20 per tool, then a count), an ok line per tool.
py=""
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null 2>&1 &&
	   "$p" -c 'import jsonschema' 2>/dev/null; then
		py=$p
		break
	fi
done
set -- "$J"/*.jsonl
if [ -z "$py" ]; then
	echo "skipped: e2e schema: no python3 with jsonschema (make deps installs python3-jsonschema)"
elif [ ! -e "$1" ]; then
	echo "FAIL: e2e schema: the scripts printed no JSON line"
else
	"$py" tests/schema_check.py --max-fails 20 doc/events.schema.json "$@" |
		sed "s|$J/||"
fi
