#!/bin/sh
# Writes an assembly file that carries each BPF object given as an argument
# and a table of them, declared in loader/embedded.h:
#   const struct embedded_obj embedded_objs[]; (name, start, end), NULL-ended
set -eu
echo '	.section .rodata.rawtrace_objs,"a"'
i=0
for f in "$@"; do
	echo "	.balign 8"
	echo "obj_${i}_start:"
	echo "	.incbin \"$f\""
	echo "obj_${i}_end:"
	echo "	.byte 0"
	name=$(basename "$f" .bpf.o)
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
