// SPDX-License-Identifier: GPL-2.0
/* The run's history: processes made of fork, exec and exit events by docs/timeline.md's rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "history.h"

#define MS 1000000ULL

/* A process's start_time (the key with its pid) in these tests: its pid times 1000. */
#define START(pid) ((unsigned long long)(pid)*1000)

static struct event fork_of(unsigned int pid, unsigned int ppid, unsigned long long t, const char *comm)
{
	struct event e = {.type = EVENT_FORK};

	e.fork.ktime_ns = t;
	e.fork.pid = pid;
	e.fork.ppid = ppid;
	e.fork.ids = (struct exec_ids){START(pid), 7, START(ppid), 7};
	snprintf(e.fork.comm, sizeof(e.fork.comm), "%s", comm);
	return e;
}

/* An exec of pid (its parent ppid) with SEQ seq and args; retval < 0 for a failed one. */
static struct event exec_of(unsigned int pid, unsigned int ppid, unsigned long long t, unsigned long long seq,
			    struct arg *args, size_t nargs, int retval)
{
	struct event e = {.type = EVENT_EXEC};
	struct exec_event *x = &e.exec;

	x->ktime_ns = t;
	x->pid = pid;
	x->ppid = ppid;
	x->ids = (struct exec_ids){START(pid), seq, START(ppid), 7};
	x->retval = retval;
	snprintf(x->comm, sizeof(x->comm), "%.*s", (int)(nargs ? args[0].len : 0), nargs ? args[0].s : "");
	x->filename = nargs ? args[0].s : "";
	x->filename_len = nargs ? args[0].len : 0;
	if (retval >= 0) {
		x->exe = "/usr/bin/x";
		x->exe_len = strlen(x->exe);
		x->cwd = "/tmp";
		x->cwd_len = strlen(x->cwd);
	}
	x->argc = (unsigned int)nargs;
	x->nargs = nargs;
	x->args = args;
	return e;
}

static struct event exit_of(unsigned int pid, unsigned int ppid, unsigned long long t,
			    unsigned long long since, int code, int sig)
{
	struct event e = {.type = EVENT_EXIT};

	e.exit.ktime_ns = t;
	e.exit.pid = pid;
	e.exit.ppid = ppid;
	e.exit.ids = (struct exec_ids){START(pid), 8, START(ppid), 7};
	snprintf(e.exit.comm, sizeof(e.exit.comm), "done");
	e.exit.exit_code = code;
	e.exit.signal = sig;
	e.exit.core_dumped = sig != 0;
	e.exit.since_ns = since;
	e.exit.cpu_user_ns = 3 * MS;
	e.exit.cpu_system_ns = 2 * MS;
	e.exit.max_rss = 4096;
	return e;
}

static void add(struct history *h, struct event e)
{
	assert_int_equal(history_add(h, &e), 0);
}

static void assert_str(const struct hist_str *s, const char *want)
{
	assert_non_null(s->s);
	assert_int_equal(s->len, strlen(want));
	assert_memory_equal(s->s, want, s->len);
}

