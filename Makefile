# holdfast — one non-recursive Makefile.
#
#   make            build holdfast into build/default/
#   make run        install build packages if missing, build, run holdfast
#   make check      install test packages if missing, then build under
#                   AddressSanitizer + UndefinedBehaviorSanitizer with -Werror
#                   and run every test: unit, fuzz corpus replay, dnspython
#                   oracle, the web page in headless chromium, and each
#                   libFuzzer target for FUZZ_SECONDS
#   make fuzz       build the libFuzzer targets with clang and run each one
#   make lint       clang-format check, cppcheck
#   make demo       (root) the 2014 outage replayed in the test world: stock
#                   unbound and holdfast side by side, about a minute
#
# Variants live in build/<variant>/: SAN=address,undefined gives build/san,
# FUZZ=1 (with CC=clang) gives build/fuzz. WERROR=1 adds -Werror.

SHELL := /bin/sh
.DEFAULT_GOAL := all

CC ?= cc
SAN ?=
FUZZ ?=
WERROR ?=
FUZZ_SECONDS ?= 30
PYTHON := /usr/bin/python3
# V=1 shows the full commands.
V ?=
Q := $(if $(V),,@)

ifneq ($(FUZZ),)
VARIANT := fuzz
else ifneq ($(SAN),)
VARIANT := san
else
VARIANT := default
endif
B ?= build/$(VARIANT)

CFLAGS_BASE := -std=c11 -O2 -g -D_GNU_SOURCE -Isrc \
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wno-missing-field-initializers
CFLAGS_TEST := -DHF_ASSERT_ABORT
ifneq ($(WERROR),)
CFLAGS_BASE += -Werror
endif
ifneq ($(SAN),)
CFLAGS_BASE += -fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
LDFLAGS_BASE += -fsanitize=$(SAN)
endif
ifneq ($(FUZZ),)
CFLAGS_BASE += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	-DHF_ASSERT_ABORT -O1
LDFLAGS_BASE += -fsanitize=address,undefined
endif
# Libraries from Debian, found with pkg-config (deps/debian.txt installs them).
PKGS := libuv yaml-0.1 libssl libcrypto lmdb libnghttp2 libfstrm libprotobuf-c libmicrohttpd jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -luv -lyaml -lssl -lcrypto -llmdb -lnghttp2 -lfstrm -lprotobuf-c -lmicrohttpd -ljansson) -lpthread
ALL_CFLAGS = $(CFLAGS_BASE) -I$(GEN) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(LDFLAGS_BASE) $(LDFLAGS)

# Code generated at build time lives in the variant's own gen/ (never in src/),
# so each variant builds it with its own flags and `make clean` removes it.
GEN := $(B)/gen
# The dnstap schema, compiled by protoc-c (protobuf-c-compiler).
DNSTAP_GEN := $(GEN)/dnstap/dnstap.pb-c.c $(GEN)/dnstap/dnstap.pb-c.h

