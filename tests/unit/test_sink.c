// SPDX-License-Identifier: GPL-2.0
/* Sinks: several at once, each told every event, with its own printed count and write error. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sink.h"

static struct event exec_event(unsigned int pid, struct arg *arg)
{
	struct event e = {.type = EVENT_EXEC};

	e.exec.ktime_ns = 1000000000ULL * pid;
	e.exec.pid = pid;
	e.exec.ppid = 1;
	snprintf(e.exec.comm, sizeof(e.exec.comm), "true");
	e.exec.filename = "/bin/true";
	e.exec.filename_len = strlen(e.exec.filename);
	e.exec.argc = 1;
	e.exec.nargs = 1;
	e.exec.args = arg;
	return e;
}

static size_t count_lines(FILE *f, const char *has)
{
	char line[8192];
	size_t n = 0;

	rewind(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, has) != NULL;
	return n;
}

/* JSON into a file and text into /dev/full: the JSON sink prints everything, the text sink fails alone. */
static void test_two_sinks_one_failing(void **state)
{
	struct options o = {.max_args = -1};
	struct sinks set = {0};
	struct arg arg = {"true", 4, false};
	FILE *json = tmpfile(), *full = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(json);
	assert_non_null(full);
	assert_int_equal(sinks_add(&set, sink_json_new(json, &o)), 0);
	assert_int_equal(sinks_add(&set, sink_text_new(full, &o)), 0);
	assert_false(sinks_need_table(&set));
	sinks_begin(&set, 0, 0);
	for (unsigned int pid = 10; pid < 13; pid++) {
		struct event e = exec_event(pid, &arg);

		sinks_event(&set, &e);
	}
	assert_int_equal(set.s[0]->printed, 0); /* nothing counts until a flush succeeds */
	assert_int_equal(set.s[0]->unflushed, 3);
	sinks_tick(&set);
	assert_int_equal(set.s[0]->printed, 3);
	assert_int_equal(set.s[0]->write_errno, 0);
	assert_int_equal(set.s[1]->printed, 0);
	assert_int_equal(set.s[1]->write_errno, ENOSPC);
	assert_false(sinks_all_failed(&set));
	/* The failed sink is told nothing more; the other goes on. */
	sinks_lost(&set, 5, 0);
	{
		struct event e = exec_event(13, &arg);

		sinks_event(&set, &e);
	}
	sinks_end(&set);
	assert_int_equal(set.s[0]->printed, 4);
	assert_int_equal(set.s[1]->unflushed, 3);
	assert_int_equal(count_lines(json, "{\"type\":\"exec\""), 4);
	assert_int_equal(count_lines(json, "{\"type\":\"lost\",\"time\":\"1970-01-01T00:00:00"), 1);
	assert_int_equal(count_lines(json, "\"pid\":12,"), 1);
	sinks_free(&set);
	fclose(json);
	fclose(full);
}

/* One sink, the text one, into a file: header first, then a line per exec; all failed once it fails. */
static void test_text_sink(void **state)
{
	struct options o = {.max_args = -1};
	struct sinks set = {0};
	struct arg arg = {"true", 4, false};
	FILE *f = tmpfile(), *full = fopen("/dev/full", "w");
	struct event e = exec_event(42, &arg);

	(void)state;
	assert_non_null(f);
	assert_non_null(full);
	assert_int_equal(sinks_add(&set, sink_text_new(f, &o)), 0);
	sinks_begin(&set, 0, 0);
	sinks_event(&set, &e);
	sinks_end(&set);
	assert_int_equal(set.s[0]->printed, 1);
	assert_int_equal(count_lines(f, "PCOMM"), 1);
	assert_int_equal(count_lines(f, "true             42     1        0 /bin/true"), 1);
	sinks_free(&set);

	assert_int_equal(sinks_add(&set, sink_text_new(full, &o)), 0);
	sinks_begin(&set, 0, 0);
	sinks_tick(&set);
	assert_true(sinks_all_failed(&set));
	sinks_free(&set);
	fclose(f);
	fclose(full);
}

