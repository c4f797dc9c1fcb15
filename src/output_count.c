// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "cgroups.h"
#include "escape.h"
#include "output_count.h"
#include "timefmt.h"
#include "users.h"

static double rate(unsigned long long n, double secs)
{
	return secs > 0 ? (double)n / secs : 0;
}

static int json_string(FILE *f, const char *name, const char *s, size_t len)
{
	return fprintf(f, "\"%s\":", name) < 0 || escape_json_or_null(f, s, len) || fputc(',', f) == EOF ? -1
													 : 0;
}

/* The command name shown: the key's when counting per name, else the process's latest. */
static const char *row_comm(const struct count_view *v, const struct count_row *r)
{
	return v->opts->count_fields & ET_KEY_COMM ? r->key.comm : r->comm;
}

static bool has_uid(const struct count_view *v)
{
	return v->opts->count_fields & ET_KEY_UID;
}

static bool has_pid(const struct count_view *v)
{
	return v->opts->count_fields & ET_KEY_PID;
}

static bool has_comm(const struct count_view *v)
{
	return v->opts->count_fields & (ET_KEY_PID | ET_KEY_COMM);
}

static bool has_ppid(const struct count_view *v)
{
	return v->opts->count_fields & ET_KEY_PPID;
}

static bool has_result(const struct count_view *v)
{
	return v->opts->fails;
}

static bool has_cgroup(const struct count_view *v)
{
	return v->opts->count_fields & ET_KEY_CGROUP;
}

static bool has_exe(const struct count_view *v)
{
	return v->opts->count_fields & ET_KEY_EXE;
}

static int text_uid(FILE *f, const struct count_view *v, const struct count_row *r, int width)
{
	(void)v;
	return fprintf(f, "%-*u", width, r->key.uid) < 0 ? -1 : 0;
}

static int json_uid(FILE *f, const struct count_view *v, const struct count_row *r)
{
	const char *user = user_name(r->key.uid);

	(void)v;
	return fprintf(f, "\"uid\":%u,", r->key.uid) < 0
		   ? -1
		   : json_string(f, "user", user, user ? strlen(user) : 0);
}

static int text_user(FILE *f, const struct count_view *v, const struct count_row *r, int width)
{
	const char *user = user_name(r->key.uid);

	(void)v;
	return escape_text_padded(f, user ? user : "-", user ? strlen(user) : 1, width);
}

static int text_pid(FILE *f, const struct count_view *v, const struct count_row *r, int width)
{
	(void)v;
	return fprintf(f, "%-*u", width, r->key.pid) < 0 ? -1 : 0;
}

static int json_pid(FILE *f, const struct count_view *v, const struct count_row *r)
{
	(void)v;
	return fprintf(f, "\"pid\":%u,", r->key.pid) < 0 ? -1 : 0;
}

static int text_comm(FILE *f, const struct count_view *v, const struct count_row *r, int width)
{
	return escape_text_padded(f, row_comm(v, r), strnlen(row_comm(v, r), ET_COMM_LEN), width);
}

static int json_comm(FILE *f, const struct count_view *v, const struct count_row *r)
{
	return json_string(f, "comm", row_comm(v, r), strnlen(row_comm(v, r), ET_COMM_LEN));
}

static int text_ppid(FILE *f, const struct count_view *v, const struct count_row *r, int width)
{
	(void)v;
	return fprintf(f, "%-*u", width, r->key.ppid) < 0 ? -1 : 0;
}

static int json_ppid(FILE *f, const struct count_view *v, const struct count_row *r)
{
	(void)v;
	return fprintf(f, "\"ppid\":%u,", r->key.ppid) < 0
		   ? -1
		   : json_string(f, "pcomm", r->pcomm, strnlen(r->pcomm, ET_COMM_LEN));
}

static int text_pcomm(FILE *f, const struct count_view *v, const struct count_row *r, int width)
{
	(void)v;
	return escape_text_padded(f, r->pcomm, strnlen(r->pcomm, ET_COMM_LEN), width);
}

static int text_result(FILE *f, const struct count_view *v, const struct count_row *r, int width)
{
	(void)v;
	return fprintf(f, "%-*s", width, r->key.failed ? "failed" : "ok") < 0 ? -1 : 0;
}

static int json_result(FILE *f, const struct count_view *v, const struct count_row *r)
{
	(void)v;
	return fprintf(f, "\"failed\":%s,", r->key.failed ? "true" : "false") < 0 ? -1 : 0;
}

static int text_cgroup(FILE *f, const struct count_view *v, const struct count_row *r, int width)
{
	const char *path = cgroup_path(r->key.cgroup);

	(void)v, (void)width; /* never padded: the path is as long as it is */
	return path					  ? escape_text(f, path, strlen(path), false)
	       : fprintf(f, "id:%llu", r->key.cgroup) < 0 ? -1
							  : 0;
}

static int json_cgroup(FILE *f, const struct count_view *v, const struct count_row *r)
{
	const char *path = cgroup_path(r->key.cgroup);

	(void)v;
	return fprintf(f, "\"cgroup_id\":%llu,", r->key.cgroup) < 0
		   ? -1
		   : json_string(f, "cgroup", path, path ? strlen(path) : 0);
}

static int text_exe(FILE *f, const struct count_view *v, const struct count_row *r, int width)
{
	(void)v, (void)width;
	return r->exe ? escape_text(f, r->exe, r->exe_len, false) : fputc('-', f) == EOF ? -1 : 0;
}

static int json_exe(FILE *f, const struct count_view *v, const struct count_row *r)
{
	(void)v;
	return json_string(f, "exe", r->exe, r->exe_len) ||
		       (r->exe_truncated && fputs("\"exe_truncated\":true,", f) == EOF)
		   ? -1
		   : 0;
}

