// SPDX-License-Identifier: GPL-2.0
/* Recursive descent, its depth bounded by JSON_DEPTH_MAX, so that "[[[[..." cannot exhaust the stack. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "json_read.h"

struct parser {
	struct json_doc *d;
	const char *s;
	size_t len, pos;
};

static int fail(struct parser *p, const char *what)
{
	p->d->error = what;
	p->d->error_at = p->pos;
	return -EINVAL;
}

static int fail_at(struct parser *p, size_t at, const char *what)
{
	p->pos = at;
	return fail(p, what);
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int new_node(struct parser *p, enum json_type type, size_t *n)
{
	struct json_doc *d = p->d;

	if (d->nnodes == d->nodes_cap) {
		size_t cap = d->nodes_cap ? d->nodes_cap * 2 : 64;
		struct json_node *nodes;

		if (cap > SIZE_MAX / sizeof(*nodes))
			return -ENOMEM;
		nodes = realloc(d->nodes, cap * sizeof(*nodes));
		if (!nodes)
			return -ENOMEM;
		d->nodes = nodes;
		d->nodes_cap = cap;
	}
	*n = d->nnodes++;
	memset(&d->nodes[*n], 0, sizeof(d->nodes[*n]));
	d->nodes[*n].type = type;
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The four hex digits of a \u escape at p->pos (past the "\u"). */
static int read_hex4(struct parser *p, unsigned int *cp)
{
	*cp = 0;
	if (p->len - p->pos < 4)
		return fail(p, "a \\u escape cut short");
	for (int i = 0; i < 4; i++) {
		int v = hex_value(p->s[p->pos + i]);

		if (v < 0)
			return fail(p, "a \\u escape without four hex digits");
		*cp = *cp << 4 | (unsigned int)v;
	}
	p->pos += 4;
	return 0;
}

static void put_utf8(struct json_doc *d, unsigned int cp)
{
	char *o = d->bytes + d->nbytes;

	if (cp < 0x80) {
		o[0] = (char)cp;
		d->nbytes += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		d->nbytes += 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		d->nbytes += 3;
	} else {
		o[0] = (char)(0xf0 | cp >> 18);
		o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		d->nbytes += 4;
	}
}

/* A \u escape (p->pos past the "\u"): a code point, a surrogate pair, or a lone low surrogate \udc80-\udcff,
 * which is exectrace's way of writing a byte that was not UTF-8 (Python's surrogateescape). */
static int unicode_escape(struct parser *p)
{
	size_t start = p->pos - 2; /* where an error is said to be: the escape's backslash */
	unsigned int cp, low;
	int err = read_hex4(p, &cp);

	if (err)
		return err;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
			return fail_at(p, start, "a high surrogate without its low half");
		p->pos += 2;
		if ((err = read_hex4(p, &low)))
			return err;
		if (low < 0xdc00 || low > 0xdfff)
			return fail_at(p, start, "a high surrogate without its low half");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		if (cp < 0xdc80 || cp > 0xdcff)
			return fail_at(p, start, "a lone low surrogate that names no byte (\\udc80-\\udcff)");
		p->d->bytes[p->d->nbytes++] = (char)(cp - 0xdc00);
		return 0;
	}
	put_utf8(p->d, cp);
	return 0;
}

static int escape(struct parser *p)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *at;
	char c;

	if (p->pos == p->len)
		return fail(p, "a string cut short");
	c = p->s[p->pos++];
	if (c == 'u')
		return unicode_escape(p);
	at = c ? strchr(from, c) : NULL;
	if (!at) {
		p->pos--;
		return fail(p, "an unknown escape in a string");
	}
	p->d->bytes[p->d->nbytes++] = to[at - from];
	return 0;
}

/* A string at p->pos (its opening quote), decoded into the document's bytes. */
static int parse_string(struct parser *p, size_t *off, size_t *len)
{
	struct json_doc *d = p->d;
	int err;

	p->pos++;
	*off = d->nbytes;
	for (;;) {
		unsigned char c;
		size_t n;

		if (p->pos == p->len)
			return fail(p, "a string cut short");
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			*len = d->nbytes - *off;
			d->bytes[d->nbytes++] = '\0';
			return 0;
		}
		if (c == '\\') {
			p->pos++;
			if ((err = escape(p)))
				return err;
			continue;
		}
		if (c < 0x20)
			return fail(p, "a control character in a string");
		n = c < 0x80 ? 1 : utf8_seq_len((const unsigned char *)p->s + p->pos, p->len - p->pos);
		if (!n)
			return fail(p, "invalid UTF-8 in a string");
		memcpy(d->bytes + d->nbytes, p->s + p->pos, n);
		d->nbytes += n;
		p->pos += n;
	}
}

static bool is_digit(const struct parser *p)
{
	return p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9';
}

