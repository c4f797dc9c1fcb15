// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a timeline page with the C writer (html_write) from a known history built here, for the browser test
 * (tests/html/test_timeline.js) to load:
 *   write_page small FILE   the 8 processes of the test's smallRun(), field for field
 *   write_page big N FILE   a build of N processes shaped as the test's bigRun()
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pictures.h"

#define SEC 1000000000ULL
/* The run's start on the history's clock, the wall clock: 2026-12-01T09:00:00Z. */
#define T0	 (1796115600 * SEC)
#define MAX_ARGS 10
/* Room for one process's strings. */
#define TEXT_SIZE 512

/* What a history needs, in arrays of n slots: one process, its argv and strings, one exec and one failed exec
 * each. */
struct run {
	struct history h;
	struct hist_proc *procs, **order;
	struct hist_exec *execs;
	struct hist_failed_exec *failed;
	struct hist_str *args;
	char *text;
	size_t *used; /* of each process's room in text */
	size_t n, cap;
};

static int run_alloc(struct run *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap;
	r->procs = calloc(cap, sizeof(*r->procs));
	r->order = calloc(cap, sizeof(struct hist_proc *));
	r->execs = calloc(cap * 2, sizeof(*r->execs));
	r->failed = calloc(cap, sizeof(*r->failed));
	r->args = calloc(cap * MAX_ARGS * 3, sizeof(*r->args));
	r->text = calloc(cap, TEXT_SIZE);
	r->used = calloc(cap, sizeof(*r->used));
	return r->procs && r->order && r->execs && r->failed && r->args && r->text && r->used ? 0 : -1;
}

static void run_free(struct run *r)
{
	free(r->procs);
	free(r->order);
	free(r->execs);
	free(r->failed);
	free(r->args);
	free(r->text);
	free(r->used);
}

static unsigned long long ns(double seconds)
{
	return (unsigned long long)(seconds * 1e9 + 0.5);
}

/* A string of process i, kept in its room of text; s NULL makes an unreadable one. */
static struct hist_str text(struct run *r, size_t i, const char *s)
{
	char *room = r->text + i * TEXT_SIZE + r->used[i];
	size_t len;

	if (!s)
		return (struct hist_str){NULL, 0};
	len = strlen(s);
	if (r->used[i] + len + 1 > TEXT_SIZE) {
		fprintf(stderr, "write_page: a string of process %zu is too long\n", i);
		exit(1);
	}
	memcpy(room, s, len + 1);
	r->used[i] += len + 1;
	return (struct hist_str){room, len};
}

/* argv as strings of process i, in the j-th of its 3 argv slots. */
static struct hist_str *argv_of(struct run *r, size_t i, size_t j, const char *const *argv, size_t argc)
{
	struct hist_str *a = &r->args[(i * 3 + j) * MAX_ARGS];

	for (size_t k = 0; k < argc && k < MAX_ARGS; k++)
		a[k] = text(r, i, argv[k]);
	return a;
}

/* A process that started at start seconds (since T0) and ends at end (negative: still running), with one exec
 * of argv at its start (none when argv is NULL). Its id is PID-START-SEQ with START its start in nanoseconds.
 */
static struct hist_proc *add(struct run *r, struct hist_proc *parent, unsigned int pid, const char *comm,
			     const char *const *argv, size_t argc, double start, double end,
			     unsigned long long seq)
{
	size_t i = r->n++;
	struct hist_proc *p = &r->procs[i];

	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->pid = pid;
	p->ppid = parent ? parent->pid : 1;
	p->parent = parent;
	p->start_time = ns(start) + 1;
	p->id_seq = seq;
	p->start_ns = T0 + ns(start);
	p->ended = end >= 0;
	p->end_ns = p->ended ? T0 + ns(end) : 0;
	if (argv) {
		struct hist_exec *e = &r->execs[i * 2];
		char exe[64];

		snprintf(exe, sizeof(exe), "/usr/bin/%s", comm);
		e->time_ns = p->start_ns;
		e->exec_seq = seq;
		e->argv = argv_of(r, i, 0, argv, argc);
		e->argc = argc;
		e->exe = text(r, i, exe);
		e->cwd = text(r, i, "/home/u/src");
		p->execs = e;
		p->nexecs = 1;
	}
	r->order[i] = p;
	return p;
}

