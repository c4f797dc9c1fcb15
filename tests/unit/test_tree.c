// SPDX-License-Identifier: GPL-2.0
/* tree.c: the --tree picture of a history built by hand, compared exactly. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pictures.h"
#include "tree_summary.h"
#include "tree_text.h"

#define MS 1000000ull
/* The run's clock starts here: a history's times are a clock's, not the run's. */
#define T0 (5000 * MS)

static struct hist_str str(const char *s)
{
	struct hist_str r = {NULL, 0};

	if (s) {
		r.len = strlen(s);
		r.s = malloc(r.len + 1);
		assert_non_null(r.s);
		memcpy(r.s, s, r.len + 1);
	}
	return r;
}

/* NULL-terminated; UNREADABLE stands for an argument that could not be read. */
static const char UNREADABLE[] = "";

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

static struct hist_str *argv_of(const char *const *args, size_t *argc)
{
	struct hist_str *v;

	for (*argc = 0; args[*argc]; ++*argc)
		;
	v = calloc(*argc + 1, sizeof(*v));
	assert_non_null(v);
	for (size_t i = 0; i < *argc; i++)
		v[i] = args[i] == UNREADABLE ? str(NULL) : str(args[i]);
	return v;
}

static void history(struct history *h, unsigned long long end_ms)
{
	memset(h, 0, sizeof(*h));
	h->start_ns = T0;
	h->end_ns = T0 + end_ms * MS;
	h->cap = 16;
	h->procs = malloc(h->cap * sizeof(*h->procs));
	assert_non_null(h->procs);
}

/* A process started at start_ms, the last child of parent (NULL: a root), running until it is ended. */
static struct hist_proc *proc(struct history *h, struct hist_proc *parent, unsigned int pid, const char *comm,
			      unsigned long long start_ms)
{
	struct hist_proc *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->pid = pid;
	p->ppid = parent ? parent->pid : 1;
	p->start_time = pid * 1000ull;
	p->parent = parent;
	strncpy(p->comm, comm, sizeof(p->comm) - 1);
	p->start_ns = T0 + start_ms * MS;
	p->exit_code = -1;
	if (parent) {
		struct hist_proc **link;

		for (link = &parent->first_child; *link; link = &(*link)->next_sibling)
			;
		*link = p;
	}
	if (h->nprocs == h->cap) {
		h->cap *= 2;
		h->procs = realloc(h->procs, h->cap * sizeof(*h->procs));
		assert_non_null(h->procs);
	}
	h->procs[h->nprocs++] = p;
	return p;
}

static struct hist_exec *exec_at(struct hist_proc *p, unsigned long long ms, const char *exe,
				 const char *const *argv)
{
	struct hist_exec *e;

	p->execs = realloc(p->execs, (p->nexecs + 1) * sizeof(*p->execs));
	assert_non_null(p->execs);
	e = &p->execs[p->nexecs++];
	memset(e, 0, sizeof(*e));
	e->time_ns = T0 + ms * MS;
	e->exe = str(exe);
	e->cwd = str("/src");
	e->argv = argv_of(argv, &e->argc);
	return e;
}

static void failed_at(struct hist_proc *p, unsigned long long ms, int error, const char *filename,
		      const char *const *argv)
{
	struct hist_failed_exec *e;

	p->failed = realloc(p->failed, (p->nfailed + 1) * sizeof(*p->failed));
	assert_non_null(p->failed);
	e = &p->failed[p->nfailed++];
	memset(e, 0, sizeof(*e));
	e->time_ns = T0 + ms * MS;
	e->error = error;
	e->filename = str(filename);
	e->argv = argv_of(argv, &e->argc);
}

static void exited(struct hist_proc *p, unsigned long long ms, int code)
{
	p->ended = true;
	p->end_ns = T0 + ms * MS;
	p->exit_code = code;
}

static void killed(struct hist_proc *p, unsigned long long ms, int sig, bool core)
{
	p->ended = true;
	p->end_ns = T0 + ms * MS;
	p->signal = sig;
	p->core_dumped = core;
}

