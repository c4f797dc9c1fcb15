// SPDX-License-Identifier: GPL-2.0
/*
 * --tree: the run's processes as a tree on a terminal, one line each: PID, TIME, STATUS columns, then the
 * tree's glyphs and the command (docs/tree.md). Walked with a stack of its own on the heap, never by
 * recursion: a chain of processes may be thousands deep.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "errnos.h"
#include "pictures.h"
#include "signals.h"
#include "tree_shape.h"
#include "tree_summary.h"
#include "tree_text.h"

/* Siblings alike collapse into one line from this many: fewer read as easily one by one. */
#define COLLAPSE_MIN 4
/* Levels of indentation drawn: a deeper line stays at this one and says its depth. */
#define DEPTH_CAP 12
/* Columns the command keeps, however narrow the width asked. */
#define TEXT_MIN 12
/* Columns a collapsed line's name may take: the rest of the line says more. */
#define NAME_COLS 32
/* At most this many kinds of failure named on a collapsed line; the rest are counted as "other". */
#define OUTCOMES_MAX 6

/* A run of siblings alike (tree_shape.h): order[start..start + len) of their frame. */
struct group {
	size_t start, len;
};

/* The children of one process (or the roots), and where the walk is among them. */
struct frame {
	struct hist_proc **kids;
	size_t n, next;
	size_t last;   /* the last kid with a line of its own or a group's */
	size_t *group; /* per kid: 1 + its group, 0 when alone; NULL when nothing collapsed */
	size_t *order; /* kid indexes, alike ones next to each other, each run in start order */
	struct group *groups;
};

struct walk {
	FILE *f;
	const struct history *h;
	const struct tree_options *o;
	struct frame *frames;
	size_t depth, cap;
	size_t collapsed, lines; /* siblings in collapsed lines, and those lines, for the hint */
};

static unsigned long long duration(const struct history *h, const struct hist_proc *p)
{
	unsigned long long end = p->ended ? p->end_ns : h->end_ns;

	return end > p->start_ns ? end - p->start_ns : 0;
}

/* Those that never collapse first, in start order: they must not split a run of those that do; then by
 * shape, each shape in start order. */
static int kid_cmp(const void *a, const void *b, void *arg)
{
	struct hist_proc *const *kids = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	bool ci = tree_collapsible(kids[i]), cj = tree_collapsible(kids[j]);
	int c;

	if (ci != cj)
		return ci ? 1 : -1;
	c = ci ? tree_shape_cmp(kids[i], kids[j]) : 0;
	return c ? c : (i > j) - (i < j);
}

static bool is_head(const struct frame *fr, size_t i)
{
	return fr->group && fr->group[i] && fr->order[fr->groups[fr->group[i] - 1].start] == i;
}

static bool has_line(const struct frame *fr, size_t i)
{
	return !fr->group || !fr->group[i] || is_head(fr, i) || !tree_subtree_clean(fr->kids[i]);
}

/* Sorts the kids by shape and makes groups of the runs alike that hide enough to be worth a line. */
static int collapse(struct frame *fr)
{
	size_t ngroups = 0;

	fr->order = malloc(fr->n * sizeof(*fr->order));
	fr->group = calloc(fr->n, sizeof(*fr->group));
	fr->groups = malloc(fr->n / COLLAPSE_MIN * sizeof(*fr->groups));
	if (!fr->order || !fr->group || !fr->groups)
		return -1;
	for (size_t i = 0; i < fr->n; i++)
		fr->order[i] = i;
	qsort_r(fr->order, fr->n, sizeof(*fr->order), kid_cmp, fr->kids);
	for (size_t s = 0, e; s < fr->n; s = e) {
		struct hist_proc *first = fr->kids[fr->order[s]];
		size_t hidden = 0;

		for (e = s + 1;
		     e < fr->n && tree_collapsible(first) && !tree_shape_cmp(first, fr->kids[fr->order[e]]);
		     e++)
			;
		if (e - s < COLLAPSE_MIN)
			continue;
		for (size_t i = s; i < e; i++)
			hidden += tree_subtree_clean(fr->kids[fr->order[i]]);
		if (hidden < 2)
			continue;
		fr->groups[ngroups++] = (struct group){s, e - s};
		for (size_t i = s; i < e; i++)
			fr->group[fr->order[i]] = ngroups;
	}
	if (!ngroups) {
		free(fr->group);
		fr->group = NULL;
	}
	return 0;
}

