/* The output formats: text in execsnoop's columns (output_text.c) and JSON lines (output_json.c). */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdio.h>
#include "event.h"
#include "options.h"

struct output {
	FILE *f;
	const struct options *opts;
	long long boot_to_real_ns; /* added to kernel stamps for wall-clock time */
	long long start_boot_ns;   /* -t counts from here */
};

/* Each returns 0, or -1 when writing failed (errno set). */
int text_header(const struct output *out);
int text_exec(const struct output *out, const struct exec_event *ev);
int json_exec(const struct output *out, const struct exec_event *ev);
int text_fork(const struct output *out, const struct fork_event *ev);
int text_exit(const struct output *out, const struct exit_event *ev);
int json_fork(const struct output *out, const struct fork_event *ev);
int json_exit(const struct output *out, const struct exit_event *ev);
int json_lost(const struct output *out, unsigned long long count, long long boot_ns);

#endif