static void free_argv(struct hist_str *v, size_t argc)
{
	for (size_t i = 0; i < argc; i++)
		free(v[i].s);
	free(v);
}

static void history_drop(struct history *h)
{
	for (size_t i = 0; i < h->nprocs; i++) {
		struct hist_proc *p = h->procs[i];

		for (size_t j = 0; j < p->nexecs; j++) {
			free_argv(p->execs[j].argv, p->execs[j].argc);
			free(p->execs[j].exe.s);
			free(p->execs[j].cwd.s);
		}
		for (size_t j = 0; j < p->nfailed; j++) {
			free_argv(p->failed[j].argv, p->failed[j].argc);
			free(p->failed[j].filename.s);
		}
		free(p->execs);
		free(p->failed);
		free(p);
	}
	free(h->procs);
}

/* The tree as written; the caller frees it. */
static char *draw(const struct history *h, unsigned int width, bool expand)
{
	struct tree_options o = {.width = width, .expand = expand};
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	assert_non_null(m);
	assert_int_equal(tree_write(m, h, &o), 0);
	assert_int_equal(fclose(m), 0);
	if (getenv("TREE_SHOW"))
		fputs(out, stderr);
	return out;
}

/* The known tree of a shell script: a subshell, a pipeline, a background job still running at the end, one
 * killed, a failed exec, a PATH search that found its program on the second try. */
static void known_tree(struct history *h)
{
	struct hist_proc *sh, *sub, *p;

	history(h, 2500);
	sh = proc(h, NULL, 100, "sh", 0);
	exec_at(sh, 0, "/usr/bin/dash",
		ARGV("sh", "-c", "(ls /; false) | wc -l; sleep 60 & sleep 30 & nosuch; env ls -l"));
	exited(sh, 2500, 0);
	sub = proc(h, sh, 101, "sh", 10);
	exited(sub, 30, 1);
	p = proc(h, sh, 102, "sh", 11);
	exec_at(p, 11, "/usr/bin/wc", ARGV("wc", "-l"));
	exited(p, 40, 0);
	p = proc(h, sub, 103, "sh", 12);
	exec_at(p, 12, "/usr/bin/ls", ARGV("ls", "/"));
	exited(p, 20, 0);
	/* Starts as 103 ends: they never ran at once. */
	p = proc(h, sub, 104, "sh", 20);
	exec_at(p, 20, "/usr/bin/false", ARGV("false"));
	exited(p, 29, 1);
	p = proc(h, sh, 105, "sh", 50);
	exec_at(p, 50, "/usr/bin/sleep", ARGV("sleep", "60"));
	p = proc(h, sh, 106, "sh", 60);
	exec_at(p, 60, "/usr/bin/sleep", ARGV("sleep", "30"));
	killed(p, 2000, 9, false);
	p = proc(h, sh, 107, "sh", 70);
	failed_at(p, 71, ENOENT, "/usr/local/bin/nosuch", ARGV("nosuch"));
	failed_at(p, 72, ENOENT, "/usr/bin/nosuch", ARGV("nosuch"));
	exited(p, 75, 127);
	p = proc(h, sh, 108, "sh", 80);
	exec_at(p, 81, "/usr/bin/env", ARGV("env", "ls", "-l"));
	failed_at(p, 82, ENOENT, "/usr/local/bin/ls", ARGV("ls", "-l"));
	exec_at(p, 83, "/usr/bin/ls", ARGV("ls", "-l"));
	exited(p, 90, 0);
}

