// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "count.h"

void count_table_init(struct count_table *t, size_t max_rows, count_exe_fn exe_name, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->max_rows = max_rows;
	t->exe_name = exe_name;
	t->ctx = ctx;
}

void count_table_free(struct count_table *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		free(t->rows[r].exe);
	free(t->rows);
	free(t->index);
	memset(t, 0, sizeof(*t));
}

size_t count_key_hash(const struct et_count_key *key)
{
	const unsigned char *p = (const unsigned char *)key;
	unsigned long long h = 14695981039346656037ULL;

	for (size_t i = 0; i < sizeof(*key); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (size_t)h;
}

static int reindex(struct count_table *t, size_t size)
{
	size_t *index = calloc(size, sizeof(*index));

	if (!index)
		return -1;
	for (size_t r = 0; r < t->nrows; r++) {
		size_t i = count_key_hash(&t->rows[r].key) & (size - 1);

		while (index[i])
			i = (i + 1) & (size - 1);
		index[i] = r + 1;
	}
	free(t->index);
	t->index = index;
	t->index_size = size;
	return 0;
}

/* Drops the rows that counted nothing in the last interval, to keep memory bounded (pid keys are endless). */
static void drop_idle(struct count_table *t)
{
	size_t kept = 0;

	for (size_t r = 0; r < t->nrows; r++) {
		if (t->rows[r].seen + 1 >= t->intervals)
			t->rows[kept++] = t->rows[r];
		else
			free(t->rows[r].exe);
	}
	t->nrows = kept;
	if (reindex(t, t->index_size)) {
		/* Out of memory: the next add builds the index afresh. */
		free(t->index);
		t->index = NULL;
		t->index_size = 0;
	}
}

static void set_names(struct count_row *row, const struct et_count_value *value)
{
	memcpy(row->comm, value->comm, ET_COMM_LEN);
	memcpy(row->pcomm, value->pcomm, ET_COMM_LEN);
}

int count_table_add(struct count_table *t, const struct et_count_key *key, const struct et_count_value *value)
{
	unsigned long long n = value->count;
	struct count_row *row;
	size_t i;

	t->interval_execs += n;
	t->total_execs += n;
	if (t->nrows * 2 >= t->index_size) {
		size_t size = t->index_size ? t->index_size : 1024;

		while (t->nrows * 2 >= size)
			size *= 2;
		if (reindex(t, size))
			return -1;
	}
	for (i = count_key_hash(key) & (t->index_size - 1); t->index[i]; i = (i + 1) & (t->index_size - 1)) {
		row = &t->rows[t->index[i] - 1];
		if (!memcmp(&row->key, key, sizeof(*key))) {
			row->interval += n;
			row->total += n;
			row->seen = t->intervals;
			set_names(row, value);
			return 0;
		}
	}
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		struct count_row *rows = realloc(t->rows, cap * sizeof(*rows));

		if (!rows)
			return -1;
		t->rows = rows;
		t->cap = cap;
	}
	row = &t->rows[t->nrows];
	*row = (struct count_row){.key = *key, .interval = n, .total = n, .seen = t->intervals};
	set_names(row, value);
	if (key->exe.ino && t->exe_name)
		row->exe = t->exe_name(t->ctx, &key->exe, &row->exe_len, &row->exe_truncated);
	t->index[i] = ++t->nrows;
	return 0;
}

void count_table_overflow(struct count_table *t, unsigned long long n)
{
	t->interval_overflow += n;
	t->total_overflow += n;
}

static int compare(const void *a, const void *b, void *cumulative)
{
	const struct count_row *x = *(const struct count_row *const *)a,
			       *y = *(const struct count_row *const *)b;
	bool total = *(const bool *)cumulative;
	unsigned long long cx = total ? x->total : x->interval, cy = total ? y->total : y->interval;

	if (cx != cy)
		return cx < cy ? 1 : -1;
	return memcmp(&x->key, &y->key, sizeof(x->key)); /* stable order between intervals */
}

size_t count_table_sorted(const struct count_table *t, bool cumulative, long top,
			  const struct count_row ***out)
{
	/* An array of row pointers, sorted instead of the rows themselves. */
	const struct count_row **v =
	    malloc((t->nrows ? t->nrows : 1) * sizeof(*v)); // NOLINT(bugprone-sizeof-expression)
	size_t n = 0;

	*out = v;
	if (!v)
		return 0;
	for (size_t r = 0; r < t->nrows; r++)
		if (cumulative || t->rows[r].interval)
			v[n++] = &t->rows[r];
	qsort_r(v, n, sizeof(*v), compare, &cumulative); // NOLINT(bugprone-sizeof-expression)
	if (top >= 0 && n > (size_t)top)
		n = top;
	return n;
}

void count_table_next(struct count_table *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		t->rows[r].interval = 0;
	t->interval_execs = 0;
	t->interval_overflow = 0;
	t->intervals++;
	if (t->nrows > t->max_rows)
		drop_idle(t);
}
