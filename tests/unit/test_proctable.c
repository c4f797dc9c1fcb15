// SPDX-License-Identifier: GPL-2.0
/* The process table, fed synthetic exec, fork and exit events as the kernel would send them: a subshell that
 * forks without exec'ing, exec after exec, exits, history, and the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "proctable.h"

/* A process as the kernel knows it: pid, start_time, self_exec_id; and its parent's. */
struct task {
	unsigned int pid;
	unsigned long long start, seq;
};

static unsigned long long now = 1000;

static void set_ids(struct exec_ids *ids, const struct task *p, const struct task *parent)
{
	ids->start_time = p->start;
	ids->exec_seq = p->seq;
	ids->parent_start_time = parent->start;
	ids->parent_exec_seq = parent->seq;
}

/* The kernel counts self_exec_id up, then the exec record is sent. */
static struct proc *do_exec(struct proctable *t, struct task *p, const struct task *parent, const char *comm)
{
	struct event e = {.type = EVENT_EXEC};

	p->seq++;
	e.exec.ktime_ns = ++now;
	e.exec.pid = p->pid;
	e.exec.ppid = parent->pid;
	set_ids(&e.exec.ids, p, parent);
	snprintf(e.exec.comm, sizeof(e.exec.comm), "%s", comm);
	return proctable_update(t, &e);
}

/* The child inherits the parent's self_exec_id. */
static struct proc *do_fork(struct proctable *t, const struct task *parent, struct task *child,
			    unsigned int pid, const char *comm)
{
	struct event e = {.type = EVENT_FORK};

	*child = (struct task){pid, ++now, parent->seq};
	e.fork.ktime_ns = now;
	e.fork.pid = pid;
	e.fork.ppid = parent->pid;
	set_ids(&e.fork.ids, child, parent);
	snprintf(e.fork.comm, sizeof(e.fork.comm), "%s", comm);
	return proctable_update(t, &e);
}

static struct proc *do_exit(struct proctable *t, const struct task *p, const struct task *parent, int code,
			    int sig)
{
	struct event e = {.type = EVENT_EXIT};

	e.exit.ktime_ns = ++now;
	e.exit.pid = p->pid;
	e.exit.ppid = parent->pid;
	set_ids(&e.exit.ids, p, parent);
	e.exit.exit_code = code;
	e.exit.signal = sig;
	return proctable_update(t, &e);
}

static struct proc *find(const struct proctable *t, const struct task *p)
{
	struct exec_key k = {p->pid, p->start, p->seq};

	return proctable_find(t, &k);
}

static size_t count_children(const struct proctable *t, const struct proc *p)
{
	size_t n = 0;

	for (const struct proc *c = proctable_first_child(t, p); c; c = proctable_next_sibling(t, c))
		n++;
	return n;
}

/* sh (exec'd) forks a subshell that never execs; the subshell forks ls, which execs. */
static void test_fork_without_exec_places_children(void **state)
{
	struct proctable t;
	struct task init = {1, 1, 1}, sh = {100, 10, 0}, sub, ls;
	struct proc *psh, *psub, *pls;

	(void)state;
	proctable_init(&t, 16, true);
	psh = do_exec(&t, &sh, &init, "sh");
	psub = do_fork(&t, &sh, &sub, 101, "sh");
	assert_non_null(do_fork(&t, &sub, &ls, 102, "sh"));
	pls = do_exec(&t, &ls, &sub, "ls");
	assert_non_null(psh);
	assert_non_null(psub);
	assert_non_null(pls);
	assert_ptr_equal(proctable_parent(&t, pls), psub);
	assert_ptr_equal(proctable_parent(&t, psub), psh);
	assert_null(proctable_parent(&t, psh)); /* init began before the table */
	assert_int_equal(psub->state, PROC_RUNNING);
	assert_int_equal(psub->exec_ns, 0);
	assert_int_equal(pls->exec_ns, now);
	assert_string_equal(pls->comm, "ls");
	/* The subshell's children: ls's image from the fork (replaced) and the one it exec'd. */
	assert_int_equal(count_children(&t, psub), 2);
	assert_ptr_equal(proctable_first_child(&t, psub), pls);
	assert_int_equal(proctable_next_sibling(&t, pls)->state, PROC_EXECED);
	assert_int_equal(count_children(&t, psh), 1);
	assert_int_equal(t.used, 4);
	assert_int_equal(t.dropped, 0);
	proctable_free(&t);
}

static void test_exec_after_exec(void **state)
{
	struct proctable t;
	struct task init = {1, 1, 1}, p = {200, 20, 4};
	struct proc *first, *second;

	(void)state;
	proctable_init(&t, 16, true);
	first = do_exec(&t, &p, &init, "env");
	second = do_exec(&t, &p, &init, "true");
	assert_non_null(first);
	assert_non_null(second);
	assert_ptr_not_equal(first, second);
	assert_int_equal(first->key.exec_seq, 5);
	assert_int_equal(second->key.exec_seq, 6);
	assert_int_equal(first->state, PROC_EXECED);
	assert_int_equal(first->end_ns, second->exec_ns);
	assert_int_equal(second->state, PROC_RUNNING);
	assert_ptr_equal(find(&t, &p), second);
	proctable_free(&t);

	/* Without history the replaced image leaves at the next event. */
	proctable_init(&t, 16, false);
	p = (struct task){200, 20, 4};
	do_exec(&t, &p, &init, "env");
	do_exec(&t, &p, &init, "true");
	assert_int_equal(t.used, 2);
	do_exec(&t, &(struct task){300, 30, 0}, &init, "other");
	assert_int_equal(t.used, 2);
	assert_null(proctable_find(&t, &(struct exec_key){200, 20, 5}));
	assert_non_null(find(&t, &p));
	proctable_free(&t);
}