static void frame_free(struct frame *fr)
{
	free(fr->kids);
	free(fr->group);
	free(fr->order);
	free(fr->groups);
}

/* A frame for the procs from first on by their sibling links, or, first NULL, for the roots. */
static int frame_push(struct walk *w, struct hist_proc *first)
{
	struct frame *fr;
	size_t n = 0;

	if (w->depth == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct frame *frames = realloc(w->frames, cap * sizeof(*frames));

		if (!frames)
			return -1;
		w->frames = frames;
		w->cap = cap;
	}
	fr = &w->frames[w->depth];
	*fr = (struct frame){NULL, 0, 0, 0, NULL, NULL, NULL};
	if (first) {
		for (const struct hist_proc *p = first; p; p = p->next_sibling)
			n++;
	} else {
		for (size_t i = 0; i < w->h->nprocs; i++)
			n += !w->h->procs[i]->parent;
	}
	if (!n)
		return 0;
	w->depth++;
	fr->kids = malloc(n * sizeof(struct hist_proc *));
	if (!fr->kids)
		return -1;
	if (first) {
		for (struct hist_proc *p = first; p; p = p->next_sibling)
			fr->kids[fr->n++] = p;
	} else {
		for (size_t i = 0; i < w->h->nprocs; i++) {
			if (!w->h->procs[i]->parent)
				fr->kids[fr->n++] = w->h->procs[i];
		}
	}
	if (!w->o->expand && fr->n >= COLLAPSE_MIN && collapse(fr))
		return -1;
	for (size_t i = 0; i < fr->n; i++) {
		if (has_line(fr, i))
			fr->last = i;
	}
	return 0;
}

/* The glyphs before a line of the current frame: a bar for each level above with more to come, then the
 * line's own branch; more: a line of this frame follows. Returns the columns written, or -1. */
static int write_branches(const struct walk *w, bool more)
{
	size_t level = w->depth - 1, drawn = level < DEPTH_CAP ? level : DEPTH_CAP;

	for (size_t k = 1; k < level && k < DEPTH_CAP; k++) {
		const struct frame *fr = &w->frames[k];

		if (fputs(fr->next - 1 < fr->last ? "│  " : "   ", w->f) == EOF)
			return -1;
	}
	if (level && fputs(more ? "├─ " : "└─ ", w->f) == EOF)
		return -1;
	if (level > DEPTH_CAP && fprintf(w->f, "[depth %zu] ", level) < 0)
		return -1;
	return (int)(3 * drawn) + (level > DEPTH_CAP ? snprintf(NULL, 0, "[depth %zu] ", level) : 0);
}

/* The PID, TIME and STATUS columns; returns the columns written, or -1. */
static int write_columns(FILE *f, const char *pid, const char *time, const char *status)
{
	return fprintf(f, "%7s %7s  %-8s  ", pid, time, status);
}

/* text, shortened to what the width leaves after the columns written and the tail, with … where it was cut;
 * the tail whole. */
static int write_fitted(const struct walk *w, size_t used, const char *text, size_t len, const char *tail)
{
	size_t tail_cols = text_cols(tail, strlen(tail)), n = len;

	if (w->o->width && used + text_cols(text, len) + tail_cols > w->o->width) {
		size_t room =
		    w->o->width > used + tail_cols + TEXT_MIN ? w->o->width - used - tail_cols : TEXT_MIN;
		n = text_fit(text, len, room - 1);
	}
	if (fwrite(text, 1, n, w->f) != n || (n < len && fputs("…", w->f) == EOF) ||
	    fputs(tail, w->f) == EOF || fputc('\n', w->f) == EOF)
		return -1;
	return 0;
}

/* Written to memory first: shortening needs the escaped text whole. */
struct text {
	char *s;
	size_t len;
	FILE *m;
};

static int text_open(struct text *t)
{
	t->s = NULL;
	t->len = 0;
	t->m = open_memstream(&t->s, &t->len);
	return t->m ? 0 : -1;
}

static int text_close(struct text *t)
{
	return fclose(t->m) == EOF ? -1 : 0;
}