/* Fork and exit events reach both sinks' own writers: a line each, counted as printed. */
static void test_fork_exit(void **state)
{
	struct options o = {.max_args = -1};
	struct sinks set = {0};
	FILE *json = tmpfile(), *text = tmpfile();
	struct event fork = {.type = EVENT_FORK}, exit = {.type = EVENT_EXIT};

	(void)state;
	assert_non_null(json);
	assert_non_null(text);
	fork.fork.pid = 50;
	fork.fork.ppid = 1;
	snprintf(fork.fork.comm, sizeof(fork.fork.comm), "sh");
	exit.exit.pid = 50;
	exit.exit.ppid = 1;
	snprintf(exit.exit.comm, sizeof(exit.exit.comm), "sh");
	exit.exit.exit_code = 3;
	exit.exit.ktime_ns = 3000000000ULL;
	exit.exit.since_ns = 1000000000ULL;
	exit.exit.max_rss = 2 << 20;
	assert_int_equal(sinks_add(&set, sink_json_new(json, &o)), 0);
	assert_int_equal(sinks_add(&set, sink_text_new(text, &o)), 0);
	sinks_begin(&set, 0, 0);
	sinks_event(&set, &fork);
	sinks_event(&set, &exit);
	sinks_end(&set);
	assert_int_equal(set.s[0]->printed, 2);
	assert_int_equal(set.s[1]->printed, 2);
	assert_int_equal(count_lines(json, "{\"type\":\"fork\""), 1);
	assert_int_equal(count_lines(json, "{\"type\":\"exit\""), 1);
	assert_int_equal(count_lines(json, "\"exit_code\":3,"), 1);
	assert_int_equal(count_lines(text, "sh               50     1          \\fork"), 1);
	assert_int_equal(count_lines(text, "sh               50     1        3 \\exit 2.000s since start"),
			 1);
	sinks_free(&set);
	fclose(json);
	fclose(text);
}

static long size_of(FILE *f)
{
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	return ftell(f);
}

/* The pictures sink prints no record: it keeps every event, and draws each picture asked for into its own
 * stream at the end. */
static void test_pictures_sink(void **state)
{
	struct sinks set = {0};
	struct arg arg = {"true", 4, false};
	FILE *tree = tmpfile(), *html = tmpfile(), *full = fopen("/dev/full", "w");
	struct pictures p = {.tree = tree, .html = html};
	struct pictures bad = {.perfetto = full};

	(void)state;
	assert_non_null(tree);
	assert_non_null(html);
	assert_non_null(full);
	assert_int_equal(sinks_add(&set, sink_pictures_new(&p)), 0);
	sinks_begin(&set, 0, 0);
	for (unsigned int pid = 10; pid < 13; pid++) {
		struct event e = exec_event(pid, &arg);

		sinks_event(&set, &e);
	}
	sinks_lost(&set, 2, 0);
	sinks_tick(&set);
	assert_int_equal(size_of(tree), 0); /* nothing before the end */
	assert_int_equal(size_of(html), 0);
	sinks_end(&set);
	assert_int_equal(set.failed, 0);
	assert_int_equal(set.s[0]->printed, 0);
	assert_true(size_of(tree) > 0);
	assert_true(size_of(html) > 0);
	sinks_free(&set);

	/* A picture that cannot be written fails the sink, with the error kept. */
	assert_int_equal(sinks_add(&set, sink_pictures_new(&bad)), 0);
	sinks_begin(&set, 0, 0);
	{
		struct event e = exec_event(20, &arg);

		sinks_event(&set, &e);
	}
	sinks_end(&set);
	assert_true(sinks_all_failed(&set));
	assert_int_equal(set.s[0]->write_errno, ENOSPC);
	sinks_free(&set);

	/* A run that ends before its end (the reader failed) frees the history all the same (the sanitizer's
	 * leak check). */
	assert_int_equal(sinks_add(&set, sink_pictures_new(&p)), 0);
	{
		struct event e = exec_event(30, &arg);

		sinks_event(&set, &e);
	}
	sinks_free(&set);
	fclose(tree);
	fclose(html);
	fclose(full);
}

static void test_room(void **state)
{
	struct options o = {.max_args = -1};
	struct sinks set = {0};

	(void)state;
	for (size_t i = 0; i < SINKS_MAX; i++)
		assert_int_equal(sinks_add(&set, sink_text_new(stdout, &o)), 0);
	assert_int_equal(sinks_add(&set, sink_text_new(stdout, &o)), -1);
	assert_int_equal(sinks_add(&set, NULL), -1); /* a constructor out of memory */
	assert_int_equal(set.n, SINKS_MAX);
	sinks_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_sinks_one_failing),
	    cmocka_unit_test(test_text_sink),
	    cmocka_unit_test(test_pictures_sink),
	    cmocka_unit_test(test_fork_exit),
	    cmocka_unit_test(test_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
