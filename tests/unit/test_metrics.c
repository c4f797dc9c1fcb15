// SPDX-License-Identifier: GPL-2.0
/* The metrics table and its exposition: exact sums across drains, the series budget, escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "metrics.h"
#include "options.h"

static void name_fn(void *ctx, unsigned int label, const struct et_count_key *key, struct strbuf *out)
{
	(void)ctx;
	if (label == METRICS_L_COMM)
		strbuf_add(out, key->comm, strnlen(key->comm, sizeof(key->comm)));
	else if (label == METRICS_L_EXE)
		strbuf_printf(out, "/bin/%llu", key->exe.ino);
	else if (label == METRICS_L_CGROUP)
		strbuf_printf(out, "/cg%llu", key->cgroup);
	else if (label == METRICS_L_CONTAINER)
		strbuf_printf(out, "ct%llu", key->cgroup);
	else
		strbuf_printf(out, "%u", key->uid);
}

static struct et_count_key key(const char *comm, unsigned int uid, unsigned int failed)
{
	struct et_count_key k;

	memset(&k, 0, sizeof(k));
	memcpy(k.comm, comm, strnlen(comm, sizeof(k.comm) - 1));
	k.uid = uid;
	k.pid = 1234; /* never a label: ignored */
	k.failed = failed;
	return k;
}

static char *render(const struct metrics *m, bool om)
{
	struct strbuf out = {0};
	struct metrics_self self = {.version = "1.2.3"};
	size_t len;
	char *s;

	metrics_render(m, &self, om, &out);
	strbuf_add(&out, "", 1);
	assert_false(out.oom);
	s = strbuf_take(&out, &len);
	return s;
}

static void test_sums(void **state)
{
	struct metrics m;
	char *s;

	(void)state;
	metrics_init(&m, METRICS_L_COMM, 10, name_fn, NULL);
	for (int drain = 0; drain < 3; drain++) {
		struct et_count_key a = key("sh", (unsigned int)drain, 0), f = key("sh", 0, 1);

		metrics_add(&m, &a, 5);
		metrics_add(&m, &f, 1);
	}
	s = render(&m, false);
	assert_non_null(strstr(s, "exectrace_execs_total{comm=\"sh\",result=\"ok\"} 15\n"));
	assert_non_null(strstr(s, "exectrace_execs_total{comm=\"sh\",result=\"failed\"} 3\n"));
	assert_non_null(strstr(s, "# TYPE exectrace_execs_total counter\n"));
	assert_non_null(strstr(s, "exectrace_build_info{version=\"1.2.3\"} 1\n"));
	assert_null(strstr(s, "# EOF"));
	assert_null(strstr(s, "\"_other\""));
	free(s);
	s = render(&m, true);
	assert_non_null(strstr(s, "# TYPE exectrace_execs counter\n"));
	assert_non_null(strstr(s, "exectrace_execs_total{comm=\"sh\",result=\"ok\"} 15\n"));
	assert_int_equal(strcmp(s + strlen(s) - 6, "# EOF\n"), 0);
	free(s);
	metrics_free(&m);
}

static void test_budget(void **state)
{
	struct metrics m;
	unsigned long long total = 0;
	char *s;

	(void)state;
	metrics_init(&m, METRICS_L_COMM | METRICS_L_USER, 100, name_fn, NULL);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 5000; i++) {
			char comm[16];
			struct et_count_key k;

			snprintf(comm, sizeof(comm), "c%d", i);
			k = key(comm, 7, 0);
			metrics_add(&m, &k, 1);
			total++;
		}
	assert_int_equal(m.execs.n, 100);
	/* The first 100 names keep their series, every later exec of them included. */
	unsigned long long in_series = 0;

	for (size_t i = 0; i < m.execs.n; i++) {
		assert_int_equal(m.execs.series[i].count, 2);
		in_series += m.execs.series[i].count;
	}
	assert_int_equal(in_series + m.execs.other[0], total);
	assert_int_equal(m.execs.folded, m.execs.other[0]);
	s = render(&m, false);
	assert_non_null(
	    strstr(s, "exectrace_execs_total{comm=\"_other\",user=\"_other\",result=\"ok\"} 9800\n"));
	assert_non_null(strstr(s, "exectrace_execs_total{comm=\"c0\",user=\"7\",result=\"ok\"} 2\n"));
	assert_non_null(strstr(s, "exectrace_series_folded_total 9800\n"));
	free(s);
	metrics_free(&m);
}

