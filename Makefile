# slowburn - one GNU Makefile for the library, the tools, the tests and
# the man pages.  `make V=1` shows full commands; `make check` runs every
# test twice, once plain and once under AddressSanitizer and UBSan.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
# systemd units, sysusers.d and tmpfiles.d files go where systemd looks
# for a local install; logrotate reads only /etc/logrotate.d.
SYSTEMDDIR   ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR  ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR  ?= $(PREFIX)/lib/tmpfiles.d
LOGROTATEDIR ?= /etc/logrotate.d
DESTDIR	?=

CC	?= cc
CFLAGS	?= -O2 -g
WARN	 = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wno-unused-parameter
# Every tool links the same libraries; the linker keeps only those a tool
# uses (Debian links --as-needed), and libcommon.a is an archive, so a
# tool pulls in only the storage or HTTP code it calls.
PKGS	 = jansson sqlite3 hiredis libpq libmicrohttpd libcurl zlib
# Read when make reads this file: on a bare machine that is before
# scripts/deps installed anything, so demo, check and bench run deps first
# and build in a sub-make that reads it again.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null || \
		echo -I/usr/include/postgresql)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || \
		echo -ljansson -lsqlite3 -lhiredis -lpq -lmicrohttpd -lcurl -lz)
ALL_CPPFLAGS = -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Ilib $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = $(WARN) $(CFLAGS) $(SAN_FLAGS)
ALL_LDFLAGS  = $(LDFLAGS) $(SAN_FLAGS)
LDLIBS_COMMON = $(PKG_LIBS) -lcrypt -lpthread -lm

# Objects live out of tree so that the plain and the sanitizer builds
# never mix: build/ and build/asan/.
B	?= build
SAN	?=
ifneq ($(SAN),)
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all
endif
# make fuzz: objects instrumented for libFuzzer's coverage (clang only).
ifneq ($(FUZZ),)
SAN_FLAGS += -fsanitize=fuzzer-no-link
endif

ifeq ($(V),1)
Q =
else
Q = @
endif

LIB_SRC	 = $(wildcard lib/*.c)
LIB_OBJ	 = $(LIB_SRC:%.c=$(B)/%.o)
LIB	 = $(B)/libcommon.a
TOOLS	 = $(notdir $(wildcard tools/*))
BINS	 = $(TOOLS:%=$(B)/bin/%)
UNIT_SRC = $(wildcard tests/unit/*.c)
UNITS	 = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
# Clients the scenario tests drive (tests/clients/*.c); not tests themselves.
CLIENT_SRC = $(wildcard tests/clients/*.c)
CLIENTS	 = $(CLIENT_SRC:tests/clients/%.c=$(B)/tests/clients/%)
MANS	 = $(wildcard man/*.[1-8])
# scripts/pipeline and scripts/backtest, as installed: slowburn-NAME.
SCRIPTS	 = pipeline backtest
SCRIPT_BINS = $(SCRIPTS:%=$(B)/bin/slowburn-%)
SD_UNITS = examples/ingestd.service examples/slowburn-pipeline.service

.PHONY: all check test test-asan lint bench nab demo install uninstall clean deps \
	fuzz fuzzers
.PHONY: soak
all: $(BINS) $(UNITS) $(SCRIPT_BINS)
all: $(CLIENTS)

# The shortest stem wins: this rule, not the tools', makes slowburn-*.
$(B)/bin/slowburn-%: scripts/%
	@mkdir -p $(@D)
	$(Q)cp $< $@ && chmod 755 $@

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $(LIB_OBJ)

# Every .c in tools/NAME/ belongs to the program NAME.
tool_objs = $(patsubst %.c,$(B)/%.o,$(wildcard tools/$(1)/*.c))
# Objects are not intermediate files to delete.
.SECONDARY:
.SECONDEXPANSION:
$(B)/bin/%: $$(call tool_objs,$$*) $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS_COMMON)

$(B)/tests/%: $(B)/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS_COMMON)

# tests/unit/tool_NAME_*.c: a unit test of the engine of tools/NAME, linked
# with the tool's objects but NAME.o (its main), as an archive, so that
# only what the test reaches is linked.
$(B)/tools/%/engine.a: $$(filter-out $(B)/tools/$$*/$$*.o,$$(call tool_objs,$$*))
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^
$(B)/tests/tool_%: $(B)/tests/unit/tool_%.o \
    $(B)/tools/$$(firstword $$(subst _, ,$$*))/engine.a $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS_COMMON)

$(B)/tests/clients/%: $(B)/tests/clients/%.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $<

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# scripts/deps installs what is missing, and only then does anything.
deps:
	@scripts/deps --check >/dev/null 2>&1 || scripts/deps

PROVE	?= prove
PROVE_FLAGS ?= -j2

test: all
	@SB_BIN=$(CURDIR)/$(B)/bin SB_UNIT=$(CURDIR)/$(B)/tests SB_TOP=$(CURDIR) \
	    $(PROVE) $(PROVE_FLAGS) $(UNITS) $(sort $(wildcard tests/t[0-9]*.sh))

