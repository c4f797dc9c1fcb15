/* Escaping of untrusted bytes (argv, comm, paths) before they reach a terminal or a log. */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stddef.h>
#include <stdio.h>
#include <stdbool.h>

/* Both escapers return 0, or -1 when a write to f failed (errno as stdio set it). */

/* Text mode: write buf[0..len) to f so that no byte can act on a terminal or forge a record. */
int escape_text(FILE *f, const char *buf, size_t len, bool quote);
/* JSON mode: write buf[0..len) as a complete JSON string literal, including the surrounding double quotes. */
int escape_json(FILE *f, const char *buf, size_t len);
/* escape_json, or JSON null when buf is NULL: a field that is unknown, or could not be read, is never "". */
int escape_json_or_null(FILE *f, const char *buf, size_t len);
/* escape_text for a column: padded with spaces to width bytes (an escaped field is wider, and printed whole).
 */
int escape_text_padded(FILE *f, const char *buf, size_t len, int width);
/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 if s[0] does not start one (invalid,
   overlong, surrogate, > U+10FFFF, or cut short by n). Exposed for tests and the JSON encoder. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
