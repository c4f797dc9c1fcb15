// SPDX-License-Identifier: GPL-2.0
/* tree.c: the --tree picture of a history built by hand, compared exactly. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pictures.h"
#include "tree_summary.h"

#define MS 1000000ull
/* The run's clock starts here: a history's times are a clock's, not the run's. */
#define T0 (5000 * MS)

static struct hist_str str(const char *s)
{
	struct hist_str r = {NULL, 0};

	if (s) {
		r.len = strlen(s);
		r.s = malloc(r.len + 1);
		assert_non_null(r.s);
		memcpy(r.s, s, r.len + 1);
	}
	return r;
}

/* NULL-terminated; UNREADABLE stands for an argument that could not be read. */
static const char UNREADABLE[] = "";

static struct hist_str *argv_of(va_list ap, size_t *argc)
{
	struct hist_str *v = calloc(64, sizeof(*v));
	const char *a;

	assert_non_null(v);
	*argc = 0;
	while ((a = va_arg(ap, const char *))) {
		assert_true(*argc < 64);
		v[(*argc)++] = a == UNREADABLE ? str(NULL) : str(a);
	}
	return v;
}

static void history(struct history *h, unsigned long long end_ms)
{
	memset(h, 0, sizeof(*h));
	h->start_ns = T0;
	h->end_ns = T0 + end_ms * MS;
	h->cap = 16;
	h->procs = malloc(h->cap * sizeof(*h->procs));
	assert_non_null(h->procs);
}

/* A process started at start_ms, the last child of parent (NULL: a root), running until it is ended. */
static struct hist_proc *proc(struct history *h, struct hist_proc *parent, unsigned int pid, const char *comm,
			      unsigned long long start_ms)
{
	struct hist_proc *p = calloc(1, sizeof(*p));
	struct hist_proc **link;

	assert_non_null(p);
	p->pid = pid;
	p->ppid = parent ? parent->pid : 1;
	p->start_time = pid * 1000ull;
	p->parent = parent;
	strncpy(p->comm, comm, sizeof(p->comm) - 1);
	p->start_ns = T0 + start_ms * MS;
	p->exit_code = -1;
	if (parent) {
		for (link = &parent->first_child; *link; link = &(*link)->next_sibling)
			;
		*link = p;
	}
	if (h->nprocs == h->cap) {
		h->cap *= 2;
		h->procs = realloc(h->procs, h->cap * sizeof(*h->procs));
		assert_non_null(h->procs);
	}
	h->procs[h->nprocs++] = p;
	return p;
}

static struct hist_exec *exec_at(struct hist_proc *p, unsigned long long ms, const char *exe, ...)
{
	struct hist_exec *e;
	va_list ap;

	p->execs = realloc(p->execs, (p->nexecs + 1) * sizeof(*p->execs));
	assert_non_null(p->execs);
	e = &p->execs[p->nexecs++];
	memset(e, 0, sizeof(*e));
	e->time_ns = T0 + ms * MS;
	e->exe = str(exe);
	e->cwd = str("/src");
	va_start(ap, exe);
	e->argv = argv_of(ap, &e->argc);
	va_end(ap);
	return e;
}

static void failed_at(struct hist_proc *p, unsigned long long ms, int error, const char *filename, ...)
{
	struct hist_failed_exec *e;
	va_list ap;

	p->failed = realloc(p->failed, (p->nfailed + 1) * sizeof(*p->failed));
	assert_non_null(p->failed);
	e = &p->failed[p->nfailed++];
	memset(e, 0, sizeof(*e));
	e->time_ns = T0 + ms * MS;
	e->error = error;
	e->filename = str(filename);
	va_start(ap, filename);
	e->argv = argv_of(ap, &e->argc);
	va_end(ap);
}

static void exited(struct hist_proc *p, unsigned long long ms, int code)
{
	p->ended = true;
	p->end_ns = T0 + ms * MS;
	p->exit_code = code;
}

static void killed(struct hist_proc *p, unsigned long long ms, int sig, bool core)
{
	p->ended = true;
	p->end_ns = T0 + ms * MS;
	p->signal = sig;
	p->core_dumped = core;
}

static void free_argv(struct hist_str *v, size_t argc)
{
	for (size_t i = 0; i < argc; i++)
		free(v[i].s);
	free(v);
}

static void history_drop(struct history *h)
{
	for (size_t i = 0; i < h->nprocs; i++) {
		struct hist_proc *p = h->procs[i];

		for (size_t j = 0; j < p->nexecs; j++) {
			free_argv(p->execs[j].argv, p->execs[j].argc);
			free(p->execs[j].exe.s);
			free(p->execs[j].cwd.s);
		}
		for (size_t j = 0; j < p->nfailed; j++) {
			free_argv(p->failed[j].argv, p->failed[j].argc);
			free(p->failed[j].filename.s);
		}
		free(p->execs);
		free(p->failed);
		free(p);
	}
	free(h->procs);
}

