// SPDX-License-Identifier: GPL-2.0
/* options.c: every option, every validation message exactly as the user sees it, and no leak on any path. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "exectrace.h"
#include "options.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define MAX_ARGV 32

/* What one options_parse call returned and printed. */
struct run {
	enum options_result res;
	char out[32768];
	char err[4096];
};

/* fd of stream pointed at a temporary file until redirect_end; nothing may assert in between. */
struct redirect {
	FILE *stream, *tmp;
	int fd, saved;
};

static void redirect_begin(struct redirect *r, FILE *stream)
{
	r->stream = stream;
	r->fd = fileno(stream);
	r->tmp = tmpfile();
	assert_non_null(r->tmp);
	assert_int_equal(fflush(stream), 0);
	r->saved = dup(r->fd);
	assert_true(r->saved >= 0);
	assert_true(dup2(fileno(r->tmp), r->fd) >= 0);
}

static void redirect_end(struct redirect *r, char *buf, size_t size)
{
	int flushed = fflush(r->stream), restored = dup2(r->saved, r->fd);
	size_t n;

	close(r->saved);
	assert_int_equal(flushed, 0);
	assert_true(restored >= 0);
	rewind(r->tmp);
	n = fread(buf, 1, size - 1, r->tmp);
	buf[n] = '\0';
	/* All of it fitted. */
	assert_int_equal(fgetc(r->tmp), EOF);
	fclose(r->tmp);
}

/* options_parse on argv (argv[0] included, NULL-terminated), with stdout and stderr captured. */
static void parse_argv(struct options *o, struct run *r, const char *const *args)
{
	char *argv[MAX_ARGV];
	struct redirect out, err;
	int argc = 0;

	while (args[argc]) {
		assert_true(argc < MAX_ARGV - 1);
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	redirect_begin(&out, stdout);
	redirect_begin(&err, stderr);
	r->res = options_parse(argc, argv, o);
	redirect_end(&err, r->err, sizeof(r->err));
	redirect_end(&out, r->out, sizeof(r->out));
	/* argv[0] is given back (getopt may reorder the rest, as GNU programs do). */
	assert_ptr_equal(argv[0], args[0]);
	assert_null(argv[argc]);
}

#define PARSE(o, r, ...) parse_argv(o, r, (const char *const[]){"exectrace", ##__VA_ARGS__, NULL})

/* No memory is left unreachable: regexes, argp's state and our own buffers all freed. */
static void assert_no_leak(void)
{
#ifdef HAVE_LSAN
	assert_int_equal(__lsan_do_recoverable_leak_check(), 0);
#endif
}

/* The result of an error: the exact message (one line) on stderr, nothing on stdout, nothing owned. */
static void assert_error(const struct options *o, const struct run *r, const char *msg)
{
	assert_int_equal(r->res, OPTIONS_ERROR);
	assert_string_equal(r->err, msg);
	assert_string_equal(r->out, "");
	assert_null(o->name_match);
	assert_null(o->line_match);
	assert_no_leak();
}

/* The same when only the start of the message is fixed (the rest is PCRE2's wording). */
static void assert_error_prefix(const struct options *o, const struct run *r, const char *prefix)
{
	size_t len = strlen(r->err);

	assert_int_equal(r->res, OPTIONS_ERROR);
	assert_true(len > strlen(prefix));
	assert_memory_equal(r->err, prefix, strlen(prefix));
	assert_ptr_equal(strchr(r->err, '\n'), r->err + len - 1);
	assert_string_equal(r->out, "");
	assert_null(o->name_match);
	assert_null(o->line_match);
	assert_no_leak();
}

static void assert_ok(const struct run *r)
{
	assert_int_equal(r->res, OPTIONS_OK);
	assert_string_equal(r->err, "");
	assert_string_equal(r->out, "");
}

static void test_defaults(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	/* Garbage in o first: options_parse must set every field itself. */
	memset(&o, 0xa5, sizeof(o));
	PARSE(&o, &r);
	assert_ok(&r);
	assert_false(o.help);
	assert_false(o.json);
	assert_false(o.clock_time);
	assert_false(o.elapsed_time);
	assert_false(o.fails);
	assert_false(o.quote);
	assert_false(o.print_uid);
	assert_false(o.verbose);
	assert_false(o.perf_buffer);
	assert_false(o.forks);
	assert_false(o.exits);
	assert_false(o.filter_uid);
	assert_null(o.name_match);
	assert_null(o.line_match);
	assert_int_equal(o.max_args, -1);
	assert_int_equal(o.argv_bytes, 65536);
	assert_int_equal(o.argv_bytes, ET_ARGV_DEFAULT);
	assert_false(o.argv_bytes_set);
	assert_int_equal(o.buffer_size, 4UL << 20);
	assert_true(o.duration == 0.0);
	assert_null(o.output);
	assert_null(o.cgroup);
	assert_null(o.cgroupmap);
	assert_null(o.mntnsmap);
	assert_int_equal(o.context_groups, CONTEXT_DEFAULT);
	assert_false(o.context_set);
	assert_int_equal(o.ancestors, ET_ANCESTORS_DEFAULT);
	assert_false(o.ancestors_set);
	assert_false(o.env);
	assert_null(o.env_names);
	assert_int_equal(o.env_bytes, ET_ENV_DEFAULT);
	assert_false(o.env_bytes_set);
	options_free(&o);
	assert_no_leak();
}

/* --context: groups by name, all, none; only with -j, and never with --count. */
static void test_context(void **state)
{
	static const struct {
		const char *arg;
		unsigned int groups;
	} good[] = {
	    {"none", 0},
	    {"all", ET_CTX_ALL},
	    {"ids", ET_CTX_IDS},
	    {"session", ET_CTX_SESSION},
	    {"tty", ET_CTX_TTY},
	    {"cwd", ET_CTX_CWD},
	    {"cgroup", ET_CTX_CGROUP},
	    {"ns", ET_CTX_NS},
	    {"caps", ET_CTX_CAPS},
	    {"caps,tty,ids", ET_CTX_CAPS | ET_CTX_TTY | ET_CTX_IDS},
	    {"ids,session,tty,cwd,cgroup,ns,caps", ET_CTX_ALL},
	};
	static const char *const bad[] = {"",	      ",",	  "tty,",    ",tty", "tty,,cwd", "tty,tty",
					  "none,tty", "tty,none", "all,tty", "TTY",  "env",	 "tty cwd"};
	struct options o;
	struct run r;
	char want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		PARSE(&o, &r, "-j", "--context", good[i].arg);
		assert_ok(&r);
		assert_int_equal(o.context_groups, good[i].groups);
		assert_true(o.context_set);
		options_free(&o);
	}
	PARSE(&o, &r, "-j");
	assert_ok(&r);
	assert_int_equal(o.context_groups, CONTEXT_DEFAULT);
	options_free(&o);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want),
			 "exectrace: invalid --context '%s': give groups among ids, session, tty, cwd, "
			 "cgroup, ns, "
			 "caps, or all or none\n",
			 bad[i]);
		PARSE(&o, &r, "-j", "--context", bad[i]);
		assert_error(&o, &r, want);
	}
	PARSE(&o, &r, "--context", "tty");
	assert_error(&o, &r,
		     "exectrace: --context chooses the fields of JSON exec records: it goes with -j\n");
	PARSE(&o, &r, "-j", "--count", "comm", "--context", "all");
	assert_error(&o, &r,
		     "exectrace: --context chooses the fields of JSON exec records: it goes with -j\n");
}

