# rawtrace: one static, stripped musl binary with its BPF objects inside.
#
#   make          build ./rawtrace
#   make ARCH=arm64  build ./rawtrace-arm64 (in build/arm64/, beside the host's)
#   make check    build and run every test (unit, kernel, VM matrix)
#   make dist     dist/rawtrace-VERSION-{x86_64,arm64} and dist/SHA256SUMS
#   make deps     install the Debian packages the build and the tests need
#   make fuzz     run the ELF/BTF and the object fuzzers (FUZZ_SECONDS each,
#                 default 300)
#   make size     where the binary's bytes go, against the aim
#   make bench    benchmarks (figures, not tests): natively against bpftrace,
#                 in the VM against Debian's libbpf-tools
#   make install  rawtrace, its man page and its JSON schema under
#                 $(DESTDIR)$(PREFIX)

# What `rawtrace --version` says (and what `make dist` names its files
# after): the nearest tag (git describe), or 0.1 before the first tag; and
# the commit it was built from, "-dirty" if the tree had changes.
VERSION    ?= $(or $(shell git describe --tags --dirty 2>/dev/null),0.1)
GIT_COMMIT ?= $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) || \
		c=unknown; git diff --quiet HEAD -- 2>/dev/null || \
		[ $$c = unknown ] || c=$$c-dirty; echo $$c)
# Asked once, not at every use.
VERSION    := $(VERSION)
GIT_COMMIT := $(GIT_COMMIT)

# The target architecture, by its one name: x86_64 or arm64. The host's
# build is ./rawtrace from build/; another's is ./rawtrace-ARCH from
# build/ARCH/, so neither build ever reads or overwrites the other's files.
HOST_ARCH := $(shell uname -m | sed 's/^aarch64$$/arm64/')
ARCH     ?= $(HOST_ARCH)
ifeq ($(ARCH),x86_64)
TRIPLE   := x86_64-linux
BPF_ARCH := x86
else ifeq ($(ARCH),arm64)
TRIPLE   := aarch64-linux
BPF_ARCH := arm64
else
$(error ARCH=$(ARCH): rawtrace builds for x86_64 or arm64)
endif
bin_of    = $(if $(filter $(1),$(HOST_ARCH)),rawtrace,rawtrace-$(1))
BIN      := $(call bin_of,$(ARCH))
B        := build$(if $(filter $(ARCH),$(HOST_ARCH)),,/$(ARCH))

# Debian's musl-dev (of the target's dpkg architecture) ships a gcc wrapper
# per triple; the uapi headers come from that architecture's linux-libc-dev.
CC       := $(TRIPLE)-musl-gcc
HOSTCC   := gcc
CLANG    := clang

# musl must see the kernel's uapi headers but nothing else of glibc's:
# an include dir that holds only linux/, asm/ and asm-generic/.
UAPI     := $(B)/uapi
WARN     := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CFLAGS   := -std=gnu11 -O2 $(WARN) -I. -isystem $(UAPI) -D_GNU_SOURCE
# -z norelro: only a dynamic linker acts on PT_GNU_RELRO (musl's static
# start-up does not; a write to .data.rel.ro of a static musl binary goes
# through), so it protects nothing here, while the linker pads the file to
# end it on a page: up to 64 KiB on arm64 (max-page-size 64 KiB, kept for
# kernels with 64 KiB pages), 60 KB of rawtrace-arm64.
LDFLAGS  := -static -s -Wl,--gc-sections -Wl,-z,norelro
BPFFLAGS := -target bpf -O2 -g -Wall -I. -isystem $(UAPI) -D__TARGET_ARCH_$(BPF_ARCH)

