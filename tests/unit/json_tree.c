// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "json_tree.h"

struct parser {
	const char *s;
	size_t len, i;
};

/* Deeper than any test's document: the recursion stays bounded on bad input. */
#define MAX_DEPTH 64

static void skip_ws(struct parser *p)
{
	while (p->i < p->len && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i])
		p->i++;
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->i < n || memcmp(p->s + p->i, word, n))
		return false;
	p->i += n;
	return true;
}

static bool digits(struct parser *p)
{
	size_t start = p->i;

	while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > start;
}

static bool number(struct parser *p, struct json *j)
{
	size_t start = p->i;

	if (p->i < p->len && p->s[p->i] == '-')
		p->i++;
	if (p->i < p->len && p->s[p->i] == '0')
		p->i++;
	else if (!digits(p))
		return false;
	if (p->i < p->len && p->s[p->i] == '.') {
		p->i++;
		if (!digits(p))
			return false;
	}
	if (p->i < p->len && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->len && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (!digits(p))
			return false;
	}
	j->type = JSON_NUMBER;
	j->raw_len = p->i - start;
	j->raw = strndup(p->s + start, j->raw_len);
	if (!j->raw)
		return false;
	j->num = strtod(j->raw, NULL);
	return true;
}

static int hex4(const char *s)
{
	int v = 0;

	for (int k = 0; k < 4; k++) {
		char c = s[k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The string at p (its opening quote), its raw text and value into j. */
static bool string(struct parser *p, struct json *j)
{
	size_t start = ++p->i, n = 0;
	char *out;

	while (p->i < p->len && p->s[p->i] != '"') {
		if ((unsigned char)p->s[p->i] < 0x20)
			return false;
		p->i += p->s[p->i] == '\\' ? 2 : 1;
	}
	if (p->i >= p->len)
		return false;
	j->type = JSON_STRING;
	j->raw_len = p->i - start;
	j->raw = strndup(p->s + start, j->raw_len);
	/* A value is never longer than its text. */
	out = j->str = malloc(j->raw_len + 1);
	p->i++;
	if (!j->raw || !out)
		return false;
	for (size_t k = 0; k < j->raw_len;) {
		const char *r = j->raw + k;
		int cp;

		if (*r != '\\') {
			out[n++] = *r;
			k++;
			continue;
		}
		k += 2;
		switch (r[1]) {
		case '"':
		case '\\':
		case '/':
			out[n++] = r[1];
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u':
			if (j->raw_len - k < 4 || (cp = hex4(r + 2)) < 0)
				return false;
			k += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && j->raw_len - k >= 6 && r[6] == '\\' &&
			    r[7] == 'u') {
				int lo = hex4(r + 8);

				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					k += 6;
				}
			}
			n += put_utf8(out + n, (unsigned int)cp);
			break;
		default:
			return false;
		}
	}
	out[n] = '\0';
	j->str_len = n;
	return true;
}

static bool value(struct parser *p, struct json *j, int depth);

static bool grow(struct json *j)
{
	struct json *items;
	char **keys;

	if (!(j->n & (j->n - 1)) || !j->n) {
		size_t cap = j->n ? j->n * 2 : 1;

		items = realloc(j->items, cap * sizeof(*items));
		if (!items)
			return false;
		j->items = items;
		if (j->type == JSON_OBJECT) {
			keys = realloc(j->keys, cap * sizeof(*keys));
			if (!keys)
				return false;
			j->keys = keys;
		}
	}
	memset(&j->items[j->n], 0, sizeof(j->items[j->n]));
	if (j->type == JSON_OBJECT)
		j->keys[j->n] = NULL;
	j->n++;
	return true;
}

static bool container(struct parser *p, struct json *j, int depth)
{
	char close = p->s[p->i] == '[' ? ']' : '}';

	j->type = close == ']' ? JSON_ARRAY : JSON_OBJECT;
	p->i++;
	skip_ws(p);
	if (p->i < p->len && p->s[p->i] == close) {
		p->i++;
		return true;
	}
	for (;;) {
		struct json key = {0};

		if (!grow(j))
			return false;
		if (j->type == JSON_OBJECT) {
			bool ok;

			skip_ws(p);
			ok = p->i < p->len && p->s[p->i] == '"' && string(p, &key) &&
			     strlen(key.str) == key.str_len && !json_get(j, key.str);
			free(key.raw);
			if (!ok) {
				free(key.str);
				return false;
			}
			j->keys[j->n - 1] = key.str;
			skip_ws(p);
			if (p->i >= p->len || p->s[p->i++] != ':')
				return false;
		}
		if (!value(p, &j->items[j->n - 1], depth + 1))
			return false;
		skip_ws(p);
		if (p->i < p->len && p->s[p->i] == close) {
			p->i++;
			return true;
		}
		if (p->i >= p->len || p->s[p->i++] != ',')
			return false;
	}
}

static bool value(struct parser *p, struct json *j, int depth)
{
	skip_ws(p);
	if (p->i >= p->len || depth > MAX_DEPTH)
		return false;
	switch (p->s[p->i]) {
	case '{':
	case '[':
		return container(p, j, depth);
	case '"':
		return string(p, j);
	case 't':
		j->type = JSON_BOOL;
		j->b = true;
		return literal(p, "true");
	case 'f':
		j->type = JSON_BOOL;
		return literal(p, "false");
	case 'n':
		j->type = JSON_NULL;
		return literal(p, "null");
	default:
		return number(p, j);
	}
}

static void release(struct json *j)
{
	for (size_t k = 0; k < j->n; k++) {
		release(&j->items[k]);
		if (j->keys)
			free(j->keys[k]);
	}
	free(j->items);
	free(j->keys);
	free(j->raw);
	free(j->str);
}

struct json *json_parse(const char *s, size_t len)
{
	struct parser p = {s, len, 0};
	struct json *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	if (value(&p, j, 0)) {
		skip_ws(&p);
		if (p.i == len)
			return j;
	}
	json_free(j);
	return NULL;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t k = 0; k < obj->n; k++)
		if (obj->keys[k] && !strcmp(obj->keys[k], key))
			return &obj->items[k];
	return NULL;
}

bool json_str_is(const struct json *j, const char *s)
{
	return j && j->type == JSON_STRING && j->str_len == strlen(s) && !memcmp(j->str, s, j->str_len);
}

void json_free(struct json *j)
{
	if (!j)
		return;
	release(j);
	free(j);
}