static void test_all_flags(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "-j", "-T", "-t", "-U", "-q", "-x", "-v", "--perf-buffer", "-o", "out.json", "-c",
	      "/sys/fs/cgroup/a", "--cgroupmap", "/sys/fs/bpf/cg", "--mntnsmap", "/sys/fs/bpf/mnt", "-d",
	      "2.5");
	assert_ok(&r);
	assert_true(o.json);
	assert_true(o.clock_time);
	assert_true(o.elapsed_time);
	assert_true(o.print_uid);
	assert_true(o.quote);
	assert_true(o.fails);
	assert_true(o.verbose);
	assert_true(o.perf_buffer);
	assert_false(o.help);
	assert_false(o.filter_uid);
	assert_string_equal(o.output, "out.json");
	assert_string_equal(o.cgroup, "/sys/fs/cgroup/a");
	assert_string_equal(o.cgroupmap, "/sys/fs/bpf/cg");
	assert_string_equal(o.mntnsmap, "/sys/fs/bpf/mnt");
	assert_true(o.duration == 2.5);
	options_free(&o);

	/* Long names, "=" forms and grouped short flags mean the same. */
	PARSE(&o, &r, "-jTx", "--time", "--timestamp", "--print-uid", "--quote", "--verbose", "--output=o2",
	      "--cgroup=/cg2", "--duration=0.25", "-oo3");
	assert_ok(&r);
	assert_true(o.json && o.clock_time && o.elapsed_time && o.print_uid && o.quote && o.fails &&
		    o.verbose);
	assert_false(o.perf_buffer);
	assert_string_equal(o.output, "o3"); /* the last one wins */
	assert_string_equal(o.cgroup, "/cg2");
	assert_true(o.duration == 0.25);
	options_free(&o);
	assert_no_leak();
}

/* Each switch alone sets its own field and no other. */
static void test_each_switch_alone(void **state)
{
	static const struct {
		const char *flag;
		size_t field;
	} switches[] = {
	    {"-j", offsetof(struct options, json)},
	    {"--json", offsetof(struct options, json)},
	    {"-T", offsetof(struct options, clock_time)},
	    {"-t", offsetof(struct options, elapsed_time)},
	    {"-U", offsetof(struct options, print_uid)},
	    {"-q", offsetof(struct options, quote)},
	    {"-x", offsetof(struct options, fails)},
	    {"--fails", offsetof(struct options, fails)},
	    {"-v", offsetof(struct options, verbose)},
	    {"--perf-buffer", offsetof(struct options, perf_buffer)},
	    {"--forks", offsetof(struct options, forks)},
	    {"--exits", offsetof(struct options, exits)},
	};
	static const size_t bools[] = {
	    offsetof(struct options, json),	    offsetof(struct options, clock_time),
	    offsetof(struct options, elapsed_time), offsetof(struct options, print_uid),
	    offsetof(struct options, quote),	    offsetof(struct options, fails),
	    offsetof(struct options, verbose),	    offsetof(struct options, perf_buffer),
	    offsetof(struct options, help),	    offsetof(struct options, filter_uid),
	    offsetof(struct options, forks),	    offsetof(struct options, exits),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(switches) / sizeof(switches[0]); i++) {
		struct options o;
		struct run r;

		PARSE(&o, &r, switches[i].flag);
		assert_ok(&r);
		for (size_t b = 0; b < sizeof(bools) / sizeof(bools[0]); b++) {
			bool v;

			memcpy(&v, (const char *)&o + bools[b], sizeof(v));
			assert_int_equal(v, bools[b] == switches[i].field);
		}
		assert_null(o.output);
		options_free(&o);
	}
}

