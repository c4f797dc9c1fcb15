/* A growable byte buffer for what is written out in one piece (an HTTP response, the metrics). */
#ifndef STRBUF_H
#define STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *data;
	size_t len, cap;
	bool oom; /* an append failed: the content is incomplete */
};

/* Appends n bytes; on failure sets oom and leaves the buffer as it was. */
void strbuf_add(struct strbuf *b, const void *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
__attribute__((format(printf, 2, 3))) void strbuf_printf(struct strbuf *b, const char *fmt, ...);
/* Hands over the content (the caller frees it) and empties the buffer. */
char *strbuf_take(struct strbuf *b, size_t *len);
void strbuf_free(struct strbuf *b);

#endif
