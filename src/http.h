/* A small HTTP/1.1 server for the metrics endpoint, run from the caller's loop: non-blocking sockets, one
 * request per connection, every resource bounded (see "Metrics" in docs/design.md). */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include "strbuf.h"

/* Connections held at once: a new one past it closes the oldest. */
#define HTTP_CONNS 64
/* Request line and headers, at most. */
#define HTTP_REQUEST_MAX 8192
/* A connection's whole life: request, response, close. */
#define HTTP_DEADLINE_MS 10000
/* Responses being written, all connections together; past it a request gets 503. */
#define HTTP_QUEUED_MAX (32UL << 20)

enum http_page {
	HTTP_PAGE_METRICS,
	HTTP_PAGE_INDEX,
};

/* What a request asks for. */
struct http_request {
	int status; /* 0 when it is served, else the error status to send (400, 404, 405, 505) */
	enum http_page page;
	bool head;	  /* HEAD: the headers without the body */
	bool openmetrics; /* Accept names application/openmetrics-text */
};

/* Where the request's headers end (just past the blank line) in buf, or 0 when not yet there. */
size_t http_request_end(const char *buf, size_t len);
/* Parses a request's line and headers (len bytes, up to the blank line). */
void http_parse_request(const char *buf, size_t len, struct http_request *req);

/* Writes the metrics body; returns 0, or -1 when it could not be made. */
typedef int (*http_metrics_fn)(void *ctx, bool openmetrics, struct strbuf *out);

struct http_server;

/* Listens on addr; 0, or -1 after one line on stderr. */
int http_open(struct http_server **s, const struct sockaddr *addr, socklen_t len, http_metrics_fn fn,
	      void *ctx);
/* Waits up to timeout_ms (0: not at all) for the sockets, then does what they allow without blocking:
 * accepts, reads, answers, writes, closes those past their deadline. */
void http_poll(struct http_server *s, int timeout_ms);
void http_close(struct http_server *s);

#endif