/* Fork and exit records are trace records: count mode counts execs and refuses them. */
static void test_forks_exits_count(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "--forks", "--exits", "-j", "-n", "sh");
	assert_ok(&r);
	assert_true(o.forks && o.exits);
	options_free(&o);
	PARSE(&o, &r, "--count", "comm", "--exits");
	assert_error(&o, &r,
		     "exectrace: --forks and --exits add records to the trace; --count counts execs only\n");
	PARSE(&o, &r, "--forks", "--count", "uid");
	assert_error(&o, &r,
		     "exectrace: --forks and --exits add records to the trace; --count counts execs only\n");
	assert_no_leak();
}

static void test_metrics(void **state)
{
	static const char bad_listen[] = "exectrace: invalid --metrics '%s': give PORT, IPV4:PORT or "
					 "[IPV6]:PORT (numeric, port 1 to 65535)\n";
	static const char *const bad[] = {"0",	       "65536",		 "x",	  "9464x",
					  ":9464",     "localhost:9464", "[::1]", "::1:9464",
					  "[::1:9464", "1.2.3:80",	 "[]:80", "[1.2.3.4]:80"};
	const struct sockaddr_in *in = NULL;
	const struct sockaddr_in6 *in6 = NULL;
	struct options o;
	struct run r;
	char msg[256];

	(void)state;
	PARSE(&o, &r, "--metrics", "9464");
	assert_ok(&r);
	in = (const struct sockaddr_in *)&o.metrics_addr;
	assert_true(o.metrics && !o.records && o.metrics_addr_len == sizeof(*in));
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 9464);
	assert_int_equal(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_equal(o.metrics_labels, METRICS_L_COMM);
	assert_int_equal(o.metrics_max_series, 1000);
	options_free(&o);
	PARSE(&o, &r, "--metrics", "[::1]:80", "-j", "--metrics-labels", "container,exe,user,cgroup,comm",
	      "--metrics-max-series", "7");
	assert_ok(&r);
	in6 = (const struct sockaddr_in6 *)&o.metrics_addr;
	assert_true(o.records && o.metrics_addr_len == sizeof(*in6));
	assert_int_equal(in6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(in6->sin6_port), 80);
	assert_true(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	assert_int_equal(o.metrics_labels, METRICS_L_COMM | METRICS_L_USER | METRICS_L_EXE |
					       METRICS_L_CGROUP | METRICS_L_CONTAINER);
	assert_int_equal(o.metrics_max_series, 7);
	options_free(&o);
	PARSE(&o, &r, "--metrics", "0.0.0.0:1", "-o", "x");
	assert_ok(&r);
	assert_true(o.records);
	options_free(&o);
	PARSE(&o, &r, "--metrics", "1", "--count", "comm");
	assert_ok(&r);
	assert_false(o.records);
	options_free(&o);
	PARSE(&o, &r);
	assert_ok(&r);
	assert_true(o.records && !o.metrics);
	options_free(&o);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PARSE(&o, &r, "--metrics", bad[i]);
		snprintf(msg, sizeof(msg), bad_listen, bad[i]);
		assert_error(&o, &r, msg);
	}
	PARSE(&o, &r, "--metrics", "1", "--metrics-labels", "comm,comm");
	assert_error(
	    &o, &r,
	    "exectrace: invalid --metrics-labels 'comm,comm': give labels among comm, user, exe, cgroup, "
	    "container\n");
	PARSE(&o, &r, "--metrics", "1", "--metrics-max-series", "0");
	assert_error(&o, &r,
		     "exectrace: invalid --metrics-max-series '0': give a whole number from 1 to 1000000\n");
	PARSE(&o, &r, "--metrics-max-series", "5");
	assert_error(&o, &r, "exectrace: --metrics-labels and --metrics-max-series go with --metrics\n");
	PARSE(&o, &r, "--metrics", "1", "--exits");
	assert_error(&o, &r, "exectrace: --forks and --exits add records: with --metrics, add -j or -o\n");
	PARSE(&o, &r, "--metrics", "1", "-l", "x");
	assert_error(
	    &o, &r,
	    "exectrace: -n and -l select printed execs: with --metrics alone nothing is printed (add -j "
	    "or -o)\n");
	assert_no_leak();
}

static void test_uid(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "-u", "0");
	assert_ok(&r);
	assert_true(o.filter_uid);
	assert_int_equal(o.uid, 0);
	options_free(&o);

	PARSE(&o, &r, "-u", "root");
	assert_ok(&r);
	assert_true(o.filter_uid);
	assert_int_equal(o.uid, 0);
	options_free(&o);

	PARSE(&o, &r, "--uid=1000");
	assert_ok(&r);
	assert_true(o.filter_uid);
	assert_int_equal(o.uid, 1000);
	options_free(&o);

	/* The largest valid uid; (uid_t)-1 means "no uid" to the kernel and is not a number here. */
	PARSE(&o, &r, "-u", "4294967294");
	assert_ok(&r);
	assert_int_equal(o.uid, 4294967294U);
	options_free(&o);
	assert_no_leak();
}

static void test_uid_unknown(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "-u", "nosuchuser_xyz");
	assert_error(
	    &o, &r,
	    "exectrace: unknown user 'nosuchuser_xyz' (give a number for users not in /etc/passwd)\n");
	PARSE(&o, &r, "-u", "4294967295");
	assert_error(&o, &r,
		     "exectrace: unknown user '4294967295' (give a number for users not in /etc/passwd)\n");
	PARSE(&o, &r, "-u", "-1");
	assert_error(&o, &r, "exectrace: unknown user '-1' (give a number for users not in /etc/passwd)\n");
	PARSE(&o, &r, "-u", "");
	assert_error(&o, &r, "exectrace: unknown user '' (give a number for users not in /etc/passwd)\n");
}

