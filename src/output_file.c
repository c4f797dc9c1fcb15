// SPDX-License-Identifier: GPL-2.0
/* The -o file: appended to, and reopened by name on SIGHUP. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <unistd.h>
#include "output_file.h"

volatile sig_atomic_t reopening;

static int open_append(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
}

FILE *output_open(const char *path)
{
	FILE *f = stdout;

	if (path) {
		int fd = open_append(path);

		f = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (!f) {
			fprintf(stderr, "exectrace: cannot open output file '%s': %s\n", path,
				strerror(errno));
			if (fd >= 0)
				close(fd);
			return NULL;
		}
	}
	/* One thread writes the records: stdio's lock, two atomic operations on every call (a record makes
	 * dozens), would guard nothing. */
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	return f;
}

void output_reopen(FILE *f, const char *path)
{
	int fd;

	if (!path)
		return;
	fd = open_append(path);
	/* The stream keeps its buffer and position state; only the file under it changes. */
	if (fd < 0 || dup2(fd, fileno(f)) < 0) {
		fprintf(
		    stderr,
		    "exectrace: warning: cannot reopen output file '%s' (still writing the old one): %s\n",
		    path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
}
