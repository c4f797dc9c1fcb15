/* A strict JSON parser for the tests: a document to a tree the tests walk (RFC 8259, plus no duplicate keys
 * in an object, so that a field written twice is caught). */
#ifndef JSON_TREE_H
#define JSON_TREE_H

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	bool b;
	double num;
	/* A number: its text. A string: raw is its text between the quotes as written (escapes and all), str
	 * its value in UTF-8 (a lone surrogate, as \udcff, in the three bytes UTF-8 would give it). */
	char *raw, *str;
	size_t raw_len, str_len;
	/* An array's items, or an object's values with their keys (NUL-terminated, decoded) in keys. */
	struct json *items;
	char **keys;
	size_t n;
};

/* The tree of s[0..len), one value with only whitespace around it; NULL when s is not JSON. */
struct json *json_parse(const char *s, size_t len);
/* The value of key in an object, or NULL when obj is not an object or has no such key. */
const struct json *json_get(const struct json *obj, const char *key);
/* The string value equals s (NUL-terminated). */
bool json_str_is(const struct json *j, const char *s);
void json_free(struct json *j);

#endif
