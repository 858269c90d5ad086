#!/bin/sh
# make size: where the bytes of ./rawtrace (or ./rawtrace-ARCH) go, and
# the total against the aim. The code's split comes from the linker's map
# of an unstripped link of the same objects (the binary is stripped:
# symbols and the map are gone from it); the embedded objects' sizes
# from the build's three stages of each.
#   size.sh ARCH BIN BUILD_DIR CC OBJ...
set -eu
arch=$1 bin=$2 b=$3 cc=$4
shift 4
case $arch in
x86_64) aim=262144 ;;   # 256 KiB
arm64)  aim=294912 ;;   # 288 KiB
*)      echo "size.sh: $arch: no aim for it" >&2; exit 2 ;;
esac
map=$b/size.map
$cc -static -Wl,--gc-sections -Wl,-Map="$map" "$@" -o "$b/size.unstripped"
rm -f "$b/size.unstripped"

echo "$bin ($arch): $(wc -c <"$bin") bytes, aim $aim ($((aim / 1024)) KiB)"
# Input sections of the memory map (not the discarded ones before it):
# " .text.f  0xADDR  0xSIZE  FILE", the name on a line of its own when
# it is long. musl's are from libc.a and its crt*.o; embedded.o holds the
# BPF objects.
awk '
/^Linker script and memory map/ { on = 1; next }
!on { next }
/^ \.[^ ]+$/ { pend = $1; next }
/^ \.[^ ]+ +0x[0-9a-f]+ +0x[0-9a-f]+ / { add($1, $3, $4); pend = ""; next }
pend != "" && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ / { add(pend, $2, $3) }
{ pend = "" }
# mawk has no strtonum
function num(hex,   i, n) {
	n = 0
	for (i = 3; i <= length(hex); i++)
		n = n * 16 + index("0123456789abcdef", substr(hex, i, 1)) - 1
	return n
}
function add(sec, hex, file,   n, who, kind) {
	n = num(hex)
	if (sec ~ /^\.text/) kind = "text"
	else if (sec ~ /^\.rodata/) kind = "rodata"
	else if (sec ~ /^\.data/) kind = "data"
	else return
	if (file ~ /embedded\.o$/ && file !~ /loader/) who = "objs"
	else if (file ~ /libc\.a|^\/usr\//) who = "musl"
	else who = "ours"
	size[who, kind] += n
}
END {
	printf "  %-22s %8s %8s %8s %8s\n", "code", "text", "rodata", "data", "total"
	split("ours musl", w, " ")
	for (i = 1; i <= 2; i++)
		printf "  %-22s %8d %8d %8d %8d\n", w[i], size[w[i], "text"],
		       size[w[i], "rodata"], size[w[i], "data"],
		       size[w[i], "text"] + size[w[i], "rodata"] + size[w[i], "data"]
	printf "  %-22s %8s %8d %8d %8d\n", "embedded table+objs", "",
	       size["objs", "rodata"], size["objs", "data"],
	       size["objs", "rodata"] + size["objs", "data"]
}' "$map"
printf "  %-22s %8s %8s %8s\n" "embedded object" raw stripped gzip
raw=0 st=0 gz=0
for f in "$b"/embed/*.gz; do
	n=$(basename "$f" .gz)
	r=$(wc -c <"$b/bpf/$n.bpf.o") s=$(wc -c <"$b/embed/$n.bpf.o")
	z=$(wc -c <"$f")
	printf "  %-22s %8d %8d %8d\n" "$n" "$r" "$s" "$z"
	raw=$((raw + r)) st=$((st + s)) gz=$((gz + z))
done
printf "  %-22s %8d %8d %8d\n" "all" "$raw" "$st" "$gz"
total=$(wc -c <"$bin")
if [ "$total" -le "$aim" ]; then
	echo "  within the aim by $((aim - total)) bytes"
else
	echo "  over the aim by $((total - aim)) bytes"
fi
