/* Command mode (-- CMD): the command started held, so that nothing it runs escapes the trace, then released,
 * waited for, and its exit status handed on. */
#ifndef COMMAND_H
#define COMMAND_H

#include <stdbool.h>
#include <sys/types.h>
#include "options.h"

struct command {
	pid_t pid;  /* 0 when none was started */
	int go_fd;  /* written once to release the held child; -1 after */
	int err_fd; /* the child's exec error, or end of file when its exec succeeded */
	int status; /* wait status, once reaped */
	bool reaped;
	const char *argv0;     /* for messages */
	long long released_ns; /* CLOCK_BOOTTIME when it was let go: the run's start in its pictures */
};

/* Forks the command, held before its exec. 0, or -1 after one line on stderr. */
int command_start(struct command *c, const struct options *o);
/* Lets it exec, as the user it runs as. 0, or the shell's status (127 not found, 126 not runnable) after one
 * line on stderr. */
int command_release(struct command *c);
/* Waits for it to end (at once if it did); returns its status as a shell gives it: the exit code, or 128+N
 * for signal N. A command never released is told to give up first. */
int command_wait(struct command *c);
/* Whether it has ended, without blocking. */
bool command_ended(struct command *c);
/* Passes a signal on to it. */
void command_signal(const struct command *c, int sig);

#endif
