/* One line of a JSON lines recording (docs/output.md) back into the event it was written from, for
 * exectrace report. Times become the wall clock's nanoseconds, which the event carries as its ktime_ns. */
#ifndef RECORD_READ_H
#define RECORD_READ_H

#include <stddef.h>
#include "event.h"
#include "json_read.h"

/* Reused from line to line, so that reading does not allocate per record. */
struct record_reader {
	struct json_doc doc;
	struct arg *args;
	size_t args_cap;
	char why[256]; /* after -EINVAL: what was wrong with the line, for one line on stderr */
};

enum record_kind {
	RECORD_EVENT, /* an exec, fork or exit: *ev */
	RECORD_LOST,  /* a lost record: *lost records were lost */
	RECORD_OTHER, /* a record of another type (a count mode table, a type added later): nothing to take */
};

void record_reader_init(struct record_reader *r);
void record_reader_free(struct record_reader *r);
/* Reads line[0..len) (without its newline): an enum record_kind, -EINVAL when it is not JSON or not a
 * record (r->why says why), or -ENOMEM. ev points into r until the next line. Fields the events have no
 * room for, and fields it does not know, are passed over: the format only grows. */
int record_read(struct record_reader *r, const char *line, size_t len, struct event *ev,
		unsigned long long *lost);

#endif
