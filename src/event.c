// SPDX-License-Identifier: GPL-2.0
/* Turns a kernel record (src/exectrace.h) into a struct event, checking its type, size and every length it
 * carries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"

/* A page: enough for a common command line; the hardware's own prefetch carries on along a longer one. */
#define PREFETCH_BYTES 4096

void event_decoder_init(struct event_decoder *d, long max_args)
{
	memset(d, 0, sizeof(*d));
	d->max_args = max_args;
}

void event_decoder_free(struct event_decoder *d)
{
	free(d->args);
	free(d->env);
	d->args = d->env = NULL;
	d->cap = d->env_cap = 0;
}

void event_decoder_env_names(struct event_decoder *d, const char *names)
{
	d->env_names = names;
}

/* Sets (*arr)[n], growing the array as needed. */
static int push(struct arg **arr, size_t *cap, size_t n, const char *s, size_t len, bool unreadable)
{
	if (n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct arg *a = realloc(*arr, c * sizeof(*a));

		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = c;
	}
	(*arr)[n] = (struct arg){.s = s, .len = len, .unreadable = unreadable};
	return 0;
}

static int push_arg(struct event_decoder *d, size_t n, const char *s, size_t len, bool unreadable)
{
	return push(&d->args, &d->cap, n, s, len, unreadable);
}

/* execveat with a directory fd: the kernel names the file "/dev/fd/N/<as passed>", or "/dev/fd/N" with
 * AT_EMPTY_PATH. Give back what the caller passed. */
static void strip_fdpath(struct exec_event *ev)
{
	static const char prefix[] = "/dev/fd/";
	const char *p = ev->filename, *end = p + ev->filename_len;

	if (ev->filename_len < sizeof(prefix) - 1 || memcmp(p, prefix, sizeof(prefix) - 1) != 0)
		return;
	p += sizeof(prefix) - 1;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p < end)
		p++; /* the '/' before the relative path */
	ev->filename = p;
	ev->filename_len = end - p;
}

static int decode_argv(struct event_decoder *d, const struct et_record *r, const char *argv,
		       const unsigned int *bad_args, struct exec_event *ev)
{
	const char *p = argv, *end = argv + r->argv_len;
	bool cut = r->flags & ET_F_ARGV_CUT, fault = r->flags & ET_F_ARGV_FAULT;
	size_t n = 0, limit = d->max_args >= 0 ? (size_t)d->max_args : (size_t)-1;

	ev->truncated = cut;
	while (p < end && n < r->argc) {
		const char *nul = memchr(p, '\0', end - p);
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);

		/* A fault leaves the last argument partial for a reason other than a limit: it is unreadable.
		 */
		if (!nul && fault)
			break;
		if (n == limit) {
			ev->truncated = true;
			break;
		}
		if (push_arg(d, n++, p, len, false))
			return -ENOMEM;
		p += len + 1;
	}
	for (unsigned int i = 0; i < r->nr_bad_args && i < ET_BAD_ARGS_MAX; i++)
		if (bad_args[i] < n)
			d->args[bad_args[i]].unreadable = true;
	if (fault && !cut)
		while (n < r->argc && n < limit)
			if (push_arg(d, n++, "", 0, true))
				return -ENOMEM;
	/* Arguments left out: by a limit, unless a fault (not a limit) stopped the copy short of it. */
	if (n < r->argc && (!fault || n == limit))
		ev->truncated = true;
	ev->nargs = n;
	ev->args = d->args;
	return 0;
}

/* Whether the environment entry s (len bytes) is one of names (comma-separated): by its text before the
 * first '='. */
static bool env_named(const char *names, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	size_t name_len = eq ? (size_t)(eq - s) : len;

	for (const char *p = names;;) {
		size_t n = strcspn(p, ",");

		if (n == name_len && !memcmp(p, s, n))
			return true;
		if (!p[n])
			return false;
		p += n + 1;
	}
}

