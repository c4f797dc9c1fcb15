# exectrace: `make run` installs what is missing, builds and traces; `make test` runs the whole suite.
OUT := build
VERSION := 0.1.0
# The commit built from, "unknown" outside git; given from outside where the build runs on a copy (make deb).
COMMIT ?= $(or $(shell git describe --always --dirty 2>/dev/null),unknown)
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wmissing-field-initializers -MMD -MP -I$(OUT) -Isrc
# Static, so the binary can be copied to another host; LDLIBS_DYNAMIC is the fallback.
LDFLAGS_STATIC := -static
LDLIBS := -lbpf -lelf -lz -lpcre2-8
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

APP_SRCS := src/main.c src/run_trace.c src/run_count.c src/options.c src/tracer.c src/transport.c src/count_maps.c \
	src/event.c src/escape.c src/output_text.c src/output_json.c src/timefmt.c src/users.c src/cgroups.c src/count.c \
	src/output_count.c src/kernel.c src/match.c src/caps.c src/container.c src/version.c src/proctable.c src/sink.c \
	src/sink_text.c src/sink_json.c src/output_file.c src/signals.c src/exec_times.c src/strbuf.c src/http.c \
	src/metrics.c src/procstat.c src/exporter.c src/command.c src/history.c \
	src/sink_pictures.c src/tree.c src/html.c src/perfetto.c src/protobuf.c src/errnos.c src/json_read.c src/record_read.c src/report.c src/report_options.c \
	src/tree_text.c src/tree_summary.c src/tree_shape.c
# The timeline page's template, generated from src/timeline/timeline.html.
APP_OBJS := $(APP_SRCS:src/%.c=$(OUT)/%.o) $(OUT)/timeline_page.o
UNIT_TESTS := test_escape test_event test_options test_count test_kernel test_match test_container test_caps test_proctable test_sink \
	test_exec_times test_http test_metrics test_history test_html test_perfetto test_tree test_json_read
UNIT_BINS := $(UNIT_TESTS:%=$(OUT)/tests/%)

# Debian packages the build and the tests need.
DEPS := clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libcmocka-dev perl python3 clang-format clang-tidy \
	cppcheck unicode-data libpcre2-dev scdoc mandoc prometheus protobuf-compiler

# $(call apt-install,PACKAGES,WHAT): installs those of the Debian PACKAGES that are missing (as root, with
# apt-get), or says how to, and fails.
define apt-install
	@missing=""; for p in $(1); do \
		[ "$$(dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null)" = installed ] || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing:$$missing"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "missing for $(2); install them with: apt-get install --no-install-recommends$$missing" >&2; \
		exit 1; fi
endef

.PHONY: all deps run test unit e2e metrics-test perfetto-test clean format lint

all: $(OUT)/exectrace doc

# After `all`, so that it stays the default goal.
include tests/vm/vm.mk
include bench/bench.mk
include packaging/packaging.mk
include tests/html/html.mk

deps:
	$(call apt-install,$(DEPS),the build)

run: deps $(OUT)/exectrace
	$(OUT)/exectrace $(ARGS)

$(OUT) $(OUT)/tests:
	mkdir -p $@

$(OUT)/vmlinux.h: | $(OUT)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(OUT)/exectrace.bpf.o: src/bpf/exectrace.bpf.c $(OUT)/vmlinux.h | $(OUT)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -MMD -MP -I$(OUT) -Isrc \
		-c $< -o $@
	llvm-strip -g $@

$(OUT)/exectrace.skel.h: $(OUT)/exectrace.bpf.o
	$(BPFTOOL) gen skeleton $< name exectrace_bpf > $@.tmp && mv $@.tmp $@

$(OUT)/tracer.o: $(OUT)/exectrace.skel.h

# What escape.c escapes as invisible, from the Unicode data of the unicode-data package.
UNICODE_DATA := /usr/share/unicode/DerivedCoreProperties.txt /usr/share/unicode/PropList.txt

$(UNICODE_DATA):
	@echo "exectrace: $@ is missing: install unicode-data (make deps)" >&2; exit 1

$(OUT)/invisible.h: src/gen_invisible.py $(UNICODE_DATA) | $(OUT)
	python3 src/gen_invisible.py $(UNICODE_DATA) > $@.tmp && mv $@.tmp $@

$(OUT)/escape.o $(OUT)/tests/escape.o: $(OUT)/invisible.h

# The timeline page's template in the binary, which is installed alone: split at its data marker.
$(OUT)/timeline_page.c: src/gen_timeline.py src/timeline/timeline.html | $(OUT)
	python3 src/gen_timeline.py src/timeline/timeline.html > $@.tmp && mv $@.tmp $@
$(OUT)/timeline_page.o: $(OUT)/timeline_page.c
	$(CC) $(CFLAGS) -c $< -o $@
