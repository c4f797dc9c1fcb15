// SPDX-License-Identifier: GPL-2.0
/* --html FILE: the timeline page, its template with the run's data pasted in (docs/timeline.md). */
#include <errno.h>
#include <string.h>
#include <sys/types.h>
#include "errnos.h"
#include "escape.h"
#include "pictures.h"
#include "signals.h"
#include "timefmt.h"
#include "timeline_page.h"

#define NS_PER_S 1000000000ULL

/*
 * The data goes to f through this stream, which writes every "<" as \u003c: the data lands in a script
 * element, which "</script" would end and "<!--" would upset, and outside its strings JSON has no "<".
 * Filtering the stream rather than each string covers every string the data holds, whoever encoded it.
 */
static ssize_t lt_escape_write(void *cookie, const char *buf, size_t size)
{
	FILE *f = cookie;
	size_t i = 0;

	while (i < size) {
		const char *lt = memchr(buf + i, '<', size - i);
		size_t n = lt ? (size_t)(lt - (buf + i)) : size - i;

		if (fwrite(buf + i, 1, n, f) != n)
			return -1;
		i += n;
		if (lt) {
			if (fputs("\\u003c", f) == EOF)
				return -1;
			i++;
		}
	}
	return (ssize_t)size;
}

/* Seconds from nanoseconds with nine decimals, as the records write durations. */
static int put_seconds(FILE *d, const char *sign, unsigned long long ns)
{
	return fprintf(d, "%s%llu.%09llu", sign, ns / NS_PER_S, ns % NS_PER_S) < 0 ? -1 : 0;
}

/* A time on the history's clock, as seconds since the run's start: negative for a process of a recording
 * that started before it. */
static int put_time(FILE *d, const struct history *h, unsigned long long t)
{
	return t >= h->start_ns ? put_seconds(d, "", t - h->start_ns) : put_seconds(d, "-", h->start_ns - t);
}

/* "PID-START-SEQ" */
static int put_id(FILE *d, unsigned int pid, unsigned long long start, unsigned long long seq)
{
	return fprintf(d, "\"%u-%llu-%llu\"", pid, start, seq) < 0 ? -1 : 0;
}

static int put_str(FILE *d, const struct hist_str *s)
{
	return escape_json_or_null(d, s->s, s->len);
}

static int put_argv(FILE *d, const struct hist_str *argv, size_t argc)
{
	if (fputc('[', d) == EOF)
		return -1;
	for (size_t i = 0; i < argc; i++)
		if ((i && fputc(',', d) == EOF) || put_str(d, &argv[i]))
			return -1;
	return fputc(']', d) == EOF ? -1 : 0;
}

static int put_execs(FILE *d, const struct history *h, const struct hist_proc *p)
{
	if (fputs(",\"execs\":[", d) == EOF)
		return -1;
	for (size_t i = 0; i < p->nexecs; i++) {
		const struct hist_exec *e = &p->execs[i];

		if (fputs(i ? ",{\"time\":" : "{\"time\":", d) == EOF || put_time(d, h, e->time_ns) ||
		    fputs(",\"exec_id\":", d) == EOF || put_id(d, p->pid, p->start_time, e->exec_seq) ||
		    fputs(",\"argv\":", d) == EOF || put_argv(d, e->argv, e->argc) ||
		    fputs(",\"exe\":", d) == EOF || put_str(d, &e->exe) || fputs(",\"cwd\":", d) == EOF ||
		    put_str(d, &e->cwd) || (e->truncated && fputs(",\"truncated\":true", d) == EOF) ||
		    fputc('}', d) == EOF)
			return -1;
	}
	if (fputs("],\"failed_execs\":[", d) == EOF)
		return -1;
	for (size_t i = 0; i < p->nfailed; i++) {
		const struct hist_failed_exec *e = &p->failed[i];
		char ebuf[16];

		if (fputs(i ? ",{\"time\":" : "{\"time\":", d) == EOF || put_time(d, h, e->time_ns) ||
		    fputs(",\"filename\":", d) == EOF || put_str(d, &e->filename) ||
		    fputs(",\"argv\":", d) == EOF || put_argv(d, e->argv, e->argc) ||
		    (e->truncated && fputs(",\"truncated\":true", d) == EOF) ||
		    fprintf(d, ",\"error\":\"%s\"}", error_name(e->error, ebuf, sizeof(ebuf))) < 0)
			return -1;
	}
	return fputc(']', d) == EOF ? -1 : 0;
}

/* How it ended: end, exit_code, signal, core_dumped, and the CPU and memory figures when the exit had them.
 */
