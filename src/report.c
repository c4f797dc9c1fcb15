// SPDX-License-Identifier: GPL-2.0
/* exectrace report: reads a recording line by line into a history, then draws the pictures asked for. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "history.h"
#include "pictures.h"
#include "record_read.h"
#include "report.h"
#include "report_options.h"

/* A record is at most about 13 MiB (1 MiB of argv and 1 MiB of environment, each byte escaped to at most
 * six): a line longer than this is no record, and is not held in memory. */
#define REPORT_LINE_MAX (64UL << 20)

/* A recording being read. */
struct reading {
	const char *name; /* as messages name it */
	FILE *f;
	char *line;
	size_t cap;
	unsigned long long lineno, records, bad;
};

enum line_result {
	LINE_END,      /* no more */
	LINE_WHOLE,    /* a line and its newline */
	LINE_UNENDED,  /* the last line, without its newline: cut short, or a file that ends without one */
	LINE_TOO_LONG, /* past REPORT_LINE_MAX: skipped to its end */
	LINE_ERROR,    /* reading failed (errno) */
};

static enum line_result next_line(struct reading *rd, size_t *len)
{
	bool too_long = false;
	int c;

	*len = 0;
	while ((c = getc_unlocked(rd->f)) != EOF && c != '\n') {
		if (*len == REPORT_LINE_MAX) {
			too_long = true;
			continue;
		}
		if (*len == rd->cap) {
			size_t cap = rd->cap ? rd->cap * 2 : 4096;
			char *line;

			if (cap > REPORT_LINE_MAX)
				cap = REPORT_LINE_MAX;
			line = realloc(rd->line, cap);
			if (!line) {
				errno = ENOMEM;
				return LINE_ERROR;
			}
			rd->line = line;
			rd->cap = cap;
		}
		rd->line[(*len)++] = (char)c;
	}
	if (c == EOF && ferror(rd->f))
		return LINE_ERROR;
	if (too_long)
		return LINE_TOO_LONG;
	if (c == EOF)
		return *len ? LINE_UNENDED : LINE_END;
	return LINE_WHOLE;
}

/* A line that is no record: the first is said, the others counted. */
static void bad_line(struct reading *rd, const char *why)
{
	if (!rd->bad++)
		fprintf(stderr, "exectrace: %s:%llu: %s\n", rd->name, rd->lineno, why);
}

/* Every line into h. 0, or -1 after a line on stderr when the recording could not be read on. */
static int read_records(struct reading *rd, struct history *h)
{
	struct record_reader rr;
	enum line_result got;
	struct event ev;
	size_t len;
	int err = 0;

	record_reader_init(&rr);
	while (!err && (got = next_line(rd, &len)) != LINE_END && got != LINE_ERROR) {
		unsigned long long lost = 0;
		int kind;

		rd->lineno++;
		if (got == LINE_TOO_LONG) {
			bad_line(rd, "not a record: longer than 64 MiB");
			continue;
		}
		kind = record_read(&rr, rd->line, len, &ev, &lost);
		if (kind == -EINVAL && got == LINE_UNENDED) {
			/* What a recorder stopped in the middle of a write leaves: said, and tolerated. */
			fprintf(stderr,
				"exectrace: warning: %s:%llu: the last line is cut short (the recording was "
				"stopped "
				"while writing it?), left out: %s\n",
				rd->name, rd->lineno, rr.why);
		} else if (kind == -EINVAL) {
			bad_line(rd, rr.why);
		} else if (kind == -ENOMEM || (kind == RECORD_EVENT && history_add(h, &ev))) {
			err = -1;
		} else if (kind == RECORD_EVENT) {
			rd->records++;
		} else if (kind == RECORD_LOST) {
			history_lost(h, lost);
			rd->records++;
		}
	}
	record_reader_free(&rr);
	if (err) {
		fprintf(stderr, "exectrace: out of memory at %s:%llu\n", rd->name, rd->lineno);
		return -1;
	}
	if (got == LINE_ERROR) {
		fprintf(stderr, "exectrace: reading %s failed after line %llu: %s\n", rd->name, rd->lineno,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int open_input(struct reading *rd, const char *path)
{
	struct stat st;

	if (strcmp(path, "-") == 0) {
		rd->f = stdin;
		rd->name = "standard input";
	} else {
		rd->f = fopen(path, "re");
		rd->name = path;
		if (!rd->f) {
			fprintf(stderr, "exectrace: cannot open '%s': %s\n", path, strerror(errno));
			return -1;
		}
	}
	if (fstat(fileno(rd->f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "exectrace: '%s' is a directory, not a recording\n", path);
		return -1;
	}
	return 0;
}

/* The terminal's width for the tree's lines; no limit when standard output is no terminal. */
static unsigned int tree_width(void)
{
	struct winsize ws;

	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws))
		return 0;
	return ws.ws_col;
}

typedef int (*picture_fn)(FILE *f, const struct history *h);

static int draw_file(const char *path, const struct history *h, picture_fn draw)
{
	FILE *f = fopen(path, "we");
	int err;

	if (!f) {
		fprintf(stderr, "exectrace: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	err = draw(f, h) || fflush(f) ? errno : 0;
	if (fclose(f) && !err)
		err = errno;
	if (err) {
		fprintf(stderr, "exectrace: writing '%s' failed: %s\n", path, strerror(err));
		return -1;
	}
	return 0;
}

static int draw(const struct report_options *o, const struct history *h)
{
	int status = 0;

	if (o->html && draw_file(o->html, h, html_write))
		status = 1;
	if (o->perfetto && draw_file(o->perfetto, h, perfetto_write))
		status = 1;
	if (o->tree) {
		struct tree_options t = {.width = tree_width(), .expand = o->tree_expand};

		if (tree_write(stdout, h, &t) || fflush(stdout)) {
			fprintf(stderr, "exectrace: writing the tree failed: %s\n", strerror(errno));
			status = 1;
		}
	}
	return status;
}

/* The history of the recording, then its pictures. */
static int report(const struct report_options *o)
{
	struct reading rd = {0};
	struct history h;
	int status = 1;

	if (open_input(&rd, o->input))
		goto out;
	history_init(&h);
	if (read_records(&rd, &h)) {
		history_free(&h);
		goto out;
	}
	if (rd.bad > 1)
		fprintf(stderr, "exectrace: %s: %llu lines in all are not records, left out\n", rd.name,
			rd.bad);
	if (!rd.records) {
		fprintf(
		    stderr,
		    "exectrace: %s: no exec, fork, exit or lost records (record with exectrace -j -x --forks "
		    "--exits -o FILE)\n",
		    rd.name);
	} else {
		history_finish(&h);
		status = draw(o, &h) || rd.bad ? 1 : 0;
	}
	history_free(&h);
out:
	if (rd.f && rd.f != stdin)
		fclose(rd.f);
	free(rd.line);
	return status;
}

int report_main(int argc, char **argv)
{
	struct report_options o;

	switch (report_options_parse(argc, argv, &o)) {
	case REPORT_OPTIONS_EXIT:
		return 0;
	case REPORT_OPTIONS_ERROR:
		return 2;
	default:
		return report(&o);
	}
}
