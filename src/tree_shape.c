// SPDX-License-Identifier: GPL-2.0
/* Siblings alike: the same program at the root, and under it the same programs in the same tree, walked in
 * step without recursion by the parent links. */
#include <string.h>
#include "escape.h"
#include "tree_shape.h"
#include "tree_text.h"

size_t tree_unrecovered(const struct hist_proc *p, size_t *first)
{
	size_t i = 0;

	if (p->nexecs) {
		while (i < p->nfailed && p->failed[i].time_ns <= p->execs[p->nexecs - 1].time_ns)
			i++;
	}
	*first = i;
	return p->nfailed - i;
}

bool tree_clean(const struct hist_proc *p)
{
	size_t first;

	return (!p->ended || (!p->signal && !p->exit_code)) && !tree_unrecovered(p, &first);
}

/* The process after p in root's subtree, in preorder, with *depth moved along; NULL after the last. */
static const struct hist_proc *next_in(const struct hist_proc *p, const struct hist_proc *root, int *depth)
{
	if (p->first_child) {
		++*depth;
		return p->first_child;
	}
	for (; p != root; p = p->parent, --*depth) {
		if (p->next_sibling)
			return p->next_sibling;
	}
	return NULL;
}

bool tree_subtree_clean(const struct hist_proc *p)
{
	int depth = 0;

	for (const struct hist_proc *q = p; q; q = next_in(q, p, &depth)) {
		if (!tree_clean(q))
			return false;
	}
	return true;
}

/* What a process is told by: its binary and argv[0] (a multi-call binary runs as several programs), or,
 * never exec'd, its name. */
struct key {
	const struct hist_str *exe, *arg0;
	const char *comm;
};

static struct key key_of(const struct hist_proc *p)
{
	struct key k = {NULL, NULL, NULL};

	if (p->nexecs) {
		const struct hist_exec *e = &p->execs[p->nexecs - 1];

		k.exe = &e->exe;
		k.arg0 = e->argc ? &e->argv[0] : NULL;
	} else {
		k.comm = p->comm;
	}
	return k;
}

/* Unknown and unreadable strings compare equal among themselves. */
static int str_cmp(const struct hist_str *a, const struct hist_str *b)
{
	size_t alen = a && a->s ? a->len : 0, blen = b && b->s ? b->len : 0;
	int c;

	if (!alen || !blen)
		return (alen > 0) - (blen > 0);
	c = memcmp(a->s, b->s, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

static int key_cmp(const struct hist_proc *a, const struct hist_proc *b)
{
	struct key x = key_of(a), y = key_of(b);
	int c;

	if (!x.comm != !y.comm)
		return x.comm ? 1 : -1;
	if (x.comm)
		return strcmp(x.comm, y.comm);
	c = str_cmp(x.exe, y.exe);
	return c ? c : str_cmp(x.arg0, y.arg0);
}

bool tree_collapsible(const struct hist_proc *p)
{
	size_t n = 0;
	int depth = 0;

	for (const struct hist_proc *q = p; q; q = next_in(q, p, &depth)) {
		struct key k = key_of(q);

		if (++n > SHAPE_MAX || !(k.comm || k.exe->s || (k.arg0 && k.arg0->s)))
			return false;
	}
	return true;
}

int tree_shape_cmp(const struct hist_proc *a, const struct hist_proc *b)
{
	const struct hist_proc *x = a, *y = b;
	int da = 0, db = 0;

	while (x && y) {
		int c = key_cmp(x, y);

		if (c)
			return c;
		x = next_in(x, a, &da);
		y = next_in(y, b, &db);
		if (x && y && da != db)
			return da < db ? -1 : 1;
	}
	return (x != NULL) - (y != NULL);
}

int tree_write_name(FILE *m, const struct hist_proc *p)
{
	struct key k = key_of(p);
	const struct hist_str *s = k.arg0 && k.arg0->s ? k.arg0 : k.exe;
	const char *slash;

	if (k.comm)
		return fputc('[', m) == EOF || escape_text(m, k.comm, strlen(k.comm), false) ||
			       fputc(']', m) == EOF
			   ? -1
			   : 0;
	slash = s->s ? memrchr(s->s, '/', s->len) : NULL;
	/* A path ending in '/' has no base name to show. */
	if (!slash || slash + 1 == s->s + s->len)
		return tree_str(m, s->s, s->len);
	return tree_str(m, slash + 1, s->len - (size_t)(slash + 1 - s->s));
}

int tree_write_shape(FILE *m, const struct hist_proc *p)
{
	int depth = 0, prev = 1;

	for (const struct hist_proc *q = next_in(p, p, &depth); q; q = next_in(q, p, &depth)) {
		if (q != p->first_child) {
			if (depth > prev && fputs(" (", m) == EOF)
				return -1;
			for (int d = depth; d < prev; d++) {
				if (fputc(')', m) == EOF)
					return -1;
			}
			if (depth <= prev && fputs(", ", m) == EOF)
				return -1;
		}
		if (tree_write_name(m, q))
			return -1;
		prev = depth;
	}
	for (; prev > 1; prev--) {
		if (fputc(')', m) == EOF)
			return -1;
	}
	return 0;
}
