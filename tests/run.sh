#!/bin/sh
# Runs each Check program given as an argument, then the shell-level
# suites, and prints one closing line: "N passed, N failed, N skipped".
# A test that skips prints "skipped: ..." and is not counted as passed.
set -u
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "$@"; do
	echo "== $t"
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	# Check's summary: "100%: Checks: 7, Failures: 0, Errors: 0"
	line=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL: $t printed no summary (exit $rc)"
		failed=$((failed + 1))
		continue
	fi
	n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
	e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	s=$(grep -c '^skipped: ' "$log")
	passed=$((passed + n - f - e - s))
	failed=$((failed + f + e))
	skipped=$((skipped + s))
	[ "$rc" -eq 0 ] || [ $((f + e)) -gt 0 ] || failed=$((failed + 1))
done
for t in tests/sh/test_*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	sh "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^ok: ' "$log"); f=$(grep -c '^FAIL: ' "$log")
	s=$(grep -c '^skipped: ' "$log")
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $t exited $rc"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
