// SPDX-License-Identifier: GPL-2.0
/* One JSON object per line. Field names and types are an interface: see docs/output.md. */
#include <string.h>
#include "caps.h"
#include "container.h"
#include "escape.h"
#include "output.h"
#include "signals.h"
#include "timefmt.h"

/* "ENOENT" for 2; "E<n>" for a value without a name. */
static const char *error_name(int err, char *buf, size_t size)
{
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, size, "E%d", err);
	return buf;
}

static int json_time(FILE *f, long long real_ns)
{
	char tbuf[48];

	if (format_rfc3339(tbuf, sizeof(tbuf), real_ns))
		return -1;
	return fprintf(f, "\"time\":\"%s\"", tbuf) < 0 ? -1 : 0;
}

/*
 * The fixed-size parts of a record, put together without printf and written at once: printf was most of the
 * reader's work per record. Room for the longest: 64 capability names of at most 32 bytes, 8 namespaces and
 * the ids.
 */
struct chunk {
	char buf[4096];
	size_t len;
};

static void put(struct chunk *c, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(c->buf) - c->len)
		n = sizeof(c->buf) - c->len;
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

static void put_u64(struct chunk *c, unsigned long long v)
{
	char digits[24], *p = digits + sizeof(digits);

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(c, p);
}

/* ,"name":N, or null when unset (ET_ID_UNSET). */
static void put_id(struct chunk *c, const char *name, unsigned int id)
{
	put(c, ",\"");
	put(c, name);
	put(c, "\":");
	if (id == ET_ID_UNSET)
		put(c, "null");
	else
		put_u64(c, id);
}

/* "PID-START-SEQ" */
static void put_exec_id(struct chunk *c, unsigned int pid, unsigned long long start, unsigned long long seq)
{
	put(c, "\"");
	put_u64(c, pid);
	put(c, "-");
	put_u64(c, start);
	put(c, "-");
	put_u64(c, seq);
	put(c, "\"");
}

static int write_chunk(FILE *f, const struct chunk *c)
{
	return fwrite(c->buf, 1, c->len, f) == c->len ? 0 : -1;
}

/* The identity, user ids and session of the process. */
static int json_who(FILE *f, const struct exec_event *ev)
{
	struct chunk c;

	c.len = 0; /* not the buffer: it is written before it is read */
	put(&c, ",\"pid\":");
	put_u64(&c, ev->pid);
	put(&c, ",\"ppid\":");
	put_u64(&c, ev->ppid);
	put(&c, ",\"exec_id\":");
	put_exec_id(&c, ev->pid, ev->ids.start_time, ev->ids.exec_seq);
	put(&c, ",\"parent_exec_id\":");
	put_exec_id(&c, ev->ppid, ev->ids.parent_start_time, ev->ids.parent_exec_seq);
	put_id(&c, "uid", ev->uid);
	put_id(&c, "gid", ev->gid);
	put_id(&c, "euid", ev->euid);
	put_id(&c, "egid", ev->egid);
	put_id(&c, "loginuid", ev->loginuid);
	put_id(&c, "sessionid", ev->sessionid);
	return write_chunk(f, &c);
}

/* Namespaces and capabilities. */
static int json_ns_caps(FILE *f, const struct exec_event *ev)
{
	static const char *const ns_names[ET_NS_COUNT] = {
	    [ET_NS_MNT] = "mnt", [ET_NS_PID] = "pid",	[ET_NS_NET] = "net",	   [ET_NS_UTS] = "uts",
	    [ET_NS_IPC] = "ipc", [ET_NS_USER] = "user", [ET_NS_CGROUP] = "cgroup", [ET_NS_TIME] = "time",
	};
	struct chunk c;
	char cbuf[16];
	bool first = true;

	c.len = 0;
	put(&c, ",\"ns\":{");
	for (int i = 0; i < ET_NS_COUNT; i++) {
		put(&c, i ? ",\"" : "\"");
		put(&c, ns_names[i]);
		put(&c, "\":");
		if (ev->ns[i])
			put_u64(&c, ev->ns[i]);
		else
			put(&c, "null");
	}
	put(&c, "},\"cap_effective\":[");
	for (unsigned int cap = 0; cap < 64; cap++) {
		if (!(ev->cap_effective >> cap & 1))
			continue;
		put(&c, first ? "\"" : ",\"");
		put(&c, cap_name(cap, cbuf, sizeof(cbuf)));
		put(&c, "\"");
		first = false;
	}
	put(&c, "]");
	return write_chunk(f, &c);
}

