// SPDX-License-Identifier: GPL-2.0
/* Kernel requirements: the errors a kernel without bpf_loop or without BTF gets, which this host cannot show.
 */
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

static int btf_of_kernel(const void *arg)
{
	return kernel_check_btf(arg);
}

static int bpf_loop(const void *arg)
{
	return kernel_check_bpf_loop(*(const int *)arg);
}

static void test_btf(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(captured(btf_of_kernel, "/proc/self/status", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_not_equal(captured(btf_of_kernel, "/nonexistent/vmlinux", err, sizeof(err)), 0);
	assert_string_equal(err, "exectrace: this kernel has no BTF (/nonexistent/vmlinux): it needs "
				 "CONFIG_DEBUG_INFO_BTF=y\n");
}

static void test_bpf_loop(void **state)
{
	static const int present = 1, missing = 0, unknown = -22;
	char err[256];

	(void)state;
	assert_int_equal(captured(bpf_loop, &present, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	/* The probe could not tell (an error of its own): the load will say what is wrong. */
	assert_int_equal(captured(bpf_loop, &unknown, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_not_equal(captured(bpf_loop, &missing, err, sizeof(err)), 0);
	assert_string_equal(err,
			    "exectrace: this kernel lacks the bpf_loop BPF helper (Linux 5.17 or later, or a "
			    "backport, is needed)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_btf),
	    cmocka_unit_test(test_bpf_loop),
	};

	return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
