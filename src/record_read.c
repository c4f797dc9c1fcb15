// SPDX-License-Identifier: GPL-2.0
/* The fields as src/output_json.c writes them. Those every record of a type has are required, as are their
 * types: a line without them was not written by exectrace, and a picture drawn from it would mislead. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "record_read.h"
#include "signals.h"

#define NS_PER_SEC 1000000000ULL

/* The record being read. */
struct rec {
	struct record_reader *r;
	const struct json_doc *doc;
	const struct json_node *obj;
	const char *type;
};

__attribute__((format(printf, 2, 3))) static int bad(struct record_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* The analyzer loses track of va_start here (a false report). */
	vsnprintf(r->why, sizeof(r->why), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return -EINVAL;
}

/* A member that every record of the type has. */
static int need(const struct rec *c, const char *name, const struct json_node **n)
{
	*n = json_get(c->doc, c->obj, name);
	return *n ? 0 : bad(c->r, "%s record without \"%s\"", c->type, name);
}

static int get_uint(const struct rec *c, const char *name, unsigned long long max, unsigned long long *v)
{
	const struct json_node *n;
	int err = need(c, name, &n);

	if (err)
		return err;
	if (json_u64(c->doc, n, v) || *v > max)
		return bad(c->r, "%s record: \"%s\" is not a whole number from 0 to %llu", c->type, name,
			   max);
	return 0;
}

static int get_u32(const struct rec *c, const char *name, unsigned int *v)
{
	unsigned long long u = 0;
	int err = get_uint(c, name, UINT32_MAX, &u);

	*v = (unsigned int)u;
	return err;
}

/* A boolean; false when absent if optional (the flags written only when true). */
static int get_bool(const struct rec *c, const char *name, bool optional, bool *b)
{
	const struct json_node *n = json_get(c->doc, c->obj, name);

	*b = false;
	if (!n)
		return optional ? 0 : bad(c->r, "%s record without \"%s\"", c->type, name);
	if (n->type != JSON_TRUE && n->type != JSON_FALSE)
		return bad(c->r, "%s record: \"%s\" is not true or false", c->type, name);
	*b = n->type == JSON_TRUE;
	return 0;
}

/* A string, or null (*s NULL); absent, when optional, is taken as null. */
static int get_str(const struct rec *c, const char *name, bool optional, const char **s, size_t *len)
{
	const struct json_node *n = json_get(c->doc, c->obj, name);

	*s = NULL;
	*len = 0;
	if (!n)
		return optional ? 0 : bad(c->r, "%s record without \"%s\"", c->type, name);
	if (n->type == JSON_STRING)
		*s = json_str(c->doc, n, len);
	else if (n->type != JSON_NULL)
		return bad(c->r, "%s record: \"%s\" is not a string or null", c->type, name);
	return 0;
}

static int get_seconds(const struct rec *c, const char *name, unsigned long long *ns)
{
	const struct json_node *n;
	int err = need(c, name, &n);

	if (err)
		return err;
	if (json_seconds_ns(c->doc, n, ns))
		return bad(c->r, "%s record: \"%s\" is not a number of seconds", c->type, name);
	return 0;
}

/* width digits at s[*i], into *v. */
static bool fixed_digits(const char *s, size_t len, size_t *i, int width, int *v)
{
	*v = 0;
	for (int k = 0; k < width; k++, (*i)++) {
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return false;
		*v = *v * 10 + (s[*i] - '0');
	}
	return true;
}

static bool expect_char(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return false;
	(*i)++;
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[month - 1] + (month == 2 && leap);
}

/* RFC 3339 (2026-11-25T10:00:00.123456789Z, as the records have it; any decimals, Z or an offset) to
 * nanoseconds since the epoch. false when it is not one, or before 1970. */
static bool parse_time(const char *s, size_t len, unsigned long long *ns)
{
	struct tm tm = {0};
	int year, mon, mday, hour, min, sec, off_h = 0, off_m = 0, off_sign = 0;
	unsigned long long frac = 0;
	size_t i = 0;
	time_t t;

	if (!fixed_digits(s, len, &i, 4, &year) || !expect_char(s, len, &i, '-') ||
	    !fixed_digits(s, len, &i, 2, &mon) || !expect_char(s, len, &i, '-') ||
	    !fixed_digits(s, len, &i, 2, &mday) ||
	    (!expect_char(s, len, &i, 'T') && !expect_char(s, len, &i, 't')) ||
	    !fixed_digits(s, len, &i, 2, &hour) || !expect_char(s, len, &i, ':') ||
	    !fixed_digits(s, len, &i, 2, &min) || !expect_char(s, len, &i, ':') ||
	    !fixed_digits(s, len, &i, 2, &sec))
		return false;
	if (mon < 1 || mon > 12 || mday < 1 || mday > days_in_month(year, mon) || hour > 23 || min > 59 ||
	    sec > 60)
		return false;
	if (expect_char(s, len, &i, '.')) {
		int ndigits = 0;

		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, ndigits++)
			if (ndigits < 9)
				frac = frac * 10 + (unsigned long long)(s[i] - '0');
		if (!ndigits)
			return false;
		for (; ndigits < 9; ndigits++)
			frac *= 10;
	}
	if (i < len && (s[i] == '+' || s[i] == '-')) {
		off_sign = s[i++] == '-' ? -1 : 1;
		if (!fixed_digits(s, len, &i, 2, &off_h) || !expect_char(s, len, &i, ':') ||
		    !fixed_digits(s, len, &i, 2, &off_m) || off_h > 23 || off_m > 59)
			return false;
	} else if (!expect_char(s, len, &i, 'Z') && !expect_char(s, len, &i, 'z')) {
		return false;
	}
	if (i != len)
		return false;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm) - (time_t)off_sign * (off_h * 3600 + off_m * 60);
	if (t < 0 || (unsigned long long)t > (UINT64_MAX - frac) / NS_PER_SEC)
		return false;
	*ns = (unsigned long long)t * NS_PER_SEC + frac;
	return true;
}