static void test_known_tree(void **state)
{
	struct history h;
	char *out;

	(void)state;
	known_tree(&h);
	out = draw(&h, 0, false);
	assert_string_equal(out, "    PID    TIME  STATUS    COMMAND\n"
				 "    100  2.500s  exit 0    sh -c (ls /; false) | wc -l; sleep 60 & sleep "
				 "30 & nosuch; env ls -l\n"
				 "    101  0.020s  exit 1    ├─ [sh]\n"
				 "    103  0.008s  exit 0    │  ├─ ls /\n"
				 "    104  0.009s  exit 1    │  └─ false\n"
				 "    102  0.029s  exit 0    ├─ wc -l\n"
				 "    105  2.450s  running   ├─ sleep 60\n"
				 "    106  1.940s  SIGKILL   ├─ sleep 30\n"
				 "    107  0.005s  exit 127  ├─ [sh] nosuch  ✗ 2 failed exec (ENOENT)\n"
				 "    108  0.010s  exit 0    └─ ls -l  after 1 failed exec (ENOENT)\n"
				 "9 processes, 3 failed execs, wall time 2.500s, at most 4 running at once, "
				 "1 still running at the end\n");
	free(out);
	history_drop(&h);
}

/* The most running at once, by hand: 4 (sh, the subshell, wc and ls, from 12 to 20 ms); 5 if 104's start
 * at 20 ms were counted before 103's end then. Records lost: the tree says it is incomplete. */
static void test_summary(void **state)
{
	struct history h;
	size_t most;
	char *out;

	(void)state;
	known_tree(&h);
	assert_int_equal(max_running(&h, &most), 0);
	assert_int_equal(most, 4);
	h.lost = 12;
	out = draw(&h, 0, false);
	assert_non_null(strstr(out,
			       "\n9 processes, 3 failed execs, wall time 2.500s, at most 4 running at once, "
			       "1 still running at the end\n"
			       "warning: 12 records were lost: this tree is incomplete\n"));
	free(out);
	history_drop(&h);

	/* A process that took no time still ran at its instant; nothing at all ran at none. */
	history(&h, 10);
	exited(proc(&h, NULL, 1, "a", 5), 5, 0);
	assert_int_equal(max_running(&h, &most), 0);
	assert_int_equal(most, 1);
	history_drop(&h);
	history(&h, 10);
	assert_int_equal(max_running(&h, &most), 0);
	assert_int_equal(most, 0);
	out = draw(&h, 0, false);
	assert_string_equal(out,
			    "    PID    TIME  STATUS    COMMAND\n"
			    "0 processes, 0 failed execs, wall time 0.010s, at most 0 running at once\n");
	free(out);
	history_drop(&h);
}

/* Terminal escapes, a newline, bytes that are not UTF-8, a bidi override, an unreadable argument and a cut
 * argv: as text mode writes ARGS; a fork's name alike. */
static void test_hostile(void **state)
{
	struct history h;
	struct hist_proc *p, *f;
	char *out;

	(void)state;
	history(&h, 100);
	p = proc(&h, NULL, 10, "evil", 0);
	exec_at(p, 0, "/tmp/evil",
		ARGV("evil", "\x1b]0;pwned\x07", "a\nb", "\xff\xfe", "\xe2\x80\xaetxt.exe", UNREADABLE,
		     "C:\\dir"))
	    ->truncated = true;
	exited(p, 50, 0);
	f = proc(&h, p, 11, "x\x1b[2J", 1);
	exited(f, 2, 0);
	/* An empty argv: the binary that ran, or the file a failed exec named. */
	f = proc(&h, p, 12, "sh", 3);
	exec_at(f, 3, "/tmp/x/pkexec\n", (const char *const[]){NULL});
	exited(f, 4, 0);
	f = proc(&h, p, 13, "sh", 5);
	failed_at(f, 6, ENOENT, "/tmp/\x1b[1mnone", (const char *const[]){NULL});
	exited(f, 7, 127);
	out = draw(&h, 0, false);
	assert_string_equal(
	    out, "    PID    TIME  STATUS    COMMAND\n"
		 "     10  0.050s  exit 0    evil \\x1b]0;pwned\\x07 a\\nb \\xff\\xfe \\u202etxt.exe \\? "
		 "C:\\\\dir ...\n"
		 "     11  0.001s  exit 0    ├─ [x\\x1b[2J]\n"
		 "     12  0.001s  exit 0    ├─ /tmp/x/pkexec\\n\n"
		 "     13  0.002s  exit 127  └─ [sh] /tmp/\\x1b[1mnone  ✗ 1 failed exec (ENOENT)\n"
		 "4 processes, 1 failed exec, wall time 0.100s, at most 2 running at once\n");
	free(out);
	history_drop(&h);
}

