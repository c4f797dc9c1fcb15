// SPDX-License-Identifier: GPL-2.0
/* A stand-in for the Perfetto trace until the real one is merged: each process's last argv, NUL-separated. */
#include "pictures.h"

int perfetto_write(FILE *f, const struct history *h)
{
	for (size_t i = 0; i < h->nprocs; i++) {
		const struct hist_proc *p = h->procs[i];

		for (size_t k = 0; p->nexecs && k < p->execs[p->nexecs - 1].argc; k++) {
			const struct hist_str *a = &p->execs[p->nexecs - 1].argv[k];

			if (fwrite(a->s ? a->s : "", 1, a->len, f) != a->len || fputc('\0', f) == EOF)
				return -1;
		}
	}
	return 0;
}
