// SPDX-License-Identifier: GPL-2.0
/* exectrace: parse options, attach, then print each exec record until told to stop. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cgroups.h"
#include "count.h"
#include "event.h"
#include "options.h"
#include "output.h"
#include "output_count.h"
#include "timefmt.h"
#include "tracer.h"
#include "users.h"

/* How often records are read: they are sent without waking us, so this bounds the latency. */
#define POLL_MS 25
/* Count mode: how often the kernel's counts are moved into the table, so its map holds one second's keys. */
#define DRAIN_NS 1000000000LL

struct run {
	struct options opts;
	struct output out;
	struct event_decoder dec;
	struct tracer *tracer;
	char *line; /* -l matches against the arguments joined here */
	size_t line_cap;
	unsigned long long received, printed, malformed, lost_reported;
	int write_errno;	  /* first failed write to the output */
	struct count_table table; /* count mode */
	bool redraw;		  /* count mode on a terminal */
	bool table_oom;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static long long now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int join_args(struct run *r, const struct exec_event *ev)
{
	size_t need = 1;

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
	r->line[need] = '\0';
	return 0;
}

static bool wanted(struct run *r, const struct exec_event *ev)
{
	if (r->opts.filter_name && regexec(&r->opts.name_re, ev->comm, 0, NULL, 0))
		return false;
	/* Arguments with NUL-free bytes only: an argument cannot hold a NUL, so the joined line is exact. */
	if (r->opts.filter_line && (join_args(r, ev) || regexec(&r->opts.line_re, r->line, 0, NULL, 0)))
		return false;
	return true;
}

static int on_record(void *ctx, const void *data, size_t size)
{
	struct run *r = ctx;
	struct exec_event ev;
	int err;

	r->received++;
	err = event_decode(&r->dec, data, size, &ev);
	if (err) {
		if (err == -ENOMEM)
			return err;
		if (!r->malformed++)
			fprintf(stderr,
				"exectrace: warning: a malformed record from the kernel was skipped\n");
		return 0;
	}
	if (!wanted(r, &ev))
		return 0;
	err = r->opts.json ? json_exec(&r->out, &ev) : text_exec(&r->out, &ev);
	if (err) {
		r->write_errno = errno ? errno : EIO;
		return -1;
	}
	r->printed++;
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
		if (json_lost(&r->out, n, now_ns(CLOCK_BOOTTIME))) {
			r->write_errno = errno ? errno : EIO;
			return -1;
		}
		return 0;
	}
	fprintf(stderr, "exectrace: warning: %llu exec records lost (buffer full; raise --buffer-size)\n", n);
	return 0;
}

static char *exe_name(void *ctx, const struct et_exe_id *id, size_t *len)
{
	static const char deleted[] = " (deleted)";
	const struct run *r = ctx;
	struct et_exe_name name;
	size_t extra;
	char *s;

	if (tracer_exe_name(r->tracer, id, &name))
		return NULL;
	extra = name.flags & ET_F_EXE_DELETED ? sizeof(deleted) - 1 : 0;
	s = malloc(name.len + extra + 1);
	if (!s)
		return NULL;
	memcpy(s, name.path, name.len);
	memcpy(s + name.len, deleted, extra);
	*len = name.len + extra;
	return s;
}

static void on_count(void *ctx, const struct et_count_key *key, const struct et_count_value *value)
{
	struct run *r = ctx;

	if (count_table_add(&r->table, key, value) && !r->table_oom) {
		r->table_oom = true;
		fprintf(stderr,
			"exectrace: warning: out of memory: some keys are only counted in the totals\n");
	}
}

static int drain_counts(struct run *r)
{
	long long overflow = tracer_count_drain(r->tracer, on_count, r);

	if (overflow < 0) {
		fprintf(stderr, "exectrace: reading the counts failed: %s\n", strerror((int)-overflow));
		return -1;
	}
	count_table_overflow(&r->table, overflow);
	return 0;
}

