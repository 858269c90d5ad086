#!/bin/sh
# Runs one fuzzer: tests/fuzz/run.sh FUZZER SECONDS
# Seeds build/fuzz/corpus-NAME from every BPF object we build (and their
# .BTF alone, the raw-BTF path), from the uprobe test target, and from the committed crashers in
# tests/fuzz/regress/, runs libFuzzer for SECONDS, and exits non-zero if
# it found a crash, leak or UB. Run from the source tree (fuzz_obj reads
# tests/fixtures/min_core.btf).
set -eu
fuzzer=${1:?usage: run.sh FUZZER SECONDS}
seconds=${2:-300}
corpus=build/fuzz/corpus-$(basename "$fuzzer")
artifacts=build/fuzz/artifacts/
mkdir -p "$corpus" "$artifacts"
tmp=$(mktemp)
for o in $(find build/bpf -name '*.o' 2>/dev/null); do
	base=$(echo "$o" | tr '/' '_')
	cp "$o" "$corpus/$base"
	llvm-objcopy --dump-section .BTF="$corpus/$base.btf" "$o" "$tmp" \
		2>/dev/null || rm -f "$corpus/$base.btf"
done
rm -f "$tmp"
# An executable with USDT notes, for the uprobe and USDT readers.
[ -f build/workload/uprobe_target ] &&
	cp build/workload/uprobe_target "$corpus/uprobe_target"
for r in tests/fuzz/regress/crash-*; do
	[ -f "$r" ] && cp "$r" "$corpus/regress_$(basename "$r")"
done
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 \
	-artifact_prefix="$artifacts" -print_final_stats=1 "$corpus"