static int by_start(const void *a, const void *b)
{
	const struct hist_proc *p = *(const struct hist_proc *const *)a,
			       *q = *(const struct hist_proc *const *)b;

	if (p->start_ns != q->start_ns)
		return p->start_ns < q->start_ns ? -1 : 1;
	return p < q ? -1 : p > q;
}

/* What history_finish does: processes in start order, each one's children linked in start order. */
static void finish(struct run *r, const char *const *command, double end)
{
	qsort(r->order, r->n, sizeof(struct hist_proc *), by_start);
	for (size_t i = r->n; i-- > 0;) {
		struct hist_proc *p = r->order[i];

		if (p->parent) {
			p->next_sibling = p->parent->first_child;
			p->parent->first_child = p;
		}
	}
	r->h.procs = r->order;
	r->h.nprocs = r->n;
	r->h.cap = r->cap;
	r->h.start_ns = T0;
	r->h.end_ns = T0 + ns(end);
	r->h.command = (char *const *)command;
}

static void exit_with(struct hist_proc *p, int code)
{
	p->exit_code = code;
}

static void kill_with(struct hist_proc *p, int sig, bool core)
{
	p->exit_code = -1;
	p->signal = sig;
	p->core_dumped = core;
}

static void fail_exec(struct run *r, struct hist_proc *p, double t, const char *filename,
		      const char *const *argv, size_t argc)
{
	size_t i = (size_t)(p - r->procs);
	struct hist_failed_exec *f = &r->failed[i];

	f->time_ns = T0 + ns(t);
	f->filename = text(r, i, filename);
	f->argv = argv_of(r, i, 1, argv, argc);
	f->argc = argc;
	f->error = ENOENT;
	p->failed = f;
	p->nfailed = 1;
}

#define ARGV(...)                                                                                            \
	(const char *const[]){__VA_ARGS__}, sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *)

#define EVIL	"</script><script>window.__pwned=1;alert(1)</script>"
#define ESCAPES "\x1b[31mred\x1b]0;title\x07"

/* The test's smallRun(): a shell running make (a failed exec, one failing compiler), a sleep killed by
 * SIGKILL (core dumped), a subshell that never execs and still runs with a printf of hostile argv under it,
 * and a process that execs twice. */
static void small_run(struct run *r)
{
	static const char *const command[] = {"sh", "-c", "make all", NULL};
	struct hist_proc *sh, *make, *cc, *sleep, *sub, *daemon;
	size_t i;

	sh = add(r, NULL, 100, "sh", ARGV("sh", "-c", "make all; sleep 100 & ..."), 0, 3, 1);
	make = add(r, sh, 101, "make", ARGV("make", "all"), 0.1, 2.5, 2);
	exit_with(make, 2);
	fail_exec(r, make, 0.4, "/usr/local/bin/cc", ARGV("cc", "--version"));
	add(r, make, 102, "cc", ARGV("cc", "-c", "a.c"), 0.5, 1.0, 3);
	cc = add(r, make, 103, "cc", ARGV("cc", "-c", "b.c"), 0.6, 2.4, 3);
	exit_with(cc, 1);
	cc->execs[0].truncated = true;
	sleep = add(r, sh, 104, "sleep", ARGV("sleep", "100"), 0.2, 2.0, 2);
	kill_with(sleep, 9, true);
	sub = add(r, sh, 105, "sh", NULL, 0, 0.3, -1, 1);
	add(r, sub, 106, "printf",
	    ARGV("printf", EVIL, ESCAPES, "bad\xff", "rlo\xe2\x80\xaegnp.exe", "line\xe2\x80\xa8sep<!--",
		 NULL),
	    0.35, 0.36, 2);
	daemon = add(r, sh, 107, "daemon", ARGV("/usr/bin/daemon", "-f"), 1.0, -1, 2);
	/* Its two execs: a shell, then what it exec'd. */
	i = (size_t)(daemon - r->procs);
	daemon->execs[1] = daemon->execs[0];
	daemon->execs[0].argv = argv_of(r, i, 2, ARGV("sh", "-c", "exec daemon -f"));
	daemon->execs[0].argc = 3;
	daemon->execs[0].exe = text(r, i, "/usr/bin/dash");
	daemon->execs[0].cwd = text(r, i, "/");
	daemon->execs[1].time_ns = T0 + ns(1.1);
	daemon->execs[1].exec_seq = 3;
	daemon->execs[1].cwd = text(r, i, "/");
	daemon->nexecs = 2;
	/* The ids of the test's data: PID-START-SEQ with START as it has them. */
	for (size_t k = 0; k < r->n; k++) {
		static const unsigned long long starts[] = {1000, 1100, 1500, 1600, 1200, 1300, 1350, 2000};

		r->procs[k].start_time = starts[k];
	}
	finish(r, command, 3.2);
}

