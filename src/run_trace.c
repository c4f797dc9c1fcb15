// SPDX-License-Identifier: GPL-2.0
/* Tracing: each exec record, decoded, filtered by -n/-l, printed; losses said as they happen. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgroups.h"
#include "container.h"
#include "run.h"
#include "timefmt.h"

/* The longest the reader sleeps: the first record after it falls asleep wakes it (see tracer_poll), so this
 * only paces the perf buffer's reads, loss reports and the end of -d. */
#define POLL_MS 250

/* The arguments joined by spaces into r->line, *len bytes. */
static int join_args(struct run *r, const struct exec_event *ev, size_t *len)
{
	size_t need = 1; /* never an empty buffer: PCRE2 takes no NULL subject, even of length 0 */

	for (size_t i = 0; i < ev->nargs; i++)
		need += ev->args[i].len + 1;
	if (need > r->line_cap) {
		char *p = realloc(r->line, need);

		if (!p)
			return -1;
		r->line = p;
		r->line_cap = need;
	}
	need = 0;
	for (size_t i = 0; i < ev->nargs; i++) {
		if (i)
			r->line[need++] = ' ';
		if (!ev->args[i].unreadable) {
			memcpy(r->line + need, ev->args[i].s, ev->args[i].len);
			need += ev->args[i].len;
		}
	}
	*len = need;
	return 0;
}

/* Fail-open: a match abandoned as too costly counts as a match, so that a traced program cannot hide from a
 * filter by making the match expensive. */
static bool matches(struct run *r, struct matcher *m, const char *flag, const char *s, size_t len,
		    struct exec_event *ev)
{
	switch (matcher_match(m, s, len)) {
	case MATCH_YES:
		return true;
	case MATCH_NO:
		return false;
	case MATCH_ABANDONED:
		break;
	}
	if (!r->abandoned++)
		fprintf(stderr,
			"exectrace: warning: a %s match was abandoned (too costly); such records are shown "
			"unfiltered\n",
			flag);
	ev->filter_abandoned = true;
	return true;
}

static bool wanted(struct run *r, struct exec_event *ev)
{
	size_t len;

	if (r->opts.name_match && !matches(r, r->opts.name_match, "-n", ev->comm, strlen(ev->comm), ev))
		return false;
	if (r->opts.line_match &&
	    (join_args(r, ev, &len) || !matches(r, r->opts.line_match, "-l", r->line, len, ev)))
		return false;
	return true;
}

int run_trace_record(void *ctx, const void *data, size_t size)
{
	struct run *r = ctx;
	struct event e;
	struct exec_event *ev = &e.exec;
	int err;

	r->received++;
	err = event_decode(&r->dec, data, size, &e);
	/* The wall clock's offset is read again for a record made over 10 ms after the last reading (the
	 * first after a sleep, and a few a second in a storm), so that times follow a stepped or slewed
	 * clock. */
	if (!err && (long long)ev->ktime_ns - r->offset_read_ns > 10000000LL) {
		r->out.boot_to_real_ns = boot_to_real_offset_ns();
		r->offset_read_ns = clock_now_ns(CLOCK_BOOTTIME);
	}
	if (err) {
		if (err == -ENOMEM)
			return err;
		if (!r->malformed++)
			fprintf(stderr,
				"exectrace: warning: a malformed record from the kernel was skipped\n");
		return 0;
	}
	if (!wanted(r, ev))
		return 0;
	if (r->opts.json && (r->opts.context_groups & ET_CTX_CGROUP)) {
		ev->cgroup = cgroup_path(ev->cgroup_id);
		ev->container_id = ev->cgroup ? container_id(ev->cgroup) : NULL;
	}
	err = r->opts.json ? json_exec(&r->out, ev) : text_exec(&r->out, ev);
	if (err) {
		r->write_errno = errno ? errno : EIO;
		return -1;
	}
	r->unflushed++;
	return 0;
}

/* Flushes the output; what was buffered counts as printed only once it reached the output. */
static int flush_output(struct run *r)
{
	/* After a failed write stdio may hold nothing more to flush: what it held is lost, not printed. */
	if (r->write_errno)
		return -1;
	if (fflush(r->out.f) || ferror(r->out.f)) {
		r->write_errno = errno ? errno : EIO;
		return -1;
	}
	r->printed += r->unflushed;
	r->unflushed = 0;
	return 0;
}

/* Lost records are said as soon as they are counted: a warning, or a record in JSON. */
static int report_lost(struct run *r)
{
	unsigned long long lost = tracer_lost(r->tracer), n = lost - r->lost_reported;

	if (!n)
		return 0;
	r->lost_reported = lost;
	if (r->opts.json) {
		r->out.boot_to_real_ns = boot_to_real_offset_ns();
		r->offset_read_ns = clock_now_ns(CLOCK_BOOTTIME);
		if (json_lost(&r->out, n, r->offset_read_ns)) {
			r->write_errno = errno ? errno : EIO;
			return -1;
		}
		return 0;
	}
	fprintf(stderr, "exectrace: warning: %llu exec records lost (buffer full; raise --buffer-size)\n", n);
	return 0;
}

int run_trace(struct run *r)
{
	long long deadline = 0, refreshed = clock_now_ns(CLOCK_MONOTONIC);

	fprintf(stderr, "exectrace: ready: tracing exec (%s, argv up to %lu bytes)%s\n",
		tracer_transport(r->tracer), tracer_argv_limit(r->tracer),
		r->opts.duration > 0 ? "" : "; Ctrl-C to stop");
	if (!r->opts.json && text_header(&r->out))
		r->write_errno = errno ? errno : EIO;
	else
		flush_output(r);

	if (r->opts.duration > 0)
		deadline = clock_now_ns(CLOCK_MONOTONIC) + (long long)(r->opts.duration * 1e9);
	while (!stopping && !r->write_errno) {
		int timeout = POLL_MS;

		if (deadline) {
			long long left = deadline - clock_now_ns(CLOCK_MONOTONIC);

			if (left <= 0)
				break;
			if (left < POLL_MS * 1000000LL)
				timeout = (int)(left / 1000000) + 1;
		}
		int err = tracer_poll(r->tracer, timeout);

		if (err < 0 && !r->write_errno) {
			fprintf(stderr, "exectrace: reading records failed: %s\n", strerror(-err));
			return 1;
		}
		if (!report_lost(r))
			flush_output(r);
		/* Cgroups come and go: where they are named by reading the tree, it may be read once a
		 * second. */
		if (clock_now_ns(CLOCK_MONOTONIC) - refreshed > 1000000000LL) {
			cgroups_refresh_allowed();
			refreshed = clock_now_ns(CLOCK_MONOTONIC);
		}
	}
	/* Drain what is already in the buffer, then say the final loss. */
	if (!r->write_errno && tracer_poll(r->tracer, 0) >= 0 && !report_lost(r))
		flush_output(r);
	fprintf(stderr, "exectrace: %llu execs received, %llu printed, %llu lost", r->received, r->printed,
		tracer_lost(r->tracer));
	if (r->abandoned)
		fprintf(stderr, ", %llu filter matches abandoned", r->abandoned);
	fputc('\n', stderr);
	return 0;
}
