/* When siblings on the tree are alike enough to share one line, and what that line may hide. */
#ifndef TREE_SHAPE_H
#define TREE_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "history.h"

/* A collapsed line stands for siblings whose whole subtrees are at most this many processes. */
#define SHAPE_MAX 16

/* Failed execs after the process's last successful exec: it ended up not running what it tried. The ones
 * before it (a PATH search, a retry that worked) number *first. */
size_t tree_unrecovered(const struct hist_proc *p, size_t *first);
/* Ran to a clean end (exit 0), or still runs, with no failed exec left unrecovered. */
bool tree_clean(const struct hist_proc *p);
/* The same, for every process of p's subtree. */
bool tree_subtree_clean(const struct hist_proc *p);
/* p's subtree may share a line with others of its shape: at most SHAPE_MAX processes, each with something
 * to tell it by (its binary or argv[0], or, never exec'd, its name). */
bool tree_collapsible(const struct hist_proc *p);
/* Orders subtrees by shape: the same program at each place, the same children in the same order. 0: alike.
 */
int tree_shape_cmp(const struct hist_proc *a, const struct hist_proc *b);
/* The name p goes by on a collapsed line: argv[0]'s base name, else its binary's, else [comm]; escaped. */
int tree_write_name(FILE *m, const struct hist_proc *p);
/* What runs under p, by name, its children's children in parentheses: "cc1, as", "gcc (cc1, as)". */
int tree_write_shape(FILE *m, const struct hist_proc *p);

#endif
