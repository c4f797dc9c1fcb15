/* The tree's last lines: what the run amounted to. */
#ifndef TREE_SUMMARY_H
#define TREE_SUMMARY_H

#include <stddef.h>
#include <stdio.h>
#include "history.h"

/* The most processes running at once: a sweep over starts and ends, a process still running counted to the
 * run's end, an end before a start at the same instant (a process that ended as another started did not
 * overlap it) but a process that took no time counted at its instant. 0, or -1 (ENOMEM). */
int max_running(const struct history *h, size_t *max);
/* "N processes, N failed execs, wall time T, at most N running at once", and a warning when records were
 * lost. 0, or -1 with errno. */
int tree_summary(FILE *f, const struct history *h);

#endif
