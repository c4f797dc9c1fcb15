// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "count.h"
#include "metrics.h"
#include "options.h"

static const struct {
	unsigned int bit;
	const char *name;
} label_names[] = {
    {METRICS_L_COMM, "comm"},	  {METRICS_L_USER, "user"},	      {METRICS_L_EXE, "exe"},
    {METRICS_L_CGROUP, "cgroup"}, {METRICS_L_CONTAINER, "container"},
};

#define NLABELS (sizeof(label_names) / sizeof(label_names[0]))

static void table_init(struct metrics_table *t, unsigned int labels, size_t max_series, bool histogram)
{
	memset(t, 0, sizeof(*t));
	t->labels = labels;
	t->max_series = max_series ? max_series : 1;
	t->histogram = histogram;
}

void metrics_init(struct metrics *m, unsigned int labels, size_t max_series, metrics_name_fn name, void *ctx)
{
	/* An exit names no binary: the kernel released the memory map that does before the exit's
	 * tracepoint (metrics.h). */
	unsigned int exit_labels = labels & ~METRICS_L_EXE;

	memset(m, 0, sizeof(*m));
	table_init(&m->execs, labels, max_series, false);
	table_init(&m->exits, exit_labels, max_series, false);
	table_init(&m->durations, exit_labels, max_series / 32, true);
	m->name = name;
	m->ctx = ctx;
}

static void table_free(struct metrics_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->series[i].labels);
		free(t->series[i].buckets);
	}
	free(t->series);
	free(t->index);
	memset(t, 0, sizeof(*t));
}

void metrics_free(struct metrics *m)
{
	table_free(&m->execs);
	table_free(&m->exits);
	table_free(&m->durations);
}

/* The key with only what the labels show: two kernel keys that differ elsewhere are one series. */
static struct et_count_key project(unsigned int labels, const struct et_count_key *key)
{
	struct et_count_key k = {.failed = key->failed};

	if (labels & METRICS_L_COMM)
		memcpy(k.comm, key->comm, sizeof(k.comm));
	if (labels & METRICS_L_USER)
		k.uid = key->uid;
	if (labels & METRICS_L_EXE)
		k.exe = key->exe;
	if (labels & (METRICS_L_CGROUP | METRICS_L_CONTAINER))
		k.cgroup = key->cgroup;
	return k;
}

static size_t *slot(const struct metrics_table *t, const struct et_count_key *key)
{
	size_t i = count_key_hash(key) & (t->index_size - 1);

	while (t->index[i] && memcmp(&t->series[t->index[i] - 1].key, key, sizeof(*key)) != 0)
		i = (i + 1) & (t->index_size - 1);
	return &t->index[i];
}

/* Room for one more series: the index kept at most half full. */
static int grow(struct metrics_table *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct metrics_series *s = realloc(t->series, cap * sizeof(*s));

		if (!s)
			return -1;
		t->series = s;
		t->cap = cap;
	}
	if (2 * (t->n + 1) > t->index_size) {
		size_t size = t->index_size ? 2 * t->index_size : 128;
		size_t *index = calloc(size, sizeof(*index));

		if (!index)
			return -1;
		free(t->index);
		t->index = index;
		t->index_size = size;
		for (size_t i = 0; i < t->n; i++)
			*slot(t, &t->series[i].key) = i + 1;
	}
	return 0;
}

static char *render_labels(const struct metrics *m, unsigned int labels, const struct et_count_key *key)
{
	struct strbuf out = {0}, value = {0};
	size_t len;

	for (size_t i = 0; i < NLABELS; i++) {
		if (!(labels & label_names[i].bit))
			continue;
		value.len = 0;
		m->name(m->ctx, label_names[i].bit, key, &value);
		strbuf_printf(&out, "%s=\"", label_names[i].name);
		metrics_escape(&out, value.data, value.len);
		strbuf_puts(&out, "\",");
	}
	strbuf_add(&out, "", 1);
	strbuf_free(&value);
	if (value.oom || out.oom) {
		strbuf_free(&out);
		return NULL;
	}
	return strbuf_take(&out, &len);
}

/* The series of key's label set, made if the budget allows; NULL: it counts under _other. */
static struct metrics_series *series_of(const struct metrics *m, struct metrics_table *t,
					const struct et_count_key *key)
{
	struct et_count_key k = project(t->labels, key);
	size_t *at = t->index_size ? slot(t, &k) : NULL;
	unsigned long long *buckets = NULL;
	char *labels;

	if (at && *at)
		return &t->series[*at - 1];
	/* Past the budget a new label set never gets a series of its own, so that none appears later
	 * with a count that started after some of its events went to _other. */
	if (t->n >= t->max_series || grow(t))
		return NULL;
	if (t->histogram && !(buckets = calloc(METRICS_BUCKETS, sizeof(*buckets))))
		return NULL;
	labels = render_labels(m, t->labels, &k);
	if (!labels) {
		free(buckets);
		return NULL;
	}
	t->series[t->n] = (struct metrics_series){.key = k, .labels = labels, .buckets = buckets};
	*slot(t, &k) = ++t->n;
	return &t->series[t->n - 1];
}

