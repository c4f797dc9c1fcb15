/* The Prometheus endpoint (--metrics): the HTTP server, the metrics table, and the drain of the kernel's
 * count maps into it, run from whichever loop the mode has (see "Metrics" in docs/design.md). */
#ifndef EXPORTER_H
#define EXPORTER_H

#include <stdbool.h>
#include "event.h"
#include "exectrace.h"
#include "options.h"
#include "tracer.h"

struct exporter;

/* Listens on --metrics' address, before the programs load, so that a taken port fails fast. 0, or -1 after
 * one line on stderr. */
int exporter_open(struct exporter **e, const struct options *o);
/* The counts come from t's maps: drained here every second (drains), or handed over by count mode
 * (exporter_count). */
void exporter_attach(struct exporter *e, struct tracer *t, bool drains);
/* Serves the endpoint for up to timeout_ms, draining the maps when due. 0, or -1 when they could not be
 * read (said on stderr). */
int exporter_poll(struct exporter *e, int timeout_ms);
/* Count mode hands over each count it drains, and the execs whose key did not fit. */
void exporter_count(struct exporter *e, const struct et_count_key *key, const struct et_count_value *value);
void exporter_overflow(struct exporter *e, unsigned long long n);
/* An exit record (--exits), its since_ns set from its exec where seen. */
void exporter_exit(struct exporter *e, const struct exit_event *ev);
/* A traced record whose argv was cut at --argv-bytes. */
void exporter_argv_truncated(struct exporter *e);
void exporter_close(struct exporter *e);

/* --metrics alone: counts in the kernel and serves them until stopped; returns the exit status. */
int run_metrics(const struct options *o, struct exporter *e);

#endif
