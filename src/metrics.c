// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
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

void metrics_init(struct metrics *m, unsigned int labels, size_t max_series, metrics_name_fn name, void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->labels = labels;
	m->max_series = max_series;
	m->name = name;
	m->ctx = ctx;
}

void metrics_free(struct metrics *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->series[i].labels);
	free(m->series);
	free(m->index);
	memset(m, 0, sizeof(*m));
}

/* The key with only what the labels show: two kernel keys that differ elsewhere are one series. */
static struct et_count_key project(const struct metrics *m, const struct et_count_key *key)
{
	struct et_count_key k = {.failed = key->failed ? 1 : 0};

	if (m->labels & METRICS_L_COMM)
		memcpy(k.comm, key->comm, sizeof(k.comm));
	if (m->labels & METRICS_L_USER)
		k.uid = key->uid;
	if (m->labels & METRICS_L_EXE)
		k.exe = key->exe;
	if (m->labels & (METRICS_L_CGROUP | METRICS_L_CONTAINER))
		k.cgroup = key->cgroup;
	return k;
}

/* FNV-1a over the key's bytes: keys are zero-filled, padding included. */
static size_t key_hash(const struct et_count_key *key)
{
	const unsigned char *p = (const unsigned char *)key;
	unsigned long long h = 14695981039346656037ULL;

	for (size_t i = 0; i < sizeof(*key); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (size_t)h;
}

static size_t *slot(const struct metrics *m, const struct et_count_key *key)
{
	size_t i = key_hash(key) & (m->index_size - 1);

	while (m->index[i] && memcmp(&m->series[m->index[i] - 1].key, key, sizeof(*key)) != 0)
		i = (i + 1) & (m->index_size - 1);
	return &m->index[i];
}

/* Room for one more series: the index kept at most half full. */
static int grow(struct metrics *m)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct metrics_series *s = realloc(m->series, cap * sizeof(*s));

		if (!s)
			return -1;
		m->series = s;
		m->cap = cap;
	}
	if (2 * (m->n + 1) > m->index_size) {
		size_t size = m->index_size ? 2 * m->index_size : 128;
		size_t *index = calloc(size, sizeof(*index));

		if (!index)
			return -1;
		free(m->index);
		m->index = index;
		m->index_size = size;
		for (size_t i = 0; i < m->n; i++)
			*slot(m, &m->series[i].key) = i + 1;
	}
	return 0;
}

static char *render_labels(const struct metrics *m, const struct et_count_key *key)
{
	struct strbuf out = {0}, value = {0};
	size_t len;

	for (size_t i = 0; i < NLABELS; i++) {
		if (!(m->labels & label_names[i].bit))
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

void metrics_add(struct metrics *m, const struct et_count_key *key, unsigned long long n)
{
	struct et_count_key k = project(m, key);
	size_t *at = m->index_size ? slot(m, &k) : NULL;
	char *labels;

	if (at && *at) {
		m->series[*at - 1].count += n;
		return;
	}
	/* Past the budget a new label set never gets a series of its own, so that none appears later
	 * with a count that started after some of its execs went to _other. */
	if (m->n >= m->max_series || grow(m) || !(labels = render_labels(m, &k))) {
		m->other[k.failed] += n;
		m->folded += n;
		return;
	}
	m->series[m->n] = (struct metrics_series){.key = k, .labels = labels, .count = n};
	*slot(m, &k) = ++m->n;
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

static void other_labels(const struct metrics *m, struct strbuf *out)
{
	for (size_t i = 0; i < NLABELS; i++)
		if (m->labels & label_names[i].bit)
			strbuf_printf(out, "%s=\"_other\",", label_names[i].name);
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
	static const char *const result[2] = {"ok", "failed"};

	family(out, om, "exectrace_execs_total", "counter",
	       "Execs counted in the kernel, by result (ok or failed) and the labels of --metrics-labels.");
	for (size_t i = 0; i < m->n; i++) {
		const struct metrics_series *s = &m->series[i];

		strbuf_printf(out, "exectrace_execs_total{%sresult=\"%s\"} %llu\n", s->labels,
			      result[s->key.failed], s->count);
	}
	for (int r = 0; r < 2; r++) {
		if (!m->other[r])
			continue;
		strbuf_puts(out, "exectrace_execs_total{");
		other_labels(m, out);
		strbuf_printf(out, "result=\"%s\"} %llu\n", result[r], m->other[r]);
	}
	family(out, om, "exectrace_series_folded_total", "counter",
	       "Execs counted under the _other label values, past --metrics-max-series.");
	strbuf_printf(out, "exectrace_series_folded_total %llu\n", m->folded);
	family(out, om, "exectrace_series", "gauge", "Series of exectrace_execs_total, _other not included.");
	strbuf_printf(out, "exectrace_series %zu\n", m->n);
	family(out, om, "exectrace_kernel_keys_overflow_total", "counter",
	       "Execs not counted by label: their key did not fit the kernel's map (--max-keys).");
	strbuf_printf(out, "exectrace_kernel_keys_overflow_total %llu\n", m->overflow);
	render_self(self, om, out);
	if (om)
		strbuf_puts(out, "# EOF\n");
}
