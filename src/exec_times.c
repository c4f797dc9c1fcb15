// SPDX-License-Identifier: GPL-2.0
/* An open-addressing table from pid to exec time: linear probing, deletion by shifting back. */
#include <errno.h>
#include <stdlib.h>
#include "exec_times.h"

/* Twice the most held: probes stay short. */
#define SLOTS (2UL * EXEC_TIMES_MAX)

struct exec_time {
	unsigned int pid; /* 0: empty (pid 0 never execs) */
	unsigned long long ns;
};

static size_t home(unsigned int pid)
{
	return (size_t)(pid * 2654435761U) & (SLOTS - 1);
}

/* The slot of pid, or the empty slot where it would go. */
static size_t find(const struct exec_times *t, unsigned int pid)
{
	size_t i = home(pid);

	while (t->slots[i].pid && t->slots[i].pid != pid)
		i = (i + 1) & (SLOTS - 1);
	return i;
}

static int note(struct exec_times *t, unsigned int pid, unsigned long long ns)
{
	size_t i;

	if (!t->slots) {
		t->slots = calloc(SLOTS, sizeof(*t->slots));
		if (!t->slots)
			return -ENOMEM;
	}
	i = find(t, pid);
	if (!t->slots[i].pid) {
		if (t->count == EXEC_TIMES_MAX)
			return 0;
		t->count++;
		t->slots[i].pid = pid;
	}
	t->slots[i].ns = ns;
	return 0;
}

/* Empties slot i, moving back the entries after it that probing would no longer reach. */
static void forget(struct exec_times *t, size_t i)
{
	size_t j = i;

	t->count--;
	for (;;) {
		j = (j + 1) & (SLOTS - 1);
		if (!t->slots[j].pid)
			break;
		/* The entry at j may fill the hole at i unless its home lies cyclically in (i, j]. */
		size_t h = home(t->slots[j].pid);

		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	t->slots[i].pid = 0;
}

static void take(struct exec_times *t, struct exit_event *ev)
{
	size_t i;

	if (!t->slots)
		return;
	i = find(t, ev->pid);
	if (!t->slots[i].pid)
		return;
	if (t->slots[i].ns >= ev->since_ns) {
		ev->since_ns = t->slots[i].ns;
		ev->since_exec = true;
	}
	forget(t, i);
}

int exec_times_apply(struct exec_times *t, struct event *e)
{
	switch (e->type) {
	case EVENT_EXEC:
		return e->exec.retval ? 0 : note(t, e->exec.pid, e->exec.ktime_ns);
	case EVENT_EXIT:
		take(t, &e->exit);
		return 0;
	case EVENT_FORK:
		break;
	}
	return 0;
}

void exec_times_free(struct exec_times *t)
{
	free(t->slots);
	t->slots = NULL;
	t->count = 0;
}
