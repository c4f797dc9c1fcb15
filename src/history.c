// SPDX-License-Identifier: GPL-2.0
/* A stand-in for the history (src/history.h) until the real one is merged: processes found by a linear
 * search, enough for exectrace report to link and be tested. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "history.h"

void history_init(struct history *h)
{
	memset(h, 0, sizeof(*h));
}

struct hist_proc *history_find(const struct history *h, unsigned int pid, unsigned long long start_time)
{
	for (size_t i = 0; i < h->nprocs; i++)
		if (h->procs[i]->pid == pid && h->procs[i]->start_time == start_time)
			return h->procs[i];
	return NULL;
}

static int copy_str(struct hist_str *d, const char *s, size_t len, bool unreadable)
{
	d->s = NULL;
	d->len = 0;
	if (!s || unreadable)
		return 0;
	d->s = malloc(len + 1);
	if (!d->s)
		return -ENOMEM;
	memcpy(d->s, s, len);
	d->s[len] = '\0';
	d->len = len;
	return 0;
}

static int copy_argv(struct hist_str **argv, size_t *argc, const struct exec_event *e)
{
	*argc = 0;
	*argv = calloc(e->nargs ? e->nargs : 1, sizeof(**argv));
	if (!*argv)
		return -ENOMEM;
	for (; *argc < e->nargs; (*argc)++)
		if (copy_str(&(*argv)[*argc], e->args[*argc].s, e->args[*argc].len,
			     e->args[*argc].unreadable))
			return -ENOMEM;
	return 0;
}

static struct hist_proc *proc_of(struct history *h, unsigned int pid, unsigned int ppid,
				 const struct exec_ids *ids, unsigned long long start_ns)
{
	struct hist_proc *p = history_find(h, pid, ids->start_time);

	if (p)
		return p;
	if (h->nprocs == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct hist_proc **procs =
		    reallocarray(h->procs, cap, sizeof(*procs)); // NOLINT(bugprone-sizeof-expression)

		if (!procs)
			return NULL;
		h->procs = procs;
		h->cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->ppid = ppid;
	p->start_time = ids->start_time;
	p->id_seq = ids->exec_seq;
	p->start_ns = start_ns;
	p->parent = history_find(h, ppid, ids->parent_start_time);
	h->procs[h->nprocs++] = p;
	return p;
}

static int add_exec(struct hist_proc *p, const struct exec_event *e)
{
	if (e->retval < 0) {
		struct hist_failed_exec *f = reallocarray(p->failed, p->nfailed + 1, sizeof(*f));

		if (!f)
			return -ENOMEM;
		p->failed = f;
		f = &f[p->nfailed++];
		memset(f, 0, sizeof(*f));
		f->time_ns = e->ktime_ns;
		f->error = -e->retval;
		f->truncated = e->truncated;
		if (copy_str(&f->filename, e->filename, e->filename_len, e->filename_unreadable))
			return -ENOMEM;
		return copy_argv(&f->argv, &f->argc, e);
	}
	struct hist_exec *x = reallocarray(p->execs, p->nexecs + 1, sizeof(*x));

	if (!x)
		return -ENOMEM;
	p->execs = x;
	x = &x[p->nexecs++];
	memset(x, 0, sizeof(*x));
	x->time_ns = e->ktime_ns;
	x->exec_seq = e->ids.exec_seq;
	x->truncated = e->truncated;
	memcpy(p->comm, e->comm, sizeof(p->comm));
	if (copy_str(&x->exe, e->exe, e->exe_len, false) || copy_str(&x->cwd, e->cwd, e->cwd_len, false))
		return -ENOMEM;
	return copy_argv(&x->argv, &x->argc, e);
}

int history_add(struct history *h, const struct event *ev)
{
	struct hist_proc *p;

	switch (ev->type) {
	case EVENT_FORK:
		p = proc_of(h, ev->fork.pid, ev->fork.ppid, &ev->fork.ids, ev->fork.ktime_ns);
		if (p && !p->nexecs)
			memcpy(p->comm, ev->fork.comm, sizeof(p->comm));
		return p ? 0 : -ENOMEM;
	case EVENT_EXEC:
		p = proc_of(h, ev->exec.pid, ev->exec.ppid, &ev->exec.ids, ev->exec.ktime_ns);
		return p ? add_exec(p, &ev->exec) : -ENOMEM;
	case EVENT_EXIT:
		p = proc_of(h, ev->exit.pid, ev->exit.ppid, &ev->exit.ids, ev->exit.since_ns);
		if (!p)
			return -ENOMEM;
		memcpy(p->comm, ev->exit.comm, sizeof(p->comm));
		p->ended = true;
		p->end_ns = ev->exit.ktime_ns;
		p->exit_code = ev->exit.exit_code;
		p->signal = ev->exit.signal;
		p->core_dumped = ev->exit.core_dumped;
		p->have_usage = true;
		p->cpu_truncated = ev->exit.cpu_truncated;
		p->cpu_user_ns = ev->exit.cpu_user_ns;
		p->cpu_system_ns = ev->exit.cpu_system_ns;
		p->max_rss = ev->exit.max_rss;
		return 0;
	}
	return 0;
}

void history_lost(struct history *h, unsigned long long n)
{
	h->lost += n;
}

static int by_start(const void *a, const void *b)
{
	const struct hist_proc *p = *(struct hist_proc *const *)a, *q = *(struct hist_proc *const *)b;

	return (p->start_ns > q->start_ns) - (p->start_ns < q->start_ns);
}

void history_finish(struct history *h)
{
	unsigned long long first = 0, last = 0;

	if (h->nprocs)
		qsort(h->procs, h->nprocs, sizeof(*h->procs), by_start); // NOLINT(bugprone-sizeof-expression)
	for (size_t i = h->nprocs; i-- > 0;) {
		struct hist_proc *p = h->procs[i];

		if (p->parent) {
			p->next_sibling = p->parent->first_child;
			p->parent->first_child = p;
		}
		if (!first || p->start_ns < first)
			first = p->start_ns;
		if (p->end_ns > last)
			last = p->end_ns;
		if (p->start_ns > last)
			last = p->start_ns;
	}
	if (!h->start_ns)
		h->start_ns = first;
	if (!h->end_ns)
		h->end_ns = last;
}

static void free_argv(struct hist_str *argv, size_t argc)
{
	for (size_t i = 0; i < argc; i++)
		free(argv[i].s);
	free(argv);
}

void history_free(struct history *h)
{
	for (size_t i = 0; i < h->nprocs; i++) {
		struct hist_proc *p = h->procs[i];

		for (size_t k = 0; k < p->nexecs; k++) {
			free_argv(p->execs[k].argv, p->execs[k].argc);
			free(p->execs[k].exe.s);
			free(p->execs[k].cwd.s);
		}
		for (size_t k = 0; k < p->nfailed; k++) {
			free_argv(p->failed[k].argv, p->failed[k].argc);
			free(p->failed[k].filename.s);
		}
		free(p->execs);
		free(p->failed);
		free(p);
	}
	free(h->procs);
	history_init(h);
}
