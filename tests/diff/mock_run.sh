#!/bin/sh
# A stand-in for `rawtrace run` (and, with RT_DIFF_DIR set, for
# `rt-diff run`) built from libbpf's own verdict (lb-verdict), for
# tests/sh/test_run_vs_libbpf_harness.sh: it checks the comparison, not
# rawtrace. Prints the per-program lines test_run_vs_libbpf.sh's
# parse_run expects; as rt-diff, leaves libbpf's translated instructions
# as PROG.rawtrace. MOCK_DROP=PROG: that program "load refused";
# MOCK_CORRUPT=PROG: its instructions get one more line.
LBVERDICT=${LBVERDICT:-build/tests/lb-verdict}
[ "${1:-}" = run ] || exit 2
[ "${2:-}" = -h ] && exit 0
if [ -n "${RT_DIFF_DIR:-}" ]; then
	"$LBVERDICT" -o "$RT_DIFF_DIR" "$2" >/dev/null 2>&1
	for f in "$RT_DIFF_DIR"/*.libbpf; do
		[ -f "$f" ] && mv "$f" "${f%.libbpf}.rawtrace"
	done
	f=$RT_DIFF_DIR/${MOCK_CORRUPT:-}.rawtrace
	[ -z "${MOCK_CORRUPT:-}" ] || [ ! -f "$f" ] || echo "99: 95 0 0 +0 0" >>"$f"
	exit 0
fi
"$LBVERDICT" "$2" 2>/dev/null | grep -v '^#' | while read -r p s l a; do
	case "$l $a" in
	"loaded attached") v="loaded, attached" ;;
	"loaded n/a") v="loaded, not attached: no auto-attach" ;;
	loaded*) v="attach refused: $a" ;;
	*) v="load refused: $l" ;;
	esac
	[ "$p" != "${MOCK_DROP:-}" ] || v="load refused: mock"
	echo "rawtrace run: $p ($s): $v" >&2
done
