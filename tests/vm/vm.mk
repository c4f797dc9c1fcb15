# make vm-test: the statically linked exectrace on Debian's current 6.1 and 6.12 kernels, booted under qemu
# (tests/vm/run.sh; docs/kernels.md). Included by the Makefile, whose OUT, CC and CFLAGS it uses.
VM_DIR := $(OUT)/vm
VM_SERIES ?= 6.1 6.12
VM_PACKAGES := qemu-system-x86 busybox-static
.PHONY: vm-deps vm-test

# After deps: two apt-get runs at once (make -j) would fight over dpkg's lock.
vm-deps: deps
	$(call apt-install,$(VM_PACKAGES),vm-test)

$(VM_DIR):
	mkdir -p $@

# The guest has no C library: a static copy of the e2e helper (its dependency files are not needed).
$(VM_DIR)/spawn: tests/e2e/spawn.c | $(VM_DIR)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -static -pthread $< -o $@

vm-test: vm-deps $(OUT)/exectrace $(VM_DIR)/spawn
	VM_SERIES="$(VM_SERIES)" prove -v -e '' tests/vm/run.sh