static int put_end(FILE *d, const struct history *h, const struct hist_proc *p)
{
	if (!p->ended)
		return fputs(",\"end\":null,\"exit_code\":null,\"signal\":null,\"core_dumped\":false", d) ==
			       EOF
			   ? -1
			   : 0;
	if (fputs(",\"end\":", d) == EOF || put_time(d, h, p->end_ns))
		return -1;
	if (p->signal) {
		char sig[16];

		if (fprintf(d, ",\"exit_code\":null,\"signal\":\"%s\"",
			    signal_name(p->signal, sig, sizeof(sig))) < 0)
			return -1;
	} else if (p->exit_code < 0) {
		if (fputs(",\"exit_code\":null,\"signal\":null", d) == EOF)
			return -1;
	} else if (fprintf(d, ",\"exit_code\":%d,\"signal\":null", p->exit_code) < 0) {
		return -1;
	}
	if (fputs(p->core_dumped ? ",\"core_dumped\":true" : ",\"core_dumped\":false", d) == EOF)
		return -1;
	if (!p->have_usage)
		return 0;
	if (fputs(",\"cpu_user\":", d) == EOF || put_seconds(d, "", p->cpu_user_ns) ||
	    fputs(",\"cpu_system\":", d) == EOF || put_seconds(d, "", p->cpu_system_ns) ||
	    fprintf(d, ",\"max_rss\":%llu", p->max_rss) < 0)
		return -1;
	return 0;
}

static int put_proc(FILE *d, const struct history *h, const struct hist_proc *p)
{
	/* What it runs: its last successful exec. */
	const struct hist_exec *last = p->nexecs ? &p->execs[p->nexecs - 1] : NULL;

	if (fputs("{\"id\":", d) == EOF || put_id(d, p->pid, p->start_time, p->id_seq) ||
	    fputs(",\"parent\":", d) == EOF ||
	    (p->parent ? put_id(d, p->parent->pid, p->parent->start_time, p->parent->id_seq)
		       : fputs("null", d) == EOF) ||
	    fprintf(d, ",\"pid\":%u,\"ppid\":%u,\"comm\":", p->pid, p->ppid) < 0 ||
	    escape_json(d, p->comm, strnlen(p->comm, sizeof(p->comm))))
		return -1;
	if (!last) {
		if (fputs(",\"argv\":null,\"exe\":null,\"cwd\":null", d) == EOF)
			return -1;
	} else if (fputs(",\"argv\":", d) == EOF || put_argv(d, last->argv, last->argc) ||
		   (last->truncated && fputs(",\"truncated\":true", d) == EOF) ||
		   fputs(",\"exe\":", d) == EOF || put_str(d, &last->exe) || fputs(",\"cwd\":", d) == EOF ||
		   put_str(d, &last->cwd)) {
		return -1;
	}
	if (fputs(",\"start\":", d) == EOF || put_time(d, h, p->start_ns) || put_end(d, h, p) ||
	    put_execs(d, h, p) || fputc('}', d) == EOF)
		return -1;
	return 0;
}

/* The data object of docs/timeline.md, version 1. */
static int put_data(FILE *d, const struct history *h)
{
	char start[48];

	if (format_rfc3339(start, sizeof(start), (long long)h->start_ns)) {
		errno = EOVERFLOW;
		return -1;
	}
	if (fprintf(d, "{\"version\":1,\"start_time\":\"%s\",\"end\":", start) < 0 ||
	    put_time(d, h, h->end_ns) || fputs(",\"command\":", d) == EOF)
		return -1;
	if (!h->command) {
		if (fputs("null", d) == EOF)
			return -1;
	} else {
		if (fputc('[', d) == EOF)
			return -1;
		for (size_t i = 0; h->command[i]; i++)
			if ((i && fputc(',', d) == EOF) ||
			    escape_json(d, h->command[i], strlen(h->command[i])))
				return -1;
		if (fputc(']', d) == EOF)
			return -1;
	}
	if (fprintf(d, ",\"lost\":%llu,\"processes\":[", h->lost) < 0)
		return -1;
	for (size_t i = 0; i < h->nprocs; i++)
		if ((i && fputc(',', d) == EOF) || put_proc(d, h, h->procs[i]))
			return -1;
	return fputs("]}", d) == EOF ? -1 : 0;
}

int html_write(FILE *f, const struct history *h)
{
	static const cookie_io_functions_t lt_escape = {.write = lt_escape_write};
	FILE *d;
	int err, ret;

	if (fwrite(timeline_head, 1, timeline_head_len, f) != timeline_head_len)
		return -1;
	d = fopencookie(f, "w", lt_escape);
	if (!d)
		return -1;
	ret = put_data(d, h);
	err = errno;
	/* Closing flushes what the stream still holds, through to f. */
	if (fclose(d) && !ret) {
		ret = -1;
		err = errno;
	}
	if (ret) {
		errno = err;
		return -1;
	}
	if (fwrite(timeline_tail, 1, timeline_tail_len, f) != timeline_tail_len || fflush(f))
		return -1;
	return 0;
}