/* The key's columns, in the order shown; each says when it is shown, writes its text cell (padded to width,
 * 0 for the last column) and its JSON fields ("name":value, each followed by a comma). One table for the text
 * header, the text rows and the JSON rows. */
static const struct column {
	const char *title;
	int width;
	bool (*shown)(const struct count_view *v);
	int (*text)(FILE *f, const struct count_view *v, const struct count_row *r, int width);
	int (*json)(FILE *f, const struct count_view *v, const struct count_row *r); /* NULL: in another's */
} columns[] = {
    {"UID", 6, has_uid, text_uid, json_uid},
    {"USER", 10, has_uid, text_user, NULL},
    {"PID", 7, has_pid, text_pid, json_pid},
    {"COMM", 16, has_comm, text_comm, json_comm},
    {"PPID", 7, has_ppid, text_ppid, json_ppid},
    {"PCOMM", 16, has_ppid, text_pcomm, NULL},
    {"RESULT", 6, has_result, text_result, json_result},
    {"CGROUP", 0, has_cgroup, text_cgroup, json_cgroup},
    {"EXE", 0, has_exe, text_exe, json_exe},
};

#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* A column's width: padded only when another column comes after it. */
static int column_width(const struct count_view *v, size_t c)
{
	for (size_t n = c + 1; n < NCOLUMNS; n++)
		if (columns[n].shown(v))
			return columns[c].width;
	return 0;
}

static int text_row(const struct count_view *v, const struct count_row *r)
{
	FILE *f = v->f;

	/* Cumulative: the total and the last interval's rate; else the interval's count, rate and total. */
	if (v->opts->cumulative ? fprintf(f, "%8llu %9.1f", r->total, rate(r->interval, v->interval_s)) < 0
				: fprintf(f, "%8llu %9.1f %9llu", r->interval,
					  rate(r->interval, v->interval_s), r->total) < 0)
		return -1;
	for (size_t c = 0; c < NCOLUMNS; c++)
		if (columns[c].shown(v) &&
		    (fputc(' ', f) == EOF || columns[c].text(f, v, r, column_width(v, c))))
			return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}

static int text_header(const struct count_view *v, const struct count_table *t)
{
	FILE *f = v->f;
	char clock[16];

	if (v->redraw && fputs("\033[H\033[2J", f) == EOF)
		return -1;
	if (format_clock(clock, sizeof(clock), v->real_ns) ||
	    fprintf(f, "%s  %llu execs in %.1fs (%.1f/s), %llu since the start", clock, t->interval_execs,
		    v->interval_s, rate(t->interval_execs, v->interval_s), t->total_execs) < 0)
		return -1;
	if (t->interval_overflow && fprintf(f, "; %llu did not fit --max-keys", t->interval_overflow) < 0)
		return -1;
	if ((v->opts->cumulative ? fprintf(f, "\n%8s %9s", "TOTAL", "RATE/s")
				 : fprintf(f, "\n%8s %9s %9s", "COUNT", "RATE/s", "TOTAL")) < 0)
		return -1;
	for (size_t c = 0; c < NCOLUMNS; c++)
		if (columns[c].shown(v) && fprintf(f, " %-*s", column_width(v, c), columns[c].title) < 0)
			return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}

int count_print_text(const struct count_view *v, const struct count_table *t)
{
	const struct count_row **rows;
	size_t n = count_table_sorted(t, v->opts->cumulative, v->opts->top, &rows);
	int err = rows ? text_header(v, t) : -1;

	for (size_t i = 0; !err && i < n; i++)
		err = text_row(v, rows[i]);
	if (!err && !v->redraw)
		err = fputc('\n', v->f) == EOF ? -1 : 0; /* a blank line between tables */
	free(rows);
	return err;
}

static int json_row(const struct count_view *v, const struct count_row *r)
{
	FILE *f = v->f;

	if (fputc('{', f) == EOF)
		return -1;
	for (size_t c = 0; c < NCOLUMNS; c++)
		if (columns[c].shown(v) && columns[c].json && columns[c].json(f, v, r))
			return -1;
	return fprintf(f, "\"count\":%llu,\"rate\":%.3f,\"total\":%llu}", r->interval,
		       rate(r->interval, v->interval_s), r->total) < 0
		   ? -1
		   : 0;
}

int count_print_json(const struct count_view *v, const struct count_table *t)
{
	static const char *const names[] = {"uid", "comm", "pid", "ppid", "exe", "cgroup"};
	const struct count_row **rows;
	size_t n = count_table_sorted(t, v->opts->cumulative, v->opts->top, &rows);
	char tbuf[48];
	bool first = true;
	FILE *f = v->f;

	if (!rows)
		return -1;
	if (format_rfc3339(tbuf, sizeof(tbuf), v->real_ns) ||
	    fprintf(f, "{\"type\":\"counts\",\"time\":\"%s\",\"interval\":%.6f,\"keys\":[", tbuf,
		    v->interval_s) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((v->opts->count_fields & (1u << i)) &&
		    fprintf(f, "%s\"%s\"", first ? "" : ",", names[i]) > 0)
			first = false;
	if (fprintf(f, "],\"count\":%llu,\"rate\":%.3f,\"total\":%llu,\"overflow\":%llu,\"rows\":[",
		    t->interval_execs, rate(t->interval_execs, v->interval_s), t->total_execs,
		    t->interval_overflow) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if ((i && fputc(',', f) == EOF) || json_row(v, rows[i]))
			goto fail;
	free(rows);
	return fputs("]}\n", f) == EOF ? -1 : 0;
fail:
	free(rows);
	return -1;
}