/* Columns a line takes on a terminal, glyphs and ✗ one each, CJK two. */
static size_t columns(const char *s, size_t len)
{
	size_t cols = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) == 0x80)
			continue;
		cols += c == 0xe6 ? 2 : 1; /* the only CJK here: 日 is e6 97 a5 */
	}
	return cols;
}

/* The second line of out (the first process's), and its length. */
static const char *line2(const char *out, size_t *len)
{
	const char *s = strchr(out, '\n') + 1;

	*len = (size_t)(strchr(s, '\n') - s);
	return s;
}

/* Columns of escaped text, and where it may be cut: after a whole escape of any length or a whole
 * character, wide ones counting two. */
static void test_text_fit(void **state)
{
	/* a \U000e0041 \u202e \x1b \n \? 日 é */
	const char *s = "a\\U000e0041\\u202e\\x1b\\n\\?\xe6\x97\xa5\xc3\xa9";
	const size_t len = strlen(s);
	/* The cut after each unit, and the columns up to it. */
	const size_t ends[] = {0, 1, 11, 17, 21, 23, 25, 28, 30}, cols[] = {0, 1, 11, 17, 21, 23, 25, 27, 28};

	(void)state;
	assert_int_equal(text_cols(s, len), 28);
	for (size_t c = 0; c <= 30; c++) {
		size_t k = 0;

		while (k + 1 < sizeof(cols) / sizeof(cols[0]) && cols[k + 1] <= c)
			k++;
		assert_int_equal(text_fit(s, len, c), ends[k]);
	}
}

/* Shortened to the width asked, the cut after a whole escape or character, marked with …, the failed exec's
 * mark kept whole; never below 12 columns of command. */
static void test_width(void **state)
{
	/* 30 escapes of 4 bytes, then 20 CJK characters of 3 bytes. */
	char esc[31], cjk[61];
	const char *tail = "  ✗ 1 failed exec (EACCES)";
	struct history h;
	struct hist_proc *p;

	(void)state;
	memset(esc, 0x1b, 30);
	esc[30] = '\0';
	for (int i = 0; i < 20; i++)
		memcpy(cjk + 3 * i, "日", 3);
	cjk[60] = '\0';
	history(&h, 100);
	p = proc(&h, NULL, 10, "prog", 0);
	exec_at(p, 0, "/bin/prog", ARGV("prog", esc, cjk));
	failed_at(p, 1, EACCES, "/bin/other", ARGV("other"));
	exited(p, 50, 0);
	for (unsigned int width = 20; width <= 220; width++) {
		char *out = draw(&h, width, false);
		size_t len, full = 27 + 5 + 30 * 4 + 1 + 40 + strlen("  x 1 failed exec (EACCES)");
		const char *s = line2(out, &len), *cut = strstr(s, "…"), *text = s + 27;

		assert_true(len > strlen(tail));
		assert_memory_equal(s + len - strlen(tail), tail, strlen(tail));
		assert_memory_equal(text, "prog ", 5);
		if (width >= full) {
			assert_true(!cut || cut > s + len);
			assert_int_equal(columns(s, len), full);
		} else {
			size_t kept = (size_t)(cut - text) - 5,
			       room = width > 27 + 12 + 26 ? width : 27 + 12 + 26;

			assert_non_null(cut);
			/* Within the room, short of it by less than the escape that did not fit. */
			assert_in_range(columns(s, len), room - 3, room);
			/* Whole escapes, then whole characters after the space. */
			if (kept <= 120)
				assert_int_equal(kept % 4, 0);
			else
				assert_int_equal((kept - 121) % 3, 0);
		}
		free(out);
	}
	history_drop(&h);
}

