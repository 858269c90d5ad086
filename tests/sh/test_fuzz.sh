#!/bin/sh
# A short smoke of the two fuzzers (make fuzz runs the real campaigns):
# every built object and every committed crasher (tests/fuzz/regress/)
# once through each, then a few seconds of fuzzing from those seeds.
# A crash, leak or UB report fails; its input is kept in
# build/fuzz/artifacts/. No speed is asked for.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
SECONDS_EACH=${FUZZ_SMOKE_SECONDS:-5}

seeds=$(ls build/bpf/*.bpf.o build/bpf/tests/*.bpf.o 2>/dev/null)
regress=$(ls tests/fuzz/regress/crash-* 2>/dev/null)
for f in build/fuzz/fuzz_obj build/fuzz/fuzz_elf; do
	name=$(basename "$f")
	if [ ! -x "$f" ] || [ -z "$seeds" ]; then
		echo "skipped: $name: build it and the BPF objects first (make tests)"
		continue
	fi
	if "$f" -artifact_prefix="$T/" $seeds $regress >"$T/log" 2>&1; then
		echo "ok: $name: $(echo $seeds $regress | wc -w) seeds and crashers once each"
	else
		echo "FAIL: $name on the seeds: $(grep -m 3 -E 'ERROR|runtime error|SUMMARY' "$T/log")"
		continue
	fi
	mkdir -p "$T/corpus-$name"
	cp $seeds $regress "$T/corpus-$name/" 2>/dev/null
	if "$f" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
	    -artifact_prefix="$T/" "$T/corpus-$name" >"$T/log" 2>&1; then
		echo "ok: $name: ${SECONDS_EACH}s of fuzzing, $(grep -o 'Done [0-9]* runs' "$T/log")"
	else
		mkdir -p build/fuzz/artifacts
		cp "$T"/crash-* "$T"/leak-* "$T"/timeout-* "$T"/oom-* \
			build/fuzz/artifacts/ 2>/dev/null
		echo "FAIL: $name: $(grep -m 3 -E 'ERROR|runtime error|SUMMARY' "$T/log") (input in build/fuzz/artifacts/)"
	fi
done
