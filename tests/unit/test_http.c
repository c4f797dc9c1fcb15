// SPDX-License-Identifier: GPL-2.0
/* The HTTP request parser: what is served, and the status of every malformed request. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_served),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_nul_and_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
