#!/bin/sh
# rawtrace inspect on objects from the malformed-object generator
# (tests/test_malformed.c, which writes them with MALFORMED_OUT set):
# each must give exit 1, nothing on stdout and one line on stderr that
# names the broken rule (the part the generator expects, NAME.want).
set -u
cd "$(dirname "$0")/../.." || exit 1
RT=./rawtrace
GEN=build/tests/test_malformed
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ ! -x "$RT" ] || [ ! -x "$GEN" ]; then
	echo "skipped: malformed inspect: build rawtrace and $GEN first"
	exit 0
fi
if ! MALFORMED_OUT=$T "$GEN" >"$T/gen.log" 2>&1; then
	echo "FAIL: malformed generator: $(tail -n 3 "$T/gen.log")"
	exit 1
fi
# the issue's examples, and one case of each other family
for name in rel_not_insn_aligned btf_datasec_past_section \
	    btf_func_not_proto btf_modifier_loop btf_struct_holds_itself \
	    sym_name_range rel_btfext_not_insn_off ext_core_insn_unaligned \
	    symtab_entsize rel_entsize; do
	want=$(cat "$T/$name.want")
	$RT inspect "$T/$name.o" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -ne 1 ]; then
		echo "FAIL: malformed $name: exit $rc: $(cat "$T/err")"
	elif [ -s "$T/out" ]; then
		echo "FAIL: malformed $name: printed: $(head -n 2 "$T/out")"
	elif [ "$(wc -l <"$T/err")" -ne 1 ]; then
		echo "FAIL: malformed $name: not one line: $(cat "$T/err")"
	elif ! grep -qF -- "$want" "$T/err"; then
		echo "FAIL: malformed $name: no '$want' in: $(cat "$T/err")"
	else
		echo "ok: malformed $name: $(cat "$T/err")"
	fi
done
