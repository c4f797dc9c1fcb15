// SPDX-License-Identifier: GPL-2.0
/* The pictures sink: every event into the run's history (src/history.c), and at the end the pictures asked
 * for drawn from it (src/pictures.h): the tree on the output stream, the timeline and the Perfetto trace into
 * their files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "history.h"
#include "pictures.h"
#include "sink.h"
#include "timefmt.h"

struct pictures_sink {
	struct sink sink; /* first: the sinks know it as this, and free it as this */
	const struct pictures *p;
	struct history h;
	unsigned long long end_ns; /* command mode: CMD's exit record's time, once seen */
	unsigned long long dropped;
};

static FILE *open_picture(const char *path, const char *option)
{
	/* Close-on-exec: the command must not hold it open. */
	FILE *f = fopen(path, "we");

	if (!f)
		fprintf(stderr, "exectrace: cannot open %s file '%s': %s\n", option, path, strerror(errno));
	return f;
}

int pictures_open(struct pictures *p, const struct options *o)
{
	if (o->html && !(p->html = open_picture(o->html, "--html")))
		return -1;
	if (o->perfetto && !(p->perfetto = open_picture(o->perfetto, "--perfetto")))
		return -1;
	return 0;
}

static int close_picture(FILE **f, const char *option)
{
	int err = *f && fclose(*f);

	if (err)
		fprintf(stderr, "exectrace: writing the %s file failed: %s\n", option, strerror(errno));
	*f = NULL;
	return err ? -1 : 0;
}

int pictures_close(struct pictures *p)
{
	int err = close_picture(&p->html, "--html");

	return close_picture(&p->perfetto, "--perfetto") || err ? -1 : 0;
}

static int pictures_event(struct sink *s, const struct event *ev)
{
	struct pictures_sink *ps = (struct pictures_sink *)s;
	unsigned long long off = (unsigned long long)s->out.boot_to_real_ns;
	struct event e = *ev;

	/* On the wall clock as the records are, each with the offset read near its time: the pictures of a
	 * live run are then those of the report of its recording, to the nanosecond, even while the clock is
	 * slewed. */
	switch (e.type) {
	case EVENT_EXEC:
		e.exec.ktime_ns += off;
		break;
	case EVENT_FORK:
		e.fork.ktime_ns += off;
		break;
	case EVENT_EXIT:
		e.exit.ktime_ns += off;
		e.exit.since_ns += off;
		break;
	}
	/* Its pid is CMD's alone until exectrace reaps it, after the trace. */
	if (e.type == EVENT_EXIT && ps->p->command_pid && e.exit.pid == (unsigned int)ps->p->command_pid)
		ps->end_ns = e.exit.ktime_ns;
	/* Out of memory, the pictures miss a record (said at the end) and the run goes on. */
	if (history_add(&ps->h, &e))
		ps->dropped++;
	return 0;
}

static int pictures_lost(struct sink *s, unsigned long long n, long long boot_ns)
{
	(void)boot_ns;
	history_lost(&((struct pictures_sink *)s)->h, n);
	return 0;
}

static int pictures_tick(struct sink *s)
{
	(void)s;
	return 0;
}

/* A terminal's width, so that long commands are shortened to a line; no limit for a file or a pipe. */
static unsigned int width_of(FILE *f)
{
	struct winsize ws;

	return isatty(fileno(f)) && !ioctl(fileno(f), TIOCGWINSZ, &ws) ? ws.ws_col : 0;
}

/* A picture written and flushed; else its errno kept in *err, unless one failed before. */
static void drawn(int written, FILE *f, int *err)
{
	if ((written || fflush(f) || ferror(f)) && !*err)
		*err = errno ? errno : EIO;
}

static int pictures_end(struct sink *s)
{
	struct pictures_sink *ps = (struct pictures_sink *)s;
	const struct pictures *p = ps->p;
	struct history *h = &ps->h;
	unsigned long long off = (unsigned long long)s->out.boot_to_real_ns;
	int err = 0;

	if (ps->dropped)
		fprintf(stderr, "exectrace: warning: %llu records left out of the pictures (out of memory)\n",
			ps->dropped);
	h->command = p->command;
	/* The history's times are the wall clock's already (pictures_event). */
	h->start_ns = p->start_ns ? p->start_ns + off : 0;
	/* CMD still running (--duration ended the trace, or its exit record was lost): the trace's end. */
	if (p->command)
		h->end_ns = ps->end_ns ? ps->end_ns : (unsigned long long)clock_now_ns(CLOCK_BOOTTIME) + off;
	history_finish(h);
	/* Each drawn even when one before failed: a full disk for one file leaves the others whole. */
	if (p->tree) {
		const struct tree_options to = {.width = width_of(p->tree), .expand = p->tree_expand};

		drawn(tree_write(p->tree, h, &to), p->tree, &err);
	}
	if (p->html)
		drawn(html_write(p->html, h), p->html, &err);
	if (p->perfetto)
		drawn(perfetto_write(p->perfetto, h), p->perfetto, &err);
	errno = err;
	return err ? -1 : 0;
}

static void pictures_free(struct sink *s)
{
	history_free(&((struct pictures_sink *)s)->h);
}

static const struct sink_ops pictures_ops = {
    .event = pictures_event,
    .lost = pictures_lost,
    .tick = pictures_tick,
    .end = pictures_end,
    .free = pictures_free,
};

struct sink *sink_pictures_new(const struct pictures *p)
{
	struct pictures_sink *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return NULL;
	ps->sink = (struct sink){.ops = &pictures_ops, .name = "pictures"};
	ps->p = p;
	history_init(&ps->h);
	return &ps->sink;
}
