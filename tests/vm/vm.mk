# make vm-test: the statically linked exectrace on Debian's current 6.1 and 6.12 kernels, booted under qemu
# (tests/vm/run.sh; docs/kernels.md). Included by the Makefile, whose OUT, CC and CFLAGS it uses.
VM_DIR := $(OUT)/vm
VM_SERIES ?= 6.1 6.12
VM_PACKAGES := qemu-system-x86 busybox-static
.PHONY: vm-deps vm-test

# After deps: two apt-get runs at once (make -j) would fight over dpkg's lock.
vm-deps: deps
	@missing=""; for p in $(VM_PACKAGES); do \
		[ "$$(dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null)" = installed ] || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "missing for vm-test; install with: apt-get install --no-install-recommends$$missing" >&2; exit 1; fi

$(VM_DIR):
	mkdir -p $@

# The guest has no C library: a static copy of the e2e helper (its dependency files are not needed).
$(VM_DIR)/spawn: tests/e2e/spawn.c | $(VM_DIR)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -static -pthread $< -o $@

vm-test: vm-deps $(OUT)/exectrace $(VM_DIR)/spawn
	VM_SERIES="$(VM_SERIES)" prove -v -e '' tests/vm/run.sh