/* Entries are whole or left out: one cut by --env-bytes or a fault could pass for another variable. */
static int decode_env(struct event_decoder *d, const struct et_record *r, const char *env,
		      struct exec_event *ev)
{
	const char *p = env, *end = env + r->env_len;
	size_t n = 0;

	ev->env_truncated = r->flags & (ET_F_ENV_CUT | ET_F_ENV_FAULT);
	ev->env_unreadable = (r->flags & ET_F_ENV_FAULT) && !r->env_len;
	while (p < end) {
		const char *nul = memchr(p, '\0', end - p);
		size_t len;

		if (!nul)
			break;
		len = nul - p;
		if ((!d->env_names || env_named(d->env_names, p, len)) &&
		    push(&d->env, &d->env_cap, n++, p, len, false))
			return -ENOMEM;
		p = nul + 1;
	}
	ev->nenv = n;
	ev->env = d->env;
	return 0;
}

/* The ancestors, copied out of the record: a perf sample's payload is not aligned. */
static void decode_ancestors(struct event_decoder *d, const struct et_record *r, const char *p,
			     struct exec_event *ev)
{
	for (unsigned int i = 0; i < r->nr_ancestors; i++) {
		struct et_ancestor a;

		memcpy(&a, p + i * sizeof(a), sizeof(a));
		d->ancestors[i].pid = a.pid;
		d->ancestors[i].start_time = a.start_time;
		d->ancestors[i].exec_seq = a.exec_seq;
		memcpy(d->ancestors[i].comm, a.comm, ET_COMM_LEN);
		d->ancestors[i].comm[ET_COMM_LEN] = '\0';
	}
	ev->ancestors = d->ancestors;
	ev->nancestors = r->nr_ancestors;
	ev->ancestors_truncated = r->flags & ET_F_ANCESTORS_CUT;
}

size_t path_name(char *out, const char *path, size_t len, bool cut, bool deleted)
{
	static const char deleted_mark[] = " (deleted)", cut_mark[] = "...";
	size_t n = 0;

	if (len > ET_PATH_MAX)
		len = ET_PATH_MAX;
	if (cut) {
		memcpy(out, cut_mark, sizeof(cut_mark) - 1);
		n = sizeof(cut_mark) - 1;
	}
	memcpy(out + n, path, len);
	n += len;
	if (deleted) {
		memcpy(out + n, deleted_mark, sizeof(deleted_mark) - 1);
		n += sizeof(deleted_mark) - 1;
	}
	return n;
}

