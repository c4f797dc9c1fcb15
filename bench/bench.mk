# make bench: exectrace side by side with libbpf-tools execsnoop and bpftrace under an exec storm
# (bench/run.py; BENCHMARKS.md). make bench-deps installs the two other tracers. Included by the Makefile,
# whose OUT, CC, CFLAGS and BPFTOOL it uses. Options for the runner go in BENCH_ARGS, e.g.
# make bench BENCH_ARGS="--rounds 1 --duration 1".
BENCH_DIR := $(OUT)/bench
BENCH_PACKAGES := libbpf-tools bpftrace
BENCH_ARGS ?=
.PHONY: bench bench-deps

bench-deps:
	@missing=""; for p in $(BENCH_PACKAGES); do \
		[ "$$(dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null)" = installed ] || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "missing for bench; install with: apt-get install --no-install-recommends$$missing" >&2; exit 1; fi

$(BENCH_DIR):
	mkdir -p $@

$(BENCH_DIR)/storm: bench/storm.c | $(BENCH_DIR)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) $< -o $@

# The storm's target: static, so that its exec costs the exec alone.
$(BENCH_DIR)/xtb_true: bench/true.c | $(BENCH_DIR)
	$(CC) -static -O2 -Wall -Wextra -Werror $< -o $@

bench: $(OUT)/exectrace $(BENCH_DIR)/storm $(BENCH_DIR)/xtb_true
	bench/run.py --exectrace $(OUT)/exectrace --storm $(BENCH_DIR)/storm --target $(BENCH_DIR)/xtb_true \
		--bpftool $(BPFTOOL) --out $(BENCH_DIR) $(BENCH_ARGS)
