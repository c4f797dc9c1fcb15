/* Decoding of kernel records (exec, fork, exit) into events that the output formats print. */
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

/* The exec identity of a process and of its parent, as struct et_record carries it. */
struct exec_ids {
	unsigned long long start_time, exec_seq, parent_start_time, parent_exec_seq;
};

/* A process above the parent, as it was at the exec. */
struct ancestor {
	unsigned int pid;
	unsigned long long start_time, exec_seq; /* its exec identity */
	char comm[ET_COMM_LEN + 1];
};

struct exec_event {
	unsigned long long ktime_ns;
	unsigned int pid, ppid, uid, gid, euid, egid;
	unsigned int loginuid, sessionid; /* ET_ID_UNSET: unset */
	struct exec_ids ids;		  /* of pid and of ppid (see struct et_record) */
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
	/* The chain above the parent, nearest first (-j, --ancestors); truncated: it went on. */
	const struct ancestor *ancestors;
	size_t nancestors;
	bool ancestors_truncated;
	/* The environment's entries (--env), those named only; truncated: --env-bytes cut it, or the rest
	 * could not be read; unreadable: none could. */
	struct arg *env;
	size_t nenv;
	bool env_truncated, env_unreadable;
};

/* A process (thread group) that forked off a new one (--forks). */
struct fork_event {
	unsigned long long ktime_ns;
	unsigned int pid, ppid, uid;
	/* The child's identity: its own start_time, and the image it runs until it execs (the parent's
	 * self_exec_id, copied at the fork); parent_*: the parent's. */
	struct exec_ids ids;
	char comm[ET_COMM_LEN + 1];
};

/* A process whose last thread ended (--exits). */
struct exit_event {
	unsigned long long ktime_ns;
	unsigned int pid, ppid, uid;
	struct exec_ids ids;
	char comm[ET_COMM_LEN + 1];
	int exit_code; /* 0-255; -1 when a signal ended it */
	int signal;    /* the signal that ended it, or 0 */
	bool core_dumped;
	/* CLOCK_BOOTTIME of its exec when exectrace saw it (since_exec), else of its start (fork). */
	unsigned long long since_ns;
	bool since_exec;
	unsigned long long cpu_user_ns, cpu_system_ns; /* the whole thread group */
	bool cpu_truncated;			       /* too many threads to add up: lower bounds */
	unsigned long long max_rss;		       /* bytes */
	unsigned long long cgroup_id;		       /* the cgroup v2 it ended in */
};

enum event_type {
	EVENT_EXEC = 1,
	EVENT_FORK,
	EVENT_EXIT,
};

/* One decoded kernel record. */
struct event {
	enum event_type type;
	union {
		struct exec_event exec;
		struct fork_event fork;
		struct exit_event exit;
	};
};

/* Reused across events so that decoding does not allocate per record. */
struct event_decoder {
	struct arg *args;
	size_t cap;
	long max_args; /* --max-args, or -1 */
	struct arg *env;
	size_t env_cap;
	const char *env_names; /* --env=NAME,...: the only entries decoded; NULL for all */
	struct ancestor ancestors[ET_ANCESTORS_MAX];
	char exe_buf[PATH_NAME_MAX];
	char cwd_buf[PATH_NAME_MAX];
	struct et_record hdr; /* the record's header, aligned: a perf sample's payload is not */
	struct et_context ctx;
	unsigned int bad_args[ET_BAD_ARGS_MAX];
};

void event_decoder_init(struct event_decoder *d, long max_args);
void event_decoder_free(struct event_decoder *d);
/* Environment entries to decode: those whose name (the text before the first '=') is in names, a
 * comma-separated list; all when names is NULL. Others never leave the decoder. */
void event_decoder_env_names(struct event_decoder *d, const char *names);
/* 0 on success, -EINVAL for a malformed record, -ENOMEM. ev points into data and d. */
int event_decode(struct event_decoder *d, const void *data, size_t size, struct event *ev);

#endif
