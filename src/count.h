/* Count mode's table: what the kernel counted, per key, per interval and since the start. */
#ifndef COUNT_H
#define COUNT_H

#include <stdbool.h>
#include <stddef.h>
#include "exectrace.h"

/* A binary's path, malloc'd (len bytes, no NUL), or NULL when unknown; *truncated when it is "..." and the
 * path's tail. */
typedef char *(*count_exe_fn)(void *ctx, const struct et_exe_id *id, size_t *len, bool *truncated);

struct count_row {
	struct et_count_key key;
	char comm[ET_COMM_LEN + 1], pcomm[ET_COMM_LEN + 1]; /* the latest names, for pid and ppid keys */
	char *exe; /* resolved once, when the row is made: the kernel keeps paths for a while only */
	size_t exe_len;
	bool exe_truncated;
	unsigned long long interval; /* this interval */
	unsigned long long total;    /* since the start, while the row is kept */
	unsigned long long seen;     /* the interval it last counted in */
};

struct count_table {
	struct count_row *rows;
	size_t nrows, cap;
	size_t *index; /* open addressing over rows, indices + 1; 0 is empty */
	size_t index_size;
	size_t max_rows; /* beyond it, rows idle for a whole interval are dropped */
	unsigned long long intervals;
	unsigned long long interval_execs, total_execs; /* every exec, kept rows or not */
	unsigned long long interval_overflow, total_overflow;
	count_exe_fn exe_name;
	void *ctx;
};

/* FNV-1a over a count key's bytes (keys are zero-filled, padding included): count mode's and the metrics'
 * tables index by it. */
size_t count_key_hash(const struct et_count_key *key);
void count_table_init(struct count_table *t, size_t max_rows, count_exe_fn exe_name, void *ctx);
void count_table_free(struct count_table *t);
/* 0, or -1 when out of memory (the exec still counts in the totals). */
int count_table_add(struct count_table *t, const struct et_count_key *key,
		    const struct et_count_value *value);
void count_table_overflow(struct count_table *t, unsigned long long n);
/* Rows to print, highest first: by this interval's count, or the total when cumulative; at most top
 * (-1: all). Rows with nothing this interval are left out unless cumulative. *out is the caller's to free. */
size_t count_table_sorted(const struct count_table *t, bool cumulative, long top,
			  const struct count_row ***out);
/* Starts the next interval: interval counts back to 0. */
void count_table_next(struct count_table *t);

#endif