static void test_regex_invalid(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "-n", "(");
	assert_error_prefix(&o, &r, "exectrace: invalid regex for -n '(': ");
	PARSE(&o, &r, "-l", "a)");
	assert_error(&o, &r,
		     "exectrace: invalid regex for -l 'a)': unmatched closing parenthesis at offset 1\n");
	/* A valid regex compiled before the failure is freed too. */
	PARSE(&o, &r, "-n", "^sh$", "-l", "x", "-n", "[");
	assert_error_prefix(&o, &r, "exectrace: invalid regex for -n '[': ");
	PARSE(&o, &r, "-n", "^sh$", "-l", "x", "-l", "*+(");
	assert_error_prefix(&o, &r, "exectrace: invalid regex for -l '*+(': ");
	/* Or by a later error of another kind. */
	PARSE(&o, &r, "-n", "^sh$", "-l", "x", "--max-args", "0");
	assert_error(&o, &r, "exectrace: invalid --max-args '0': give a whole number of at least 1\n");
	PARSE(&o, &r, "-n", "^sh$", "-l", "x", "stray");
	assert_error(&o, &r, "exectrace: unexpected argument 'stray' (see --help)\n");
}

static bool matches(struct matcher *m, const char *s)
{
	return matcher_match(m, s, strlen(s)) == MATCH_YES;
}

static void test_regex_match(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "-n", "^(ba)?sh$", "-l", "curl|wget");
	assert_ok(&r);
	assert_non_null(o.name_match);
	assert_non_null(o.line_match);
	/* Extended syntax: (), ? and | are operators. */
	assert_true(matches(o.name_match, "bash"));
	assert_true(matches(o.name_match, "sh"));
	assert_false(matches(o.name_match, "zsh"));
	assert_false(matches(o.name_match, "bashx"));
	assert_false(matches(o.name_match, "(ba)?sh"));
	assert_true(matches(o.line_match, "curl -s https://example.com"));
	assert_true(matches(o.line_match, "/usr/bin/wget x"));
	assert_false(matches(o.line_match, "ls -l"));
	assert_false(matches(o.line_match, "cur wge"));
	options_free(&o);
	assert_null(o.name_match);
	assert_null(o.line_match);

	/* Given twice, the last one is used and the first is freed. */
	PARSE(&o, &r, "-n", "^a$", "--name", "^b$", "-l", "one", "--line=two");
	assert_ok(&r);
	assert_false(matches(o.name_match, "a"));
	assert_true(matches(o.name_match, "b"));
	assert_false(matches(o.line_match, "one"));
	assert_true(matches(o.line_match, "two"));
	options_free(&o);
	/* options_free twice is harmless. */
	options_free(&o);
	assert_no_leak();
}

static void test_max_args(void **state)
{
	static const char *const bad[] = {"0", "-1", "abc", "5x", "", " 3", "+3", "2147483648", "3.0", "1K"};
	struct options o;
	struct run r;
	char want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PARSE(&o, &r, "--max-args", bad[i]);
		snprintf(want, sizeof(want),
			 "exectrace: invalid --max-args '%s': give a whole number of at least 1\n", bad[i]);
		assert_error(&o, &r, want);
	}
	PARSE(&o, &r, "--max-args", "3");
	assert_ok(&r);
	assert_int_equal(o.max_args, 3);
	options_free(&o);
	PARSE(&o, &r, "--max-args=1");
	assert_ok(&r);
	assert_int_equal(o.max_args, 1);
	options_free(&o);
	PARSE(&o, &r, "--max-args", "2147483647");
	assert_ok(&r);
	assert_int_equal(o.max_args, 2147483647L);
	options_free(&o);
}

static void test_argv_bytes(void **state)
{
	static const char *const bad[] = {"2M", "0", "0K", "1048577", "1G", "1x", "-1", "", "K", "1KK"};
	static const struct {
		const char *arg;
		unsigned long v;
	} good[] = {
	    {"1K", 1024}, {"64k", 65536}, {"1", 1}, {"1M", 1048576}, {"1m", 1048576}, {"1048576", 1048576},
	};
	struct options o;
	struct run r;
	char want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PARSE(&o, &r, "--argv-bytes", bad[i]);
		snprintf(want, sizeof(want),
			 "exectrace: invalid --argv-bytes '%s': give a size from 1 to 1M (K and M suffixes "
			 "allowed)\n",
			 bad[i]);
		assert_error(&o, &r, want);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		PARSE(&o, &r, "--argv-bytes", good[i].arg);
		assert_ok(&r);
		assert_int_equal(o.argv_bytes, good[i].v);
		assert_true(o.argv_bytes_set);
		options_free(&o);
	}
}

static void test_buffer_size(void **state)
{
	static const char *const bad[] = {"1K", "2G", "4095", "0", "1025M", "abc", "-4K", "4KB"};
	static const struct {
		const char *arg;
		unsigned long v;
	} good[] = {
	    {"4K", 4096},      {"4096", 4096},	     {"8M", 8UL << 20},
	    {"1G", 1UL << 30}, {"1024m", 1UL << 30}, {"5000", 5000},
	};
	struct options o;
	struct run r;
	char want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PARSE(&o, &r, "--buffer-size", bad[i]);
		snprintf(want, sizeof(want),
			 "exectrace: invalid --buffer-size '%s': give a size from 4K to 1G (K, M, G suffixes "
			 "allowed)\n",
			 bad[i]);
		assert_error(&o, &r, want);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		PARSE(&o, &r, "--buffer-size", good[i].arg);
		assert_ok(&r);
		assert_int_equal(o.buffer_size, good[i].v);
		options_free(&o);
	}
}

static void test_duration(void **state)
{
	static const char *const bad[] = {"0", "-1", "abc", "", "2s", "nan", "inf", "1e10", "-0.5", "0x"};
	struct options o;
	struct run r;
	char want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PARSE(&o, &r, "-d", bad[i]);
		snprintf(want, sizeof(want),
			 "exectrace: invalid duration '%s': give a positive number of seconds\n", bad[i]);
		assert_error(&o, &r, want);
	}
	PARSE(&o, &r, "-d", "2.5");
	assert_ok(&r);
	assert_true(o.duration == 2.5);
	options_free(&o);
	PARSE(&o, &r, "--duration", "60");
	assert_ok(&r);
	assert_true(o.duration == 60.0);
	options_free(&o);
	PARSE(&o, &r, "-d", "0.001");
	assert_ok(&r);
	assert_true(o.duration == 0.001);
	options_free(&o);
}

/* -d and --interval take one plain form, as the whole-number options do: digits with an optional fraction. */
static void test_seconds_grammar(void **state)
{
	static const char *const bad[] = {"0x10",     " 5",    "5 ",  "\t5", "+5",   "-5",    "inf",
					  "infinity", "nan",   "1e3", "1E3", "1e-3", "0x1p3", ".",
					  "",	      "1.2.3", "5..", "1,5", "5s",   "..5"};
	static const struct {
		const char *arg;
		double v;
	} good[] = {{"5", 5}, {"0.5", 0.5}, {".5", 0.5}, {"5.", 5}, {"007", 7}, {"1.25", 1.25}};
	struct options o;
	struct run r;
	char want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PARSE(&o, &r, "-d", bad[i]);
		snprintf(want, sizeof(want),
			 "exectrace: invalid duration '%s': give a positive number of seconds\n", bad[i]);
		assert_error(&o, &r, want);
		PARSE(&o, &r, "--count", "comm", "--interval", bad[i]);
		snprintf(want, sizeof(want),
			 "exectrace: invalid --interval '%s': give a number of seconds, at least 0.1\n",
			 bad[i]);
		assert_error(&o, &r, want);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		PARSE(&o, &r, "-d", good[i].arg);
		assert_ok(&r);
		assert_true(o.duration == good[i].v);
		options_free(&o);
		PARSE(&o, &r, "--count", "comm", "--interval", good[i].arg);
		assert_ok(&r);
		assert_true(o.interval == good[i].v);
		options_free(&o);
	}
}

/* The ranges: -d up to 1e9 seconds, --interval from 0.1 to 1e6. */
static void test_seconds_range(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "-d", "1000000000");
	assert_ok(&r);
	assert_true(o.duration == 1e9);
	options_free(&o);
	PARSE(&o, &r, "-d", "1000000000.5");
	assert_error(&o, &r,
		     "exectrace: invalid duration '1000000000.5': give a positive number of seconds\n");
	PARSE(&o, &r, "-d", "0.000000001");
	assert_ok(&r);
	options_free(&o);
	PARSE(&o, &r, "-d", "0.0000000001");
	assert_error(&o, &r,
		     "exectrace: invalid duration '0.0000000001': give a positive number of seconds\n");
	PARSE(&o, &r, "--count", "comm", "--interval", "0.1");
	assert_ok(&r);
	assert_true(o.interval == 0.1);
	options_free(&o);
	PARSE(&o, &r, "--count", "comm", "--interval", "0.09");
	assert_error(&o, &r,
		     "exectrace: invalid --interval '0.09': give a number of seconds, at least 0.1\n");
	PARSE(&o, &r, "--count", "comm", "--interval", "1000000");
	assert_ok(&r);
	assert_true(o.interval == 1e6);
	options_free(&o);
	PARSE(&o, &r, "--count", "comm", "--interval", "1000001");
	assert_error(&o, &r,
		     "exectrace: invalid --interval '1000001': give a number of seconds, at least 0.1\n");
}

static void test_perf_buffer_argv_bytes(void **state)
{
	struct options o;
	struct run r;
	unsigned long perf_max;
	char arg[32], want[256];

	(void)state;
	/* Alone, --perf-buffer lowers the default to what one perf sample can carry. */
	PARSE(&o, &r, "--perf-buffer");
	assert_ok(&r);
	perf_max = o.argv_bytes;
	assert_true(perf_max < 65536);
	assert_true(perf_max > 32768);
	assert_int_equal(perf_max % 1024, 0);
	assert_false(o.argv_bytes_set);
	/* A whole record (header, filename, exe, cwd, argv) still fits one sample. */
	assert_true(sizeof(struct et_record) + sizeof(struct et_context) + 3 * ET_PATH_MAX + perf_max <=
		    ET_PERF_RECORD_MAX);
	options_free(&o);

	/* Asked for explicitly, more than that is an error, whatever the order. */
	snprintf(want, sizeof(want),
		 "exectrace: --argv-bytes is at most %luK with --perf-buffer (a perf record holds 64K)\n",
		 perf_max >> 10);
	PARSE(&o, &r, "--perf-buffer", "--argv-bytes", "64K");
	assert_error(&o, &r, want);
	PARSE(&o, &r, "--argv-bytes", "64K", "--perf-buffer");
	assert_error(&o, &r, want);
	snprintf(arg, sizeof(arg), "%lu", perf_max + 1);
	PARSE(&o, &r, "--perf-buffer", "--argv-bytes", arg);
	assert_error(&o, &r, want);

	/* Up to it is fine. */
	snprintf(arg, sizeof(arg), "%lu", perf_max);
	PARSE(&o, &r, "--perf-buffer", "--argv-bytes", arg);
	assert_ok(&r);
	assert_int_equal(o.argv_bytes, perf_max);
	options_free(&o);
	PARSE(&o, &r, "--argv-bytes", "16K", "--perf-buffer");
	assert_ok(&r);
	assert_int_equal(o.argv_bytes, 16384);
	options_free(&o);
	/* Without --perf-buffer the ring buffer takes up to 1M. */
	PARSE(&o, &r, "--argv-bytes", "64K");
	assert_ok(&r);
	assert_int_equal(o.argv_bytes, 65536);
	options_free(&o);
}

