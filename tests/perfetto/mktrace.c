// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the Perfetto trace of a known history to the file argv[1], for test_perfetto.py to decode with
 * protoc and check against the same tree, described there in PROCS. Times are ns after BASE, on the history's
 * clock.
 *
 *   make 100 (exit 2)                 a root: made by its exec at its start
 *     sh 101 (exit 0)                 forked by make, then exec'd sh
 *       gcc-12 102 (exit 0)           a failed exec (ENOENT), then cc, then gcc-12
 *       make 103 (SIGSEGV, core)      a subshell: never exec'd, named by its comm
 *     sleep 104 (running)             still running at the run's end
 *     printf 105 (exit 0)             argv with bytes that are not UTF-8, a newline, U+202E; cut (truncated)
 *   cron 200 (exit 0)                 a second root, started before the run
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pictures.h"

/* The run's start, on the wall clock. */
#define BASE 1700000001000000000ull
#define MS   1000000ull

#define S(lit)                                                                                               \
	{                                                                                                    \
		.s = (char *)(lit), .len = sizeof(lit) - 1                                                   \
	}
#define UNREADABLE                                                                                           \
	{                                                                                                    \
		.s = NULL, .len = 0                                                                          \
	}
#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct hist_str argv_make[] = {S("make"), S("-j2"), S("all")};
static struct hist_str argv_sh[] = {S("sh"), S("-c"), S("cc -c a.c")};
static struct hist_str argv_cc[] = {S("cc"), S("-c"), S("a.c")};
static struct hist_str argv_gcc[] = {S("gcc-12"), S("-c"), S("a.c"), UNREADABLE};
static struct hist_str argv_sleep[] = {S("sleep"), S("100")};
static struct hist_str argv_printf[] = {S("printf"), S("caf\xe9\n"), S("\xe2\x80\xae")};
static struct hist_str argv_cron[] = {S("cron"), S("-f")};

static struct hist_exec exec_make[] = {
    {.time_ns = BASE, .argv = argv_make, .argc = N(argv_make), .exe = S("/usr/bin/make"), .cwd = S("/src")}};
static struct hist_exec exec_sh[] = {{.time_ns = BASE + 150 * MS,
				      .argv = argv_sh,
				      .argc = N(argv_sh),
				      .exe = S("/usr/bin/dash"),
				      .cwd = S("/src")}};
static struct hist_exec exec_gcc[] = {{.time_ns = BASE + 220 * MS,
				       .argv = argv_cc,
				       .argc = N(argv_cc),
				       .exe = S("/usr/bin/cc"),
				       .cwd = S("/src")},
				      {.time_ns = BASE + 230 * MS,
				       .argv = argv_gcc,
				       .argc = N(argv_gcc),
				       .exe = S("/usr/bin/gcc-12"),
				       .cwd = S("/src")}};
static struct hist_failed_exec failed_gcc[] = {{.time_ns = BASE + 210 * MS,
						.filename = S("/usr/local/bin/cc"),
						.argv = argv_cc,
						.argc = N(argv_cc),
						.error = ENOENT}};
static struct hist_exec exec_sleep[] = {{.time_ns = BASE + 2010 * MS,
					 .argv = argv_sleep,
					 .argc = N(argv_sleep),
					 .exe = S("/usr/bin/sleep"),
					 .cwd = UNREADABLE}};
static struct hist_exec exec_printf[] = {{.time_ns = BASE + 5010 * MS,
					  .argv = argv_printf,
					  .argc = N(argv_printf),
					  .truncated = true,
					  .exe = S("/usr/bin/printf"),
					  .cwd = S("/src")}};
static struct hist_exec exec_cron[] = {{.time_ns = BASE - 500 * MS,
					.argv = argv_cron,
					.argc = N(argv_cron),
					.exe = S("/usr/sbin/cron"),
					.cwd = S("/")}};

int main(int argc, char **argv)
{
	struct hist_proc p[7] = {
	    {.pid = 100,
	     .ppid = 99,
	     .comm = "make",
	     .start_ns = BASE,
	     .end_ns = BASE + 9000 * MS,
	     .exit_code = 2,
	     .execs = exec_make,
	     .nexecs = 1},
	    {.pid = 101,
	     .ppid = 100,
	     .comm = "sh",
	     .start_ns = BASE + 100 * MS,
	     .end_ns = BASE + 4000 * MS,
	     .execs = exec_sh,
	     .nexecs = 1},
	    {.pid = 102,
	     .ppid = 101,
	     .comm = "gcc-12",
	     .start_ns = BASE + 200 * MS,
	     .end_ns = BASE + 3000 * MS,
	     .execs = exec_gcc,
	     .nexecs = 2,
	     .failed = failed_gcc,
	     .nfailed = 1,
	     .have_usage = true,
	     .cpu_user_ns = 700 * MS,
	     .cpu_system_ns = 50 * MS,
	     .max_rss = 50 << 20},
	    {.pid = 103,
	     .ppid = 101,
	     .comm = "make",
	     .start_ns = BASE + 3100 * MS,
	     .end_ns = BASE + 3500 * MS,
	     .exit_code = -1,
	     .signal = 11,
	     .core_dumped = true},
	    {.pid = 104,
	     .ppid = 100,
	     .comm = "sleep",
	     .start_ns = BASE + 2000 * MS,
	     .execs = exec_sleep,
	     .nexecs = 1},
	    {.pid = 105,
	     .ppid = 100,
	     .comm = "printf",
	     .start_ns = BASE + 5000 * MS,
	     .end_ns = BASE + 5500 * MS,
	     .execs = exec_printf,
	     .nexecs = 1},
	    {.pid = 200,
	     .ppid = 1,
	     .comm = "cron",
	     .start_ns = BASE - 500 * MS,
	     .end_ns = BASE + 8000 * MS,
	     .execs = exec_cron,
	     .nexecs = 1},
	};
	/* Start order, as history_finish leaves it. */
	struct hist_proc *procs[] = {&p[6], &p[0], &p[1], &p[2], &p[4], &p[3], &p[5]};
	struct history h = {.procs = procs,
			    .nprocs = N(procs),
			    .cap = N(procs),
			    .start_ns = BASE,
			    .end_ns = BASE + 9500 * MS};
	FILE *f;
	int ret = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: mktrace FILE\n");
		return 2;
	}
	for (size_t i = 0; i < N(p); i++)
		p[i].ended = i != 4;
	/* The links history_finish makes: parents, children in start order. */
	p[1].parent = p[4].parent = p[5].parent = &p[0];
	p[2].parent = p[3].parent = &p[1];
	p[0].first_child = &p[1];
	p[1].next_sibling = &p[4];
	p[4].next_sibling = &p[5];
	p[1].first_child = &p[2];
	p[2].next_sibling = &p[3];
	f = fopen(argv[1], "w");
	if (!f || perfetto_write(f, &h))
		ret = 1;
	if (f && fclose(f))
		ret = 1;
	if (ret)
		fprintf(stderr, "mktrace: %s: %s\n", argv[1], strerror(errno));
	return ret;
}
