// SPDX-License-Identifier: GPL-2.0
/* exectrace: parse the options, open the output, choose the sinks, attach, then trace (records -> decoder ->
 * process table -> sinks, src/run_trace.c) or count (src/run_count.c) until told to stop; or draw a
 * recording's pictures (exectrace report, src/report.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cgroups.h"
#include "command.h"
#include "output_file.h"
#include "report.h"
#include "run.h"
#include "users.h"
#include "version.h"

volatile sig_atomic_t stopping;
/* Command mode: the command, which SIGINT and SIGTERM are passed on to. */
static struct command cmd;

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	if (sig == SIGHUP) {
		reopening = 1;
	} else if (sig == SIGCHLD || !cmd.pid) {
		/* The command ended (exectrace has no other child): the trace ends with it. */
		stopping = 1;
	} else if (info->si_code == SI_USER || info->si_code == SI_QUEUE || info->si_code == SI_TKILL) {
		/* Sent to exectrace alone: the command decides, and the trace follows it to its end. A
		 * terminal's Ctrl-C already reached the whole foreground group, the command included. */
		command_signal(&cmd, sig);
	}
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
	struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A command killed before the handler was in place ends the run all the same. */
	if (cmd.pid && (sigaction(SIGCHLD, &sa, NULL) || command_ended(&cmd)))
		stopping = 1;
	/* A log rotation's request to reopen -o: never the default, which ends the run. */
	sigaction(SIGHUP, &sa, NULL);
	/* A closed pipe shows as EPIPE on write, and ends the run quietly. */
	signal(SIGPIPE, SIG_IGN);
}

/* The outputs of a trace, all told every event: one line each. The pictures come last, so that the tree
 * follows the records. */
static int choose_sinks(struct sinks *set, FILE *f, const struct options *o, struct pictures *pics)
{
	/* Command mode asked for pictures only: they are its output, without text records on the terminal. */
	if (!(o->pictures && o->command && !o->json && !o->output) &&
	    sinks_add(set, o->json ? sink_json_new(f, o) : sink_text_new(f, o)))
		goto nomem;
	if (o->pictures) {
		/* After the text records; beside JSON lines, which stay JSON lines. */
		pics->tree = !o->tree ? NULL : o->json ? stderr : f;
		pics->tree_expand = o->tree_expand;
		pics->command = o->command;
		pics->command_pid = cmd.pid;
		if (sinks_add(set, sink_pictures_new(pics)))
			goto nomem;
	}
	return 0;
nomem:
	fprintf(stderr, "exectrace: out of memory\n");
	return -1;
}

/* Command mode: the command joins the traced set, then may exec. 0, or the exit status to give. */
static int release_command(struct tracer *tracer)
{
	if (tracer_trace_pid(tracer, cmd.pid))
		return 1;
	return command_release(&cmd);
}

/* Loads and attaches the programs, then lets the command run in command mode. 0, or the exit status to give.
 */
static int attach(struct tracer **tracer, const struct options *o, tracer_record_fn fn, void *ctx)
{
	if (tracer_open(tracer, o, fn, ctx))
		return 1;
	return o->command ? release_command(*tracer) : 0;
}

/* Command mode, after the trace: the command's status (exectrace's own failure when the command succeeded),
 * and what was left running. */
static int end_command(struct tracer *tracer, int status)
{
	int cmd_status = command_wait(&cmd);
	unsigned long left = tracer ? tracer_traced_count(tracer) : 0;

	if (left)
		fprintf(stderr,
			"exectrace: the command ended with %lu of its processes still running (not traced "
			"further)\n",
			left);
	return cmd_status ? cmd_status : status;
}

int main(int argc, char **argv)
{
	struct options opts = {0};
	struct trace trace = {0};
	struct tracer *tracer = NULL;
	struct exporter *exporter = NULL;
	struct pictures pics = {0};
	FILE *f = NULL;
	int status = 1;

	if (open_std_fds())
		return 1;
	/* A subcommand of its own, with its own options: it traces nothing. */
	if (argc > 1 && strcmp(argv[1], "report") == 0)
		return report_main(argc - 1, argv + 1);
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
	/* A path that cannot be written fails before the command starts. */
	if (pictures_open(&pics, &opts))
		goto out;
	/* Held before its exec until the programs are attached and it is in the traced set. */
	if (opts.command && command_start(&cmd, &opts))
		goto out;
	/* The command's standard output stays its own: records go to -o or stderr. */
	f = opts.command && !opts.output ? stderr : output_open(opts.output);
	if (!f)
		goto out;
	setup_signals();
	if (opts.metrics && exporter_open(&exporter, &opts))
		goto out;
	if (opts.count_fields) {
		if (!(status = attach(&tracer, &opts, NULL, NULL))) {
			if (exporter)
				exporter_attach(exporter, tracer, false);
			status = run_count(&opts, tracer, f, exporter);
		}
	} else if (!opts.records) {
		if (!(status = attach(&tracer, &opts, NULL, NULL))) {
			exporter_attach(exporter, tracer, true);
			status = run_metrics(&opts, exporter);
		}
	} else if (!choose_sinks(&trace.sinks, f, &opts, &pics)) {
		trace.file = f;
		trace.exporter = exporter;
		trace_init(&trace, &opts);
		if (!(status = attach(&tracer, &opts, run_trace_record, &trace))) {
			trace.tracer = tracer;
			pics.start_ns = (unsigned long long)cmd.released_ns;
			if (exporter)
				exporter_attach(exporter, tracer, true);
			status = run_trace(&trace);
		}
	}
out:
	exporter_close(exporter);
	if (cmd.pid)
		status = end_command(tracer, status);
	tracer_close(tracer);
	if (f && f != stdout && f != stderr && fclose(f) && !status) {
		fprintf(stderr, "exectrace: writing the output failed: %s\n", strerror(errno));
		status = 1;
	}
	if (pictures_close(&pics) && !status)
		status = 1;
	trace_free(&trace);
	users_free();
	cgroups_free();
	options_free(&opts);
	return status;
}