LIB_SRC  := $(wildcard elf/*.c obj/*.c loader/*.c)
TOOL_SRC := $(filter-out %.bpf.c,$(wildcard progs/*.c)) $(wildcard cli/*.c \
		render/*.c)
BPF_SRC  := $(wildcard progs/*.bpf.c)
BPF_OBJ  := $(patsubst progs/%.bpf.c,$(B)/bpf/%.bpf.o,$(BPF_SRC))
TBPF_SRC := $(wildcard tests/bpf/*.bpf.c)
TBPF_OBJ := $(patsubst tests/bpf/%.bpf.c,$(B)/bpf/tests/%.bpf.o,$(TBPF_SRC))
HEADERS  := $(wildcard elf/*.h obj/*.h loader/*.h include/*.h progs/*.h \
		cli/*.h render/*.h)

MUSL_OBJ := $(patsubst %.c,$(B)/musl/%.o,$(LIB_SRC) $(TOOL_SRC))
# The tests link the library, the output layer (test_output checks its
# escaping and the column renderers; --explain prints through it), the
# Prometheus text format (test_prom), the histogram drawing (test_hist)
# and the backend ladder (test_ladder).
HOST_LIB := $(patsubst %.c,$(B)/host/%.o,$(LIB_SRC) render/output.c \
		render/prom.c render/hist.c render/btf_value.c render/columns.c \
		progs/ladder.c progs/container.c)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRC))

all: $(BIN)

$(UAPI)/.stamp:
	mkdir -p $(UAPI)
	ln -sfn /usr/include/linux $(UAPI)/linux
	ln -sfn /usr/include/asm-generic $(UAPI)/asm-generic
	ln -sfn /usr/include/$(TRIPLE)-gnu/asm $(UAPI)/asm
	touch $@

# rawtrace is built for size: -Os, and no unwind tables (nothing in it
# unwinds; .eh_frame was 33 KB). The per-event path, the ring readers and
# the formatter (HOT_SRC), costs no more instructions per event at -Os
# than at -O2 (README, "Size"); HOT_OPT=-O2 builds it for speed, to
# measure that again.
SIZE_OPT := -Os -fno-asynchronous-unwind-tables -fno-unwind-tables
HOT_SRC  := loader/ringbuf.c loader/perf.c loader/rings.c render/output.c \
		render/columns.c
HOT_OPT  ?= -Os
$(patsubst %.c,$(B)/musl/%.o,$(HOT_SRC)): SIZE_OPT := $(HOT_OPT) \
		-fno-asynchronous-unwind-tables -fno-unwind-tables

$(B)/musl/%.o: %.c $(HEADERS) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SIZE_OPT) -ffunction-sections -fdata-sections -c $< -o $@

$(B)/host/%.o: %.c $(HEADERS) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) -g -c $< -o $@

$(B)/bpf/%.bpf.o: progs/%.bpf.c $(wildcard include/*.h) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(CLANG) $(BPFFLAGS) -c $< -o $@

$(B)/bpf/tests/%.bpf.o: tests/bpf/%.bpf.c $(wildcard include/*.h) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(CLANG) $(BPFFLAGS) -c $< -o $@

# clang before 15 cannot write a CO-RE type_matches record (kind 12):
# core_match.bpf.c writes type_exists records (kind 8) of the same shape
# there, and set-core-kind makes them kind 12 (tests/bpf/set_core_kind.c).
$(B)/tests/set-core-kind: tests/bpf/set_core_kind.c $(filter $(B)/host/elf/%,$(HOST_LIB))
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) $^ -o $@

# clang cannot name a member's type without naming the member:
# bad_anon.bpf.c's anon_ members are made anonymous after it
# (tests/bpf/set_anon.c).
$(B)/tests/set-anon: tests/bpf/set_anon.c $(filter $(B)/host/elf/%,$(HOST_LIB))
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) $^ -o $@

$(B)/bpf/tests/bad_anon.bpf.o: tests/bpf/bad_anon.bpf.c $(B)/tests/set-anon $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(CLANG) $(BPFFLAGS) -c $< -o $@.tmp
	$(B)/tests/set-anon $@.tmp
	mv $@.tmp $@

$(B)/bpf/tests/core_match.bpf.o: tests/bpf/core_match.bpf.c $(B)/tests/set-core-kind $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(CLANG) $(BPFFLAGS) -c $< -o $@.tmp
	$(B)/tests/set-core-kind 8 12 $@.tmp
	mv $@.tmp $@

# Only main.c uses the version; it is rebuilt when VERSION or GIT_COMMIT
# change ($(B)/version is rewritten only then).
%/cli/main.o: private CFLAGS += -DRAWTRACE_VERSION='"$(VERSION)"' \
	-DRAWTRACE_COMMIT='"$(GIT_COMMIT)"'
$(filter %/main.o,$(MUSL_OBJ)): $(B)/version
$(B)/version: FORCE
	@mkdir -p $(B)
	@echo '$(VERSION) $(GIT_COMMIT)' | cmp -s - $@ || \
		echo '$(VERSION) $(GIT_COMMIT)' > $@

# The BPF objects go into the binary as read-only data with a table
# (name, start, end) that loader/embedded.h declares: each without its
# DWARF (llvm-strip -g keeps BTF, .BTF.ext, symbols and relocations;
# nothing reads DWARF) and gzip'd by zopfli, whose DEFLATE is some 10%
# smaller than gzip -9's and which loader/gunzip.c reads as any other.
# 343 KB of objects become 46 KB.
EMBED_OBJ := $(patsubst progs/%.bpf.c,$(B)/embed/%.bpf.o,$(BPF_SRC))
EMBED_GZ  := $(patsubst progs/%.bpf.c,$(B)/embed/%.gz,$(BPF_SRC))
$(B)/embed/%.bpf.o: $(B)/bpf/%.bpf.o
	@mkdir -p $(dir $@)
	llvm-strip -g $< -o $@

$(B)/embed/%.gz: $(B)/embed/%.bpf.o
	zopfli -c $< > $@.tmp
	mv $@.tmp $@

$(B)/embedded.S: $(EMBED_GZ) tests/embed.sh $(B)/objects-checked
	sh tests/embed.sh $(EMBED_GZ) > $@

$(B)/musl/embedded.o: $(B)/embedded.S
	$(CC) -c $< -o $@

$(BIN): $(MUSL_OBJ) $(B)/musl/embedded.o
	$(CC) $(LDFLAGS) $^ -o $@

# rawtrace opens its own objects without obj_open's record checks
# (OBJ_TRUSTED): they are run here instead, on the very bytes it embeds
# (gunzip's CRC-32 proves at run time that it inflated those bytes), and
# a failure stops the build (tests/check_objects.c).
$(B)/tests/check-objects: tests/check_objects.c $(filter $(B)/host/elf/% $(B)/host/obj/%,$(HOST_LIB))
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) $^ -o $@

$(B)/objects-checked: $(B)/tests/check-objects $(EMBED_OBJ)
	$(B)/tests/check-objects $(EMBED_OBJ)
	@touch $@

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
workloads: $(WORKLOADS)

# The libbpf differential check (tests/diff/check.sh). rt-diff is rawtrace
# itself with obj_load (and main) wrapped to dump what it loaded (static musl, like
# the workloads, so that it runs in the VM); lb-diff loads the same with
# libbpf (static glibc: the VM has no libc). Test-only: rawtrace links
# neither the wrapper nor libbpf.
DIFF_BIN := $(B)/tests/rt-diff $(B)/tests/lb-diff $(B)/tests/lb-verdict \
	$(B)/tests/extract-bpf-elf
$(B)/musl/tests/diff/rt_side.o $(B)/musl/tests/diff/xlated.o: tests/diff/xlated.h

$(B)/tests/rt-diff: $(MUSL_OBJ) $(B)/musl/embedded.o \
		$(B)/musl/tests/diff/rt_side.o $(B)/musl/tests/diff/xlated.o
	@mkdir -p $(dir $@)
	$(CC) -static -Wl,--wrap=obj_load,--wrap=obj_load_each,--wrap=main $^ -o $@

$(B)/tests/lb-diff: tests/diff/lb_side.c tests/diff/xlated.c tests/diff/xlated.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) -static tests/diff/lb_side.c tests/diff/xlated.c \
		-o $@ -lbpf -lelf -lz -lzstd

# The reference for `rawtrace run` (tests/diff/verdicts.sh): what libbpf
# loads and attaches of an object, program by program.
$(B)/tests/lb-verdict: tests/diff/lb_verdict.c tests/diff/xlated.c tests/diff/xlated.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) -static tests/diff/lb_verdict.c tests/diff/xlated.c \
		-o $@ -lbpf -lelf -lz -lzstd

# The libbpf-tools corpus (tests/diff/extract-libbpf-tools.sh): cuts the
# BPF objects out of Debian's binaries.
$(B)/tests/extract-bpf-elf: tests/diff/extract_bpf_elf.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) $< -o $@

# Defined before the rule that names them: make expands a rule's
# prerequisites where it reads the rule.
FUZZERS := $(B)/fuzz/fuzz_elf $(B)/fuzz/fuzz_obj
BENCH_BIN := $(B)/bench/floor.bpf.o $(B)/bench/floorload
# test_attach again, static, for the VM (tests/sh/test_vm_attach.sh): the
# guest has no libc.
VM_TEST_BIN := $(B)/tests/test_attach-static
$(B)/tests/test_attach-static: tests/test_attach.c tests/testutil.h $(HOST_LIB) $(B)/host/embedded.o $(HEADERS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(CFLAGS) -static $< $(HOST_LIB) $(B)/host/embedded.o -o $@ $$(pkg-config --libs --static check)
tests: $(TEST_BIN) $(TBPF_OBJ) $(WORKLOADS) rawtrace $(FUZZERS) $(DIFF_BIN) $(BENCH_BIN) $(VM_TEST_BIN)

# The VM matrix boots kernels of both architectures: the other one's binary
# and workloads come from a make of its own (its compiler, its headers).
OTHER_ARCHES := $(filter-out $(HOST_ARCH),x86_64 arm64)
cross:
	for a in $(OTHER_ARCHES); do $(MAKE) ARCH=$$a all workloads || exit 1; done

# The VM kernel (and its BTF, which the CO-RE tests compare against) is
# fetched first; without root or network the tests that need it skip.
check: tests cross
	-sh tests/vm/kernel.sh >/dev/null 2>&1
	sh tests/run.sh $(TEST_BIN)

deps:
	sh tests/deps.sh

FUZZ_SECONDS ?= 300
# Two fuzzers, each run FUZZ_SECONDS: fuzz_elf over the pure readers
# (elf/), fuzz_obj over the whole pure path of an object (open with its
# checks, relocation, CO-RE against tests/fixtures/min_core.btf,
# disassembly): obj/, which makes no syscall.
FUZZ_SRC := $(wildcard elf/*.c)
OBJ_FUZZ_SRC := $(FUZZ_SRC) $(wildcard obj/*.c)
FUZZ_CFLAGS := $(CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all
$(B)/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c $(FUZZ_SRC) $(HEADERS) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_elf.c $(FUZZ_SRC) -o $@

$(B)/fuzz/fuzz_obj: tests/fuzz/fuzz_obj.c $(OBJ_FUZZ_SRC) $(HEADERS) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_obj.c $(OBJ_FUZZ_SRC) -o $@

fuzz: $(FUZZERS) $(TBPF_OBJ) $(BPF_OBJ)
	sh tests/fuzz/run.sh $(B)/fuzz/fuzz_elf $(FUZZ_SECONDS)
	sh tests/fuzz/run.sh $(B)/fuzz/fuzz_obj $(FUZZ_SECONDS)

# make bench's own programs: the floor (BPF programs that do nothing, on
# the hooks rawtrace bind uses) and floorload, which loads and attaches
# them with rawtrace's library objects (static musl, like the workloads,
# so that it runs in the VM). Neither is part of rawtrace; make check only
# checks that they work (tests/sh/test_bench.sh), not how fast anything is.
$(B)/bench/floor.bpf.o: tests/bench/floor.bpf.c $(wildcard include/*.h) $(UAPI)/.stamp
	@mkdir -p $(dir $@)
	$(CLANG) $(BPFFLAGS) -c $< -o $@

$(B)/bench/floorload: $(B)/musl/tests/bench/floorload.o \
		$(patsubst %.c,$(B)/musl/%.o,$(LIB_SRC) render/output.c) \
		$(B)/musl/embedded.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@

# Where the binary's bytes go (ours, musl's, the embedded objects raw,
# stripped and gzip'd) against the aim: 256 KiB x86_64, 288 KiB arm64.
size: $(BIN) $(MUSL_OBJ) $(B)/musl/embedded.o
	sh tests/size.sh $(ARCH) $(BIN) $(B) $(CC) $(MUSL_OBJ) $(B)/musl/embedded.o

bench: rawtrace $(BENCH_BIN) $(B)/workload/bindstorm $(B)/workload/firstevent \
		$(B)/workload/rusage
	sh tests/bench/run.sh

# sbin, beside the man page's section 8: rawtrace is an administrator's
# tool (all but inspect need root or CAP_BPF), as bpftool(8) is. The JSON
# schema of -j's lines is data that programs reading them use, not
# documentation: share/rawtrace (the FHS's place for a package's
# architecture-independent data), not share/doc, which packagers and
# minimal images may leave out.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
PKGDATADIR ?= $(PREFIX)/share/rawtrace
install: rawtrace doc/rawtrace.8 doc/events.schema.json
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(PKGDATADIR)
	install -m 755 rawtrace $(DESTDIR)$(SBINDIR)/rawtrace
	install -m 644 doc/rawtrace.8 $(DESTDIR)$(MANDIR)/man8/rawtrace.8
	install -m 644 doc/events.schema.json \
		$(DESTDIR)$(PKGDATADIR)/events.schema.json

# One static binary per architecture, named by version, with their sums.
DIST ?= dist
dist:
	for a in x86_64 arm64; do \
		$(MAKE) ARCH=$$a VERSION='$(VERSION)' GIT_COMMIT='$(GIT_COMMIT)' all || exit 1; \
	done
	rm -rf $(DIST) && mkdir -p $(DIST)
	cp $(call bin_of,x86_64) $(DIST)/rawtrace-$(VERSION)-x86_64
	cp $(call bin_of,arm64) $(DIST)/rawtrace-$(VERSION)-arm64
	cd $(DIST) && sha256sum rawtrace-$(VERSION)-* >SHA256SUMS

# The host's clean takes every architecture's build with it.
clean:
	rm -rf $(B) $(BIN) $(if $(filter $(ARCH),$(HOST_ARCH)),$(foreach a,$(OTHER_ARCHES),$(call bin_of,$(a))) $(DIST))

.PHONY: all check tests deps fuzz bench size clean cross workloads dist install FORCE
.SECONDARY:
