// SPDX-License-Identifier: GPL-2.0
/* Written here rather than taken from a library: Debian's libmicrohttpd is built against GnuTLS, whose
 * static link needs p11-kit and libunistring archives that Debian does not ship, and exectrace links
 * statically. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "http.h"

enum conn_state {
	CONN_FREE,
	CONN_READING,
	CONN_WRITING,
	CONN_LINGERING, /* answered and shut for writing: reads what the client still sends, then closes */
};

struct conn {
	enum conn_state state;
	int fd;
	long long deadline_ms;
	size_t req_len;
	char *resp;
	size_t resp_len, resp_off;
	char req[HTTP_REQUEST_MAX];
};

struct http_server {
	int listen_fd;
	http_metrics_fn fn;
	void *ctx;
	size_t queued; /* response bytes held by all connections */
	struct conn conns[HTTP_CONNS];
	struct pollfd pfd[HTTP_CONNS + 1];
	int pfd_conn[HTTP_CONNS + 1]; /* the connection of each pollfd, -1 for the listening socket */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

size_t http_request_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Whether a header's value (n bytes) names the OpenMetrics media type. */
static bool wants_openmetrics(const char *v, size_t n)
{
	static const char type[] = "application/openmetrics-text";

	for (size_t i = 0; i + sizeof(type) - 1 <= n; i++)
		if (!strncasecmp(v + i, type, sizeof(type) - 1))
			return true;
	return false;
}

void http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	const char *end = buf + len, *line_end = memchr(buf, '\n', len), *sp1, *sp2, *path_end;
	size_t line_len;

	*req = (struct http_request){.status = 400};
	if (!line_end || memchr(buf, '\0', len))
		return;
	line_len = (size_t)(line_end - buf);
	if (line_len && buf[line_len - 1] == '\r')
		line_len--;
	sp1 = memchr(buf, ' ', line_len);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(buf + line_len - sp1 - 1)) : NULL;
	if (!sp1 || !sp2 || sp1 == buf || sp2 == sp1 + 1 || sp1[1] != '/')
		return;
	if ((size_t)(buf + line_len - sp2 - 1) != 8 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    (sp2[8] != '0' && sp2[8] != '1')) {
		if (!strncmp(sp2 + 1, "HTTP/", 5))
			req->status = 505;
		return;
	}
	for (const char *h = line_end + 1; h < end;) {
		const char *next = memchr(h, '\n', (size_t)(end - h)), *colon;

		if (!next)
			break;
		colon = memchr(h, ':', (size_t)(next - h));
		if (colon && colon - h == 6 && !strncasecmp(h, "accept", 6) &&
		    wants_openmetrics(colon + 1, (size_t)(next - colon - 1)))
			req->openmetrics = true;
		h = next + 1;
	}
	path_end = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	if (!path_end)
		path_end = sp2;
	if ((size_t)(path_end - sp1 - 1) == 8 && !strncmp(sp1 + 1, "/metrics", 8))
		req->page = HTTP_PAGE_METRICS;
	else if (path_end == sp1 + 2)
		req->page = HTTP_PAGE_INDEX;
	else {
		req->status = 404;
		return;
	}
	req->head = sp1 - buf == 4 && !strncmp(buf, "HEAD", 4);
	req->status = req->head || (sp1 - buf == 3 && !strncmp(buf, "GET", 3)) ? 0 : 405;
}

static void conn_close(struct http_server *s, struct conn *c)
{
	close(c->fd);
	s->queued -= c->resp_len;
	free(c->resp);
	*c = (struct conn){.state = CONN_FREE, .fd = -1};
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	default:
		return "HTTP Version Not Supported";
	}
}

static const char index_page[] =
    "<!DOCTYPE html>\n<html><head><title>exectrace</title></head><body>\n<h1>exectrace</h1>\n"
    "<p>Execs counted in the kernel: <a href=\"/metrics\">/metrics</a>.</p>\n</body></html>\n";

/* The response to a request (status 0: serve it), made whole before the first byte is written. */
static void respond(struct http_server *s, struct conn *c, const struct http_request *req, int status)
{
	struct strbuf body = {0}, out = {0};
	const char *type = "text/plain; charset=utf-8";

	if (!status && s->queued >= HTTP_QUEUED_MAX)
		status = 503;
	if (!status && req->page == HTTP_PAGE_INDEX) {
		strbuf_puts(&body, index_page);
		type = "text/html; charset=utf-8";
	} else if (!status) {
		if (s->fn(s->ctx, req->openmetrics, &body) || body.oom) {
			strbuf_free(&body);
			status = 503;
		} else {
			type = req->openmetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
						: "text/plain; version=0.0.4; charset=utf-8";
		}
	}
	if (status)
		strbuf_printf(&body, "%d %s\n", status, reason(status));
	strbuf_printf(
	    &out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
	    status ? status : 200, reason(status ? status : 200), type, body.len,
	    status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!req->head)
		strbuf_add(&out, body.data, body.len);
	strbuf_free(&body);
	if (out.oom) {
		strbuf_free(&out);
		conn_close(s, c);
		return;
	}
	c->resp = strbuf_take(&out, &c->resp_len);
	c->resp_off = 0;
	s->queued += c->resp_len;
	c->state = CONN_WRITING;
}

static void conn_read(struct http_server *s, struct conn *c)
{
	ssize_t n;

	if (c->state == CONN_LINGERING) {
		char discard[4096];

		n = read(c->fd, discard, sizeof(discard));
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			conn_close(s, c);
		return;
	}
	n = read(c->fd, c->req + c->req_len, sizeof(c->req) - c->req_len);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(s, c);
		return;
	}
	if (n < 0)
		return;
	c->req_len += (size_t)n;
	size_t end = http_request_end(c->req, c->req_len);
	struct http_request req = {0};

	if (end) {
		http_parse_request(c->req, end, &req);
		respond(s, c, &req, req.status);
	} else if (c->req_len == sizeof(c->req)) {
		respond(s, c, &req, 431);
	}
}

static void conn_write(struct http_server *s, struct conn *c)
{
	ssize_t n =
	    send(c->fd, c->resp + c->resp_off, c->resp_len - c->resp_off, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_close(s, c);
		return;
	}
	c->resp_off += (size_t)n;
	if (c->resp_off < c->resp_len)
		return;
	s->queued -= c->resp_len;
	free(c->resp);
	c->resp = NULL;
	c->resp_len = 0;
	/* Closing with unread input would reset the connection, which can discard the response before the
	 * client reads it: shut for writing, and read until the client closes (or briefly). */
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_LINGERING;
	if (c->deadline_ms > now_ms() + 1000)
		c->deadline_ms = now_ms() + 1000;
}

/* A free slot, or the oldest connection's, closed: a flood of idle clients cannot lock out a scraper. */
static struct conn *free_slot(struct http_server *s)
{
	struct conn *oldest = NULL;

	for (int i = 0; i < HTTP_CONNS; i++) {
		struct conn *c = &s->conns[i];

		if (c->state == CONN_FREE)
			return c;
		if (!oldest || c->deadline_ms < oldest->deadline_ms)
			oldest = c;
	}
	conn_close(s, oldest);
	return oldest;
}

static void accept_all(struct http_server *s)
{
	for (int i = 0; i < HTTP_CONNS; i++) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0)
			return;
		c = free_slot(s);
		*c = (struct conn){
		    .state = CONN_READING, .fd = fd, .deadline_ms = now_ms() + HTTP_DEADLINE_MS};
	}
}

void http_poll(struct http_server *s, int timeout_ms)
{
	long long now = now_ms();
	int n = 1;

	s->pfd[0] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
	s->pfd_conn[0] = -1;
	for (int i = 0; i < HTTP_CONNS; i++) {
		struct conn *c = &s->conns[i];

		if (c->state == CONN_FREE)
			continue;
		if (now >= c->deadline_ms) {
			conn_close(s, c);
			continue;
		}
		if (c->deadline_ms - now < timeout_ms)
			timeout_ms = (int)(c->deadline_ms - now);
		s->pfd[n] =
		    (struct pollfd){.fd = c->fd, .events = c->state == CONN_WRITING ? POLLOUT : POLLIN};
		s->pfd_conn[n++] = i;
	}
	if (poll(s->pfd, (nfds_t)n, timeout_ms) <= 0)
		return;
	for (int i = 1; i < n; i++) {
		struct conn *c = &s->conns[s->pfd_conn[i]];

		if (!s->pfd[i].revents)
			continue;
		if (c->state == CONN_WRITING)
			conn_write(s, c);
		else
			conn_read(s, c);
	}
	if (s->pfd[0].revents & POLLIN)
		accept_all(s);
}

int http_open(struct http_server **out, const struct sockaddr *addr, socklen_t len, http_metrics_fn fn,
	      void *ctx)
{
	struct http_server *s = calloc(1, sizeof(*s));
	int one = 1;

	if (!s) {
		fprintf(stderr, "exectrace: out of memory\n");
		return -1;
	}
	s->fn = fn;
	s->ctx = ctx;
	for (int i = 0; i < HTTP_CONNS; i++)
		s->conns[i].fd = -1;
	s->listen_fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0 || setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (addr->sa_family == AF_INET6 &&
	     setsockopt(s->listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(s->listen_fd, addr, len) || listen(s->listen_fd, 128)) {
		fprintf(stderr, "exectrace: cannot listen for --metrics: %s\n", strerror(errno));
		if (s->listen_fd >= 0)
			close(s->listen_fd);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void http_close(struct http_server *s)
{
	if (!s)
		return;
	for (int i = 0; i < HTTP_CONNS; i++)
		if (s->conns[i].state != CONN_FREE)
			conn_close(s, &s->conns[i]);
	close(s->listen_fd);
	free(s);
}