static void test_fork_exec_exit(void **state)
{
	char buf[] = "make\0-j4";
	struct arg args[] = {{buf, 4, false}, {buf + 5, 3, false}};
	struct history h;
	struct hist_proc *p;

	(void)state;
	history_init(&h);
	add(&h, fork_of(20, 10, 5 * MS, "sh"));
	add(&h, exec_of(20, 10, 6 * MS, 8, args, 2, 0));
	/* The decoder reuses its buffer for the next record: the history kept its own copy. */
	memset(buf, 'X', sizeof(buf));
	add(&h, exit_of(20, 10, 9 * MS, 6 * MS, 2, 0));
	history_finish(&h);

	assert_int_equal(h.nprocs, 1);
	p = history_find(&h, 20, START(20));
	assert_ptr_equal(p, h.procs[0]);
	assert_int_equal(p->ppid, 10);
	assert_null(p->parent);
	assert_int_equal(p->id_seq, 7); /* the fork's exec_id */
	assert_int_equal(p->start_ns, 5 * MS);
	assert_true(p->ended);
	assert_int_equal(p->end_ns, 9 * MS);
	assert_int_equal(p->exit_code, 2);
	assert_int_equal(p->signal, 0);
	assert_string_equal(p->comm, "done"); /* the exit's name is the last */
	assert_true(p->have_usage);
	assert_int_equal(p->cpu_user_ns, 3 * MS);
	assert_int_equal(p->cpu_system_ns, 2 * MS);
	assert_int_equal(p->max_rss, 4096);
	assert_int_equal(p->nexecs, 1);
	assert_int_equal(p->execs[0].time_ns, 6 * MS);
	assert_int_equal(p->execs[0].exec_seq, 8);
	assert_int_equal(p->execs[0].argc, 2);
	assert_str(&p->execs[0].argv[0], "make");
	assert_str(&p->execs[0].argv[1], "-j4");
	assert_str(&p->execs[0].exe, "/usr/bin/x");
	assert_str(&p->execs[0].cwd, "/tmp");
	assert_false(p->execs[0].truncated);
	assert_int_equal(p->nfailed, 0);
	/* The run's span from the records, as the caller gave none. */
	assert_int_equal(h.start_ns, 5 * MS);
	assert_int_equal(h.end_ns, 9 * MS);
	history_free(&h);
	assert_int_equal(h.nprocs, 0);
	assert_null(h.procs);
}

static void test_exec_after_exec(void **state)
{
	struct arg first[] = {{"sh", 2, false}, {"-c", 2, false}}, second[] = {{"cc1", 3, false}};
	struct history h;
	struct hist_proc *p;

	(void)state;
	history_init(&h);
	add(&h, exec_of(30, 1, 10 * MS, 4, first, 2, 0));
	add(&h, exec_of(30, 1, 11 * MS, 5, second, 1, 0));
	history_finish(&h);
	p = history_find(&h, 30, START(30));
	assert_non_null(p);
	assert_int_equal(h.nprocs, 1);
	assert_int_equal(p->start_ns, 10 * MS); /* no fork seen: its first exec */
	assert_int_equal(p->id_seq, 4);		/* the first exec's exec_id */
	assert_string_equal(p->comm, "cc1");
	assert_false(p->ended);
	assert_int_equal(p->nexecs, 2);
	assert_int_equal(p->execs[0].exec_seq, 4);
	assert_int_equal(p->execs[0].argc, 2);
	assert_str(&p->execs[0].argv[1], "-c");
	assert_int_equal(p->execs[1].exec_seq, 5);
	assert_int_equal(p->execs[1].time_ns, 11 * MS);
	assert_str(&p->execs[1].argv[0], "cc1");
	history_free(&h);
}

static void test_failed_exec(void **state)
{
	struct arg args[] = {{"/nope", 5, false}, {"x", 1, false}}, ok[] = {{"true", 4, false}};
	struct history h;
	struct event e;
	struct hist_proc *p;

	(void)state;
	history_init(&h);
	/* Its exec_id is the caller's: it makes the process when new, under that id. */
	add(&h, exec_of(40, 1, 1 * MS, 9, args, 2, -2));
	e = exec_of(40, 1, 2 * MS, 9, args, 1, -13);
	e.exec.filename_unreadable = true;
	e.exec.truncated = true;
	add(&h, e);
	add(&h, exec_of(40, 1, 3 * MS, 10, ok, 1, 0));
	history_finish(&h);
	assert_int_equal(h.nprocs, 1);
	p = h.procs[0];
	assert_int_equal(p->id_seq, 9);
	assert_int_equal(p->start_ns, 1 * MS);
	assert_int_equal(p->nfailed, 2);
	assert_int_equal(p->failed[0].time_ns, 1 * MS);
	assert_int_equal(p->failed[0].error, 2);
	assert_str(&p->failed[0].filename, "/nope");
	assert_int_equal(p->failed[0].argc, 2);
	assert_str(&p->failed[0].argv[1], "x");
	assert_false(p->failed[0].truncated);
	assert_int_equal(p->failed[1].error, 13);
	assert_null(p->failed[1].filename.s);
	assert_true(p->failed[1].truncated);
	/* The failed ones are not execs: the one that succeeded is the only one. */
	assert_int_equal(p->nexecs, 1);
	assert_int_equal(p->execs[0].exec_seq, 10);
	history_free(&h);
}

