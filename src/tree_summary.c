// SPDX-License-Identifier: GPL-2.0
/* The summary under the tree. */
#include <errno.h>
#include <stdlib.h>
#include "tree_summary.h"
#include "tree_text.h"

/* At one instant: ends first, then starts, then the ends of processes that took no time (after their own
 * start, so that they count). */
enum { END, START, END_EMPTY };

struct edge {
	unsigned long long ns;
	int kind;
};

static int edge_cmp(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return x->kind - y->kind;
}

int max_running(const struct history *h, size_t *max)
{
	struct edge *e;
	size_t running = 0;

	*max = 0;
	if (!h->nprocs)
		return 0;
	e = calloc(h->nprocs, 2 * sizeof(*e));
	if (!e)
		return -1;
	for (size_t i = 0; i < h->nprocs; i++) {
		const struct hist_proc *p = h->procs[i];
		unsigned long long end = p->ended ? p->end_ns : h->end_ns;

		e[2 * i] = (struct edge){p->start_ns, START};
		e[2 * i + 1] =
		    end > p->start_ns ? (struct edge){end, END} : (struct edge){p->start_ns, END_EMPTY};
	}
	qsort(e, 2 * h->nprocs, sizeof(*e), edge_cmp);
	for (size_t i = 0; i < 2 * h->nprocs; i++) {
		if (e[i].kind != START) {
			running--;
		} else if (++running > *max) {
			*max = running;
		}
	}
	free(e);
	return 0;
}

int tree_summary(FILE *f, const struct history *h)
{
	size_t failed = 0, running = 0, most;
	char wall[32];

	for (size_t i = 0; i < h->nprocs; i++) {
		failed += h->procs[i]->nfailed;
		running += !h->procs[i]->ended;
	}
	if (max_running(h, &most))
		return -1;
	tree_duration(wall, sizeof(wall), h->end_ns > h->start_ns ? h->end_ns - h->start_ns : 0);
	if (fprintf(f, "%zu process%s, %zu failed exec%s, wall time %s, at most %zu running at once",
		    h->nprocs, h->nprocs == 1 ? "" : "es", failed, failed == 1 ? "" : "s", wall, most) < 0 ||
	    (running && fprintf(f, ", %zu still running at the end", running) < 0) || fputc('\n', f) == EOF)
		return -1;
	if (h->lost && fprintf(f, "warning: %llu record%s lost: this tree is incomplete\n", h->lost,
			       h->lost == 1 ? " was" : "s were") < 0)
		return -1;
	return 0;
}
