# make bench: exectrace side by side with libbpf-tools execsnoop and bpftrace under an exec storm
# (bench/run.py; BENCHMARKS.md). make bench-deps installs the two other tracers. Included by the Makefile,
# whose OUT, CC, CFLAGS and BPFTOOL it uses. Options for the runner go in BENCH_ARGS, e.g.
# make bench BENCH_ARGS="--rounds 1 --duration 1". BENCH_BASELINE=PATH runs another exectrace binary beside
# this build's in the same rounds (--baseline), for a before and after measured together.
BENCH_DIR := $(OUT)/bench
BENCH_PACKAGES := libbpf-tools bpftrace
BENCH_ARGS ?=
BENCH_BASELINE ?=
.PHONY: bench bench-deps

bench-deps:
	$(call apt-install,$(BENCH_PACKAGES),bench)

$(BENCH_DIR):
	mkdir -p $@

$(BENCH_DIR)/storm: bench/storm.c | $(BENCH_DIR)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) $< -o $@

# The storm's target: static, so that its exec costs the exec alone.
$(BENCH_DIR)/xtb_true: bench/true.c | $(BENCH_DIR)
	$(CC) -static -O2 -Wall -Wextra -Werror $< -o $@

bench: $(OUT)/exectrace $(BENCH_DIR)/storm $(BENCH_DIR)/xtb_true
	bench/run.py --exectrace $(OUT)/exectrace --storm $(BENCH_DIR)/storm --target $(BENCH_DIR)/xtb_true \
		--bpftool $(BPFTOOL) --out $(BENCH_DIR) $(if $(BENCH_BASELINE),--baseline $(BENCH_BASELINE)) $(BENCH_ARGS)