static void test_known_from_exit_alone(void **state)
{
	struct history h;
	struct hist_proc *p;

	(void)state;
	history_init(&h);
	/* Exited at 50 ms after running 30 ms since its start (since_exec false). */
	add(&h, exit_of(50, 1, 50 * MS, 20 * MS, -1, 9));
	history_finish(&h);
	p = history_find(&h, 50, START(50));
	assert_non_null(p);
	assert_int_equal(p->start_ns, 20 * MS);
	assert_int_equal(p->end_ns, 50 * MS);
	assert_int_equal(p->id_seq, 8);
	assert_true(p->ended);
	assert_int_equal(p->exit_code, -1);
	assert_int_equal(p->signal, 9);
	assert_true(p->core_dumped);
	assert_string_equal(p->comm, "done");
	assert_int_equal(p->nexecs, 0);
	/* The run's start is the first record's time, after this process's start. */
	assert_int_equal(h.start_ns, 50 * MS);
	history_free(&h);
}

static void test_roots_and_parents(void **state)
{
	struct history h;
	struct hist_proc *a, *b, *c;

	(void)state;
	history_init(&h);
	/* 60's parent 1 is not in the history: a root. 61 is its child. */
	add(&h, fork_of(60, 1, 1 * MS, "sh"));
	add(&h, fork_of(61, 60, 2 * MS, "sh"));
	/* 63's parent 62 is known only from 62's exit, a later record. */
	add(&h, fork_of(63, 62, 3 * MS, "sh"));
	add(&h, exit_of(62, 1, 4 * MS, START(62) / 2, 0, 0));
	history_finish(&h);
	a = history_find(&h, 60, START(60));
	b = history_find(&h, 61, START(61));
	c = history_find(&h, 63, START(63));
	assert_null(a->parent);
	assert_ptr_equal(b->parent, a);
	assert_ptr_equal(a->first_child, b);
	assert_null(b->next_sibling);
	assert_ptr_equal(c->parent, history_find(&h, 62, START(62)));
	/* A pid with another start_time is another process: not the parent. */
	assert_null(history_find(&h, 60, START(61)));
	history_free(&h);
}

static void test_reaper_does_not_move(void **state)
{
	struct history h;
	struct hist_proc *p;

	(void)state;
	history_init(&h);
	add(&h, fork_of(1, 0, 1 * MS, "init"));
	add(&h, fork_of(70, 1, 2 * MS, "sh"));
	add(&h, fork_of(71, 70, 3 * MS, "daemon"));
	add(&h, exit_of(70, 1, 4 * MS, 2 * MS, 0, 0));
	/* The orphan's exit names init, its reaper, as ppid and parent. */
	add(&h, exit_of(71, 1, 5 * MS, 3 * MS, 0, 0));
	history_finish(&h);
	p = history_find(&h, 71, START(71));
	assert_int_equal(p->ppid, 70);
	assert_ptr_equal(p->parent, history_find(&h, 70, START(70)));
	assert_ptr_equal(history_find(&h, 70, START(70))->first_child, p);
	assert_ptr_equal(h.procs[0]->first_child, history_find(&h, 70, START(70)));
	assert_null(h.procs[0]->first_child->next_sibling);
	history_free(&h);
}

