// SPDX-License-Identifier: GPL-2.0
/* A stand-in for the HTML timeline until the real one is merged: each process's last argv as JSON. */
#include "escape.h"
#include "pictures.h"

int html_write(FILE *f, const struct history *h)
{
	if (fputs("<!doctype html>\n", f) == EOF)
		return -1;
	for (size_t i = 0; i < h->nprocs; i++) {
		const struct hist_proc *p = h->procs[i];

		for (size_t k = 0; p->nexecs && k < p->execs[p->nexecs - 1].argc; k++) {
			const struct hist_str *a = &p->execs[p->nexecs - 1].argv[k];

			if (escape_json_or_null(f, a->s, a->len) || fputc('\n', f) == EOF)
				return -1;
		}
	}
	return 0;
}