test-asan:
	@$(MAKE) --no-print-directory B=build/asan SAN=1 CFLAGS="-O1 -g" test

check: deps
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(MAKE) --no-print-directory test-asan

lint:
	@for m in $(MANS); do \
	    out=$$(mandoc -Tlint -Wwarning $$m 2>&1) || { echo "$$out"; exit 1; }; \
	    [ -z "$$out" ] || { echo "$$out"; exit 1; }; \
	done; echo "lint: $(words $(MANS)) man pages clean"

# Each benchmark prints its figures beside a baseline of the same run.
BENCHES = $(wildcard scripts/bench scripts/bench-*)
bench:
	@scripts/deps --check --bench >/dev/null 2>&1 || scripts/deps --bench
	@$(MAKE) --no-print-directory all
	@for b in $(BENCHES); do SB_BIN=$(CURDIR)/$(B)/bin $$b || exit 1; done

# libFuzzer harnesses, one per parser of untrusted bytes (tests/fuzz/*.c),
# built by clang with ASan and UBSan in build/fuzz; scripts/fuzz replays
# each one's regression inputs, then fuzzes it FUZZ_SECONDS from a corpus
# seeded by the test fixtures.  Harnesses reach a tool's parser by linking
# its object (FUZZ_TOOL_OBJS).
FUZZ_SECONDS ?= 60
FB	 = build/fuzz
FUZZ_SRC = $(wildcard tests/fuzz/*.c)
FUZZERS	 = $(FUZZ_SRC:tests/fuzz/%.c=$(FB)/fuzz-%)
FUZZ_TOOL_OBJS = $(FB)/tools/ingestd/body.o $(FB)/tools/explain/templates.o
fuzz:
	@scripts/deps --check --fuzz >/dev/null 2>&1 || scripts/deps --fuzz
	@$(MAKE) --no-print-directory fuzzers
	@scripts/fuzz $(FUZZ_SECONDS) $(FUZZERS)

fuzzers:
	@$(MAKE) --no-print-directory B=$(FB) CC=clang SAN=1 FUZZ=1 \
	    CFLAGS="-O1 -g" $(FB)/libcommon.a $(FUZZ_TOOL_OBJS)
	@$(MAKE) --no-print-directory B=$(FB) CC=clang SAN=1 FUZZ=1 \
	    CFLAGS="-O1 -g" $(FUZZERS)

$(FB)/fuzz-%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FB)/libcommon.a $(FUZZ_TOOL_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_TOOL_OBJS) $(LIB) $(LDLIBS_COMMON)

# detect over the NAB corpus in ../shared/data/nab (labelled windows hit,
# alarms outside them).
NAB	?= $(CURDIR)/../shared/data/nab
nab: all
	@SB_BIN=$(CURDIR)/$(B)/bin scripts/nab $(NAB)

# make soak: the whole flow fed over HTTP for SOAK_DAYS simulated days at
# full speed, then SOAK_MINUTES at a steady rate, RSS and open files of
# every stage sampled each minute (scripts/soak).  Not in check, not in CI.
soak: all
	@SB_BIN=$(CURDIR)/$(B)/bin SOAK_DAYS=$(SOAK_DAYS) \
	    SOAK_MINUTES=$(SOAK_MINUTES) scripts/soak

demo: deps
	@$(MAKE) --no-print-directory all
	@SB_BIN=$(CURDIR)/$(B)/bin scripts/demo

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BINS) $(SCRIPT_BINS) $(DESTDIR)$(BINDIR)
	install -d $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(LOGROTATEDIR)
	for u in $(SD_UNITS); do \
	    sed 's|/usr/local/bin/|$(BINDIR)/|g' $$u >$(DESTDIR)$(SYSTEMDDIR)/$${u#examples/} && \
	    chmod 644 $(DESTDIR)$(SYSTEMDDIR)/$${u#examples/} || exit 1; \
	done
	install -m 644 examples/slowburn.sysusers $(DESTDIR)$(SYSUSERSDIR)/slowburn.conf
	install -m 644 examples/slowburn.tmpfiles $(DESTDIR)$(TMPFILESDIR)/slowburn.conf
	install -m 644 examples/slowburn.logrotate $(DESTDIR)$(LOGROTATEDIR)/slowburn
	for s in 1 5 7 8; do \
	    pages=$$(ls man/*.$$s 2>/dev/null); [ -n "$$pages" ] || continue; \
	    install -d $(DESTDIR)$(MANDIR)/man$$s; \
	    install -m 644 $$pages $(DESTDIR)$(MANDIR)/man$$s; \
	done

uninstall:
	for t in $(TOOLS) $(SCRIPTS:%=slowburn-%); do rm -f $(DESTDIR)$(BINDIR)/$$t; done
	for u in $(SD_UNITS); do rm -f $(DESTDIR)$(SYSTEMDDIR)/$${u#examples/}; done
	rm -f $(DESTDIR)$(SYSUSERSDIR)/slowburn.conf $(DESTDIR)$(TMPFILESDIR)/slowburn.conf \
	    $(DESTDIR)$(LOGROTATEDIR)/slowburn
	for m in $(MANS); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m#man/}; done

clean:
	rm -rf build