/* The failed execs and a core dump, after the command. */
static void marks(const struct hist_proc *p, char *buf, size_t size)
{
	size_t first, n = tree_unrecovered(p, &first), len = 0;
	char e[16];

	buf[0] = '\0';
	if (n)
		len += (size_t)snprintf(buf, size, "  ✗ %zu failed exec (%s)", n,
					error_name(p->failed[first].error, e, sizeof(e)));
	if (first && len < size)
		len += (size_t)snprintf(buf + len, size - len, "  after %zu failed exec (%s)", first,
					error_name(p->failed[0].error, e, sizeof(e)));
	if (p->core_dumped && len < size)
		snprintf(buf + len, size - len, "  core dumped");
}

static int write_proc(struct walk *w, const struct hist_proc *p, bool more)
{
	char pid[16], time[32], status[32], tail[128];
	struct text t;
	int cols, branch, err;

	snprintf(pid, sizeof(pid), "%u", p->pid);
	tree_duration(time, sizeof(time), duration(w->h, p));
	if (!p->ended)
		snprintf(status, sizeof(status), "running");
	else if (p->signal)
		signal_name(p->signal, status, sizeof(status));
	else if (p->exit_code >= 0)
		snprintf(status, sizeof(status), "exit %d", p->exit_code);
	else
		snprintf(status, sizeof(status), "ended");
	marks(p, tail, sizeof(tail));
	if (text_open(&t))
		return -1;
	if (tree_command(t.m, p)) {
		err = errno;
		fclose(t.m);
		free(t.s);
		errno = err;
		return -1;
	}
	if (text_close(&t)) {
		free(t.s);
		return -1;
	}
	cols = write_columns(w->f, pid, time, status);
	branch = cols < 0 ? -1 : write_branches(w, more);
	err = branch < 0 || write_fitted(w, (size_t)cols + (size_t)branch, t.s, t.len, tail);
	free(t.s);
	return err ? -1 : 0;
}

/* The group's members' outcomes: "338 ok, 2 exit 1", and its durations. */
static int write_outcomes(FILE *f, const struct walk *w, const struct frame *fr, const struct group *g)
{
	struct {
		char name[24];
		size_t n;
	} out[OUTCOMES_MAX];
	size_t nout = 0, ok = 0, running = 0, other = 0, failed = 0;
	unsigned long long total = 0, lo = ~0ull, hi = 0;
	char a[32], b[32], c[32];
	const char *sep = ": ";

	for (size_t k = g->start; k < g->start + g->len; k++) {
		const struct hist_proc *p = fr->kids[fr->order[k]];
		unsigned long long d = duration(w->h, p);
		char name[24];
		size_t j;

		total += d;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		if (tree_subtree_clean(p)) {
			ok += p->ended;
			running += !p->ended;
			continue;
		}
		failed++;
		if (tree_clean(p))
			snprintf(name, sizeof(name), "failed inside");
		else if (p->ended && p->signal)
			signal_name(p->signal, name, sizeof(name));
		else if (p->ended && p->exit_code)
			snprintf(name, sizeof(name), "exit %d", p->exit_code);
		else
			snprintf(name, sizeof(name), "failed exec");
		for (j = 0; j < nout && strcmp(out[j].name, name) != 0; j++)
			;
		if (j == nout && nout == OUTCOMES_MAX) {
			other++;
			continue;
		}
		if (j == nout) {
			memcpy(out[nout].name, name, sizeof(name));
			out[nout++].n = 0;
		}
		out[j].n++;
	}
	if (ok) {
		if (fprintf(f, "%s%zu ok", sep, ok) < 0)
			return -1;
		sep = ", ";
	}
	if (running) {
		if (fprintf(f, "%s%zu running", sep, running) < 0)
			return -1;
		sep = ", ";
	}
	for (size_t j = 0; j < nout; j++, sep = ", ") {
		if (fprintf(f, "%s%zu %s", sep, out[j].n, out[j].name) < 0)
			return -1;
	}
	if ((other && fprintf(f, ", %zu other", other) < 0) || (failed && fprintf(f, " (listed below)") < 0))
		return -1;
	tree_duration(a, sizeof(a), lo);
	tree_duration(b, sizeof(b), hi);
	tree_duration(c, sizeof(c), total);
	if (!strcmp(a, b))
		return fprintf(f, "; %s each, %s in all", a, c) < 0 ? -1 : 0;
	return fprintf(f, "; %s-%s each, %s in all", a, b, c) < 0 ? -1 : 0;
}

