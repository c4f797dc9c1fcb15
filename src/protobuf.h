/* A small protocol buffers encoder: one message built in a growable buffer, field by field, for a writer that
 * streams messages one at a time (the Perfetto trace, perfetto.c). Only what it needs: varints, and
 * length-delimited fields (strings, bytes, nested messages). */
#ifndef PROTOBUF_H
#define PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most bytes a varint takes: 64 bits, 7 a byte. */
#define PB_VARINT_MAX 10

struct pb {
	unsigned char *buf;
	size_t len, cap;
	bool failed; /* an allocation failed: every later call does nothing, and the message is incomplete */
};

/* Writes v as a varint to out (PB_VARINT_MAX bytes of room); returns the bytes written. */
size_t pb_varint_encode(unsigned char *out, uint64_t v);

void pb_init(struct pb *b);
/* Empties the buffer for the next message (and clears failed); the memory stays for reuse. */
void pb_reset(struct pb *b);
void pb_free(struct pb *b);

/* A varint field: uint32/64, enums, bools; int32/64 as their two's complement (negative: 10 bytes). */
void pb_uint(struct pb *b, unsigned int field, uint64_t v);
void pb_int(struct pb *b, unsigned int field, int64_t v);
void pb_bool(struct pb *b, unsigned int field, bool v);
/* A length-delimited field: string or bytes. A string field must hold UTF-8: the caller's concern. */
void pb_bytes(struct pb *b, unsigned int field, const void *data, size_t len);
void pb_str(struct pb *b, unsigned int field, const char *s);

/* A nested message, or a string written in pieces (pb_raw): pb_begin writes its tag and returns a mark for
 * pb_end, which puts the length in front of what was written since. Nest them like parentheses. */
size_t pb_begin(struct pb *b, unsigned int field);
void pb_end(struct pb *b, size_t mark);
/* Appends bytes as they are: a piece of the field pb_begin opened. */
void pb_raw(struct pb *b, const void *data, size_t len);

/* The tag and length of a length-delimited field whose len bytes are written apart (a message streamed out on
 * its own): to out, which holds 2 * PB_VARINT_MAX bytes; returns the bytes written. */
size_t pb_len_prefix(unsigned char *out, unsigned int field, size_t len);

#endif
