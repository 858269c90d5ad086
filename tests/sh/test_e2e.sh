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

# The collected lines against the schema.
. tests/sh/jsonschema.inc
schema_check_dir "$J" e2e
