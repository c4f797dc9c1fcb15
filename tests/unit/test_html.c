// SPDX-License-Identifier: GPL-2.0
/* The HTML timeline's writer: the template with the data object of docs/timeline.md in place of its marker.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>
#include "json_tree.h"
#include "pictures.h"

#define TEMPLATE "src/timeline/timeline.html"
#define MARKER	 "@EXECTRACE_DATA@"
#define S(lit)	 ((struct hist_str){lit, sizeof(lit) - 1})
#define SEC	 1000000000ULL
/* The run's start on the history's clock, the wall clock: 2026-12-01T09:00:00Z. */
#define T0 (1796115600 * SEC)

#define EVIL "</script><script>alert(1)</script>"

/* A known run of 3 processes: sh (started before the run, exit 0, with its CPU figures) runs make (two execs,
 * a failed one before them, the last with hostile argv; killed by SIGKILL) and a subshell that never execs
 * and still runs. Strings hold "<", "<!--", a byte that is not UTF-8 and U+2028. */
struct run {
	struct history h;
	struct hist_proc sh, make, sub;
	struct hist_proc *procs[3];
	struct hist_str sh_argv[3], make_argv1[2], make_argv2[5], failed_argv[1];
	struct hist_exec sh_exec, make_execs[2];
	struct hist_failed_exec failed[2];
};

static char *command[] = {"sh", "-c", "make <!--", NULL};