static void test_exits(void **state)
{
	struct metrics m;
	char *s;

	(void)state;
	metrics_init(&m, METRICS_L_COMM | METRICS_L_EXE, 64, name_fn, NULL);
	s = render(&m, false);
	assert_null(strstr(s, "exectrace_exits_total"));
	free(s);
	metrics_exit(&m, "sleep", 0, 0, METRICS_EXIT0, 0.0005);
	metrics_exit(&m, "sleep", 0, 0, METRICS_EXIT0, 1.5);
	metrics_exit(&m, "sleep", 0, 0, METRICS_SIGNAL, -1);
	metrics_exit(&m, "false", 0, 0, METRICS_EXIT_NONZERO, 100000);
	metrics_exit(&m, "other", 0, 0, METRICS_EXIT0, 1); /* past the histograms' budget of 64 / 32 */
	s = render(&m, false);
	assert_non_null(strstr(s, "exectrace_exits_total{comm=\"sleep\",reason=\"exit0\"} 2\n"));
	assert_non_null(strstr(s, "exectrace_exits_total{comm=\"sleep\",reason=\"signal\"} 1\n"));
	assert_non_null(strstr(s, "exectrace_exits_total{comm=\"false\",reason=\"exit_nonzero\"} 1\n"));
	assert_non_null(strstr(s, "# TYPE exectrace_process_duration_seconds histogram\n"));
	assert_non_null(
	    strstr(s, "exectrace_process_duration_seconds_bucket{comm=\"sleep\",le=\"0.0009765625\"} 1\n"));
	assert_non_null(strstr(s, "exectrace_process_duration_seconds_bucket{comm=\"sleep\",le=\"1\"} 1\n"));
	assert_non_null(strstr(s, "exectrace_process_duration_seconds_bucket{comm=\"sleep\",le=\"2\"} 2\n"));
	assert_non_null(
	    strstr(s, "exectrace_process_duration_seconds_bucket{comm=\"sleep\",le=\"+Inf\"} 2\n"));
	assert_non_null(strstr(s, "exectrace_process_duration_seconds_count{comm=\"sleep\"} 2\n"));
	assert_non_null(strstr(s, "exectrace_process_duration_seconds_sum{comm=\"sleep\"} 1.5005\n"));
	assert_non_null(
	    strstr(s, "exectrace_process_duration_seconds_bucket{comm=\"false\",le=\"32768\"} 0\n"));
	assert_non_null(
	    strstr(s, "exectrace_process_duration_seconds_bucket{comm=\"false\",le=\"+Inf\"} 1\n"));
	assert_non_null(strstr(s, "exectrace_process_duration_seconds_count{comm=\"_other\"} 1\n"));
	assert_non_null(strstr(s, "exectrace_series_folded_total 1\n"));
	free(s);
	metrics_free(&m);
}

/* Exits have every label of --metrics-labels but exe, which they cannot name. */
static void test_exit_labels(void **state)
{
	struct metrics m;
	char *s;

	(void)state;
	metrics_init(&m,
		     METRICS_L_COMM | METRICS_L_USER | METRICS_L_EXE | METRICS_L_CGROUP | METRICS_L_CONTAINER,
		     64, name_fn, NULL);
	metrics_exit(&m, "sh", 7, 41, METRICS_EXIT0, 0.5);
	metrics_exit(&m, "sh", 7, 41, METRICS_EXIT0, 0.5);
	metrics_exit(&m, "sh", 7, 42, METRICS_EXIT0, 0.5);
	s = render(&m, false);
	assert_non_null(
	    strstr(s, "exectrace_exits_total{comm=\"sh\",user=\"7\",cgroup=\"/cg41\",container=\"ct41\","
		      "reason=\"exit0\"} 2\n"));
	assert_non_null(
	    strstr(s, "exectrace_exits_total{comm=\"sh\",user=\"7\",cgroup=\"/cg42\",container=\"ct42\","
		      "reason=\"exit0\"} 1\n"));
	assert_non_null(
	    strstr(s, "exectrace_process_duration_seconds_count{comm=\"sh\",user=\"7\",cgroup=\"/cg41\","
		      "container=\"ct41\"} 2\n"));
	assert_null(strstr(s, "exe=\""));
	free(s);
	metrics_free(&m);
}

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "plain"},
	    {"a\"b\\c\nd", "a\\\"b\\\\c\\nd"},
	    {"\x01\x7f", "\\\\x01\\\\x7f"},
	    {"caf\xc3\xa9", "caf\xc3\xa9"},
	    {"\xff\xc3", "\\\\xff\\\\xc3"},
	    {"\xe2\x82", "\\\\xe2\\\\x82"},
	    {"\xc0\xaf", "\\\\xc0\\\\xaf"},	       /* overlong */
	    {"\xed\xa0\x80", "\\\\xed\\\\xa0\\\\x80"}, /* a surrogate */
	    {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf b = {0};

		metrics_escape(&b, cases[i].in, strlen(cases[i].in));
		strbuf_add(&b, "", 1);
		if (strcmp(b.data, cases[i].out) != 0)
			fail_msg("case %zu: '%s', not '%s'", i, b.data, cases[i].out);
		strbuf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sums),	cmocka_unit_test(test_budget), cmocka_unit_test(test_exits),
	    cmocka_unit_test(test_exit_labels), cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
