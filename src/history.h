/* The run's history: every process seen, with its execs, failed execs and end, kept whole until the run ends
 * for the pictures drawn then (--tree, --html, --perfetto, exectrace report). Fed with the decoded events the
 * sinks get, from the kernel (a live run) or read back from a JSON lines recording (exectrace report), so
 * both draw from the same model. The rules that make processes of records are docs/timeline.md's "From the
 * records". */
#ifndef HISTORY_H
#define HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include "event.h"

/* An argument or a path as the record had it: bytes (not NUL-terminated, any byte may be there), or
 * unreadable (s NULL, shown as unreadable, never as ""). */
struct hist_str {
	char *s;
	size_t len;
};

struct hist_exec {
	unsigned long long time_ns; /* on the history's clock (see struct history) */
	unsigned long long
	    exec_seq; /* its exec_id is "PID-START-SEQ" with the process's pid and start_time */
	struct hist_str *argv;
	size_t argc;		  /* entries in argv (fewer than the process had when truncated) */
	bool truncated;		  /* a documented limit cut argv */
	struct hist_str exe, cwd; /* as shown in the records ("..." and the tail when cut); s NULL: unknown */
};

struct hist_failed_exec {
	unsigned long long time_ns;
	struct hist_str filename; /* s NULL: unreadable */
	struct hist_str *argv;
	size_t argc;
	bool truncated;
	int error; /* errno, positive (ENOENT) */
};

/* One process (thread group), keyed by pid and start_time: the "PID-START" every exec_id of it begins with.
 */
struct hist_proc {
	unsigned int pid, ppid;	       /* from the first record that named it */
	unsigned long long start_time; /* the kernel's start_time: the key with pid */
	unsigned long long id_seq; /* its id is "PID-START-SEQ" with this SEQ: its first record's exec_id */
	struct hist_proc
	    *parent; /* the process that started it when the history has it, else NULL (a root) */
	/* Children in start order, linked by history_finish. */
	struct hist_proc *first_child, *next_sibling;
	char comm[ET_COMM_LEN + 1]; /* its last name */
	unsigned long long
	    start_ns; /* its fork's time, else its first exec's, else its exit's less its duration */
	unsigned long long end_ns; /* its exit's time, when ended */
	bool ended;
	int exit_code; /* when ended: 0-255, or -1 when a signal ended it */
	int signal;    /* the signal that ended it, or 0 */
	bool core_dumped;
	bool have_usage; /* the exit record's cpu and memory figures are there */
	bool cpu_truncated;
	unsigned long long cpu_user_ns, cpu_system_ns, max_rss;
	struct hist_exec *execs; /* successful execs, oldest first; the last one is what it runs */
	size_t nexecs;
	struct hist_failed_exec *failed; /* failed execs, oldest first */
	size_t nfailed;
	/* With ppid, the key of the parent its first record named: history_finish finds parent by it, since
	 * the parent may be known only from a later record (its exit). */
	unsigned long long parent_start_time;
	size_t seen; /* its place in the order first seen: the tie-break of start order */
};

/* Times are wall-clock nanoseconds throughout, the records' times: a live run's as each record has them
 * (sink_pictures.c), a recording's as they are. */
struct history {
	struct hist_proc *
	    *procs; /* every process, in the order first seen; start order after history_finish */
	size_t nprocs, cap;
	struct hist_proc **buckets; /* by (pid, start_time): the index, open addressing (see history.c) */
	size_t nbuckets;
	unsigned long long lost; /* records lost during the run */
	unsigned long long start_ns,
	    end_ns;	      /* the run's: CMD started and ended, or the first and last records */
	char *const *command; /* CMD's argv in command mode, NULL-terminated; NULL otherwise */
	/* The records history_add took, and the earliest and latest one's time: the run's start and end when
	 * the caller gives none. */
	unsigned long long nrecords, first_ns, last_ns;
};

void history_init(struct history *h);
/* Takes one event (everything it needs is copied). 0, or -ENOMEM (the history stays usable, the event lost).
 */
int history_add(struct history *h, const struct event *ev);
/* n records were lost. */
void history_lost(struct history *h, unsigned long long n);
/* After the last event: the run's end (start_ns and end_ns set by the caller, or taken from the records when
 * 0), children linked in start order, procs sorted by start. */
void history_finish(struct history *h);
struct hist_proc *history_find(const struct history *h, unsigned int pid, unsigned long long start_time);
void history_free(struct history *h);

#endif
