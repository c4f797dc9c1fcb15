/* The -n and -l patterns (PCRE2): compiled once, matched against untrusted bytes at a bounded cost. */
#ifndef MATCH_H
#define MATCH_H

#include <stddef.h>

struct matcher;

enum match_result {
	MATCH_NO,
	MATCH_YES,
	MATCH_ABANDONED /* a limit was reached before the answer: the subject is too costly for the pattern */
};

/* 0 and *out set; -EINVAL for a pattern PCRE2 rejects, with its message and the offset in msg; -ENOMEM. */
int matcher_new(struct matcher **out, const char *pattern, char *msg, size_t size);
/* Whether the pattern matches s[0..len), bytes of any value, a NUL included. */
enum match_result matcher_match(struct matcher *m, const char *s, size_t len);
/* NULL is harmless. */
void matcher_free(struct matcher *m);

#endif
