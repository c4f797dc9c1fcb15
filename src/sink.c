// SPDX-License-Identifier: GPL-2.0
/* The sinks of a run: each event told to every sink whose output still works, with its own accounting. */
#include <errno.h>
#include <stdlib.h>
#include "sink.h"

int sinks_add(struct sinks *set, struct sink *s)
{
	if (!s)
		return -1;
	if (set->n == SINKS_MAX) {
		free(s);
		return -1;
	}
	set->s[set->n++] = s;
	return 0;
}

bool sinks_need_table(const struct sinks *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->s[i]->needs_table)
			return true;
	return false;
}

bool sinks_keep_history(const struct sinks *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->s[i]->keeps_history)
			return true;
	return false;
}

void sinks_set_table(struct sinks *set, const struct proctable *table)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->s[i]->needs_table)
			set->s[i]->table = table;
}

void sinks_set_clock(struct sinks *set, long long boot_to_real_ns)
{
	for (size_t i = 0; i < set->n; i++)
		set->s[i]->out.boot_to_real_ns = boot_to_real_ns;
}

/* A write failed: the sink keeps the first error and is told nothing more. */
static void failed(struct sinks *set, struct sink *s)
{
	s->write_errno = errno ? errno : EIO;
	set->failed++;
}

void sinks_begin(struct sinks *set, long long boot_to_real_ns, long long start_boot_ns)
{
	for (size_t i = 0; i < set->n; i++) {
		struct sink *s = set->s[i];

		s->out.boot_to_real_ns = boot_to_real_ns;
		s->out.start_boot_ns = start_boot_ns;
		if (s->ops->begin && s->ops->begin(s))
			failed(set, s);
	}
}

void sinks_event(struct sinks *set, const struct event *ev)
{
	for (size_t i = 0; i < set->n; i++) {
		struct sink *s = set->s[i];
		int n;

		if (s->write_errno)
			continue;
		n = s->ops->event(s, ev);
		if (n < 0)
			failed(set, s);
		else
			s->unflushed += (unsigned int)n;
	}
}

void sinks_lost(struct sinks *set, unsigned long long n, long long boot_ns)
{
	for (size_t i = 0; i < set->n; i++) {
		struct sink *s = set->s[i];

		if (!s->write_errno && s->ops->lost && s->ops->lost(s, n, boot_ns))
			failed(set, s);
	}
}

void sinks_tick(struct sinks *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct sink *s = set->s[i];

		if (!s->write_errno && s->ops->tick(s))
			failed(set, s);
	}
}

void sinks_end(struct sinks *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct sink *s = set->s[i];

		if (!s->write_errno && s->ops->end(s))
			failed(set, s);
	}
}

bool sinks_all_failed(const struct sinks *set)
{
	return set->n && set->failed == set->n;
}

void sinks_free(struct sinks *set)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->s[i]->ops->free)
			set->s[i]->ops->free(set->s[i]);
		free(set->s[i]);
	}
	set->n = set->failed = 0;
}

int sink_flush(struct sink *s)
{
	if (fflush(s->out.f) || ferror(s->out.f))
		return -1;
	s->printed += s->unflushed;
	s->unflushed = 0;
	return 0;
}
