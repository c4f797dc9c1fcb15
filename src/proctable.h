/* The process table: what each exec identity is (which process, its parent, its times and state), fed by the
 * decoded exec, fork and exit events; kept for the sinks that read it (a tree, a timeline). */
#ifndef PROCTABLE_H
#define PROCTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "event.h"

/* Entries at most, running and exited together: 136 bytes each, 8.5 MiB when full. */
#define PROCTABLE_CAP 65536

/* One image of one process: the exec_id "PID-START-SEQ" of docs/output.md. */
struct exec_key {
	unsigned int pid;
	unsigned long long start_time, exec_seq;
};

enum proc_state {
	PROC_RUNNING,
	PROC_EXECED, /* the process went on in a new image (a later exec_id) */
	PROC_EXITED,
};

struct proc {
	struct exec_key key;
	struct exec_key parent; /* the parent's image when this one began: known even when it is not here */
	unsigned int ppid;
	char comm[ET_COMM_LEN + 1];
	unsigned long long exec_ns; /* CLOCK_BOOTTIME of its exec; 0 for an image inherited at a fork */
	unsigned long long end_ns;  /* of its exit, or of the exec that replaced it; 0 while running */
	enum proc_state state;
	int exit_code; /* when exited: as struct exit_event has them */
	int signal;
	bool core_dumped;
	/* The table's links: entry numbers + 1, 0 for none. */
	uint32_t self, hnext, up, child, sib_prev, sib_next, age_prev, age_next;
};

/* An age-ordered list of entries. */
struct proc_list {
	uint32_t head, tail;
};

struct proctable {
	struct proc **chunks; /* entries in fixed chunks, so that a struct proc never moves */
	size_t nchunks;
	uint32_t *buckets; /* hash chains by key */
	size_t nbuckets;
	uint32_t free; /* reusable entries, through hnext */
	size_t used, cap;
	bool keep_history;
	/* live: running, oldest first; retired: exited or replaced, in the order they ended */
	struct proc_list live, retired;
	unsigned long long dropped; /* entries evicted, or not made, at the cap or out of memory */
};

/* cap: entries at most (PROCTABLE_CAP). keep_history: exited and replaced images stay until the cap makes
 * room; without it they leave at the next update, once the sinks have seen the event that ended them. */
void proctable_init(struct proctable *t, size_t cap, bool keep_history);
void proctable_free(struct proctable *t);
/* Applies one event: an exec makes a new image and retires the process's previous one, a fork makes the
 * child's inherited image, an exit retires the image. A failed exec changes nothing. Returns the entry
 * the event is about, or NULL when it is not kept (failed exec, no room). At the cap the oldest retired
 * entry leaves first, else the oldest running one (without exit events nothing else would ever leave). */
struct proc *proctable_update(struct proctable *t, const struct event *ev);
struct proc *proctable_find(const struct proctable *t, const struct exec_key *k);
/* NULL when the parent is not in the table (it began before exectrace, or left). */
struct proc *proctable_parent(const struct proctable *t, const struct proc *p);
/* The images begun by p (forked from it, or exec'd by a child forked from it), newest first. */
struct proc *proctable_first_child(const struct proctable *t, const struct proc *p);
struct proc *proctable_next_sibling(const struct proctable *t, const struct proc *p);

#endif