/* Where it ran: terminal, cgroup, container, namespaces, capabilities. */
static int json_context(FILE *f, const struct exec_event *ev)
{
	struct chunk c;

	c.len = 0;
	put(&c, ",\"cgroup_id\":");
	put_u64(&c, ev->cgroup_id);
	put(&c, ",\"cgroup\":");
	if (fputs(",\"tty\":", f) == EOF ||
	    escape_json_or_null(f, ev->tty[0] ? ev->tty : NULL, strlen(ev->tty)) || write_chunk(f, &c) ||
	    escape_json_or_null(f, ev->cgroup, ev->cgroup ? strlen(ev->cgroup) : 0) ||
	    fputs(",\"container_id\":", f) == EOF ||
	    escape_json_or_null(f, ev->container_id, ev->container_id ? CONTAINER_ID_LEN : 0))
		return -1;
	return json_ns_caps(f, ev);
}

/* Writes out c when fewer than need bytes are left in it. */
static int make_room(FILE *f, struct chunk *c, size_t need)
{
	if (c->len <= sizeof(c->buf) - need)
		return 0;
	if (write_chunk(f, c))
		return -1;
	c->len = 0;
	return 0;
}

/* Whether s needs no JSON escaping: printable ASCII, without '"' or '\\'. Most command names. */
static bool json_plain(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return false;
	return true;
}

/* ,"ancestors":[{"pid":N,"comm":"...","exec_id":"..."},...] when asked for (--ancestors above 0): put
 * together in chunks, a command name that needs escaping written apart. */
static int json_ancestors(FILE *f, const struct output *out, const struct exec_event *ev)
{
	/* Room for one entry at most (ids and punctuation, a plain name of 16 bytes), or for the end. */
	const size_t entry_max = 128;
	struct chunk c;

	if (!out->opts->ancestors)
		return 0;
	c.len = 0;
	put(&c, ",\"ancestors\":[");
	for (size_t i = 0; i < ev->nancestors; i++) {
		const struct ancestor *a = &ev->ancestors[i];

		if (make_room(f, &c, entry_max))
			return -1;
		put(&c, i ? ",{\"pid\":" : "{\"pid\":");
		put_u64(&c, a->pid);
		put(&c, ",\"comm\":");
		if (json_plain(a->comm)) {
			put(&c, "\"");
			put(&c, a->comm);
			put(&c, "\"");
		} else {
			if (write_chunk(f, &c) || escape_json(f, a->comm, strlen(a->comm)))
				return -1;
			c.len = 0;
		}
		put(&c, ",\"exec_id\":");
		put_exec_id(&c, a->pid, a->start_time, a->exec_seq);
		put(&c, "}");
	}
	if (make_room(f, &c, entry_max))
		return -1;
	put(&c, "]");
	if (ev->ancestors_truncated)
		put(&c, ",\"ancestors_truncated\":true");
	return write_chunk(f, &c);
}

/* ,"env":["NAME=value",...] with --env. */
static int json_env(FILE *f, const struct output *out, const struct exec_event *ev)
{
	if (!out->opts->env)
		return 0;
	if (ev->env_unreadable)
		return fputs(",\"env\":null,\"env_truncated\":true", f) == EOF ? -1 : 0;
	if (fputs(",\"env\":[", f) == EOF)
		return -1;
	for (size_t i = 0; i < ev->nenv; i++)
		if ((i && fputc(',', f) == EOF) || escape_json(f, ev->env[i].s, ev->env[i].len))
			return -1;
	if (fputc(']', f) == EOF || (ev->env_truncated && fputs(",\"env_truncated\":true", f) == EOF))
		return -1;
	return 0;
}

int json_exec(const struct output *out, const struct exec_event *ev)
{
	FILE *f = out->f;
	char ebuf[16];

	if (fputs("{\"type\":\"exec\",", f) == EOF ||
	    json_time(f, (long long)ev->ktime_ns + out->boot_to_real_ns) || json_who(f, ev) ||
	    fputs(",\"comm\":", f) == EOF || escape_json(f, ev->comm, strlen(ev->comm)) ||
	    fputs(",\"filename\":", f) == EOF ||
	    escape_json_or_null(f, ev->filename_unreadable ? NULL : ev->filename, ev->filename_len) ||
	    fputs(",\"exe\":", f) == EOF || escape_json_or_null(f, ev->exe, ev->exe_len) ||
	    (ev->exe_truncated && fputs(",\"exe_truncated\":true", f) == EOF) ||
	    fputs(",\"cwd\":", f) == EOF || escape_json_or_null(f, ev->cwd, ev->cwd_len) ||
	    (ev->cwd_truncated && fputs(",\"cwd_truncated\":true", f) == EOF) ||
	    fputs(",\"argv\":[", f) == EOF)
		return -1;
	for (size_t i = 0; i < ev->nargs; i++) {
		if ((i && fputc(',', f) == EOF) ||
		    escape_json_or_null(f, ev->args[i].unreadable ? NULL : ev->args[i].s, ev->args[i].len))
			return -1;
	}
	if (fprintf(f, "],\"argc\":%u%s,\"truncated\":%s,\"retval\":%d", ev->argc,
		    ev->argc_partial ? ",\"argc_truncated\":true" : "", ev->truncated ? "true" : "false",
		    ev->retval) < 0)
		return -1;
	if (ev->retval < 0 &&
	    fprintf(f, ",\"error\":\"%s\"", error_name(-ev->retval, ebuf, sizeof(ebuf))) < 0)
		return -1;
	if (json_context(f, ev) || json_ancestors(f, out, ev) || json_env(f, out, ev))
		return -1;
	if (ev->filter_abandoned && fputs(",\"filter_abandoned\":true", f) == EOF)
		return -1;
	return fputs("}\n", f) == EOF ? -1 : 0;
}

