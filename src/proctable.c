// SPDX-License-Identifier: GPL-2.0
/* The process table: entries in chunks that never move, chained in a hash by exec identity, linked to their
 * parent and children, and kept in two age lists (running; retired) so that what leaves is found at once. */
#include <stdlib.h>
#include <string.h>
#include "proctable.h"

#define CHUNK_SHIFT 10
#define CHUNK	    (1U << CHUNK_SHIFT)

static struct proc *at(const struct proctable *t, uint32_t link)
{
	return &t->chunks[(link - 1) >> CHUNK_SHIFT][(link - 1) & (CHUNK - 1)];
}

/* By process, not image: the images of one process share a chain, so an exec finds the one it replaces and
 * its own in one walk. */
static size_t hash(const struct exec_key *k, size_t nbuckets)
{
	unsigned long long h = k->start_time * 0x9e3779b97f4a7c15ULL ^ k->pid;

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return (size_t)h & (nbuckets - 1);
}

static bool same(const struct exec_key *a, const struct exec_key *b)
{
	return a->pid == b->pid && a->start_time == b->start_time && a->exec_seq == b->exec_seq;
}

void proctable_init(struct proctable *t, size_t cap, bool keep_history)
{
	memset(t, 0, sizeof(*t));
	t->cap = cap;
	t->keep_history = keep_history;
}