$(OUT)/tests/timeline_page.o: $(OUT)/timeline_page.c | $(OUT)/tests
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@

# Rewritten only when the version or the commit changed, so that an unchanged tree stays up to date.
$(shell mkdir -p $(OUT) && printf '#define EXECTRACE_VERSION "%s"\n#define EXECTRACE_COMMIT "%s"\n' \
	'$(VERSION)' '$(COMMIT)' > $(OUT)/build_version.h.tmp && \
	{ cmp -s $(OUT)/build_version.h.tmp $(OUT)/build_version.h || mv $(OUT)/build_version.h.tmp \
	$(OUT)/build_version.h; } && rm -f $(OUT)/build_version.h.tmp)
$(OUT)/version.o: $(OUT)/build_version.h

$(OUT)/%.o: src/%.c | $(OUT)
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/exectrace: $(APP_OBJS)
	$(CC) $(LDFLAGS) $(LDFLAGS_STATIC) $^ $(LDLIBS) -o $@

# Unit tests: the modules under test are rebuilt with the sanitizers.
$(OUT)/tests/%.o: src/%.c | $(OUT)/tests
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@
$(OUT)/tests/test_%.o: tests/unit/test_%.c | $(OUT)/tests
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@
$(OUT)/tests/test_escape: $(OUT)/tests/test_escape.o $(OUT)/tests/escape.o
$(OUT)/tests/test_event: $(OUT)/tests/test_event.o $(OUT)/tests/event.o $(OUT)/tests/escape.o \
	$(OUT)/tests/output_text.o $(OUT)/tests/output_json.o $(OUT)/tests/timefmt.o $(OUT)/tests/caps.o \
	$(OUT)/tests/signals.o $(OUT)/tests/errnos.o
$(OUT)/tests/test_options: $(OUT)/tests/test_options.o $(OUT)/tests/options.o $(OUT)/tests/users.o \
	$(OUT)/tests/match.o $(OUT)/tests/timefmt.o
$(OUT)/tests/test_match: $(OUT)/tests/test_match.o $(OUT)/tests/match.o $(OUT)/tests/timefmt.o
$(OUT)/tests/test_options $(OUT)/tests/test_match: TEST_LDLIBS := -lpcre2-8
$(OUT)/tests/test_count: $(OUT)/tests/test_count.o $(OUT)/tests/count.o
$(OUT)/tests/test_kernel: $(OUT)/tests/test_kernel.o $(OUT)/tests/kernel.o
$(OUT)/tests/test_container: $(OUT)/tests/test_container.o $(OUT)/tests/container.o
$(OUT)/tests/test_caps: $(OUT)/tests/test_caps.o $(OUT)/tests/caps.o
$(OUT)/tests/test_proctable: $(OUT)/tests/test_proctable.o $(OUT)/tests/proctable.o
$(OUT)/tests/test_sink: $(OUT)/tests/test_sink.o $(OUT)/tests/sink.o $(OUT)/tests/sink_text.o \
	$(OUT)/tests/sink_json.o $(OUT)/tests/output_text.o $(OUT)/tests/output_json.o $(OUT)/tests/escape.o \
	$(OUT)/tests/timefmt.o $(OUT)/tests/caps.o $(OUT)/tests/signals.o $(OUT)/tests/sink_pictures.o \
	$(OUT)/tests/history.o $(OUT)/tests/tree.o $(OUT)/tests/html.o $(OUT)/tests/perfetto.o \
	$(OUT)/tests/errnos.o $(OUT)/tests/timeline_page.o $(OUT)/tests/protobuf.o $(OUT)/tests/tree_text.o \
	$(OUT)/tests/tree_summary.o $(OUT)/tests/tree_shape.o
$(OUT)/tests/test_exec_times: $(OUT)/tests/test_exec_times.o $(OUT)/tests/exec_times.o
$(OUT)/tests/test_history: $(OUT)/tests/test_history.o $(OUT)/tests/history.o
$(OUT)/tests/test_http: $(OUT)/tests/test_http.o $(OUT)/tests/http.o $(OUT)/tests/strbuf.o
$(OUT)/tests/test_json_read: $(OUT)/tests/test_json_read.o $(OUT)/tests/json_read.o $(OUT)/tests/record_read.o \
	$(OUT)/tests/escape.o $(OUT)/tests/signals.o
$(OUT)/tests/test_metrics: $(OUT)/tests/test_metrics.o $(OUT)/tests/metrics.o $(OUT)/tests/count.o $(OUT)/tests/strbuf.o
$(OUT)/tests/test_html: $(OUT)/tests/test_html.o $(OUT)/tests/json_tree.o $(OUT)/tests/html.o \
	$(OUT)/tests/timeline_page.o $(OUT)/tests/escape.o $(OUT)/tests/errnos.o $(OUT)/tests/signals.o \
	$(OUT)/tests/timefmt.o
