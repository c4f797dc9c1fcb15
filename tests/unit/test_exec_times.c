// SPDX-License-Identifier: GPL-2.0
/* exec_times.c: an exit counts from the exec of its own process, seen before it, and from nothing else. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "exec_times.h"

static void exec_at(struct exec_times *t, unsigned int pid, unsigned long long ns, int retval)
{
	struct event e;

	memset(&e, 0, sizeof(e));
	e.type = EVENT_EXEC;
	e.exec.pid = pid;
	e.exec.ktime_ns = ns;
	e.exec.retval = retval;
	assert_int_equal(exec_times_apply(t, &e), 0);
}

/* The exit of pid, started at start_ns: since_ns as the table makes it, or 0 when it counts from the start.
 */
static unsigned long long exit_since(struct exec_times *t, unsigned int pid, unsigned long long start_ns)
{
	struct event e;

	memset(&e, 0, sizeof(e));
	e.type = EVENT_EXIT;
	e.exit.pid = pid;
	e.exit.since_ns = start_ns;
	assert_int_equal(exec_times_apply(t, &e), 0);
	if (!e.exit.since_exec) {
		assert_int_equal(e.exit.since_ns, start_ns);
		return 0;
	}
	return e.exit.since_ns;
}

static void test_exec_then_exit(void **state)
{
	struct exec_times t = {0};

	(void)state;
	/* Nothing seen: from the start, and nothing allocated for it. */
	assert_int_equal(exit_since(&t, 10, 100), 0);
	exec_at(&t, 10, 200, 0);
	exec_at(&t, 10, 300, 0);  /* it execs again: the last one counts */
	exec_at(&t, 10, 400, -2); /* a failed exec is no new image */
	assert_int_equal(exit_since(&t, 10, 100), 300);
	/* Taken: the next process under the same pid counts from its own start. */
	assert_int_equal(exit_since(&t, 10, 500), 0);
	assert_int_equal(t.count, 0);
	exec_times_free(&t);
}

/* An exec noted before the process started was another process's under the same pid (its exit not seen). */
static void test_stale(void **state)
{
	struct exec_times t = {0};

	(void)state;
	exec_at(&t, 7, 100, 0);
	assert_int_equal(exit_since(&t, 7, 150), 0);
	assert_int_equal(t.count, 0);
	exec_at(&t, 7, 200, 0);
	assert_int_equal(exit_since(&t, 7, 200), 200); /* an exec at its start's very nanosecond is its own */
	exec_times_free(&t);
}

/* Pids that share a home slot: each found after another is taken, whatever the order. */
static void test_collisions(void **state)
{
	struct exec_times t = {0};
	unsigned int pids[6], neighbour = 4;
	size_t n = 0;

	(void)state;
	/* The home slot is the pid times 2654435761, masked to the 2 * EXEC_TIMES_MAX slots: pids that many
	 * apart share it. */
	for (unsigned int i = 0; i < 6; i++)
		pids[n++] = 3 + i * 2 * EXEC_TIMES_MAX;
	for (size_t i = 0; i < n; i++)
		exec_at(&t, pids[i], 1000 + i, 0);
	/* A pid whose home is the slot after theirs, taken by one of them. */
	while (((neighbour * 2654435761U) & (2 * EXEC_TIMES_MAX - 1)) !=
	       (((3 * 2654435761U) + 1) & (2 * EXEC_TIMES_MAX - 1)))
		neighbour++;
	exec_at(&t, neighbour, 2000, 0);
	assert_int_equal(exit_since(&t, pids[1], 1), 1001);
	assert_int_equal(exit_since(&t, pids[0], 1), 1000);
	assert_int_equal(exit_since(&t, neighbour, 1), 2000);
	assert_int_equal(exit_since(&t, pids[5], 1), 1005);
	for (size_t i = 2; i < 5; i++)
		assert_int_equal(exit_since(&t, pids[i], 1), 1000 + i);
	assert_int_equal(t.count, 0);
	exec_times_free(&t);
}

/* At most EXEC_TIMES_MAX at once: past it, exits count from their start; a known pid is still updated. */
static void test_full(void **state)
{
	struct exec_times t = {0};

	(void)state;
	for (unsigned int pid = 1; pid <= EXEC_TIMES_MAX; pid++)
		exec_at(&t, pid, 10, 0);
	exec_at(&t, EXEC_TIMES_MAX + 1, 10, 0);
	assert_int_equal(t.count, EXEC_TIMES_MAX);
	assert_int_equal(exit_since(&t, EXEC_TIMES_MAX + 1, 5), 0);
	exec_at(&t, 1, 20, 0);
	assert_int_equal(exit_since(&t, 1, 5), 20);
	exec_at(&t, EXEC_TIMES_MAX + 1, 30, 0);
	assert_int_equal(exit_since(&t, EXEC_TIMES_MAX + 1, 5), 30);
	exec_times_free(&t);
}

/* Forks leave the table alone. */
static void test_fork(void **state)
{
	struct exec_times t = {0};
	struct event e;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.type = EVENT_FORK;
	e.fork.pid = 5;
	assert_int_equal(exec_times_apply(&t, &e), 0);
	assert_null(t.slots);
	exec_times_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exec_then_exit), cmocka_unit_test(test_stale),
	    cmocka_unit_test(test_collisions),	   cmocka_unit_test(test_full),
	    cmocka_unit_test(test_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
