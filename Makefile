# The two commands: `make run` and `make test`. Everything else is a helper for them.
SWIFT ?= swift
RELEASE_BIN = .build/release/exposure
## What `make run` runs: every bundled sample, judged at a fixed moment so the report never changes
## with the calendar (a test runs the same arguments and compares the README's summary).
RUN_ARGS = scan --now 2026-11-21T00:00:00Z Topologies Captures Zones
PREFIX ?= /usr/local
## The binary `make install` installs (a test installs the debug build with BIN=...).
BIN ?= $(RELEASE_BIN)

.PHONY: run test test-asan test-tsan build release deps test-deps lint format docs-checks bench install fuzz

## Build in release mode and scan the bundled samples.
run: deps release
	@# Exit status 1 only means findings at or above --fail-on were reported: that is the point here.
	$(RELEASE_BIN) $(RUN_ARGS) || [ $$? -eq 1 ]

## Install test needs and run every test.
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

## The tests again, under AddressSanitizer, in their own build folder. Leak reports are off: on Linux,
## Foundation's file reading (readBytesFromFile, Data appends) shows as leaked at exit.
test-asan: test-deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan

## The tests again, under ThreadSanitizer, in their own build folder (the concurrent zone reading
## and verification, the probe timers). Reports that are Foundation's or libdispatch's own, not
## Exposure's, are suppressed in scripts/tsan-suppressions.txt, one commented entry each (none so far).
## Wall-clock bounds in the tests are ten times looser (EXPOSURE_TEST_TIME_SCALE): TSan is that slow.
test-tsan: test-deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	EXPOSURE_TEST_TIME_SCALE=10 \
	TSAN_OPTIONS="suppressions=$(CURDIR)/scripts/tsan-suppressions.txt second_deadlock_stack=1" \
		$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan

deps:
	@bash scripts/install-deps.sh runtime

test-deps:
	@bash scripts/install-deps.sh test

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product exposure

## Install the binary, the man page and shell completions under $(DESTDIR)$(PREFIX).
install:
	@if [ "$(BIN)" = "$(RELEASE_BIN)" ]; then $(MAKE) --no-print-directory release; fi
	bash scripts/install.sh "$(BIN)" "$(DESTDIR)$(PREFIX)"

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Benchmarks Fuzz

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Benchmarks Fuzz

## Rewrite the check catalogue in docs/checks.md from the code.
docs-checks: build
	bash scripts/update-docs-checks.sh

## Benchmarks: `make bench MODULE=topology|capture|dns-zone|dns-probe`.
bench: deps
	$(SWIFT) run -c release exposure-bench $(MODULE)

## Fuzzing: every libFuzzer target for FUZZ_SECONDS each (default 60), AddressSanitizer on.
FUZZ_SECONDS ?= 60
fuzz: deps
	bash scripts/fuzz.sh $(FUZZ_SECONDS)