static void test_ancestors(void **state)
{
	static const char *const bad[] = {"", "x", "-1", "+3", "65", "1K", " 3", "3 "};
	struct options o;
	struct run r;
	char want[160];

	(void)state;
	PARSE(&o, &r, "-j", "--ancestors", "0");
	assert_ok(&r);
	assert_int_equal(o.ancestors, 0);
	assert_true(o.ancestors_set);
	options_free(&o);
	PARSE(&o, &r, "-j", "--ancestors=64");
	assert_ok(&r);
	assert_int_equal(o.ancestors, 64);
	options_free(&o);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want),
			 "exectrace: invalid --ancestors '%s': give a whole number from 0 to 64\n", bad[i]);
		PARSE(&o, &r, "-j", "--ancestors", bad[i]);
		assert_error(&o, &r, want);
	}
	/* Only JSON exec records show them. */
	PARSE(&o, &r, "--ancestors", "3");
	assert_error(&o, &r,
		     "exectrace: --env and --ancestors add to JSON exec records: use them with -j, without "
		     "--count\n");
	PARSE(&o, &r, "-j", "--count", "comm", "--ancestors", "3");
	assert_error(&o, &r,
		     "exectrace: --env and --ancestors add to JSON exec records: use them with -j, without "
		     "--count\n");
}

static void test_env(void **state)
{
	static const char *const bad[] = {"", ",", "A,", ",A", "A,,B", "A=1", "A,B=", "="};
	struct options o;
	struct run r;
	char want[200], arg[32];

	(void)state;
	PARSE(&o, &r, "-j", "--env");
	assert_ok(&r);
	assert_true(o.env);
	assert_null(o.env_names);
	options_free(&o);
	PARSE(&o, &r, "-j", "--env=PATH,HOME,LC_ALL");
	assert_ok(&r);
	assert_true(o.env);
	assert_string_equal(o.env_names, "PATH,HOME,LC_ALL");
	options_free(&o);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(
		    want, sizeof(want),
		    "exectrace: invalid --env '%s': give variable names separated by commas, without '=' "
		    "(--env=PATH,HOME)\n",
		    bad[i]);
		snprintf(arg, sizeof(arg), "--env=%s", bad[i]);
		PARSE(&o, &r, "-j", arg);
		assert_error(&o, &r, want);
	}
	/* argp takes an optional argument after '=' only: the names as a word of their own are refused. */
	PARSE(&o, &r, "-j", "--env", "PATH");
	assert_error(&o, &r, "exectrace: unexpected argument 'PATH': name variables as --env=PATH\n");
	PARSE(&o, &r, "--env");
	assert_error(&o, &r,
		     "exectrace: --env and --ancestors add to JSON exec records: use them with -j, without "
		     "--count\n");

	PARSE(&o, &r, "-j", "--env", "--env-bytes", "4K");
	assert_ok(&r);
	assert_int_equal(o.env_bytes, 4096);
	assert_true(o.env_bytes_set);
	options_free(&o);
	PARSE(&o, &r, "-j", "--env", "--env-bytes", "1M");
	assert_ok(&r);
	assert_int_equal(o.env_bytes, ET_ENV_CAP);
	options_free(&o);
	PARSE(&o, &r, "-j", "--env", "--env-bytes", "2M");
	assert_error(
	    &o, &r,
	    "exectrace: invalid --env-bytes '2M': give a size from 1 to 1M (K and M suffixes allowed)\n");
	PARSE(&o, &r, "-j", "--env", "--env-bytes", "0");
	assert_error(
	    &o, &r,
	    "exectrace: invalid --env-bytes '0': give a size from 1 to 1M (K and M suffixes allowed)\n");
	PARSE(&o, &r, "-j", "--env-bytes", "4K");
	assert_error(&o, &r, "exectrace: --env-bytes goes with --env\n");
}

