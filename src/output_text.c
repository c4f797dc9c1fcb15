// SPDX-License-Identifier: GPL-2.0
/* execsnoop's columns: [TIME] [TIME(s)] [UID] PCOMM PID PPID RET ARGS, every field escaped. */
#include <string.h>
#include "escape.h"
#include "output.h"
#include "timefmt.h"

#define COMM_WIDTH 16

int text_header(const struct output *out)
{
	const struct options *o = out->opts;

	if (o->clock_time && fprintf(out->f, "%-8s ", "TIME") < 0)
		return -1;
	if (o->elapsed_time && fprintf(out->f, "%-8s ", "TIME(s)") < 0)
		return -1;
	if (o->print_uid && fprintf(out->f, "%-6s ", "UID") < 0)
		return -1;
	return fprintf(out->f, "%-16s %-6s %-6s %3s %s\n", "PCOMM", "PID", "PPID", "RET", "ARGS") < 0 ? -1
												      : 0;
}

int text_exec(const struct output *out, const struct exec_event *ev)
{
	const struct options *o = out->opts;
	FILE *f = out->f;

	if (o->clock_time) {
		char tbuf[32];

		if (format_clock(tbuf, sizeof(tbuf), (long long)ev->ktime_ns + out->boot_to_real_ns) ||
		    fprintf(f, "%-8s ", tbuf) < 0)
			return -1;
	}
	if (o->elapsed_time &&
	    fprintf(f, "%-8.3f ", (double)((long long)ev->ktime_ns - out->start_boot_ns) / 1e9) < 0)
		return -1;
	if (o->print_uid && fprintf(f, "%-6u ", ev->uid) < 0)
		return -1;
	if (escape_text_padded(f, ev->comm, strlen(ev->comm), COMM_WIDTH) ||
	    fprintf(f, " %-6u %-6u %3d", ev->pid, ev->ppid, ev->retval) < 0)
		return -1;
	for (size_t i = 0; i < ev->nargs; i++) {
		const struct arg *a = &ev->args[i];

		if (fputc(' ', f) == EOF)
			return -1;
		/* Backslashes are escaped, so this marker cannot come from an argument. */
		if (a->unreadable ? fputs("\\?", f) == EOF : escape_text(f, a->s, a->len, o->quote))
			return -1;
	}
	if (ev->truncated && fputs(" ...", f) == EOF)
		return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}
