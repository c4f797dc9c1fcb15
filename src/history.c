// SPDX-License-Identifier: GPL-2.0
/* The run's history: processes made of records by docs/timeline.md's rules, kept until the run ends. The
 * index is open addressing on (pid, start_time), kept at most half full, so that a recording of 100,000
 * processes costs no more per record than one of ten. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "history.h"

void history_init(struct history *h)
{
	memset(h, 0, sizeof(*h));
}

static size_t key_hash(unsigned int pid, unsigned long long start_time)
{
	unsigned long long k = start_time ^ ((unsigned long long)pid << 32 | pid);

	/* A finalizer that spreads every input bit: start times differ in their low bits, pids are small. */
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (size_t)k;
}

/* The process's slot in the index, or the empty one where it would go. */
static struct hist_proc **slot(const struct history *h, unsigned int pid, unsigned long long start_time)
{
	size_t mask = h->nbuckets - 1, i = key_hash(pid, start_time) & mask;

	while (h->buckets[i] && (h->buckets[i]->pid != pid || h->buckets[i]->start_time != start_time))
		i = (i + 1) & mask;
	return &h->buckets[i];
}

struct hist_proc *history_find(const struct history *h, unsigned int pid, unsigned long long start_time)
{
	return h->nbuckets ? *slot(h, pid, start_time) : NULL;
}

static int rehash(struct history *h, size_t n)
{
	struct hist_proc **b = calloc(n, sizeof(struct hist_proc *));

	if (!b)
		return -1;
	free(h->buckets);
	h->buckets = b;
	h->nbuckets = n;
	for (size_t i = 0; i < h->nprocs; i++)
		*slot(h, h->procs[i]->pid, h->procs[i]->start_time) = h->procs[i];
	return 0;
}

/* Room for one more process in the list and in the index, made before it is allocated, so that adding it
 * cannot fail half way. */
static int reserve(struct history *h)
{
	if (h->nprocs == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct hist_proc **v;

		if (cap > SIZE_MAX / sizeof(struct hist_proc *))
			return -1;
		v = realloc(h->procs, cap * sizeof(struct hist_proc *));
		if (!v)
			return -1;
		h->procs = v;
		h->cap = cap;
	}
	if ((h->nprocs + 1) * 2 > h->nbuckets)
		return rehash(h, h->nbuckets ? h->nbuckets * 2 : 128);
	return 0;
}

static void set_comm(struct hist_proc *p, const char *comm)
{
	size_t n = strnlen(comm, ET_COMM_LEN);

	memcpy(p->comm, comm, n);
	p->comm[n] = 0;
}

/* A process not yet in h, with room made for it; its parent's key is the caller's to set. */
static struct hist_proc *proc_new(struct history *h, unsigned int pid, unsigned long long start_time,
				  const char *comm, unsigned long long start_ns)
{
	struct hist_proc *p;

	if (reserve(h) || !(p = calloc(1, sizeof(*p))))
		return NULL;
	p->pid = pid;
	p->start_time = start_time;
	p->start_ns = start_ns;
	set_comm(p, comm);
	return p;
}

static void proc_insert(struct history *h, struct hist_proc *p)
{
	p->seen = h->nprocs;
	h->procs[h->nprocs++] = p;
	*slot(h, p->pid, p->start_time) = p;
}

/* v with room for one more than its n entries, or NULL (v kept): arrays grow by doubling, their capacity the
 * next power of two of their count, full at 0, 1, 2, 4... */
static void *grow(void *v, size_t n, size_t size)
{
	if (n & (n - 1))
		return v;
	if (n > SIZE_MAX / 2 / size)
		return NULL;
	return realloc(v, (n ? n * 2 : 1) * size);
}

static void put(struct hist_str *d, const struct arg *a, char **at)
{
	if (a->unreadable || !a->s) {
		*d = (struct hist_str){NULL, 0};
		return;
	}
	memcpy(*at, a->s, a->len);
	*d = (struct hist_str){*at, a->len};
	*at += a->len;
}

/* argv and nmore other strings copied into one allocation that starts with argv's array: freeing argv frees
 * them all. The records' bytes live in the decoder's buffer, reused for the next record. */
