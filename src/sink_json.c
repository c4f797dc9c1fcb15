// SPDX-License-Identifier: GPL-2.0
/* The JSON sink: one object per record (src/output_json.c), losses as {"type":"lost"} records. */
#include <stdlib.h>
#include "sink.h"

static int json_event(struct sink *s, const struct event *ev)
{
	switch (ev->type) {
	case EVENT_EXEC:
		return json_exec(&s->out, &ev->exec) ? -1 : 1;
	case EVENT_FORK:
		return json_fork(&s->out, &ev->fork) ? -1 : 1;
	case EVENT_EXIT:
		return json_exit(&s->out, &ev->exit) ? -1 : 1;
	}
	return 0;
}

static int json_lost_record(struct sink *s, unsigned long long n, long long boot_ns)
{
	return json_lost(&s->out, n, boot_ns);
}

static const struct sink_ops json_ops = {
    .event = json_event,
    .lost = json_lost_record,
    .tick = sink_flush,
    .end = sink_flush,
};

struct sink *sink_json_new(FILE *f, const struct options *o)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (s)
		*s = (struct sink){.ops = &json_ops, .name = "json", .out = {.f = f, .opts = o}};
	return s;
}