static void build(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->sh_argv[0] = S("sh");
	r->sh_argv[1] = S("-c");
	r->sh_argv[2] = S("make");
	r->sh_exec = (struct hist_exec){.time_ns = T0 - SEC / 4,
					.exec_seq = 1,
					.argv = r->sh_argv,
					.argc = 3,
					.exe = S("/usr/bin/dash"),
					.cwd = S("/home/u/line\xe2\x80\xa8sep")};
	r->sh = (struct hist_proc){.pid = 100,
				   .ppid = 1,
				   .start_time = 1000,
				   .id_seq = 1,
				   .first_child = &r->make,
				   .comm = "sh",
				   .start_ns = T0 - SEC / 4,
				   .end_ns = T0 + 3 * SEC,
				   .ended = true,
				   .have_usage = true,
				   .cpu_user_ns = SEC / 2,
				   .cpu_system_ns = 1234,
				   .max_rss = 4194304,
				   .execs = &r->sh_exec,
				   .nexecs = 1};

	r->make_argv1[0] = S("make");
	r->make_argv1[1] = S("all");
	r->make_argv2[0] = S("make");
	r->make_argv2[1] = S(EVIL);
	r->make_argv2[2] = S("<!--");
	r->make_argv2[3] = S("bad\xff");
	r->make_argv2[4] = (struct hist_str){NULL, 0};
	r->failed_argv[0] = S("cc<");
	r->failed[0] = (struct hist_failed_exec){.time_ns = T0 + SEC / 8,
						 .filename = S("/usr/local/bin/<cc"),
						 .argv = r->failed_argv,
						 .argc = 1,
						 .error = 2};
	r->failed[1] = (struct hist_failed_exec){.time_ns = T0 + SEC / 5, .truncated = true, .error = 4000};
	r->make_execs[0] = (struct hist_exec){.time_ns = T0 + SEC / 4,
					      .exec_seq = 3,
					      .argv = r->make_argv1,
					      .argc = 2,
					      .exe = S("/usr/bin/make"),
					      .cwd = S("/src")};
	r->make_execs[1] = (struct hist_exec){.time_ns = T0 + SEC / 2,
					      .exec_seq = 4,
					      .argv = r->make_argv2,
					      .argc = 5,
					      .truncated = true,
					      .exe = S("/tmp/<evil>"),
					      .cwd = {NULL, 0}};
	r->make = (struct hist_proc){.pid = 101,
				     .ppid = 100,
				     .start_time = 1100,
				     .id_seq = 2,
				     .parent = &r->sh,
				     .next_sibling = &r->sub,
				     .comm = "a<b",
				     .start_ns = T0 + SEC / 10,
				     .end_ns = T0 + 2 * SEC + SEC / 2,
				     .ended = true,
				     .exit_code = -1,
				     .signal = 9,
				     .core_dumped = true,
				     .execs = r->make_execs,
				     .nexecs = 2,
				     .failed = r->failed,
				     .nfailed = 2};
	r->sub = (struct hist_proc){.pid = 102,
				    .ppid = 100,
				    .start_time = 1200,
				    .id_seq = 1,
				    .parent = &r->sh,
				    .comm = "sh",
				    .start_ns = T0 + SEC + 1};

	r->procs[0] = &r->sh;
	r->procs[1] = &r->make;
	r->procs[2] = &r->sub;
	r->h.procs = r->procs;
	r->h.nprocs = r->h.cap = 3;
	r->h.lost = 7;
	r->h.start_ns = T0;
	r->h.end_ns = T0 + 3 * SEC + SEC / 5;
	r->h.command = command;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* The page html_write gives for h. */
static char *page_of(const struct history *h, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(html_write(f, h), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The page is the template with exactly the data line changed: the text before the marker, one line of JSON,
 * the text after the marker. Returns the data (a copy). */
static char *data_of(const char *page, size_t len, size_t *data_len)
{
	size_t tlen = 0, head, tail;
	char *template = read_file(TEMPLATE, &tlen), *data;
	const char *marker;

	if (!template)
		fail_msg("cannot read %s: the unit tests run from the top of the tree", TEMPLATE);
	marker = strstr(template, MARKER);
	assert_non_null(marker);
	assert_null(strstr(marker + 1, MARKER));
	head = (size_t)(marker - template);
	tail = tlen - head - strlen(MARKER);
	assert_true(len > head + tail);
	assert_memory_equal(page, template, head);
	assert_memory_equal(page + len - tail, marker + strlen(MARKER), tail);
	*data_len = len - head - tail;
	data = strndup(page + head, *data_len);
	assert_non_null(data);
	assert_null(memchr(data, '\n', *data_len));
	free(template);
	return data;
}

static const struct json *item(const struct json *a, size_t i)
{
	assert_non_null(a);
	assert_int_equal(a->type, JSON_ARRAY);
	assert_true(i < a->n);
	return &a->items[i];
}

static void assert_num(const struct json *j, const char *text)
{
	assert_non_null(j);
	assert_int_equal(j->type, JSON_NUMBER);
	assert_string_equal(j->raw, text);
}

static void assert_str(const struct json *j, const char *s)
{
	assert_non_null(j);
	assert_int_equal(j->type, JSON_STRING);
	assert_int_equal(j->str_len, strlen(s));
	assert_memory_equal(j->str, s, j->str_len);
}

static void assert_null_field(const struct json *obj, const char *key)
{
	const struct json *j = json_get(obj, key);

	assert_non_null(j);
	assert_int_equal(j->type, JSON_NULL);
}

static void assert_bool(const struct json *j, bool b)
{
	assert_non_null(j);
	assert_int_equal(j->type, JSON_BOOL);
	assert_int_equal(j->b, b);
}

static void assert_argv(const struct json *a, const char *const *want, size_t n)
{
	assert_non_null(a);
	assert_int_equal(a->type, JSON_ARRAY);
	assert_int_equal(a->n, n);
	for (size_t i = 0; i < n; i++) {
		if (want[i])
			assert_str(&a->items[i], want[i]);
		else
			assert_int_equal(a->items[i].type, JSON_NULL);
	}
}

static void assert_keys(const struct json *obj, size_t n)
{
	assert_non_null(obj);
	assert_int_equal(obj->type, JSON_OBJECT);
	assert_int_equal(obj->n, n);
}

/* The whole data object of the known run, field by field. */
static void test_data(void **state)
{
	struct run r;
	size_t len, dlen;
	char *page, *data;
	struct json *j;
	const struct json *p, *e;

	(void)state;
	build(&r);
	page = page_of(&r.h, &len);
	data = data_of(page, len, &dlen);
	j = json_parse(data, dlen);
	assert_non_null(j);

	assert_keys(j, 6);
	assert_num(json_get(j, "version"), "1");
	assert_str(json_get(j, "start_time"), "2026-12-01T09:00:00.000000000Z");
	assert_num(json_get(j, "end"), "3.200000000");
	assert_argv(json_get(j, "command"), (const char *[]){"sh", "-c", "make <!--"}, 3);
	assert_num(json_get(j, "lost"), "7");
	assert_int_equal(json_get(j, "processes")->n, 3);

	/* sh: a root, started a quarter second before the run, exit 0 with its figures. */
	p = item(json_get(j, "processes"), 0);
	assert_keys(p, 18);
	assert_str(json_get(p, "id"), "100-1000-1");
	assert_null_field(p, "parent");
	assert_num(json_get(p, "pid"), "100");
	assert_num(json_get(p, "ppid"), "1");
	assert_str(json_get(p, "comm"), "sh");
	assert_argv(json_get(p, "argv"), (const char *[]){"sh", "-c", "make"}, 3);
	assert_null(json_get(p, "truncated"));
	assert_str(json_get(p, "exe"), "/usr/bin/dash");
	assert_str(json_get(p, "cwd"), "/home/u/line\xe2\x80\xa8sep");
	assert_string_equal(json_get(p, "cwd")->raw, "/home/u/line\\u2028sep");
	assert_num(json_get(p, "start"), "-0.250000000");
	assert_num(json_get(p, "end"), "3.000000000");
	assert_num(json_get(p, "exit_code"), "0");
	assert_null_field(p, "signal");
	assert_bool(json_get(p, "core_dumped"), false);
	assert_num(json_get(p, "cpu_user"), "0.500000000");
	assert_num(json_get(p, "cpu_system"), "0.000001234");
	assert_num(json_get(p, "max_rss"), "4194304");
	assert_int_equal(json_get(p, "execs")->n, 1);
	e = item(json_get(p, "execs"), 0);
	assert_keys(e, 5);
	assert_num(json_get(e, "time"), "-0.250000000");
	assert_str(json_get(e, "exec_id"), "100-1000-1");
	assert_argv(json_get(e, "argv"), (const char *[]){"sh", "-c", "make"}, 3);
	assert_str(json_get(e, "exe"), "/usr/bin/dash");
	assert_int_equal(json_get(p, "failed_execs")->n, 0);

	/* make: under sh, its last exec's argv, both execs, both failed execs, killed. */
	p = item(json_get(j, "processes"), 1);
	assert_keys(p, 16);
	assert_str(json_get(p, "id"), "101-1100-2");
	assert_str(json_get(p, "parent"), "100-1000-1");
	assert_num(json_get(p, "ppid"), "100");
	assert_str(json_get(p, "comm"), "a<b");
	assert_argv(json_get(p, "argv"), (const char *[]){"make", EVIL, "<!--", "bad\xed\xb3\xbf", NULL}, 5);
	assert_string_equal(item(json_get(p, "argv"), 3)->raw, "bad\\udcff");
	assert_bool(json_get(p, "truncated"), true);
	assert_str(json_get(p, "exe"), "/tmp/<evil>");
	assert_null_field(p, "cwd");
	assert_num(json_get(p, "start"), "0.100000000");
	assert_num(json_get(p, "end"), "2.500000000");
	assert_null_field(p, "exit_code");
	assert_str(json_get(p, "signal"), "SIGKILL");
	assert_bool(json_get(p, "core_dumped"), true);
	assert_null(json_get(p, "cpu_user"));
	assert_int_equal(json_get(p, "execs")->n, 2);
	e = item(json_get(p, "execs"), 0);
	assert_keys(e, 5);
	assert_num(json_get(e, "time"), "0.250000000");
	assert_str(json_get(e, "exec_id"), "101-1100-3");
	assert_argv(json_get(e, "argv"), (const char *[]){"make", "all"}, 2);
	assert_str(json_get(e, "cwd"), "/src");
	e = item(json_get(p, "execs"), 1);
	assert_keys(e, 6);
	assert_num(json_get(e, "time"), "0.500000000");
	assert_str(json_get(e, "exec_id"), "101-1100-4");
	assert_bool(json_get(e, "truncated"), true);
	assert_int_equal(json_get(p, "failed_execs")->n, 2);
	e = item(json_get(p, "failed_execs"), 0);
	assert_keys(e, 4);
	assert_num(json_get(e, "time"), "0.125000000");
	assert_str(json_get(e, "filename"), "/usr/local/bin/<cc");
	assert_argv(json_get(e, "argv"), (const char *[]){"cc<"}, 1);
	assert_str(json_get(e, "error"), "ENOENT");
	e = item(json_get(p, "failed_execs"), 1);
	assert_keys(e, 5);
	assert_num(json_get(e, "time"), "0.200000000");
	assert_bool(json_get(e, "truncated"), true);
	assert_null_field(e, "filename");
	assert_int_equal(json_get(e, "argv")->n, 0);
	assert_str(json_get(e, "error"), "E4000");

	/* The subshell: no exec, still running. */
	p = item(json_get(j, "processes"), 2);
	assert_keys(p, 15);
	assert_str(json_get(p, "id"), "102-1200-1");
	assert_str(json_get(p, "parent"), "100-1000-1");
	assert_null_field(p, "argv");
	assert_null_field(p, "exe");
	assert_null_field(p, "cwd");
	assert_num(json_get(p, "start"), "1.000000001");
	assert_null_field(p, "end");
	assert_null_field(p, "exit_code");
	assert_null_field(p, "signal");
	assert_bool(json_get(p, "core_dumped"), false);
	assert_int_equal(json_get(p, "execs")->n, 0);
	assert_int_equal(json_get(p, "failed_execs")->n, 0);

	json_free(j);
	free(data);
	free(page);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *at = strstr(hay, needle); at; at = strstr(at + 1, needle))
		n++;
	return n;
}

/* No string of the data can end the script element or open a comment in it: the data holds no "<" at all, and
 * the page as many "</script" and "<!--" as the template. */
static void test_hostile_strings(void **state)
{
	struct run r;
	size_t len, dlen, tlen = 0;
	char *page, *data, *template;

	(void)state;
	build(&r);
	page = page_of(&r.h, &len);
	data = data_of(page, len, &dlen);
	assert_null(memchr(data, '<', dlen));
	assert_non_null(strstr(data, "\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"));
	assert_non_null(strstr(data, "\"make \\u003c!--\""));
	assert_non_null(strstr(data, "\"comm\":\"a\\u003cb\""));
	assert_non_null(strstr(data, "\"/usr/local/bin/\\u003ccc\""));
	assert_non_null(strstr(data, "\"exe\":\"/tmp/\\u003cevil>\""));
	assert_null(strstr(data, "\xe2\x80\xa8"));
	template = read_file(TEMPLATE, &tlen);
	assert_non_null(template);
	assert_null(strstr(data, EVIL));
	assert_int_equal(count(page, "</script"), count(template, "</script"));
	assert_int_equal(count(page, "<!--"), count(template, "<!--"));
	free(template);
	free(data);
	free(page);
}

/* A run with no process and no command (a report of an empty recording) still gives valid data. */
static void test_empty(void **state)
{
	struct history h = {0};
	size_t len, dlen;
	char *page, *data;
	struct json *j;

	(void)state;
	h.start_ns = h.end_ns = 1796115600ULL * SEC;
	page = page_of(&h, &len);
	data = data_of(page, len, &dlen);
	j = json_parse(data, dlen);
	assert_non_null(j);
	assert_str(json_get(j, "start_time"), "2026-12-01T09:00:00.000000000Z");
	assert_num(json_get(j, "end"), "0.000000000");
	assert_null_field(j, "command");
	assert_num(json_get(j, "lost"), "0");
	assert_int_equal(json_get(j, "processes")->type, JSON_ARRAY);
	assert_int_equal(json_get(j, "processes")->n, 0);
	json_free(j);
	free(data);
	free(page);
}

/* A stream that takes *room bytes, then fails as a full disk does. */
static ssize_t limited_write(void *cookie, const char *buf, size_t size)
{
	size_t *room = cookie;

	(void)buf;
	if (size > *room) {
		*room = 0;
		errno = ENOSPC;
		return -1;
	}
	*room -= size;
	return (ssize_t)size;
}

/* html_write of h into a stream that takes limit bytes: fails with the stream's error. */
static void assert_fails_at(const struct history *h, size_t limit)
{
	static const cookie_io_functions_t limited = {.write = limited_write};
	size_t room = limit;
	FILE *f = fopencookie(&room, "w", limited);

	assert_non_null(f);
	errno = 0;
	assert_int_equal(html_write(f, h), -1);
	assert_int_equal(errno, ENOSPC);
	fclose(f);
}

/* Failing anywhere (in the template's head, the data, its tail, the last flush) gives -1 and the error. */
static void test_write_errors(void **state)
{
	struct run r;
	size_t len;
	char *page;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(f);
	build(&r);
	errno = 0;
	assert_int_equal(html_write(f, &r.h), -1);
	assert_int_equal(errno, ENOSPC);
	fclose(f);

	page = page_of(&r.h, &len);
	for (size_t limit = 0; limit < len; limit += 13)
		assert_fails_at(&r.h, limit);
	assert_fails_at(&r.h, len - 1);
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_data),
	    cmocka_unit_test(test_hostile_strings),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_write_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