# Everything except the daemon's main() and the control tool goes into libholdfast.a.
LIB_SRCS := $(sort $(filter-out src/daemon/% src/ctl/%,$(wildcard src/*/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o) $(GEN)/dnstap/dnstap.pb-c.o
LIB := $(B)/libholdfast.a

DAEMON_SRCS := $(wildcard src/daemon/*.c)
DAEMON := $(B)/holdfast

# holdfastctl talks HTTP over the control socket with libcurl; only it links libcurl.
CTL_SRCS := $(wildcard src/ctl/*.c)
CTL := $(B)/holdfastctl
CTL_LIBS := $(shell pkg-config --libs libcurl jansson 2>/dev/null || echo -lcurl -ljansson)

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(B)/tools/%)

FUZZ_SRCS := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRCS:fuzz/fuzz_%.c=%)
# Under gcc the targets link fuzz/main.c, which replays the corpus.
FUZZ_REPLAY_BINS := $(FUZZ_NAMES:%=$(B)/fuzz/replay_%)
FUZZ_BINS := $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)

.PHONY: all lib run check check-build check-unit check-corpus check-oracle check-replay \
	check-integration check-world check-browser browser-deps demo \
	fuzz fuzz-build \
	fuzz-run lint clean deps-build deps-test readme
all: $(DAEMON) $(CTL)
lib: $(LIB)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# One protoc-c run writes both files; the grouped target (&:) says so to make.
$(DNSTAP_GEN) &: src/dnstap/dnstap.proto
	@mkdir -p $(GEN)/dnstap
	@$(if $(V),,echo "  PROTOC  $<")
	$(Q)protoc-c --c_out=$(GEN)/dnstap --proto_path=src/dnstap $<

$(GEN)/dnstap/dnstap.pb-c.o: $(GEN)/dnstap/dnstap.pb-c.c $(GEN)/dnstap/dnstap.pb-c.h
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# -MMD learns that these include the generated header only once it exists.
$(B)/src/dnstap/dnstap.o $(B)/tests/unit/test_dnstap.o: $(GEN)/dnstap/dnstap.pb-c.h

# .incbin is invisible to -MMD: the page is a dependency by hand.
$(B)/src/control/webpage.o: src/control/web/index.html
$(B)/src/guard/forged.o: data/forged-addresses.txt

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@
	@$(if $(V),,echo "  AR      $@")
	$(Q)ar rcs $@ $^

$(DAEMON): $(DAEMON_SRCS:%.c=$(B)/%.o) $(LIB)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(CTL): $(CTL_SRCS:%.c=$(B)/%.o) $(LIB)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CTL_LIBS) $(PKG_LIBS)

$(B)/tests/%: $(B)/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS)

$(B)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CFLAGS_TEST) $(CMOCKA_CFLAGS) -MMD -MP -c -o $@ $<

# The replay runner counts the validator's signature verifications on their way through.
$(B)/tools/replay: ALL_LDFLAGS += -Wl,--wrap=hf_dnssec_verify

$(B)/tools/%: $(B)/tests/tools/%.o $(LIB)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/fuzz/replay_%: $(B)/fuzz/fuzz_%.o $(B)/fuzz/main.o $(LIB)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/fuzz/fuzz_%: $(B)/fuzz/fuzz_%.o $(LIB)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

# --- the two README commands -------------------------------------------------

deps-build:
	@scripts/install-deps build

deps-test:
	@scripts/install-deps build test

# Privileged port 53 needs root; anyone else gets a high port (and is told so).
run: deps-build
	@$(MAKE) --no-print-directory all
	$(DAEMON) --foreground

check: deps-test
	@$(MAKE) --no-print-directory SAN=address,undefined WERROR=1 check-build
	@$(MAKE) --no-print-directory SAN=address,undefined WERROR=1 check-unit check-corpus \
		check-oracle check-replay check-integration check-browser check-world
	@if [ "$(FUZZ_SECONDS)" -gt 0 ]; then \
		$(MAKE) --no-print-directory CC=clang FUZZ=1 WERROR=1 fuzz-run; fi
	@echo "make check: all tests passed"

check-build: $(DAEMON) $(CTL) $(UNIT_BINS) $(TOOL_BINS) $(FUZZ_REPLAY_BINS)

export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS := detect_leaks=1:abort_on_error=1

check-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

check-corpus: $(FUZZ_REPLAY_BINS)
	@set -e; for n in $(FUZZ_NAMES); do \
		echo "== replay corpus $$n"; $(B)/fuzz/replay_$$n fuzz/corpus/$$n; done

check-oracle: $(TOOL_BINS)
	HF_WIRETOOL=$(abspath $(B)/tools/wiretool) $(PYTHON) -m pytest -q -p no:cacheprovider \
		tests/oracle

# The resolution core against scripted servers and clock (tests/replay/*.rpl).
check-replay: $(TOOL_BINS)
	$(B)/tools/replay $(sort $(wildcard tests/replay/*.rpl))

# The real daemon against a real NSD and scripted misbehaving servers, on loopback.
check-integration: $(DAEMON) $(CTL)
	HOLDFAST=$(abspath $(DAEMON)) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

# The browser test's one npm package (playwright-core, pinned by package-lock.json). It
# drives Debian's chromium (deps/debian.txt); no browser is downloaded.
BROWSER_DIR := tests/browser
browser-deps: $(BROWSER_DIR)/node_modules/.package-lock.json
$(BROWSER_DIR)/node_modules/.package-lock.json: $(BROWSER_DIR)/package-lock.json
	npm ci --prefix $(BROWSER_DIR) --no-audit --no-fund

# The web page's own logic in headless chromium, against made-up API answers
# (tests/browser/fixtures); tests/world/test_web.py runs it against holdfast itself.
check-browser: browser-deps
	$(PYTHON) -m pytest -q -p no:cacheprovider $(BROWSER_DIR)

# The private DNS hierarchy in network namespaces (root needed), holdfast beside unbound.
# test_web.py looks at the web page with headless chromium.
check-world: $(DAEMON) browser-deps
	HOLDFAST=$(abspath $(DAEMON)) $(PYTHON) -m pytest -q -p no:cacheprovider tests/world

# The 2014 outage replayed in the test world, unbound and holdfast side by side (root
# needed: network namespaces). DEMO_SECONDS: how long the injector runs.
DEMO_SECONDS ?= 30
demo:
	@if [ "$$(id -u)" -ne 0 ]; then \
		echo "make demo needs root: it builds a private network out of Linux network"; \
		echo "namespaces. Run it as root, e.g.  sudo make demo"; exit 1; fi
	@scripts/install-deps build test
	@$(MAKE) --no-print-directory all
	$(PYTHON) -m tests.world.demo --holdfast $(abspath $(DAEMON)) --seconds $(DEMO_SECONDS)

# --- fuzzing ---------------------------------------------------------------

fuzz:
	@$(MAKE) --no-print-directory CC=clang FUZZ=1 fuzz-run

fuzz-build: $(FUZZ_BINS)

# Each target runs FUZZ_SECONDS on a scratch copy of its corpus, so the
# checked-in seeds only change when someone adds a finding on purpose.
fuzz-run: $(FUZZ_BINS)
	@set -e; for n in $(FUZZ_NAMES); do \
		echo "== fuzz $$n for $(FUZZ_SECONDS)s"; \
		work=$(B)/fuzz/work/$$n; rm -rf $$work; mkdir -p $$work fuzz/artifacts; \
		$(B)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=fuzz/artifacts/$$n- -print_final_stats=1 \
			$$work fuzz/corpus/$$n > $$work.log 2>&1 || { tail -n 60 $$work.log; exit 1; }; \
		tail -n 12 $$work.log; \
	done

# --- housekeeping ----------------------------------------------------------

# The README's configuration reference is generated from the schema.
readme: $(DAEMON)
	scripts/update-readme-reference $(DAEMON)

lint:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability -Isrc \
		--suppress=missingIncludeSystem src tests fuzz

clean:
	rm -rf build

-include $(shell find $(B) -name '*.d' 2>/dev/null)
