/* The metrics: exectrace_execs_total and exectrace_exits_total per label set, cumulative, within a series
 * budget, and the exec-to-exit duration histogram; and the exposition in the Prometheus text format or
 * OpenMetrics. */
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

/* The duration histogram's buckets: upper bounds 2^-10 s (about 1 ms) to 2^15 s (about 9 h), then +Inf. */
#define METRICS_BUCKET_MIN_LOG2 (-10)
#define METRICS_BUCKETS		27

struct metrics_series {
	struct et_count_key key; /* only the fields the labels use, and failed: the index of its result */
	char *labels;		 /* rendered: name="value",... */
	unsigned long long count;
	unsigned long long *buckets; /* histograms: METRICS_BUCKETS counts, each bucket's own */
	double sum;
};

/* One metric's series by label set. */
struct metrics_table {
	unsigned int labels; /* METRICS_L_* */
	size_t max_series;
	bool histogram;
	struct metrics_series *series;
	size_t n, cap;
	size_t *index; /* open addressing over series, indices + 1; 0 is empty */
	size_t index_size;
	unsigned long long other[3]; /* the _other series, per result */
	unsigned long long other_buckets[METRICS_BUCKETS];
	double other_sum;
	unsigned long long folded; /* counted under _other */
};

/* The result label of each metric with one: execs' and exits'. */
enum metrics_exit_reason { METRICS_EXIT0, METRICS_EXIT_NONZERO, METRICS_SIGNAL };

struct metrics {
	struct metrics_table execs, exits, durations;
	unsigned long long overflow; /* execs whose key did not fit the kernel's map */
	bool with_exits;	     /* exit records are read: the exit metrics are shown */
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

/* Exits carry a command name, a user and a cgroup, not a binary: by the exit's tracepoint the kernel has
 * released the memory map that names it, and the exec record names it by path, not by the device and
 * inode exe series are keyed on. Their metrics have the labels but exe. The histogram's label sets share a
 * thirty-second of the budget, each being 29 series. */
void metrics_init(struct metrics *m, unsigned int labels, size_t max_series, metrics_name_fn name, void *ctx);
void metrics_free(struct metrics *m);
/* Adds n execs counted under the kernel's key (its fields beyond the labels are ignored; failed: 1 for a
 * failed exec). A new label set past the budget, or one that cannot be stored, counts under _other. */
void metrics_add(struct metrics *m, const struct et_count_key *key, unsigned long long n);
/* An exit of a process with this command name, real uid and cgroup id; duration_s < 0 when its exec was not
 * seen. */
void metrics_exit(struct metrics *m, const char *comm, unsigned int uid, unsigned long long cgroup,
		  enum metrics_exit_reason reason, double duration_s);
/* Appends the exposition; OpenMetrics ends with # EOF. */
void metrics_render(const struct metrics *m, const struct metrics_self *self, bool openmetrics,
		    struct strbuf *out);
/* Appends s (n bytes) as a label value: backslash, quote and newline escaped, bytes that are not valid
 * UTF-8 or are control characters as \xNN (a literal backslash in the value). */
void metrics_escape(struct strbuf *out, const char *s, size_t n);

#endif
