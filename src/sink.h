/* A sink: one output of the traced events (text, JSON; a tree, a timeline, metrics later). Any number run at
 * once, each told the same events in the same order: an event arrived, records were lost, a tick, the end.
 * Adding one is a new file with its ops and its constructor, and one line where main chooses the sinks. */
#ifndef SINK_H
#define SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "event.h"
#include "output.h"
#include "proctable.h"

struct sink;

struct sink_ops {
	/* Before the first event (a header); may be NULL. 0, or -1 when writing failed (errno set). */
	int (*begin)(struct sink *s);
	/* An event that passed the filters: the records written (0 for an event type it does not show), or -1
	 * when writing failed (errno set). */
	int (*event)(struct sink *s, const struct event *ev);
	/* n records were lost (counted in the kernel) by boot_ns; may be NULL. 0, or -1 as above. */
	int (*lost)(struct sink *s, unsigned long long n, long long boot_ns);
	/* A few times a second: flush, periodic work. 0, or -1 as above. */
	int (*tick)(struct sink *s);
	/* Once, after the last event: the last flush, and what is written at the end (a tree). 0, or -1. */
	int (*end)(struct sink *s);
	/* When the sinks are freed, whether or not the run reached its end: what it holds; may be NULL. */
	void (*free)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	const char *name;  /* "text", "json": names it in messages */
	struct output out; /* the writers' stream, options and clock */
	/* It reads the process table (then given in table), and keeps exited processes there (history). */
	bool needs_table, keeps_history;
	const struct proctable *table;
	/* printed: records whose bytes reached the output (a flush succeeded); unflushed: written to the
	 * stream's buffer since the last flush */
	unsigned long long printed, unflushed;
	int write_errno; /* its first failed write: it is told nothing more */
};

/* The sinks of a run, in the order main added them. */
#define SINKS_MAX 8

struct sinks {
	struct sink *s[SINKS_MAX];
	size_t n;
	size_t failed; /* sinks whose output failed */
};

/* Takes s (malloc'd by its constructor); -1 when s is NULL (out of memory), or when there is no room (s is
 * freed). */
int sinks_add(struct sinks *set, struct sink *s);
/* Whether a sink reads the process table, and whether one keeps history. */
bool sinks_need_table(const struct sinks *set);
bool sinks_keep_history(const struct sinks *set);
void sinks_set_table(struct sinks *set, const struct proctable *table);
/* Before the first event: the wall clock's offset from CLOCK_BOOTTIME, and -t's start. */
void sinks_begin(struct sinks *set, long long boot_to_real_ns, long long start_boot_ns);
/* The wall clock's offset, read again now and then. */
void sinks_set_clock(struct sinks *set, long long boot_to_real_ns);
void sinks_event(struct sinks *set, const struct event *ev);
void sinks_lost(struct sinks *set, unsigned long long n, long long boot_ns);
void sinks_tick(struct sinks *set);
void sinks_end(struct sinks *set);
/* Whether every sink's output failed: nothing is left to write to. */
bool sinks_all_failed(const struct sinks *set);
void sinks_free(struct sinks *set);

/* A sink's tick and end when it writes to a stdio stream: flush, and count what reached the output. */
int sink_flush(struct sink *s);

/* The sinks there are (src/sink_*.c): each writes to f, with the options in o. NULL when out of memory. */
struct sink *sink_text_new(FILE *f, const struct options *o);
struct sink *sink_json_new(FILE *f, const struct options *o);

/* The pictures of a run (--tree, --html, --perfetto): where they go, and what main knows of the run. */
struct pictures {
	FILE *tree;	       /* --tree: the output stream; NULL when not asked */
	bool tree_expand;      /* --tree-expand */
	FILE *html, *perfetto; /* opened by pictures_open before anything is traced; NULL when not asked */
	char *const *command;  /* command mode: CMD's argv; NULL otherwise */
	pid_t command_pid;     /* command mode: CMD, whose exit ends the run */
	/* Command mode: CLOCK_BOOTTIME when CMD was released; 0: the first record's time */
	unsigned long long start_ns;
};

/* Opens the files of --html and --perfetto (truncated): 0, or -1 after one line on stderr. */
int pictures_open(struct pictures *p, const struct options *o);
/* Closes them: 0, or -1 after one line on stderr when what was written did not all reach them. */
int pictures_close(struct pictures *p);
/* The sink that keeps the run's history and draws p's pictures at the end; p stays main's, read at the end.
 */
struct sink *sink_pictures_new(const struct pictures *p);

#endif
