// SPDX-License-Identifier: GPL-2.0
/* Kernel requirements: the errors a too-old kernel or one without BTF gets, which this host cannot show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "kernel.h"

/* Runs fn with stderr in a temporary file and returns what it printed. */
static int captured(int (*fn)(const void *), const void *arg, char *out, size_t size)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), ret;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	ret = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, size - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return ret;
}

static int release(const void *arg)
{
	return kernel_check_release(arg);
}

static int btf_of_kernel(const void *arg)
{
	return kernel_check_btf(NULL, arg);
}

static int btf_file(const void *arg)
{
	return kernel_check_btf(arg, "/nonexistent");
}

static void test_release(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(captured(release, "5.17.0", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(captured(release, "6.1.0-28-amd64", err, sizeof(err)), 0);
	assert_int_equal(captured(release, "10.0", err, sizeof(err)), 0);
	assert_int_equal(captured(release, "weird", err, sizeof(err)), 0);
	assert_int_not_equal(captured(release, "5.16.20", err, sizeof(err)), 0);
	assert_string_equal(err, "exectrace: kernel 5.16.20 is too old: exectrace needs 5.17 or later\n");
	assert_int_not_equal(captured(release, "4.19.0-26-amd64", err, sizeof(err)), 0);
	assert_string_equal(err,
			    "exectrace: kernel 4.19.0-26-amd64 is too old: exectrace needs 5.17 or later\n");
}

static void test_btf(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(captured(btf_of_kernel, "/proc/self/status", err, sizeof(err)), 0);
	assert_int_not_equal(captured(btf_of_kernel, "/nonexistent/vmlinux", err, sizeof(err)), 0);
	assert_string_equal(err, "exectrace: this kernel has no BTF (/nonexistent/vmlinux): it needs "
				 "CONFIG_DEBUG_INFO_BTF=y, or give a BTF file with --btf\n");
	assert_int_equal(captured(btf_file, "/proc/self/status", err, sizeof(err)), 0);
	assert_int_not_equal(captured(btf_file, "/nonexistent.btf", err, sizeof(err)), 0);
	assert_string_equal(
	    err, "exectrace: cannot read BTF file '/nonexistent.btf': No such file or directory\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_release),
	    cmocka_unit_test(test_btf),
	};

	return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