void proctable_free(struct proctable *t)
{
	for (size_t c = 0; c < t->nchunks; c++)
		free(t->chunks[c]);
	free(t->chunks);
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

struct proc *proctable_find(const struct proctable *t, const struct exec_key *k)
{
	if (!t->nbuckets)
		return NULL;
	for (uint32_t l = t->buckets[hash(k, t->nbuckets)]; l; l = at(t, l)->hnext)
		if (same(&at(t, l)->key, k))
			return at(t, l);
	return NULL;
}

struct proc *proctable_parent(const struct proctable *t, const struct proc *p)
{
	return p->up ? at(t, p->up) : NULL;
}

struct proc *proctable_first_child(const struct proctable *t, const struct proc *p)
{
	return p->child ? at(t, p->child) : NULL;
}

struct proc *proctable_next_sibling(const struct proctable *t, const struct proc *p)
{
	return p->sib_next ? at(t, p->sib_next) : NULL;
}

static void list_append(struct proctable *t, struct proc_list *l, uint32_t link)
{
	struct proc *p = at(t, link);

	p->age_prev = l->tail;
	p->age_next = 0;
	if (l->tail)
		at(t, l->tail)->age_next = link;
	else
		l->head = link;
	l->tail = link;
}

static void list_unlink(struct proctable *t, struct proc_list *l, uint32_t link)
{
	struct proc *p = at(t, link);

	if (p->age_prev)
		at(t, p->age_prev)->age_next = p->age_next;
	else
		l->head = p->age_next;
	if (p->age_next)
		at(t, p->age_next)->age_prev = p->age_prev;
	else
		l->tail = p->age_prev;
}

static struct proc_list *list_of(struct proctable *t, const struct proc *p)
{
	return p->state == PROC_RUNNING ? &t->live : &t->retired;
}

static void chain(struct proctable *t, uint32_t link)
{
	size_t b = hash(&at(t, link)->key, t->nbuckets);

	at(t, link)->hnext = t->buckets[b];
	t->buckets[b] = link;
}

/* Doubles the buckets to match the entries' room: the chains stay about one long. */
static int rehash(struct proctable *t, size_t nbuckets)
{
	uint32_t *b = calloc(nbuckets, sizeof(*b));

	if (!b)
		return -1;
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nbuckets;
	for (uint32_t l = t->live.head; l; l = at(t, l)->age_next)
		chain(t, l);
	for (uint32_t l = t->retired.head; l; l = at(t, l)->age_next)
		chain(t, l);
	return 0;
}

/* A free entry's link, 0 when out of memory. Allocates only while the table grows. */
static uint32_t take(struct proctable *t)
{
	uint32_t link = t->free;
	struct proc **chunks;

	if (link) {
		t->free = at(t, link)->hnext;
		return link;
	}
	chunks = realloc(t->chunks, (t->nchunks + 1) * sizeof(struct proc *));
	if (!chunks)
		return 0;
	t->chunks = chunks;
	chunks[t->nchunks] = malloc(CHUNK * sizeof(struct proc));
	if (!chunks[t->nchunks])
		return 0;
	t->nchunks++;
	if (t->nchunks * CHUNK > t->nbuckets && rehash(t, t->nchunks * CHUNK * 2)) {
		free(chunks[--t->nchunks]);
		return 0;
	}
	/* The new chunk's entries but its first go on the free list. */
	link = (uint32_t)((t->nchunks - 1) * CHUNK + 1);
	for (uint32_t i = CHUNK - 1; i > 0; i--) {
		at(t, link + i)->hnext = t->free;
		t->free = link + i;
	}
	return link;
}

static void unchain(struct proctable *t, uint32_t link)
{
	uint32_t *pl = &t->buckets[hash(&at(t, link)->key, t->nbuckets)];

	while (*pl != link)
		pl = &at(t, *pl)->hnext;
	*pl = at(t, link)->hnext;
}

static void remove_entry(struct proctable *t, uint32_t link)
{
	struct proc *p = at(t, link);

	unchain(t, link);
	list_unlink(t, list_of(t, p), link);
	if (p->sib_prev)
		at(t, p->sib_prev)->sib_next = p->sib_next;
	else if (p->up)
		at(t, p->up)->child = p->sib_next;
	if (p->sib_next)
		at(t, p->sib_next)->sib_prev = p->sib_prev;
	/* Its children stay, without a parent entry (their parent key still names it). */
	for (uint32_t c = p->child, next; c; c = next) {
		struct proc *cp = at(t, c);

		next = cp->sib_next;
		cp->up = cp->sib_prev = cp->sib_next = 0;
	}
	p->hnext = t->free;
	t->free = link;
	t->used--;
}

static struct proc *insert(struct proctable *t, const struct exec_key *key, const struct exec_key *parent,
			   unsigned int ppid, const char *comm)
{
	struct proc *p, *up;
	uint32_t link;

	if (t->used >= t->cap) {
		uint32_t victim = t->retired.head ? t->retired.head : t->live.head;

		if (!victim) {
			t->dropped++;
			return NULL;
		}
		remove_entry(t, victim);
		t->dropped++;
	}
	link = take(t);
	if (!link) {
		t->dropped++;
		return NULL;
	}
	p = at(t, link);
	memset(p, 0, sizeof(*p));
	p->self = link;
	p->key = *key;
	p->parent = *parent;
	p->ppid = ppid;
	memcpy(p->comm, comm, sizeof(p->comm));
	p->state = PROC_RUNNING;
	chain(t, link);
	list_append(t, &t->live, link);
	up = proctable_find(t, parent);
	if (up && up != p) {
		p->up = up->self;
		p->sib_next = up->child;
		if (up->child)
			at(t, up->child)->sib_prev = link;
		up->child = link;
	}
	t->used++;
	return p;
}

/* A running image ends: it moves to the retired list, where it is kept for history or leaves next. */
static void retire(struct proctable *t, struct proc *p, enum proc_state state, unsigned long long when)
{
	uint32_t link = p->self;

	list_unlink(t, &t->live, link);
	p->state = state;
	p->end_ns = when;
	list_append(t, &t->retired, link);
}

static struct proc *on_exec_event(struct proctable *t, const struct exec_event *ev)
{
	struct exec_key key = {ev->pid, ev->ids.start_time, ev->ids.exec_seq};
	struct exec_key parent = {ev->ppid, ev->ids.parent_start_time, ev->ids.parent_exec_seq};
	struct proc *p = NULL, *old = NULL;

	if (ev->retval)
		return NULL;
	/* The kernel counts self_exec_id up by one at each exec: the image this one replaces is SEQ-1. */
	for (uint32_t l = t->nbuckets ? t->buckets[hash(&key, t->nbuckets)] : 0; l; l = at(t, l)->hnext) {
		struct proc *q = at(t, l);

		if (q->key.pid != key.pid || q->key.start_time != key.start_time)
			continue;
		if (q->key.exec_seq == key.exec_seq)
			p = q;
		else if (q->key.exec_seq == key.exec_seq - 1)
			old = q;
	}
	if (old && old->state == PROC_RUNNING)
		retire(t, old, PROC_EXECED, ev->ktime_ns);
	if (!p)
		p = insert(t, &key, &parent, ev->ppid, ev->comm);
	if (p) {
		memcpy(p->comm, ev->comm, sizeof(p->comm));
		p->exec_ns = ev->ktime_ns;
	}
	return p;
}

static struct proc *on_fork_event(struct proctable *t, const struct fork_event *ev)
{
	struct exec_key key = {ev->pid, ev->ids.start_time, ev->ids.exec_seq};
	struct exec_key parent = {ev->ppid, ev->ids.parent_start_time, ev->ids.parent_exec_seq};
	struct proc *p = proctable_find(t, &key);

	return p ? p : insert(t, &key, &parent, ev->ppid, ev->comm);
}

static struct proc *on_exit_event(struct proctable *t, const struct exit_event *ev)
{
	struct exec_key key = {ev->pid, ev->ids.start_time, ev->ids.exec_seq};
	struct exec_key parent = {ev->ppid, ev->ids.parent_start_time, ev->ids.parent_exec_seq};
	struct proc *p = proctable_find(t, &key);

	if (!p)
		p = insert(t, &key, &parent, ev->ppid, ev->comm);
	if (!p || p->state != PROC_RUNNING)
		return p;
	p->exit_code = ev->exit_code;
	p->signal = ev->signal;
	p->core_dumped = ev->core_dumped;
	retire(t, p, PROC_EXITED, ev->ktime_ns);
	return p;
}

struct proc *proctable_update(struct proctable *t, const struct event *ev)
{
	/* What the last event ended leaves now that the sinks have seen it. */
	if (!t->keep_history)
		while (t->retired.head)
			remove_entry(t, t->retired.head);
	switch (ev->type) {
	case EVENT_EXEC:
		return on_exec_event(t, &ev->exec);
	case EVENT_FORK:
		return on_fork_event(t, &ev->fork);
	case EVENT_EXIT:
		return on_exit_event(t, &ev->exit);
	}
	return NULL;
}