static unsigned long long seed = 42;

/* Reproducible: the same page every time. */
static double rnd(void)
{
	seed = (seed * 1103515245ULL + 12345ULL) % 2147483648ULL;
	return (double)seed / 2147483648.0;
}

/* The test's bigRun(): make, 40 sub-makes, each running shells that run compilers in parallel waves; a few
 * failing, killed, with a failed exec, or still running. */
static void big_run(struct run *r, size_t total)
{
	static const char *const command[] = {"make", "-j8", "all", NULL};
	const double wall = 600;
	struct hist_proc *root, *subs[40];
	unsigned int pid = 1000;

	root = add(r, NULL, pid++, "make", ARGV("make", "-j8", "all"), 0, wall, 1);
	for (int i = 0; i < 40; i++) {
		char dir[16];

		snprintf(dir, sizeof(dir), "lib%d", i);
		subs[i] = add(r, root, pid++, "make", ARGV("make", "-C", dir), i * 14.0, i * 14.0 + 30, 2);
	}
	while (r->n < total) {
		struct hist_proc *sub = subs[(int)(rnd() * 40)];
		double s = (double)(sub->start_ns - T0) / 1e9 + rnd() * 29, d = 0.01 + rnd() * 0.9, x;
		char file[64], obj[64], line[128];
		struct hist_proc *sh, *cc;

		snprintf(file, sizeof(file), "src/dir%d/file%zu.c", (int)(rnd() * 100), r->n);
		snprintf(obj, sizeof(obj), "%.*so", (int)strlen(file) - 1, file);
		snprintf(line, sizeof(line), "cc -O2 -Wall -c %s", file);
		sh = add(r, sub, pid++, "sh", ARGV("/bin/sh", "-c", line), s, s + d + 0.002, 2);
		if (r->n >= total)
			break;
		x = rnd();
		cc = add(r, sh, pid++, "cc",
			 ARGV("cc", "-O2", "-Wall", "-I", "include", "-c", file, "-o", obj), s + 0.001, s + d,
			 2);
		if (x < 0.01)
			fail_exec(r, cc, s + 0.001, "/usr/lib/ccache/cc", ARGV("cc"));
		if (x > 0.995)
			exit_with(cc, 1);
		else if (x > 0.99)
			kill_with(cc, 11, false);
		else if (x > 0.989)
			cc->ended = false;
	}
	finish(r, command, wall);
}

int main(int argc, char **argv)
{
	bool big = argc == 4 && !strcmp(argv[1], "big");
	size_t total = big ? strtoul(argv[2], NULL, 10) : 8;
	const char *path = argv[argc - 1];
	struct run r;
	FILE *f;
	int ret = 0;

	if (!(argc == 3 && !strcmp(argv[1], "small")) && !(big && total >= 41)) {
		fprintf(stderr, "usage: write_page small FILE | write_page big N FILE (N at least 41)\n");
		return 2;
	}
	if (run_alloc(&r, total)) {
		fprintf(stderr, "write_page: out of memory\n");
		run_free(&r);
		return 1;
	}
	if (big)
		big_run(&r, total);
	else
		small_run(&r);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "write_page: %s: %s\n", path, strerror(errno));
		run_free(&r);
		return 1;
	}
	if (html_write(f, &r.h)) {
		fprintf(stderr, "write_page: %s: %s\n", path, strerror(errno));
		ret = 1;
	}
	if (fclose(f) && !ret) {
		fprintf(stderr, "write_page: %s: %s\n", path, strerror(errno));
		ret = 1;
	}
	run_free(&r);
	return ret;
}
