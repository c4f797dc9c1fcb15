// SPDX-License-Identifier: GPL-2.0
/* execsnoop's columns: [TIME] [TIME(s)] [UID] PCOMM PID PPID RET ARGS, every field escaped. ARGS names the
 * binary that ran first, as execsnoop does, whatever argv[0] claims. */
#include <string.h>
#include "escape.h"
#include "output.h"
#include "signals.h"
#include "timefmt.h"

#define COMM_WIDTH 16

int text_header(const struct output *out)
{
	const struct options *o = out->opts;

	if (o->clock_time && fprintf(out->f, "%-8s ", "TIME") < 0)
		return -1;
	if (o->elapsed_time && fprintf(out->f, "%-8s ", "TIME(s)") < 0)
		return -1;
	if (o->print_uid && fprintf(out->f, "%-6s ", "UID") < 0)
		return -1;
	return fprintf(out->f, "%-16s %-6s %-6s %3s %s\n", "PCOMM", "PID", "PPID", "RET", "ARGS") < 0 ? -1
												      : 0;
}

/* An argument, or the binary: escaped (quoted with -q), or \? when it could not be read. Backslashes are
 * escaped, so neither this marker nor "\argv0=" can come from an argument. */
static int write_arg(FILE *f, const char *s, size_t len, bool unreadable, bool quote)
{
	return unreadable ? (fputs("\\?", f) == EOF ? -1 : 0) : escape_text(f, s, len, quote);
}

/* The path that names the binary best: the filename as passed, unless it is empty (AT_EMPTY_PATH, e.g. a
 * memfd) or relative to a directory fd; then the binary's absolute path, if one ran. NULL if unreadable. */
static const char *binary(const struct exec_event *ev, size_t *len)
{
	if (ev->exe && !ev->filename_unreadable && (!ev->filename_len || ev->fdpath)) {
		*len = ev->exe_len;
		return ev->exe;
	}
	*len = ev->filename_len;
	return ev->filename_unreadable ? NULL : ev->filename;
}

/* argv[0] is path, or its base name. An empty path names nothing, nor does a path ending in '/', so an empty
 * argv[0] never matches. */
static bool names(const struct arg *a0, const char *path, size_t len)
{
	const char *slash, *base;
	size_t base_len;

	if (!path || !len)
		return false;
	slash = memrchr(path, '/', len);
	base = slash ? slash + 1 : path;
	base_len = len - (size_t)(base - path);
	return (a0->len == len && !memcmp(a0->s, path, len)) ||
	       (base_len && a0->len == base_len && !memcmp(a0->s, base, base_len));
}

/* argv[0] adds nothing when it repeats the filename as passed or the binary shown, or their base names (a
 * symlink called by its name, "ls" found in PATH). */
static bool argv0_redundant(const struct exec_event *ev, const char *bin, size_t bin_len)
{
	const struct arg *a0 = &ev->args[0];

	return !a0->unreadable &&
	       (names(a0, ev->filename_unreadable ? NULL : ev->filename, ev->filename_len) ||
		names(a0, bin, bin_len));
}

static int write_args(FILE *f, const struct exec_event *ev, bool quote)
{
	size_t bin_len;
	const char *bin = binary(ev, &bin_len);

	if (write_arg(f, bin, bin_len, !bin, quote))
		return -1;
	for (size_t i = 0; i < ev->nargs; i++) {
		const struct arg *a = &ev->args[i];

		if (i == 0 && argv0_redundant(ev, bin, bin_len))
			continue;
		if (fputc(' ', f) == EOF || (i == 0 && fputs("\\argv0=", f) == EOF) ||
		    write_arg(f, a->s, a->len, a->unreadable, quote))
			return -1;
	}
	return ev->truncated && fputs(" ...", f) == EOF ? -1 : 0;
}

/* The columns up to PCOMM: [TIME] [TIME(s)] [UID] PCOMM. */
static int write_who(const struct output *out, unsigned long long ktime_ns, unsigned int uid,
		     const char *comm)
{
	const struct options *o = out->opts;
	FILE *f = out->f;

	if (o->clock_time) {
		char tbuf[32];

		if (format_clock(tbuf, sizeof(tbuf), (long long)ktime_ns + out->boot_to_real_ns) ||
		    fprintf(f, "%-8s ", tbuf) < 0)
			return -1;
	}
	if (o->elapsed_time &&
	    fprintf(f, "%-8.3f ", (double)((long long)ktime_ns - out->start_boot_ns) / 1e9) < 0)
		return -1;
	if (o->print_uid && fprintf(f, "%-6u ", uid) < 0)
		return -1;
	return escape_text_padded(f, comm, strlen(comm), COMM_WIDTH);
}

int text_exec(const struct output *out, const struct exec_event *ev)
{
	FILE *f = out->f;

	if (write_who(out, ev->ktime_ns, ev->uid, ev->comm) ||
	    fprintf(f, " %-6u %-6u %3d ", ev->pid, ev->ppid, ev->retval) < 0 ||
	    write_args(f, ev, out->opts->quote))
		return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}

/* No RET; ARGS is \fork, which no exec's ARGS can print (a backslash there is written \\). */
int text_fork(const struct output *out, const struct fork_event *ev)
{
	if (write_who(out, ev->ktime_ns, ev->uid, ev->comm))
		return -1;
	return fprintf(out->f, " %-6u %-6u %3s \\fork\n", ev->pid, ev->ppid, "") < 0 ? -1 : 0;
}

/* RET is the exit code, or the signal's name (SIGKILL); ARGS is \exit and how long the process ran (since its
 * exec, or its start), its CPU time and its peak resident memory. */
int text_exit(const struct output *out, const struct exit_event *ev)
{
	FILE *f = out->f;
	char sig[16];
	long long ran = (long long)ev->ktime_ns - (long long)ev->since_ns;

	if (write_who(out, ev->ktime_ns, ev->uid, ev->comm))
		return -1;
	if (ev->signal ? fprintf(f, " %-6u %-6u %3s ", ev->pid, ev->ppid,
				 signal_name(ev->signal, sig, sizeof(sig))) < 0
		       : fprintf(f, " %-6u %-6u %3d ", ev->pid, ev->ppid, ev->exit_code) < 0)
		return -1;
	if (fprintf(f, "\\exit %.3fs%s, user %.3fs, system %.3fs%s, max rss %llu KiB%s\n",
		    (double)(ran > 0 ? ran : 0) / 1e9, ev->since_exec ? "" : " since start",
		    (double)ev->cpu_user_ns / 1e9, (double)ev->cpu_system_ns / 1e9,
		    ev->cpu_truncated ? " (at least)" : "", ev->max_rss >> 10,
		    ev->core_dumped ? ", core dumped" : "") < 0)
		return -1;
	return 0;
}
