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
exit 0
