// SPDX-License-Identifier: GPL-2.0
/* Capability names: each at the number <linux/capability.h> gives it, and an honest name for the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/capability.h>
#include "caps.h"

static void test_known(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(cap_name(0, buf, sizeof(buf)), "CAP_CHOWN");
	assert_string_equal(cap_name(CAP_SYS_ADMIN, buf, sizeof(buf)), "CAP_SYS_ADMIN");
	assert_string_equal(cap_name(21, buf, sizeof(buf)), "CAP_SYS_ADMIN");
	assert_string_equal(cap_name(CAP_SYS_RESOURCE, buf, sizeof(buf)), "CAP_SYS_RESOURCE");
	assert_string_equal(cap_name(CAP_BPF, buf, sizeof(buf)), "CAP_BPF");
	assert_string_equal(cap_name(40, buf, sizeof(buf)), "CAP_CHECKPOINT_RESTORE");
}

/* Every capability the build's header knows has its name, spelled "CAP_" and upper case. */
static void test_all_named(void **state)
{
	char buf[16];

	(void)state;
	for (unsigned int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		const char *name = cap_name(cap, buf, sizeof(buf));

		assert_ptr_not_equal(name, buf);
		assert_memory_equal(name, "CAP_", 4);
		assert_true(strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(name));
	}
}

/* A capability newer than this build: its number, not a wrong name. */
static void test_unknown(void **state)
{
	char buf[16], want[16];

	(void)state;
	snprintf(want, sizeof(want), "CAP_%d", CAP_LAST_CAP + 1);
	assert_string_equal(cap_name(CAP_LAST_CAP + 1, buf, sizeof(buf)), want);
	assert_string_equal(cap_name(63, buf, sizeof(buf)), "CAP_63");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known),
	    cmocka_unit_test(test_all_named),
	    cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