/* Seconds from nanoseconds, to the nanosecond: ",name":S.NNNNNNNNN. */
static void put_seconds(struct chunk *c, const char *name, unsigned long long ns)
{
	char frac[16];

	put(c, ",\"");
	put(c, name);
	put(c, "\":");
	put_u64(c, ns / 1000000000ULL);
	snprintf(frac, sizeof(frac), ".%09llu", ns % 1000000000ULL);
	put(c, frac);
}

/* What fork and exit records share, up to comm: type, time, the process and its parent. */
static int json_process(const struct output *out, const char *type, unsigned long long ktime_ns,
			unsigned int pid, unsigned int ppid, unsigned int uid, const struct exec_ids *ids,
			const char *comm)
{
	FILE *f = out->f;
	struct chunk c;

	c.len = 0;
	put(&c, ",\"pid\":");
	put_u64(&c, pid);
	put(&c, ",\"ppid\":");
	put_u64(&c, ppid);
	put(&c, ",\"exec_id\":");
	put_exec_id(&c, pid, ids->start_time, ids->exec_seq);
	put(&c, ",\"parent_exec_id\":");
	put_exec_id(&c, ppid, ids->parent_start_time, ids->parent_exec_seq);
	put_id(&c, "uid", uid);
	put(&c, ",\"comm\":");
	if (fprintf(f, "{\"type\":\"%s\",", type) < 0 ||
	    json_time(f, (long long)ktime_ns + out->boot_to_real_ns) || write_chunk(f, &c))
		return -1;
	return escape_json(f, comm, strlen(comm));
}

int json_fork(const struct output *out, const struct fork_event *ev)
{
	if (json_process(out, "fork", ev->ktime_ns, ev->pid, ev->ppid, ev->uid, &ev->ids, ev->comm))
		return -1;
	return fputs("}\n", out->f) == EOF ? -1 : 0;
}

int json_exit(const struct output *out, const struct exit_event *ev)
{
	struct chunk c;

	if (json_process(out, "exit", ev->ktime_ns, ev->pid, ev->ppid, ev->uid, &ev->ids, ev->comm))
		return -1;
	c.len = 0;
	put(&c, ",\"exit_code\":");
	if (ev->signal) {
		char sig[16];

		put(&c, "null,\"signal\":\"");
		put(&c, signal_name(ev->signal, sig, sizeof(sig)));
		put(&c, "\"");
	} else {
		put_u64(&c, (unsigned int)ev->exit_code);
		put(&c, ",\"signal\":null");
	}
	put(&c, ev->core_dumped ? ",\"core_dumped\":true" : ",\"core_dumped\":false");
	put_seconds(&c, "duration", ev->ktime_ns > ev->since_ns ? ev->ktime_ns - ev->since_ns : 0);
	put(&c, ev->since_exec ? ",\"since_exec\":true" : ",\"since_exec\":false");
	put_seconds(&c, "cpu_user", ev->cpu_user_ns);
	put_seconds(&c, "cpu_system", ev->cpu_system_ns);
	if (ev->cpu_truncated)
		put(&c, ",\"cpu_truncated\":true");
	put(&c, ",\"max_rss\":");
	put_u64(&c, ev->max_rss);
	put(&c, "}\n");
	return write_chunk(out->f, &c);
}

int json_lost(const struct output *out, unsigned long long count, long long boot_ns)
{
	FILE *f = out->f;

	if (fputs("{\"type\":\"lost\",", f) == EOF || json_time(f, boot_ns + out->boot_to_real_ns))
		return -1;
	return fprintf(f, ",\"count\":%llu}\n", count) < 0 ? -1 : 0;
}
