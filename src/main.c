// SPDX-License-Identifier: GPL-2.0
/* exectrace: parse the options, open the output, attach, then trace or count until told to stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cgroups.h"
#include "run.h"
#include "timefmt.h"
#include "users.h"
#include "version.h"

volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static FILE *open_output(const char *path)
{
	FILE *f = path ? fopen(path, "w") : stdout;

	if (!f) {
		fprintf(stderr, "exectrace: cannot open output file '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	/* One thread writes the records: stdio's lock, two atomic operations on every call (a record makes
	 * dozens), would guard nothing. */
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	return f;
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
	/* A closed pipe shows as EPIPE on write, and ends the run quietly. */
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	struct run r = {0};
	int status = 1;

	if (open_std_fds())
		return 1;
	switch (options_parse(argc, argv, &r.opts)) {
	case OPTIONS_EXIT:
		return 0;
	case OPTIONS_VERSION:
		return version_print(stdout);
	case OPTIONS_ERROR:
		return 2;
	case OPTIONS_OK:
		break;
	}
	event_decoder_init(&r.dec, r.opts.max_args);
	r.out.opts = &r.opts;
	r.out.f = open_output(r.opts.output);
	if (!r.out.f)
		goto out;
	setup_signals();
	if (tracer_open(&r.tracer, &r.opts, run_trace_record, &r))
		goto out;
	r.out.boot_to_real_ns = boot_to_real_offset_ns();
	r.out.start_boot_ns = clock_now_ns(CLOCK_BOOTTIME);
	status = r.opts.count_fields ? run_count(&r) : run_trace(&r);
	if (r.write_errno && r.write_errno != EPIPE) {
		fprintf(stderr, "exectrace: writing the output failed: %s\n", strerror(r.write_errno));
		status = 1;
	}
out:
	tracer_close(r.tracer);
	if (r.out.f && r.out.f != stdout && fclose(r.out.f) && !status) {
		fprintf(stderr, "exectrace: writing the output failed: %s\n", strerror(errno));
		status = 1;
	}
	event_decoder_free(&r.dec);
	count_table_free(&r.table);
	users_free();
	cgroups_free();
	free(r.line);
	options_free(&r.opts);
	return status;
}
