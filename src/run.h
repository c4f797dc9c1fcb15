/* One run of exectrace: what main sets up, and the two ways it runs (src/run_trace.c, src/run_count.c). */
#ifndef RUN_H
#define RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include "count.h"
#include "event.h"
#include "exec_times.h"
#include "options.h"
#include "output.h"
#include "tracer.h"

struct run {
	struct options opts;
	struct output out;
	struct tracer *tracer;
	int write_errno; /* first failed write to the output */
	/* Tracing */
	struct event_decoder dec;
	struct exec_times exec_times; /* --exits */
	char *line;		      /* -l matches against the arguments joined here */
	size_t line_cap;
	/* printed: records whose bytes reached the output (a flush succeeded); unflushed: written to the
	 * stdio buffer since the last flush */
	unsigned long long received, printed, unflushed, malformed, lost_reported;
	long long offset_read_ns;     /* CLOCK_BOOTTIME when out.boot_to_real_ns was last read */
	unsigned long long abandoned; /* -n and -l matches abandoned as too costly */
	/* Counting */
	struct count_table table;
	bool redraw; /* on a terminal */
	bool table_oom;
};

/* Set by SIGINT and SIGTERM. */
extern volatile sig_atomic_t stopping;

/* The tracer's record callback (tracer_record_fn). */
int run_trace_record(void *ctx, const void *data, size_t size);
/* Each returns the exit status, and prints its totals at the end. */
int run_trace(struct run *r);
int run_count(struct run *r);

#endif
