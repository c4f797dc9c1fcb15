// SPDX-License-Identifier: GPL-2.0
/* Counting: the kernel's counts moved into the table every second, printed every interval. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cgroups.h"
#include "output_count.h"
#include "output_file.h"
#include "run.h"
#include "timefmt.h"

/* So that the kernel's map holds one second's keys. */
#define DRAIN_NS 1000000000LL

/* Count mode's state. */
struct count_run {
	const struct options *opts;
	struct tracer *tracer;
	struct exporter *exporter; /* --metrics, or NULL */
	FILE *f;
	struct count_table table;
	bool redraw; /* on a terminal */
	bool table_oom;
	int write_errno; /* the first failed write */
};

/* count_exe_fn: the path of a counted binary, for the row the table makes. */
static char *binary_path(void *ctx, const struct et_exe_id *id, size_t *len, bool *truncated)
{
	const struct count_run *r = ctx;
	struct et_exe_name name;
	char *s;

	if (count_maps_exe_name(tracer_count_maps(r->tracer), id, &name))
		return NULL;
	s = malloc(PATH_NAME_MAX);
	if (s) {
		*len = path_name(s, name.path, name.len, name.flags & ET_F_EXE_CUT,
				 name.flags & ET_F_EXE_DELETED);
		*truncated = name.flags & ET_F_EXE_CUT;
	}
	return s;
}

/* The key with --count's fields only: with --metrics the kernel's keys may hold more. */
static struct et_count_key count_key(unsigned int fields, const struct et_count_key *key)
{
	struct et_count_key k = *key;

	if (!(fields & ET_KEY_UID))
		k.uid = 0;
	if (!(fields & ET_KEY_COMM))
		memset(k.comm, 0, sizeof(k.comm));
	if (!(fields & ET_KEY_EXE))
		k.exe = (struct et_exe_id){0};
	if (!(fields & ET_KEY_CGROUP))
		k.cgroup = 0;
	return k;
}

static void on_count(void *ctx, const struct et_count_key *key, const struct et_count_value *value)
{
	struct count_run *r = ctx;
	struct et_count_key k = count_key(r->opts->count_fields, key);

	if (r->exporter)
		exporter_count(r->exporter, key, value);
	/* --metrics counts failed execs; the table shows them with -x only. */
	if (k.failed && !r->opts->fails)
		return;
	if (count_table_add(&r->table, &k, value) && !r->table_oom) {
		r->table_oom = true;
		fprintf(stderr,
			"exectrace: warning: out of memory: some keys are only counted in the totals\n");
	}
}

static int drain_counts(struct count_run *r)
{
	long long overflow = count_maps_drain(tracer_count_maps(r->tracer), on_count, r);

	if (overflow < 0) {
		fprintf(stderr, "exectrace: reading the counts failed: %s\n", strerror((int)-overflow));
		return -1;
	}
	count_table_overflow(&r->table, overflow);
	if (r->exporter)
		exporter_overflow(r->exporter, overflow);
	return 0;
}

static int print_counts(struct count_run *r, long long *last_ns)
{
	long long now = clock_now_ns(CLOCK_BOOTTIME);
	struct count_view v = {
	    .f = r->f,
	    .opts = r->opts,
	    .redraw = r->redraw,
	    .real_ns = now + boot_to_real_offset_ns(),
	    .interval_s = (double)(now - *last_ns) / 1e9,
	};
	int err = r->opts->json ? count_print_json(&v, &r->table) : count_print_text(&v, &r->table);

	*last_ns = now;
	count_table_next(&r->table);
	cgroups_refresh_allowed();
	if (err || fflush(r->f)) {
		r->write_errno = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

/* Count mode: move the kernel's counts into the table every second, print them every interval. */
static int count_loop(struct count_run *r)
{
	long long start = clock_now_ns(CLOCK_MONOTONIC), last = clock_now_ns(CLOCK_BOOTTIME);
	long long interval = (long long)(r->opts->interval * 1e9);
	long long deadline = r->opts->duration > 0 ? start + (long long)(r->opts->duration * 1e9) : 0;
	long long next_drain = start + DRAIN_NS, next_print = interval ? start + interval : 0;
	int status = 0;

	count_table_init(&r->table, 4 * r->opts->max_keys, binary_path, r);
	r->redraw = !r->opts->json && isatty(fileno(r->f));
	fprintf(stderr, "exectrace: ready: counting exec in the kernel%s\n", options_until(r->opts));

	while (!stopping && !r->write_errno) {
		long long now = clock_now_ns(CLOCK_MONOTONIC), wake = next_drain;

		if (reopening) {
			reopening = 0;
			if (fflush(r->f)) {
				r->write_errno = errno ? errno : EIO;
				break;
			}
			output_reopen(r->f, r->opts->output);
		}

		if (next_print && next_print < wake)
			wake = next_print;
		if (deadline && deadline < wake)
			wake = deadline;
		if (wake > now) {
			int ms = (int)((wake - now) / 1000000) + 1;

			/* A signal ends either early. */
			if (r->exporter)
				exporter_poll(r->exporter, ms);
			else
				poll(NULL, 0, ms);
			continue;
		}
		if (deadline && now >= deadline)
			break;
		if (drain_counts(r)) {
			status = 1;
			break;
		}
		next_drain = now + DRAIN_NS;
		if (next_print && now >= next_print) {
			if (print_counts(r, &last))
				break;
			next_print = next_print + interval > now ? next_print + interval : now + interval;
		}
	}
	/* The last, partial interval; or the only one without --interval. */
	if (!status && !r->write_errno) {
		if (drain_counts(r))
			status = 1;
		else
			print_counts(r, &last);
	}
	fprintf(stderr, "exectrace: %llu execs counted, %llu did not fit --max-keys\n", r->table.total_execs,
		r->table.total_overflow);
	return status;
}

int run_count(const struct options *o, struct tracer *tracer, FILE *f, struct exporter *exporter)
{
	struct count_run r = {.opts = o, .tracer = tracer, .exporter = exporter, .f = f};
	int status = count_loop(&r);

	/* A closed pipe ends the run quietly. */
	if (r.write_errno && r.write_errno != EPIPE) {
		fprintf(stderr, "exectrace: writing the output failed: %s\n", strerror(r.write_errno));
		status = 1;
	}
	count_table_free(&r.table);
	return status;
}