/* 340 cc1 under make with 2 that failed, and 3 as among them: one line for the cc1s, saying what became of
 * them, the 2 failures on their own lines, the as ones each on theirs; the last line's branch is the last
 * shown, whatever the collapsed line hides after it. */
static struct hist_proc *build(struct history *h)
{
	struct hist_proc *make, *p;

	history(h, 5000);
	make = proc(h, NULL, 1000, "make", 0);
	exec_at(make, 0, "/usr/bin/make", ARGV("make", "-j4"));
	exited(make, 5000, 2);
	p = proc(h, make, 1001, "make", 1);
	exec_at(p, 1, "/usr/bin/as", ARGV("as", "-o", "a.o"));
	exited(p, 3, 0);
	for (unsigned int i = 0; i < 340; i++) {
		char src[32];

		if (i == 50 || i == 150) {
			p = proc(h, make, 1002 + i / 100, "make", 10 + 10 * i - 5);
			exec_at(p, 10 + 10 * i - 5, "/usr/bin/as", ARGV("as", "-o", i == 50 ? "b.o" : "c.o"));
			exited(p, 10 + 10 * i, 0);
		}
		snprintf(src, sizeof(src), "f%u.c", i);
		p = proc(h, make, 2000 + i, "make", 10 + 10 * i);
		exec_at(p, 10 + 10 * i, "/usr/lib/gcc/x86_64-linux-gnu/14/cc1",
			ARGV("/usr/lib/gcc/x86_64-linux-gnu/14/cc1", "-quiet", src));
		exited(p, 10 + 10 * i + 5 + i % 10, i == 100 || i == 200);
	}
	return make;
}

static void test_collapse(void **state)
{
	struct history h;
	char *out;

	(void)state;
	build(&h);
	out = draw(&h, 0, false);
	assert_string_equal(
	    out,
	    "    PID    TIME  STATUS    COMMAND\n"
	    "   1000  5.000s  exit 2    make -j4\n"
	    "   1001  0.002s  exit 0    ├─ as -o a.o\n"
	    "                           ├─ cc1 x 340: 338 ok, 2 exit 1 (listed below); 0.005s-0.014s each, "
	    "3.230s in all\n"
	    "   1002  0.005s  exit 0    ├─ as -o b.o\n"
	    "   2100  0.005s  exit 1    ├─ /usr/lib/gcc/x86_64-linux-gnu/14/cc1 -quiet f100.c\n"
	    "   1003  0.005s  exit 0    ├─ as -o c.o\n"
	    "   2200  0.005s  exit 1    └─ /usr/lib/gcc/x86_64-linux-gnu/14/cc1 -quiet f200.c\n"
	    "collapsed: 340 repeated siblings on 1 line (NAME x N, their failures still listed): "
	    "--tree-expand "
	    "shows each\n"
	    "344 processes, 0 failed execs, wall time 5.000s, at most 3 running at once\n");
	free(out);
	history_drop(&h);
}

/* A build of 2,001 processes: make runs 500 shell commands, each a gcc that runs cc1 and as. One line for
 * them, saying what runs under each; the two that failed somewhere listed whole below it: one whose as
 * failed, one whose shell exited 0 although its cc1 crashed. */