/* The tree as written; the caller frees it. */
static char *draw(const struct history *h, unsigned int width, bool expand)
{
	struct tree_options o = {.width = width, .expand = expand};
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	assert_non_null(m);
	assert_int_equal(tree_write(m, h, &o), 0);
	assert_int_equal(fclose(m), 0);
	if (getenv("TREE_SHOW"))
		fputs(out, stderr);
	return out;
}

/* The known tree of a shell script: a subshell, a pipeline, a background job still running at the end, one
 * killed, a failed exec, a PATH search that found its program on the second try. */
static void known_tree(struct history *h)
{
	struct hist_proc *sh, *sub, *p;

	history(h, 2500);
	sh = proc(h, NULL, 100, "sh", 0);
	exec_at(sh, 0, "/usr/bin/dash", "sh", "-c",
		"(ls /; false) | wc -l; sleep 60 & sleep 30 & nosuch; env ls -l", NULL);
	exited(sh, 2500, 0);
	sub = proc(h, sh, 101, "sh", 10);
	exited(sub, 30, 1);
	p = proc(h, sh, 102, "sh", 11);
	exec_at(p, 11, "/usr/bin/wc", "wc", "-l", NULL);
	exited(p, 40, 0);
	p = proc(h, sub, 103, "sh", 12);
	exec_at(p, 12, "/usr/bin/ls", "ls", "/", NULL);
	exited(p, 20, 0);
	/* Starts as 103 ends: they never ran at once. */
	p = proc(h, sub, 104, "sh", 20);
	exec_at(p, 20, "/usr/bin/false", "false", NULL);
	exited(p, 29, 1);
	p = proc(h, sh, 105, "sh", 50);
	exec_at(p, 50, "/usr/bin/sleep", "sleep", "60", NULL);
	p = proc(h, sh, 106, "sh", 60);
	exec_at(p, 60, "/usr/bin/sleep", "sleep", "30", NULL);
	killed(p, 2000, 9, false);
	p = proc(h, sh, 107, "sh", 70);
	failed_at(p, 71, ENOENT, "/usr/local/bin/nosuch", "nosuch", NULL);
	failed_at(p, 72, ENOENT, "/usr/bin/nosuch", "nosuch", NULL);
	exited(p, 75, 127);
	p = proc(h, sh, 108, "sh", 80);
	exec_at(p, 81, "/usr/bin/env", "env", "ls", "-l", NULL);
	failed_at(p, 82, ENOENT, "/usr/local/bin/ls", "ls", "-l", NULL);
	exec_at(p, 83, "/usr/bin/ls", "ls", "-l", NULL);
	exited(p, 90, 0);
}

static void test_known_tree(void **state)
{
	struct history h;
	char *out;

	(void)state;
	known_tree(&h);
	out = draw(&h, 0, false);
	assert_string_equal(out, "    PID    TIME  STATUS    COMMAND\n"
				 "    100  2.500s  exit 0    sh -c (ls /; false) | wc -l; sleep 60 & sleep "
				 "30 & nosuch; env ls -l\n"
				 "    101  0.020s  exit 1    ├─ [sh]\n"
				 "    103  0.008s  exit 0    │  ├─ ls /\n"
				 "    104  0.009s  exit 1    │  └─ false\n"
				 "    102  0.029s  exit 0    ├─ wc -l\n"
				 "    105  2.450s  running   ├─ sleep 60\n"
				 "    106  1.940s  SIGKILL   ├─ sleep 30\n"
				 "    107  0.005s  exit 127  ├─ [sh] nosuch  ✗ 2 failed exec (ENOENT)\n"
				 "    108  0.010s  exit 0    └─ ls -l  after 1 failed exec (ENOENT)\n"
				 "9 processes, 3 failed execs, wall time 2.500s, at most 4 running at once, "
				 "1 still running at the end\n");
	free(out);
	history_drop(&h);
}

/* The most running at once, by hand: 4 (sh, the subshell, wc and ls, from 12 to 20 ms); 5 if 104's start
 * at 20 ms were counted before 103's end then. Records lost: the tree says it is incomplete. */
static void test_summary(void **state)
{
	struct history h;
	size_t most;
	char *out;

	(void)state;
	known_tree(&h);
	assert_int_equal(max_running(&h, &most), 0);
	assert_int_equal(most, 4);
	h.lost = 12;
	out = draw(&h, 0, false);
	assert_non_null(strstr(out,
			       "\n9 processes, 3 failed execs, wall time 2.500s, at most 4 running at once, "
			       "1 still running at the end\n"
			       "warning: 12 records were lost: this tree is incomplete\n"));
	free(out);
	history_drop(&h);

	/* A process that took no time still ran at its instant; nothing at all ran at none. */
	history(&h, 10);
	exited(proc(&h, NULL, 1, "a", 5), 5, 0);
	assert_int_equal(max_running(&h, &most), 0);
	assert_int_equal(most, 1);
	history_drop(&h);
	history(&h, 10);
	assert_int_equal(max_running(&h, &most), 0);
	assert_int_equal(most, 0);
	out = draw(&h, 0, false);
	assert_string_equal(out,
			    "    PID    TIME  STATUS    COMMAND\n"
			    "0 processes, 0 failed execs, wall time 0.010s, at most 0 running at once\n");
	free(out);
	history_drop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_tree),
	    cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