/* With the perf buffer, argv and the environment share one sample's room. */
static void test_perf_buffer_env(void **state)
{
	struct options o;
	struct run r;
	unsigned long room = ET_PERF_ROOM(ET_ANCESTORS_DEFAULT);
	char want[200];

	(void)state;
	PARSE(&o, &r, "-j", "--perf-buffer", "--env");
	assert_ok(&r);
	assert_int_equal(o.env_bytes, ET_ENV_DEFAULT);
	assert_int_equal(o.argv_bytes, room - ET_ENV_DEFAULT);
	assert_true(sizeof(struct et_record) + 3 * ET_PATH_MAX +
			ET_ANCESTORS_DEFAULT * sizeof(struct et_ancestor) + o.argv_bytes + o.env_bytes <=
		    ET_PERF_RECORD_MAX);
	options_free(&o);
	/* The default ancestors leave the room --perf-buffer had without them. */
	assert_int_equal(room, ET_PERF_ROOM(0));
	PARSE(&o, &r, "-j", "--perf-buffer", "--ancestors", "64", "--env", "--env-bytes", "8K");
	assert_ok(&r);
	assert_int_equal(o.argv_bytes, ET_PERF_ROOM(64) - 8192);
	options_free(&o);

	snprintf(want, sizeof(want),
		 "exectrace: --argv-bytes is at most %luK with --perf-buffer (a perf record holds 64K, the "
		 "environment included)\n",
		 (room - ET_ENV_DEFAULT) >> 10);
	PARSE(&o, &r, "-j", "--perf-buffer", "--env", "--argv-bytes", "32K");
	assert_error(&o, &r, want);
	snprintf(want, sizeof(want),
		 "exectrace: --env-bytes is at most %luK with --perf-buffer (a perf record holds 64K)\n",
		 (room - 1024) >> 10);
	PARSE(&o, &r, "-j", "--perf-buffer", "--env", "--env-bytes", "64K");
	assert_error(&o, &r, want);
}

static void test_unknown_option(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "--bogus");
	assert_int_equal(r.res, OPTIONS_ERROR);
	assert_non_null(strstr(r.err, "unrecognized option"));
	assert_memory_equal(r.err, "exectrace: unrecognized option '--bogus'\n",
			    strlen("exectrace: unrecognized option '--bogus'\n"));
	assert_string_equal(r.out, "");
	assert_no_leak();

	PARSE(&o, &r, "-j", "-Z");
	assert_int_equal(r.res, OPTIONS_ERROR);
	assert_memory_equal(r.err, "exectrace: invalid option -- 'Z'\n",
			    strlen("exectrace: invalid option -- 'Z'\n"));
	assert_string_equal(r.out, "");
	assert_no_leak();

	/* --btf is gone: the programs need the running kernel's own BTF, which no file can stand in for. */
	PARSE(&o, &r, "--btf", "/tmp/k.btf");
	assert_int_equal(r.res, OPTIONS_ERROR);
	assert_memory_equal(r.err, "exectrace: unrecognized option '--btf'\n",
			    strlen("exectrace: unrecognized option '--btf'\n"));
	assert_no_leak();

	/* An option without its argument. */
	PARSE(&o, &r, "-n", "x", "--max-args");
	assert_int_equal(r.res, OPTIONS_ERROR);
	assert_non_null(strstr(r.err, "exectrace: option '--max-args' requires an argument\n"));
	assert_null(o.name_match);
	assert_no_leak();
}

/* The hint printed after "unrecognized option" names options that work (argp's text mentions --usage). */
static void test_unknown_option_hint(void **state)
{
	struct options o;
	struct run r;
	char hint[sizeof(r.err)];
	const char *p;
	int named = 0;

	(void)state;
	PARSE(&o, &r, "--bogus");
	assert_int_equal(r.res, OPTIONS_ERROR);
	p = strchr(r.err, '\n');
	assert_non_null(p);
	strcpy(hint, p + 1);
	for (p = strstr(hint, "--"); p; p = strstr(p + 2, "--")) {
		char opt[32];
		size_t len = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");

		assert_true(len > 0 && len < sizeof(opt) - 2);
		memcpy(opt, p, len + 2);
		opt[len + 2] = '\0';
		PARSE(&o, &r, opt);
		assert_int_equal(r.res, OPTIONS_EXIT);
		assert_string_equal(r.err, "");
		assert_non_null(strstr(r.out, "Usage: exectrace"));
		named++;
	}
	assert_true(named > 0);

	/* --usage: the short form, on stdout. */
	PARSE(&o, &r, "--usage");
	assert_int_equal(r.res, OPTIONS_EXIT);
	assert_string_equal(r.err, "");
	assert_memory_equal(r.out, "Usage: exectrace", strlen("Usage: exectrace"));
	assert_non_null(strstr(r.out, "[--argv-bytes=SIZE]"));
	/* Not listed in the help: argp's hint is what names it. */
	PARSE(&o, &r, "--help");
	assert_null(strstr(r.out, "--usage"));
	assert_no_leak();
}

static void test_positional(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "foo");
	assert_error(&o, &r, "exectrace: unexpected argument 'foo' (see --help)\n");
	PARSE(&o, &r, "-j", "foo", "-x");
	assert_error(&o, &r, "exectrace: unexpected argument 'foo' (see --help)\n");
}

/* "-- CMD ARG...": the command, its own options included, with forks and exits on. */
static void test_command(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "-j", "--", "sh", "-c", "exit 3", "-x");
	assert_int_equal(r.res, OPTIONS_OK);
	assert_string_equal(o.command[0], "sh");
	assert_string_equal(o.command[3], "-x");
	assert_null(o.command[4]);
	assert_true(o.json && o.forks && o.exits && !o.fails);
	options_free(&o);
	PARSE(&o, &r, "--count", "comm", "--user", "nobody", "--", "make");
	assert_int_equal(r.res, OPTIONS_OK);
	assert_string_equal(o.run_user, "nobody");
	assert_true(!o.forks && !o.exits);
	options_free(&o);
	PARSE(&o, &r, "--user", "nobody");
	assert_error(&o, &r, "exectrace: --user goes with a command (-- CMD)\n");
	PARSE(&o, &r, "--cgroup", "/sys/fs/cgroup", "--", "true");
	assert_error(
	    &o, &r,
	    "exectrace: -u, --cgroup, --cgroupmap and --mntnsmap choose processes system-wide; with -- "
	    "CMD the command's tree is traced (select records with -n or -l)\n");
}