static void test_collapse_build(void **state)
{
	struct history h;
	struct hist_proc *make;
	char *out;

	(void)state;
	history(&h, 6000);
	make = proc(&h, NULL, 1000, "make", 0);
	exec_at(make, 0, "/usr/bin/make", ARGV("make", "-j8"));
	exited(make, 6000, 2);
	for (unsigned int i = 0; i < 500; i++) {
		unsigned long long t = 10ull * i, d = 100 + i % 50;
		struct hist_proc *sh = proc(&h, make, 2000 + 4 * i, "make", t), *gcc, *p;
		char src[32], obj[32];

		snprintf(src, sizeof(src), "f%u.c", i);
		snprintf(obj, sizeof(obj), "f%u.o", i);
		exec_at(sh, t, "/usr/bin/dash", ARGV("/bin/sh", "-c", "gcc -c ..."));
		exited(sh, t + d, i == 100);
		gcc = proc(&h, sh, 2001 + 4 * i, "sh", t + 1);
		exec_at(gcc, t + 1, "/usr/bin/x86_64-linux-gnu-gcc-14", ARGV("gcc", "-c", src, "-o", obj));
		exited(gcc, t + d - 1, i == 100 ? 1 : i == 300 ? 4 : 0);
		p = proc(&h, gcc, 2002 + 4 * i, "gcc", t + 2);
		exec_at(p, t + 2, "/usr/libexec/gcc/x86_64-linux-gnu/14/cc1",
			ARGV("/usr/libexec/gcc/x86_64-linux-gnu/14/cc1", "-quiet", src));
		if (i == 300)
			killed(p, t + 50, 11, true);
		else
			exited(p, t + 50, 0);
		p = proc(&h, gcc, 2003 + 4 * i, "gcc", t + 51);
		exec_at(p, t + 51, "/usr/bin/x86_64-linux-gnu-as", ARGV("as", "-o", obj));
		exited(p, t + d - 2, i == 100);
	}
	out = draw(&h, 0, false);
	assert_string_equal(
	    out,
	    "    PID    TIME  STATUS    COMMAND\n"
	    "   1000  6.000s  exit 2    make -j8\n"
	    "                           ├─ sh x 500 (each with gcc (cc1, as)): 498 ok, 1 exit 1, 1 failed "
	    "inside "
	    "(listed below); 0.100s-0.149s each, 62.25s in all\n"
	    "   2400  0.100s  exit 1    ├─ /bin/sh -c gcc -c ...\n"
	    "   2401  0.098s  exit 1    │  └─ gcc -c f100.c -o f100.o\n"
	    "   2402  0.048s  exit 0    │     ├─ /usr/libexec/gcc/x86_64-linux-gnu/14/cc1 -quiet f100.c\n"
	    "   2403  0.047s  exit 1    │     └─ as -o f100.o\n"
	    "   3200  0.100s  exit 0    └─ /bin/sh -c gcc -c ...\n"
	    "   3201  0.098s  exit 4       └─ gcc -c f300.c -o f300.o\n"
	    "   3202  0.048s  SIGSEGV         ├─ /usr/libexec/gcc/x86_64-linux-gnu/14/cc1 -quiet f300.c  "
	    "core "
	    "dumped\n"
	    "   3203  0.047s  exit 0          └─ as -o f300.o\n"
	    "collapsed: 500 repeated siblings on 1 line (NAME x N, their failures still listed): "
	    "--tree-expand "
	    "shows each\n"
	    "2001 processes, 0 failed execs, wall time 6.000s, at most 46 running at once\n");
	free(out);
	/* On 80 columns: what runs under them is shortened, the count and the outcomes are not. */
	out = draw(&h, 80, false);
	assert_non_null(strstr(
	    out, "\n                           ├─ sh x 500 (each with…: 498 ok, 1 exit 1, 1 failed inside "
		 "(listed below); 0.100s-0.149s each, 62.25s in all\n"));
	assert_non_null(strstr(
	    out, "\n   2402  0.048s  exit 0    │     ├─ /usr/libexec/gcc/x86_64-linux-gnu/14/cc1 -q…\n"));
	free(out);
	history_drop(&h);
}

/* A collapsed line's details: its name escaped and cut to 32 columns, members still running, at most 6 kinds
 * of failure named and the rest counted; a process with failed execs before and after its last exec. */
