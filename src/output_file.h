/* The -o file: opened for appending, and opened again by name on SIGHUP, so that a log rotation that renames
 * it loses no record. */
#ifndef OUTPUT_FILE_H
#define OUTPUT_FILE_H

#include <signal.h>
#include <stdio.h>

/* Set by SIGHUP. */
extern volatile sig_atomic_t reopening;

/* path appended to (created 0666 less the umask when missing), or stdout when path is NULL; NULL after one
 * line on stderr when it cannot be opened. */
FILE *output_open(const char *path);
/* After SIGHUP: f (the -o file, flushed by the caller) is pointed at path opened afresh. When it cannot be
 * opened, f keeps writing where it did, with a warning: a failed rotation loses no record. Nothing for
 * stdout (path NULL). */
void output_reopen(FILE *f, const char *path);

#endif