static int print_counts(struct run *r, long long *last_ns)
{
	long long now = now_ns(CLOCK_BOOTTIME);
	struct count_view v = {
	    .f = r->out.f,
	    .opts = &r->opts,
	    .redraw = r->redraw,
	    .real_ns = now + r->out.boot_to_real_ns,
	    .interval_s = (double)(now - *last_ns) / 1e9,
	};
	int err = r->opts.json ? count_print_json(&v, &r->table) : count_print_text(&v, &r->table);

	*last_ns = now;
	count_table_next(&r->table);
	cgroups_refresh_allowed();
	if (err || fflush(r->out.f)) {
		r->write_errno = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

/* Count mode: move the kernel's counts into the table every second, print them every interval. */
static int count(struct run *r)
{
	long long start = now_ns(CLOCK_MONOTONIC), last = now_ns(CLOCK_BOOTTIME);
	long long interval = (long long)(r->opts.interval * 1e9);
	long long deadline = r->opts.duration > 0 ? start + (long long)(r->opts.duration * 1e9) : 0;
	long long next_drain = start + DRAIN_NS, next_print = interval ? start + interval : 0;

	while (!stopping && !r->write_errno) {
		long long now = now_ns(CLOCK_MONOTONIC), wake = next_drain;

		if (next_print && next_print < wake)
			wake = next_print;
		if (deadline && deadline < wake)
			wake = deadline;
		if (wake > now) {
			poll(NULL, 0, (int)((wake - now) / 1000000) + 1); /* a signal ends it early */
			continue;
		}
		if (deadline && now >= deadline)
			break;
		if (drain_counts(r))
			return 1;
		next_drain = now + DRAIN_NS;
		if (next_print && now >= next_print) {
			if (print_counts(r, &last))
				break;
			next_print = next_print + interval > now ? next_print + interval : now + interval;
		}
	}
	if (r->write_errno)
		return 0;
	/* The last, partial interval; or the only one without --interval. */
	if (drain_counts(r))
		return 1;
	print_counts(r, &last);
	return 0;
}

static FILE *open_output(const char *path)
{
	FILE *f;

	if (!path)
		return stdout;
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "exectrace: cannot open output file '%s': %s\n", path, strerror(errno));
	return f;
}

static void setup_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed pipe shows as EPIPE on write, and ends the run quietly. */
	signal(SIGPIPE, SIG_IGN);
}

static int trace(struct run *r)
{
	long long deadline = 0;

	if (r->opts.duration > 0)
		deadline = now_ns(CLOCK_MONOTONIC) + (long long)(r->opts.duration * 1e9);
	while (!stopping && !r->write_errno) {
		int timeout = POLL_MS;

		if (deadline) {
			long long left = deadline - now_ns(CLOCK_MONOTONIC);

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
		if (report_lost(r) || fflush(r->out.f))
			r->write_errno = r->write_errno ? r->write_errno : errno;
	}
	/* Drain what is already in the buffer, then say the final loss. */
	if (!r->write_errno && tracer_poll(r->tracer, 0) >= 0 && !report_lost(r) && fflush(r->out.f))
		r->write_errno = errno;
	return 0;
}

int main(int argc, char **argv)
{
	struct run r = {0};
	int status = 1, err;

	switch (options_parse(argc, argv, &r.opts)) {
	case OPTIONS_EXIT:
		return 0;
	case OPTIONS_ERROR:
		return 2;
	case OPTIONS_OK:
		break;
	}
	event_decoder_init(&r.dec, r.opts.max_args);
	r.out.opts = &r.opts;
	r.out.f = open_output(r.opts.output);
	if (!r.out.f)
		goto out;
	setup_signals();
	err = tracer_open(&r.tracer, &r.opts, on_record, &r);
	if (err)
		goto out;
	r.out.boot_to_real_ns = boot_to_real_offset_ns();
	r.out.start_boot_ns = now_ns(CLOCK_BOOTTIME);
	if (r.opts.count_fields) {
		count_table_init(&r.table, 4 * r.opts.max_keys, exe_name, &r);
		r.redraw = !r.opts.json && isatty(fileno(r.out.f));
		fprintf(stderr, "exectrace: ready: counting exec in the kernel%s\n",
			r.opts.duration > 0 ? "" : "; Ctrl-C to stop");
		status = count(&r);
	} else {
		fprintf(stderr, "exectrace: ready: tracing exec (%s, argv up to %lu bytes)%s\n",
			tracer_transport(r.tracer), r.opts.argv_bytes,
			r.opts.duration > 0 ? "" : "; Ctrl-C to stop");
		if (!r.opts.json && (text_header(&r.out) || fflush(r.out.f)))
			r.write_errno = errno;
		status = trace(&r);
	}
	if (r.write_errno && r.write_errno != EPIPE) {
		fprintf(stderr, "exectrace: writing the output failed: %s\n", strerror(r.write_errno));
		status = 1;
	}
	if (r.opts.count_fields)
		fprintf(stderr, "exectrace: %llu execs counted, %llu did not fit --max-keys\n",
			r.table.total_execs, r.table.total_overflow);
	else
		fprintf(stderr, "exectrace: %llu execs received, %llu printed, %llu lost\n", r.received,
			r.printed, tracer_lost(r.tracer));
out:
	tracer_close(r.tracer);
	if (r.out.f && r.out.f != stdout && fclose(r.out.f) && !status) {
		fprintf(stderr, "exectrace: writing the output failed: %s\n", strerror(errno));
		status = 1;
	}
	event_decoder_free(&r.dec);
	count_table_free(&r.table);
	users_free();
	cgroups_free();
	free(r.line);
	options_free(&r.opts);
	return status;
}