static void skip_digits(struct parser *p)
{
	while (is_digit(p))
		p->pos++;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, kept as written. */
static int parse_number(struct parser *p, size_t n)
{
	struct json_doc *d = p->d;
	size_t start = p->pos;

	if (p->s[p->pos] == '-')
		p->pos++;
	if (!is_digit(p))
		return fail(p, "a number without digits");
	if (p->s[p->pos] == '0')
		p->pos++;
	else
		skip_digits(p);
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (!is_digit(p))
			return fail(p, "a number without digits after its '.'");
		skip_digits(p);
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (!is_digit(p))
			return fail(p, "a number without digits in its exponent");
		skip_digits(p);
	}
	d->nodes[n].text = d->nbytes;
	d->nodes[n].text_len = p->pos - start;
	memcpy(d->bytes + d->nbytes, p->s + start, p->pos - start);
	d->nbytes += p->pos - start;
	d->bytes[d->nbytes++] = '\0';
	return 0;
}

static int parse_literal(struct parser *p, const char *word, enum json_type type, size_t *n)
{
	size_t wlen = strlen(word);

	if (p->len - p->pos < wlen || memcmp(p->s + p->pos, word, wlen) != 0)
		return fail(p, "an unexpected character");
	p->pos += wlen;
	return new_node(p, type, n);
}

static int parse_value(struct parser *p, unsigned int depth, size_t *n);

/* Appends kid to the array or object n, after prev (0: as its first). */
static void link_kid(struct json_doc *d, size_t n, size_t prev, size_t kid)
{
	if (prev)
		d->nodes[prev].next = kid;
	else
		d->nodes[n].child = kid;
}

static int parse_array(struct parser *p, unsigned int depth, size_t *n)
{
	size_t prev = 0, kid;
	int err;

	if (depth >= JSON_DEPTH_MAX)
		return fail(p, "arrays and objects nested too deep");
	if ((err = new_node(p, JSON_ARRAY, n)))
		return err;
	p->pos++;
	skip_space(p);
	if (p->pos < p->len && p->s[p->pos] == ']') {
		p->pos++;
		return 0;
	}
	for (;;) {
		if ((err = parse_value(p, depth + 1, &kid)))
			return err;
		link_kid(p->d, *n, prev, kid);
		prev = kid;
		skip_space(p);
		if (p->pos == p->len)
			return fail(p, "an array cut short");
		if (p->s[p->pos] == ']') {
			p->pos++;
			return 0;
		}
		if (p->s[p->pos] != ',')
			return fail(p, "an array with no ',' or ']' after an element");
		p->pos++;
	}
}

static int parse_object(struct parser *p, unsigned int depth, size_t *n)
{
	size_t prev = 0, kid, key, key_len;
	int err;

	if (depth >= JSON_DEPTH_MAX)
		return fail(p, "arrays and objects nested too deep");
	if ((err = new_node(p, JSON_OBJECT, n)))
		return err;
	p->pos++;
	skip_space(p);
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		skip_space(p);
		if (p->pos == p->len)
			return fail(p, "an object cut short");
		if (p->s[p->pos] != '"')
			return fail(p, "an object member without a quoted name");
		if ((err = parse_string(p, &key, &key_len)))
			return err;
		skip_space(p);
		if (p->pos == p->len || p->s[p->pos] != ':')
			return fail(p, "an object member without ':' after its name");
		p->pos++;
		if ((err = parse_value(p, depth + 1, &kid)))
			return err;
		p->d->nodes[kid].key = key;
		p->d->nodes[kid].key_len = key_len;
		link_kid(p->d, *n, prev, kid);
		prev = kid;
		skip_space(p);
		if (p->pos == p->len)
			return fail(p, "an object cut short");
		if (p->s[p->pos] == '}') {
			p->pos++;
			return 0;
		}
		if (p->s[p->pos] != ',')
			return fail(p, "an object with no ',' or '}' after a member");
		p->pos++;
	}
}

static int parse_value(struct parser *p, unsigned int depth, size_t *n)
{
	int err;

	skip_space(p);
	if (p->pos == p->len)
		return fail(p, "a value missing at the end");
	switch (p->s[p->pos]) {
	case '{':
		return parse_object(p, depth, n);
	case '[':
		return parse_array(p, depth, n);
	case '"':
		if ((err = new_node(p, JSON_STRING, n)))
			return err;
		return parse_string(p, &p->d->nodes[*n].text, &p->d->nodes[*n].text_len);
	case 't':
		return parse_literal(p, "true", JSON_TRUE, n);
	case 'f':
		return parse_literal(p, "false", JSON_FALSE, n);
	case 'n':
		return parse_literal(p, "null", JSON_NULL, n);
	default:
		if (p->s[p->pos] != '-' && !is_digit(p))
			return fail(p, "an unexpected character");
		if ((err = new_node(p, JSON_NUMBER, n)))
			return err;
		return parse_number(p, *n);
	}
}

void json_doc_init(struct json_doc *d)
{
	memset(d, 0, sizeof(*d));
}

void json_doc_free(struct json_doc *d)
{
	free(d->nodes);
	free(d->bytes);
	json_doc_init(d);
}

