# rawtrace: one static, stripped musl binary with its BPF objects inside.
#
#   make          build ./rawtrace
#   make check    build and run every test (unit, kernel, VM)
#   make deps     install the Debian packages the build and the tests need
#   make fuzz     run the ELF/BTF fuzzer (FUZZ_SECONDS, default 300)
#   make bench    benchmarks against Debian's libbpf-tools

CC       := musl-gcc
HOSTCC   := gcc
CLANG    := clang
B        := build
ARCH_TRIPLE := $(shell gcc -print-multiarch)

# musl must see the kernel's uapi headers but nothing else of glibc's:
# an include dir that holds only linux/, asm/ and asm-generic/.
UAPI     := $(B)/uapi
WARN     := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CFLAGS   := -std=gnu11 -O2 $(WARN) -I. -isystem $(UAPI) -D_GNU_SOURCE
LDFLAGS  := -static -s -Wl,--gc-sections
BPFFLAGS := -target bpf -O2 -g -Wall -I. -isystem $(UAPI) -D__TARGET_ARCH_x86

LIB_SRC  := $(wildcard elf/*.c loader/*.c)
TOOL_SRC := $(filter-out %.bpf.c,$(wildcard progs/*.c))
BPF_SRC  := $(wildcard progs/*.bpf.c)
BPF_OBJ  := $(patsubst progs/%.bpf.c,$(B)/bpf/%.bpf.o,$(BPF_SRC))
TBPF_SRC := $(wildcard tests/bpf/*.bpf.c)
TBPF_OBJ := $(patsubst tests/bpf/%.bpf.c,$(B)/bpf/tests/%.bpf.o,$(TBPF_SRC))
HEADERS  := $(wildcard elf/*.h loader/*.h include/*.h progs/*.h)

MUSL_OBJ := $(patsubst %.c,$(B)/musl/%.o,$(LIB_SRC) $(TOOL_SRC))
HOST_LIB := $(patsubst %.c,$(B)/host/%.o,$(LIB_SRC))
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRC))

all: rawtrace

$(UAPI)/.stamp:
	mkdir -p $(UAPI)
	ln -sfn /usr/include/linux $(UAPI)/linux
	ln -sfn /usr/include/asm-generic $(UAPI)/asm-generic
	ln -sfn /usr/include/$(ARCH_TRIPLE)/asm $(UAPI)/asm
	touch $@

$(B)/musl/%.o: %.c $(HEADERS) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -ffunction-sections -fdata-sections -c $< -o $@

$(B)/host/%.o: %.c $(HEADERS) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) -g -c $< -o $@

$(B)/bpf/%.bpf.o: progs/%.bpf.c $(wildcard include/*.h) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(CLANG) $(BPFFLAGS) -c $< -o $@

$(B)/bpf/tests/%.bpf.o: tests/bpf/%.bpf.c $(wildcard include/*.h) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(CLANG) $(BPFFLAGS) -c $< -o $@

# The BPF objects go into the binary as read-only data with a table
# (name, start, end) that loader/embedded.h declares.
$(B)/embedded.S: $(BPF_OBJ) tests/embed.sh
	sh tests/embed.sh $(BPF_OBJ) > $@

$(B)/musl/embedded.o: $(B)/embedded.S
	$(CC) -c $< -o $@

rawtrace: $(MUSL_OBJ) $(B)/musl/embedded.o
	$(CC) $(LDFLAGS) $^ -o $@

# Tests: each tests/test_*.c is its own Check program, linked with glibc
# against the same library sources (and the embedded objects).
$(B)/host/embedded.o: $(B)/embedded.S
	$(HOSTCC) -c $< -o $@

$(B)/tests/%: tests/%.c tests/testutil.h $(HOST_LIB) $(B)/host/embedded.o $(HEADERS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) -g $< $(HOST_LIB) $(B)/host/embedded.o -o $@ $$(pkg-config --libs check)

# Workloads for the end-to-end tests: static, so they run in the VM too.
WORKLOADS := $(patsubst tests/workload/%.c,$(B)/workload/%,$(wildcard tests/workload/*.c))
$(B)/workload/%: tests/workload/%.c $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -isystem $(UAPI) -static $< -o $@

# The libbpf differential check (tests/diff/check.sh). rt-diff is rawtrace
# itself with obj_load (and main) wrapped to dump what it loaded (static musl, like
# the workloads, so that it runs in the VM); lb-diff loads the same with
# libbpf (static glibc: the VM has no libc). Test-only: rawtrace links
# neither the wrapper nor libbpf.
DIFF_BIN := $(B)/tests/rt-diff $(B)/tests/lb-diff
$(B)/musl/tests/diff/rt_side.o $(B)/musl/tests/diff/xlated.o: tests/diff/xlated.h

$(B)/tests/rt-diff: $(MUSL_OBJ) $(B)/musl/embedded.o \
		$(B)/musl/tests/diff/rt_side.o $(B)/musl/tests/diff/xlated.o
	@mkdir -p $(dir $@)
	$(CC) -static -Wl,--wrap=obj_load,--wrap=main $^ -o $@

$(B)/tests/lb-diff: tests/diff/lb_side.c tests/diff/xlated.c tests/diff/xlated.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) -static tests/diff/lb_side.c tests/diff/xlated.c \
		-o $@ -lbpf -lelf -lz -lzstd

tests: $(TEST_BIN) $(TBPF_OBJ) $(WORKLOADS) rawtrace $(DIFF_BIN)

# The VM kernel (and its BTF, which the CO-RE tests compare against) is
# fetched first; without root or network the tests that need it skip.
check: tests
	-sh tests/vm/kernel.sh >/dev/null 2>&1
	sh tests/run.sh $(TEST_BIN)

deps:
	sh tests/deps.sh

FUZZ_SECONDS ?= 300
# The fuzzer covers the pure readers: everything in elf/.
FUZZ_SRC := $(wildcard elf/*.c)
$(B)/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c $(FUZZ_SRC) $(HEADERS) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	clang $(CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all tests/fuzz/fuzz_elf.c $(FUZZ_SRC) -o $@

fuzz: $(B)/fuzz/fuzz_elf $(TBPF_OBJ) $(BPF_OBJ)
	sh tests/fuzz/run.sh $(B)/fuzz/fuzz_elf $(FUZZ_SECONDS)

bench: rawtrace
	sh tests/bench/run.sh

clean:
	rm -rf $(B) rawtrace

.PHONY: all check tests deps fuzz bench clean
.SECONDARY:
