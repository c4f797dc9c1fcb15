// SPDX-License-Identifier: GPL-2.0
/* escape.c: exact escapes for known inputs, and for arbitrary bytes a round trip plus terminal safety. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream, fopencookie */
#endif
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "escape.h"

#define S(lit) lit, sizeof(lit) - 1

enum mode { TEXT, TEXT_QUOTED, JSON };

/* A copy of exactly len bytes on the heap, so that ASan catches any read past the end. */
static char *exact_copy(const char *in, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, in, len);
	return p;
}

/* What the escaper writes for in[0..len); NUL-terminated, *out_len set. */
static char *run(enum mode m, const char *in, size_t len, size_t *out_len)
{
	char *copy = exact_copy(in, len), *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	if (m == JSON)
		assert_int_equal(escape_json(f, copy, len), 0);
	else
		assert_int_equal(escape_text(f, copy, len, m == TEXT_QUOTED), 0);
	assert_int_equal(fclose(f), 0);
	free(copy);
	*out_len = n;
	return out;
}

static void check(enum mode m, const char *in, size_t len, const char *want)
{
	size_t n;
	char *out = run(m, in, len, &n);

	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	free(out);
}

/* Written independently of utf8_seq_len: decode by bit patterns, then reject what is not a scalar value
   in its shortest form. */
static size_t ref_utf8_len(const unsigned char *s, size_t n)
{
	unsigned int cp, min;
	size_t len;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static unsigned int ref_decode(const unsigned char *s, size_t len)
{
	static const unsigned char mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	unsigned int cp = s[0] & mask[len];

	for (size_t i = 1; i < len; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

#define UNICODE_DIR "/usr/share/unicode" /* the unicode-data package, which the build reads too */
#define CP_COUNT    0x110000

/* What must be escaped as invisible, read from Unicode's data by this test, apart from the build's generator.
 */
static unsigned char invisible_set[CP_COUNT / 8];
static size_t invisible_count;

static bool ref_invisible(unsigned int cp)
{
	return cp < CP_COUNT && invisible_set[cp / 8] & 1u << cp % 8;
}

static void set_invisible(unsigned int cp)
{
	if (!ref_invisible(cp))
		invisible_count++;
	invisible_set[cp / 8] |= (unsigned char)(1u << cp % 8);
}

/* The code point range a line of a Unicode data file gives to prop ("200B..200F ; prop # ..."), or false. */
static bool parse_prop_line(const char *line, const char *prop, unsigned long *first, unsigned long *last)
{
	size_t plen = strlen(prop);
	char *end;
	const char *p;

	if (!isxdigit((unsigned char)line[0]))
		return false;
	*first = *last = strtoul(line, &end, 16);
	if (end[0] == '.' && end[1] == '.')
		*last = strtoul(end + 2, &end, 16);
	p = end + strspn(end, " \t");
	if (*p != ';')
		return false;
	p += 1 + strspn(p + 1, " \t");
	return !strncmp(p, prop, plen) && strchr(" \t#\n", p[plen]);
}

/* Adds the code points that file gives to prop; -1 if the file cannot be read or gives prop none. */
static int load_prop(const char *path, const char *prop)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, found = 0;
	unsigned long first, last;

	if (!f) {
		fprintf(stderr, "exectrace: %s: %s (install unicode-data)\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) != -1) {
		if (!parse_prop_line(line, prop, &first, &last))
			continue;
		if (first > last || last >= CP_COUNT) {
			fprintf(stderr, "exectrace: %s: bad range %s", path, line);
			found = 0;
			break;
		}
		for (unsigned long cp = first; cp <= last; cp++)
			set_invisible((unsigned int)cp);
		found += last - first + 1;
	}
	free(line);
	fclose(f);
	if (!found)
		fprintf(stderr, "exectrace: %s: no %s code points\n", path, prop);
	return found ? 0 : -1;
}

static int load_invisible(void **state)
{
	(void)state;
	if (load_prop(UNICODE_DIR "/DerivedCoreProperties.txt", "Default_Ignorable_Code_Point") ||
	    load_prop(UNICODE_DIR "/PropList.txt", "Bidi_Control"))
		return -1;
	/* Not ignorable, but they break lines. */
	set_invisible(0x2028);
	set_invisible(0x2029);
	return 0;
}

/* What must hold for anything we print: valid UTF-8 holding no control and nothing invisible. */
static void assert_terminal_safe(const char *out, size_t n)
{
	const unsigned char *s = (const unsigned char *)out;

	for (size_t i = 0; i < n;) {
		size_t len = ref_utf8_len(s + i, n - i);
		unsigned int cp;

		assert_int_not_equal(len, 0);
		cp = ref_decode(s + i, len);
		assert_true(cp >= 0x20);
		assert_false(cp >= 0x7f && cp <= 0x9f);
		assert_false(ref_invisible(cp));
		i += len;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* uppercase is not what we write, so it is an error here */
}

static unsigned int hex_n(const char *s, size_t digits)
{
	unsigned int v = 0;

	for (size_t i = 0; i < digits; i++) {
		int d = hexval(s[i]);

		assert_true(d >= 0);
		v = v << 4 | (unsigned int)d;
	}
	return v;
}

static size_t put_utf8(unsigned char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	assert_true(cp < CP_COUNT);
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decodes one JSON string literal, as json.loads(s).encode('utf-8', 'surrogateescape') would, into out
 * (at least n bytes), and returns the decoded length. Asserts that the literal is well-formed JSON.
 */
static size_t json_decode(const char *s, size_t n, unsigned char *out)
{
	size_t i = 1, o = 0;

	assert_true(n >= 2);
	assert_int_equal(s[0], '"');
	assert_int_equal(s[n - 1], '"');
	while (i < n - 1) {
		unsigned char c = (unsigned char)s[i];
		unsigned int cp;

		assert_true(c >= 0x20); /* RFC 8259: controls must be escaped */
		assert_int_not_equal(c, '"');
		if (c != '\\') {
			out[o++] = c;
			i++;
			continue;
		}
		assert_true(i + 1 < n - 1);
		switch (s[i + 1]) {
		case '"':
		case '\\':
		case '/':
			out[o++] = (unsigned char)s[i + 1];
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'u':
			assert_true(i + 6 < n);
			cp = hex_n(s + i + 2, 4);
			i += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* A high surrogate: the low half of its pair must follow. */
				unsigned int low;

				assert_true(i + 8 < n);
				assert_memory_equal(s + i + 2, "\\u", 2);
				low = hex_n(s + i + 4, 4);
				assert_true(low >= 0xdc00 && low <= 0xdfff);
				o += put_utf8(out + o, 0x10000 + ((cp - 0xd800) << 10 | (low - 0xdc00)));
				i += 6;
				break;
			}
			/* A lone low surrogate only as surrogateescape has it: one byte, 0x80..0xff. */
			assert_false(cp >= 0xdc00 && cp < 0xdc80);
			assert_false(cp >= 0xdd00 && cp <= 0xdfff);
			if (cp >= 0xdc80 && cp <= 0xdcff)
				out[o++] = (unsigned char)(cp & 0xff);
			else
				o += put_utf8(out + o, cp);
			break;
		default:
			fail_msg("bad escape \\%c", s[i + 1]);
		}
		i += 2;
	}
	return o;
}

/* Decodes escape_text output; every escape it writes must map back to exactly one input. */
static size_t text_decode(const char *s, size_t n, bool quote, unsigned char *out)
{
	size_t i = 0, o = 0;

	if (quote) {
		assert_true(n >= 2);
		assert_int_equal(s[0], '"');
		assert_int_equal(s[n - 1], '"');
		i = 1;
		n--;
	}
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (quote)
			assert_int_not_equal(c, '"');
		if (c != '\\') {
			out[o++] = c;
			i++;
			continue;
		}
		assert_true(i + 1 < n);
		switch (s[i + 1]) {
		case '\\':
			out[o++] = '\\';
			break;
		case '"':
			assert_true(quote);
			out[o++] = '"';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 'x':
			assert_true(i + 3 < n);
			out[o++] = (unsigned char)hex_n(s + i + 2, 2);
			i += 2;
			break;
		case 'u':
			assert_true(i + 5 < n);
			o += put_utf8(out + o, hex_n(s + i + 2, 4));
			i += 4;
			break;
		case 'U': {
			unsigned int cp;

			assert_true(i + 9 < n);
			cp = hex_n(s + i + 2, 8);
			/* Only where \uXXXX cannot say it, so that each code point has one form. */
			assert_true(cp >= 0x10000);
			o += put_utf8(out + o, cp);
			i += 8;
			break;
		}
		default:
			fail_msg("bad escape \\%c", s[i + 1]);
		}
		i += 2;
	}
	return o;
}

/* Every mode: the output decodes back to the input and is safe on a terminal. */
static void round_trip(const char *in, size_t len)
{
	static const enum mode modes[] = {TEXT, TEXT_QUOTED, JSON};

	for (size_t k = 0; k < 3; k++) {
		size_t n, dn;
		char *out = run(modes[k], in, len, &n);
		unsigned char *dec = malloc(n + 1);

		assert_non_null(dec);
		assert_terminal_safe(out, n);
		if (modes[k] == JSON)
			dn = json_decode(out, n, dec);
		else
			dn = text_decode(out, n, modes[k] == TEXT_QUOTED, dec);
		assert_int_equal(dn, len);
		assert_memory_equal(dec, in, len);
		free(dec);
		free(out);
	}
}

static void text_byte_want(unsigned char c, bool quote, char *want)
{
	if (c == '\\')
		strcpy(want, "\\\\");
	else if (c == '"' && quote)
		strcpy(want, "\\\"");
	else if (c >= 0x20 && c < 0x7f)
		sprintf(want, "%c", c);
	else if (c == '\n')
		strcpy(want, "\\n");
	else if (c == '\t')
		strcpy(want, "\\t");
	else if (c == '\r')
		strcpy(want, "\\r");
	else
		sprintf(want, "\\x%02x", c);
}

static void test_text_every_byte(void **state)
{
	(void)state;
	for (unsigned int b = 0; b < 256; b++) {
		char in = (char)b, want[8], qwant[16];
		size_t n;
		char *out = run(TEXT, &in, 1, &n);

		for (size_t i = 0; i < n; i++) {
			unsigned char o = (unsigned char)out[i];

			assert_true(o >= 0x20 && o < 0x7f);
		}
		text_byte_want((unsigned char)b, false, want);
		assert_string_equal(out, want);
		free(out);

		text_byte_want((unsigned char)b, true, want);
		snprintf(qwant, sizeof(qwant), "\"%s\"", want);
		check(TEXT_QUOTED, &in, 1, qwant);
	}
}

static void test_text_examples(void **state)
{
	(void)state;
	check(TEXT, S("a b"), "a b");
	check(TEXT, S("a\nb"), "a\\nb");
	check(TEXT, S("\t\r"), "\\t\\r");
	check(TEXT, S("\x1b[31m"), "\\x1b[31m");
	check(TEXT, S("\xff"), "\\xff");
	check(TEXT, S("a\\b"), "a\\\\b");
	check(TEXT, S("\\x41"), "\\\\x41"); /* a literal "\x41" cannot pass for an escape */
	check(TEXT, S("he said \"hi\""), "he said \"hi\"");
	check(TEXT_QUOTED, S("he said \"hi\""), "\"he said \\\"hi\\\"\"");
	check(TEXT_QUOTED, S(""), "\"\"");
	check(TEXT, S(""), "");
	check(TEXT, S("a\0b"), "a\\x00b");
	check(TEXT, S("\x7f"), "\\x7f");
	check(TEXT, S("caf\xc3\xa9"), "caf\xc3\xa9");
	check(TEXT, S("\xc2\xa0"), "\xc2\xa0");	    /* NBSP: the first code point after C1 */
	check(TEXT, S("\xc2\x9bm"), "\\xc2\\x9bm"); /* CSI */
	check(TEXT, S("\xc2\x80\xc2\x9f"), "\\xc2\\x80\\xc2\\x9f");
	check(TEXT, S("a\xe2\x80\xae!"), "a\\u202e!");
	check(TEXT, S("\xe2\x80\x8e\xe2\x80\x8f"), "\\u200e\\u200f");
	check(TEXT, S("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"), "\\u202a\\u202b\\u202c\\u202d");
	check(TEXT, S("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"), "\\u2066\\u2067\\u2068\\u2069");
	check(TEXT, S("\xe2\x80\xa8\xe2\x80\xa9"), "\\u2028\\u2029");
	/* Neighbours of the invisible ranges around them stay as they are. */
	check(TEXT, S("\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\x9f\xe2\x81\xb0"),
	      "\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\x9f\xe2\x81\xb0");
	check(TEXT, S("\xe2\x82\xac"), "\xe2\x82\xac");
	check(TEXT, S("\xf0\x9f\x98\x80!"), "\xf0\x9f\x98\x80!");
	check(TEXT, S("\xc0\xaf"), "\\xc0\\xaf");
	check(TEXT, S("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
	check(TEXT, S("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	check(TEXT, S("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
	check(TEXT, S("x\xe2\x82"), "x\\xe2\\x82");
	/* A bad byte is escaped alone and decoding resumes right after it. */
	check(TEXT, S("\xe2\x82z\xc3\xa9"), "\\xe2\\x82z\xc3\xa9");
	check(TEXT, S("\xe2\xc3\xa9"), "\\xe2\xc3\xa9");
	check(TEXT, S("\x80\xbf"), "\\x80\\xbf");
}

/* The letter of a JSON short escape, or 0. */
static char json_short(unsigned int b)
{
	switch (b) {
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	default:
		return 0;
	}
}

static void test_json_every_byte(void **state)
{
	(void)state;
	for (unsigned int b = 0; b < 256; b++) {
		char in = (char)b, want[16];
		size_t n;
		char *out = run(JSON, &in, 1, &n);
		unsigned char dec[8];

		if (b == '"' || b == '\\')
			sprintf(want, "\"\\%c\"", b);
		else if (json_short(b))
			sprintf(want, "\"\\%c\"", json_short(b));
		else if (b < 0x20 || b == 0x7f)
			sprintf(want, "\"\\u%04x\"", b);
		else if (b >= 0x80)
			sprintf(want, "\"\\udc%02x\"", b);
		else
			sprintf(want, "\"%c\"", b);
		assert_string_equal(out, want);
		assert_int_equal(json_decode(out, n, dec), 1);
		assert_int_equal(dec[0], b);
		free(out);
	}
}

/* What escape_json writes for one byte alone, without the quotes. */
static void json_byte_want(unsigned char b, char *want)
{
	if (b == '"' || b == '\\')
		sprintf(want, "\\%c", b);
	else if (json_short(b))
		sprintf(want, "\\%c", json_short(b));
	else if (b < 0x20 || b == 0x7f)
		sprintf(want, "\\u%04x", b);
	else if (b >= 0x80)
		sprintf(want, "\\udc%02x", b);
	else
		sprintf(want, "%c", b);
}

/* Plain runs are scanned 8 bytes at a time: every byte at every offset of a run, and runs of every length
 * around it, so that each position in a word and each tail is seen to find it. */
static void test_byte_in_plain_run(void **state)
{
	char in[40], want[64], esc[16], qesc[16], jesc[16];

	(void)state;
	for (unsigned int b = 0; b < 256; b++) {
		text_byte_want((unsigned char)b, false, esc);
		text_byte_want((unsigned char)b, true, qesc);
		json_byte_want((unsigned char)b, jesc);
		for (size_t len = 1; len <= sizeof(in); len++) {
			for (size_t at = 0; at < len; at++) {
				int pre = (int)at, post = (int)(len - at - 1);

				memset(in, 'a', len);
				in[at] = (char)b;
				snprintf(want, sizeof(want), "%.*s%s%.*s", pre, in, esc, post, in + at + 1);
				check(TEXT, in, len, want);
				snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", pre, in, qesc, post,
					 in + at + 1);
				check(TEXT_QUOTED, in, len, want);
				snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", pre, in, jesc, post,
					 in + at + 1);
				check(JSON, in, len, want);
			}
		}
	}
}

static void test_json_examples(void **state)
{
	(void)state;
	check(JSON, S(""), "\"\"");
	check(JSON, S("a b"), "\"a b\"");
	check(JSON, S("\"\\"), "\"\\\"\\\\\"");
	check(JSON, S("/"), "\"/\"");
	check(JSON, S("\x7f"), "\"\\u007f\"");
	check(JSON, S("\x1b[0m"), "\"\\u001b[0m\"");
	check(JSON, S("\xc2\x85"), "\"\\u0085\"");
	check(JSON, S("\xc2\x9b\xc2\x9f\xc2\xa0"), "\"\\u009b\\u009f\xc2\xa0\"");
	check(JSON, S("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	check(JSON, S("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");
	check(JSON, S("\xff"), "\"\\udcff\"");
	check(JSON, S("a\xe2\x80\xae!"), "\"a\\u202e!\"");
	check(JSON, S("\xe2\x80\xa8\xe2\x81\xa9"), "\"\\u2028\\u2069\"");
	check(JSON, S("\xed\xa0\x80"), "\"\\udced\\udca0\\udc80\"");
	check(JSON, S("\xed\xbf\xbf"), "\"\\udced\\udcbf\\udcbf\"");
	check(JSON, S("\xc0\xaf\xc1\xbf"), "\"\\udcc0\\udcaf\\udcc1\\udcbf\"");
	check(JSON, S("\xf4\x90\x80\x80"), "\"\\udcf4\\udc90\\udc80\\udc80\"");
	check(JSON, S("\xe2\x82"), "\"\\udce2\\udc82\"");
}

/* What each mode must write for an invisible code point. */
static void invisible_want(unsigned int cp, char *text, char *json)
{
	unsigned int v = cp - 0x10000;

	if (cp < 0x10000) {
		sprintf(text, "\\u%04x", cp);
		sprintf(json, "\"\\u%04x\"", cp);
	} else {
		sprintf(text, "\\U%08x", cp);
		sprintf(json, "\"\\u%04x\\u%04x\"", 0xd800 | v >> 10, 0xdc00 | (v & 0x3ff));
	}
}

static void test_unicode_data_all_escaped(void **state)
{
	unsigned char in[4], dec[4];
	char text[16], json[16];
	size_t checked = 0;

	(void)state;
	/* The reading of the data found the sets, whatever the build's generator made of them. */
	assert_true(invisible_count > 4000);
	assert_true(ref_invisible(0x061c) && ref_invisible(0x200b) && ref_invisible(0x2066) &&
		    ref_invisible(0xe0041) && ref_invisible(0x2028));
	for (unsigned int cp = 0; cp < CP_COUNT; cp++) {
		size_t len, n;
		char *out;

		if (!ref_invisible(cp))
			continue;
		len = put_utf8(in, cp);
		invisible_want(cp, text, json);
		check(TEXT, (const char *)in, len, text);
		out = run(JSON, (const char *)in, len, &n);
		assert_string_equal(out, json);
		assert_int_equal(json_decode(out, n, dec), len);
		assert_memory_equal(dec, in, len);
		free(out);
		checked++;
	}
	assert_int_equal(checked, invisible_count);
}

/* Every other scalar value from U+00A0 on, all in one string, goes through both modes untouched. */
static void test_unicode_others_kept(void **state)
{
	unsigned char *in = malloc((size_t)CP_COUNT * 4);
	size_t len = 0, n;
	char *out;

	(void)state;
	assert_non_null(in);
	for (unsigned int cp = 0xa0; cp < CP_COUNT; cp++) {
		if (!ref_invisible(cp) && (cp < 0xd800 || cp > 0xdfff))
			len += put_utf8(in + len, cp);
	}
	out = run(TEXT, (const char *)in, len, &n);
	assert_int_equal(n, len);
	assert_memory_equal(out, in, len);
	free(out);
	out = run(JSON, (const char *)in, len, &n);
	assert_int_equal(n, len + 2);
	assert_memory_equal(out + 1, in, len);
	free(out);
	free(in);
}

static void test_unicode_examples(void **state)
{
	/* Letters of several scripts, CJK, Hangul, emoji, symbols: none is touched, in either mode. */
	static const char *const kept[] = {
	    "\xc3\xa9",		/* U+00E9 e acute */
	    "\xce\xb1",		/* U+03B1 Greek alpha */
	    "\xd0\x96",		/* U+0416 Cyrillic zhe */
	    "\xd7\x90",		/* U+05D0 Hebrew alef */
	    "\xd8\xa8",		/* U+0628 Arabic beh */
	    "\xe0\xa4\x95",	/* U+0915 Devanagari ka */
	    "\xe0\xb8\x81",	/* U+0E01 Thai ko kai */
	    "\xe1\x84\x80",	/* U+1100 Hangul choseong kiyeok, next to the fillers */
	    "\xea\xb0\x80",	/* U+AC00 Hangul syllable ga */
	    "\xe4\xb8\xad",	/* U+4E2D CJK */
	    "\xe3\x81\x82",	/* U+3042 Hiragana a */
	    "\xf0\xa0\x80\x80", /* U+20000 CJK extension B */
	    "\xf0\x9f\x98\x80", /* U+1F600 emoji */
	    "\xf0\x9f\xa7\x91", /* U+1F9D1 emoji */
	    "\xe2\x82\xac",	/* U+20AC euro */
	    "\xef\xbf\xbd",	/* U+FFFD replacement character */
	    "\xf4\x8f\xbf\xbf", /* U+10FFFF, the last */
	};

	(void)state;
	for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++) {
		char json[8];

		snprintf(json, sizeof(json), "\"%s\"", kept[k]);
		check(TEXT, kept[k], strlen(kept[k]), kept[k]);
		check(JSON, kept[k], strlen(kept[k]), json);
	}
	check(TEXT, S("r\xe2\x80\x8bm"), "r\\u200bm"); /* not "rm" */
	check(JSON, S("r\xe2\x80\x8bm"), "\"r\\u200bm\"");
	check(TEXT, S("\xd8\x9c"), "\\u061c"); /* Arabic letter mark: a bidi control */
	check(JSON, S("\xd8\x9c"), "\"\\u061c\"");
	check(TEXT, S("\xef\xbb\xbf"), "\\ufeff");
	check(JSON, S("\xef\xbb\xbf"), "\"\\ufeff\"");
	check(TEXT, S("\xc2\xad"), "\\u00ad"); /* soft hyphen: a code point, not a C1 control's two bytes */
	check(JSON, S("\xc2\xad"), "\"\\u00ad\"");
	check(TEXT, S("\xe3\x85\xa4"), "\\u3164");
	check(JSON, S("\xe3\x85\xa4"), "\"\\u3164\"");
	check(TEXT, S("\xf3\xa0\x81\x81"), "\\U000e0041"); /* tag A */
	check(JSON, S("\xf3\xa0\x81\x81"), "\"\\udb40\\udc41\"");
	check(TEXT, S("\xf0\x9d\x85\xb3"), "\\U0001d173");
	check(JSON, S("\xf0\x9d\x85\xb3"), "\"\\ud834\\udd73\"");
	check(TEXT_QUOTED, S("\xe2\x81\xa0"), "\"\\u2060\"");
	/* The emoji's zero-width joiner is escaped too: its parts stay readable. */
	check(TEXT, S("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb"),
	      "\xf0\x9f\x91\xa9\\u200d\xf0\x9f\x92\xbb");
	check(TEXT, S("\\U000e0041"), "\\\\U000e0041"); /* cannot pass for an escape */
}

/* A pair's low half can fall in U+DC80..U+DCFF, as an invalid byte does alone; the two still decode apart. */
static void test_json_pair_next_to_bad_byte(void **state)
{
	static const char in[] = "\xf3\xa0\x82\x80\x80\xf3\xa0\x83\xbf\xff";
	unsigned char dec[sizeof(in)];
	size_t n;
	char *out;

	(void)state;
	out = run(JSON, S(in), &n);
	assert_string_equal(out, "\"\\udb40\\udc80\\udc80\\udb40\\udcff\\udcff\"");
	assert_int_equal(json_decode(out, n, dec), sizeof(in) - 1);
	assert_memory_equal(dec, in, sizeof(in) - 1);
	free(out);
	check(TEXT, S(in), "\\U000e0080\\x80\\U000e00ff\\xff");
}

static void test_all_bytes_string(void **state)
{
	char in[256];

	(void)state;
	for (unsigned int b = 0; b < 256; b++)
		in[b] = (char)b;
	round_trip(in, sizeof(in));
	/* Backwards, so that leads meet the continuation bytes below them. */
	for (unsigned int b = 0; b < 256; b++)
		in[b] = (char)(255 - b);
	round_trip(in, sizeof(in));
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

static void test_random_strings(void **state)
{
	/* Uniform bytes rarely make valid multibyte UTF-8, so pieces of interesting text are mixed in. */
	static const char *const pieces[] = {"a",
					     "\\",
					     "\"",
					     "\n",
					     "\x1b[",
					     "\x7f",
					     "\xc3\xa9",
					     "\xc2\x9b",
					     "\xc2\xa0",
					     "\xe2\x80\xae",
					     "\xe2\x81\xa6",
					     "\xe2\x80\xa8",
					     "\xe2\x80\x8b",
					     "\xc2\xad",
					     "\xd8\x9c",
					     "\xef\xbb\xbf",
					     "\xef\xb8\x8f",
					     "\xe3\x85\xa4",
					     "\xf3\xa0\x81\x81",
					     "\xf3\xa0\x82\x80",
					     "\xf0\x9d\x85\xb3",
					     "\xef\xbf\xbd",
					     "\xf0\x9f\x98\x80",
					     "\xf4\x8f\xbf\xbf",
					     "\xed\xa0\x80",
					     "\xed\x9f\xbf",
					     "\xc0\xaf",
					     "\xe0\x9f\xbf",
					     "\xf0\x8f\xbf\xbf",
					     "\xf4\x90\x80\x80",
					     "\xff",
					     "\x80"};
	char in[64];

	(void)state;
	for (int k = 0; k < 1000; k++) {
		size_t want = rng() % 65, len = 0;

		while (len < want) {
			if (rng() % 2) {
				in[len++] = (char)rng();
			} else {
				const char *p = pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
				size_t n = strlen(p);

				/* Cut at the end of the buffer: truncated sequences are a case too. */
				if (n > want - len)
					n = want - len;
				memcpy(in + len, p, n);
				len += n;
			}
		}
		round_trip(in, len);
	}
}

static size_t seq_len(const char *s, size_t n)
{
	char *copy = exact_copy(s, n);
	size_t r = utf8_seq_len((const unsigned char *)copy, n);

	free(copy);
	return r;
}

static void test_utf8_seq_len(void **state)
{
	(void)state;
	assert_int_equal(seq_len(S("A")), 1);
	assert_int_equal(seq_len(S("\0")), 1);
	assert_int_equal(seq_len(S("\x7f")), 1);
	assert_int_equal(seq_len(S("\xc2\x80")), 2);
	assert_int_equal(seq_len(S("\xc3\xa9zz")), 2);
	assert_int_equal(seq_len(S("\xdf\xbf")), 2);
	assert_int_equal(seq_len(S("\xe0\xa0\x80")), 3);
	assert_int_equal(seq_len(S("\xed\x9f\xbf")), 3); /* U+D7FF, just below the surrogates */
	assert_int_equal(seq_len(S("\xee\x80\x80")), 3); /* U+E000, just above */
	assert_int_equal(seq_len(S("\xef\xbf\xbf")), 3);
	assert_int_equal(seq_len(S("\xf0\x90\x80\x80")), 4);
	assert_int_equal(seq_len(S("\xf0\x9f\x98\x80")), 4);
	assert_int_equal(seq_len(S("\xf4\x8f\xbf\xbf")), 4);

	assert_int_equal(seq_len("A", 0), 0);
	/* Continuation bytes cannot start a sequence. */
	assert_int_equal(seq_len(S("\x80")), 0);
	assert_int_equal(seq_len(S("\xbf\x80")), 0);
	/* Overlong. */
	assert_int_equal(seq_len(S("\xc0\x80")), 0);
	assert_int_equal(seq_len(S("\xc1\xbf")), 0);
	assert_int_equal(seq_len(S("\xe0\x80\x80")), 0);
	assert_int_equal(seq_len(S("\xe0\x9f\xbf")), 0);
	assert_int_equal(seq_len(S("\xf0\x80\x80\x80")), 0);
	assert_int_equal(seq_len(S("\xf0\x8f\xbf\xbf")), 0);
	/* Surrogates. */
	assert_int_equal(seq_len(S("\xed\xa0\x80")), 0);
	assert_int_equal(seq_len(S("\xed\xbf\xbf")), 0);
	/* Beyond U+10FFFF. */
	assert_int_equal(seq_len(S("\xf4\x90\x80\x80")), 0);
	assert_int_equal(seq_len(S("\xf5\x80\x80\x80")), 0);
	assert_int_equal(seq_len(S("\xf7\xbf\xbf\xbf")), 0);
	assert_int_equal(seq_len(S("\xf8\x88\x80\x80\x80")), 0);
	assert_int_equal(seq_len(S("\xfe")), 0);
	assert_int_equal(seq_len(S("\xff")), 0);
	/* Cut short by n. */
	assert_int_equal(seq_len(S("\xc3")), 0);
	assert_int_equal(seq_len(S("\xe2\x82")), 0);
	assert_int_equal(seq_len(S("\xf0\x9f\x98")), 0);
	/* A non-continuation byte inside. */
	assert_int_equal(seq_len(S("\xc3\x41")), 0);
	assert_int_equal(seq_len(S("\xc3\xc3")), 0);
	assert_int_equal(seq_len(S("\xe2\x28\xa1")), 0);
	assert_int_equal(seq_len(S("\xe2\x82\x28")), 0);
	assert_int_equal(seq_len(S("\xf0\x9f\x28\x80")), 0);
	assert_int_equal(seq_len(S("\xf0\x9f\x98\x28")), 0);
}

/* Every two-byte start, followed by each kind of byte, and every length cut, against the reference. */
static void test_utf8_seq_len_exhaustive(void **state)
{
	static const unsigned char tails[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
					      0x9f, 0xa0, 0xbf, 0xc0, 0xff};
	unsigned char s[4];

	(void)state;
	for (unsigned int a = 0; a < 256; a++) {
		for (unsigned int b = 0; b < 256; b++) {
			for (size_t t = 0; t < sizeof(tails); t++) {
				s[0] = (unsigned char)a;
				s[1] = (unsigned char)b;
				s[2] = s[3] = tails[t];
				for (size_t n = 0; n <= 4; n++)
					assert_int_equal(utf8_seq_len(s, n), ref_utf8_len(s, n));
			}
		}
	}
}

static void test_write_error_dev_full(void **state)
{
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	assert_int_equal(setvbuf(f, NULL, _IONBF, 0), 0);
	assert_int_equal(escape_text(f, S("plain"), false), -1);
	assert_int_equal(escape_text(f, S("\x1b"), false), -1);
	assert_int_equal(escape_text(f, S(""), true), -1);
	assert_int_equal(escape_json(f, S("plain")), -1);
	assert_int_equal(escape_json(f, S("")), -1);
	fclose(f);
}

/* A stream that takes `room` bytes, then fails: so every write in the escapers is seen to fail. */
struct limited {
	char buf[256];
	size_t used, room;
};

static ssize_t limited_write(void *cookie, const char *p, size_t n)
{
	struct limited *l = cookie;

	if (n > l->room - l->used)
		n = l->room - l->used;
	memcpy(l->buf + l->used, p, n);
	l->used += n;
	/* fopencookie(3): 0 is the error return; a negative one is mistaken for success by glibc. */
	if (!n)
		errno = ENOSPC;
	return (ssize_t)n;
}

static void fail_at_every_byte(enum mode m, const char *in, size_t len, const char *want)
{
	size_t total = strlen(want);

	assert_true(total < sizeof(((struct limited *)0)->buf));
	for (size_t room = 0; room <= total; room++) {
		struct limited l = {.used = 0, .room = room};
		cookie_io_functions_t io = {.write = limited_write};
		FILE *f = fopencookie(&l, "w", io);
		int r;

		assert_non_null(f);
		assert_int_equal(setvbuf(f, NULL, _IONBF, 0), 0);
		r = m == JSON ? escape_json(f, in, len) : escape_text(f, in, len, m == TEXT_QUOTED);
		assert_int_equal(r, room < total ? -1 : 0);
		fclose(f);
		assert_memory_equal(l.buf, want, l.used);
	}
}

static void test_write_error_each_point(void **state)
{
	static const char in[] = "ab\x1bz\xc2\x9b\xe2\x80\xae\xff\xc3\xa9\"\\";

	(void)state;
	fail_at_every_byte(TEXT, S(in), "ab\\x1bz\\xc2\\x9b\\u202e\\xff\xc3\xa9\"\\\\");
	fail_at_every_byte(TEXT_QUOTED, S(in), "\"ab\\x1bz\\xc2\\x9b\\u202e\\xff\xc3\xa9\\\"\\\\\"");
	fail_at_every_byte(JSON, S(in), "\"ab\\u001bz\\u009b\\u202e\\udcff\xc3\xa9\\\"\\\\\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_every_byte),
	    cmocka_unit_test(test_text_examples),
	    cmocka_unit_test(test_json_every_byte),
	    cmocka_unit_test(test_json_examples),
	    cmocka_unit_test(test_byte_in_plain_run),
	    cmocka_unit_test(test_unicode_data_all_escaped),
	    cmocka_unit_test(test_unicode_others_kept),
	    cmocka_unit_test(test_unicode_examples),
	    cmocka_unit_test(test_json_pair_next_to_bad_byte),
	    cmocka_unit_test(test_all_bytes_string),
	    cmocka_unit_test(test_random_strings),
	    cmocka_unit_test(test_utf8_seq_len),
	    cmocka_unit_test(test_utf8_seq_len_exhaustive),
	    cmocka_unit_test(test_write_error_dev_full),
	    cmocka_unit_test(test_write_error_each_point),
	};

	return cmocka_run_group_tests_name("escape", tests, load_invisible, NULL);
}
