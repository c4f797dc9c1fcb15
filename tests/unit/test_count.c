// SPDX-License-Identifier: GPL-2.0
/* The count table: exact sums, ordering, top-N, intervals, and bounded memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "count.h"

static struct et_count_key key_comm(const char *comm)
{
	struct et_count_key k;

	memset(&k, 0, sizeof(k));
	memcpy(k.comm, comm, strnlen(comm, sizeof(k.comm) - 1));
	return k;
}

static struct et_count_value value(unsigned long long n, const char *comm)
{
	struct et_count_value v;

	memset(&v, 0, sizeof(v));
	v.count = n;
	memcpy(v.comm, comm, strnlen(comm, sizeof(v.comm) - 1));
	return v;
}

static void add(struct count_table *t, const char *comm, unsigned long long n)
{
	struct et_count_key k = key_comm(comm);
	struct et_count_value v = value(n, comm);

	assert_int_equal(count_table_add(t, &k, &v), 0);
}

static void test_sums_and_order(void **state)
{
	struct count_table t;
	const struct count_row **rows;
	size_t n;

	(void)state;
	count_table_init(&t, 100, NULL, NULL);
	add(&t, "sh", 3);
	add(&t, "make", 10);
	add(&t, "sh", 4);
	add(&t, "cc", 6);
	n = count_table_sorted(&t, false, -1, &rows);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0]->key.comm, "make");
	assert_int_equal(rows[0]->interval, 10);
	assert_string_equal(rows[1]->key.comm, "sh");
	assert_int_equal(rows[1]->interval, 7);
	assert_int_equal(rows[1]->total, 7);
	assert_string_equal(rows[2]->key.comm, "cc");
	assert_int_equal(t.interval_execs, 23);
	assert_int_equal(t.total_execs, 23);
	free(rows);

	n = count_table_sorted(&t, false, 2, &rows);
	assert_int_equal(n, 2);
	free(rows);
	count_table_free(&t);
}

static void test_intervals(void **state)
{
	struct count_table t;
	const struct count_row **rows;
	size_t n;

	(void)state;
	count_table_init(&t, 100, NULL, NULL);
	add(&t, "a", 5);
	add(&t, "b", 1);
	count_table_next(&t);
	assert_int_equal(t.interval_execs, 0);
	add(&t, "b", 2);

	/* Per interval: only what counted in it, by this interval's count. */
	n = count_table_sorted(&t, false, -1, &rows);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0]->key.comm, "b");
	assert_int_equal(rows[0]->interval, 2);
	assert_int_equal(rows[0]->total, 3);
	free(rows);

	/* Cumulative: every key, by total. */
	n = count_table_sorted(&t, true, -1, &rows);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0]->key.comm, "a");
	assert_int_equal(rows[0]->total, 5);
	assert_int_equal(rows[1]->total, 3);
	free(rows);
	assert_int_equal(t.total_execs, 8);
	count_table_free(&t);
}

static void test_overflow(void **state)
{
	struct count_table t;

	(void)state;
	count_table_init(&t, 100, NULL, NULL);
	count_table_overflow(&t, 4);
	count_table_next(&t);
	count_table_overflow(&t, 1);
	assert_int_equal(t.interval_overflow, 1);
	assert_int_equal(t.total_overflow, 5);
	count_table_free(&t);
}

/* Past max_rows, rows quiet for a whole interval go; the grand total stays exact. */
static void test_idle_rows_dropped(void **state)
{
	struct count_table t;
	const struct count_row **rows;
	char name[16];
	size_t n;

	(void)state;
	count_table_init(&t, 10, NULL, NULL);
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "old%d", i);
		add(&t, name, 1);
	}
	count_table_next(&t);
	add(&t, "new", 2);
	count_table_next(&t);
	n = count_table_sorted(&t, true, -1, &rows);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0]->key.comm, "new");
	free(rows);
	assert_int_equal(t.total_execs, 52);
	add(&t, "new", 1); /* the index still finds it after the rows moved */
	n = count_table_sorted(&t, true, -1, &rows);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0]->total, 3);
	free(rows);
	count_table_free(&t);
}

static void test_many_keys(void **state)
{
	struct count_table t;
	const struct count_row **rows;
	struct et_count_key k;
	struct et_count_value v = value(1, "");
	size_t n;

	(void)state;
	count_table_init(&t, 1 << 20, NULL, NULL);
	for (int round = 0; round < 2; round++)
		for (unsigned int pid = 1; pid <= 20000; pid++) {
			memset(&k, 0, sizeof(k));
			k.pid = pid;
			v.count = pid;
			assert_int_equal(count_table_add(&t, &k, &v), 0);
		}
	n = count_table_sorted(&t, false, -1, &rows);
	assert_int_equal(n, 20000);
	assert_int_equal(rows[0]->key.pid, 20000);
	assert_int_equal(rows[0]->interval, 40000);
	assert_int_equal(rows[19999]->key.pid, 1);
	free(rows);
	count_table_free(&t);
}

static int resolved;

static char *fake_exe(void *ctx, const struct et_exe_id *id, size_t *len, bool *truncated)
{
	(void)ctx;
	resolved++;
	*len = 9;
	*truncated = id->ino == 43;
	return id->ino == 42 || id->ino == 43 ? strdup(id->ino == 42 ? "/bin/true" : "...n/true") : NULL;
}

/* A binary's path is asked for once, when its row is made; and names follow the latest exec. */
static void test_exe_and_names(void **state)
{
	struct count_table t;
	struct et_count_key k;
	struct et_count_value v = value(1, "first");
	const struct count_row **rows;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.exe.ino = 42;
	resolved = 0;
	count_table_init(&t, 100, fake_exe, NULL);
	assert_int_equal(count_table_add(&t, &k, &v), 0);
	v = value(1, "second");
	assert_int_equal(count_table_add(&t, &k, &v), 0);
	assert_int_equal(resolved, 1);
	assert_int_equal(count_table_sorted(&t, false, -1, &rows), 1);
	assert_memory_equal(rows[0]->exe, "/bin/true", rows[0]->exe_len);
	assert_false(rows[0]->exe_truncated);
	assert_string_equal(rows[0]->comm, "second");
	assert_int_equal(rows[0]->interval, 2);
	free(rows);

	/* A path the kernel could not name whole keeps its mark. */
	k.exe.ino = 43;
	assert_int_equal(count_table_add(&t, &k, &v), 0);
	assert_int_equal(count_table_sorted(&t, false, -1, &rows), 2);
	assert_int_equal(rows[0]->key.exe.ino + rows[1]->key.exe.ino, 85);
	assert_true(rows[rows[0]->key.exe.ino == 43 ? 0 : 1]->exe_truncated);
	free(rows);
	count_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sums_and_order), cmocka_unit_test(test_intervals),
	    cmocka_unit_test(test_overflow),	   cmocka_unit_test(test_idle_rows_dropped),
	    cmocka_unit_test(test_many_keys),	   cmocka_unit_test(test_exe_and_names),
	};

	return cmocka_run_group_tests_name("count", tests, NULL, NULL);
}