/* Start order, ties in record order; procs sorted the same way. */
static void test_children_order(void **state)
{
	struct history h;
	struct hist_proc *p, *q;
	const unsigned int want[] = {83, 81, 84, 82};

	(void)state;
	history_init(&h);
	add(&h, fork_of(80, 1, 1 * MS, "make"));
	add(&h, fork_of(82, 80, 5 * MS, "cc"));
	add(&h, fork_of(81, 80, 3 * MS, "cc"));
	add(&h, fork_of(83, 80, 2 * MS, "cc"));
	add(&h, fork_of(84, 80, 3 * MS, "cc"));
	history_finish(&h);
	p = history_find(&h, 80, START(80));
	q = p->first_child;
	for (size_t i = 0; i < 4; i++, q = q->next_sibling) {
		assert_non_null(q);
		assert_int_equal(q->pid, want[i]);
		assert_ptr_equal(h.procs[i + 1], q);
	}
	assert_null(q);
	assert_ptr_equal(h.procs[0], p);
	/* Finishing again gives the same links. */
	history_finish(&h);
	assert_int_equal(p->first_child->pid, 83);
	assert_null(p->first_child->next_sibling->next_sibling->next_sibling->next_sibling);
	history_free(&h);
}

/* A fork read after its child's exec (--perf-buffer reads each CPU's buffer in turn): the fork says where and
 * when it started. */
static void test_fork_after_exec(void **state)
{
	struct arg args[] = {{"ls", 2, false}};
	struct history h;
	struct hist_proc *p;

	(void)state;
	history_init(&h);
	add(&h, fork_of(90, 1, 1 * MS, "sh"));
	add(&h, exec_of(91, 1, 3 * MS, 8, args, 1, 0));
	add(&h, fork_of(91, 90, 2 * MS, "sh"));
	history_finish(&h);
	p = history_find(&h, 91, START(91));
	assert_int_equal(h.nprocs, 2);
	assert_int_equal(p->start_ns, 2 * MS);
	assert_int_equal(p->id_seq, 7);
	assert_int_equal(p->ppid, 90);
	assert_ptr_equal(p->parent, history_find(&h, 90, START(90)));
	assert_string_equal(p->comm, "ls");
	history_free(&h);
}

/* A recording whose parents make a cycle (each the other's parent) is not believed: no loop for a writer. */
static void test_no_cycle(void **state)
{
	struct history h;
	struct event e;

	(void)state;
	history_init(&h);
	add(&h, fork_of(100, 101, 1 * MS, "a"));
	e = fork_of(101, 100, 2 * MS, "b");
	add(&h, e);
	history_finish(&h);
	/* 100 started first (START(100) < START(101)): 101 under it; 100 cannot be under 101. */
	assert_null(history_find(&h, 100, START(100))->parent);
	assert_ptr_equal(history_find(&h, 101, START(101))->parent, history_find(&h, 100, START(100)));
	history_free(&h);
}

static void test_unreadable_args(void **state)
{
	struct arg args[] = {{"sh", 2, false}, {NULL, 0, true}, {"", 0, false}};
	struct history h;
	struct event e;
	const struct hist_exec *x;

	(void)state;
	history_init(&h);
	e = exec_of(110, 1, 1 * MS, 8, args, 3, 0);
	e.exec.cwd = NULL; /* not known */
	add(&h, e);
	history_finish(&h);
	x = &h.procs[0]->execs[0];
	assert_int_equal(x->argc, 3);
	assert_str(&x->argv[0], "sh");
	assert_null(x->argv[1].s); /* unreadable: never shown as "" */
	assert_int_equal(x->argv[1].len, 0);
	assert_non_null(x->argv[2].s); /* an empty argument is one */
	assert_int_equal(x->argv[2].len, 0);
	assert_str(&x->exe, "/usr/bin/x");
	assert_null(x->cwd.s);
	history_free(&h);
}

