// SPDX-License-Identifier: GPL-2.0
/*
 * --tree: the run's processes as a tree on a terminal, one line each: PID, TIME, STATUS columns, then the
 * tree's glyphs and the command (docs/tree.md). Walked with a stack of its own on the heap, never by
 * recursion: a chain of processes may be thousands deep.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "pictures.h"
#include "signals.h"
#include "tree_summary.h"
#include "tree_text.h"

/* Siblings alike collapse into one line from this many: fewer read as easily one by one. */
#define COLLAPSE_MIN 4
/* Levels of indentation drawn: a deeper line stays at this one and says its depth. */
#define DEPTH_CAP 12
/* Columns the command keeps, however narrow the width asked. */
#define TEXT_MIN 12
/* At most this many kinds of failure named on a collapsed line; the rest are counted as "other". */
#define OUTCOMES_MAX 6

/* A run of siblings that ran the same program and started nothing: order[start..start + len) of their
 * frame. */
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
	size_t collapsed, lines; /* processes in collapsed lines, and those lines, for the hint */
};

/* Failed execs after the process's last successful exec: it ended up not running what it tried. The ones
 * before it (a PATH search, a retry) number *first. */
static size_t unrecovered(const struct hist_proc *p, size_t *first)
{
	size_t i = 0;

	if (p->nexecs) {
		while (i < p->nfailed && p->failed[i].time_ns <= p->execs[p->nexecs - 1].time_ns)
			i++;
	}
	*first = i;
	return p->nfailed - i;
}

/* Ran to a clean end, or still runs, with nothing failed: what a collapsed line may hide. */
static bool clean(const struct hist_proc *p)
{
	size_t first;

	return (!p->ended || (!p->signal && !p->exit_code)) && !unrecovered(p, &first);
}

static unsigned long long duration(const struct history *h, const struct hist_proc *p)
{
	unsigned long long end = p->ended ? p->end_ns : h->end_ns;

	return end > p->start_ns ? end - p->start_ns : 0;
}

static const char *error_name(int err, char *buf, size_t size)
{
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, size, "E%d", err);
	return buf;
}

/* What a collapsed line groups by: the same binary and the same argv[0] (a multi-call binary runs as
 * several programs), or, never exec'd, the same name. */
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

static int key_cmp(const void *a, const void *b, void *arg)
{
	struct hist_proc **kids = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	struct key x = key_of(kids[i]), y = key_of(kids[j]);
	int c;

	/* Those with children first: they never group, and must not split a run of those that do. */
	if (!kids[i]->first_child != !kids[j]->first_child)
		return kids[i]->first_child ? -1 : 1;
	if (!x.comm != !y.comm)
		return x.comm ? 1 : -1;
	c = x.comm ? strcmp(x.comm, y.comm) : str_cmp(x.exe, y.exe);
	if (!c && !x.comm)
		c = str_cmp(x.arg0, y.arg0);
	return c ? c : (i > j) - (i < j);
}

static bool alike(struct hist_proc *const *kids, size_t i, size_t j)
{
	struct key x = key_of(kids[i]), y = key_of(kids[j]);

	if (kids[i]->first_child || kids[j]->first_child || !x.comm != !y.comm)
		return false;
	if (x.comm)
		return !strcmp(x.comm, y.comm);
	/* Nothing to tell them by. */
	if (!(x.exe->s || (x.arg0 && x.arg0->s)))
		return false;
	return !str_cmp(x.exe, y.exe) && !str_cmp(x.arg0, y.arg0);
}

static bool is_head(const struct frame *fr, size_t i)
{
	return fr->group && fr->group[i] && fr->order[fr->groups[fr->group[i] - 1].start] == i;
}

static bool has_line(const struct frame *fr, size_t i)
{
	return !fr->group || !fr->group[i] || is_head(fr, i) || !clean(fr->kids[i]);
}

/* Sorts the kids by key and makes groups of the runs alike that hide enough to be worth a line. */
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
	qsort_r(fr->order, fr->n, sizeof(*fr->order), key_cmp, fr->kids);
	for (size_t s = 0, e; s < fr->n; s = e) {
		size_t hidden = 0;

		for (e = s + 1; e < fr->n && alike(fr->kids, fr->order[s], fr->order[e]); e++)
			;
		for (size_t i = s; i < e; i++)
			hidden += clean(fr->kids[fr->order[i]]);
		if (e - s < COLLAPSE_MIN || hidden < 2)
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
	size_t first, n = unrecovered(p, &first), len = 0;
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
		if (clean(p)) {
			ok += p->ended;
			running += !p->ended;
			continue;
		}
		failed++;
		if (p->ended && p->signal)
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
	return fprintf(f, "; %s to %s each, %s in all", a, b, c) < 0 ? -1 : 0;
}

/* The name a group goes by: argv[0]'s base name, else the binary's, else [comm]. */
static int write_name(FILE *m, const struct hist_proc *p)
{
	struct key k = key_of(p);
	const struct hist_str *s = k.arg0 && k.arg0->s ? k.arg0 : k.exe;
	const char *slash;

	if (k.comm)
		return fputc('[', m) == EOF || escape_text(m, k.comm, strlen(k.comm), false) ||
			       fputc(']', m) == EOF
			   ? -1
			   : 0;
	slash = memrchr(s->s, '/', s->len);
	/* A path ending in '/' has no base name to show. */
	if (!slash || slash + 1 == s->s + s->len)
		return tree_str(m, s->s, s->len);
	return tree_str(m, slash + 1, s->len - (size_t)(slash + 1 - s->s));
}

/* "cc1 x 340: 338 ok, 2 exit 1 (listed below); 0.010s to 0.300s each, 12.30s in all": the name shortened
 * to fit, never the rest. */
static int write_group(struct walk *w, const struct frame *fr, const struct group *g, bool more)
{
	struct text name, rest;
	int err = -1;

	if (text_open(&name))
		return -1;
	if (text_open(&rest)) {
		fclose(name.m);
		free(name.s);
		return -1;
	}
	if (!write_name(name.m, fr->kids[fr->order[g->start]]) && fprintf(rest.m, " x %zu", g->len) >= 0 &&
	    !write_outcomes(rest.m, w, fr, g))
		err = 0;
	err |= text_close(&name);
	err |= text_close(&rest);
	if (!err) {
		int cols = write_columns(w->f, "", "", "");
		int branch = cols < 0 ? -1 : write_branches(w, more);

		err = branch < 0 ? -1
				 : write_fitted(w, (size_t)cols + (size_t)branch, name.s, name.len, rest.s);
	}
	w->collapsed += g->len;
	w->lines++;
	free(name.s);
	free(rest.s);
	return err;
}

/* One kid of the current frame: its group's line if it is the group's first, its own unless the group hides
 * it, then its children's frame. */
static int visit(struct walk *w)
{
	struct frame *fr = &w->frames[w->depth - 1];
	size_t i = fr->next++;
	struct hist_proc *p = fr->kids[i];
	bool own = !fr->group || !fr->group[i] || !clean(p);

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