static void test_group_details(void **state)
{
	char long_name[64];
	struct history h;
	struct hist_proc *root, *p;
	char *out;

	(void)state;
	memset(long_name, 'n', 40);
	long_name[40] = '\0';
	history(&h, 1000);
	root = proc(&h, NULL, 1, "sh", 0);
	exec_at(root, 0, "/usr/bin/dash", ARGV("sh"));
	failed_at(root, 1, EACCES, "/x", ARGV("x"));
	exec_at(root, 2, "/usr/bin/dash", ARGV("sh", "y"));
	failed_at(root, 3, ENOEXEC, "/z", ARGV("z"));
	failed_at(root, 4, ENOENT, "/w", ARGV("w"));
	exited(root, 1000, 0);
	for (unsigned int i = 0; i < 5; i++) {
		p = proc(&h, root, 10 + i, "e", 10 + i);
		exec_at(p, 10 + i, "/tmp/e", ARGV("/tmp/\x1b[31mevil\xe2\x80\xae", "arg"));
		if (i < 4)
			exited(p, 20 + i, 0);
	}
	for (unsigned int i = 0; i < 12; i++) {
		p = proc(&h, root, 100 + i, "t", 100 + i);
		exec_at(p, 100 + i, "/usr/bin/t", ARGV(long_name));
		if (i < 9)
			exited(p, 200, i < 8 ? (int)i + 1 : 0);
		else if (i < 10)
			killed(p, 200, 15, false);
	}
	out = draw(&h, 0, false);
	assert_non_null(strstr(
	    out,
	    "\n      1  1.000s  exit 0    sh y  ✗ 2 failed exec (ENOEXEC)  after 1 failed exec (EACCES)\n"
	    "                           ├─ \\x1b[31mevil\\u202e x 5: 4 ok, 1 running; 0.010s-0.986s each, "
	    "1.026s in "
	    "all\n"
	    "                           ├─ nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn… x 12: 1 ok, 2 running, 1 exit 1, "
	    "1 exit 2, "
	    "1 exit 3, 1 exit 4, 1 exit 5, 1 exit 6, 3 other (listed below); 0.091s-0.890s each, 2.734s in "
	    "all\n"
	    "    100  0.100s  exit 1    ├─ nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\n"));
	assert_non_null(strstr(out,
			       "\n    107  0.093s  exit 8    ├─ nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\n"
			       "    109  0.091s  SIGTERM   └─ nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\n"
			       "collapsed: 17 repeated siblings on 2 lines"));
	free(out);
	history_drop(&h);
}

/* --tree-expand: every process on its own line, nothing said of collapsing. */
static void test_expand(void **state)
{
	struct history h;
	size_t lines = 0;
	char *out;

	(void)state;
	build(&h);
	out = draw(&h, 0, true);
	for (const char *s = out; (s = strchr(s, '\n')); s++)
		lines++;
	assert_int_equal(lines, 1 + 344 + 1);
	assert_null(strstr(out, " x 340"));
	assert_null(strstr(out, "--tree-expand"));
	assert_non_null(strstr(out,
			       "\n   2339  0.014s  exit 0    └─ /usr/lib/gcc/x86_64-linux-gnu/14/cc1 -quiet "
			       "f339.c\n"));
	free(out);
	history_drop(&h);
}

/* Never exec'd forks collapse by name; a failed exec is a failure the collapsed line does not hide; 3 alike
 * stay apart. */
static void test_collapse_forks(void **state)
{
	struct history h;
	struct hist_proc *sh, *p;
	char *out;

	(void)state;
	history(&h, 1000);
	sh = proc(&h, NULL, 1, "sh", 0);
	exec_at(sh, 0, "/usr/bin/dash", ARGV("sh", "x.sh"));
	for (unsigned int i = 0; i < 6; i++) {
		p = proc(&h, sh, 10 + i, "sh", 10 + i);
		if (i == 4)
			failed_at(p, 11 + i, ENOEXEC, "./x", ARGV("./x"));
		exited(p, 20 + i, i == 4 ? 126 : 0);
	}
	for (unsigned int i = 0; i < 3; i++) {
		p = proc(&h, sh, 30 + i, "sh", 30 + i);
		exec_at(p, 30 + i, "/usr/bin/true", ARGV("true"));
		exited(p, 31 + i, 0);
	}
	out = draw(&h, 0, false);
	assert_string_equal(
	    out,
	    "    PID    TIME  STATUS    COMMAND\n"
	    "      1  1.000s  running   sh x.sh\n"
	    "                           ├─ [sh] x 6: 5 ok, 1 exit 126 (listed below); 0.010s each, 0.060s in "
	    "all\n"
	    "     14  0.010s  exit 126  ├─ [sh] ./x  ✗ 1 failed exec (ENOEXEC)\n"
	    "     30  0.001s  exit 0    ├─ true\n"
	    "     31  0.001s  exit 0    ├─ true\n"
	    "     32  0.001s  exit 0    └─ true\n"
	    "collapsed: 6 repeated siblings on 1 line (NAME x N, their failures still listed): --tree-expand "
	    "shows each\n"
	    "10 processes, 1 failed exec, wall time 1.000s, at most 7 running at once, 1 still running at "
	    "the "
	    "end\n");
	free(out);
	history_drop(&h);
}