static void test_run_span_and_lost(void **state)
{
	struct history h;
	char *cmd[] = {"make", NULL};

	(void)state;
	history_init(&h);
	h.start_ns = 2 * MS; /* command mode: when CMD was released and when it ended */
	h.end_ns = 30 * MS;
	h.command = cmd;
	add(&h, fork_of(120, 1, 3 * MS, "make"));
	add(&h, exit_of(120, 1, 40 * MS, 3 * MS, 0, 0));
	history_lost(&h, 3);
	history_lost(&h, 4);
	history_finish(&h);
	assert_int_equal(h.start_ns, 2 * MS);
	assert_int_equal(h.end_ns, 30 * MS);
	assert_int_equal(h.lost, 7);
	assert_ptr_equal(h.command, cmd);
	history_free(&h);
	/* Nothing recorded: no span to take. */
	history_init(&h);
	history_finish(&h);
	assert_int_equal(h.start_ns, 0);
	assert_int_equal(h.end_ns, 0);
	history_free(&h);
}

/* An event that cannot be copied is refused whole, and the history goes on. */
static void test_enomem_leaves_usable(void **state)
{
	struct arg args[] = {{"sh", 2, false}};
	struct history h;
	struct event e;

	(void)state;
	history_init(&h);
	add(&h, fork_of(130, 1, 1 * MS, "sh"));
	e = exec_of(131, 130, 2 * MS, 8, args, 1, 0);
	e.exec.nargs = SIZE_MAX / 4; /* more than memory holds: refused before anything is read */
	assert_int_equal(history_add(&h, &e), -ENOMEM);
	e.exec.retval = -2;
	assert_int_equal(history_add(&h, &e), -ENOMEM);
	assert_int_equal(h.nprocs, 1);
	assert_null(history_find(&h, 131, START(131)));
	add(&h, exec_of(131, 130, 3 * MS, 8, args, 1, 0));
	history_finish(&h);
	assert_int_equal(h.nprocs, 2);
	assert_ptr_equal(history_find(&h, 131, START(131))->parent, h.procs[0]);
	assert_int_equal(h.end_ns, 3 * MS);
	history_free(&h);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100,000 processes, each forked, exec'd and ended, all children of one: linear, not quadratic. */
static void test_large(void **state)
{
	enum { N = 100000 };
	struct arg args[] = {{"cc1", 3, false}, {"-O2", 3, false}};
	struct history h;
	struct hist_proc *p;
	size_t n = 0;
	double t0, took;

	(void)state;
	history_init(&h);
	t0 = now_s();
	add(&h, fork_of(1, 0, 1, "make"));
	for (unsigned int pid = 2; pid < N + 2; pid++) {
		unsigned long long t = (unsigned long long)pid * 10;

		add(&h, fork_of(pid, 1, t, "make"));
		add(&h, exec_of(pid, 1, t + 1, 8, args, 2, 0));
		add(&h, exit_of(pid, 1, t + 2, t + 1, 0, 0));
	}
	history_finish(&h);
	took = now_s() - t0;
	print_message("# %d processes in %.3f s\n", N, took);
	/* About 0.1 s here under the sanitizers; a quadratic index would take minutes. */
	assert_true(took < 5.0);
	assert_int_equal(h.nprocs, N + 1);
	p = h.procs[0];
	assert_int_equal(p->pid, 1);
	for (const struct hist_proc *q = p->first_child; q; q = q->next_sibling, n++)
		assert_int_equal(q->pid, n + 2);
	assert_int_equal(n, N);
	assert_int_equal(history_find(&h, 54321, START(54321))->execs[0].argv[1].s[1], 'O');
	history_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fork_exec_exit),
	    cmocka_unit_test(test_exec_after_exec),
	    cmocka_unit_test(test_failed_exec),
	    cmocka_unit_test(test_known_from_exit_alone),
	    cmocka_unit_test(test_roots_and_parents),
	    cmocka_unit_test(test_reaper_does_not_move),
	    cmocka_unit_test(test_children_order),
	    cmocka_unit_test(test_fork_after_exec),
	    cmocka_unit_test(test_no_cycle),
	    cmocka_unit_test(test_unreadable_args),
	    cmocka_unit_test(test_run_span_and_lost),
	    cmocka_unit_test(test_enomem_leaves_usable),
	    cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
