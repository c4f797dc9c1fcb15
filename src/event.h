/* Decoding of kernel records into exec events that the output formats print. */
#ifndef EVENT_H
#define EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include "exectrace.h"

struct arg {
	const char *s;
	size_t len;
	bool unreadable; /* could not be read from the process: shown as such, never as "" */
};

/* The longest path shown (a binary's, a working directory's): PATH_MAX, the "..." before a path's tail and
 * the " (deleted)" that an unlinked file or directory or a memfd gets. */
#define PATH_NAME_MAX (sizeof("...") + ET_PATH_MAX + sizeof(" (deleted)"))

/* Writes a path as shown, from the kernel's path bytes, into out (at least PATH_NAME_MAX bytes); returns its
 * length. A path the kernel could not name whole (cut) is its tail after "...", so that it never looks
 * absolute. */
size_t path_name(char *out, const char *path, size_t len, bool cut, bool deleted);

/* A terminal's name as shown: tty_struct's name, the '/' of "pts/N" and a NUL. */
#define TTY_NAME_MAX (ET_TTY_LEN + 2)

struct exec_event {
	unsigned long long ktime_ns;
	unsigned int pid, ppid, uid, gid, euid, egid;
	unsigned int loginuid, sessionid; /* ET_ID_UNSET: unset */
	/* The exec identity of pid and of ppid (see struct et_record). */
	unsigned long long start_time, exec_seq, parent_start_time, parent_exec_seq;
	unsigned long long cgroup_id, cap_effective;
	unsigned int ns[ET_NS_COUNT]; /* 0: unknown */
	char tty[TTY_NAME_MAX];	      /* as under /dev: "pts/3", "tty1"; "" when none */
	/* Named in user space from cgroup_id, not by event_decode: the cgroup's path when known, and where in
	 * it a container's id (CONTAINER_ID_LEN hex digits) is, or NULL. */
	const char *cgroup;
	const char *container_id;
	int retval;
	char comm[ET_COMM_LEN + 1];
	const char *filename; /* as passed: relative stays relative, "" with AT_EMPTY_PATH */
	size_t filename_len;
	bool filename_unreadable;
	bool fdpath;	 /* execveat with a directory fd: filename is relative to that fd */
	const char *exe; /* NULL when no binary ran */
	size_t exe_len;
	bool exe_truncated; /* exe is "..." and the path's tail */
	const char *cwd;    /* NULL when not known */
	size_t cwd_len;
	bool cwd_truncated; /* cwd is "..." and the path's tail */
	unsigned int argc;  /* the true count, unless argc_partial */
	bool argc_partial;  /* a failed exec's walk stopped before argv's end: argc is a lower bound */
	size_t nargs;	    /* entries in args: argc, or fewer when truncated */
	struct arg *args;
	bool truncated;	       /* a documented limit (--argv-bytes, --max-args) cut argv */
	bool filter_abandoned; /* set by the reader: a -n or -l match too costly to finish, so shown */
};

/* Reused across events so that decoding does not allocate per record. */
struct event_decoder {
	struct arg *args;
	size_t cap;
	long max_args; /* --max-args, or -1 */
	char exe_buf[PATH_NAME_MAX];
	char cwd_buf[PATH_NAME_MAX];
	struct et_record hdr; /* the record's header, aligned: a perf sample's payload is not */
};

void event_decoder_init(struct event_decoder *d, long max_args);
void event_decoder_free(struct event_decoder *d);
/* 0 on success, -EINVAL for a malformed record, -ENOMEM. ev points into data and d. */
int event_decode(struct event_decoder *d, const void *data, size_t size, struct exec_event *ev);

#endif