$(OUT)/tests/json_tree.o: tests/unit/json_tree.c | $(OUT)/tests
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@
$(OUT)/tests/test_perfetto: $(OUT)/tests/test_perfetto.o $(OUT)/tests/perfetto.o $(OUT)/tests/protobuf.o \
	$(OUT)/tests/escape.o $(OUT)/tests/signals.o $(OUT)/tests/errnos.o
$(OUT)/tests/test_tree: $(OUT)/tests/test_tree.o $(OUT)/tests/tree.o $(OUT)/tests/tree_text.o \
	$(OUT)/tests/tree_summary.o $(OUT)/tests/tree_shape.o $(OUT)/tests/escape.o $(OUT)/tests/signals.o \
	$(OUT)/tests/errnos.o
$(UNIT_BINS):
	$(CC) $(SANITIZE) $^ -lcmocka $(TEST_LDLIBS) -o $@

# The Perfetto trace of a known history, for tests/perfetto/test_perfetto.py to decode; under the sanitizers.
$(OUT)/tests/mktrace: $(OUT)/tests/mktrace.o $(OUT)/tests/perfetto.o $(OUT)/tests/protobuf.o $(OUT)/tests/escape.o \
	$(OUT)/tests/signals.o $(OUT)/tests/errnos.o
	$(CC) $(SANITIZE) $^ -o $@
$(OUT)/tests/mktrace.o: tests/perfetto/mktrace.c | $(OUT)/tests
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@

$(OUT)/tests/spawn: tests/e2e/spawn.c | $(OUT)/tests
	$(CC) $(CFLAGS) -pthread $< -o $@

# TAP from every test program, summed up by one prove: unit tests, end-to-end tests on this kernel, the
# --perfetto trace (tests/perfetto), the same binary on other kernels under qemu (tests/vm), the packaging
# (tests/pkg) and the timeline page in a browser (tests/html).
test: deps vm-deps lint $(OUT)/exectrace doc $(UNIT_BINS) $(OUT)/tests/spawn $(VM_DIR)/spawn $(HTML_BINS) \
	$(OUT)/tests/mktrace
	@# After vm-deps, not beside it (make -j): two apt-get runs would fight over dpkg's lock.
	$(MAKE) --no-print-directory pkg-deps
	$(MAKE) --no-print-directory html-deps
	CMOCKA_MESSAGE_OUTPUT=TAP VM_SERIES="$(VM_SERIES)" prove -v -e '' $(UNIT_BINS) tests/e2e/test_e2e.py \
		tests/metrics/test_metrics.py tests/perfetto/test_perfetto.py tests/vm/run.sh $(PKG_TESTS) $(HTML_TESTS)

unit: deps $(UNIT_BINS)
	CMOCKA_MESSAGE_OUTPUT=TAP prove -v -e '' $(UNIT_BINS)

e2e: deps $(OUT)/exectrace $(OUT)/tests/spawn $(VM_DIR)/spawn
	prove -v -e '' tests/e2e/test_e2e.py

# The Prometheus endpoint against a real Prometheus (about 40 s).
metrics-test: deps $(OUT)/exectrace
	prove -v -e '' tests/metrics/test_metrics.py

# The --perfetto trace of a known tree, decoded by protoc and checked track by track (about a second).
perfetto-test: deps $(OUT)/tests/mktrace $(OUT)/exectrace
	prove -v -e '' tests/perfetto/test_perfetto.py

FORMATTED := src/*.c src/*.h src/bpf/*.c tests/unit/*.c tests/unit/*.h tests/e2e/*.c tests/html/*.c \
	tests/perfetto/*.c bench/*.c
TIDY_FLAGS := -- -std=gnu11 -D_GNU_SOURCE -Isrc -isystem $(OUT)

format:
	clang-format -i $(FORMATTED)

# Style and static analysis; part of `make test` so that main stays clean.
lint: $(OUT)/exectrace.skel.h $(OUT)/invisible.h
	clang-format --dry-run -Werror $(FORMATTED)
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance --inline-suppr \
		--suppress=missingIncludeSystem -I$(OUT) -Isrc src/*.c tests/unit/*.c tests/e2e/*.c tests/html/*.c \
		tests/perfetto/*.c bench/*.c
	clang-tidy --quiet $(filter-out src/tracer.c,$(wildcard src/*.c)) tests/e2e/spawn.c tests/html/*.c \
		tests/perfetto/mktrace.c bench/*.c $(TIDY_FLAGS)
	@# The analyzer cannot see that the generated skeleton's error path frees what it allocated.
	clang-tidy --quiet --checks=-clang-analyzer-unix.Malloc src/tracer.c $(TIDY_FLAGS)

clean:
	rm -rf $(OUT)

-include $(wildcard $(OUT)/*.d $(OUT)/tests/*.d)