static void test_exits(void **state)
{
	struct proctable t;
	struct task init = {1, 1, 1}, sh = {100, 10, 0}, child;
	struct proc *psh, *pchild, *gone;

	(void)state;
	proctable_init(&t, 16, false);
	psh = do_exec(&t, &sh, &init, "sh");
	pchild = do_fork(&t, &sh, &child, 101, "sh");
	assert_ptr_equal(proctable_parent(&t, pchild), psh);
	gone = do_exit(&t, &sh, &init, -1, 9);
	assert_ptr_equal(gone, psh);
	assert_int_equal(psh->state, PROC_EXITED);
	assert_int_equal(psh->signal, 9);
	assert_int_equal(psh->exit_code, -1);
	assert_int_equal(psh->end_ns, now);
	/* The exited parent leaves at the next event; its child stays, its parent key still naming it. */
	assert_non_null(do_exit(&t, &child, &sh, 3, 0));
	assert_null(find(&t, &sh));
	assert_int_equal(pchild->state, PROC_EXITED);
	assert_int_equal(pchild->exit_code, 3);
	assert_null(proctable_parent(&t, pchild));
	assert_int_equal(pchild->parent.pid, 100);
	/* An exit of a process never seen: made, and gone after the next event. */
	assert_non_null(do_exit(&t, &(struct task){400, 40, 2}, &init, 0, 0));
	assert_int_equal(t.used, 1);
	do_exec(&t, &(struct task){500, 50, 0}, &init, "x");
	assert_int_equal(t.used, 1);
	proctable_free(&t);

	/* With history the exited stay, parent and children linked. */
	proctable_init(&t, 16, true);
	sh = (struct task){100, 10, 0};
	psh = do_exec(&t, &sh, &init, "sh");
	pchild = do_fork(&t, &sh, &child, 101, "sh");
	do_exit(&t, &child, &sh, 0, 0);
	do_exit(&t, &sh, &init, 1, 0);
	do_exec(&t, &(struct task){500, 50, 0}, &init, "x");
	assert_ptr_equal(find(&t, &sh), psh);
	assert_ptr_equal(proctable_parent(&t, pchild), psh);
	assert_int_equal(psh->exit_code, 1);
	assert_int_equal(t.used, 3);
	proctable_free(&t);
}

/* A failed exec is no new image. */
static void test_failed_exec(void **state)
{
	struct proctable t;
	struct event e = {.type = EVENT_EXEC};

	(void)state;
	proctable_init(&t, 16, true);
	e.exec.pid = 7;
	e.exec.retval = -2;
	assert_null(proctable_update(&t, &e));
	assert_int_equal(t.used, 0);
	proctable_free(&t);
}

static void test_cap(void **state)
{
	struct proctable t;
	struct task init = {1, 1, 1}, p[6];

	(void)state;
	/* Only running processes: the oldest leave first. */
	proctable_init(&t, 4, false);
	for (unsigned int i = 0; i < 6; i++) {
		p[i] = (struct task){1000 + i, 100 + i, 0};
		assert_non_null(do_exec(&t, &p[i], &init, "x"));
	}
	assert_int_equal(t.used, 4);
	assert_int_equal(t.dropped, 2);
	assert_null(find(&t, &p[0]));
	assert_null(find(&t, &p[1]));
	for (unsigned int i = 2; i < 6; i++)
		assert_non_null(find(&t, &p[i]));
	proctable_free(&t);

	/* History: the oldest exited leave before any running one. */
	proctable_init(&t, 4, true);
	for (unsigned int i = 0; i < 4; i++) {
		p[i] = (struct task){1000 + i, 100 + i, 0};
		do_exec(&t, &p[i], &init, "x");
	}
	do_exit(&t, &p[2], &init, 0, 0);
	do_exit(&t, &p[1], &init, 0, 0);
	p[4] = (struct task){1004, 104, 0};
	do_exec(&t, &p[4], &init, "x");
	assert_null(find(&t, &p[2]));
	assert_non_null(find(&t, &p[0]));
	assert_non_null(find(&t, &p[1]));
	assert_int_equal(t.dropped, 1);
	assert_int_equal(t.used, 4);
	proctable_free(&t);
}

/* Many processes through a small table, with parents leaving under their children: the links stay whole. */
static void test_churn(void **state)
{
	struct proctable t;
	struct task init = {1, 1, 1}, tasks[3000];

	(void)state;
	proctable_init(&t, 1500, false);
	for (unsigned int i = 0; i < 3000; i++) {
		const struct task *parent = i ? &tasks[i / 2] : &init;

		tasks[i] = (struct task){2 + i, 1000 + i, 0};
		assert_non_null(do_exec(&t, &tasks[i], parent, "x"));
		if (i % 3 == 0)
			do_exit(&t, &tasks[i / 2], i ? &tasks[i / 4] : &init, 0, 0);
	}
	assert_true(t.used <= 1500);
	for (unsigned int i = 2000; i < 3000; i++) {
		const struct proc *p = find(&t, &tasks[i]), *up;

		if (!p)
			continue;
		up = proctable_parent(&t, p);
		if (up)
			assert_int_equal(up->key.pid, tasks[i / 2].pid);
	}
	proctable_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fork_without_exec_places_children),
	    cmocka_unit_test(test_exec_after_exec),
	    cmocka_unit_test(test_exits),
	    cmocka_unit_test(test_failed_exec),
	    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