static int get_time(const struct rec *c, unsigned long long *ns)
{
	const char *s;
	size_t len;
	int err = get_str(c, "time", false, &s, &len);

	if (err)
		return err;
	if (!s || !parse_time(s, len, ns))
		return bad(c->r, "%s record: \"time\" is not an RFC 3339 time after 1970", c->type);
	return 0;
}

/* "PID-START-SEQ", whose PID must be the record's pid (or ppid): the same process. */
static int get_ids(const struct rec *c, const char *name, unsigned int pid, unsigned long long *start,
		   unsigned long long *seq)
{
	unsigned long long v[3] = {0};
	const char *s, *end;
	size_t len;
	int part = 0, err = get_str(c, name, false, &s, &len);

	if (err)
		return err;
	if (!s)
		return bad(c->r, "%s record: \"%s\" is null", c->type, name);
	for (end = s + len; part < 3; part++, s++) {
		const char *digits = s;

		for (; s < end && *s >= '0' && *s <= '9'; s++) {
			if (v[part] > (UINT64_MAX - (unsigned int)(*s - '0')) / 10)
				break;
			v[part] = v[part] * 10 + (unsigned int)(*s - '0');
		}
		if (s == digits || (part < 2 ? s >= end || *s != '-' : s != end))
			return bad(c->r, "%s record: \"%s\" is not PID-START-SEQ", c->type, name);
	}
	if (v[0] != pid)
		return bad(c->r, "%s record: \"%s\" names pid %llu, not the record's %u", c->type, name, v[0],
			   pid);
	*start = v[1];
	*seq = v[2];
	return 0;
}

static int get_comm(const struct rec *c, char comm[ET_COMM_LEN + 1])
{
	const char *s;
	size_t len;
	int err = get_str(c, "comm", false, &s, &len);

	if (err)
		return err;
	if (!s || len > ET_COMM_LEN)
		return bad(c->r, "%s record: \"comm\" is not a string of at most %d bytes", c->type,
			   ET_COMM_LEN);
	memcpy(comm, s, len);
	comm[len] = '\0';
	return 0;
}