/* 10,000 processes each the child of the one before: drawn without recursion, the indentation capped and
 * the depth said. */
static void chain(struct history *h, unsigned int n)
{
	struct hist_proc *p = NULL;

	history(h, 20000);
	for (unsigned int i = 0; i < n; i++) {
		p = proc(h, p, 100 + i, "sh", i);
		exited(p, 20000 - i, 0);
	}
}

static void test_deep(void **state)
{
	struct history h;
	size_t lines = 0, longest = 0;
	char *out;

	(void)state;
	chain(&h, 10000);
	out = draw(&h, 0, false);
	for (const char *s = out, *e; (e = strchr(s, '\n')); s = e + 1) {
		size_t cols = columns(s, (size_t)(e - s));

		lines++;
		if (lines > 1 && lines < 10002 && cols > longest)
			longest = cols;
	}
	assert_int_equal(lines, 1 + 10000 + 1);
	/* The columns, 12 levels of 3, "[depth 9999] " and "[sh]". */
	assert_int_equal(longest, 27 + 36 + 13 + 4);
	assert_non_null(
	    strstr(out, "\n    111  19.97s  exit 0                                  └─ [sh]\n"
			"    112  19.97s  exit 0                                     └─ [sh]\n"
			"    113  19.97s  exit 0                                     └─ [depth 13] [sh]\n"));
	assert_non_null(strstr(
	    out, "\n  10099  0.002s  exit 0                                     └─ [depth 9999] [sh]\n"
		 "10000 processes, 0 failed execs, wall time 20.00s, at most 10000 running at once\n"));
	free(out);
	history_drop(&h);
}

/* A write that fails: -1 and the write's errno, whether it fails at once or when the buffer is flushed, and
 * in the middle of a deep walk (nothing leaks: the sanitizers check). */
static void test_write_error(void **state)
{
	struct tree_options o = {0};
	struct history h;

	(void)state;
	known_tree(&h);
	for (int buffered = 0; buffered < 2; buffered++) {
		FILE *f = fopen("/dev/full", "w");

		assert_non_null(f);
		if (!buffered)
			assert_int_equal(setvbuf(f, NULL, _IONBF, 0), 0);
		errno = 0;
		assert_int_equal(tree_write(f, &h, &o), -1);
		assert_int_equal(errno, ENOSPC);
		fclose(f);
	}
	history_drop(&h);
	chain(&h, 3000);
	{
		FILE *f = fopen("/dev/full", "w");

		assert_non_null(f);
		errno = 0;
		assert_int_equal(tree_write(f, &h, &o), -1);
		assert_int_equal(errno, ENOSPC);
		fclose(f);
	}
	history_drop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_tree),	   cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_hostile),	   cmocka_unit_test(test_text_fit),
	    cmocka_unit_test(test_width),	   cmocka_unit_test(test_collapse),
	    cmocka_unit_test(test_expand),	   cmocka_unit_test(test_collapse_forks),
	    cmocka_unit_test(test_collapse_build), cmocka_unit_test(test_group_details),
	    cmocka_unit_test(test_deep),	   cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
