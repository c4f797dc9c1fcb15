/* The metrics: exectrace_execs_total per label set, cumulative, within a series budget; and the exposition
 * in the Prometheus text format or OpenMetrics. */
#ifndef METRICS_H
#define METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include "exectrace.h"
#include "procstat.h"
#include "strbuf.h"

/* Writes the raw value of label (a METRICS_L_* bit) for key into out; metrics.c escapes it. */
typedef void (*metrics_name_fn)(void *ctx, unsigned int label, const struct et_count_key *key,
				struct strbuf *out);

struct metrics_series {
	struct et_count_key key; /* only the fields the labels use, and failed */
	char *labels;		 /* rendered: name="value",... */
	unsigned long long count;
};

struct metrics {
	unsigned int labels; /* METRICS_L_* */
	size_t max_series;
	struct metrics_series *series;
	size_t n, cap;
	size_t *index; /* open addressing over series, indices + 1; 0 is empty */
	size_t index_size;
	unsigned long long other[2]; /* the _other series, ok and failed */
	unsigned long long folded;   /* execs counted under _other */
	unsigned long long overflow; /* execs whose key did not fit the kernel's map */
	metrics_name_fn name;
	void *ctx;
};

/* What the exporter knows of itself, at the time of a scrape. */
struct metrics_self {
	unsigned long long records_lost;
	unsigned long long argv_truncated;
	const char *version;
	struct procstat proc;
	bool have_proc; /* proc was read */
};

void metrics_init(struct metrics *m, unsigned int labels, size_t max_series, metrics_name_fn name, void *ctx);
void metrics_free(struct metrics *m);
/* Adds n execs counted under the kernel's key (its fields beyond the labels are ignored). A new label set
 * past the budget, or one that cannot be stored, counts under _other. */
void metrics_add(struct metrics *m, const struct et_count_key *key, unsigned long long n);
/* Appends the exposition; OpenMetrics ends with # EOF. */
void metrics_render(const struct metrics *m, const struct metrics_self *self, bool openmetrics,
		    struct strbuf *out);
/* Appends s (n bytes) as a label value: backslash, quote and newline escaped, bytes that are not valid
 * UTF-8 or are control characters as \xNN (a literal backslash in the value). */
void metrics_escape(struct strbuf *out, const char *s, size_t n);

#endif
