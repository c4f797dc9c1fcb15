// SPDX-License-Identifier: GPL-2.0
/* The HTTP request parser: what is served, the status of every malformed request, and hostile bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "http.h"

static struct http_request parse(const char *s)
{
	struct http_request req;
	size_t end = http_request_end(s, strlen(s));

	assert_true(end > 0);
	http_parse_request(s, end, &req);
	return req;
}

static void test_served(void **state)
{
	struct http_request r;

	(void)state;
	r = parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.page, HTTP_PAGE_METRICS);
	assert_false(r.openmetrics);
	assert_false(r.head);
	r = parse("GET /metrics?x=1 HTTP/1.0\n\n");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.page, HTTP_PAGE_METRICS);
	r = parse("HEAD / HTTP/1.1\r\n\r\n");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.page, HTTP_PAGE_INDEX);
	assert_true(r.head);
	r = parse("GET /metrics HTTP/1.1\r\nACCEPT: application/OpenMetrics-text; "
		  "version=1.0.0,text/plain;q=0.5\r\n\r\n");
	assert_true(r.openmetrics);
	r = parse("GET /metrics HTTP/1.1\r\nX-Accept: application/openmetrics-text\r\n\r\n");
	assert_false(r.openmetrics);
}

static void test_refused(void **state)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
	    {"GET /nope HTTP/1.1\r\n\r\n", 404},
	    {"GET /metricsx HTTP/1.1\r\n\r\n", 404},
	    {"POST /metrics HTTP/1.1\r\n\r\n", 405},
	    {"get /metrics HTTP/1.1\r\n\r\n", 405},
	    {"GET /metrics HTTP/2.0\r\n\r\n", 505},
	    {"GET /metrics HTTP/1.10\r\n\r\n", 505},
	    {"GET /metrics FTP/1.1\r\n\r\n", 400},
	    {"GET metrics HTTP/1.1\r\n\r\n", 400},
	    {"GET\r\n\r\n", 400},
	    {"GET  /metrics HTTP/1.1\r\n\r\n", 400},
	    {" /metrics HTTP/1.1\r\n\r\n", 400},
	    {"garbage\n\n", 400},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_request r = parse(cases[i].req);

		if (r.status != cases[i].status)
			fail_msg("%s: %d, not %d", cases[i].req, r.status, cases[i].status);
	}
}

static void test_nul_and_end(void **state)
{
	static const char nul[] = "GET /metrics HTTP/1.1\r\nX: a\0b\r\n\r\n";
	struct http_request r;

	(void)state;
	http_parse_request(nul, sizeof(nul) - 1, &r);
	assert_int_equal(r.status, 400);
	assert_int_equal(http_request_end("GET / HTTP/1.1\r\n", 16), 0);
	assert_int_equal(http_request_end("GET / HTTP/1.1\r\n\r", 17), 0);
	assert_int_equal(http_request_end("GET / HTTP/1.1\r\n\r\nX", 19), 18);
	assert_int_equal(http_request_end("\n\n", 2), 2);
	assert_int_equal(http_request_end("", 0), 0);
}

/* A small deterministic generator, so that a failure repeats. */
static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * What a client sends is its choice: 200,000 requests made from valid and refused ones by flipping,
 * inserting, deleting and cutting bytes, and of random bytes, each in a buffer of its exact size (ASan sees
 * any read past it). Every one ends within its bytes, gets a status the server knows, a page only when
 * served, and 400 when its headers hold a NUL.
 */
static void test_hostile_bytes(void **state)
{
	static const char *const seeds[] = {
	    "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text\r\n\r\n",
	    "HEAD / HTTP/1.0\n\n",
	    "POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
	    "GET /metrics?a=%00 HTTP/1.1\r\n\r\n",
	};
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int served = 0, refused = 0;
	char work[512];

	(void)state;
	for (int i = 0; i < 200000; i++) {
		size_t len = 0;

		if (i % 8 == 7) {
			len = next_random(&x) % sizeof(work);
			for (size_t j = 0; j < len; j++)
				work[j] = (char)next_random(&x);
		} else {
			const char *seed = seeds[next_random(&x) % (sizeof(seeds) / sizeof(seeds[0]))];
			int edits = 1 + (int)(next_random(&x) % 4);

			len = strlen(seed);
			memcpy(work, seed, len);
			while (edits--) {
				size_t at = len ? next_random(&x) % len : 0;
				char c = "\r\n :/?\0\t\x7f\xff"[next_random(&x) % 11];

				switch (next_random(&x) % 4) {
				case 0:
					work[at] = c;
					break;
				case 1:
					if (len + 1 < sizeof(work)) {
						memmove(work + at + 1, work + at, len - at);
						work[at] = c;
						len++;
					}
					break;
				case 2:
					if (len) {
						memmove(work + at, work + at + 1, len - at - 1);
						len--;
					}
					break;
				default:
					len = at;
				}
			}
		}

		char *buf = malloc(len ? len : 1);
		struct http_request r;
		size_t end;

		assert_non_null(buf);
		memcpy(buf, work, len);
		end = http_request_end(buf, len);
		assert_true(end <= len);
		if (end) {
			http_parse_request(buf, end, &r);
			if (r.status != 0 && r.status != 400 && r.status != 404 && r.status != 405 &&
			    r.status != 505)
				fail_msg("request %d: status %d", i, r.status);
			if (r.status == 0)
				assert_true(r.page == HTTP_PAGE_METRICS || r.page == HTTP_PAGE_INDEX);
			served += r.status == 0;
			refused += r.status != 0;
			if (memchr(buf, '\0', end))
				assert_int_equal(r.status, 400);
		}
		free(buf);
	}
	/* The mutations reach both sides of the parser. */
	assert_true(served > 1000 && refused > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_served),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_nul_and_end),
	    cmocka_unit_test(test_hostile_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