static struct hist_str *copy_strings(const struct arg *args, size_t n, const struct arg *more,
				     struct hist_str *out, size_t nmore)
{
	size_t size;
	struct hist_str *v;
	char *at;

	if (n > SIZE_MAX / 2 / sizeof(*v))
		return NULL;
	size = n * sizeof(*v);
	for (size_t i = 0; i < n; i++)
		size += args[i].unreadable ? 0 : args[i].len;
	for (size_t i = 0; i < nmore; i++)
		size += more[i].s ? more[i].len : 0;
	v = malloc(size ? size : 1);
	if (!v)
		return NULL;
	at = (char *)(v + n);
	for (size_t i = 0; i < n; i++)
		put(&v[i], &args[i], &at);
	for (size_t i = 0; i < nmore; i++)
		put(&out[i], &more[i], &at);
	return v;
}

/* The record's time, for the run's start and end when the caller gives none. */
static void took(struct history *h, unsigned long long t)
{
	if (!h->nrecords++ || t < h->first_ns)
		h->first_ns = t;
	if (t > h->last_ns)
		h->last_ns = t;
}

static int add_fork(struct history *h, const struct fork_event *ev)
{
	struct hist_proc *p = history_find(h, ev->pid, ev->ids.start_time);

	if (!p) {
		p = proc_new(h, ev->pid, ev->ids.start_time, ev->comm, ev->ktime_ns);
		if (!p)
			return -ENOMEM;
		proc_insert(h, p);
	}
	/* Read after the child's own records (--perf-buffer reads each CPU's buffer in turn), the fork still
	 * says best where and when the process started. */
	p->ppid = ev->ppid;
	p->parent_start_time = ev->ids.parent_start_time;
	p->id_seq = ev->ids.exec_seq;
	p->start_ns = ev->ktime_ns;
	took(h, ev->ktime_ns);
	return 0;
}

/* The process of an exec record, made when new: its fork was not seen. */
static struct hist_proc *exec_proc(struct history *h, const struct exec_event *ev, struct hist_proc **fresh)
{
	struct hist_proc *p = history_find(h, ev->pid, ev->ids.start_time);

	*fresh = NULL;
	if (p)
		return p;
	p = proc_new(h, ev->pid, ev->ids.start_time, ev->comm, ev->ktime_ns);
	if (!p)
		return NULL;
	p->ppid = ev->ppid;
	p->parent_start_time = ev->ids.parent_start_time;
	p->id_seq = ev->ids.exec_seq;
	*fresh = p;
	return p;
}

static int add_exec(struct history *h, const struct exec_event *ev)
{
	struct hist_exec x = {.time_ns = ev->ktime_ns,
			      .exec_seq = ev->ids.exec_seq,
			      .argc = ev->nargs,
			      .truncated = ev->truncated};
	const struct arg paths[] = {{ev->exe, ev->exe_len, false}, {ev->cwd, ev->cwd_len, false}};
	struct hist_str out[2];
	struct hist_proc *p, *fresh;
	struct hist_exec *v;

	x.argv = copy_strings(ev->args, ev->nargs, paths, out, 2);
	if (!x.argv)
		return -ENOMEM;
	x.exe = out[0];
	x.cwd = out[1];
	p = exec_proc(h, ev, &fresh);
	v = p ? grow(p->execs, p->nexecs, sizeof(*p->execs)) : NULL;
	if (!v) {
		free(fresh);
		free(x.argv);
		return -ENOMEM;
	}
	if (fresh)
		proc_insert(h, fresh);
	p->execs = v;
	p->execs[p->nexecs++] = x;
	set_comm(p, ev->comm);
	took(h, ev->ktime_ns);
	return 0;
}

static int add_failed(struct history *h, const struct exec_event *ev)
{
	struct hist_failed_exec x = {
	    .time_ns = ev->ktime_ns, .argc = ev->nargs, .truncated = ev->truncated, .error = -ev->retval};
	const struct arg filename = {ev->filename, ev->filename_len, ev->filename_unreadable};
	struct hist_proc *p, *fresh;
	struct hist_failed_exec *v;

	x.argv = copy_strings(ev->args, ev->nargs, &filename, &x.filename, 1);
	if (!x.argv)
		return -ENOMEM;
	/* Its exec_id is the caller's: the process that tried, under the name it already had. */
	p = exec_proc(h, ev, &fresh);
	v = p ? grow(p->failed, p->nfailed, sizeof(*p->failed)) : NULL;
	if (!v) {
		free(fresh);
		free(x.argv);
		return -ENOMEM;
	}
	if (fresh)
		proc_insert(h, fresh);
	p->failed = v;
	p->failed[p->nfailed++] = x;
	took(h, ev->ktime_ns);
	return 0;
}

