// SPDX-License-Identifier: GPL-2.0
/* The JSON reader (escapes, surrogates, the \udcXX bytes, numbers, limits, malformed text), then records as
 * exectrace wrote them read back into events. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "json_read.h"
#include "record_read.h"

#define NS 1000000000ULL

static int parse(struct json_doc *d, const char *text)
{
	return json_parse(d, text, strlen(text));
}

/* json, a JSON string, decodes to the len bytes of want. */
static void decodes_to(const char *json, const char *want, size_t len)
{
	struct json_doc d;
	const char *s;
	size_t n;

	json_doc_init(&d);
	assert_int_equal(parse(&d, json), 0);
	assert_int_equal(json_root(&d)->type, JSON_STRING);
	s = json_str(&d, json_root(&d), &n);
	assert_int_equal(n, len);
	assert_memory_equal(s, want, len);
	assert_int_equal(s[n], '\0');
	json_doc_free(&d);
}

/* json is refused, with error saying so at offset at (or anywhere, for -1). */
static void refused(const char *json, size_t len, const char *error, long at)
{
	struct json_doc d;

	json_doc_init(&d);
	assert_int_equal(json_parse(&d, json, len), -EINVAL);
	assert_non_null(d.error);
	if (error && !strstr(d.error, error))
		fail_msg("'%s': error '%s', not '%s'", json, d.error, error);
	if (at >= 0)
		assert_int_equal(d.error_at, at);
	json_doc_free(&d);
}

#define REFUSED(lit, error, at) refused(lit, sizeof(lit) - 1, error, at)

static void test_values(void **state)
{
	struct json_doc d;
	const struct json_node *root, *a, *n;
	size_t len;
	int count = 0;

	(void)state;
	json_doc_init(&d);
	assert_int_equal(
	    parse(&d, " {\"a\":[1,-2,true,false,null,\"x\",{},[]],\"b\":{\"c\":\"d\"},\"a\":0}\r\n"), 0);
	root = json_root(&d);
	assert_int_equal(root->type, JSON_OBJECT);
	a = json_get(&d, root, "a");
	assert_non_null(a);
	assert_int_equal(a->type, JSON_ARRAY); /* the first "a" */
	for (n = json_node(&d, a->child); n; n = json_node(&d, n->next))
		count++;
	assert_int_equal(count, 8);
	n = json_node(&d, a->child);
	assert_int_equal(n->type, JSON_NUMBER);
	n = json_node(&d, n->next);
	assert_string_equal(json_str(&d, n, &len), "-2");
	n = json_node(&d, n->next);
	assert_int_equal(n->type, JSON_TRUE);
	n = json_node(&d, n->next);
	assert_int_equal(n->type, JSON_FALSE);
	n = json_node(&d, n->next);
	assert_int_equal(n->type, JSON_NULL);
	n = json_node(&d, n->next);
	assert_string_equal(json_str(&d, n, &len), "x");
	n = json_node(&d, n->next);
	assert_int_equal(n->type, JSON_OBJECT);
	assert_null(json_node(&d, n->child));
	n = json_node(&d, n->next);
	assert_int_equal(n->type, JSON_ARRAY);
	assert_null(json_node(&d, n->next));
	n = json_get(&d, json_get(&d, root, "b"), "c");
	assert_string_equal(json_str(&d, n, &len), "d");
	assert_null(json_get(&d, root, "c"));
	assert_null(json_get(&d, a, "a")); /* not an object */
	/* The document is reused: nothing of the last text is left. */
	assert_int_equal(parse(&d, "7"), 0);
	assert_int_equal(d.nnodes, 1);
	assert_int_equal(json_root(&d)->type, JSON_NUMBER);
	json_doc_free(&d);
}

