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

/* Columns that follow a key's columns, in order: a column is padded only when another comes after it. */
enum { COL_USER, COL_COMM, COL_PCOMM, COL_RESULT, COL_CGROUP, COL_EXE };

static bool column_follows(const struct count_view *v, int col)
{
	unsigned int k = v->opts->count_fields;
	bool present[] = {
	    [COL_USER] = k & ET_KEY_UID,      [COL_COMM] = k & (ET_KEY_PID | ET_KEY_COMM),
	    [COL_PCOMM] = k & ET_KEY_PPID,    [COL_RESULT] = v->opts->fails,
	    [COL_CGROUP] = k & ET_KEY_CGROUP, [COL_EXE] = k & ET_KEY_EXE,
	};

	for (size_t c = col + 1; c < sizeof(present) / sizeof(present[0]); c++)
		if (present[c])
			return true;
	return false;
}

static int text_name(const struct count_view *v, int col, const char *s, int width)
{
	return escape_text_padded(v->f, s, strnlen(s, ET_COMM_LEN), column_follows(v, col) ? width : 0);
}

/* The command name shown: the key's when counting per name, else the process's latest. */
static const char *row_comm(const struct count_view *v, const struct count_row *r)
{
	return v->opts->count_fields & ET_KEY_COMM ? r->key.comm : r->comm;
}

static int text_row(const struct count_view *v, const struct count_row *r)
{
	unsigned int k = v->opts->count_fields;
	const struct et_count_key *key = &r->key;
	FILE *f = v->f;

	/* Cumulative: the total and the last interval's rate; else the interval's count, rate and total. */
	if (v->opts->cumulative ? fprintf(f, "%8llu %9.1f", r->total, rate(r->interval, v->interval_s)) < 0
				: fprintf(f, "%8llu %9.1f %9llu", r->interval,
					  rate(r->interval, v->interval_s), r->total) < 0)
		return -1;
	if (k & ET_KEY_UID) {
		const char *user = user_name(key->uid);

		if (fprintf(f, " %-6u ", key->uid) < 0 || text_name(v, COL_USER, user ? user : "-", 10))
			return -1;
	}
	if ((k & ET_KEY_PID) && fprintf(f, " %-7u", key->pid) < 0)
		return -1;
	if ((k & (ET_KEY_PID | ET_KEY_COMM)) &&
	    (fputc(' ', f) == EOF || text_name(v, COL_COMM, row_comm(v, r), 16)))
		return -1;
	if ((k & ET_KEY_PPID) &&
	    (fprintf(f, " %-7u ", key->ppid) < 0 || text_name(v, COL_PCOMM, r->pcomm, 16)))
		return -1;
	if (v->opts->fails &&
	    fprintf(f, " %-*s", column_follows(v, COL_RESULT) ? 6 : 0, key->failed ? "failed" : "ok") < 0)
		return -1;
	if (k & ET_KEY_CGROUP) {
		const char *path = cgroup_path(key->cgroup);

		if (fputc(' ', f) == EOF || (path ? escape_text(f, path, strlen(path), false)
						  : fprintf(f, "id:%llu", key->cgroup) < 0))
			return -1;
	}
	if ((k & ET_KEY_EXE) && (fputc(' ', f) == EOF ||
				 (r->exe ? escape_text(f, r->exe, r->exe_len, false) : fputc('-', f) == EOF)))
		return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}

static int text_header(const struct count_view *v, const struct count_table *t)
{
	unsigned int k = v->opts->count_fields;
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
				 : fprintf(f, "\n%8s %9s %9s", "COUNT", "RATE/s", "TOTAL")) < 0 ||
	    ((k & ET_KEY_UID) &&
	     fprintf(f, " %-6s %-*s", "UID", column_follows(v, COL_USER) ? 10 : 0, "USER") < 0) ||
	    ((k & ET_KEY_PID) && fprintf(f, " %-7s", "PID") < 0) ||
	    ((k & (ET_KEY_PID | ET_KEY_COMM)) &&
	     fprintf(f, " %-*s", column_follows(v, COL_COMM) ? 16 : 0, "COMM") < 0) ||
	    ((k & ET_KEY_PPID) &&
	     fprintf(f, " %-7s %-*s", "PPID", column_follows(v, COL_PCOMM) ? 16 : 0, "PCOMM") < 0) ||
	    (v->opts->fails && fprintf(f, " %-*s", column_follows(v, COL_RESULT) ? 6 : 0, "RESULT") < 0) ||
	    ((k & ET_KEY_CGROUP) && fprintf(f, " %s", "CGROUP") < 0) ||
	    ((k & ET_KEY_EXE) && fprintf(f, " %s", "EXE") < 0))
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
	unsigned int k = v->opts->count_fields;
	const struct et_count_key *key = &r->key;
	FILE *f = v->f;

	if (fputc('{', f) == EOF)
		return -1;
	if (k & ET_KEY_UID) {
		const char *user = user_name(key->uid);

		if (fprintf(f, "\"uid\":%u,\"user\":", key->uid) < 0 ||
		    escape_json_or_null(f, user, user ? strlen(user) : 0) || fputc(',', f) == EOF)
			return -1;
	}
	if ((k & ET_KEY_PID) && fprintf(f, "\"pid\":%u,", key->pid) < 0)
		return -1;
	if ((k & (ET_KEY_PID | ET_KEY_COMM)) &&
	    (fputs("\"comm\":", f) == EOF ||
	     escape_json(f, row_comm(v, r), strnlen(row_comm(v, r), ET_COMM_LEN)) || fputc(',', f) == EOF))
		return -1;
	if ((k & ET_KEY_PPID) &&
	    (fprintf(f, "\"ppid\":%u,\"pcomm\":", key->ppid) < 0 ||
	     escape_json(f, r->pcomm, strnlen(r->pcomm, ET_COMM_LEN)) || fputc(',', f) == EOF))
		return -1;
	if (k & ET_KEY_CGROUP) {
		const char *path = cgroup_path(key->cgroup);

		if (fprintf(f, "\"cgroup_id\":%llu,\"cgroup\":", key->cgroup) < 0 ||
		    escape_json_or_null(f, path, path ? strlen(path) : 0) || fputc(',', f) == EOF)
			return -1;
	}
	if (k & ET_KEY_EXE) {
		if (fputs("\"exe\":", f) == EOF || escape_json_or_null(f, r->exe, r->exe_len) ||
		    (r->exe_truncated && fputs(",\"exe_truncated\":true", f) == EOF) || fputc(',', f) == EOF)
			return -1;
	}
	if (v->opts->fails && fprintf(f, "\"failed\":%s,", key->failed ? "true" : "false") < 0)
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