/* --tree, --html and --perfetto: drawn from records, with forks, exits and failed execs turned on. */
static void test_pictures(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "--tree");
	assert_int_equal(r.res, OPTIONS_OK);
	assert_true(o.tree && o.pictures && o.records && o.forks && o.exits && o.fails);
	assert_null(o.html);
	options_free(&o);
	PARSE(&o, &r, "--html", "run.html", "--perfetto", "run.pftrace", "--", "make");
	assert_int_equal(r.res, OPTIONS_OK);
	assert_string_equal(o.html, "run.html");
	assert_string_equal(o.perfetto, "run.pftrace");
	assert_true(!o.tree && o.pictures && o.forks && o.exits && o.fails && !o.json);
	options_free(&o);
	PARSE(&o, &r, "-j");
	assert_int_equal(r.res, OPTIONS_OK);
	assert_true(!o.pictures && !o.forks && !o.exits && !o.fails);
	options_free(&o);
	/* With --metrics, records flow only with -j or -o. */
	PARSE(&o, &r, "--metrics", "9464", "-o", "x.log", "--tree");
	assert_int_equal(r.res, OPTIONS_OK);
	assert_true(o.pictures && o.records);
	options_free(&o);
	PARSE(&o, &r, "--tree", "--count", "comm");
	assert_error(
	    &o, &r,
	    "exectrace: --tree, --html and --perfetto draw the traced processes; --count counts execs "
	    "only\n");
	PARSE(&o, &r, "--count", "uid", "--perfetto", "p", "--", "true");
	assert_error(
	    &o, &r,
	    "exectrace: --tree, --html and --perfetto draw the traced processes; --count counts execs "
	    "only\n");
	PARSE(&o, &r, "--html", "x", "--perfetto", "x");
	assert_error(&o, &r, "exectrace: --html, --perfetto and -o each need a file of their own\n");
	PARSE(&o, &r, "-o", "x", "--perfetto", "x");
	assert_error(&o, &r, "exectrace: --html, --perfetto and -o each need a file of their own\n");
	PARSE(&o, &r, "--metrics", "9464", "--html", "x.html");
	assert_error(
	    &o, &r,
	    "exectrace: --tree, --html and --perfetto are drawn from records: with --metrics, add -j or "
	    "-o\n");
}

static void test_help(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "-h");
	assert_int_equal(r.res, OPTIONS_EXIT);
	assert_true(o.help);
	assert_string_equal(r.err, "");
	assert_non_null(strstr(r.out, "Usage: exectrace"));
	assert_non_null(strstr(r.out, "--argv-bytes"));
	assert_non_null(strstr(r.out, "--perf-buffer"));
	assert_non_null(strstr(r.out, "Examples:"));
	assert_no_leak();

	/* --help too, and with other options given; help wins over running. */
	PARSE(&o, &r, "-n", "sh", "--help", "-j");
	assert_int_equal(r.res, OPTIONS_EXIT);
	assert_null(o.name_match);
	assert_string_equal(r.err, "");
	assert_non_null(strstr(r.out, "--argv-bytes"));
	assert_no_leak();
}

/* -V and --version: nothing printed by the parser (main prints it), status 0; --help wins over it. */
static void test_version(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	PARSE(&o, &r, "-V");
	assert_int_equal(r.res, OPTIONS_VERSION);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	PARSE(&o, &r, "-n", "sh", "--version", "-j");
	assert_int_equal(r.res, OPTIONS_VERSION);
	assert_null(o.name_match);
	assert_no_leak();
	PARSE(&o, &r, "--version", "--help");
	assert_int_equal(r.res, OPTIONS_EXIT);
	assert_non_null(strstr(r.out, "--version"));
	PARSE(&o, &r, "-V", "extra");
	assert_error(&o, &r, "exectrace: unexpected argument 'extra' (see --help)\n");
}

/* Messages say "exectrace:" however the program was invoked, and argv[0] is given back. */
static void test_argv0(void **state)
{
	struct options o;
	struct run r;

	(void)state;
	parse_argv(&o, &r, (const char *const[]){"/usr/local/sbin/et-renamed", "--max-args", "x", NULL});
	assert_error(&o, &r, "exectrace: invalid --max-args 'x': give a whole number of at least 1\n");
	parse_argv(&o, &r, (const char *const[]){"./et", "-j", NULL});
	assert_ok(&r);
	assert_true(o.json);
	options_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_context),
	    cmocka_unit_test(test_all_flags),
	    cmocka_unit_test(test_each_switch_alone),
	    cmocka_unit_test(test_uid),
	    cmocka_unit_test(test_uid_unknown),
	    cmocka_unit_test(test_regex_invalid),
	    cmocka_unit_test(test_regex_match),
	    cmocka_unit_test(test_max_args),
	    cmocka_unit_test(test_argv_bytes),
	    cmocka_unit_test(test_buffer_size),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_seconds_grammar),
	    cmocka_unit_test(test_seconds_range),
	    cmocka_unit_test(test_perf_buffer_argv_bytes),
	    cmocka_unit_test(test_ancestors),
	    cmocka_unit_test(test_env),
	    cmocka_unit_test(test_perf_buffer_env),
	    cmocka_unit_test(test_unknown_option),
	    cmocka_unit_test(test_unknown_option_hint),
	    cmocka_unit_test(test_positional),
	    cmocka_unit_test(test_command),
	    cmocka_unit_test(test_pictures),
	    cmocka_unit_test(test_help),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_argv0),
	    cmocka_unit_test(test_forks_exits_count),
	    cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
