// SPDX-License-Identifier: GPL-2.0
/* A process's command as the tree shows it, and how many columns escaped text takes. */
#include <stdbool.h>
#include <string.h>
#include "escape.h"
#include "tree_text.h"

int tree_str(FILE *m, const char *s, size_t len)
{
	if (!s)
		return fputs("\\?", m) == EOF ? -1 : 0;
	return escape_text(m, s, len, false);
}

/* As text mode writes ARGS after the binary: each argument escaped, \? when unreadable, " ..." when cut. */
static int write_argv(FILE *m, const struct hist_str *argv, size_t argc, bool truncated)
{
	for (size_t i = 0; i < argc; i++) {
		if ((i && fputc(' ', m) == EOF) || tree_str(m, argv[i].s, argv[i].len))
			return -1;
	}
	return truncated && fputs(" ...", m) == EOF ? -1 : 0;
}

int tree_command(FILE *m, const struct hist_proc *p)
{
	const struct hist_failed_exec *fe = p->nfailed ? &p->failed[0] : NULL;

	if (p->nexecs) {
		const struct hist_exec *e = &p->execs[p->nexecs - 1];

		/* execve(path, {NULL}): no argv to show, so the binary says what ran. */
		if (!e->argc)
			return tree_str(m, e->exe.s, e->exe.len) || (e->truncated && fputs(" ...", m) == EOF)
				   ? -1
				   : 0;
		return write_argv(m, e->argv, e->argc, e->truncated);
	}
	/* Never exec'd while traced: a fork, shown by the name it inherited. */
	if (fputc('[', m) == EOF || escape_text(m, p->comm, strnlen(p->comm, sizeof(p->comm)), false) ||
	    fputc(']', m) == EOF)
		return -1;
	if (!fe)
		return 0;
	if (fputc(' ', m) == EOF)
		return -1;
	if (!fe->argc)
		return tree_str(m, fe->filename.s, fe->filename.len) ||
			       (fe->truncated && fputs(" ...", m) == EOF)
			   ? -1
			   : 0;
	return write_argv(m, fe->argv, fe->argc, fe->truncated);
}

/* Characters a terminal gives two columns (East Asian Wide and Fullwidth, emoji): counting them as one would
 * let a line overflow. Ranges, sorted; a few rare ones missed make a line a column too long, nothing worse.
 */
static const struct {
	unsigned int first, last;
} wide[] = {
    {0x1100, 0x115f},	{0x231a, 0x231b},   {0x2329, 0x232a},	{0x23e9, 0x23ec},   {0x23f0, 0x23f0},
    {0x23f3, 0x23f3},	{0x25fd, 0x25fe},   {0x2614, 0x2615},	{0x2648, 0x2653},   {0x267f, 0x267f},
    {0x2693, 0x2693},	{0x26a1, 0x26a1},   {0x26aa, 0x26ab},	{0x26bd, 0x26be},   {0x26c4, 0x26c5},
    {0x26ce, 0x26ce},	{0x26d4, 0x26d4},   {0x26ea, 0x26ea},	{0x26f2, 0x26f3},   {0x26f5, 0x26f5},
    {0x26fa, 0x26fa},	{0x26fd, 0x26fd},   {0x2705, 0x2705},	{0x270a, 0x270b},   {0x2728, 0x2728},
    {0x274c, 0x274c},	{0x274e, 0x274e},   {0x2753, 0x2755},	{0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27b0, 0x27b0},	{0x27bf, 0x27bf},   {0x2b1b, 0x2b1c},	{0x2b50, 0x2b50},   {0x2b55, 0x2b55},
    {0x2e80, 0x303e},	{0x3041, 0x33ff},   {0x3400, 0x4dbf},	{0x4e00, 0x9fff},   {0xa000, 0xa4cf},
    {0xa960, 0xa97f},	{0xac00, 0xd7a3},   {0xf900, 0xfaff},	{0xfe10, 0xfe19},   {0xfe30, 0xfe6f},
    {0xff00, 0xff60},	{0xffe0, 0xffe6},   {0x16fe0, 0x18aff}, {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004},
    {0x1f0cf, 0x1f0cf}, {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a}, {0x1f200, 0x1f2ff}, {0x1f300, 0x1f64f},
    {0x1f680, 0x1f6ff}, {0x1f7e0, 0x1f7eb}, {0x1f900, 0x1f9ff}, {0x1fa70, 0x1faff}, {0x20000, 0x3fffd},
};

static bool is_wide(unsigned int cp)
{
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]) && cp >= wide[i].first; i++) {
		if (cp <= wide[i].last)
			return true;
	}
	return false;
}

/* The unit at s (an escape, an ASCII byte or one UTF-8 character: escape_text writes only valid UTF-8),
 * its length in *n and its columns. */
static size_t unit(const unsigned char *s, size_t avail, size_t *n)
{
	unsigned int cp;

	if (s[0] == '\\') {
		*n = avail < 2 ? avail : s[1] == 'x' ? 4 : s[1] == 'u' ? 6 : s[1] == 'U' ? 10 : 2;
		if (*n > avail)
			*n = avail;
		return *n;
	}
	*n = s[0] < 0x80 ? 1 : utf8_seq_len(s, avail);
	if (*n <= 1) {
		*n = 1;
		return 1;
	}
	cp = s[0] & (0x7fu >> *n);
	for (size_t i = 1; i < *n; i++)
		cp = cp << 6 | (s[i] & 0x3fu);
	return is_wide(cp) ? 2 : 1;
}

size_t text_cols(const char *s, size_t len)
{
	size_t cols = 0, n;

	for (size_t i = 0; i < len; i += n)
		cols += unit((const unsigned char *)s + i, len - i, &n);
	return cols;
}

size_t text_fit(const char *s, size_t len, size_t cols)
{
	size_t used = 0, i = 0, n;

	while (i < len) {
		size_t w = unit((const unsigned char *)s + i, len - i, &n);

		if (used + w > cols)
			break;
		used += w;
		i += n;
	}
	return i;
}

void tree_duration(char *buf, size_t size, unsigned long long ns)
{
	unsigned long long ms = ns / 1000000, s = ns / 1000000000;

	if (s < 10)
		snprintf(buf, size, "%llu.%03llus", s, ms % 1000);
	else if (s < 100)
		snprintf(buf, size, "%llu.%02llus", s, ms % 1000 / 10);
	else if (s < 3600)
		snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(buf, size, "%lluh%02llum", s / 3600, s / 60 % 60);
}
