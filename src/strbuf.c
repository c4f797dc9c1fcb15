// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"

static bool reserve(struct strbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->oom || n > ((size_t)-1) / 2 - b->len)
		return b->oom = true, false;
	if (b->len + n <= b->cap)
		return true;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return b->oom = true, false;
	b->data = p;
	b->cap = cap;
	return true;
}

void strbuf_add(struct strbuf *b, const void *s, size_t n)
{
	if (!n || !reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

void strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* The analyzer loses track of va_start here (a false report). */
	n = vsnprintf(small, sizeof(small), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		strbuf_add(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *strbuf_take(struct strbuf *b, size_t *len)
{
	char *p = b->data;

	*len = b->len;
	*b = (struct strbuf){0};
	return p;
}

void strbuf_free(struct strbuf *b)
{
	free(b->data);
	*b = (struct strbuf){0};
}