/* The group's line from its texts: the name, what runs under, the outcomes. */
static int write_group_line(const struct walk *w, const struct text *t, size_t count, bool more)
{
	size_t n = t[0].len;
	int cols = write_columns(w->f, "", "", ""), branch, x;

	if (text_cols(t[0].s, n) > NAME_COLS)
		n = text_fit(t[0].s, n, NAME_COLS - 1);
	branch = cols < 0 ? -1 : write_branches(w, more);
	if (branch < 0 || fwrite(t[0].s, 1, n, w->f) != n || (n < t[0].len && fputs("…", w->f) == EOF))
		return -1;
	x = fprintf(w->f, " x %zu", count);
	if (x < 0)
		return -1;
	return write_fitted(w,
			    (size_t)cols + (size_t)branch + text_cols(t[0].s, n) + (n < t[0].len) + (size_t)x,
			    t[1].s, t[1].len, t[2].s);
}

/* "cc1 x 340: 338 ok, 2 exit 1 (listed below); 0.010s-0.300s each, 12.30s in all", or for siblings with
 * children "gcc x 340 (each with cc1, as): ...": the name cut to NAME_COLS, what runs under them shortened
 * to fit, never the count or the outcomes. */
static int write_group(struct walk *w, const struct frame *fr, const struct group *g, bool more)
{
	const struct hist_proc *first = fr->kids[fr->order[g->start]];
	struct text t[3];
	size_t opened = 0;
	int err = 0;

	for (; opened < 3 && !text_open(&t[opened]); opened++)
		;
	if (opened < 3 || tree_write_name(t[0].m, first) ||
	    (first->first_child && (fputs(" (each with ", t[1].m) == EOF || tree_write_shape(t[1].m, first) ||
				    fputc(')', t[1].m) == EOF)) ||
	    write_outcomes(t[2].m, w, fr, g))
		err = -1;
	for (size_t i = 0; i < opened; i++)
		err |= text_close(&t[i]);
	if (!err)
		err = write_group_line(w, t, g->len, more);
	w->collapsed += g->len;
	w->lines++;
	for (size_t i = 0; i < opened; i++)
		free(t[i].s);
	return err;
}

/* One kid of the current frame: its group's line if it is the group's first, its own unless the group hides
 * it, then its children's frame. */
static int visit(struct walk *w)
{
	struct frame *fr = &w->frames[w->depth - 1];
	size_t i = fr->next++;
	struct hist_proc *p = fr->kids[i];
	bool own = !fr->group || !fr->group[i] || !tree_subtree_clean(p);

	if (is_head(fr, i) && write_group(w, fr, &fr->groups[fr->group[i] - 1], own || i < fr->last))
		return -1;
	if (!own)
		return 0;
	if (write_proc(w, p, i < fr->last))
		return -1;
	return p->first_child ? frame_push(w, p->first_child) : 0;
}

static int walk(struct walk *w)
{
	if (frame_push(w, NULL))
		return -1;
	while (w->depth) {
		struct frame *fr = &w->frames[w->depth - 1];

		if (fr->next < fr->n) {
			if (visit(w))
				return -1;
			continue;
		}
		frame_free(fr);
		w->depth--;
	}
	return 0;
}

int tree_write(FILE *f, const struct history *h, const struct tree_options *o)
{
	struct walk w = {.f = f, .h = h, .o = o};
	int err = 0;

	errno = 0;
	if (fprintf(f, "%7s %7s  %-8s  %s\n", "PID", "TIME", "STATUS", "COMMAND") < 0 || walk(&w))
		err = errno ? errno : EIO;
	/* Also after a failure, when frames are left. */
	while (w.depth)
		frame_free(&w.frames[--w.depth]);
	free(w.frames);
	if (!err && w.lines &&
	    fprintf(f,
		    "collapsed: %zu repeated siblings on %zu line%s (NAME x N, their failures still listed): "
		    "--tree-expand shows each\n",
		    w.collapsed, w.lines, w.lines == 1 ? "" : "s") < 0)
		err = errno;
	if (!err && tree_summary(f, h))
		err = errno;
	if (!err && fflush(f) == EOF)
		err = errno;
	if (!err)
		return 0;
	errno = err;
	return -1;
}
