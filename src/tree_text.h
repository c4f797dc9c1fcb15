/* The text of a process on the tree: its command escaped as text mode escapes argv, and the columns that
 * escaped text takes on a terminal, for shortening it to fit without cutting an escape in two. */
#ifndef TREE_TEXT_H
#define TREE_TEXT_H

#include <stddef.h>
#include <stdio.h>
#include "history.h"

/* The command: its last exec's argv joined by spaces (its binary when argv was empty), " ..." when argv was
 * cut; "[comm]" when it never exec'd, then the argv of its first failed exec if it tried. 0, or -1 when
 * writing to m failed. */
int tree_command(FILE *m, const struct hist_proc *p);
/* A string from a record, escaped; \? when unreadable. */
int tree_str(FILE *m, const char *s, size_t len);
/* Columns the escaped text s[0..len) takes: an escape is plain ASCII, a character of East Asian width two
 * takes two. */
size_t text_cols(const char *s, size_t len);
/* Bytes of the longest start of the escaped text s[0..len) that takes at most cols columns and ends between
 * two escapes or characters. */
size_t text_fit(const char *s, size_t len, size_t cols);
/* A duration, in at most 7 columns below 1,000 hours: 0.003s, 41.52s, 12m05s, 3h07m (cut, not rounded). */
void tree_duration(char *buf, size_t size, unsigned long long ns);

#endif