static int add_exit(struct history *h, const struct exit_event *ev)
{
	struct hist_proc *p = history_find(h, ev->pid, ev->ids.start_time);

	if (!p) {
		/* Known from its exit alone: it started its duration before. */
		p = proc_new(h, ev->pid, ev->ids.start_time, ev->comm,
			     ev->since_ns <= ev->ktime_ns ? ev->since_ns : ev->ktime_ns);
		if (!p)
			return -ENOMEM;
		p->ppid = ev->ppid;
		p->parent_start_time = ev->ids.parent_start_time;
		p->id_seq = ev->ids.exec_seq;
		proc_insert(h, p);
	}
	/* Its ppid is now the reaper's (an orphan's is init or a subreaper): it does not move the process. */
	p->ended = true;
	p->end_ns = ev->ktime_ns;
	p->exit_code = ev->exit_code;
	p->signal = ev->signal;
	p->core_dumped = ev->core_dumped;
	p->have_usage = true;
	p->cpu_truncated = ev->cpu_truncated;
	p->cpu_user_ns = ev->cpu_user_ns;
	p->cpu_system_ns = ev->cpu_system_ns;
	p->max_rss = ev->max_rss;
	set_comm(p, ev->comm);
	took(h, ev->ktime_ns);
	return 0;
}

int history_add(struct history *h, const struct event *ev)
{
	switch (ev->type) {
	case EVENT_FORK:
		return add_fork(h, &ev->fork);
	case EVENT_EXEC:
		return ev->exec.retval < 0 ? add_failed(h, &ev->exec) : add_exec(h, &ev->exec);
	case EVENT_EXIT:
		return add_exit(h, &ev->exit);
	}
	return 0;
}

void history_lost(struct history *h, unsigned long long n)
{
	h->lost += n;
}

/* The process that started p, when the history has it. A parent started before its child: a recording
 * that says otherwise is not believed, as it could make a cycle. */
static struct hist_proc *parent_of(const struct history *h, const struct hist_proc *p)
{
	struct hist_proc *q = history_find(h, p->ppid, p->parent_start_time);

	return q && q->start_time < p->start_time ? q : NULL;
}

static int by_start(const void *a, const void *b)
{
	const struct hist_proc *p = *(struct hist_proc *const *)a, *q = *(struct hist_proc *const *)b;

	if (p->start_ns != q->start_ns)
		return p->start_ns < q->start_ns ? -1 : 1;
	return p->seen < q->seen ? -1 : p->seen > q->seen;
}

void history_finish(struct history *h)
{
	for (size_t i = 0; i < h->nprocs; i++) {
		struct hist_proc *p = h->procs[i];

		/* Found only now: a parent may be known from a record after its child's (its exit). */
		if (!p->parent)
			p->parent = parent_of(h, p);
		p->first_child = p->next_sibling = NULL;
	}
	if (h->nprocs)
		qsort(h->procs, h->nprocs, sizeof(struct hist_proc *), by_start);
	/* Backwards, each put first: children end up in start order. */
	for (size_t i = h->nprocs; i-- > 0;) {
		struct hist_proc *p = h->procs[i];

		if (p->parent) {
			p->next_sibling = p->parent->first_child;
			p->parent->first_child = p;
		}
	}
	if (!h->start_ns && h->nrecords)
		h->start_ns = h->first_ns;
	if (!h->end_ns && h->nrecords)
		h->end_ns = h->last_ns;
}

void history_free(struct history *h)
{
	for (size_t i = 0; i < h->nprocs; i++) {
		struct hist_proc *p = h->procs[i];

		for (size_t j = 0; j < p->nexecs; j++)
			free(p->execs[j].argv);
		for (size_t j = 0; j < p->nfailed; j++)
			free(p->failed[j].argv);
		free(p->execs);
		free(p->failed);
		free(p);
	}
	free(h->procs);
	free(h->buckets);
	history_init(h);
}
