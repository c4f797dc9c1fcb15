/* A strict JSON (RFC 8259) parser of one text, such as a line of a JSON lines recording, into a tree of
 * nodes whose strings are decoded to bytes. Its own rather than a library's: exectrace writes bytes that are
 * not UTF-8 as lone low surrogates (\udcXX, docs/output.md#encoding), and reading them back gives the bytes.
 */
#ifndef JSON_READ_H
#define JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

/* Arrays and objects nest at most this deep: a record nests three levels. */
#define JSON_DEPTH_MAX 32

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/* Nodes are named by their index in the document (they move as it grows); the root is node 0, so 0 also
 * means "none" where a link can only name a node below the root. */
struct json_node {
	enum json_type type;
	size_t child;	       /* an array's first element, an object's first member; 0: empty */
	size_t next;	       /* the next element or member of the same array or object; 0: the last */
	size_t key, key_len;   /* a member's name: its bytes in the document */
	size_t text, text_len; /* a string's decoded bytes; a number's text as written */
};

struct json_doc {
	struct json_node *nodes;
	size_t nnodes, nodes_cap;
	char *bytes; /* every name, string and number, each followed by a NUL */
	size_t nbytes, bytes_cap;
	const char *error; /* after -EINVAL: what was wrong */
	size_t error_at;   /* and where: the offset in the text */
};

void json_doc_init(struct json_doc *d);
void json_doc_free(struct json_doc *d);
/* Parses text[0..len): exactly one value, with whitespace around it. 0, -EINVAL (error, error_at set), or
 * -ENOMEM. The document is reused: nodes and bytes of the previous text are gone. */
int json_parse(struct json_doc *d, const char *text, size_t len);

/* The node n; NULL for 0 when n is a link (child, next), so that loops read naturally. */
const struct json_node *json_node(const struct json_doc *d, size_t n);
const struct json_node *json_root(const struct json_doc *d);
/* An object's member by name (the first, should the name be there twice), or NULL. */
const struct json_node *json_get(const struct json_doc *d, const struct json_node *obj, const char *name);
/* A string's bytes (len of them, then a NUL; the bytes themselves may hold NULs). */
const char *json_str(const struct json_doc *d, const struct json_node *n, size_t *len);
/* A number that is a whole number in range, written without fraction or exponent: 0, or -EINVAL. */
int json_u64(const struct json_doc *d, const struct json_node *n, unsigned long long *v);
int json_s64(const struct json_doc *d, const struct json_node *n, long long *v);
/* A number of seconds, not negative, to the nanosecond (rounded): 0, -EINVAL, or -ERANGE. */
int json_seconds_ns(const struct json_doc *d, const struct json_node *n, unsigned long long *ns);

#endif
