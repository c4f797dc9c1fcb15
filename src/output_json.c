// SPDX-License-Identifier: GPL-2.0
/* One JSON object per line. Field names and types are an interface: see docs/output.md. */
#include <string.h>
#include "escape.h"
#include "output.h"
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

int json_exec(const struct output *out, const struct exec_event *ev)
{
	FILE *f = out->f;
	char ebuf[16];

	if (fputs("{\"type\":\"exec\",", f) == EOF ||
	    json_time(f, (long long)ev->ktime_ns + out->boot_to_real_ns) ||
	    fprintf(f, ",\"pid\":%u,\"ppid\":%u,\"uid\":%u,\"gid\":%u,\"comm\":", ev->pid, ev->ppid, ev->uid,
		    ev->gid) < 0 ||
	    escape_json(f, ev->comm, strlen(ev->comm)) || fputs(",\"filename\":", f) == EOF ||
	    escape_json_or_null(f, ev->filename_unreadable ? NULL : ev->filename, ev->filename_len) ||
	    fputs(",\"exe\":", f) == EOF || escape_json_or_null(f, ev->exe, ev->exe_len) ||
	    (ev->exe_truncated && fputs(",\"exe_truncated\":true", f) == EOF) ||
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
	if (ev->filter_abandoned && fputs(",\"filter_abandoned\":true", f) == EOF)
		return -1;
	return fputs("}\n", f) == EOF ? -1 : 0;
}

int json_lost(const struct output *out, unsigned long long count, long long boot_ns)
{
	FILE *f = out->f;

	if (fputs("{\"type\":\"lost\",", f) == EOF || json_time(f, boot_ns + out->boot_to_real_ns))
		return -1;
	return fprintf(f, ",\"count\":%llu}\n", count) < 0 ? -1 : 0;
}