static void count(const struct metrics *m, struct metrics_table *t, const struct et_count_key *key,
		  unsigned long long n)
{
	struct metrics_series *s = series_of(m, t, key);

	if (s) {
		s->count += n;
		return;
	}
	t->other[key->failed] += n;
	t->folded += n;
}

void metrics_add(struct metrics *m, const struct et_count_key *key, unsigned long long n)
{
	struct et_count_key k = *key;

	k.failed = k.failed ? 1 : 0;
	count(m, &m->execs, &k, n);
}

/* The bucket of a duration: the first whose bound 2^(MIN_LOG2 + i) s it does not exceed. */
static size_t bucket(double s)
{
	double bound = 1.0 / 1024;
	size_t i = 0;

	while (i < METRICS_BUCKETS - 1 && s > bound) {
		bound *= 2;
		i++;
	}
	return i;
}

void metrics_exit(struct metrics *m, const char *comm, unsigned int uid, unsigned long long cgroup,
		  enum metrics_exit_reason reason, double duration_s)
{
	struct et_count_key k = {.uid = uid, .cgroup = cgroup, .failed = reason};
	struct metrics_series *s;

	strncpy(k.comm, comm, sizeof(k.comm) - 1);
	m->with_exits = true;
	count(m, &m->exits, &k, 1);
	if (duration_s < 0)
		return;
	k.failed = 0;
	s = series_of(m, &m->durations, &k);
	if (s) {
		s->count++;
		s->buckets[bucket(duration_s)]++;
		s->sum += duration_s;
		return;
	}
	m->durations.other[0]++;
	m->durations.other_buckets[bucket(duration_s)]++;
	m->durations.other_sum += duration_s;
	m->durations.folded++;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void metrics_escape(struct strbuf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(p + i, n - i);

		if (p[i] == '\\')
			strbuf_add(out, "\\\\", 2);
		else if (p[i] == '"')
			strbuf_add(out, "\\\"", 2);
		else if (p[i] == '\n')
			strbuf_add(out, "\\n", 2);
		else if (!len || p[i] < 0x20 || p[i] == 0x7f)
			strbuf_printf(out, "\\\\x%02x", p[i]);
		else
			strbuf_add(out, p + i, len);
		i += len ? len : 1;
	}
}

/* A family's HELP and TYPE lines: OpenMetrics names a counter without its _total. */
static void family(struct strbuf *out, bool om, const char *name, const char *type, const char *help)
{
	size_t len = strlen(name);

	if (om && !strcmp(type, "counter") && len > 6 && !strcmp(name + len - 6, "_total"))
		len -= 6;
	strbuf_printf(out, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)len, name, help, (int)len, name, type);
}

static void other_labels(unsigned int labels, struct strbuf *out)
{
	for (size_t i = 0; i < NLABELS; i++)
		if (labels & label_names[i].bit)
			strbuf_printf(out, "%s=\"_other\",", label_names[i].name);
}

static void render_counter(const struct metrics_table *t, const char *name, const char *label,
			   const char *const *results, int nresults, struct strbuf *out)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct metrics_series *s = &t->series[i];

		strbuf_printf(out, "%s{%s%s=\"%s\"} %llu\n", name, s->labels, label, results[s->key.failed],
			      s->count);
	}
	for (int r = 0; r < nresults; r++) {
		if (!t->other[r])
			continue;
		strbuf_printf(out, "%s{", name);
		other_labels(t->labels, out);
		strbuf_printf(out, "%s=\"%s\"} %llu\n", label, results[r], t->other[r]);
	}
}

/* One histogram: labels ends with a comma, or is empty. */
static void render_histogram(const char *labels, const unsigned long long *buckets, unsigned long long n,
			     double sum, struct strbuf *out)
{
	static const char name[] = "exectrace_process_duration_seconds";
	size_t len = strlen(labels);
	unsigned long long cum = 0;
	double bound = 1.0 / 1024;

	for (int i = 0; i < METRICS_BUCKETS; i++, bound *= 2) {
		cum += buckets[i];
		if (i == METRICS_BUCKETS - 1)
			strbuf_printf(out, "%s_bucket{%sle=\"+Inf\"} %llu\n", name, labels, cum);
		else
			strbuf_printf(out, "%s_bucket{%sle=\"%.10g\"} %llu\n", name, labels, bound, cum);
	}
	if (len)
		len--;
	strbuf_printf(out, len ? "%s_sum{%.*s} %.9g\n" : "%s_sum%.*s %.9g\n", name, (int)len, labels, sum);
	strbuf_printf(out, len ? "%s_count{%.*s} %llu\n" : "%s_count%.*s %llu\n", name, (int)len, labels, n);
}