static void test_escapes(void **state)
{
	(void)state;
	decodes_to("\"\"", "", 0);
	decodes_to("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
	decodes_to("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6);
	decodes_to("\"a\\u0000b\"", "a\0b", 3);
	decodes_to("\"\\u001b[31m\"", "\x1b[31m", 5);
	/* Valid UTF-8 as it is, whatever it says. */
	decodes_to("\"\xc3\xa9\xe2\x80\xae\xf0\x9f\x98\x80\"", "\xc3\xa9\xe2\x80\xae\xf0\x9f\x98\x80", 9);
}

static void test_surrogates(void **state)
{
	(void)state;
	decodes_to("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);
	/* A tag above U+FFFF, as exectrace writes it (docs/output.md#encoding). */
	decodes_to("\"\\udb40\\udc41\"", "\xf3\xa0\x81\x81", 4);
	/* The low half of a pair may look like an escaped byte: after a high half it is no byte. */
	decodes_to("\"\\ud800\\udc80\"", "\xf0\x90\x82\x80", 4);
	decodes_to("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4);
	REFUSED("\"\\ud800\"", "high surrogate", -1);
	REFUSED("\"\\ud800x\"", "high surrogate", -1);
	REFUSED("\"\\ud800\\u0041\"", "high surrogate", -1);
	REFUSED("\"\\ud800\\ud800\"", "high surrogate", -1);
	REFUSED("\"\\ud800\\", "high surrogate", -1);
	REFUSED("\"\\ude00\"", "low surrogate", 1);
	REFUSED("[\"a\\ud800\\u0041\"]", "high surrogate", 3);
}

static void test_escaped_bytes(void **state)
{
	(void)state;
	/* Bytes that were not UTF-8, written as \udcXX: the bytes again. */
	decodes_to("\"\\udcff\"", "\xff", 1);
	decodes_to("\"x\\udcff\\u001by\"", "x\xff\x1by", 4);
	decodes_to("\"\\udc80\\udcc3\\udca9\"", "\x80\xc3\xa9", 3);
	decodes_to("\"\\udced\\udca0\\udc80\"", "\xed\xa0\x80", 3); /* an encoded surrogate, byte by byte */
	/* A byte below 0x80 is ASCII, never escaped so: \udc00-\udc7f name nothing. */
	REFUSED("\"\\udc41\"", "names no byte", 1);
	REFUSED("\"\\udc7f\"", "names no byte", 1);
	REFUSED("\"\\udd00\"", "names no byte", 1);
}

static void test_strings_refused(void **state)
{
	(void)state;
	REFUSED("\"abc", "cut short", 4);
	REFUSED("\"a\nb\"", "control character", 2);
	REFUSED("\"a\tb\"", "control character", 2);
	REFUSED("\"\\x41\"", "unknown escape", 2);
	REFUSED("\"\\'\"", "unknown escape", 2);
	REFUSED("\"\\", "cut short", -1);
	REFUSED("\"\\u12\"", "\\u escape", -1);
	REFUSED("\"\\u12g4\"", "hex digits", -1);
	REFUSED("\"\\u", "cut short", -1);
	/* Raw bytes must be UTF-8: a lone byte, an overlong form, an encoded surrogate, a sequence cut short.
	 */
	REFUSED("\"\xff\"", "UTF-8", 1);
	REFUSED("\"\xc0\x80\"", "UTF-8", 1);
	REFUSED("\"\xed\xa0\x80\"", "UTF-8", 1);
	REFUSED("\"\xe2\x80\"", "UTF-8", 1);
	REFUSED("\"a\0b\"", "control character", 2);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "",		" ",	     "{",     "}",	     "[",	   "]",	       "{\"a\"}",
	    "{\"a\":}", "{\"a\" 1}", "{a:1}", "{'a':1}",     "{\"a\":1,}", "[1,]",     "[1 2]",
	    "[,1]",	"tru",	     "nul",   "True",	     "01",	   "-01",      "1.",
	    ".5",	"-",	     "+1",    "1e",	     "1e+",	   "0x10",     "NaN",
	    "Infinity", "{} x",	     "[1]]",  "\"a\" \"b\"", "[1,2",	   "{\"a\":1", "\xef\xbb\xbf{}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_doc d;

		json_doc_init(&d);
		if (parse(&d, bad[i]) != -EINVAL || !d.error)
			fail_msg("'%s' was not refused", bad[i]);
		json_doc_free(&d);
	}
	REFUSED("{\"a\":1} x", "more after the value", 8);
	REFUSED("[1 2]", "after an element", 3);
	REFUSED("{\"a\":tru}", "unexpected character", 5);
}

/* As deep as allowed, one deeper, and a line of a million '[' (no stack exhausted, refused at once). */
static void test_depth(void **state)
{
	size_t big = 1000000;
	char *s = malloc(big + 1);
	struct json_doc d;

	(void)state;
	assert_non_null(s);
	json_doc_init(&d);
	memset(s, '[', JSON_DEPTH_MAX);
	memset(s + JSON_DEPTH_MAX, ']', JSON_DEPTH_MAX);
	assert_int_equal(json_parse(&d, s, 2 * JSON_DEPTH_MAX), 0);
	memset(s, '[', JSON_DEPTH_MAX + 1);
	memset(s + JSON_DEPTH_MAX + 1, ']', JSON_DEPTH_MAX + 1);
	assert_int_equal(json_parse(&d, s, 2 * (JSON_DEPTH_MAX + 1)), -EINVAL);
	assert_non_null(strstr(d.error, "too deep"));
	assert_int_equal(d.error_at, JSON_DEPTH_MAX);
	memset(s, '[', big);
	assert_int_equal(json_parse(&d, s, big), -EINVAL);
	assert_int_equal(d.error_at, JSON_DEPTH_MAX);
	for (size_t i = 0; i < big; i += 2)
		memcpy(s + i, "{\"", 2);
	assert_int_equal(json_parse(&d, s, big), -EINVAL);
	json_doc_free(&d);
	free(s);
}

/* The number that text (a JSON number) is, by f. */
#define NUMBER(f, text, want_err, want)                                                                      \
	do {                                                                                                 \
		struct json_doc d;                                                                           \
		__typeof__(want) v = 0;                                                                      \
                                                                                                             \
		json_doc_init(&d);                                                                           \
		assert_int_equal(parse(&d, text), 0);                                                        \
		assert_int_equal(f(&d, json_root(&d), &v), want_err);                                        \
		if (!(want_err))                                                                             \
			assert_true(v == (want));                                                            \
		json_doc_free(&d);                                                                           \
	} while (0)

static void test_numbers(void **state)
{
	(void)state;
	NUMBER(json_u64, "0", 0, 0ULL);
	NUMBER(json_u64, "4026531832", 0, 4026531832ULL);
	NUMBER(json_u64, "18446744073709551615", 0, 18446744073709551615ULL);
	NUMBER(json_u64, "18446744073709551616", -EINVAL, 0ULL);
	NUMBER(json_u64, "-1", -EINVAL, 0ULL);
	NUMBER(json_u64, "1.0", -EINVAL, 0ULL);
	NUMBER(json_u64, "1e3", -EINVAL, 0ULL);
	NUMBER(json_u64, "\"1\"", -EINVAL, 0ULL);
	NUMBER(json_s64, "-2", 0, -2LL);
	NUMBER(json_s64, "9223372036854775807", 0, 9223372036854775807LL);
	NUMBER(json_s64, "-9223372036854775808", 0, (-9223372036854775807LL - 1));
	NUMBER(json_s64, "9223372036854775808", -EINVAL, 0LL);
	NUMBER(json_s64, "-9223372036854775809", -EINVAL, 0LL);
	NUMBER(json_s64, "-0.5", -EINVAL, 0LL);
}

static void test_seconds(void **state)
{
	(void)state;
	/* As exectrace writes them, nine decimals. */
	NUMBER(json_seconds_ns, "0.002172205", 0, 2172205ULL);
	NUMBER(json_seconds_ns, "0.000000000", 0, 0ULL);
	NUMBER(json_seconds_ns, "86400.000000001", 0, 86400 * NS + 1);
	/* As jq or another tool may rewrite them. */
	NUMBER(json_seconds_ns, "5.5966e-05", 0, 55966ULL);
	NUMBER(json_seconds_ns, "0", 0, 0ULL);
	NUMBER(json_seconds_ns, "3", 0, 3 * NS);
	NUMBER(json_seconds_ns, "1.5E+2", 0, 150 * NS);
	NUMBER(json_seconds_ns, "0.10097511999999999", 0, 100975120ULL);
	NUMBER(json_seconds_ns, "1.0000000005", 0, NS + 1); /* rounded */
	NUMBER(json_seconds_ns, "1.00000000049", 0, NS);
	NUMBER(json_seconds_ns, "1e-10", 0, 0ULL);
	NUMBER(json_seconds_ns, "0e999999999999", 0, 0ULL);
	NUMBER(json_seconds_ns, "18446744073.709551615", 0, 18446744073709551615ULL);
	NUMBER(json_seconds_ns, "18446744073.7095516155", -ERANGE, 0ULL);
	NUMBER(json_seconds_ns, "18446744074", -ERANGE, 0ULL);
	NUMBER(json_seconds_ns, "1e999999999999", -ERANGE, 0ULL);
	NUMBER(json_seconds_ns, "-1", -EINVAL, 0ULL);
	NUMBER(json_seconds_ns, "-0.000000001", -EINVAL, 0ULL);
	NUMBER(json_seconds_ns, "null", -EINVAL, 0ULL);
}

/* A successful exec. */
static const char EXEC_OK[] =
    "{\"type\":\"exec\",\"time\":\"2026-12-01T11:10:24.747904937Z\",\"pid\":1510,\"ppid\":1509,\""
    "exec_id\":\"1510-22968382176560-6\",\"parent_exec_id\":\"1509-22968287209256-5\",\"uid\":0,"
    "\"gid\":0,\"euid\":0,\"egid\":0,\"loginuid\":null,\"sessionid\":null,\"comm\":\"ls\",\"filen"
    "ame\":\"/usr/bin/ls\",\"exe\":\"/usr/bin/ls\",\"cwd\":\"/tmp\",\"argv\":[\"ls\",\"/\"],\"arg"
    "c\":2,\"truncated\":false,\"retval\":0,\"tty\":null,\"cgroup_id\":1,\"cgroup\":\"/\",\"conta"
    "iner_id\":null,\"ns\":{\"mnt\":4026531832,\"pid\":4026531836,\"net\":4026531833,\"uts\":4026"
    "531838,\"ipc\":4026531839,\"user\":4026531837,\"cgroup\":4026531835,\"time\":4026531834}}";
/* A failed exec: the caller's exec_id, no exe. */
static const char EXEC_FAILED[] =
    "{\"type\":\"exec\",\"time\":\"2026-12-01T11:10:24.852361535Z\",\"pid\":1513,\"ppid\":1509,\""
    "exec_id\":\"1513-22968486681554-5\",\"parent_exec_id\":\"1509-22968287209256-5\",\"uid\":0,"
    "\"gid\":0,\"euid\":0,\"egid\":0,\"loginuid\":null,\"sessionid\":null,\"comm\":\"sh\",\"filen"
    "ame\":\"/nonexistent\",\"exe\":null,\"cwd\":\"/tmp\",\"argv\":[\"/nonexistent\"],\"argc\":1,"
    "\"truncated\":false,\"retval\":-2,\"error\":\"ENOENT\",\"tty\":null,\"cgroup_id\":1,\"cgroup"
    "\":\"/\",\"container_id\":null,\"ns\":{\"mnt\":4026531832,\"pid\":4026531836,\"net\":4026531"
    "833,\"uts\":4026531838,\"ipc\":4026531839,\"user\":4026531837,\"cgroup\":4026531835,\"time\""
    ":4026531834}}";
/* The fork before EXEC_OK. */
static const char FORK[] =
    "{\"type\":\"fork\",\"time\":\"2026-12-01T11:10:24.747834282Z\",\"pid\":1510,\"ppid\":1509,\""
    "exec_id\":\"1510-22968382176560-5\",\"parent_exec_id\":\"1509-22968287209256-5\",\"uid\":0,"
    "\"comm\":\"sh\"}";
/* EXEC_OK's process ending. */
static const char EXIT_OK[] =
    "{\"type\":\"exit\",\"time\":\"2026-12-01T11:10:24.750077142Z\",\"pid\":1510,\"ppid\":1509,\""
    "exec_id\":\"1510-22968382176560-6\",\"parent_exec_id\":\"1509-22968287209256-5\",\"uid\":0,"
    "\"comm\":\"ls\",\"exit_code\":0,\"signal\":null,\"core_dumped\":false,\"duration\":0.0021722"
    "05,\"since_exec\":true,\"cpu_user\":0.001074570,\"cpu_system\":0.000000000,\"max_rss\":21626"
    "88}";
/* A process killed by SIGKILL. */
static const char EXIT_KILLED[] =
    "{\"type\":\"exit\",\"time\":\"2026-12-01T11:10:24.854497773Z\",\"pid\":1516,\"ppid\":1509,\""
    "exec_id\":\"1516-22968488165233-6\",\"parent_exec_id\":\"1509-22968287209256-5\",\"uid\":0,"
    "\"comm\":\"sh\",\"exit_code\":null,\"signal\":\"SIGKILL\",\"core_dumped\":false,\"duration\""
    ":0.000604122,\"since_exec\":true,\"cpu_user\":0.000023340,\"cpu_system\":0.000000000,\"max_r"
    "ss\":1593344}";
/* A process that never exec'd (its exec failed): duration since its fork. */
static const char EXIT_SUBSHELL[] =
    "{\"type\":\"exit\",\"time\":\"2026-12-01T11:10:24.852389134Z\",\"pid\":1513,\"ppid\":1509,\""
    "exec_id\":\"1513-22968486681554-5\",\"parent_exec_id\":\"1509-22968287209256-5\",\"uid\":0,"
    "\"comm\":\"sh\",\"exit_code\":127,\"signal\":null,\"core_dumped\":false,\"duration\":0.00005"
    "5966,\"since_exec\":false,\"cpu_user\":0.000000000,\"cpu_system\":0.000000000,\"max_rss\":15"
    "93344}";
/* argv[1] is the bytes x, 0xff (not UTF-8), ESC, y; argv[2] U+202E. */
static const char EXEC_HOSTILE[] =
    "{\"type\":\"exec\",\"time\":\"2026-12-01T11:15:32.069536046Z\",\"pid\":8226,\"ppid\":7465,\""
    "exec_id\":\"8226-23275698895547-12\",\"parent_exec_id\":\"7465-23275189563556-11\",\"uid\":0"
    ",\"gid\":0,\"euid\":0,\"egid\":0,\"loginuid\":null,\"sessionid\":null,\"comm\":\"true\",\"fi"
    "lename\":\"/bin/true\",\"exe\":\"/usr/bin/true\",\"cwd\":\"/tmp\",\"argv\":[\"true\",\"x\\ud"
    "cff\\u001by\",\"\\u202e\"],\"argc\":3,\"truncated\":false,\"retval\":0,\"tty\":null,\"cgroup"
    "_id\":1,\"cgroup\":\"/\",\"container_id\":null,\"ns\":{\"mnt\":4026531832,\"pid\":4026531836"
    ",\"net\":4026531833,\"uts\":4026531838,\"ipc\":4026531839,\"user\":4026531837,\"cgroup\":402"
    "6531835,\"time\":4026531834}}";
/* 2026-12-01T11:10:24Z and 2026-12-01T11:15:32Z, in seconds since the epoch. */
#define T_1124 1796123424ULL
#define T_1532 1796123732ULL

/* line read into *ev; its kind, or the error. */
static int read_line(struct record_reader *r, const char *line, struct event *ev, unsigned long long *lost)
{
	return record_read(r, line, strlen(line), ev, lost);
}

static void test_record_exec(void **state)
{
	struct record_reader r;
	struct event ev;
	unsigned long long lost = 0;
	const struct exec_event *e = &ev.exec;

	(void)state;
	record_reader_init(&r);
	assert_int_equal(read_line(&r, EXEC_OK, &ev, &lost), RECORD_EVENT);
	assert_int_equal(ev.type, EVENT_EXEC);
	assert_true(e->ktime_ns == T_1124 * NS + 747904937);
	assert_int_equal(e->pid, 1510);
	assert_int_equal(e->ppid, 1509);
	assert_true(e->ids.start_time == 22968382176560ULL);
	assert_int_equal(e->ids.exec_seq, 6);
	assert_true(e->ids.parent_start_time == 22968287209256ULL);
	assert_int_equal(e->ids.parent_exec_seq, 5);
	assert_int_equal(e->uid, 0);
	assert_string_equal(e->comm, "ls");
	assert_int_equal(e->filename_len, 11);
	assert_memory_equal(e->filename, "/usr/bin/ls", 11);
	assert_false(e->filename_unreadable);
	assert_int_equal(e->exe_len, 11);
	assert_memory_equal(e->exe, "/usr/bin/ls", 11);
	assert_false(e->exe_truncated);
	assert_int_equal(e->cwd_len, 4);
	assert_memory_equal(e->cwd, "/tmp", 4);
	assert_int_equal(e->nargs, 2);
	assert_int_equal(e->argc, 2);
	assert_int_equal(e->args[0].len, 2);
	assert_memory_equal(e->args[0].s, "ls", 2);
	assert_int_equal(e->args[1].len, 1);
	assert_memory_equal(e->args[1].s, "/", 1);
	assert_false(e->args[1].unreadable);
	assert_false(e->truncated);
	assert_int_equal(e->retval, 0);

	assert_int_equal(read_line(&r, EXEC_FAILED, &ev, &lost), RECORD_EVENT);
	assert_int_equal(ev.type, EVENT_EXEC);
	assert_int_equal(e->retval, -ENOENT);
	assert_int_equal(e->pid, 1513);
	assert_int_equal(e->ids.exec_seq, 5); /* the caller's */
	assert_null(e->exe);
	assert_int_equal(e->filename_len, 12);
	assert_memory_equal(e->filename, "/nonexistent", 12);
	assert_int_equal(e->nargs, 1);
	record_reader_free(&r);
}

/* argv as the program got it, bytes that were not UTF-8 and terminal escapes included. */
static void test_record_hostile_argv(void **state)
{
	struct record_reader r;
	struct event ev;
	unsigned long long lost = 0;
	const struct exec_event *e = &ev.exec;

	(void)state;
	record_reader_init(&r);
	assert_int_equal(read_line(&r, EXEC_HOSTILE, &ev, &lost), RECORD_EVENT);
	assert_true(e->ktime_ns == T_1532 * NS + 69536046);
	assert_true(e->ids.start_time == 23275698895547ULL);
	assert_int_equal(e->ids.exec_seq, 12);
	assert_int_equal(e->nargs, 3);
	assert_int_equal(e->args[1].len, 4);
	assert_memory_equal(e->args[1].s, "x\xff\x1by", 4);
	assert_int_equal(e->args[2].len, 3);
	assert_memory_equal(e->args[2].s, "\xe2\x80\xae", 3);
	record_reader_free(&r);
}

static void test_record_fork_exit(void **state)
{
	struct record_reader r;
	struct event ev;
	unsigned long long lost = 0;

	(void)state;
	record_reader_init(&r);
	assert_int_equal(read_line(&r, FORK, &ev, &lost), RECORD_EVENT);
	assert_int_equal(ev.type, EVENT_FORK);
	assert_true(ev.fork.ktime_ns == T_1124 * NS + 747834282);
	assert_int_equal(ev.fork.pid, 1510);
	assert_int_equal(ev.fork.ppid, 1509);
	assert_true(ev.fork.ids.start_time == 22968382176560ULL);
	assert_int_equal(ev.fork.ids.exec_seq, 5);
	assert_true(ev.fork.ids.parent_start_time == 22968287209256ULL);
	assert_string_equal(ev.fork.comm, "sh");

	assert_int_equal(read_line(&r, EXIT_OK, &ev, &lost), RECORD_EVENT);
	assert_int_equal(ev.type, EVENT_EXIT);
	assert_true(ev.exit.ktime_ns == T_1124 * NS + 750077142);
	assert_int_equal(ev.exit.pid, 1510);
	assert_int_equal(ev.exit.ids.exec_seq, 6);
	assert_string_equal(ev.exit.comm, "ls");
	assert_int_equal(ev.exit.exit_code, 0);
	assert_int_equal(ev.exit.signal, 0);
	assert_false(ev.exit.core_dumped);
	assert_true(ev.exit.since_exec);
	/* since_ns: the exit's time less its duration, the exec's time to the nanosecond here. */
	assert_true(ev.exit.since_ns == T_1124 * NS + 750077142 - 2172205);
	assert_true(ev.exit.cpu_user_ns == 1074570);
	assert_true(ev.exit.cpu_system_ns == 0);
	assert_false(ev.exit.cpu_truncated);
	assert_true(ev.exit.max_rss == 2162688);

	assert_int_equal(read_line(&r, EXIT_KILLED, &ev, &lost), RECORD_EVENT);
	assert_int_equal(ev.exit.exit_code, -1);
	assert_int_equal(ev.exit.signal, SIGKILL);

	assert_int_equal(read_line(&r, EXIT_SUBSHELL, &ev, &lost), RECORD_EVENT);
	assert_int_equal(ev.exit.exit_code, 127);
	assert_false(ev.exit.since_exec);
	assert_true(ev.exit.since_ns == T_1124 * NS + 852389134 - 55966);
	record_reader_free(&r);
}

static void test_record_other(void **state)
{
	struct record_reader r;
	struct event ev;
	unsigned long long lost = 0;

	(void)state;
	record_reader_init(&r);
	assert_int_equal(
	    read_line(&r, "{\"type\":\"lost\",\"time\":\"2026-12-01T11:10:24.000000000Z\",\"count\":42}", &ev,
		      &lost),
	    RECORD_LOST);
	assert_true(lost == 42);
	/* Count mode's tables, and types to come, are passed over. */
	assert_int_equal(
	    read_line(&r, "{\"type\":\"counts\",\"time\":\"2026-12-01T11:15:34.321769829Z\",\"rows\":[]}",
		      &ev, &lost),
	    RECORD_OTHER);
	assert_int_equal(read_line(&r, "{\"type\":\"sched\",\"anything\":[1,{\"x\":null}]}", &ev, &lost),
			 RECORD_OTHER);
	record_reader_free(&r);
}

/* line with the first from replaced by to. */
static char *with(const char *line, const char *from, const char *to)
{
	const char *at = strstr(line, from);
	size_t n = strlen(line) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);

	if (!at)
		fail_msg("'%s' is not in the line", from);
	assert_non_null(s);
	snprintf(s, n, "%.*s%s%s", (int)(at - line), line, to, at + strlen(from));
	return s;
}

/* line with from replaced by to reads as want (a kind, or -EINVAL with why). */
static void reads_as(const char *line, const char *from, const char *to, int want, const char *why)
{
	struct record_reader r;
	struct event ev;
	unsigned long long lost = 0;
	char *s = with(line, from, to);
	int got;

	record_reader_init(&r);
	got = read_line(&r, s, &ev, &lost);
	if (got != want)
		fail_msg("%s -> %s: %d, not %d (%s)", from, to, got, want, got < 0 ? r.why : "");
	if (why && !strstr(r.why, why))
		fail_msg("%s -> %s: '%s', not '%s'", from, to, r.why, why);
	record_reader_free(&r);
	free(s);
}

static void test_record_fields(void **state)
{
	(void)state;
	/* Fields the format may have or not, and unknown ones. */
	reads_as(EXEC_OK, "\"cwd\":\"/tmp\",", "", RECORD_EVENT, NULL);
	reads_as(EXEC_OK, "\"exe\":\"/usr/bin/ls\"", "\"exe\":\"...bin/ls\",\"exe_truncated\":true",
		 RECORD_EVENT, NULL);
	reads_as(EXEC_OK, "\"truncated\":false", "\"truncated\":true,\"future\":{\"a\":[1]}", RECORD_EVENT,
		 NULL);
	reads_as(EXEC_OK, "\"filename\":\"/usr/bin/ls\"", "\"filename\":null", RECORD_EVENT, NULL);
	reads_as(EXEC_OK, "[\"ls\",\"/\"]", "[null,\"\"]", RECORD_EVENT, NULL);
	reads_as(EXEC_OK, "\"time\":\"2026-12-01T11:10:24.747904937Z\"",
		 "\"time\":\"2026-12-01T12:10:24.5+01:00\"", RECORD_EVENT, NULL);
	reads_as(EXEC_OK, "2026-12-01T11:10:24.747904937Z", "2028-02-29T00:00:00Z", RECORD_EVENT, NULL);
	reads_as(EXIT_OK, "\"max_rss\"", "\"cpu_truncated\":true,\"max_rss\"", RECORD_EVENT, NULL);
	reads_as(EXIT_KILLED, "SIGKILL", "SIG40", RECORD_EVENT, NULL);
	reads_as(EXIT_OK, "\"duration\":0.002172205", "\"duration\":2.172205e-3", RECORD_EVENT, NULL);
	/* Required fields missing, or of the wrong type. */
	reads_as(EXEC_OK, "\"pid\":1510,", "", -EINVAL, "exec record without \"pid\"");
	reads_as(EXEC_OK, "\"argv\":[\"ls\",\"/\"],", "", -EINVAL, "without \"argv\"");
	reads_as(EXEC_OK, "\"retval\":0,", "", -EINVAL, "without \"retval\"");
	reads_as(FORK, "\"comm\":\"sh\"", "\"comm\":\"a\"", RECORD_EVENT, NULL);
	reads_as(FORK, ",\"comm\":\"sh\"", "", -EINVAL, "fork record without \"comm\"");
	reads_as(EXIT_OK, "\"duration\":0.002172205,", "", -EINVAL, "exit record without \"duration\"");
	reads_as(EXEC_OK, "\"pid\":1510", "\"pid\":\"1510\"", -EINVAL,
		 "exec record: \"pid\" is not a whole number");
	reads_as(EXEC_OK, "\"pid\":1510", "\"pid\":-1", -EINVAL, "\"pid\"");
	reads_as(EXEC_OK, "\"pid\":1510", "\"pid\":4294967296", -EINVAL, "\"pid\"");
	reads_as(EXEC_OK, "[\"ls\",\"/\"]", "[\"ls\",1]", -EINVAL, "argv[1]");
	reads_as(EXEC_OK, "[\"ls\",\"/\"]", "\"ls /\"", -EINVAL, "\"argv\"");
	reads_as(EXEC_OK, "\"truncated\":false", "\"truncated\":0", -EINVAL, "\"truncated\"");
	reads_as(EXEC_OK, "\"retval\":0", "\"retval\":2", -EINVAL, "\"retval\"");
	reads_as(EXEC_OK, "\"comm\":\"ls\"", "\"comm\":\"0123456789abcdefg\"", -EINVAL, "\"comm\"");
	reads_as(EXEC_OK, "\"comm\":\"ls\"", "\"comm\":\"0123456789abcdef\"", RECORD_EVENT, NULL);
	/* Identities: three numbers, the first the record's pid (or ppid). */
	reads_as(EXEC_OK, "\"1510-22968382176560-6\"", "\"1511-22968382176560-6\"", -EINVAL,
		 "names pid 1511");
	reads_as(EXEC_OK, "\"1509-22968287209256-5\"", "\"1510-22968287209256-5\"", -EINVAL,
		 "parent_exec_id");
	reads_as(EXEC_OK, "\"1510-22968382176560-6\"", "\"1510-22968382176560\"", -EINVAL, "PID-START-SEQ");
	reads_as(EXEC_OK, "\"1510-22968382176560-6\"", "\"1510-22968382176560-6-\"", -EINVAL,
		 "PID-START-SEQ");
	reads_as(EXEC_OK, "\"1510-22968382176560-6\"", "\"1510--6\"", -EINVAL, "PID-START-SEQ");
	reads_as(EXEC_OK, "\"1510-22968382176560-6\"", "\"1510-99999999999999999999-6\"", -EINVAL,
		 "PID-START-SEQ");
	/* Times. */
	reads_as(EXEC_OK, "2026-12-01T11:10:24.747904937Z", "2026-12-01 11:10:24Z", -EINVAL, "\"time\"");
	reads_as(EXEC_OK, "2026-12-01T11:10:24.747904937Z", "2026-02-29T11:10:24Z", -EINVAL, "\"time\"");
	reads_as(EXEC_OK, "2026-12-01T11:10:24.747904937Z", "2026-12-01T24:10:24Z", -EINVAL, "\"time\"");
	reads_as(EXEC_OK, "2026-12-01T11:10:24.747904937Z", "2026-12-01T11:10:24.Z", -EINVAL, "\"time\"");
	reads_as(EXEC_OK, "2026-12-01T11:10:24.747904937Z", "2026-12-01T11:10:24", -EINVAL, "\"time\"");
	reads_as(EXEC_OK, "2026-12-01T11:10:24.747904937Z", "1969-12-31T23:59:59Z", -EINVAL, "\"time\"");
	reads_as(EXEC_OK, "2026-12-01T11:10:24.747904937Z", "2026-12-01T11:10:24ZZ", -EINVAL, "\"time\"");
	/* How the process ended: a code or a signal, never both nor neither. */
	reads_as(EXIT_OK, "\"signal\":null", "\"signal\":\"SIGTERM\"", -EINVAL, "both");
	reads_as(EXIT_KILLED, "\"signal\":\"SIGKILL\"", "\"signal\":null", -EINVAL, "neither");
	reads_as(EXIT_KILLED, "SIGKILL", "SIGNOPE", -EINVAL, "names no signal");
	reads_as(EXIT_OK, "\"exit_code\":0", "\"exit_code\":256", -EINVAL, "\"exit_code\"");
	reads_as(EXIT_OK, "\"duration\":0.002172205", "\"duration\":-1", -EINVAL, "\"duration\"");
	reads_as(EXIT_OK, "\"max_rss\":2162688", "\"max_rss\":null", -EINVAL, "\"max_rss\"");
	/* Not records. */
	reads_as(EXEC_OK, "\"type\":\"exec\"", "\"kind\":\"exec\"", -EINVAL, "no \"type\"");
	reads_as(EXEC_OK, "\"type\":\"exec\"", "\"type\":1", -EINVAL, "no \"type\"");
	reads_as(EXEC_OK, "{\"type\"", "[{\"type\"", -EINVAL, "not JSON");
	reads_as(EXEC_OK, "\"comm\":\"ls\"", "\"comm\":\"l\\s\"", -EINVAL, "not JSON: an unknown escape");
	reads_as(EXEC_OK, "{", "[", -EINVAL, "not JSON");
	reads_as(FORK, "{\"type\":\"fork\"", "[{\"type\":\"fork\"", -EINVAL, "not JSON");
}

static void test_record_not_object(void **state)
{
	struct record_reader r;
	struct event ev;
	unsigned long long lost = 0;
	char cut[200];

	(void)state;
	record_reader_init(&r);
	assert_int_equal(read_line(&r, "[1]", &ev, &lost), -EINVAL);
	assert_non_null(strstr(r.why, "not a JSON object"));
	assert_int_equal(read_line(&r, "exectrace: ready", &ev, &lost), -EINVAL);
	assert_non_null(strstr(r.why, "not JSON: an unexpected character at column 1"));
	/* A line cut short, as a recorder killed in the middle of a write leaves it. */
	snprintf(cut, sizeof(cut), "%.*s", 150, EXIT_OK);
	assert_int_equal(read_line(&r, cut, &ev, &lost), -EINVAL);
	assert_non_null(strstr(r.why, "cut short at column 151"));
	/* Good lines after bad ones: nothing of them stays. */
	assert_int_equal(read_line(&r, EXEC_OK, &ev, &lost), RECORD_EVENT);
	assert_int_equal(ev.exec.pid, 1510);
	record_reader_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_surrogates),
	    cmocka_unit_test(test_escaped_bytes),
	    cmocka_unit_test(test_strings_refused),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_seconds),
	    cmocka_unit_test(test_record_exec),
	    cmocka_unit_test(test_record_hostile_argv),
	    cmocka_unit_test(test_record_fork_exit),
	    cmocka_unit_test(test_record_other),
	    cmocka_unit_test(test_record_fields),
	    cmocka_unit_test(test_record_not_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
