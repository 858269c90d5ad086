#!/bin/sh
# The pure layers make no syscall: elf/ (ELF and BTF readers) and obj/ (the
# object spec, relocation, CO-RE, disassembly) include nothing of loader/,
# no header whose only use is syscalls, and call no syscall or wrapper.
# That is what lets them be fuzzed and tested without root; the kernel is
# loader/'s, where --explain sees every call.
set -u
cd "$(dirname "$0")/../.." || exit 1

FILES=$(ls elf/*.c elf/*.h obj/*.c obj/*.h 2>/dev/null)
if [ -z "$FILES" ]; then
	echo "FAIL: layers: no elf/ or obj/ sources"
	exit 0
fi
command -v gcc >/dev/null || { echo "skipped: layers: no gcc"; exit 0; }

# Headers: loader/'s, and those that are there for syscalls (not
# <sys/socket.h>: obj/names.c names its constants, SOL_SOCKET and such).
BAD_INC='#[[:space:]]*include[[:space:]]*("loader/|<(unistd|fcntl|poll|sys/(syscall|ioctl|mman|epoll|stat|resource|utsname|wait))\.h>)'
# Calls: the syscall wrappers (libc's and loader/sys.h's) and file I/O.
BAD_CALL='(^|[^A-Za-z0-9_.>])(syscall|sys_[a-z_]+|bpf|bpf_map_[a-z]+|ioctl|mmap|munmap|mprotect|open|openat|close|read|pread|write|pwrite|lseek|socket|setsockopt|bind|perf_event_open|epoll_[a-z]+|poll|uname|getpid|kill|fopen|opendir|sysconf|setrlimit|getrlimit)[[:space:]]*\('

bad=0
for f in $FILES; do
	# Comments go first (gcc without preprocessing): a comment may name
	# a syscall, as obj/names.h does.
	text=$(gcc -fpreprocessed -dD -E -P -x c "$f" 2>/dev/null) || {
		echo "FAIL: layers: $f: cannot strip its comments"
		bad=1
		continue
	}
	hit=$(printf '%s\n' "$text" | grep -E "$BAD_INC" | head -n 3)
	if [ -n "$hit" ]; then
		echo "FAIL: layers: $f includes what makes syscalls: $hit"
		bad=1
	fi
	hit=$(printf '%s\n' "$text" | grep -v '^#' | grep -E "$BAD_CALL" | head -n 3)
	if [ -n "$hit" ]; then
		echo "FAIL: layers: $f makes a syscall: $hit"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "ok: layers: elf/ and obj/ include nothing of loader/ and make no syscall"

# The rooms above the kernel boundary, each using only those below it:
# loader/ prints nothing (it fills error_msg), so it includes nothing of
# the renderers, the tools or the front end; render/ (output, columns)
# knows no tool and no kernel; progs/ (the tool table and the tools'
# frame) knows nothing of the front end (cli/: main, run, inspect,
# doctor, btfgen), which sits on all of them.
# layer_rule DIR FORBIDDEN-DIRS...
layer_rule() {
	dir=$1
	shift
	hits=""
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -e "$f" ] || continue
		case $f in *.bpf.c) continue ;; esac
		for up in "$@"; do
			h=$(grep -nE "#[[:space:]]*include[[:space:]]*\"$up/" "$f" | head -n 1)
			[ -n "$h" ] && hits="$hits $f:$h"
		done
	done
	if [ -n "$hits" ]; then
		echo "FAIL: layers: $dir/ includes from above it:$hits"
	else
		echo "ok: layers: $dir/ includes nothing of $*"
	fi
}
layer_rule loader progs cli render
layer_rule render loader progs cli
layer_rule progs cli
exit 0