static void render_exits(const struct metrics *m, bool om, struct strbuf *out)
{
	static const char *const reasons[3] = {"exit0", "exit_nonzero", "signal"};
	const struct metrics_table *d = &m->durations;

	family(out, om, "exectrace_exits_total", "counter",
	       "Processes that ended, by reason (exit0, exit_nonzero, signal), from exit records (--exits).");
	render_counter(&m->exits, "exectrace_exits_total", "reason", reasons, 3, out);
	family(out, om, "exectrace_process_duration_seconds", "histogram",
	       "Time from a process's exec to its exit, for processes whose exec was seen.");
	for (size_t i = 0; i < d->n; i++)
		render_histogram(d->series[i].labels, d->series[i].buckets, d->series[i].count,
				 d->series[i].sum, out);
	if (d->other[0]) {
		struct strbuf labels = {0};

		other_labels(d->labels, &labels);
		strbuf_add(&labels, "", 1);
		if (!labels.oom)
			render_histogram(labels.data, d->other_buckets, d->other[0], d->other_sum, out);
		out->oom |= labels.oom;
		strbuf_free(&labels);
	}
}

static void render_self(const struct metrics_self *self, bool om, struct strbuf *out)
{
	const struct procstat *p = &self->proc;

	family(out, om, "exectrace_records_lost_total", "counter",
	       "Records the kernel could not send to the tracer (buffer full).");
	strbuf_printf(out, "exectrace_records_lost_total %llu\n", self->records_lost);
	family(out, om, "exectrace_argv_truncated_total", "counter",
	       "Exec records whose arguments were cut at --argv-bytes (0 without records).");
	strbuf_printf(out, "exectrace_argv_truncated_total %llu\n", self->argv_truncated);
	family(out, om, "exectrace_build_info", "gauge", "The version exectrace was built as, in a label.");
	strbuf_puts(out, "exectrace_build_info{version=\"");
	metrics_escape(out, self->version, strlen(self->version));
	strbuf_puts(out, "\"} 1\n");
	if (!self->have_proc)
		return;
	family(out, om, "process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.");
	strbuf_printf(out, "process_cpu_seconds_total %.2f\n", p->cpu_seconds);
	family(out, om, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
	strbuf_printf(out, "process_resident_memory_bytes %llu\n", p->rss_bytes);
	family(out, om, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
	strbuf_printf(out, "process_virtual_memory_bytes %llu\n", p->virtual_bytes);
	family(out, om, "process_open_fds", "gauge", "Number of open file descriptors.");
	strbuf_printf(out, "process_open_fds %llu\n", p->open_fds);
	family(out, om, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
	strbuf_printf(out, "process_max_fds %llu\n", p->max_fds);
	family(out, om, "process_start_time_seconds", "gauge",
	       "Start time of the process since unix epoch in seconds.");
	strbuf_printf(out, "process_start_time_seconds %.2f\n", p->start_time_seconds);
}

void metrics_render(const struct metrics *m, const struct metrics_self *self, bool om, struct strbuf *out)
{
	static const char *const results[2] = {"ok", "failed"};

	family(out, om, "exectrace_execs_total", "counter",
	       "Execs counted in the kernel, by result (ok or failed) and the labels of --metrics-labels.");
	render_counter(&m->execs, "exectrace_execs_total", "result", results, 2, out);
	if (m->with_exits)
		render_exits(m, om, out);
	family(out, om, "exectrace_series_folded_total", "counter",
	       "Execs and exits counted under the _other label values, past --metrics-max-series.");
	strbuf_printf(out, "exectrace_series_folded_total %llu\n",
		      m->execs.folded + m->exits.folded + m->durations.folded);
	family(out, om, "exectrace_series", "gauge", "Series of exectrace_execs_total, _other not included.");
	strbuf_printf(out, "exectrace_series %zu\n", m->execs.n);
	family(out, om, "exectrace_kernel_keys_overflow_total", "counter",
	       "Execs not counted by label: their key did not fit the kernel's map (--max-keys).");
	strbuf_printf(out, "exectrace_kernel_keys_overflow_total %llu\n", m->overflow);
	render_self(self, om, out);
	if (om)
		strbuf_puts(out, "# EOF\n");
}
