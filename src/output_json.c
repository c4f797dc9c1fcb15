// SPDX-License-Identifier: GPL-2.0
/* One JSON object per line. Field names and types are an interface: see docs/output.md. */
#include <string.h>
#include "caps.h"
#include "container.h"
#include "errnos.h"
#include "escape.h"
#include "output.h"
#include "signals.h"
#include "timefmt.h"

/*
 * The fixed-size parts of a record, put together without printf and written at once: printf was most of the
 * reader's work per record. Room for the longest: the time, 64 capability names of at most 32 bytes, 8
 * namespaces and the ids.
 */
struct chunk {
	char buf[4096];
	size_t len;
};

static void put_mem(struct chunk *c, const char *s, size_t n)
{
	if (n > sizeof(c->buf) - c->len)
		n = sizeof(c->buf) - c->len;
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

/* A string literal, its length known at compile time. */
#define PUT(c, lit) put_mem(c, lit, sizeof(lit) - 1)

static void put(struct chunk *c, const char *s)
{
	put_mem(c, s, strlen(s));
}

/* Decimal digits two at a time: a division per pair instead of per digit. */
static void put_u64(struct chunk *c, unsigned long long v)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";
	char digits[20], *p = digits + sizeof(digits);

	while (v >= 100) {
		unsigned int pair = (unsigned int)(v % 100) * 2;

		v /= 100;
		*--p = pairs[pair + 1];
		*--p = pairs[pair];
	}
	if (v >= 10) {
		*--p = pairs[v * 2 + 1];
		*--p = pairs[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	put_mem(c, p, (size_t)(digits + sizeof(digits) - p));
}

/* ,"name":N, or null when unset (ET_ID_UNSET). */
static void put_id(struct chunk *c, const char *name, unsigned int id)
{
	PUT(c, ",\"");
	put(c, name);
	PUT(c, "\":");
	if (id == ET_ID_UNSET)
		PUT(c, "null");
	else
		put_u64(c, id);
}

/* "PID-START-SEQ" */
static void put_exec_id(struct chunk *c, unsigned int pid, unsigned long long start, unsigned long long seq)
{
	PUT(c, "\"");
	put_u64(c, pid);
	PUT(c, "-");
	put_u64(c, start);
	PUT(c, "-");
	put_u64(c, seq);
	PUT(c, "\"");
}

static int write_chunk(FILE *f, struct chunk *c)
{
	size_t n = c->len;

	c->len = 0;
	return fwrite(c->buf, 1, n, f) == n ? 0 : -1;
}

/* "time":"..." : the date and time of day are formatted once per second, the nanoseconds each time. */
static int put_time(struct chunk *c, long long real_ns)
{
	static long long cached_sec = -1;
	static char prefix[48];
	static size_t prefix_len;
	long long sec = real_ns / 1000000000LL, ns = real_ns % 1000000000LL;
	char digits[9];

	if (ns < 0) {
		ns += 1000000000LL;
		sec--;
	}
	if (sec != cached_sec) {
		char *dot;

		if (format_rfc3339(prefix, sizeof(prefix), sec * 1000000000LL))
			return -1;
		dot = strchr(prefix, '.');
		if (!dot)
			return -1;
		prefix_len = (size_t)(dot - prefix) + 1;
		cached_sec = sec;
	}
	for (int i = 8; i >= 0; i--) {
		digits[i] = (char)('0' + ns % 10);
		ns /= 10;
	}
	PUT(c, "\"time\":\"");
	put_mem(c, prefix, prefix_len);
	put_mem(c, digits, sizeof(digits));
	PUT(c, "Z\"");
	return 0;
}

/* The identity, user ids and session of the process. */
static void put_who(struct chunk *c, const struct exec_event *ev, unsigned int groups)
{
	PUT(c, ",\"pid\":");
	put_u64(c, ev->pid);
	PUT(c, ",\"ppid\":");
	put_u64(c, ev->ppid);
	PUT(c, ",\"exec_id\":");
	put_exec_id(c, ev->pid, ev->ids.start_time, ev->ids.exec_seq);
	PUT(c, ",\"parent_exec_id\":");
	put_exec_id(c, ev->ppid, ev->ids.parent_start_time, ev->ids.parent_exec_seq);
	put_id(c, "uid", ev->uid);
	put_id(c, "gid", ev->gid);
	if (groups & ET_CTX_IDS) {
		put_id(c, "euid", ev->euid);
		put_id(c, "egid", ev->egid);
	}
	if (groups & ET_CTX_SESSION) {
		put_id(c, "loginuid", ev->loginuid);
		put_id(c, "sessionid", ev->sessionid);
	}
}

/*
 * ,"ns":{...}: formatted again only when they differ from the last record's. Most processes share their
 * namespaces, and eight ten-digit numbers were a good part of a record's formatting.
 */
static void put_ns(struct chunk *c, const unsigned int ns[ET_NS_COUNT])
{
	static const char *const names[ET_NS_COUNT] = {
	    [ET_NS_MNT] = "mnt", [ET_NS_PID] = "pid",	[ET_NS_NET] = "net",	   [ET_NS_UTS] = "uts",
	    [ET_NS_IPC] = "ipc", [ET_NS_USER] = "user", [ET_NS_CGROUP] = "cgroup", [ET_NS_TIME] = "time",
	};
	static struct {
		bool valid;
		unsigned int ns[ET_NS_COUNT];
		struct chunk text;
	} last;

	if (!last.valid || memcmp(last.ns, ns, sizeof(last.ns)) != 0) {
		struct chunk *t = &last.text;

		t->len = 0;
		PUT(t, ",\"ns\":{");
		for (int i = 0; i < ET_NS_COUNT; i++) {
			put(t, i ? ",\"" : "\"");
			put(t, names[i]);
			PUT(t, "\":");
			if (ns[i])
				put_u64(t, ns[i]);
			else
				PUT(t, "null");
		}
		PUT(t, "}");
		memcpy(last.ns, ns, sizeof(last.ns));
		last.valid = true;
	}
	put_mem(c, last.text.buf, last.text.len);
}

/*
 * ,"cap_effective":[...]: a set's list is formatted once and kept. Processes have few distinct sets (root's
 * full one, none at all, a service's), and root's 41 names were the costliest field of a record.
 */
static void put_caps(struct chunk *c, unsigned long long mask)
{
	enum { SLOTS = 4 };
	static struct {
		bool valid;
		unsigned long long mask;
		struct chunk text;
	} slot[SLOTS];
	static unsigned int next;
	unsigned int i;
	char cbuf[16];
	bool first = true;
	struct chunk *t;

	for (i = 0; i < SLOTS; i++)
		if (slot[i].valid && slot[i].mask == mask) {
			put_mem(c, slot[i].text.buf, slot[i].text.len);
			return;
		}
	i = next++ % SLOTS; /* the oldest */
	t = &slot[i].text;
	t->len = 0;
	PUT(t, ",\"cap_effective\":[");
	for (unsigned int cap = 0; cap < 64; cap++) {
		if (!(mask >> cap & 1))
			continue;
		put(t, first ? "\"" : ",\"");
		put(t, cap_name(cap, cbuf, sizeof(cbuf)));
		PUT(t, "\"");
		first = false;
	}
	PUT(t, "]");
	slot[i].mask = mask;
	slot[i].valid = true;
	put_mem(c, t->buf, t->len);
}

/* Where it ran: terminal, cgroup, container, namespaces, capabilities; the groups asked for only. c holds
 * what comes before, written first. */
static int json_context(FILE *f, struct chunk *c, const struct exec_event *ev, unsigned int groups)
{
	if (groups & ET_CTX_TTY) {
		PUT(c, ",\"tty\":");
		if (write_chunk(f, c) || escape_json_or_null(f, ev->tty[0] ? ev->tty : NULL, strlen(ev->tty)))
			return -1;
	}
	if (groups & ET_CTX_CGROUP) {
		PUT(c, ",\"cgroup_id\":");
		put_u64(c, ev->cgroup_id);
		PUT(c, ",\"cgroup\":");
		if (write_chunk(f, c) ||
		    escape_json_or_null(f, ev->cgroup, ev->cgroup ? strlen(ev->cgroup) : 0) ||
		    fputs(",\"container_id\":", f) == EOF ||
		    escape_json_or_null(f, ev->container_id, ev->container_id ? CONTAINER_ID_LEN : 0))
			return -1;
	}
	if (groups & ET_CTX_NS)
		put_ns(c, ev->ns);
	if (groups & ET_CTX_CAPS)
		put_caps(c, ev->cap_effective);
	return write_chunk(f, c);
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
	unsigned int groups = out->opts->context_groups;
	FILE *f = out->f;
	struct chunk c;

	c.len = 0; /* not the buffer: it is written before it is read */
	PUT(&c, "{\"type\":\"exec\",");
	if (put_time(&c, (long long)ev->ktime_ns + out->boot_to_real_ns))
		return -1;
	put_who(&c, ev, groups);
	PUT(&c, ",\"comm\":");
	if (write_chunk(f, &c) || escape_json(f, ev->comm, strlen(ev->comm)) ||
	    fputs(",\"filename\":", f) == EOF ||
	    escape_json_or_null(f, ev->filename_unreadable ? NULL : ev->filename, ev->filename_len) ||
	    fputs(",\"exe\":", f) == EOF || escape_json_or_null(f, ev->exe, ev->exe_len) ||
	    (ev->exe_truncated && fputs(",\"exe_truncated\":true", f) == EOF))
		return -1;
	if ((groups & ET_CTX_CWD) &&
	    (fputs(",\"cwd\":", f) == EOF || escape_json_or_null(f, ev->cwd, ev->cwd_len) ||
	     (ev->cwd_truncated && fputs(",\"cwd_truncated\":true", f) == EOF)))
		return -1;
	if (fputs(",\"argv\":[", f) == EOF)
		return -1;
	for (size_t i = 0; i < ev->nargs; i++) {
		if ((i && fputc(',', f) == EOF) ||
		    escape_json_or_null(f, ev->args[i].unreadable ? NULL : ev->args[i].s, ev->args[i].len))
			return -1;
	}
	PUT(&c, "],\"argc\":");
	put_u64(&c, ev->argc);
	if (ev->argc_partial)
		PUT(&c, ",\"argc_truncated\":true");
	if (ev->truncated)
		PUT(&c, ",\"truncated\":true,\"retval\":");
	else
		PUT(&c, ",\"truncated\":false,\"retval\":");
	if (ev->retval < 0) {
		char ebuf[16];

		PUT(&c, "-");
		put_u64(&c, -(long long)ev->retval);
		PUT(&c, ",\"error\":\"");
		put(&c, error_name(-ev->retval, ebuf, sizeof(ebuf)));
		PUT(&c, "\"");
	} else {
		put_u64(&c, (unsigned int)ev->retval);
	}
	/* json_context writes out c, and leaves it empty. */
	if (json_context(f, &c, ev, groups) || json_ancestors(f, out, ev) || json_env(f, out, ev))
		return -1;
	if (ev->filter_abandoned)
		PUT(&c, ",\"filter_abandoned\":true");
	PUT(&c, "}\n");
	return write_chunk(f, &c);
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
	PUT(&c, "{\"type\":\"");
	put(&c, type);
	PUT(&c, "\",");
	if (put_time(&c, (long long)ktime_ns + out->boot_to_real_ns))
		return -1;
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
	if (write_chunk(f, &c))
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
	struct chunk c;

	c.len = 0;
	PUT(&c, "{\"type\":\"lost\",");
	if (put_time(&c, boot_ns + out->boot_to_real_ns))
		return -1;
	PUT(&c, ",\"count\":");
	put_u64(&c, count);
	PUT(&c, "}\n");
	return write_chunk(out->f, &c);
}