int json_parse(struct json_doc *d, const char *text, size_t len)
{
	struct parser p = {.d = d, .s = text, .len = len};
	size_t need, root;
	int err;

	d->nnodes = d->nbytes = 0;
	d->error = NULL;
	d->error_at = 0;
	/* Each token's bytes are at most its text's (an escape is never shorter than what it stands for), and
	 * each adds a NUL after at least one byte of text: twice the text is room for all. */
	if (len > (SIZE_MAX - 1) / 2)
		return -ENOMEM;
	need = 2 * len + 1;
	if (d->bytes_cap < need) {
		char *bytes = realloc(d->bytes, need);

		if (!bytes)
			return -ENOMEM;
		d->bytes = bytes;
		d->bytes_cap = need;
	}
	if ((err = parse_value(&p, 0, &root)))
		return err;
	skip_space(&p);
	if (p.pos != p.len)
		return fail(&p, "more after the value");
	return 0;
}

const struct json_node *json_node(const struct json_doc *d, size_t n)
{
	return n && n < d->nnodes ? &d->nodes[n] : NULL;
}

const struct json_node *json_root(const struct json_doc *d)
{
	return d->nnodes ? &d->nodes[0] : NULL;
}

const struct json_node *json_get(const struct json_doc *d, const struct json_node *obj, const char *name)
{
	size_t len = strlen(name);

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json_node *m = json_node(d, obj->child); m; m = json_node(d, m->next))
		if (m->key_len == len && memcmp(d->bytes + m->key, name, len) == 0)
			return m;
	return NULL;
}

const char *json_str(const struct json_doc *d, const struct json_node *n, size_t *len)
{
	*len = n->text_len;
	return d->bytes + n->text;
}

/* Digits only, into *v: 0, or -EINVAL past the largest value. */
static int digits_u64(const char *s, size_t len, unsigned long long *v)
{
	*v = 0;
	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned int digit = (unsigned int)(s[i] - '0');

		if (digit > 9 || *v > (ULLONG_MAX - digit) / 10)
			return -EINVAL;
		*v = *v * 10 + digit;
	}
	return 0;
}

int json_u64(const struct json_doc *d, const struct json_node *n, unsigned long long *v)
{
	if (!n || n->type != JSON_NUMBER)
		return -EINVAL;
	return digits_u64(d->bytes + n->text, n->text_len, v);
}

int json_s64(const struct json_doc *d, const struct json_node *n, long long *v)
{
	const char *s;
	unsigned long long u;
	bool neg;

	if (!n || n->type != JSON_NUMBER)
		return -EINVAL;
	s = d->bytes + n->text;
	neg = s[0] == '-';
	if (digits_u64(s + neg, n->text_len - neg, &u))
		return -EINVAL;
	if (neg ? u > (unsigned long long)LLONG_MAX + 1 : u > (unsigned long long)LLONG_MAX)
		return -EINVAL;
	*v = neg ? (long long)(0 - u) : (long long)u;
	return 0;
}

/* The digits of a number's mantissa, the '.' left out. */
struct mantissa {
	const char *whole, *frac;
	size_t nwhole, nfrac;
};

static unsigned int mantissa_digit(const struct mantissa *m, long long i)
{
	if (i < 0)
		return 0;
	if ((size_t)i < m->nwhole)
		return (unsigned int)(m->whole[i] - '0');
	if ((size_t)i - m->nwhole < m->nfrac)
		return (unsigned int)(m->frac[(size_t)i - m->nwhole] - '0');
	return 0;
}

/* Exactly, from the digits: a duration is written with nine decimals, and jq rewrites some as 5.5966e-05. */
int json_seconds_ns(const struct json_doc *d, const struct json_node *n, unsigned long long *ns)
{
	/* Past it, any mantissa that is not 0 overflows and any is below a nanosecond. */
	const long long exp_max = 100000;
	struct mantissa m = {0};
	const char *s, *end;
	long long exp = 0, point;

	if (!n || n->type != JSON_NUMBER)
		return -EINVAL;
	s = d->bytes + n->text;
	end = s + n->text_len;
	if (*s == '-')
		return -EINVAL;
	m.whole = s;
	while (s < end && *s >= '0' && *s <= '9')
		s++;
	m.nwhole = (size_t)(s - m.whole);
	if (s < end && *s == '.') {
		m.frac = ++s;
		while (s < end && *s >= '0' && *s <= '9')
			s++;
		m.nfrac = (size_t)(s - m.frac);
	}
	if (s < end) { /* the parser let only an exponent follow */
		bool exp_neg = false;

		s++;
		if (*s == '+' || *s == '-')
			exp_neg = *s++ == '-';
		for (; s < end; s++)
			if (exp < exp_max)
				exp = exp * 10 + (*s - '0');
		if (exp_neg)
			exp = -exp;
	}
	/* Nanoseconds: the digits before this position in the mantissa, rounded by the one at it. */
	point = (long long)m.nwhole + exp + 9;
	*ns = 0;
	for (long long i = 0; i < point; i++) {
		unsigned int digit = mantissa_digit(&m, i);

		if (*ns > (ULLONG_MAX - digit) / 10)
			return -ERANGE;
		*ns = *ns * 10 + digit;
	}
	if (mantissa_digit(&m, point) >= 5) {
		if (*ns == ULLONG_MAX)
			return -ERANGE;
		(*ns)++;
	}
	return 0;
}
