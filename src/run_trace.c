// SPDX-License-Identifier: GPL-2.0
/* Tracing: each kernel record decoded into an event, applied to the process table (when a sink reads it),
 * filtered by -n/-l, and told to every sink; losses told as they are counted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgroups.h"
#include "container.h"
#include "output_file.h"
#include "run.h"
#include "timefmt.h"

/* The longest the reader sleeps: the first record after it falls asleep wakes it (see tracer_poll), so this
 * only paces the perf buffer's reads, loss reports and the end of -d. */
#define POLL_MS 250

/* The arguments joined by spaces into t->line, *len bytes. */
static int join_args(struct trace *t, const struct exec_event *ev, size_t *len)
{
	size_t need = 1; /* never an empty buffer: PCRE2 takes no NULL subject, even of length 0 */

	for (size_t i = 0; i < ev->nargs; i++)
		need += ev->args[i].len + 1;
	if (need > t->line_cap) {
		char *p = realloc(t->line, need);

		if (!p)
			return -1;
		t->line = p;
		t->line_cap = need;
	}
	need = 0;
	for (size_t i = 0; i < ev->nargs; i++) {
		if (i)
			t->line[need++] = ' ';
		if (!ev->args[i].unreadable) {
			memcpy(t->line + need, ev->args[i].s, ev->args[i].len);
			need += ev->args[i].len;
		}
	}
	*len = need;
	return 0;
}

/* Fail-open: a match abandoned as too costly counts as a match, so that a traced program cannot hide from a
 * filter by making the match expensive. */
static bool matches(struct trace *t, struct matcher *m, const char *flag, const char *s, size_t len,
		    bool *abandoned)
{
	switch (matcher_match(m, s, len)) {
	case MATCH_YES:
		return true;
	case MATCH_NO:
		return false;
	case MATCH_ABANDONED:
		break;
	}
	if (!t->abandoned++)
		fprintf(stderr,
			"exectrace: warning: a %s match was abandoned (too costly); such records are shown "
			"unfiltered\n",
			flag);
	*abandoned = true;
	return true;
}

/* -n on the command name of every record; -l on the arguments of exec records. */
static bool wanted(struct trace *t, struct event *e)
{
	struct exec_event *ev = &e->exec;
	bool abandoned = false;
	size_t len;

	if (e->type == EVENT_FORK || e->type == EVENT_EXIT) {
		const char *comm = e->type == EVENT_FORK ? e->fork.comm : e->exit.comm;

		return !t->opts->name_match ||
		       matches(t, t->opts->name_match, "-n", comm, strlen(comm), &abandoned);
	}
	if (t->opts->name_match &&
	    !matches(t, t->opts->name_match, "-n", ev->comm, strlen(ev->comm), &ev->filter_abandoned))
		return false;
	if (t->opts->line_match && (join_args(t, ev, &len) || !matches(t, t->opts->line_match, "-l", t->line,
								       len, &ev->filter_abandoned)))
		return false;
	return true;
}

void trace_init(struct trace *t, const struct options *o)
{
	t->opts = o;
	event_decoder_init(&t->dec, o->max_args);
	event_decoder_env_names(&t->dec, o->env_names);
	/* Only a sink that reads the table pays for it. */
	t->use_table = sinks_need_table(&t->sinks);
	if (t->use_table) {
		proctable_init(&t->table, PROCTABLE_CAP, sinks_keep_history(&t->sinks));
		sinks_set_table(&t->sinks, &t->table);
	}
}

void trace_free(struct trace *t)
{
	sinks_free(&t->sinks);
	if (t->use_table)
		proctable_free(&t->table);
	exec_times_free(&t->exec_times);
	event_decoder_free(&t->dec);
	free(t->line);
}

/* The wall clock's offset, read again: kernel stamps plus it give the records' times. */
static void read_clock(struct trace *t)
{
	long long offset = boot_to_real_offset_ns();

	t->offset_read_ns = clock_now_ns(CLOCK_BOOTTIME);
	sinks_set_clock(&t->sinks, offset);
}

static unsigned long long event_ktime(const struct event *e)
{
	switch (e->type) {
	case EVENT_EXEC:
		return e->exec.ktime_ns;
	case EVENT_FORK:
		return e->fork.ktime_ns;
	case EVENT_EXIT:
		return e->exit.ktime_ns;
	}
	return 0;
}

