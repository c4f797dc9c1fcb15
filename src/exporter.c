// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "build_version.h"
#include "cgroups.h"
#include "container.h"
#include "event.h"
#include "exporter.h"
#include "http.h"
#include "metrics.h"
#include "run.h"
#include "users.h"

/* So that the kernel's map holds one second's keys, as in count mode. */
#define DRAIN_MS 1000

struct exporter {
	const struct options *opts;
	struct http_server *http;
	struct metrics metrics;
	struct tracer *tracer;
	bool drains;
	long long next_drain_ms;
	unsigned long long argv_truncated;
	char url[sizeof("http://[]:65535/metrics") + INET6_ADDRSTRLEN];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* metrics_name_fn: a label's value, named once, when its series is made. */
static void label_value(void *ctx, unsigned int label, const struct et_count_key *key, struct strbuf *out)
{
	const struct exporter *e = ctx;
	const char *s;

	switch (label) {
	case METRICS_L_COMM:
		strbuf_add(out, key->comm, strnlen(key->comm, sizeof(key->comm)));
		break;
	case METRICS_L_USER:
		s = user_name(key->uid);
		if (s)
			strbuf_puts(out, s);
		else
			strbuf_printf(out, "%u", key->uid);
		break;
	case METRICS_L_EXE: {
		struct et_exe_name name;
		char path[PATH_NAME_MAX];

		/* A failed exec ran no binary: "". */
		if (key->failed || count_maps_exe_name(tracer_count_maps(e->tracer), &key->exe, &name))
			break;
		strbuf_add(out, path,
			   path_name(path, name.path, name.len, name.flags & ET_F_EXE_CUT,
				     name.flags & ET_F_EXE_DELETED));
		break;
	}
	case METRICS_L_CGROUP:
		s = cgroup_path(key->cgroup);
		if (s)
			strbuf_puts(out, s);
		else
			strbuf_printf(out, "%llu", key->cgroup);
		break;
	default:
		s = cgroup_path(key->cgroup);
		s = s ? container_id(s) : NULL;
		if (s)
			strbuf_add(out, s, CONTAINER_ID_LEN);
		break;
	}
}

/* http_metrics_fn */
static int scrape(void *ctx, bool openmetrics, struct strbuf *out)
{
	const struct exporter *e = ctx;
	struct metrics_self self = {
	    .records_lost = e->tracer ? tracer_lost(e->tracer) : 0,
	    .argv_truncated = e->argv_truncated,
	    .version = EXECTRACE_VERSION,
	};

	self.have_proc = !procstat_read(&self.proc);
	metrics_render(&e->metrics, &self, openmetrics, out);
	return 0;
}

int exporter_open(struct exporter **out, const struct options *o)
{
	struct exporter *e = calloc(1, sizeof(*e));
	char host[INET6_ADDRSTRLEN] = "?";
	const struct sockaddr_storage *ss = &o->metrics_addr;
	unsigned int port;

	if (!e) {
		fprintf(stderr, "exectrace: out of memory\n");
		return -1;
	}
	e->opts = o;
	metrics_init(&e->metrics, o->metrics_labels, o->metrics_max_series, label_value, e);
	if (http_open(&e->http, (const struct sockaddr *)ss, o->metrics_addr_len, scrape, e)) {
		free(e);
		return -1;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
	}
	snprintf(e->url, sizeof(e->url),
		 ss->ss_family == AF_INET6 ? "http://[%s]:%u/metrics" : "http://%s:%u/metrics", host, port);
	*out = e;
	return 0;
}

void exporter_attach(struct exporter *e, struct tracer *t, bool drains)
{
	/* Said once the programs are attached: a run that fails to load never serves it. */
	fprintf(stderr, "exectrace: metrics on %s\n", e->url);
	e->tracer = t;
	e->drains = drains;
	e->next_drain_ms = now_ms() + DRAIN_MS;
}

void exporter_count(struct exporter *e, const struct et_count_key *key, const struct et_count_value *value)
{
	metrics_add(&e->metrics, key, value->count);
}

void exporter_overflow(struct exporter *e, unsigned long long n)
{
	e->metrics.overflow += n;
}

void exporter_exit(struct exporter *e, const struct exit_event *ev)
{
	enum metrics_exit_reason reason = ev->signal	  ? METRICS_SIGNAL
					  : ev->exit_code ? METRICS_EXIT_NONZERO
							  : METRICS_EXIT0;
	double duration =
	    ev->since_exec && ev->ktime_ns >= ev->since_ns ? (double)(ev->ktime_ns - ev->since_ns) / 1e9 : -1;

	metrics_exit(&e->metrics, ev->comm, ev->uid, ev->cgroup_id, reason, duration);
}

void exporter_argv_truncated(struct exporter *e)
{
	e->argv_truncated++;
}

static void on_count(void *ctx, const struct et_count_key *key, const struct et_count_value *value)
{
	exporter_count(ctx, key, value);
}

int exporter_poll(struct exporter *e, int timeout_ms)
{
	long long now = now_ms();

	if (e->drains && now >= e->next_drain_ms) {
		long long overflow = count_maps_drain(tracer_count_maps(e->tracer), on_count, e);

		if (overflow < 0) {
			fprintf(stderr, "exectrace: reading the counts failed: %s\n",
				strerror((int)-overflow));
			return -1;
		}
		exporter_overflow(e, (unsigned long long)overflow);
		/* Cgroups come and go: where they are named by reading the tree, it may be read again. */
		cgroups_refresh_allowed();
		e->next_drain_ms = now + DRAIN_MS;
	}
	if (e->drains && e->next_drain_ms - now < timeout_ms)
		timeout_ms = (int)(e->next_drain_ms - now);
	http_poll(e->http, timeout_ms);
	return 0;
}

void exporter_close(struct exporter *e)
{
	if (!e)
		return;
	http_close(e->http);
	metrics_free(&e->metrics);
	free(e);
}

int run_metrics(const struct options *o, struct exporter *e)
{
	long long deadline = o->duration > 0 ? now_ms() + (long long)(o->duration * 1e3) : 0;

	fprintf(stderr, "exectrace: ready: counting exec in the kernel for --metrics%s\n", options_until(o));
	while (!stopping) {
		int timeout = 1000;

		if (deadline) {
			long long left = deadline - now_ms();

			if (left <= 0)
				break;
			if (left < timeout)
				timeout = (int)left;
		}
		if (exporter_poll(e, timeout))
			return 1;
	}
	return 0;
}
