/*
 * The time of each process's last exec seen (--exits), so that an exit's duration counts from it. The kernel
 * keeps no exec time, and noting one there costs a map write per exec (about 0.7 us, as much again as the
 * rest of the exec's tracing); the exec record already carries it.
 */
#ifndef EXEC_TIMES_H
#define EXEC_TIMES_H

#include <stdbool.h>
#include <stddef.h>
#include "event.h"

/* Processes whose exec time is held at once at most; past it, their exits count from their start. */
#define EXEC_TIMES_MAX 65536

struct exec_time;

/* Zero-initialized is empty; the slots are allocated with the first exec. */
struct exec_times {
	struct exec_time *slots;
	size_t count;
};

/*
 * Notes the time of a successful exec; for an exit, takes its process's exec time as since_ns (since_exec)
 * when an exec of the process was seen after its start, and forgets it. A pid names one live process: an
 * exec noted under it before the process started was another's. -ENOMEM when the slots cannot be allocated.
 */
int exec_times_apply(struct exec_times *t, struct event *e);
void exec_times_free(struct exec_times *t);

#endif
