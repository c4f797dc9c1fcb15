// SPDX-License-Identifier: GPL-2.0
/* A stand-in for the process tree until the real one is merged: each process on a line, its last argv
 * escaped as text mode escapes it. */
#include "escape.h"
#include "pictures.h"

int tree_write(FILE *f, const struct history *h, const struct tree_options *o)
{
	(void)o;
	for (size_t i = 0; i < h->nprocs; i++) {
		const struct hist_proc *p = h->procs[i];
		const struct hist_exec *x = p->nexecs ? &p->execs[p->nexecs - 1] : NULL;

		if (fprintf(f, "%u", p->pid) < 0)
			return -1;
		for (size_t k = 0; x && k < x->argc; k++)
			if (fputc(' ', f) == EOF || escape_text(f, x->argv[k].s ? x->argv[k].s : "\\?",
								x->argv[k].s ? x->argv[k].len : 2, false))
				return -1;
		if (fputc('\n', f) == EOF)
			return -1;
	}
	return 0;
}
