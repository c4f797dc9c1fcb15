// SPDX-License-Identifier: GPL-2.0
/* exectrace: parse the options, open the output, choose the sinks, attach, then trace (records -> decoder ->
 * process table -> sinks, src/run_trace.c) or count (src/run_count.c) until told to stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cgroups.h"
#include "output_file.h"
#include "run.h"
#include "users.h"
#include "version.h"

volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopening = 1;
	else
		stopping = 1;
}

/* A closed standard stream would be reused by the next open: the output file as fd 2 would get the status
 * lines, the ring buffer's epoll fd as fd 1 the records. Each one closed gets /dev/null instead. */
static int open_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* It lands on the lowest free fd: this one, as those below it are open by now. */
		if (open("/dev/null", O_RDWR) < 0) {
			fprintf(stderr, "exectrace: cannot open /dev/null for a closed standard stream: %s\n",
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void setup_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A log rotation's request to reopen -o: never the default, which ends the run. */
	sigaction(SIGHUP, &sa, NULL);
	/* A closed pipe shows as EPIPE on write, and ends the run quietly. */
	signal(SIGPIPE, SIG_IGN);
}

/* The outputs of a trace, all told every event: one line each. */
static int choose_sinks(struct sinks *set, FILE *f, const struct options *o)
{
	if (sinks_add(set, o->json ? sink_json_new(f, o) : sink_text_new(f, o))) {
		fprintf(stderr, "exectrace: out of memory\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options opts = {0};
	struct trace trace = {0};
	struct tracer *tracer = NULL;
	struct exporter *exporter = NULL;
	FILE *f = NULL;
	int status = 1;

	if (open_std_fds())
		return 1;
	switch (options_parse(argc, argv, &opts)) {
	case OPTIONS_EXIT:
		return 0;
	case OPTIONS_VERSION:
		return version_print(stdout);
	case OPTIONS_ERROR:
		return 2;
	case OPTIONS_OK:
		break;
	}
	f = output_open(opts.output);
	if (!f)
		goto out;
	setup_signals();
	if (opts.metrics && exporter_open(&exporter, &opts))
		goto out;
	if (opts.count_fields) {
		if (!tracer_open(&tracer, &opts, NULL, NULL)) {
			if (exporter)
				exporter_attach(exporter, tracer, false);
			status = run_count(&opts, tracer, f, exporter);
		}
	} else if (!opts.records) {
		if (!tracer_open(&tracer, &opts, NULL, NULL)) {
			exporter_attach(exporter, tracer, true);
			status = run_metrics(&opts, exporter);
		}
	} else if (!choose_sinks(&trace.sinks, f, &opts)) {
		trace.file = f;
		trace.exporter = exporter;
		trace_init(&trace, &opts);
		if (!tracer_open(&tracer, &opts, run_trace_record, &trace)) {
			trace.tracer = tracer;
			if (exporter)
				exporter_attach(exporter, tracer, true);
			status = run_trace(&trace);
		}
	}
out:
	exporter_close(exporter);
	tracer_close(tracer);
	if (f && f != stdout && fclose(f) && !status) {
		fprintf(stderr, "exectrace: writing the output failed: %s\n", strerror(errno));
		status = 1;
	}
	trace_free(&trace);
	users_free();
	cgroups_free();
	options_free(&opts);
	return status;
}
