// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol buffers' wire format (protobuf.dev/programming-guides/encoding): each field is a tag, the field
 * number shifted left by 3 over the wire type, then a varint (type 0) or a varint length and that many bytes
 * (type 2). A nested message's length is known only once it is written, so pb_end moves its body up by the
 * size of the length's varint: a message is a few hundred bytes, nested at most three deep.
 */
#include <stdlib.h>
#include <string.h>
#include "protobuf.h"

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

size_t pb_varint_encode(unsigned char *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (unsigned char)v;
	return n;
}

void pb_init(struct pb *b)
{
	memset(b, 0, sizeof(*b));
}

void pb_reset(struct pb *b)
{
	b->len = 0;
	b->failed = false;
}

void pb_free(struct pb *b)
{
	free(b->buf);
	pb_init(b);
}

/* Room for n more bytes; false (and failed set) when there is none. */
static bool reserve(struct pb *b, size_t n)
{
	size_t cap;
	unsigned char *p;

	if (b->failed)
		return false;
	if (n <= b->cap - b->len)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2) {
			b->failed = true;
			return false;
		}
		cap *= 2;
	}
	p = realloc(b->buf, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->buf = p;
	b->cap = cap;
	return true;
}

static void put_varint(struct pb *b, uint64_t v)
{
	if (reserve(b, PB_VARINT_MAX))
		b->len += pb_varint_encode(b->buf + b->len, v);
}

static void put_tag(struct pb *b, unsigned int field, unsigned int wire)
{
	put_varint(b, (uint64_t)field << 3 | wire);
}

void pb_uint(struct pb *b, unsigned int field, uint64_t v)
{
	put_tag(b, field, WIRE_VARINT);
	put_varint(b, v);
}

void pb_int(struct pb *b, unsigned int field, int64_t v)
{
	pb_uint(b, field, (uint64_t)v);
}

void pb_bool(struct pb *b, unsigned int field, bool v)
{
	pb_uint(b, field, v);
}

void pb_raw(struct pb *b, const void *data, size_t len)
{
	if (len && reserve(b, len)) {
		memcpy(b->buf + b->len, data, len);
		b->len += len;
	}
}

void pb_bytes(struct pb *b, unsigned int field, const void *data, size_t len)
{
	put_tag(b, field, WIRE_LEN);
	put_varint(b, len);
	pb_raw(b, data, len);
}

void pb_str(struct pb *b, unsigned int field, const char *s)
{
	pb_bytes(b, field, s, strlen(s));
}

size_t pb_begin(struct pb *b, unsigned int field)
{
	put_tag(b, field, WIRE_LEN);
	return b->len;
}

void pb_end(struct pb *b, size_t mark)
{
	unsigned char len[PB_VARINT_MAX];
	size_t body = b->len - mark, n = pb_varint_encode(len, body);

	if (!reserve(b, n))
		return;
	memmove(b->buf + mark + n, b->buf + mark, body);
	memcpy(b->buf + mark, len, n);
	b->len += n;
}

size_t pb_len_prefix(unsigned char *out, unsigned int field, size_t len)
{
	size_t n = pb_varint_encode(out, (uint64_t)field << 3 | WIRE_LEN);

	return n + pb_varint_encode(out + n, len);
}
