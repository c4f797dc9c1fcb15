// SPDX-License-Identifier: GPL-2.0
/* match.c: answers on bytes, PCRE2's errors, and a bounded cost on subjects built to make backtracking
 * explode. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "match.h"
#include "timefmt.h"

#define KIB 1024

static struct matcher *compiled(const char *pattern)
{
	struct matcher *m;
	char msg[320];

	assert_int_equal(matcher_new(&m, pattern, msg, sizeof(msg)), 0);
	assert_non_null(m);
	return m;
}

static enum match_result match_str(struct matcher *m, const char *s)
{
	return matcher_match(m, s, strlen(s));
}

/* A subject of len bytes: fill repeated, then tail at the end. */
static char *subject(size_t len, char fill, const char *tail)
{
	char *s = malloc(len);

	assert_non_null(s);
	memset(s, fill, len);
	memcpy(s + len - strlen(tail), tail, strlen(tail));
	return s;
}

static void test_match(void **state)
{
	struct matcher *m = compiled("^(ba)?sh$");

	(void)state;
	assert_int_equal(match_str(m, "bash"), MATCH_YES);
	assert_int_equal(match_str(m, "sh"), MATCH_YES);
	assert_int_equal(match_str(m, "zsh"), MATCH_NO);
	assert_int_equal(match_str(m, "bashx"), MATCH_NO);
	assert_int_equal(match_str(m, ""), MATCH_NO);
	matcher_free(m);

	m = compiled("curl|wget");
	assert_int_equal(match_str(m, "/usr/bin/curl -s https://example.com"), MATCH_YES);
	assert_int_equal(match_str(m, "wget"), MATCH_YES);
	assert_int_equal(match_str(m, "cur wge"), MATCH_NO);
	matcher_free(m);

	/* POSIX extended patterns in common use mean the same. */
	m = compiled("^[[:alpha:]]+-[0-9]{2,3}( |$)");
	assert_int_equal(match_str(m, "abc-12 x"), MATCH_YES);
	assert_int_equal(match_str(m, "abc-123"), MATCH_YES);
	assert_int_equal(match_str(m, "abc-1234"), MATCH_NO);
	assert_int_equal(match_str(m, "1bc-12"), MATCH_NO);
	matcher_free(m);
	/* Where POSIX says a{1 is an error, PCRE2 reads a literal. */
	m = compiled("a{1");
	assert_int_equal(match_str(m, "xa{1"), MATCH_YES);
	assert_int_equal(match_str(m, "a"), MATCH_NO);
	matcher_free(m);
	matcher_free(NULL);
}

/* Arguments are bytes: any value, invalid UTF-8 and newlines included, with POSIX's . and $. */
static void test_bytes(void **state)
{
	struct matcher *m = compiled("curl.*evil");

	(void)state;
	assert_int_equal(match_str(m, "curl \xff\xfe evil"), MATCH_YES);
	assert_int_equal(match_str(m, "curl\nevil"), MATCH_YES);
	assert_int_equal(match_str(m, "curl \xc3 evi"), MATCH_NO);
	matcher_free(m);

	m = compiled("^a\\xffb$");
	assert_int_equal(match_str(m, "a\xff"
				      "b"),
			 MATCH_YES);
	assert_int_equal(match_str(m, "a\xff"
				      "b\n"),
			 MATCH_NO);
	matcher_free(m);

	/* The length is the subject's: bytes after a NUL count. */
	m = compiled("x\\x00y");
	assert_int_equal(matcher_match(m, "ax\0yb", 5), MATCH_YES);
	assert_int_equal(matcher_match(m, "ax\0yb", 3), MATCH_NO);
	matcher_free(m);
}

static void assert_invalid(const char *pattern, const char *msg)
{
	char got[320], junk;
	struct matcher *m = (struct matcher *)&junk;

	assert_int_equal(matcher_new(&m, pattern, got, sizeof(got)), -EINVAL);
	assert_null(m);
	assert_string_equal(got, msg);
}

static void test_invalid(void **state)
{
	(void)state;
	/* PCRE2's words, then where. */
	assert_invalid("a)", "unmatched closing parenthesis at offset 1");
	assert_invalid("(?<", "subpattern name expected at offset 3");
	assert_invalid("(", "missing closing parenthesis at offset 1");
	assert_invalid("x[", "missing terminating ] for character class at offset 2");
	/* UTF mode would fail on, or skip, invalid bytes: refused. */
	assert_invalid("(*UTF)x", "using UTF is disabled by the application at offset 6");
}

