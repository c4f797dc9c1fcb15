// SPDX-License-Identifier: GPL-2.0
/* The text sink: execsnoop's columns (src/output_text.c), losses as warnings on stderr. */
#include <stdlib.h>
#include "sink.h"

static int text_begin(struct sink *s)
{
	return text_header(&s->out);
}

static int text_event(struct sink *s, const struct event *ev)
{
	switch (ev->type) {
	case EVENT_EXEC:
		return text_exec(&s->out, &ev->exec) ? -1 : 1;
	case EVENT_FORK:
		return text_fork(&s->out, &ev->fork) ? -1 : 1;
	case EVENT_EXIT:
		return text_exit(&s->out, &ev->exit) ? -1 : 1;
	}
	return 0;
}

static int text_lost(struct sink *s, unsigned long long n, long long boot_ns)
{
	(void)s, (void)boot_ns;
	fprintf(stderr, "exectrace: warning: %llu records lost (buffer full; raise --buffer-size)\n", n);
	return 0;
}

static const struct sink_ops text_ops = {
    .begin = text_begin,
    .event = text_event,
    .lost = text_lost,
    .tick = sink_flush,
    .end = sink_flush,
};

struct sink *sink_text_new(FILE *f, const struct options *o)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (s)
		*s = (struct sink){.ops = &text_ops, .name = "text", .out = {.f = f, .opts = o}};
	return s;
}
