#!/bin/sh
# Writes an assembly file that carries each gzip'd BPF object given as an
# argument (build/embed/NAME.gz) and a table of them, declared in
# loader/embedded.h:
#   const struct embedded_obj embedded_objs[]; (name, start, end), NULL-ended
# start..end is the gzip member; loader/embedded.c inflates it.
set -eu
echo '	.section .rodata.rawtrace_objs,"a"'
i=0
for f in "$@"; do
	echo "obj_${i}_start:"
	echo "	.incbin \"$f\""
	echo "obj_${i}_end:"
	name=$(basename "$f" .gz)
	echo "obj_${i}_name:"
	echo "	.asciz \"$name\""
	i=$((i + 1))
done
echo '	.section .data.rel.ro.rawtrace_objs,"aw"'
echo '	.balign 8'
echo '	.globl embedded_objs'
echo 'embedded_objs:'
j=0
while [ $j -lt $i ]; do
	echo "	.quad obj_${j}_name, obj_${j}_start, obj_${j}_end"
	j=$((j + 1))
done
echo '	.quad 0, 0, 0'
echo '	.section .note.GNU-stack,"",@progbits'