/* The CPU time one match took, in nanoseconds. */
static long long cpu_ns(struct matcher *m, const char *s, size_t len, enum match_result *res)
{
	long long start = clock_now_ns(CLOCK_THREAD_CPUTIME_ID);

	*res = matcher_match(m, s, len);
	return clock_now_ns(CLOCK_THREAD_CPUTIME_ID) - start;
}

/* Subjects that make backtracking explode (exponentially, or quadratically from each start position, which
 * the match limit does not see) are abandoned after a few milliseconds, not seconds or minutes. */
static void test_abandoned(void **state)
{
	static const struct {
		const char *pattern;
		size_t len;
		char fill;
		const char *tail;
		const char *matching; /* a subject it matches */
	} hostile[] = {
	    {"(a|aa)*c$", 64 * KIB, 'a', "bc", "aac"}, {"(a|aa)*c$", 1024 * KIB, 'a', "bc", "aac"},
	    {"(x+x+)+y", 64 * KIB, 'x', "zy", "xxy"},  {"(x+x+)+y", 1024 * KIB, 'x', "zy", "xxy"},
	    {"x+y", 1024 * KIB, 'x', "zy", "xy"},      {"(?=x)x+y", 64 * KIB, 'x', "zy", "xy"},
	    {"x*x*y", 1024 * KIB, 'x', "zy", "y"},     {"(x+)\\1z", 64 * KIB, 'x', "yz", "xxz"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct matcher *m = compiled(hostile[i].pattern);
		char *s = subject(hostile[i].len, hostile[i].fill, hostile[i].tail);
		enum match_result res;
		long long ns = cpu_ns(m, s, hostile[i].len, &res);

		if (res != MATCH_ABANDONED || ns > 50000000)
			fail_msg("%s on %zu KiB: result %d after %lld us", hostile[i].pattern,
				 hostile[i].len / KIB, res, ns / 1000);
		/* The next match has a budget of its own. */
		assert_int_equal(match_str(m, hostile[i].matching), MATCH_YES);
		free(s);
		matcher_free(m);
	}
}

/* Ordinary patterns on 64 KiB of ordinary arguments get their answer, well within the limits. */
static void test_ordinary_64k(void **state)
{
	static const struct {
		const char *pattern;
		enum match_result want;
	} cases[] = {
	    {"curl|wget", MATCH_NO},
	    {"(^| )-o( |$)", MATCH_YES},
	    {"file_0999[0-9]\\.c", MATCH_NO},
	    {".*secret.*", MATCH_NO},
	    {"^.*\\.o$", MATCH_YES},
	    {"^(\\S+ )*-DNDEBUG( |$)", MATCH_YES},
	    {"^(\\S+ )*-DNOPE( |$)", MATCH_NO},
	    {"(\\S+ )+-c", MATCH_YES},
	    {"^([^ ]+ )*[^ ]+$", MATCH_YES},
	    {"(.*) -o (.*)$", MATCH_YES},
	    {"\\b(\\w+)\\s+\\1\\b", MATCH_NO},
	};
	static char line[64 * KIB];
	size_t len = 0;
	int n;

	(void)state;
	/* A long compiler command line, cut to 64 KiB at the end of an argument. */
	n = snprintf(line, sizeof(line), "/usr/bin/gcc -O2 -g -Wall -Iinclude -DNDEBUG");
	for (int i = 1; n > 0 && len + (size_t)n < sizeof(line) - 1; i++) {
		len += (size_t)n;
		n = snprintf(line + len, sizeof(line) - len,
			     " -c src/m_%03d/file_%05d.c -o build/file_%05d.o", i / 10, i, i);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct matcher *m = compiled(cases[i].pattern);
		enum match_result res;
		long long ns = cpu_ns(m, line, len, &res);

		if (res != cases[i].want)
			fail_msg("%s on %zu bytes: result %d after %lld us", cases[i].pattern, len, res,
				 ns / 1000);
		matcher_free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match),	 cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_invalid),	 cmocka_unit_test(test_abandoned),
	    cmocka_unit_test(test_ordinary_64k),
	};

	return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