int run_trace_record(void *ctx, const void *data, size_t size)
{
	struct trace *t = ctx;
	struct event e;
	int err;

	t->received++;
	if (t->exporter && size >= sizeof(struct et_record)) {
		const struct et_record *r = data;

		if (r->type == ET_REC_EXEC && (r->flags & ET_F_ARGV_CUT))
			exporter_argv_truncated(t->exporter);
	}
	err = event_decode(&t->dec, data, size, &e);
	if (err) {
		if (err == -ENOMEM)
			return err;
		if (!t->malformed++)
			fprintf(stderr,
				"exectrace: warning: a malformed record from the kernel was skipped\n");
		return 0;
	}
	/* The wall clock's offset is read again for a record made over 10 ms after the last reading (the
	 * first after a sleep, and a few a second in a storm), so that times follow a stepped or slewed
	 * clock. */
	if ((long long)event_ktime(&e) - t->offset_read_ns > 10000000LL)
		read_clock(t);
	/* The table follows every process, printed or not. */
	if (t->use_table)
		proctable_update(&t->table, &e);
	/* Every exec, before -n and -l: an exit shown counts from its exec, shown or not. */
	if (t->opts->exits && exec_times_apply(&t->exec_times, &e))
		return -ENOMEM;
	/* Every exit, before -n and -l: the metrics count what the kernel saw. */
	if (t->exporter && e.type == EVENT_EXIT)
		exporter_exit(t->exporter, &e.exit);
	if (!wanted(t, &e))
		return 0;
	if (e.type == EVENT_EXEC && t->opts->json) {
		struct exec_event *ev = &e.exec;

		if (t->opts->context_groups & ET_CTX_CGROUP) {
			ev->cgroup = cgroup_path(ev->cgroup_id);
			ev->container_id = ev->cgroup ? container_id(ev->cgroup) : NULL;
		}
	}
	sinks_event(&t->sinks, &e);
	return sinks_all_failed(&t->sinks) ? -1 : 0;
}

/* Lost records are told as soon as they are counted. */
static void report_lost(struct trace *t)
{
	unsigned long long lost = tracer_lost(t->tracer), n = lost - t->lost_reported;

	if (!n)
		return;
	t->lost_reported = lost;
	read_clock(t);
	sinks_lost(&t->sinks, n, t->offset_read_ns);
}

/* The totals on stderr, and each output's failure; returns the exit status. */
static int report_end(const struct trace *t)
{
	const struct sinks *set = &t->sinks;
	int status = 0;

	fprintf(stderr, "exectrace: %llu records received, ", t->received);
	for (size_t i = 0; i < set->n; i++)
		fprintf(stderr, set->n > 1 ? "%llu printed (%s), " : "%llu printed, ", set->s[i]->printed,
			set->s[i]->name);
	fprintf(stderr, "%llu lost", tracer_lost(t->tracer));
	if (t->abandoned)
		fprintf(stderr, ", %llu filter matches abandoned", t->abandoned);
	if (t->use_table && t->table.dropped)
		fprintf(stderr, ", %llu process table entries dropped (at most %d)", t->table.dropped,
			PROCTABLE_CAP);
	fputc('\n', stderr);
	for (size_t i = 0; i < set->n; i++) {
		int err = set->s[i]->write_errno;

		/* A closed pipe (exectrace | head) ends the run quietly. */
		if (!err || err == EPIPE)
			continue;
		fprintf(stderr, "exectrace: writing the output failed: %s", strerror(err));
		fprintf(stderr, set->n > 1 ? " (%s)\n" : "\n", set->s[i]->name);
		status = 1;
	}
	return status;
}

int run_trace(struct trace *t)
{
	long long deadline = 0, refreshed = clock_now_ns(CLOCK_MONOTONIC);
	const struct options *o = t->opts;

	fprintf(stderr, "exectrace: ready: tracing exec (%s, argv up to %lu bytes)%s\n",
		tracer_transport(t->tracer), tracer_argv_limit(t->tracer), options_until(o));
	sinks_begin(&t->sinks, boot_to_real_offset_ns(), clock_now_ns(CLOCK_BOOTTIME));
	sinks_tick(&t->sinks);

	if (o->duration > 0)
		deadline = clock_now_ns(CLOCK_MONOTONIC) + (long long)(o->duration * 1e9);
	while (!stopping && !sinks_all_failed(&t->sinks)) {
		int timeout = POLL_MS;

		if (deadline) {
			long long left = deadline - clock_now_ns(CLOCK_MONOTONIC);

			if (left <= 0)
				break;
			if (left < POLL_MS * 1000000LL)
				timeout = (int)(left / 1000000) + 1;
		}
		int err = tracer_poll(t->tracer, timeout);

		if (err < 0 && !sinks_all_failed(&t->sinks)) {
			fprintf(stderr, "exectrace: reading records failed: %s\n", strerror(-err));
			return 1;
		}
		report_lost(t);
		if (t->exporter && exporter_poll(t->exporter, 0))
			return 1;
		sinks_tick(&t->sinks);
		/* Flushed just now: what was written went to the file that a rotation renamed. */
		if (reopening) {
			reopening = 0;
			output_reopen(t->file, o->output);
		}
		/* Cgroups come and go: where they are named by reading the tree, it may be read once a
		 * second. */
		if (clock_now_ns(CLOCK_MONOTONIC) - refreshed > 1000000000LL) {
			cgroups_refresh_allowed();
			refreshed = clock_now_ns(CLOCK_MONOTONIC);
		}
	}
	/* Drain what is already in the buffer, then say the final loss. */
	if (!sinks_all_failed(&t->sinks) && tracer_poll(t->tracer, 0) >= 0)
		report_lost(t);
	sinks_end(&t->sinks);
	return report_end(t);
}