/* Whether name[from..n) holds digits only (and at least one). */
static bool digits(const char *name, size_t from, size_t n)
{
	if (from >= n)
		return false;
	for (size_t i = from; i < n; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return true;
}

/* The terminal as named under /dev: the kernel calls the pseudo-terminal /dev/pts/3 "pts3". */
static void tty_name(char *out, const char *name)
{
	size_t n = strnlen(name, ET_TTY_LEN);

	if (n > 3 && !memcmp(name, "pts", 3) && digits(name, 3, n)) {
		memcpy(out, "pts/", 4);
		memcpy(out + 4, name + 3, n - 3);
		out[n + 1] = '\0';
		return;
	}
	memcpy(out, name, n);
	out[n] = '\0';
}

/* A path region of the record (exe, cwd) as shown: in place when whole, else marked in buf (PATH_NAME_MAX
 * bytes); NULL when the record has none. */
static void decode_path(const char *p, size_t len, bool cut, bool deleted, char *buf, const char **out,
			size_t *out_len)
{
	if (!len && !cut)
		return;
	*out = p;
	*out_len = len;
	if (cut || deleted) {
		*out = buf;
		*out_len = path_name(buf, p, len, cut, deleted);
	}
}

/* The context, when the record carries one (JSON): its fields of the groups not asked for are meaningless. */
static void decode_context(const struct et_context *cx, struct exec_event *ev)
{
	ev->euid = cx->euid;
	ev->egid = cx->egid;
	ev->loginuid = cx->loginuid;
	ev->sessionid = cx->sessionid;
	ev->ids.start_time = cx->start_time;
	ev->ids.exec_seq = cx->exec_seq;
	ev->ids.parent_start_time = cx->parent_start_time;
	ev->ids.parent_exec_seq = cx->parent_exec_seq;
	ev->cgroup_id = cx->cgroup_id;
	ev->cap_effective = cx->cap_effective;
	memcpy(ev->ns, cx->ns, sizeof(ev->ns));
	tty_name(ev->tty, cx->tty);
}

static int decode_exec(struct event_decoder *d, const void *data, size_t size, struct exec_event *ev)
{
	const struct et_record *r = &d->hdr;
	size_t bad_len;
	const char *p;

	/* The record was just written on another CPU: asking for its first cache lines at once overlaps their
	 * transfers, which the scans below would otherwise wait for one after another. */
	for (size_t off = 0; off < size && off < PREFETCH_BYTES; off += 64)
		__builtin_prefetch((const char *)data + off);
	if (size < sizeof(*r))
		return -EINVAL;
	memcpy(&d->hdr, data, sizeof(*r));
	bad_len = r->flags & ET_F_BAD_ARGS ? ET_BAD_ARGS_SIZE : 0;
	if (r->type != ET_REC_EXEC || (r->nr_bad_args && !bad_len) ||
	    (r->context_len && (r->context_len < ET_CONTEXT_MIN || r->context_len > sizeof(d->ctx))) ||
	    r->filename_len > ET_PATH_MAX || r->exe_len > ET_PATH_MAX || r->cwd_len > ET_PATH_MAX ||
	    r->argv_len > ET_ARGV_CAP || r->nr_ancestors > ET_ANCESTORS_MAX || r->env_len > ET_ENV_CAP ||
	    sizeof(*r) + bad_len + r->context_len + r->filename_len + r->exe_len + r->cwd_len + r->argv_len +
		    r->nr_ancestors * sizeof(struct et_ancestor) + r->env_len >
		size)
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	ev->ktime_ns = r->ktime_ns;
	ev->pid = r->pid;
	ev->ppid = r->ppid;
	ev->uid = r->uid;
	ev->gid = r->gid;
	ev->retval = r->retval;
	ev->argc = r->argc;
	ev->argc_partial = r->flags & ET_F_ARGC_PARTIAL;
	memcpy(ev->comm, r->comm, ET_COMM_LEN);
	ev->comm[ET_COMM_LEN] = '\0';

	p = (const char *)data + sizeof(*r);
	if (bad_len) {
		memcpy(d->bad_args, p, bad_len);
		p += bad_len;
	}
	if (r->context_len) {
		/* The terminal's name is sent up to its NUL: the rest of the field, or all of it, is zero. */
		memset(d->ctx.tty, 0, sizeof(d->ctx.tty));
		memcpy(&d->ctx, p, r->context_len);
		decode_context(&d->ctx, ev);
		p += r->context_len;
	}
	ev->filename = p;
	ev->filename_len = r->filename_len;
	ev->filename_unreadable = r->flags & ET_F_FILENAME_FAULT;
	ev->fdpath = r->flags & ET_F_FDPATH;
	if (ev->fdpath)
		strip_fdpath(ev);
	p += r->filename_len;

	ev->exe_truncated = r->flags & ET_F_EXE_CUT;
	decode_path(p, r->exe_len, ev->exe_truncated, r->flags & ET_F_EXE_DELETED, d->exe_buf, &ev->exe,
		    &ev->exe_len);
	p += r->exe_len;

	/* Every exec has a working directory: none at all means it could not be read. */
	ev->cwd_truncated = r->flags & ET_F_CWD_CUT;
	decode_path(p, r->cwd_len, ev->cwd_truncated, r->flags & ET_F_CWD_DELETED, d->cwd_buf, &ev->cwd,
		    &ev->cwd_len);
	p += r->cwd_len;
	if (decode_argv(d, r, p, d->bad_args, ev))
		return -ENOMEM;
	p += r->argv_len;
	decode_ancestors(d, r, p, ev);
	p += r->nr_ancestors * sizeof(struct et_ancestor);
	return decode_env(d, r, p, ev);
}

static void copy_comm(char *out, const char *comm)
{
	memcpy(out, comm, ET_COMM_LEN);
	out[ET_COMM_LEN] = '\0';
}

static int decode_fork(const void *data, size_t size, struct fork_event *ev)
{
	struct et_fork_record r;

	if (size < sizeof(r))
		return -EINVAL;
	memcpy(&r, data, sizeof(r));
	memset(ev, 0, sizeof(*ev));
	ev->ktime_ns = r.ktime_ns;
	ev->pid = r.pid;
	ev->ppid = r.ppid;
	ev->uid = r.uid;
	ev->ids = (struct exec_ids){r.start_time, r.exec_seq, r.parent_start_time, r.parent_exec_seq};
	copy_comm(ev->comm, r.comm);
	return 0;
}

/* The run time split between user and system in the ratio of their tick samples, as the kernel's
 * cputime_adjust does for getrusage() and wait4(): the samples alone miss what ran between ticks. */
static void split_cpu(const struct et_exit_record *r, struct exit_event *ev)
{
	unsigned long long user = r->utime_ns, sys = r->stime_ns, run = r->runtime_ns;

	if (!sys) {
		ev->cpu_user_ns = run;
		return;
	}
	if (!user) {
		ev->cpu_system_ns = run;
		return;
	}
	ev->cpu_system_ns =
	    (unsigned long long)((unsigned __int128)run * sys / ((unsigned __int128)user + sys));
	ev->cpu_user_ns = run - ev->cpu_system_ns;
}

static int decode_exit(const void *data, size_t size, struct exit_event *ev)
{
	struct et_exit_record r;

	if (size < sizeof(r))
		return -EINVAL;
	memcpy(&r, data, sizeof(r));
	memset(ev, 0, sizeof(*ev));
	ev->ktime_ns = r.ktime_ns;
	ev->pid = r.pid;
	ev->ppid = r.ppid;
	ev->uid = r.uid;
	ev->ids = (struct exec_ids){r.start_time, r.exec_seq, r.parent_start_time, r.parent_exec_seq};
	copy_comm(ev->comm, r.comm);
	/* A wait status: a signal in the low 7 bits (0x80 if it dumped core), else the code in the next 8. */
	ev->signal = (int)(r.status & 0x7f);
	ev->core_dumped = ev->signal && (r.status & 0x80);
	ev->exit_code = ev->signal ? -1 : (int)(r.status >> 8 & 0xff);
	ev->since_ns = r.since_ns; /* its start, until an exec seen says otherwise (exec_times.c) */
	split_cpu(&r, ev);
	ev->cpu_truncated = r.flags & ET_X_CPU_CUT;
	ev->max_rss = r.max_rss;
	ev->cgroup_id = r.cgroup_id;
	return 0;
}

int event_decode(struct event_decoder *d, const void *data, size_t size, struct event *ev)
{
	unsigned int type;

	if (size < sizeof(type))
		return -EINVAL;
	memcpy(&type, data, sizeof(type));
	switch (type) {
	case ET_REC_FORK:
		ev->type = EVENT_FORK;
		return decode_fork(data, size, &ev->fork);
	case ET_REC_EXIT:
		ev->type = EVENT_EXIT;
		return decode_exit(data, size, &ev->exit);
	default:
		ev->type = EVENT_EXEC;
		return decode_exec(d, data, size, &ev->exec);
	}
}
