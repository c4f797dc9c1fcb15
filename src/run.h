/* The two ways exectrace runs, each with its own state: tracing (src/run_trace.c: the kernel's records ->
 * decoder -> process table -> sinks) and counting (src/run_count.c: the kernel's counts -> a table printed
 * at an interval). main parses the options and wires them. */
#ifndef RUN_H
#define RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "event.h"
#include "exec_times.h"
#include "exporter.h"
#include "options.h"
#include "proctable.h"
#include "sink.h"
#include "tracer.h"

/* Tracing's state. */
struct trace {
	const struct options *opts;
	struct tracer *tracer;
	FILE *file; /* where the sinks write: the -o file (reopened on SIGHUP) or stdout */
	struct event_decoder dec;
	struct proctable table; /* fed only when a sink reads it (use_table) */
	bool use_table;
	struct exec_times exec_times; /* --exits */
	struct sinks sinks;
	char *line; /* -l matches against the arguments joined here */
	size_t line_cap;
	unsigned long long received, malformed, lost_reported;
	unsigned long long abandoned; /* -n and -l matches abandoned as too costly */
	long long offset_read_ns;     /* CLOCK_BOOTTIME when the wall clock's offset was last read */
	struct exporter *exporter;    /* --metrics, or NULL */
};

/* Set by SIGINT and SIGTERM. */
extern volatile sig_atomic_t stopping;

/* Before the tracer opens, with the sinks chosen (t->sinks): the decoder, and the process table if a sink
 * reads it. */
void trace_init(struct trace *t, const struct options *o);
/* The tracer's record callback (tracer_record_fn): decode, update the table, filter, tell the sinks. */
int run_trace_record(void *ctx, const void *data, size_t size);
/* Traces until stopped, prints the totals; returns the exit status. */
int run_trace(struct trace *t);
void trace_free(struct trace *t);

/* Count mode: the kernel's counts as a table on f every interval, and to the exporter (--metrics, or NULL);
 * returns the exit status. */
int run_count(const struct options *o, struct tracer *tracer, FILE *f, struct exporter *exporter);

#endif