/* What exec, fork and exit records share: the time, the process and its parent, the uid, the name. */
static int get_process(const struct rec *c, unsigned long long *time_ns, unsigned int *pid,
		       unsigned int *ppid, unsigned int *uid, struct exec_ids *ids,
		       char comm[ET_COMM_LEN + 1])
{
	int err;

	if ((err = get_time(c, time_ns)) || (err = get_u32(c, "pid", pid)) ||
	    (err = get_u32(c, "ppid", ppid)) ||
	    (err = get_ids(c, "exec_id", *pid, &ids->start_time, &ids->exec_seq)) ||
	    (err = get_ids(c, "parent_exec_id", *ppid, &ids->parent_start_time, &ids->parent_exec_seq)) ||
	    (err = get_u32(c, "uid", uid)))
		return err;
	return get_comm(c, comm);
}

static int get_argv(const struct rec *c, struct exec_event *e)
{
	struct record_reader *r = c->r;
	const struct json_node *argv, *n;
	size_t count = 0;
	int err = need(c, "argv", &argv);

	if (err)
		return err;
	if (argv->type != JSON_ARRAY)
		return bad(r, "exec record: \"argv\" is not an array");
	for (n = json_node(c->doc, argv->child); n; n = json_node(c->doc, n->next))
		count++;
	if (count > r->args_cap) {
		struct arg *args = reallocarray(r->args, count, sizeof(*args));

		if (!args)
			return -ENOMEM;
		r->args = args;
		r->args_cap = count;
	}
	e->args = r->args;
	e->nargs = count;
	count = 0;
	for (n = json_node(c->doc, argv->child); n; n = json_node(c->doc, n->next), count++) {
		struct arg *a = &r->args[count];

		if (n->type == JSON_NULL) {
			*a = (struct arg){.s = "", .len = 0, .unreadable = true};
		} else if (n->type == JSON_STRING) {
			a->s = json_str(c->doc, n, &a->len);
			a->unreadable = false;
		} else {
			return bad(r, "exec record: argv[%zu] is not a string or null", count);
		}
	}
	return 0;
}

static int read_exec(const struct rec *c, struct exec_event *e)
{
	long long retval;
	const struct json_node *n;
	int err;

	if ((err = get_process(c, &e->ktime_ns, &e->pid, &e->ppid, &e->uid, &e->ids, e->comm)) ||
	    (err = get_u32(c, "gid", &e->gid)) ||
	    (err = get_str(c, "filename", false, &e->filename, &e->filename_len)) ||
	    (err = get_str(c, "exe", false, &e->exe, &e->exe_len)) ||
	    (err = get_bool(c, "exe_truncated", true, &e->exe_truncated)) ||
	    (err = get_str(c, "cwd", true, &e->cwd, &e->cwd_len)) ||
	    (err = get_bool(c, "cwd_truncated", true, &e->cwd_truncated)) || (err = get_argv(c, e)) ||
	    (err = get_u32(c, "argc", &e->argc)) ||
	    (err = get_bool(c, "argc_truncated", true, &e->argc_partial)) ||
	    (err = get_bool(c, "truncated", false, &e->truncated)) || (err = need(c, "retval", &n)))
		return err;
	e->filename_unreadable = !e->filename;
	if (!e->filename)
		e->filename = "";
	e->loginuid = e->sessionid = ET_ID_UNSET;
	/* 0, or -errno: the kernel's errors are below 4096. */
	if (json_s64(c->doc, n, &retval) || retval > 0 || retval < -4095)
		return bad(c->r, "exec record: \"retval\" is not 0 or -errno");
	e->retval = (int)retval;
	return 0;
}

static int read_fork(const struct rec *c, struct fork_event *f)
{
	return get_process(c, &f->ktime_ns, &f->pid, &f->ppid, &f->uid, &f->ids, f->comm);
}

