// SPDX-License-Identifier: GPL-2.0
/*
 * argv, comm and paths come from whoever calls exec, so they may hold terminal escape sequences, bidi
 * overrides or newlines that would fake a record. Everything that could act on a terminal is escaped, while
 * valid UTF-8 text stays readable. Runs of plain bytes go out with one fwrite: this runs for every record.
 */
#include <stdint.h>
#include <string.h>
#include "escape.h"
#include "invisible.h"

static const char hex[] = "0123456789abcdef";

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c, lo = 0x80, hi = 0xbf;
	size_t len;

	if (!n)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xc2) /* a continuation byte, or 0xc0/0xc1: always an overlong 2-byte lead */
		return 0;
	if (c < 0xe0) {
		len = 2;
	} else if (c < 0xf0) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* U+D800..U+DFFF are surrogates, not characters */
	} else if (c < 0xf5) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* beyond U+10FFFF */
	} else {
		return 0;
	}
	/* Only the second byte has a lead-dependent range; the rest are plain continuation bytes. */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	return len;
}

/*
 * Invisible or reordering (the table generated from Unicode's data, see src/gen_invisible.py): with these a
 * line can display differently from the bytes it holds.
 */
static bool is_invisible(unsigned int cp)
{
	size_t lo = 0, hi = sizeof(invisible) / sizeof(invisible[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < invisible[mid].first)
			hi = mid;
		else if (cp > invisible[mid].last)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* A bad byte as classify_high returns it: a lone low surrogate, which no valid UTF-8 decodes to. */
static bool is_bad_byte(unsigned int cp)
{
	return (cp & ~0xffu) == 0xdc00;
}

/*
 * Classifies the non-ASCII sequence at s, of which avail bytes remain, and stores in *n how many bytes it
 * covers. Returns 0 if those bytes may pass through, else what they stand for: a C1 control (U+0080..U+009F),
 * an invisible code point, or 0xdc00 | byte for a single byte that is not valid UTF-8 (*n = 1).
 */
static unsigned int classify_high(const unsigned char *s, size_t avail, size_t *n)
{
	unsigned int cp;

	*n = utf8_seq_len(s, avail);
	switch (*n) {
	case 2:
		if (s[0] == 0xc2 && s[1] < 0xa0)
			return s[1];
		cp = (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu);
		break;
	case 3:
		cp = (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
		break;
	case 4:
		cp = (s[0] & 0x07u) << 18 | (s[1] & 0x3fu) << 12 | (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
		break;
	default: /* 0, not valid UTF-8 (never 1, as s[0] >= 0x80) */
		*n = 1;
		return 0xdc00 | s[0];
	}
	return is_invisible(cp) ? cp : 0;
}

#define ONES  0x0101010101010101ull
#define HIGHS (0x80 * ONES)

/*
 * Whether all 8 bytes of w pass as they are: printable ASCII (0x20..0x7e), neither a backslash nor the quote
 * (q holds it in each byte). Each term sets a byte's high bit for a byte that needs escaping; borrows and
 * carries only start at such a byte, so the whole is exact even where they flag a neighbour. w - 0x20 flags
 * bytes below 0x20 (and from 0xa0), w itself from 0x80, w + 1 0x7f; (v - 1) & ~v a byte of v that is zero:
 * one equal to the backslash or to the quote.
 */
static bool word_plain(uint64_t w, uint64_t q)
{
	uint64_t b = w ^ ('\\' * ONES), x = w ^ q;

	return !(((w - 0x20 * ONES) | w | (w + ONES) | ((b - ONES) & ~b) | ((x - ONES) & ~x)) & HIGHS);
}

/*
 * The end of the run of plain bytes from i: printable ASCII other than the backslash and q. Most arguments
 * are such runs from end to end, so they are looked at 8 bytes at a time.
 */
static size_t plain_run(const unsigned char *s, size_t i, size_t len, unsigned int q)
{
	for (; len - i >= 8; i += 8) {
		uint64_t w;

		/* Unaligned, in either byte order: every byte is tested alike. */
		memcpy(&w, s + i, 8);
		if (!word_plain(w, q * ONES))
			break;
	}
	while (i < len && s[i] - 0x20u < 0x5f && s[i] != '\\' && s[i] != q)
		i++;
	return i;
}

static char *put_hex2(char *p, unsigned int b)
{
	*p++ = hex[b >> 4 & 0xf];
	*p++ = hex[b & 0xf];
	return p;
}

static char *put_x2(char *p, unsigned int b)
{
	*p++ = '\\';
	*p++ = 'x';
	return put_hex2(p, b);
}

/* \uXXXX: the same form in both modes for a code point below U+10000. */
static char *put_u4(char *p, unsigned int cp)
{
	*p++ = '\\';
	*p++ = 'u';
	p = put_hex2(p, cp >> 8);
	return put_hex2(p, cp);
}

/* Text: \UXXXXXXXX above U+FFFF; always 8 digits, so that hex digits after it cannot extend it. */
static char *put_u8(char *p, unsigned int cp)
{
	*p++ = '\\';
	*p++ = 'U';
	for (int shift = 24; shift >= 0; shift -= 8)
		p = put_hex2(p, cp >> shift);
	return p;
}

/* JSON: above U+FFFF as a UTF-16 surrogate pair, as RFC 8259 has it. */
static char *put_json_cp(char *p, unsigned int cp)
{
	if (cp < 0x10000)
		return put_u4(p, cp);
	cp -= 0x10000;
	p = put_u4(p, 0xd800 | cp >> 10);
	return put_u4(p, 0xdc00 | (cp & 0x3ff));
}

/* The pending run of plain bytes, then one escape. */
static int flush(FILE *f, const char *run, size_t run_len, const char *esc, size_t esc_len)
{
	if (run_len && fwrite(run, 1, run_len, f) != run_len)
		return -1;
	return fwrite(esc, 1, esc_len, f) == esc_len ? 0 : -1;
}

int escape_text(FILE *f, const char *buf, size_t len, bool quote)
{
	const unsigned char *s = (const unsigned char *)buf;
	/* Without quotes '"' is plain; testing for a second backslash instead keeps the tests the same. */
	const unsigned int q = quote ? '"' : '\\';
	size_t i = 0, run = 0, n;
	char esc[10]; /* the longest: \U000e0041 */

	if (quote && fputc('"', f) == EOF)
		return -1;
	while ((i = plain_run(s, i, len, q)) < len) {
		unsigned int c = s[i];
		char *p = esc;

		n = 1;
		if (c >= 0x80) {
			unsigned int cp = classify_high(s + i, len - i, &n);

			if (!cp) {
				i += n;
				continue;
			}
			if (is_bad_byte(cp)) {
				p = put_x2(p, c);
			} else if (cp < 0xa0) {
				/* As bytes: a code point would hide that it is a control. */
				p = put_x2(p, 0xc2);
				p = put_x2(p, cp);
			} else if (cp < 0x10000) {
				p = put_u4(p, cp);
			} else {
				p = put_u8(p, cp);
			}
		} else {
			*p++ = '\\';
			switch (c) {
			case '\n':
				*p++ = 'n';
				break;
			case '\t':
				*p++ = 't';
				break;
			case '\r':
				*p++ = 'r';
				break;
			case '\\':
			case '"':
				*p++ = (char)c;
				break;
			default:
				*p++ = 'x';
				p = put_hex2(p, c);
			}
		}
		if (flush(f, buf + run, i - run, esc, (size_t)(p - esc)))
			return -1;
		i += n;
		run = i;
	}
	if (i > run && fwrite(buf + run, 1, i - run, f) != i - run)
		return -1;
	if (quote && fputc('"', f) == EOF)
		return -1;
	return 0;
}

int escape_json(FILE *f, const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, run = 0, n;
	char esc[12]; /* the longest: a surrogate pair */

	if (fputc('"', f) == EOF)
		return -1;
	while ((i = plain_run(s, i, len, '"')) < len) {
		unsigned int c = s[i];
		char *p = esc;

		n = 1;
		if (c >= 0x80) {
			/*
			 * Invalid bytes become U+DC80..U+DCFF, Python's surrogateescape: never the half of a
			 * pair, since every high surrogate written is followed by the low one of its pair.
			 */
			unsigned int cp = classify_high(s + i, len - i, &n);

			if (!cp) {
				i += n;
				continue;
			}
			p = put_json_cp(p, cp);
		} else {
			*p++ = '\\';
			switch (c) {
			case '"':
			case '\\':
				*p++ = (char)c;
				break;
			case '\b':
				*p++ = 'b';
				break;
			case '\f':
				*p++ = 'f';
				break;
			case '\n':
				*p++ = 'n';
				break;
			case '\r':
				*p++ = 'r';
				break;
			case '\t':
				*p++ = 't';
				break;
			default:
				*p++ = 'u';
				*p++ = '0';
				*p++ = '0';
				p = put_hex2(p, c);
			}
		}
		if (flush(f, buf + run, i - run, esc, (size_t)(p - esc)))
			return -1;
		i += n;
		run = i;
	}
	if (i > run && fwrite(buf + run, 1, i - run, f) != i - run)
		return -1;
	return fputc('"', f) == EOF ? -1 : 0;
}

int escape_text_padded(FILE *f, const char *buf, size_t len, int width)
{
	/* An escape is at most 4 bytes per input byte (\xHH); longer fields are not padded. */
	char out[64 * 4];
	FILE *m;
	long n;

	if (plain_run((const unsigned char *)buf, 0, len, '\\') == len)
		return fprintf(f, "%-*.*s", width, (int)len, buf) < 0 ? -1 : 0;
	if (len > 64)
		return escape_text(f, buf, len, false);
	m = fmemopen(out, sizeof(out), "w");
	if (!m)
		return -1;
	if (escape_text(m, buf, len, false) || fflush(m)) {
		fclose(m);
		return -1;
	}
	n = ftell(m);
	fclose(m);
	return fprintf(f, "%.*s%*s", (int)n, out, n < width ? (int)(width - n) : 0, "") < 0 ? -1 : 0;
}

int escape_json_or_null(FILE *f, const char *buf, size_t len)
{
	if (!buf)
		return fputs("null", f) == EOF ? -1 : 0;
	return escape_json(f, buf, len);
}
