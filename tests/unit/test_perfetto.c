// SPDX-License-Identifier: GPL-2.0
/* protobuf.c's encoding against the wire format's own examples, and perfetto.c's framing, escaping and
 * errors. The trace's content is decoded by protoc in tests/perfetto. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pictures.h"
#include "protobuf.h"

#define BYTES(...) ((const unsigned char[]){__VA_ARGS__}), sizeof((const unsigned char[]){__VA_ARGS__})

static void starts_with(const unsigned char *got, const unsigned char *want, size_t n)
{
	assert_memory_equal(got, want, n);
}

static void check_varint(uint64_t v, const unsigned char *want, size_t n)
{
	unsigned char out[PB_VARINT_MAX];

	assert_int_equal(pb_varint_encode(out, v), n);
	assert_memory_equal(out, want, n);
}

static void test_varint(void **state)
{
	(void)state;
	check_varint(0, BYTES(0x00));
	check_varint(1, BYTES(0x01));
	check_varint(127, BYTES(0x7f));
	check_varint(128, BYTES(0x80, 0x01));
	check_varint(300, BYTES(0xac, 0x02));
	check_varint(16383, BYTES(0xff, 0x7f));
	check_varint(16384, BYTES(0x80, 0x80, 0x01));
	check_varint(1ull << 63, BYTES(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01));
	check_varint(UINT64_MAX, BYTES(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
}

static void check_buf(struct pb *b, const unsigned char *want, size_t n)
{
	assert_false(b->failed);
	assert_int_equal(b->len, n);
	assert_memory_equal(b->buf, want, n);
	pb_reset(b);
}

/* The examples of protobuf.dev's encoding guide: Test1.a = 150, Test2.b = "testing", Test3.c = Test1. */
static void test_fields(void **state)
{
	struct pb b;
	size_t m;

	(void)state;
	pb_init(&b);
	pb_uint(&b, 1, 150);
	check_buf(&b, BYTES(0x08, 0x96, 0x01));
	pb_str(&b, 2, "testing");
	check_buf(&b, BYTES(0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'));
	m = pb_begin(&b, 3);
	pb_uint(&b, 1, 150);
	pb_end(&b, m);
	check_buf(&b, BYTES(0x1a, 0x03, 0x08, 0x96, 0x01));
	/* int32/int64 -1: its 64-bit two's complement, ten bytes. */
	pb_int(&b, 2, -1);
	check_buf(&b, BYTES(0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
	pb_bool(&b, 87, true);
	check_buf(&b, BYTES(0xb8, 0x05, 0x01));
	pb_bytes(&b, 4, "", 0);
	check_buf(&b, BYTES(0x22, 0x00));
	/* A string in pieces, as a nested field. */
	m = pb_begin(&b, 2);
	pb_raw(&b, "ab", 2);
	pb_raw(&b, "c", 1);
	pb_end(&b, m);
	check_buf(&b, BYTES(0x12, 0x03, 'a', 'b', 'c'));
	pb_free(&b);
}

/* Bodies of 127 and 128 bytes, two deep: the length's varint takes one or two bytes, and the body moves
 * whole.
 */
static void test_nested_lengths(void **state)
{
	struct pb b;
	char body[200];

	(void)state;
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (char)('a' + i % 26);
	pb_init(&b);
	for (size_t len = 125; len <= 126; len++) {
		size_t outer = pb_begin(&b, 5), inner = pb_begin(&b, 1);

		pb_raw(&b, body, len);
		pb_end(&b, inner);
		pb_end(&b, outer);
		/* outer: tag, length, then inner: tag, length (1 byte), body */
		assert_false(b.failed);
		if (len == 125) {
			/* inner 127 bytes: 1 + 1 + 125 = 127 for outer's length, one byte */
			assert_int_equal(b.len, 2 + 2 + len);
			starts_with(b.buf, BYTES(0x2a, 127, 0x0a, 125));
		} else {
			/* 128 for outer's length: two bytes */
			assert_int_equal(b.len, 3 + 2 + len);
			starts_with(b.buf, BYTES(0x2a, 0x80, 0x01, 0x0a, 126));
		}
		assert_memory_equal(b.buf + b.len - len, body, len);
		pb_reset(&b);
	}
	{
		size_t m = pb_begin(&b, 1);

		pb_raw(&b, body, 128);
		pb_end(&b, m);
		assert_int_equal(b.len, 3 + 128);
		starts_with(b.buf, BYTES(0x0a, 0x80, 0x01));
		assert_memory_equal(b.buf + 3, body, 128);
	}
	pb_free(&b);
}

static void test_len_prefix(void **state)
{
	unsigned char out[2 * PB_VARINT_MAX];

	(void)state;
	assert_int_equal(pb_len_prefix(out, 1, 300), 3);
	starts_with(out, BYTES(0x0a, 0xac, 0x02));
	assert_int_equal(pb_len_prefix(out, 60, 0), 3);
	starts_with(out, BYTES(0xe2, 0x03, 0x00));
}

/* A root that ran "sh -c x" and two children: one with argv of a byte that is not UTF-8 and a failed exec,
 * one still running. */
struct fixture {
	struct hist_str argv_sh[3], argv_bad[2], argv_failed[1];
	struct hist_exec exec_sh, exec_bad;
	struct hist_failed_exec failed;
	struct hist_proc p[3];
	struct hist_proc *procs[3];
	struct history h;
};

static struct hist_str str(const char *s)
{
	return (struct hist_str){.s = (char *)s, .len = s ? strlen(s) : 0};
}

static void fill(struct fixture *x)
{
	memset(x, 0, sizeof(*x));
	x->argv_sh[0] = str("sh");
	x->argv_sh[1] = str("-c");
	x->argv_sh[2] = str("x");
	x->exec_sh = (struct hist_exec){
	    .time_ns = 1000, .argv = x->argv_sh, .argc = 3, .exe = str("/usr/bin/dash"), .cwd = str("/tmp")};
	x->argv_bad[0] = str("cat");
	x->argv_bad[1] = str("\xff\x1b[2J");
	x->exec_bad = (struct hist_exec){
	    .time_ns = 1500, .argv = x->argv_bad, .argc = 2, .exe = str("/usr/bin/cat"), .cwd = str(NULL)};
	x->argv_failed[0] = str("nope");
	x->failed = (struct hist_failed_exec){.time_ns = 1200,
					      .filename = str("/usr/bin/nope"),
					      .argv = x->argv_failed,
					      .argc = 1,
					      .error = ENOENT};
	x->p[0] = (struct hist_proc){.pid = 10,
				     .ppid = 1,
				     .comm = "sh",
				     .start_ns = 1000,
				     .end_ns = 5000,
				     .ended = true,
				     .execs = &x->exec_sh,
				     .nexecs = 1,
				     .first_child = &x->p[1]};
	x->p[1] = (struct hist_proc){.pid = 11,
				     .ppid = 10,
				     .comm = "cat",
				     .start_ns = 1100,
				     .end_ns = 2000,
				     .ended = true,
				     .exit_code = -1,
				     .signal = 9,
				     .parent = &x->p[0],
				     .next_sibling = &x->p[2],
				     .execs = &x->exec_bad,
				     .nexecs = 1,
				     .failed = &x->failed,
				     .nfailed = 1};
	x->p[2] =
	    (struct hist_proc){.pid = 12, .ppid = 10, .comm = "sleep", .start_ns = 1300, .parent = &x->p[0]};
	for (int i = 0; i < 3; i++)
		x->procs[i] = &x->p[i];
	x->h = (struct history){.procs = x->procs, .nprocs = 3, .cap = 3, .start_ns = 1000, .end_ns = 6000};
}

static char *write_to_memory(const struct history *h, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	assert_non_null(f);
	assert_int_equal(perfetto_write(f, h), 0);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* Reads a varint at *p; fails the test past end. */
static uint64_t read_varint(const unsigned char **p, const unsigned char *end)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		assert_true(*p < end);
		v |= (uint64_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80))
			return v;
	}
	fail_msg("varint longer than 10 bytes");
	return 0;
}

/* The trace is Trace.packet fields (1, length-delimited) end to end; returns how many. */
static size_t count_packets(const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf, *end = p + len;
	size_t n = 0;

	while (p < end) {
		uint64_t size;

		assert_int_equal(read_varint(&p, end), 1 << 3 | 2);
		size = read_varint(&p, end);
		assert_true(size <= (uint64_t)(end - p));
		p += size;
		n++;
	}
	return n;
}

static bool contains(const char *buf, size_t len, const char *needle)
{
	return memmem(buf, len, needle, strlen(needle)) != NULL;
}

static void test_trace(void **state)
{
	struct fixture x;
	size_t len;
	char *out;

	(void)state;
	fill(&x);
	out = write_to_memory(&x.h, &len);
	/* The clock, 3 tracks; 3 begins, 3 ends, 1 exec after its process's start (cat's), 1 failed exec. */
	assert_int_equal(count_packets(out, len), 1 + 3 + 3 + 3 + 2);
	/* Tracks named by comm; escaped as the text output does: no raw ESC nor 0xff is left. */
	assert_true(contains(out, len, "sh 10"));
	assert_true(contains(out, len, "cat 11"));
	assert_true(contains(out, len, "sleep 12"));
	assert_true(contains(out, len, "\\xff\\x1b[2J"));
	assert_null(memchr(out, 0x1b, len));
	assert_null(memchr(out, 0xff, len));
	assert_true(contains(out, len, "failed exec: /usr/bin/nope (ENOENT)"));
	assert_true(contains(out, len, "SIGKILL"));
	free(out);
}

static void test_lost(void **state)
{
	struct fixture x;
	size_t len;
	char *out;

	(void)state;
	fill(&x);
	x.h.lost = 7;
	out = write_to_memory(&x.h, &len);
	assert_int_equal(count_packets(out, len), 1 + 3 + 3 + 3 + 2 + 2);
	assert_true(contains(out, len, "7 records lost"));
	free(out);
}

static void test_empty(void **state)
{
	struct history h = {0};
	size_t len;
	char *out;

	(void)state;
	out = write_to_memory(&h, &len);
	assert_int_equal(count_packets(out, len), 1);
	free(out);
}

static void test_write_error(void **state)
{
	struct fixture x;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(f);
	fill(&x);
	errno = 0;
	assert_int_equal(perfetto_write(f, &x.h), -1);
	assert_int_equal(errno, ENOSPC);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_varint),	   cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_nested_lengths), cmocka_unit_test(test_len_prefix),
	    cmocka_unit_test(test_trace),	   cmocka_unit_test(test_lost),
	    cmocka_unit_test(test_empty),	   cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