/* exit_code 0-255 and signal null, or exit_code null and a signal's name. */
static int get_status(const struct rec *c, struct exit_event *x)
{
	const struct json_node *code;
	unsigned long long v;
	const char *sig;
	size_t len;
	int err;

	if ((err = need(c, "exit_code", &code)) || (err = get_str(c, "signal", false, &sig, &len)))
		return err;
	if (code->type == JSON_NULL) {
		if (!sig)
			return bad(c->r, "exit record with neither \"exit_code\" nor \"signal\"");
		x->exit_code = -1;
		x->signal = signal_number(sig, len);
		if (!x->signal)
			return bad(c->r, "exit record: \"signal\" names no signal");
		return 0;
	}
	if (sig)
		return bad(c->r, "exit record with both \"exit_code\" and \"signal\"");
	if (json_u64(c->doc, code, &v) || v > 255)
		return bad(c->r, "exit record: \"exit_code\" is not null or from 0 to 255");
	x->exit_code = (int)v;
	return 0;
}

static int read_exit(const struct rec *c, struct exit_event *x)
{
	unsigned long long duration;
	int err;

	if ((err = get_process(c, &x->ktime_ns, &x->pid, &x->ppid, &x->uid, &x->ids, x->comm)) ||
	    (err = get_status(c, x)) || (err = get_bool(c, "core_dumped", false, &x->core_dumped)) ||
	    (err = get_seconds(c, "duration", &duration)) ||
	    (err = get_bool(c, "since_exec", false, &x->since_exec)) ||
	    (err = get_seconds(c, "cpu_user", &x->cpu_user_ns)) ||
	    (err = get_seconds(c, "cpu_system", &x->cpu_system_ns)) ||
	    (err = get_bool(c, "cpu_truncated", true, &x->cpu_truncated)) ||
	    (err = get_uint(c, "max_rss", UINT64_MAX, &x->max_rss)))
		return err;
	/* On the records' clock, as a live exit's since_ns is on the kernel's. */
	x->since_ns = x->ktime_ns > duration ? x->ktime_ns - duration : 0;
	return 0;
}

void record_reader_init(struct record_reader *r)
{
	memset(r, 0, sizeof(*r));
	json_doc_init(&r->doc);
}

void record_reader_free(struct record_reader *r)
{
	json_doc_free(&r->doc);
	free(r->args);
	record_reader_init(r);
}

static bool is_type(const char *type, size_t len, const char *name)
{
	return len == strlen(name) && memcmp(type, name, len) == 0;
}

int record_read(struct record_reader *r, const char *line, size_t len, struct event *ev,
		unsigned long long *lost)
{
	struct rec c = {.r = r, .doc = &r->doc};
	const struct json_node *type;
	const char *name;
	size_t name_len;
	int err = json_parse(&r->doc, line, len);

	if (err == -ENOMEM)
		return err;
	if (err)
		return bad(r, "not JSON: %s at column %zu", r->doc.error, r->doc.error_at + 1);
	c.obj = json_root(&r->doc);
	if (c.obj->type != JSON_OBJECT)
		return bad(r, "not a record: not a JSON object");
	type = json_get(&r->doc, c.obj, "type");
	if (!type || type->type != JSON_STRING)
		return bad(r, "not a record: no \"type\" string");
	name = json_str(&r->doc, type, &name_len);
	memset(ev, 0, sizeof(*ev));
	if (is_type(name, name_len, "exec")) {
		c.type = "exec";
		ev->type = EVENT_EXEC;
		err = read_exec(&c, &ev->exec);
	} else if (is_type(name, name_len, "fork")) {
		c.type = "fork";
		ev->type = EVENT_FORK;
		err = read_fork(&c, &ev->fork);
	} else if (is_type(name, name_len, "exit")) {
		c.type = "exit";
		ev->type = EVENT_EXIT;
		err = read_exit(&c, &ev->exit);
	} else if (is_type(name, name_len, "lost")) {
		c.type = "lost";
		err = get_uint(&c, "count", UINT64_MAX, lost);
		return err ? err : RECORD_LOST;
	} else {
		return RECORD_OTHER;
	}
	return err ? err : RECORD_EVENT;
}
