// SPDX-License-Identifier: GPL-2.0
/* event.c on records laid out as the kernel writes them, then the text and JSON formatters on the result. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "caps.h"
#include "event.h"
#include "exectrace.h"
#include "options.h"
#include "output.h"

/* A field and its length from a string literal, which may hold NULs: FIELD(argv, "ls\0-l\0"). */
#define FIELD(name, lit) .name = (lit), .name##_len = sizeof(lit) - 1

/* 2026-01-01T00:00:00Z is 1767225600 s after the epoch: with this offset, ktime 1.5 s is 0.5 s past it. */
#define NS	     1000000000LL
#define BOOT_TO_REAL (1767225600LL * NS - 1 * NS)
#define KTIME	     1500000000ULL
#define TIME_STR     "2026-01-01T00:00:00.500000000Z"

/* What a test puts in a record; everything else is as in the plain one below. */
struct spec {
	unsigned int type; /* 0: ET_REC_EXEC */
	unsigned int flags, argc;
	int retval;
	const char *comm; /* NULL: "ls" */
	const char *filename;
	size_t filename_len;
	const char *exe;
	size_t exe_len;
	const char *cwd;
	size_t cwd_len;
	const char *argv;
	size_t argv_len;
	unsigned int nr_bad_args;
	unsigned int bad_args[ET_BAD_ARGS_MAX];
	const char *tty; /* NULL: none */
	unsigned long long caps;
	bool unset;	 /* loginuid and sessionid unset, the time namespace unknown */
	bool no_context; /* as text mode sends it: no context */
	const struct et_ancestor *ancestors;
	unsigned int nr_ancestors;
	const char *env;
	size_t env_len;
	const char *env_names; /* the decoder's --env=NAME,... */
};

/* The context every record gets (see build), and as JSON shows it. */
#define START_TIME	  5000000000ULL
#define PARENT_START_TIME 4000000000ULL
#define CGROUP_ID	  4242424ULL
#define NS_BASE		  4026531832U
#define JSON_WHO                                                                                             \
	"\"pid\":4242,\"ppid\":4241,\"exec_id\":\"4242-5000000000-3\",\"parent_exec_id\":\"4241-4000000000-" \
	"2\","                                                                                               \
	"\"uid\":1000,\"gid\":1001,\"euid\":0,\"egid\":1001,\"loginuid\":1000,\"sessionid\":7"
#define JSON_NS                                                                                              \
	"\"ns\":{\"mnt\":4026531832,\"pid\":4026531833,\"net\":4026531834,\"uts\":4026531835,\"ipc\":"       \
	"4026531836,"                                                                                        \
	"\"user\":4026531837,\"cgroup\":4026531838,\"time\":4026531839}"
#define JSON_CONTEXT                                                                                         \
	",\"tty\":null,\"cgroup_id\":4242424,\"cgroup\":null,\"container_id\":null," JSON_NS                 \
	",\"cap_effective\":[]"

/* Where a record's unreadable argument positions when it has them: before its context. */
static size_t bad_len_of(const struct et_record *r)
{
	return r->flags & ET_F_BAD_ARGS ? ET_BAD_ARGS_SIZE : 0;
}

/* The context of a record built below. */
static struct et_context *ctx_of(struct et_record *r)
{
	return (struct et_context *)(r->data + bad_len_of(r));
}

/* Where a record's filename, exe, cwd and argv regions start: after those and its context. */
static const char *regions(const struct et_record *r)
{
	return r->data + bad_len_of(r) + r->context_len;
}

/* The record exactly as the kernel sends it, in a heap block of exactly its size (ASan sees any overread). */
static struct et_record *build(const struct spec *s, size_t *size)
{
	/* As the kernel sends it: the terminal's name up to its NUL. */
	size_t ctx = s->no_context ? 0 : ET_CONTEXT_MIN + (s->tty ? strnlen(s->tty, ET_TTY_LEN - 1) : 0) + 1;
	/* Every failed exec's record has room for its unreadable arguments, as has one that names any. */
	size_t bad = s->retval < 0 || s->nr_bad_args ? ET_BAD_ARGS_SIZE : 0;
	size_t anc = s->nr_ancestors * sizeof(struct et_ancestor);
	size_t n = sizeof(struct et_record) + bad + ctx + s->filename_len + s->exe_len + s->cwd_len +
		   s->argv_len + anc + s->env_len;
	struct et_record *r = malloc(n);
	char *tail;
	const char *comm = s->comm ? s->comm : "ls";
	struct et_context *cx;
	char *data;

	assert_non_null(r);
	assert_true(ctx <= sizeof(struct et_context));
	memset(r, 0, sizeof(*r) + bad + ctx);
	r->type = s->type ? s->type : ET_REC_EXEC;
	r->flags = s->flags | (bad ? ET_F_BAD_ARGS : 0);
	cx = ctx_of(r);
	data = r->data + bad + ctx;
	memcpy(r->data, s->bad_args, bad);
	r->ktime_ns = KTIME;
	r->pid = 4242;
	r->ppid = 4241;
	r->uid = 1000;
	r->gid = 1001;
	r->retval = s->retval;
	r->argc = s->argc;
	r->filename_len = (unsigned int)s->filename_len;
	r->exe_len = (unsigned int)s->exe_len;
	r->cwd_len = (unsigned int)s->cwd_len;
	r->argv_len = (unsigned int)s->argv_len;
	r->nr_ancestors = s->nr_ancestors;
	r->env_len = (unsigned int)s->env_len;
	r->nr_bad_args = s->nr_bad_args;
	r->context_len = (unsigned int)ctx;
	if (ctx) {
		cx->euid = 0;
		cx->egid = 1001;
		cx->loginuid = s->unset ? ET_ID_UNSET : 1000;
		cx->sessionid = s->unset ? ET_ID_UNSET : 7;
		cx->start_time = START_TIME;
		cx->exec_seq = 3;
		cx->parent_start_time = PARENT_START_TIME;
		cx->parent_exec_seq = 2;
		cx->cgroup_id = CGROUP_ID;
		cx->cap_effective = s->caps;
		for (int i = 0; i < ET_NS_COUNT; i++)
			cx->ns[i] = NS_BASE + i;
		if (s->unset)
			cx->ns[ET_NS_TIME] = 0;
		/* The kernel's copy of the name is NUL-terminated. */
		if (s->tty)
			memcpy(cx->tty, s->tty, strnlen(s->tty, ET_TTY_LEN - 1));
	}
	/* comm is not NUL-terminated when it fills all 16 bytes. */
	memcpy(r->comm, comm, strnlen(comm, ET_COMM_LEN));
	if (s->filename_len)
		memcpy(data, s->filename, s->filename_len);
	if (s->exe_len)
		memcpy(data + s->filename_len, s->exe, s->exe_len);
	if (s->cwd_len)
		memcpy(data + s->filename_len + s->exe_len, s->cwd, s->cwd_len);
	if (s->argv_len)
		memcpy(data + s->filename_len + s->exe_len + s->cwd_len, s->argv, s->argv_len);
	tail = data + s->filename_len + s->exe_len + s->cwd_len + s->argv_len;
	if (anc)
		memcpy(tail, s->ancestors, anc);
	if (s->env_len)
		memcpy(tail + anc, s->env, s->env_len);
	*size = n;
	return r;
}

/* event_decode for a record that must be an exec's. */
static int decode_exec(struct event_decoder *d, const void *data, size_t size, struct exec_event *ev)
{
	struct event e;
	int err = event_decode(d, data, size, &e);

	if (!err) {
		assert_int_equal(e.type, EVENT_EXEC);
		*ev = e.exec;
	}
	return err;
}

/* Decoded with a fresh decoder; the record and the decoder must outlive ev. */
static struct et_record *decode(struct event_decoder *d, long max_args, const struct spec *s,
				struct exec_event *ev)
{
	size_t size;
	struct et_record *r = build(s, &size);

	event_decoder_init(d, max_args);
	event_decoder_env_names(d, s->env_names);
	assert_int_equal(decode_exec(d, r, size, ev), 0);
	return r;
}

static void assert_arg(const struct arg *a, const char *s)
{
	assert_false(a->unreadable);
	assert_int_equal(a->len, strlen(s));
	assert_memory_equal(a->s, s, a->len);
}

static void assert_unreadable(const struct arg *a)
{
	assert_true(a->unreadable);
	assert_int_equal(a->len, 0);
}

static void assert_bytes(const char *p, size_t len, const char *want)
{
	assert_non_null(p);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(p, want, len);
}

/* ---- decoding ---- */

static const struct spec plain_spec = {
    .argc = 2, FIELD(filename, "/bin/ls"), FIELD(exe, "/usr/bin/ls"), FIELD(argv, "ls\0-l\0")};

static void test_plain(void **state)
{
	const struct spec s = {.argc = 3,
			       FIELD(filename, "/bin/ls"),
			       FIELD(exe, "/usr/bin/ls"),
			       FIELD(cwd, "/home/u"),
			       FIELD(argv, "ls\0-l\0/tmp\0")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	memset(&ev, 0xa5, sizeof(ev));
	r = decode(&d, -1, &s, &ev);
	assert_int_equal(ev.ktime_ns, KTIME);
	assert_int_equal(ev.pid, 4242);
	assert_int_equal(ev.ppid, 4241);
	assert_int_equal(ev.uid, 1000);
	assert_int_equal(ev.gid, 1001);
	assert_int_equal(ev.retval, 0);
	assert_string_equal(ev.comm, "ls");
	assert_bytes(ev.filename, ev.filename_len, "/bin/ls");
	assert_false(ev.filename_unreadable);
	assert_false(ev.fdpath);
	assert_bytes(ev.exe, ev.exe_len, "/usr/bin/ls");
	assert_bytes(ev.cwd, ev.cwd_len, "/home/u");
	assert_false(ev.cwd_truncated);
	assert_int_equal(ev.argc, 3);
	assert_int_equal(ev.nargs, 3);
	assert_arg(&ev.args[0], "ls");
	assert_arg(&ev.args[1], "-l");
	assert_arg(&ev.args[2], "/tmp");
	assert_false(ev.truncated);
	/* No copies: the strings are the record's bytes. */
	assert_ptr_equal(ev.filename, regions(r));
	assert_ptr_equal(ev.exe, regions(r) + 7);
	assert_ptr_equal(ev.cwd, regions(r) + 7 + 11);
	assert_ptr_equal(ev.args[0].s, regions(r) + 7 + 11 + 7);
	event_decoder_free(&d);
	assert_null(d.args);
	free(r);
}

/* comm fills its 16 bytes without a NUL: the event's copy is terminated all the same. */
static void test_comm_full(void **state)
{
	const struct spec s = {.argc = 1, .comm = "abcdefghijklmnopXYZ", FIELD(argv, "a\0")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	assert_string_equal(ev.comm, "abcdefghijklmnop");
	event_decoder_free(&d);
	free(r);
}

/* execve(path, NULL, ...) since Linux 5.18: the program gets argc 1 and argv[0] "". */
static void test_argc_zero(void **state)
{
	const struct spec s = {
	    .argc = 1, FIELD(filename, "/bin/true"), FIELD(exe, "/usr/bin/true"), FIELD(argv, "\0")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	assert_int_equal(ev.argc, 1);
	assert_int_equal(ev.nargs, 1);
	assert_arg(&ev.args[0], "");
	assert_false(ev.truncated);
	event_decoder_free(&d);
	free(r);
}

/* --argv-bytes cut the third argument in its middle: it is kept as far as it goes. */
static void test_cut_partial(void **state)
{
	const struct spec s = {.flags = ET_F_ARGV_CUT, .argc = 5, FIELD(argv, "aa\0bb\0cc")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	assert_true(ev.truncated);
	assert_int_equal(ev.argc, 5);
	assert_int_equal(ev.nargs, 3);
	assert_arg(&ev.args[0], "aa");
	assert_arg(&ev.args[1], "bb");
	assert_arg(&ev.args[2], "cc");
	event_decoder_free(&d);
	free(r);
}

/* The limit fell right after a NUL: complete arguments only, and still truncated. */
static void test_cut_at_boundary(void **state)
{
	const struct spec s = {.flags = ET_F_ARGV_CUT, .argc = 4, FIELD(argv, "aa\0bb\0")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	assert_true(ev.truncated);
	assert_int_equal(ev.argc, 4);
	assert_int_equal(ev.nargs, 2);
	assert_arg(&ev.args[0], "aa");
	assert_arg(&ev.args[1], "bb");
	event_decoder_free(&d);
	free(r);
}

/* Reading faulted inside the third argument: it and the rest are there, as unreadable. */
static void test_fault(void **state)
{
	const struct spec s = {.flags = ET_F_ARGV_FAULT, .argc = 5, FIELD(argv, "aa\0bb\0c")};
	const struct spec at_nul = {.flags = ET_F_ARGV_FAULT, .argc = 3, FIELD(argv, "aa\0")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	assert_false(ev.truncated); /* no documented limit did this */
	assert_int_equal(ev.argc, 5);
	assert_int_equal(ev.nargs, 5);
	assert_arg(&ev.args[0], "aa");
	assert_arg(&ev.args[1], "bb");
	for (size_t i = 2; i < 5; i++)
		assert_unreadable(&ev.args[i]);
	event_decoder_free(&d);
	free(r);

	r = decode(&d, -1, &at_nul, &ev);
	assert_false(ev.truncated);
	assert_int_equal(ev.nargs, 3);
	assert_arg(&ev.args[0], "aa");
	assert_unreadable(&ev.args[1]);
	assert_unreadable(&ev.args[2]);
	event_decoder_free(&d);
	free(r);
}

/* A fault and then --argv-bytes both: the limit is what the user is told about. */
static void test_fault_and_cut(void **state)
{
	const struct spec s = {.flags = ET_F_ARGV_FAULT | ET_F_ARGV_CUT, .argc = 4, FIELD(argv, "aa\0b")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	assert_true(ev.truncated);
	assert_int_equal(ev.argc, 4);
	assert_int_equal(ev.nargs, 1);
	assert_arg(&ev.args[0], "aa");
	event_decoder_free(&d);
	free(r);
}

/* A failed exec names the arguments it could not read; they were stored as "". */
static void test_bad_args(void **state)
{
	const struct spec s = {.retval = -EFAULT,
			       .argc = 4,
			       FIELD(filename, "/bin/x"),
			       FIELD(argv, "a\0\0c\0\0"),
			       .nr_bad_args = 2,
			       .bad_args = {1, 3}};
	/* More bad arguments than the record names, and positions out of range: ignored, never read past. */
	const struct spec many = {
	    .argc = 2, FIELD(argv, "\0b\0"), .nr_bad_args = 1000, .bad_args = {0, 2, 99}};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	assert_int_equal(ev.nargs, 4);
	assert_false(ev.truncated);
	assert_null(ev.exe);
	assert_arg(&ev.args[0], "a");
	assert_unreadable(&ev.args[1]);
	assert_arg(&ev.args[2], "c");
	assert_unreadable(&ev.args[3]);
	event_decoder_free(&d);
	free(r);

	r = decode(&d, -1, &many, &ev);
	assert_int_equal(ev.nargs, 2);
	assert_unreadable(&ev.args[0]);
	assert_arg(&ev.args[1], "b");
	event_decoder_free(&d);
	free(r);
}

/* execveat with a directory fd: the path as the caller passed it, not the kernel's "/dev/fd/N/...". */
static void test_fdpath(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"/dev/fd/3/rel/x", "rel/x"},
	    {"/dev/fd/3", ""},
	    {"/dev/fd/123/a", "a"},
	    {"/dev/fd/7/", ""},
	};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct spec s = {.flags = ET_F_FDPATH,
				       .argc = 1,
				       .filename = cases[i].in,
				       .filename_len = strlen(cases[i].in),
				       FIELD(argv, "x\0")};

		r = decode(&d, -1, &s, &ev);
		assert_int_equal(ev.filename_len, strlen(cases[i].want));
		assert_memory_equal(ev.filename, cases[i].want, ev.filename_len);
		assert_false(ev.filename_unreadable);
		assert_true(ev.fdpath);
		event_decoder_free(&d);
		free(r);
	}

	/* Without the flag, a path that happens to start so is left alone. */
	{
		const struct spec s = {.argc = 1, FIELD(filename, "/dev/fd/3/rel/x"), FIELD(argv, "x\0")};

		r = decode(&d, -1, &s, &ev);
		assert_bytes(ev.filename, ev.filename_len, "/dev/fd/3/rel/x");
		assert_false(ev.fdpath);
		event_decoder_free(&d);
		free(r);
	}
}

static void test_filename_fault(void **state)
{
	const struct spec s = {
	    .flags = ET_F_FILENAME_FAULT, .retval = -EFAULT, .argc = 1, FIELD(argv, "x\0")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	assert_true(ev.filename_unreadable);
	assert_int_equal(ev.filename_len, 0);
	assert_int_equal(ev.retval, -EFAULT);
	event_decoder_free(&d);
	free(r);
}

static void test_exe_deleted(void **state)
{
	const struct spec s = {.flags = ET_F_EXE_DELETED,
			       .argc = 1,
			       FIELD(filename, "./x"),
			       FIELD(exe, "/tmp/x"),
			       FIELD(argv, "x\0")};
	struct event_decoder *d = malloc(sizeof(*d)); /* on the heap: ASan watches the end of exe_buf */
	struct exec_event ev;
	struct et_record *r;
	struct spec longest = s;
	char *path = malloc(ET_PATH_MAX);

	(void)state;
	assert_non_null(d);
	assert_non_null(path);
	r = decode(d, -1, &s, &ev);
	assert_bytes(ev.exe, ev.exe_len, "/tmp/x (deleted)");
	/* The decoder's own copy; the record is not written to. */
	assert_memory_equal(regions(r) + 3, "/tmp/x", 6);
	event_decoder_free(d);
	free(r);

	/* The longest path the kernel sends still fits with the suffix. */
	memset(path, 'a', ET_PATH_MAX);
	path[0] = '/';
	longest.exe = path;
	longest.exe_len = ET_PATH_MAX;
	r = decode(d, -1, &longest, &ev);
	assert_int_equal(ev.exe_len, ET_PATH_MAX + strlen(" (deleted)"));
	assert_memory_equal(ev.exe, path, ET_PATH_MAX);
	assert_memory_equal(ev.exe + ET_PATH_MAX, " (deleted)", strlen(" (deleted)"));
	event_decoder_free(d);
	free(r);
	free(path);
	free(d);
}

/* A path the kernel could not name whole is its tail after "...": it never looks absolute. */
static void test_exe_cut(void **state)
{
	const struct spec s = {.flags = ET_F_EXE_CUT,
			       .argc = 1,
			       FIELD(filename, "./sshd"),
			       FIELD(exe, "/usr/bin/sshd"),
			       FIELD(argv, "sshd\0")};
	struct event_decoder *d = malloc(sizeof(*d)); /* on the heap: ASan watches the end of exe_buf */
	struct exec_event ev;
	struct et_record *r;
	struct spec longest = s, nothing = s;
	char *path = malloc(ET_PATH_MAX);

	(void)state;
	assert_non_null(d);
	assert_non_null(path);
	r = decode(d, -1, &s, &ev);
	assert_bytes(ev.exe, ev.exe_len, ".../usr/bin/sshd");
	assert_true(ev.exe_truncated);
	event_decoder_free(d);
	free(r);

	/* The longest tail, of an unlinked file: both marks fit. */
	memset(path, 'a', ET_PATH_MAX);
	path[0] = '/';
	longest.flags |= ET_F_EXE_DELETED;
	longest.exe = path;
	longest.exe_len = ET_PATH_MAX;
	r = decode(d, -1, &longest, &ev);
	assert_int_equal(ev.exe_len, 3 + ET_PATH_MAX + strlen(" (deleted)"));
	assert_memory_equal(ev.exe, "...", 3);
	assert_memory_equal(ev.exe + 3, path, ET_PATH_MAX);
	assert_memory_equal(ev.exe + 3 + ET_PATH_MAX, " (deleted)", strlen(" (deleted)"));
	event_decoder_free(d);
	free(r);

	/* Not even a tail could be read: "...", not null (a binary did run). */
	nothing.exe = NULL;
	nothing.exe_len = 0;
	r = decode(d, -1, &nothing, &ev);
	assert_bytes(ev.exe, ev.exe_len, "...");
	assert_true(ev.exe_truncated);
	event_decoder_free(d);
	free(r);
	free(path);
	free(d);
}

/* A perf sample's payload starts 4 bytes past an 8-byte boundary: decoding must not assume alignment (UBSan
 * checks every access here). */
static void test_misaligned(void **state)
{
	size_t size;
	struct et_record *r = build(&plain_spec, &size);
	char *buf = malloc(size + 4);
	struct event_decoder d;
	struct exec_event ev;

	(void)state;
	assert_non_null(buf);
	memcpy(buf + 4, r, size);
	event_decoder_init(&d, -1);
	assert_int_equal(decode_exec(&d, buf + 4, size, &ev), 0);
	assert_int_equal(ev.ktime_ns, KTIME);
	assert_int_equal(ev.pid, 4242);
	assert_bytes(ev.filename, ev.filename_len, "/bin/ls");
	assert_bytes(ev.exe, ev.exe_len, "/usr/bin/ls");
	assert_int_equal(ev.nargs, 2);
	assert_arg(&ev.args[1], "-l");
	event_decoder_free(&d);
	free(buf);
	free(r);
}

/* A failed exec ran no binary: exe is NULL, even with a flag that would otherwise name it. */
static void test_no_exe(void **state)
{
	const struct spec s = {
	    .retval = -ENOENT, .argc = 1, FIELD(filename, "/nonexistent"), FIELD(argv, "x\0")};
	struct spec deleted = s;
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	assert_null(ev.exe);
	assert_int_equal(ev.exe_len, 0);
	assert_int_equal(ev.retval, -ENOENT);
	assert_arg(&ev.args[0], "x");
	event_decoder_free(&d);
	free(r);

	deleted.flags = ET_F_EXE_DELETED;
	r = decode(&d, -1, &deleted, &ev);
	assert_null(ev.exe);
	assert_int_equal(ev.exe_len, 0);
	event_decoder_free(&d);
	free(r);
}

static void test_max_args(void **state)
{
	const struct spec s = {.argc = 4, FIELD(argv, "a\0b\0c\0d\0")};
	const struct spec two = {.argc = 2, FIELD(argv, "a\0b\0")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, 2, &s, &ev);
	assert_true(ev.truncated);
	assert_int_equal(ev.argc, 4);
	assert_int_equal(ev.nargs, 2);
	assert_arg(&ev.args[0], "a");
	assert_arg(&ev.args[1], "b");
	event_decoder_free(&d);
	free(r);

	/* Exactly at the limit: nothing was left out. */
	r = decode(&d, 2, &two, &ev);
	assert_false(ev.truncated);
	assert_int_equal(ev.nargs, 2);
	event_decoder_free(&d);
	free(r);
}

/* --max-args also hides arguments when reading faulted: that is still a documented limit at work. */
static void test_max_args_with_fault(void **state)
{
	const struct spec s = {.flags = ET_F_ARGV_FAULT, .argc = 5, FIELD(argv, "a\0")};
	const struct spec partial = {.flags = ET_F_ARGV_FAULT, .argc = 3, FIELD(argv, "a\0b")};
	const struct spec all = {.flags = ET_F_ARGV_FAULT, .argc = 2, FIELD(argv, "a\0")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, 2, &s, &ev);
	assert_int_equal(ev.nargs, 2);
	assert_arg(&ev.args[0], "a");
	assert_unreadable(&ev.args[1]);
	assert_true(ev.truncated); /* 3 more arguments were left out by --max-args */
	event_decoder_free(&d);
	free(r);

	r = decode(&d, 1, &partial, &ev);
	assert_int_equal(ev.nargs, 1);
	assert_arg(&ev.args[0], "a");
	assert_true(ev.truncated);
	event_decoder_free(&d);
	free(r);

	/* The limit not reached: the fault alone is no truncation. */
	r = decode(&d, 2, &all, &ev);
	assert_int_equal(ev.nargs, 2);
	assert_unreadable(&ev.args[1]);
	assert_false(ev.truncated);
	event_decoder_free(&d);
	free(r);
}

static void expect_einval(const struct et_record *r, size_t size)
{
	struct event_decoder d;
	struct exec_event ev;

	event_decoder_init(&d, -1);
	assert_int_equal(decode_exec(&d, r, size, &ev), -EINVAL);
	event_decoder_free(&d);
}

static void test_malformed(void **state)
{
	const struct spec s = {
	    .argc = 1, FIELD(filename, "/bin/ls"), FIELD(exe, "/usr/bin/ls"), FIELD(argv, "ls\0")};
	struct et_record *r;
	size_t size;
	char *big;

	(void)state;
	r = build(&s, &size);
	/* Sanity: the record itself is fine. */
	{
		struct event_decoder d;
		struct exec_event ev;

		event_decoder_init(&d, -1);
		assert_int_equal(decode_exec(&d, r, size, &ev), 0);
		event_decoder_free(&d);
	}
	/* Shorter than the header, down to nothing. */
	expect_einval(r, sizeof(struct et_record) - 1);
	expect_einval(r, 0);
	/* Lengths that sum past the size: by one byte, in each field. */
	expect_einval(r, size - 1);
	r->filename_len++;
	expect_einval(r, size);
	r->filename_len--;
	r->exe_len++;
	expect_einval(r, size);
	r->exe_len--;
	r->cwd_len++;
	expect_einval(r, size);
	r->cwd_len--;
	r->argv_len++;
	expect_einval(r, size);
	r->argv_len--;
	/* Unreadable arguments named without room for them, and that room past the record's end. */
	r->nr_bad_args = 1;
	expect_einval(r, size);
	r->nr_bad_args = 0;
	r->flags |= ET_F_BAD_ARGS;
	expect_einval(r, size);
	r->flags &= ~ET_F_BAD_ARGS;
	/* A context shorter than all but the terminal, or longer than all of it. */
	r->context_len = ET_CONTEXT_MIN - 1;
	expect_einval(r, size);
	r->context_len = 1;
	expect_einval(r, size);
	r->context_len = sizeof(struct et_context) + 1;
	expect_einval(r, size);
	r->context_len = ET_CONTEXT_MIN + 1;
	/* Lengths whose sum wraps around in 32 bits. */
	r->exe_len = 0xffffffffu;
	r->argv_len = 0xffffffffu;
	expect_einval(r, size);
	r->exe_len = 11;
	r->argv_len = 3;
	r->cwd_len = 0xffffffffu;
	expect_einval(r, size);
	r->cwd_len = 0;
	/* A record type this build does not know. */
	r->type = ET_REC_EXIT + 1;
	expect_einval(r, size);
	r->type = 0;
	expect_einval(r, size);
	free(r);

	/* Beyond the kernel's limits, even when the bytes are there. */
	big = calloc(1, ET_ARGV_CAP + 2);
	assert_non_null(big);
	{
		const struct spec fn = {
		    .argc = 1, .filename = big, .filename_len = ET_PATH_MAX + 1, FIELD(argv, "x\0")};
		const struct spec exe = {
		    .argc = 1, .exe = big, .exe_len = ET_PATH_MAX + 1, FIELD(argv, "x\0")};
		const struct spec cwd = {
		    .argc = 1, .cwd = big, .cwd_len = ET_PATH_MAX + 1, FIELD(argv, "x\0")};
		const struct spec argv = {.argc = 1, .argv = big, .argv_len = ET_ARGV_CAP + 1};
		const struct spec fn_max = {
		    .argc = 1, .filename = big, .filename_len = ET_PATH_MAX, FIELD(argv, "x\0")};

		r = build(&fn, &size);
		expect_einval(r, size);
		free(r);
		r = build(&exe, &size);
		expect_einval(r, size);
		free(r);
		r = build(&cwd, &size);
		expect_einval(r, size);
		free(r);
		r = build(&argv, &size);
		expect_einval(r, size);
		free(r);
		/* At the limit is fine. */
		r = build(&fn_max, &size);
		{
			struct event_decoder d;
			struct exec_event ev;

			event_decoder_init(&d, -1);
			assert_int_equal(decode_exec(&d, r, size, &ev), 0);
			assert_int_equal(ev.filename_len, ET_PATH_MAX);
			event_decoder_free(&d);
		}
		free(r);
	}
	free(big);
}

/* Three ancestors as the kernel writes them (a comm that fills its 16 bytes has no NUL). */
static const struct et_ancestor three_ancestors[] = {
    {.pid = 300, .start_time = 3000, .exec_seq = 3, .comm = "make"},
    {.pid = 20, .start_time = 2000, .exec_seq = 2, .comm = "sixteen-bytes-xx"},
    {.pid = 1, .start_time = 1000, .exec_seq = 1, .comm = "systemd"},
};

static void test_ancestors(void **state)
{
	const struct spec s = {.argc = 1,
			       FIELD(filename, "/bin/ls"),
			       FIELD(argv, "ls\0"),
			       .ancestors = three_ancestors,
			       .nr_ancestors = 3,
			       FIELD(env, "A=1\0")};
	size_t size;
	struct et_record *r = build(&s, &size);
	char *buf = malloc(size + 3);
	struct event_decoder d;
	struct exec_event ev;

	(void)state;
	assert_non_null(buf);
	/* Misaligned, as in a perf sample. */
	memcpy(buf + 3, r, size);
	event_decoder_init(&d, -1);
	assert_int_equal(decode_exec(&d, buf + 3, size, &ev), 0);
	assert_int_equal(ev.nancestors, 3);
	assert_false(ev.ancestors_truncated);
	assert_int_equal(ev.ancestors[0].pid, 300);
	assert_int_equal(ev.ancestors[0].start_time, 3000);
	assert_int_equal(ev.ancestors[0].exec_seq, 3);
	assert_string_equal(ev.ancestors[0].comm, "make");
	assert_string_equal(ev.ancestors[1].comm, "sixteen-bytes-xx");
	assert_int_equal(ev.ancestors[2].pid, 1);
	/* The regions around them are where they belong. */
	assert_int_equal(ev.nargs, 1);
	assert_arg(&ev.args[0], "ls");
	assert_int_equal(ev.nenv, 1);
	assert_arg(&ev.env[0], "A=1");
	/* The chain went on past them. */
	{
		unsigned int flags = ET_F_ANCESTORS_CUT;

		memcpy(buf + 3 + offsetof(struct et_record, flags), &flags, sizeof(flags));
	}
	assert_int_equal(decode_exec(&d, buf + 3, size, &ev), 0);
	assert_true(ev.ancestors_truncated);
	assert_int_equal(ev.nancestors, 3);
	event_decoder_free(&d);
	free(buf);
	free(r);
}

/* The environment: every entry, or those named only (by the text before the first '=', exactly). */
static void test_env(void **state)
{
	static const char env[] = "A=1\0SECRET_TOKEN=hunter2\0B\0PATH=/bin:/usr/bin\0E=x=y\0\0SECRET=s\0";
	const struct spec all = {.argc = 1, FIELD(argv, "ls\0"), FIELD(env, env)};
	const struct spec named = {
	    .argc = 1, FIELD(argv, "ls\0"), FIELD(env, env), .env_names = "PATH,B,E,SECRE"};
	const struct spec secret = {.argc = 1, FIELD(argv, "ls\0"), FIELD(env, env), .env_names = "SECRET"};
	const struct spec none = {.argc = 1, FIELD(argv, "ls\0"), .env_names = "PATH"};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &all, &ev);
	assert_int_equal(ev.nenv, 7);
	assert_arg(&ev.env[0], "A=1");
	assert_arg(&ev.env[1], "SECRET_TOKEN=hunter2");
	assert_arg(&ev.env[2], "B");
	assert_arg(&ev.env[4], "E=x=y");
	assert_arg(&ev.env[5], "");
	assert_arg(&ev.env[6], "SECRET=s");
	assert_false(ev.env_truncated);
	assert_false(ev.env_unreadable);
	event_decoder_free(&d);
	free(r);

	r = decode(&d, -1, &named, &ev);
	assert_int_equal(ev.nenv, 3);
	assert_arg(&ev.env[0], "B");
	assert_arg(&ev.env[1], "PATH=/bin:/usr/bin");
	assert_arg(&ev.env[2], "E=x=y");
	event_decoder_free(&d);
	free(r);

	/* A name is not a prefix: SECRET_TOKEN stays out. */
	r = decode(&d, -1, &secret, &ev);
	assert_int_equal(ev.nenv, 1);
	assert_arg(&ev.env[0], "SECRET=s");
	event_decoder_free(&d);
	free(r);

	r = decode(&d, -1, &none, &ev);
	assert_int_equal(ev.nenv, 0);
	assert_false(ev.env_truncated);
	event_decoder_free(&d);
	free(r);
}

/* An entry cut by --env-bytes or a fault is left out: its name could pass for another's. */
static void test_env_cut(void **state)
{
	const struct spec cut = {.argc = 1,
				 .flags = ET_F_ENV_CUT,
				 FIELD(argv, "ls\0"),
				 FIELD(env, "A=1\0SECRET_TOKEN=abc"),
				 .env_names = "SECRET_TOKEN,A"};
	const struct spec cut_name = {.argc = 1,
				      .flags = ET_F_ENV_CUT,
				      FIELD(argv, "ls\0"),
				      FIELD(env, "A=1\0SECRET"),
				      .env_names = "SECRET"};
	const struct spec fault = {
	    .argc = 1, .flags = ET_F_ENV_FAULT, FIELD(argv, "ls\0"), FIELD(env, "A=1\0B=")};
	const struct spec unreadable = {.argc = 1, .flags = ET_F_ENV_FAULT, FIELD(argv, "ls\0")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &cut, &ev);
	assert_int_equal(ev.nenv, 1);
	assert_arg(&ev.env[0], "A=1");
	assert_true(ev.env_truncated);
	assert_false(ev.env_unreadable);
	event_decoder_free(&d);
	free(r);

	r = decode(&d, -1, &cut_name, &ev);
	assert_int_equal(ev.nenv, 0);
	assert_true(ev.env_truncated);
	event_decoder_free(&d);
	free(r);

	r = decode(&d, -1, &fault, &ev);
	assert_int_equal(ev.nenv, 1);
	assert_true(ev.env_truncated);
	assert_false(ev.env_unreadable);
	event_decoder_free(&d);
	free(r);

	r = decode(&d, -1, &unreadable, &ev);
	assert_int_equal(ev.nenv, 0);
	assert_true(ev.env_truncated);
	assert_true(ev.env_unreadable);
	event_decoder_free(&d);
	free(r);
}

/* The ancestors' count and the environment's length are checked like the other lengths. */
static void test_malformed_lineage(void **state)
{
	const struct spec s = {.argc = 1,
			       FIELD(argv, "ls\0"),
			       .ancestors = three_ancestors,
			       .nr_ancestors = 2,
			       FIELD(env, "A=1\0")};
	size_t size, big_size;
	struct et_record *r = build(&s, &size), *big;

	(void)state;
	expect_einval(r, size - 1);
	r->nr_ancestors++;
	expect_einval(r, size);
	r->nr_ancestors--;
	r->env_len++;
	expect_einval(r, size);
	r->env_len = 0xffffffffu;
	expect_einval(r, size);
	r->env_len = 4;
	r->nr_ancestors = 0xffffffffu;
	expect_einval(r, size);
	free(r);

	/* Beyond the kernel's limits, even when the bytes are there. */
	big_size =
	    sizeof(struct et_record) + (ET_ANCESTORS_MAX + 1) * sizeof(struct et_ancestor) + ET_ENV_CAP + 1;
	big = calloc(1, big_size);
	assert_non_null(big);
	big->type = ET_REC_EXEC;
	big->nr_ancestors = ET_ANCESTORS_MAX + 1;
	expect_einval(big, big_size);
	big->nr_ancestors = ET_ANCESTORS_MAX;
	{
		struct event_decoder d;
		struct exec_event ev;

		event_decoder_init(&d, -1);
		assert_int_equal(decode_exec(&d, big, big_size, &ev), 0);
		assert_int_equal(ev.nancestors, ET_ANCESTORS_MAX);
		event_decoder_free(&d);
	}
	big->nr_ancestors = 0;
	big->env_len = ET_ENV_CAP + 1;
	expect_einval(big, big_size);
	free(big);
}

/* Many arguments: the decoder's array grows, and is reused for the next record. */
static void test_many_args(void **state)
{
	enum { N = 1000 };
	char *argv = malloc(N * 6), *p = argv;
	struct spec s = {.argc = N};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r, *r2;
	size_t size;
	const struct spec small = {.argc = 2, FIELD(argv, "x\0y\0")};

	(void)state;
	assert_non_null(argv);
	for (int i = 0; i < N; i++)
		p += sprintf(p, "%d", i) + 1; /* the NUL stays */
	s.argv = argv;
	s.argv_len = (size_t)(p - argv);
	r = decode(&d, -1, &s, &ev);
	assert_int_equal(ev.nargs, N);
	assert_int_equal(ev.argc, N);
	assert_false(ev.truncated);
	for (int i = 0; i < N; i++) {
		char want[8];

		snprintf(want, sizeof(want), "%d", i);
		assert_arg(&ev.args[i], want);
	}
	assert_true(d.cap >= N);

	/* Same decoder, next record. */
	r2 = build(&small, &size);
	assert_int_equal(decode_exec(&d, r2, size, &ev), 0);
	assert_int_equal(ev.nargs, 2);
	assert_arg(&ev.args[0], "x");
	assert_arg(&ev.args[1], "y");
	event_decoder_free(&d);
	free(r2);
	free(r);
	free(argv);
}

/* A record as text mode sends it, without a context: the regions follow the header, the context is zero. */
static void test_no_context(void **state)
{
	const struct spec s = {.argc = 2,
			       .no_context = true,
			       FIELD(filename, "/bin/ls"),
			       FIELD(exe, "/usr/bin/ls"),
			       FIELD(argv, "ls\0-l\0")};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	memset(&ev, 0xa5, sizeof(ev));
	r = decode(&d, -1, &s, &ev);
	assert_int_equal(r->context_len, 0);
	assert_ptr_equal(ev.filename, r->data);
	assert_bytes(ev.exe, ev.exe_len, "/usr/bin/ls");
	assert_null(ev.cwd);
	assert_int_equal(ev.nargs, 2);
	assert_arg(&ev.args[1], "-l");
	assert_int_equal(ev.euid, 0);
	assert_int_equal(ev.ids.start_time, 0);
	assert_int_equal(ev.cap_effective, 0);
	assert_string_equal(ev.tty, "");
	event_decoder_free(&d);
	free(r);
}

/* The context: exec identity, ids, namespaces, capabilities and terminal, as the kernel wrote them. */
static void test_context(void **state)
{
	const struct spec s = {.argc = 1, FIELD(argv, "x\0"), .tty = "tty1", .caps = 0x1ff};
	const struct spec unset = {.argc = 1, FIELD(argv, "x\0"), .unset = true};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	assert_int_equal(ev.euid, 0);
	assert_int_equal(ev.egid, 1001);
	assert_int_equal(ev.loginuid, 1000);
	assert_int_equal(ev.sessionid, 7);
	assert_int_equal(ev.ids.start_time, START_TIME);
	assert_int_equal(ev.ids.exec_seq, 3);
	assert_int_equal(ev.ids.parent_start_time, PARENT_START_TIME);
	assert_int_equal(ev.ids.parent_exec_seq, 2);
	assert_int_equal(ev.cgroup_id, CGROUP_ID);
	assert_int_equal(ev.cap_effective, 0x1ff);
	for (int i = 0; i < ET_NS_COUNT; i++)
		assert_int_equal(ev.ns[i], NS_BASE + i);
	assert_string_equal(ev.tty, "tty1");
	/* Named in user space, from the id: not by the decoder. */
	assert_null(ev.cgroup);
	assert_null(ev.container_id);
	event_decoder_free(&d);
	free(r);

	r = decode(&d, -1, &unset, &ev);
	assert_int_equal(ev.loginuid, ET_ID_UNSET);
	assert_int_equal(ev.sessionid, ET_ID_UNSET);
	assert_int_equal(ev.ns[ET_NS_TIME], 0);
	assert_string_equal(ev.tty, "");
	event_decoder_free(&d);
	free(r);
}

/* The kernel names pseudo-terminals "pts3"; /dev has them as pts/3. Other names stay as they are. */
static void test_tty(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"pts3", "pts/3"},	{"pts0", "pts/0"},	{"pts123", "pts/123"}, {"tty1", "tty1"},
	    {"ttyS0", "ttyS0"}, {"console", "console"}, {"pts", "pts"},	       {"pts3a", "pts3a"},
	    {"ptsx", "ptsx"},	{"ptmx", "ptmx"},
	};
	char longest[ET_TTY_LEN], want[TTY_NAME_MAX];
	struct spec s = {.argc = 1, FIELD(argv, "x\0")};
	struct event_decoder *d = malloc(sizeof(*d));
	struct exec_event *ev = malloc(sizeof(*ev)); /* on the heap: ASan watches the end of tty */
	struct et_record *r;
	size_t size;

	(void)state;
	assert_non_null(d);
	assert_non_null(ev);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s.tty = cases[i].in;
		r = decode(d, -1, &s, ev);
		assert_string_equal(ev->tty, cases[i].want);
		event_decoder_free(d);
		free(r);
	}

	/* The longest name the kernel sends, a pts one: the '/' still fits. */
	memset(longest, '7', sizeof(longest));
	memcpy(longest, "pts", 3);
	longest[ET_TTY_LEN - 1] = '\0';
	s.tty = longest;
	r = decode(d, -1, &s, ev);
	snprintf(want, sizeof(want), "pts/%s", longest + 3);
	assert_string_equal(ev->tty, want);
	assert_int_equal(strlen(ev->tty), ET_TTY_LEN);
	event_decoder_free(d);
	free(r);

	/* A name without its NUL (a malformed record) is read up to the field's end only, digits or not. */
	for (int i = 0; i < 2; i++) {
		r = build(&s, &size);
		memset(ctx_of(r)->tty, i ? '7' : 'a', ET_TTY_LEN);
		memcpy(ctx_of(r)->tty, "pts", 3);
		memset(r->comm, '7', sizeof(r->comm));
		event_decoder_init(d, -1);
		assert_int_equal(decode_exec(d, r, size, ev), 0);
		assert_int_equal(strlen(ev->tty), i ? ET_TTY_LEN + 1 : ET_TTY_LEN);
		assert_memory_equal(ev->tty, i ? "pts/777" : "ptsaaa", i ? 7 : 6);
		event_decoder_free(d);
		free(r);
	}
	free(ev);
	free(d);
}

/* The working directory follows exe's rules: removed is " (deleted)", not named whole is "..." and its tail.
 */
static void test_cwd(void **state)
{
	const struct spec deleted = {.flags = ET_F_CWD_DELETED,
				     .argc = 1,
				     FIELD(exe, "/bin/x"),
				     FIELD(cwd, "/tmp/d"),
				     FIELD(argv, "x\0")};
	const struct spec cut = {.flags = ET_F_CWD_CUT | ET_F_CWD_DELETED,
				 .argc = 1,
				 FIELD(exe, "/bin/x"),
				 FIELD(cwd, "/deep/d"),
				 FIELD(argv, "x\0")};
	/* A failed exec: no binary, a working directory all the same. */
	const struct spec failed = {
	    .retval = -2, .argc = 1, FIELD(filename, "./nope"), FIELD(cwd, "/srv"), FIELD(argv, "nope\0")};
	/* Not even a tail could be read: "...", not null. */
	const struct spec nothing = {.flags = ET_F_CWD_CUT, .argc = 1, FIELD(argv, "x\0")};
	/* The exe's marks are not the working directory's. */
	const struct spec exe_marks = {.flags = ET_F_EXE_CUT | ET_F_EXE_DELETED,
				       .argc = 1,
				       FIELD(exe, "/bin/x"),
				       FIELD(cwd, "/"),
				       FIELD(argv, "x\0")};
	struct event_decoder *d = malloc(sizeof(*d)); /* on the heap: ASan watches the end of cwd_buf */
	struct exec_event ev;
	struct et_record *r;
	struct spec longest = cut;
	char *path = malloc(ET_PATH_MAX);

	(void)state;
	assert_non_null(d);
	assert_non_null(path);
	r = decode(d, -1, &deleted, &ev);
	assert_bytes(ev.cwd, ev.cwd_len, "/tmp/d (deleted)");
	assert_false(ev.cwd_truncated);
	assert_bytes(ev.exe, ev.exe_len, "/bin/x");
	assert_arg(&ev.args[0], "x");
	event_decoder_free(d);
	free(r);

	r = decode(d, -1, &cut, &ev);
	assert_bytes(ev.cwd, ev.cwd_len, ".../deep/d (deleted)");
	assert_true(ev.cwd_truncated);
	assert_false(ev.exe_truncated);
	event_decoder_free(d);
	free(r);

	r = decode(d, -1, &failed, &ev);
	assert_null(ev.exe);
	assert_bytes(ev.cwd, ev.cwd_len, "/srv");
	assert_arg(&ev.args[0], "nope");
	event_decoder_free(d);
	free(r);

	r = decode(d, -1, &nothing, &ev);
	assert_bytes(ev.cwd, ev.cwd_len, "...");
	assert_true(ev.cwd_truncated);
	event_decoder_free(d);
	free(r);

	r = decode(d, -1, &exe_marks, &ev);
	assert_bytes(ev.cwd, ev.cwd_len, "/");
	assert_false(ev.cwd_truncated);
	assert_bytes(ev.exe, ev.exe_len, ".../bin/x (deleted)");
	event_decoder_free(d);
	free(r);

	/* The longest tail, of a removed directory: both marks fit. */
	memset(path, 'a', ET_PATH_MAX);
	path[0] = '/';
	longest.cwd = path;
	longest.cwd_len = ET_PATH_MAX;
	r = decode(d, -1, &longest, &ev);
	assert_int_equal(ev.cwd_len, 3 + ET_PATH_MAX + strlen(" (deleted)"));
	assert_memory_equal(ev.cwd, "...", 3);
	assert_memory_equal(ev.cwd + 3, path, ET_PATH_MAX);
	assert_memory_equal(ev.cwd + 3 + ET_PATH_MAX, " (deleted)", strlen(" (deleted)"));
	event_decoder_free(d);
	free(r);
	free(path);
	free(d);
}

/* ---- formatters ---- */

static struct options opts(void)
{
	struct options o;

	memset(&o, 0, sizeof(o));
	o.max_args = -1;
	o.context_groups = ET_CTX_ALL;
	return o;
}

typedef int (*exec_fn)(const struct output *, const struct exec_event *);

/* What fn writes for ev, NUL-terminated; the caller frees it. */
static char *format(exec_fn fn, const struct options *o, const struct exec_event *ev)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	const struct output out = {
	    .f = f, .opts = o, .boot_to_real_ns = BOOT_TO_REAL, .start_boot_ns = NS / 2};

	assert_non_null(f);
	assert_int_equal(fn(&out, ev), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(buf), n); /* no NUL was written */
	return buf;
}

/* Decodes s (with max_args), formats it with fn and options o, and compares with want. */
static void check_format(exec_fn fn, const struct options *o, long max_args, const struct spec *s,
			 const char *want)
{
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r = decode(&d, max_args, s, &ev);
	char *got = format(fn, o, &ev);

	assert_string_equal(got, want);
	free(got);
	event_decoder_free(&d);
	free(r);
}

static const struct spec plain = {
    .argc = 2, FIELD(filename, "/bin/ls"), FIELD(exe, "/usr/bin/ls"), FIELD(argv, "ls\0-l\0")};

static void test_text_plain(void **state)
{
	const struct options o = opts();
	const struct spec failed = {
	    .retval = -2, .argc = 1, .comm = "bash", FIELD(filename, "nope"), FIELD(argv, "nope\0")};

	(void)state;
	/* "%-16s %-6u %-6u %3d" and then the arguments. */
	/* argv[0] "ls" is the base name of the binary: not repeated. */
	check_format(text_exec, &o, -1, &plain, "ls               4242   4241     0 /bin/ls -l\n");
	check_format(text_exec, &o, -1, &failed, "bash             4242   4241    -2 nope\n");
}

static void test_text_escapes(void **state)
{
	const struct options o = opts();
	const struct spec s = {
	    .argc = 4, FIELD(filename, "/bin/echo"), FIELD(argv, "echo\0a\nb\0\x1b[31mred\0back\\slash\0")};
	const struct spec comm = {.argc = 1,
				  .comm = "a\x1b"
					  "b",
				  FIELD(filename, "x"),
				  FIELD(argv, "x\0")};
	const struct spec comm16 = {.argc = 1,
				    .comm =
					"\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b",
				    FIELD(filename, "x"),
				    FIELD(argv, "x\0")};
	const struct spec binary = {
	    .argc = 1, FIELD(filename, "./a\x1b]0;t\x07\\b"), FIELD(argv, "./a\x1b]0;t\x07\\b\0")};

	(void)state;
	check_format(text_exec, &o, -1, &s,
		     "ls               4242   4241     0 /bin/echo a\\nb \\x1b[31mred back\\\\slash\n");
	/* The binary is escaped as an argument is. */
	check_format(text_exec, &o, -1, &binary,
		     "ls               4242   4241     0 ./a\\x1b]0;t\\x07\\\\b\n");
	/* An escaped command name is padded by what it printed... */
	check_format(text_exec, &o, -1, &comm, "a\\x1bb           4242   4241     0 x\n");
	/* ...and at its widest, 16 escapes, pushes the columns right but is never cut. */
	check_format(text_exec, &o, -1, &comm16,
		     "\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b 4242  "
		     " 4241     0 x\n");
}

static void test_text_unreadable_truncated(void **state)
{
	const struct options o = opts();
	const struct spec fault = {
	    .flags = ET_F_ARGV_FAULT, .argc = 3, FIELD(filename, "/bin/cat"), FIELD(argv, "cat\0")};
	const struct spec cut = {
	    .flags = ET_F_ARGV_CUT, .argc = 9, FIELD(filename, "/bin/cat"), FIELD(argv, "cat\0long")};
	const struct spec empty_arg = {.argc = 3, FIELD(filename, "/bin/a"), FIELD(argv, "a\0\0b\0")};

	(void)state;
	check_format(text_exec, &o, -1, &fault, "ls               4242   4241     0 /bin/cat \\? \\?\n");
	check_format(text_exec, &o, -1, &cut, "ls               4242   4241     0 /bin/cat long ...\n");
	/* --max-args: the same marker. */
	check_format(text_exec, &o, 1, &plain, "ls               4242   4241     0 /bin/ls ...\n");
	/* An empty argument is not an unreadable one. */
	check_format(text_exec, &o, -1, &empty_arg, "ls               4242   4241     0 /bin/a  b\n");
}

static void test_text_quote(void **state)
{
	struct options o = opts();
	const struct spec s = {.argc = 4, FIELD(filename, "/bin/sh"), FIELD(argv, "sh\0-c\0echo \"hi\"\0\0")};

	(void)state;
	o.quote = true;
	check_format(text_exec, &o, -1, &plain, "ls               4242   4241     0 \"/bin/ls\" \"-l\"\n");
	check_format(text_exec, &o, -1, &s,
		     "ls               4242   4241     0 \"/bin/sh\" \"-c\" \"echo \\\"hi\\\"\" \"\"\n");
}

static void test_text_columns(void **state)
{
	struct options o = opts();

	(void)state;
	o.clock_time = true;
	o.elapsed_time = true;
	o.print_uid = true;
	/* TZ is UTC (main); ktime 1.5 s is 1 s after start_boot_ns. */
	check_format(text_exec, &o, -1, &plain,
		     "00:00:00 1.000    1000   ls               4242   4241     0 /bin/ls -l\n");
}

/* Like check_format for text_exec, given only ARGS: the columns before it are those of every spec here. */
static void check_args(const struct options *o, long max_args, const struct spec *s, const char *want)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "%-16s 4242   4241   %3d %s\n", s->comm ? s->comm : "ls",
			 s->retval, want);

	assert_true(n > 0 && (size_t)n < sizeof(line));
	check_format(text_exec, o, max_args, s, line);
}

/* ARGS names the binary that ran, then argv[0] only when it says something else. */
static void test_text_binary(void **state)
{
	const struct options o = opts();
	/* execve(path, {NULL}): the kernel hands the program argv [""]. */
	const struct spec argc0 = {
	    .argc = 1, FIELD(filename, "/tmp/x/pkexec"), FIELD(exe, "/tmp/x/pkexec"), FIELD(argv, "\0")};
	const struct spec spoofed = {.argc = 2,
				     FIELD(filename, "/tmp/evil"),
				     FIELD(exe, "/tmp/evil"),
				     FIELD(argv, "/usr/bin/sshd\0-D\0")};
	const struct spec applet = {.argc = 2,
				    FIELD(filename, "/bin/busybox"),
				    FIELD(exe, "/usr/bin/busybox"),
				    FIELD(argv, "ls\0-l\0")};
	/* A symlink /bin/ls to busybox, called by its name. */
	const struct spec link = {
	    .argc = 2, FIELD(filename, "/bin/ls"), FIELD(exe, "/usr/bin/busybox"), FIELD(argv, "ls\0-l\0")};
	/* The binary's own base name says nothing more either when the binary shown is the filename. */
	const struct spec exe_base = {.argc = 1,
				      FIELD(filename, "/usr/bin/vi"),
				      FIELD(exe, "/usr/bin/vim.basic"),
				      FIELD(argv, "vim.basic\0")};
	const struct spec login = {
	    .argc = 1, FIELD(filename, "/bin/bash"), FIELD(exe, "/usr/bin/bash"), FIELD(argv, "-bash\0")};
	const struct spec rel = {
	    .argc = 2, FIELD(filename, "./x"), FIELD(exe, "/tmp/x"), FIELD(argv, "./x\0a\0")};
	const struct spec rel_base = {
	    .argc = 2, FIELD(filename, "./x"), FIELD(exe, "/tmp/x"), FIELD(argv, "x\0a\0")};
	const struct spec script = {.argc = 3,
				    FIELD(filename, "/tmp/s"),
				    FIELD(exe, "/usr/bin/dash"),
				    FIELD(argv, "/bin/sh\0/tmp/s\0a\0")};

	(void)state;
	check_args(&o, -1, &argc0, "/tmp/x/pkexec \\argv0=");
	check_args(&o, -1, &spoofed, "/tmp/evil \\argv0=/usr/bin/sshd -D");
	check_args(&o, -1, &applet, "/bin/busybox \\argv0=ls -l");
	check_args(&o, -1, &link, "/bin/ls -l");
	check_args(&o, -1, &exe_base, "/usr/bin/vi \\argv0=vim.basic");
	check_args(&o, -1, &login, "/bin/bash \\argv0=-bash");
	check_args(&o, -1, &rel, "./x a");
	check_args(&o, -1, &rel_base, "./x a");
	check_args(&o, -1, &script, "/tmp/s \\argv0=/bin/sh /tmp/s a");
}

/* execveat: relative to a directory fd, or on an fd alone (a memfd), the binary is its absolute path. */
static void test_text_execveat(void **state)
{
	const struct options o = opts();
	const struct spec dirfd = {.flags = ET_F_FDPATH,
				   .argc = 2,
				   FIELD(filename, "/dev/fd/3/rel-true"),
				   FIELD(exe, "/tmp/d/rel-true"),
				   FIELD(argv, "rel-true\0m\0")};
	const struct spec dirfd_abs = {.flags = ET_F_FDPATH,
				       .argc = 2,
				       FIELD(filename, "/dev/fd/3/sub/x"),
				       FIELD(exe, "/tmp/d/sub/x"),
				       FIELD(argv, "/tmp/d/sub/x\0m\0")};
	const struct spec dirfd_base = {.flags = ET_F_FDPATH,
					.argc = 1,
					FIELD(filename, "/dev/fd/3/sub/x"),
					FIELD(exe, "/tmp/d/sub/x"),
					FIELD(argv, "x\0")};
	const struct spec dirfd_spoofed = {.flags = ET_F_FDPATH,
					   .argc = 1,
					   FIELD(filename, "/dev/fd/3/sub/x"),
					   FIELD(exe, "/tmp/d/sub/x"),
					   FIELD(argv, "sshd\0")};
	/* A failed exec ran no binary: the filename as passed, relative to the fd. */
	const struct spec dirfd_failed = {.flags = ET_F_FDPATH,
					  .retval = -2,
					  .argc = 2,
					  FIELD(filename, "/dev/fd/3/nope"),
					  FIELD(argv, "nope\0m\0")};
	const struct spec memfd = {.flags = ET_F_FDPATH | ET_F_EXE_DELETED,
				   .argc = 2,
				   FIELD(filename, "/dev/fd/3"),
				   FIELD(exe, "/memfd:m"),
				   FIELD(argv, "m\0x\0")};
	/* fexecve with argc 0: the empty filename names nothing, so the empty argv[0] is still shown. */
	const struct spec memfd_argc0 = {.flags = ET_F_FDPATH | ET_F_EXE_DELETED,
					 .argc = 1,
					 FIELD(filename, "/dev/fd/3"),
					 FIELD(exe, "/memfd:m"),
					 FIELD(argv, "\0")};
	const struct spec empty_failed = {
	    .flags = ET_F_FDPATH, .retval = -8, .argc = 1, FIELD(filename, "/dev/fd/3"), FIELD(argv, "m\0")};

	(void)state;
	check_args(&o, -1, &dirfd, "/tmp/d/rel-true m");
	check_args(&o, -1, &dirfd_abs, "/tmp/d/sub/x m");
	check_args(&o, -1, &dirfd_base, "/tmp/d/sub/x");
	check_args(&o, -1, &dirfd_spoofed, "/tmp/d/sub/x \\argv0=sshd");
	check_args(&o, -1, &dirfd_failed, "nope m");
	check_args(&o, -1, &memfd, "/memfd:m (deleted) \\argv0=m x");
	check_args(&o, -1, &memfd_argc0, "/memfd:m (deleted) \\argv0=");
	check_args(&o, -1, &empty_failed, " \\argv0=m");
}

static void test_text_binary_unreadable(void **state)
{
	const struct options o = opts();
	const struct spec filename = {
	    .flags = ET_F_FILENAME_FAULT, .retval = -14, .argc = 2, FIELD(argv, "x\0y\0")};
	const struct spec argv0 = {.retval = -14,
				   .argc = 2,
				   FIELD(filename, "/bin/x"),
				   FIELD(argv, "\0y\0"),
				   .nr_bad_args = 1,
				   .bad_args = {0}};
	const struct spec all = {.flags = ET_F_ARGV_FAULT,
				 .argc = 2,
				 FIELD(filename, "/bin/x"),
				 FIELD(exe, "/usr/bin/x"),
				 FIELD(argv, "")};

	(void)state;
	check_args(&o, -1, &filename, "\\? \\argv0=x y");
	check_args(&o, -1, &argv0, "/bin/x \\argv0=\\? y");
	check_args(&o, -1, &all, "/bin/x \\argv0=\\? \\?");
}

static void test_text_binary_quote(void **state)
{
	struct options o = opts();
	const struct spec argc0 = {
	    .argc = 1, FIELD(filename, "/bin/true"), FIELD(exe, "/usr/bin/true"), FIELD(argv, "\0")};
	const struct spec spoofed = {.argc = 2,
				     FIELD(filename, "/tmp/evil"),
				     FIELD(exe, "/tmp/evil"),
				     FIELD(argv, "/usr/bin/sshd\0-D\0")};
	const struct spec filename = {
	    .flags = ET_F_FILENAME_FAULT, .retval = -14, .argc = 1, FIELD(argv, "a \"b\"\0")};
	const struct spec argv0 = {.flags = ET_F_ARGV_FAULT,
				   .argc = 1,
				   FIELD(filename, "/bin/x"),
				   FIELD(exe, "/bin/x"),
				   FIELD(argv, "")};

	(void)state;
	o.quote = true;
	check_args(&o, -1, &argc0, "\"/bin/true\" \\argv0=\"\"");
	check_args(&o, -1, &spoofed, "\"/tmp/evil\" \\argv0=\"/usr/bin/sshd\" \"-D\"");
	check_args(&o, -1, &filename, "\\? \\argv0=\"a \\\"b\\\"\"");
	check_args(&o, -1, &argv0, "\"/bin/x\" \\argv0=\\?");
}

/* --max-args counts argv entries, argv[0] among them whether shown or not; the binary is extra. */
static void test_text_binary_max_args(void **state)
{
	const struct options o = opts();
	const struct spec spoofed = {
	    .argc = 3, FIELD(filename, "/tmp/evil"), FIELD(exe, "/tmp/evil"), FIELD(argv, "sshd\0-D\0-e\0")};
	const struct spec same = {
	    .argc = 3, FIELD(filename, "/bin/ls"), FIELD(exe, "/usr/bin/ls"), FIELD(argv, "ls\0-l\0/\0")};
	/* No argv at all: execve(path, NULL) that failed, and a cut that kept nothing. */
	const struct spec none = {.retval = -2, .argc = 0, FIELD(filename, "/bin/x")};
	const struct spec cut = {
	    .flags = ET_F_ARGV_CUT, .argc = 2, FIELD(filename, "/bin/x"), FIELD(exe, "/bin/x")};

	(void)state;
	check_args(&o, 1, &spoofed, "/tmp/evil \\argv0=sshd ...");
	check_args(&o, 2, &spoofed, "/tmp/evil \\argv0=sshd -D ...");
	check_args(&o, 3, &spoofed, "/tmp/evil \\argv0=sshd -D -e");
	check_args(&o, 1, &same, "/bin/ls ...");
	check_args(&o, 2, &same, "/bin/ls -l ...");
	check_args(&o, -1, &none, "/bin/x");
	check_args(&o, -1, &cut, "/bin/x ...");
}

/* An argument that reads "\argv0=..." is escaped: it cannot pass for the marker. */
static void test_text_argv0_marker(void **state)
{
	struct options o = opts();
	const struct spec arg = {.argc = 2,
				 FIELD(filename, "/bin/echo"),
				 FIELD(exe, "/usr/bin/echo"),
				 FIELD(argv, "echo\0\\argv0=x\0")};
	const struct spec argv0 = {.argc = 2,
				   FIELD(filename, "/bin/echo"),
				   FIELD(exe, "/usr/bin/echo"),
				   FIELD(argv, "\\argv0=x\0y\0")};

	(void)state;
	check_args(&o, -1, &arg, "/bin/echo \\\\argv0=x");
	check_args(&o, -1, &argv0, "/bin/echo \\argv0=\\\\argv0=x y");
	o.quote = true;
	check_args(&o, -1, &arg, "\"/bin/echo\" \"\\\\argv0=x\"");
}

static void test_text_header(void **state)
{
	struct options o = opts();
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	struct output out = {.opts = &o};

	(void)state;
	f = open_memstream(&buf, &n);
	assert_non_null(f);
	out.f = f;
	assert_int_equal(text_header(&out), 0);
	o.clock_time = o.elapsed_time = o.print_uid = true;
	assert_int_equal(text_header(&out), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "PCOMM            PID    PPID   RET ARGS\n"
				 "TIME     TIME(s)  UID    PCOMM            PID    PPID   RET ARGS\n");
	free(buf);
}

static void test_json_plain(void **state)
{
	const struct options o = opts();

	(void)state;
	check_format(
	    json_exec, &o, -1, &plain,
	    "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
	    ",\"comm\":\"ls\",\"filename\":\"/bin/ls\",\"exe\":\"/usr/bin/ls\","
	    "\"cwd\":null,\"argv\":[\"ls\",\"-l\"],\"argc\":2,\"truncated\":false,\"retval\":0" JSON_CONTEXT
	    "}\n");
}

static void test_json_failed(void **state)
{
	const struct options o = opts();
	const struct spec enoent = {
	    .retval = -2, .argc = 1, FIELD(filename, "./nope"), FIELD(argv, "nope\0")};
	const struct spec odd = {.retval = -4000, .argc = 0, .flags = ET_F_FILENAME_FAULT};

	(void)state;
	check_format(json_exec, &o, -1, &enoent,
		     "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
		     ",\"comm\":\"ls\",\"filename\":\"./nope\",\"exe\":null,"
		     "\"cwd\":null,\"argv\":[\"nope\"],\"argc\":1,\"truncated\":false,\"retval\":-2,"
		     "\"error\":\"ENOENT\"" JSON_CONTEXT "}\n");
	/* An errno without a name, an unreadable filename and no argv at all. */
	check_format(json_exec, &o, -1, &odd,
		     "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
		     ",\"comm\":\"ls\",\"filename\":null,\"exe\":null,"
		     "\"cwd\":null,\"argv\":[],\"argc\":0,\"truncated\":false,\"retval\":-4000,\"error\":"
		     "\"E4000\"" JSON_CONTEXT "}\n");
}

/* The marks of a value the kernel could not read whole: exe's tail, argc a lower bound. */
static void test_json_cut_marks(void **state)
{
	const struct options o = opts();
	const struct spec exe_cut = {.flags = ET_F_EXE_CUT,
				     .argc = 1,
				     FIELD(filename, "./x"),
				     FIELD(exe, "/deep/x"),
				     FIELD(argv, "x\0")};
	const struct spec argc_cut = {.retval = -2,
				      .flags = ET_F_ARGC_PARTIAL | ET_F_ARGV_CUT,
				      .argc = 2,
				      FIELD(filename, "/nope"),
				      FIELD(argv, "/nope\0a\0")};

	(void)state;
	check_format(json_exec, &o, -1, &exe_cut,
		     "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
		     ",\"comm\":\"ls\",\"filename\":\"./x\",\"exe\":\".../deep/x\",\"exe_truncated\":true,"
		     "\"cwd\":null,\"argv\":[\"x\"],\"argc\":1,\"truncated\":false,\"retval\":0" JSON_CONTEXT
		     "}\n");
	check_format(json_exec, &o, -1, &argc_cut,
		     "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
		     ",\"comm\":\"ls\",\"filename\":\"/nope\",\"exe\":null,"
		     "\"cwd\":null,\"argv\":[\"/"
		     "nope\",\"a\"],\"argc\":2,\"argc_truncated\":true,\"truncated\":true,\"retval\":-2,"
		     "\"error\":\"ENOENT\"" JSON_CONTEXT "}\n");
}

static void test_json_args(void **state)
{
	const struct options o = opts();
	const struct spec fault = {
	    .flags = ET_F_ARGV_FAULT, .argc = 4, FIELD(exe, "/tmp/x"), FIELD(argv, "a\0\0")};
	const struct spec esc = {.flags = ET_F_ARGV_CUT | ET_F_EXE_DELETED,
				 .argc = 7,
				 .comm = "q\"c",
				 FIELD(exe, "/memfd:x"),
				 FIELD(argv, "a\nb\0\x1b[0m\0\\\0\xff")};

	(void)state;
	/* Unreadable is null; an empty argument is "". */
	check_format(json_exec, &o, -1, &fault,
		     "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
		     ",\"comm\":\"ls\",\"filename\":\"\",\"exe\":\"/tmp/x\","
		     "\"cwd\":null,\"argv\":[\"a\",\"\",null,null],\"argc\":4,\"truncated\":false,\"retval\":"
		     "0" JSON_CONTEXT "}\n");
	check_format(json_exec, &o, -1, &esc,
		     "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
		     ",\"comm\":\"q\\\"c\",\"filename\":\"\",\"exe\":\"/memfd:x (deleted)\","
		     "\"cwd\":null,\"argv\":[\"a\\nb\",\"\\u001b[0m\",\"\\\\\",\"\\udcff\"],\"argc\":7,"
		     "\"truncated\":true,"
		     "\"retval\":0" JSON_CONTEXT "}\n");
}

/* The context, each field as the contract says: exec ids, a terminal, a cgroup and its container, unset ids
 * and an unknown namespace as null, capabilities by name (numbered when this build has no name). */
static void test_json_context(void **state)
{
	const struct options o = opts();
	const struct spec s = {.argc = 1,
			       FIELD(filename, "/bin/sh"),
			       FIELD(exe, "/usr/bin/dash"),
			       FIELD(cwd, "/root"),
			       FIELD(argv, "sh\0"),
			       .tty = "pts5",
			       .caps = 1ULL << 0 | 1ULL << 21 | 1ULL << 40 | 1ULL << 41 | 1ULL << 63};
	const struct spec unset = {.retval = -13,
				   .argc = 1,
				   .flags = ET_F_CWD_DELETED,
				   FIELD(filename, "/x"),
				   FIELD(cwd, "/tmp/gone"),
				   FIELD(argv, "x\0"),
				   .unset = true};
	static const char cgroup[] = "/system.slice/docker-"
				     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope";
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;
	char *got;

	(void)state;
	r = decode(&d, -1, &s, &ev);
	ev.cgroup = cgroup;
	ev.container_id = cgroup + strlen("/system.slice/docker-");
	got = format(json_exec, &o, &ev);
	assert_string_equal(
	    got,
	    "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
	    ",\"comm\":\"ls\",\"filename\":\"/bin/sh\",\"exe\":\"/usr/bin/dash\",\"cwd\":\"/"
	    "root\",\"argv\":[\"sh\"],"
	    "\"argc\":1,\"truncated\":false,\"retval\":0,\"tty\":\"pts/5\",\"cgroup_id\":4242424,\"cgroup\":"
	    "\"/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\","
	    "\"container_id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"," JSON_NS
	    ",\"cap_effective\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_CHECKPOINT_RESTORE\",\"CAP_41\",\"CAP_"
	    "63\"]}\n");
	free(got);
	event_decoder_free(&d);
	free(r);

	check_format(
	    json_exec, &o, -1, &unset,
	    "{\"type\":\"exec\",\"time\":\"" TIME_STR "\",\"pid\":4242,\"ppid\":4241,\"exec_id\":"
	    "\"4242-5000000000-3\",\"parent_exec_id\":\"4241-4000000000-2\",\"uid\":1000,\"gid\":1001,"
	    "\"euid\":0,\"egid\":1001,\"loginuid\":null,\"sessionid\":null,\"comm\":\"ls\",\"filename\":\"/"
	    "x\","
	    "\"exe\":null,\"cwd\":\"/tmp/gone (deleted)\",\"argv\":[\"x\"],\"argc\":1,\"truncated\":false,"
	    "\"retval\":-13,\"error\":\"EACCES\",\"tty\":null,\"cgroup_id\":4242424,\"cgroup\":null,"
	    "\"container_id\":null,\"ns\":{\"mnt\":4026531832,\"pid\":4026531833,\"net\":4026531834,"
	    "\"uts\":4026531835,\"ipc\":4026531836,\"user\":4026531837,\"cgroup\":4026531838,\"time\":null},"
	    "\"cap_effective\":[]}\n");
}

/* A working directory the kernel could not name whole is marked, as exe is. */
/* Ancestors when asked for (--ancestors above 0): [] when there are none; flagged when the chain went on. */
static void test_json_ancestors(void **state)
{
	struct options o = opts();
	const struct et_ancestor odd[] = {{.pid = 7, .start_time = 70, .exec_seq = 1, .comm = "a\"b\n"}};
	const struct spec three = {.argc = 1,
				   FIELD(filename, "/bin/ls"),
				   FIELD(argv, "ls\0"),
				   .ancestors = three_ancestors,
				   .nr_ancestors = 3,
				   .flags = ET_F_ANCESTORS_CUT};
	const struct spec quoted = {
	    .argc = 1, FIELD(filename, "/bin/ls"), FIELD(argv, "ls\0"), .ancestors = odd, .nr_ancestors = 1};
	const struct spec none = {.argc = 1, FIELD(filename, "/bin/ls"), FIELD(argv, "ls\0")};
	const char *head =
	    "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
	    ",\"comm\":\"ls\",\"filename\":\"/bin/ls\",\"exe\":null,\"cwd\":null,\"argv\":[\"ls\"],"
	    "\"argc\":1,\"truncated\":false,\"retval\":0" JSON_CONTEXT;
	char want[2048];

	(void)state;
	/* Not asked for: no field, whatever the record holds. */
	snprintf(want, sizeof(want), "%s}\n", head);
	check_format(json_exec, &o, -1, &three, want);
	o.ancestors = 16;
	snprintf(want, sizeof(want),
		 "%s,\"ancestors\":[{\"pid\":300,\"comm\":\"make\",\"exec_id\":\"300-3000-3\"},"
		 "{\"pid\":20,\"comm\":\"sixteen-bytes-xx\",\"exec_id\":\"20-2000-2\"},"
		 "{\"pid\":1,\"comm\":\"systemd\",\"exec_id\":\"1-1000-1\"}],\"ancestors_truncated\":true}\n",
		 head);
	check_format(json_exec, &o, -1, &three, want);
	snprintf(want, sizeof(want),
		 "%s,\"ancestors\":[{\"pid\":7,\"comm\":\"a\\\"b\\n\",\"exec_id\":\"7-70-1\"}]}\n", head);
	check_format(json_exec, &o, -1, &quoted, want);
	snprintf(want, sizeof(want), "%s,\"ancestors\":[]}\n", head);
	check_format(json_exec, &o, -1, &none, want);
}

/* The most ancestors, with the longest ids, and names to escape among them: written whole. */
static void test_json_ancestors_many(void **state)
{
	struct options o = opts();
	struct et_ancestor anc[ET_ANCESTORS_MAX];
	const struct spec s = {.argc = 1,
			       FIELD(filename, "/bin/ls"),
			       FIELD(argv, "ls\0"),
			       .ancestors = anc,
			       .nr_ancestors = ET_ANCESTORS_MAX};
	char want[16384], *p = want;

	(void)state;
	memset(anc, 0, sizeof(anc));
	p += sprintf(p,
		     "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
		     ",\"comm\":\"ls\",\"filename\":\"/bin/ls\",\"exe\":null,\"cwd\":null,\"argv\":[\"ls\"],"
		     "\"argc\":1,\"truncated\":false,\"retval\":0" JSON_CONTEXT ",\"ancestors\":[");
	for (unsigned int i = 0; i < ET_ANCESTORS_MAX; i++) {
		char name[48];

		anc[i].pid = 4000000000U - i;
		anc[i].start_time = 18446744073709551615ULL - i;
		anc[i].exec_seq = 18446744073709551615ULL;
		if (i % 7 == 3) {
			/* 16 bytes, no NUL */
			memcpy(anc[i].comm, "q\"\\\x1b-sixteen-byt", ET_COMM_LEN);
			strcpy(name, "\"q\\\"\\\\\\u001b-sixteen-byt\"");
		} else {
			snprintf(anc[i].comm, ET_COMM_LEN, "p%u", i);
			snprintf(name, sizeof(name), "\"p%u\"", i);
		}
		p += sprintf(p, "%s{\"pid\":%u,\"comm\":%s,\"exec_id\":\"%u-%llu-18446744073709551615\"}",
			     i ? "," : "", anc[i].pid, name, anc[i].pid, anc[i].start_time);
	}
	strcpy(p, "]}\n");
	o.ancestors = ET_ANCESTORS_MAX;
	check_format(json_exec, &o, -1, &s, want);
}

/* The environment with --env: escaped like argv, flagged when cut, null when unreadable, a failed exec's too;
 * absent without --env. */
static void test_json_env(void **state)
{
	struct options o = opts();
	const struct spec env = {
	    .argc = 1, FIELD(filename, "/bin/ls"), FIELD(argv, "ls\0"), FIELD(env, "A=1\0Q=\"x\"\n\xff\0")};
	const struct spec cut = {.argc = 1,
				 .flags = ET_F_ENV_CUT,
				 FIELD(filename, "/bin/ls"),
				 FIELD(argv, "ls\0"),
				 FIELD(env, "A=1\0B=2")};
	const struct spec unreadable = {
	    .argc = 1, .flags = ET_F_ENV_FAULT, FIELD(filename, "/bin/ls"), FIELD(argv, "ls\0")};
	const struct spec failed = {
	    .retval = -2, .argc = 1, FIELD(filename, "/bin/ls"), FIELD(argv, "ls\0"), FIELD(env, "A=1\0")};
	const char *head =
	    "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
	    ",\"comm\":\"ls\",\"filename\":\"/bin/ls\",\"exe\":null,\"cwd\":null,\"argv\":[\"ls\"],"
	    "\"argc\":1,\"truncated\":false,\"retval\":0" JSON_CONTEXT;
	char want[2048];

	(void)state;
	snprintf(want, sizeof(want), "%s}\n", head);
	check_format(json_exec, &o, -1, &env, want);
	o.env = true;
	snprintf(want, sizeof(want), "%s,\"env\":[\"A=1\",\"Q=\\\"x\\\"\\n\\udcff\"]}\n", head);
	check_format(json_exec, &o, -1, &env, want);
	snprintf(want, sizeof(want), "%s,\"env\":[\"A=1\"],\"env_truncated\":true}\n", head);
	check_format(json_exec, &o, -1, &cut, want);
	snprintf(want, sizeof(want), "%s,\"env\":null,\"env_truncated\":true}\n", head);
	check_format(json_exec, &o, -1, &unreadable, want);
	check_format(json_exec, &o, -1, &failed,
		     "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
		     ",\"comm\":\"ls\",\"filename\":\"/bin/ls\",\"exe\":null,\"cwd\":null,\"argv\":[\"ls\"],"
		     "\"argc\":1,\"truncated\":false,\"retval\":-2,\"error\":\"ENOENT\"" JSON_CONTEXT
		     ",\"env\":[\"A=1\"]}\n");
}

static void test_json_cwd_cut(void **state)
{
	const struct options o = opts();
	const struct spec s = {.flags = ET_F_CWD_CUT,
			       .argc = 1,
			       FIELD(filename, "./x"),
			       FIELD(exe, "/x"),
			       FIELD(cwd, "/deep/d"),
			       FIELD(argv, "x\0")};

	(void)state;
	check_format(json_exec, &o, -1, &s,
		     "{\"type\":\"exec\",\"time\":\"" TIME_STR "\"," JSON_WHO
		     ",\"comm\":\"ls\",\"filename\":\"./x\",\"exe\":\"/x\",\"cwd\":\".../deep/"
		     "d\",\"cwd_truncated\":true,"
		     "\"argv\":[\"x\"],\"argc\":1,\"truncated\":false,\"retval\":0" JSON_CONTEXT "}\n");
}

/* Text mode shows none of the context: the same line with or without it. */
static void test_text_no_context(void **state)
{
	const struct options o = opts();
	const struct spec s = {.argc = 2,
			       FIELD(filename, "/bin/ls"),
			       FIELD(exe, "/usr/bin/ls"),
			       FIELD(cwd, "/root"),
			       FIELD(argv, "ls\0-l\0"),
			       .tty = "pts1",
			       .caps = ~0ULL};

	const struct spec bare = {.argc = 2,
				  .no_context = true,
				  FIELD(filename, "/bin/ls"),
				  FIELD(exe, "/usr/bin/ls"),
				  FIELD(argv, "ls\0-l\0")};

	(void)state;
	check_format(text_exec, &o, -1, &s, "ls               4242   4241     0 /bin/ls -l\n");
	/* As text mode's records come: no context at all. */
	check_format(text_exec, &o, -1, &bare, "ls               4242   4241     0 /bin/ls -l\n");
}

/* --context: the fields of a group left out are absent, the others as with all of them. */
static void test_json_context_groups(void **state)
{
	struct options o = opts();
	const struct spec s = {.argc = 1,
			       FIELD(filename, "/bin/sh"),
			       FIELD(exe, "/usr/bin/dash"),
			       FIELD(cwd, "/root"),
			       FIELD(argv, "sh\0"),
			       .tty = "pts5",
			       .caps = 1ULL << 21};
#define HEAD                                                                                                 \
	"{\"type\":\"exec\",\"time\":\"" TIME_STR "\",\"pid\":4242,\"ppid\":4241,\"exec_id\":"               \
	"\"4242-5000000000-3\",\"parent_exec_id\":\"4241-4000000000-2\",\"uid\":1000,\"gid\":1001"
#define MID  ",\"comm\":\"ls\",\"filename\":\"/bin/sh\",\"exe\":\"/usr/bin/dash\""
#define ARGV ",\"argv\":[\"sh\"],\"argc\":1,\"truncated\":false,\"retval\":0"
	static const struct {
		unsigned int groups;
		const char *want;
	} cases[] = {
	    {0, HEAD MID ARGV "}\n"},
	    {ET_CTX_IDS, HEAD ",\"euid\":0,\"egid\":1001" MID ARGV "}\n"},
	    {ET_CTX_SESSION, HEAD ",\"loginuid\":1000,\"sessionid\":7" MID ARGV "}\n"},
	    {ET_CTX_TTY, HEAD MID ARGV ",\"tty\":\"pts/5\"}\n"},
	    {ET_CTX_CWD, HEAD MID ",\"cwd\":\"/root\"" ARGV "}\n"},
	    {ET_CTX_CGROUP, HEAD MID ARGV ",\"cgroup_id\":4242424,\"cgroup\":null,\"container_id\":null}\n"},
	    {ET_CTX_NS, HEAD MID ARGV "," JSON_NS "}\n"},
	    {ET_CTX_CAPS, HEAD MID ARGV ",\"cap_effective\":[\"CAP_SYS_ADMIN\"]}\n"},
	    {ET_CTX_TTY | ET_CTX_CAPS,
	     HEAD MID ARGV ",\"tty\":\"pts/5\",\"cap_effective\":[\"CAP_SYS_ADMIN\"]}\n"},
	};
#undef HEAD
#undef MID
#undef ARGV

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o.context_groups = cases[i].groups;
		check_format(json_exec, &o, -1, &s, cases[i].want);
	}
}

/* The list of a capability set, by the names caps.c gives, as a formatter that never caches would write it.
 */
static void caps_json(char *out, size_t size, unsigned long long mask)
{
	size_t n = (size_t)snprintf(out, size, ",\"cap_effective\":[");
	char cbuf[16];

	for (unsigned int cap = 0; cap < 64; cap++)
		if (mask >> cap & 1)
			n += (size_t)snprintf(out + n, size - n, "%s\"%s\"", n > 18 ? "," : "",
					      cap_name(cap, cbuf, sizeof(cbuf)));
	snprintf(out + n, size - n, "]}\n");
}

/* Capability lists and namespaces are kept formatted between records: a set met again, one pushed out by
 * others, and namespaces that change, each come out as if formatted anew. */
static void test_json_caps_ns_reuse(void **state)
{
	struct options o = opts();
	const struct spec s = {.argc = 1, FIELD(argv, "x\0")};
	static const unsigned long long masks[] = {
	    0, ~0ULL, 0, 1, 3, 7, 0xf, 0x1ff, 1, ~0ULL, 0, 1ULL << 63, 1ULL << 40, ~0ULL >> 23, 0,
	};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r = decode(&d, -1, &s, &ev);
	char want[4096];

	(void)state;
	o.context_groups = ET_CTX_CAPS;
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		char *got;
		const char *tail;

		ev.cap_effective = masks[i];
		caps_json(want, sizeof(want), masks[i]);
		got = format(json_exec, &o, &ev);
		tail = strstr(got, ",\"cap_effective\"");
		assert_non_null(tail);
		assert_string_equal(tail, want);
		free(got);
	}
	o.context_groups = ET_CTX_NS;
	for (unsigned int i = 0; i < 6; i++) {
		char *got, t[16] = "null";

		/* The same twice, then others; a namespace the kernel lacks is null. */
		for (int k = 0; k < ET_NS_COUNT; k++)
			ev.ns[k] = NS_BASE + k + i / 2;
		if (i == 5)
			ev.ns[ET_NS_TIME] = 0;
		else
			snprintf(t, sizeof(t), "%u", ev.ns[ET_NS_TIME]);
		snprintf(want, sizeof(want),
			 ",\"ns\":{\"mnt\":%u,\"pid\":%u,\"net\":%u,\"uts\":%u,\"ipc\":%u,\"user\":%u,"
			 "\"cgroup\":%u,\"time\":%s}}\n",
			 ev.ns[0], ev.ns[1], ev.ns[2], ev.ns[3], ev.ns[4], ev.ns[5], ev.ns[6], t);
		got = format(json_exec, &o, &ev);
		assert_non_null(strstr(got, ",\"ns\""));
		assert_string_equal(strstr(got, ",\"ns\""), want);
		free(got);
	}
	event_decoder_free(&d);
	free(r);
}

/* Numbers written without printf, at each digit count, and the time, whose date is formatted once a second.
 */
static void test_json_numbers_time(void **state)
{
	struct options o = opts();
	const struct spec s = {.argc = 1, FIELD(argv, "x\0")};
	static const unsigned long long values[] = {
	    0,
	    1,
	    9,
	    10,
	    11,
	    99,
	    100,
	    101,
	    999,
	    1000,
	    4294967295ULL,
	    4294967296ULL,
	    10000000000000000000ULL,
	    18446744073709551615ULL,
	};
	static const struct {
		unsigned long long ktime;
		const char *time;
	} times[] = {
	    {KTIME, "2026-01-01T00:00:00.500000000Z"},
	    {KTIME + 1, "2026-01-01T00:00:00.500000001Z"},
	    {KTIME + 499999999ULL, "2026-01-01T00:00:00.999999999Z"},
	    {KTIME + 500000000ULL, "2026-01-01T00:00:01.000000000Z"},
	    {KTIME + 86400ULL * NS, "2026-01-02T00:00:00.500000000Z"},
	    {KTIME - 1, "2026-01-01T00:00:00.499999999Z"},
	    {KTIME - 500000001ULL, "2025-12-31T23:59:59.999999999Z"},
	};
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r = decode(&d, -1, &s, &ev);
	char want[64];

	(void)state;
	o.context_groups = ET_CTX_CGROUP;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char *got;

		ev.cgroup_id = values[i];
		ev.ids.exec_seq = values[i];
		got = format(json_exec, &o, &ev);
		snprintf(want, sizeof(want), ",\"cgroup_id\":%llu,", values[i]);
		assert_non_null(strstr(got, want));
		snprintf(want, sizeof(want), "-5000000000-%llu\"", values[i]);
		assert_non_null(strstr(got, want));
		free(got);
	}
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		char *got;

		ev.ktime_ns = times[i].ktime;
		got = format(json_exec, &o, &ev);
		snprintf(want, sizeof(want), "\"time\":\"%s\",", times[i].time);
		assert_non_null(strstr(got, want));
		free(got);
	}
	event_decoder_free(&d);
	free(r);
}

/* Set by the reader when a -n or -l match was abandoned, never by decoding; written last, only when set. */
static void test_json_filter_abandoned(void **state)
{
	const struct options o = opts();
	const struct spec enoent = {
	    .retval = -2, .argc = 1, FIELD(filename, "./nope"), FIELD(argv, "nope\0")};
	struct event_decoder d;
	struct exec_event ev = {.filter_abandoned = true};
	struct et_record *r = decode(&d, -1, &enoent, &ev);
	char *got;

	(void)state;
	assert_false(ev.filter_abandoned);
	ev.filter_abandoned = true;
	got = format(json_exec, &o, &ev);
	assert_string_equal(
	    got,
	    "{\"type\":\"exec\",\"time\":\"" TIME_STR "\",\"pid\":4242,\"ppid\":4241,"
	    "\"exec_id\":\"4242-5000000000-3\",\"parent_exec_id\":\"4241-4000000000-2\",\"uid\":1000,"
	    "\"gid\":1001,\"euid\":0,\"egid\":1001,\"loginuid\":1000,\"sessionid\":7,\"comm\":\"ls\","
	    "\"filename\":\"./nope\",\"exe\":null,\"cwd\":null,\"argv\":[\"nope\"],\"argc\":1,"
	    "\"truncated\":false,\"retval\":-2,\"error\":\"ENOENT\",\"tty\":null,\"cgroup_id\":4242424,"
	    "\"cgroup\":null,\"container_id\":null,\"ns\":{\"mnt\":4026531832,\"pid\":4026531833,"
	    "\"net\":4026531834,\"uts\":4026531835,\"ipc\":4026531836,\"user\":4026531837,"
	    "\"cgroup\":4026531838,\"time\":4026531839},\"cap_effective\":[],\"filter_abandoned\":true}\n");
	free(got);
	event_decoder_free(&d);
	free(r);
}

static void test_json_lost(void **state)
{
	const struct options o = opts();
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	const struct output out = {.f = f, .opts = &o, .boot_to_real_ns = BOOT_TO_REAL};

	(void)state;
	assert_non_null(f);
	assert_int_equal(json_lost(&out, 7, (long long)KTIME), 0);
	assert_int_equal(json_lost(&out, 18446744073709551615ULL, 2 * NS), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "{\"type\":\"lost\",\"time\":\"" TIME_STR "\",\"count\":7}\n"
				 "{\"type\":\"lost\",\"time\":\"2026-01-01T00:00:01.000000000Z\","
				 "\"count\":18446744073709551615}\n");
	free(buf);
}

/* A write error is reported, not ignored. */
static void test_write_error(void **state)
{
	const struct options o = opts();
	FILE *f = fopen("/dev/full", "w");
	struct event_decoder d;
	struct exec_event ev;
	struct et_record *r;
	struct output out = {.f = f, .opts = &o, .boot_to_real_ns = BOOT_TO_REAL};

	(void)state;
	if (!f)
		skip();
	assert_int_equal(setvbuf(f, NULL, _IONBF, 0), 0);
	r = decode(&d, -1, &plain, &ev);
	assert_int_equal(text_header(&out), -1);
	assert_int_equal(text_exec(&out, &ev), -1);
	assert_int_equal(json_exec(&out, &ev), -1);
	assert_int_equal(json_lost(&out, 1, 0), -1);
	fclose(f);
	event_decoder_free(&d);
	free(r);
}

/* ---- fork and exit records ---- */

static struct et_fork_record fork_record(void)
{
	struct et_fork_record r;

	memset(&r, 0, sizeof(r));
	r.type = ET_REC_FORK;
	r.ktime_ns = KTIME;
	r.pid = 4243;
	r.ppid = 4242;
	r.uid = 1000;
	r.start_time = START_TIME + 1;
	r.exec_seq = 3;
	r.parent_start_time = START_TIME;
	r.parent_exec_seq = 3;
	memcpy(r.comm, "bash", 4);
	return r;
}

/* An exit 2.25 s after its start: 0.3 s of user and 0.1 s of system time sampled, 0.5 s run. */
static struct et_exit_record exit_record(unsigned int status)
{
	struct et_exit_record r;

	memset(&r, 0, sizeof(r));
	r.type = ET_REC_EXIT;
	r.ktime_ns = KTIME + 2 * NS;
	r.pid = 4242;
	r.ppid = 4241;
	r.uid = 1000;
	r.status = status;
	r.start_time = START_TIME;
	r.exec_seq = 3;
	r.parent_start_time = PARENT_START_TIME;
	r.parent_exec_seq = 2;
	r.since_ns = KTIME - 250000000ULL;
	r.utime_ns = 300000000ULL;
	r.stime_ns = 100000000ULL;
	r.runtime_ns = 500000000ULL;
	r.max_rss = 3ULL << 20;
	r.cgroup_id = 7777;
	/* Not NUL-terminated when the name fills all 16 bytes. */
	memcpy(r.comm, "0123456789abcdef", ET_COMM_LEN);
	return r;
}

/* event_decode of size bytes of rec, copied to a heap block of exactly that size (ASan sees any overread). */
static int decode_bytes(const void *rec, size_t size, struct event *e)
{
	struct event_decoder d;
	void *copy = malloc(size ? size : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, rec, size);
	event_decoder_init(&d, -1);
	err = event_decode(&d, copy, size, e);
	event_decoder_free(&d);
	free(copy);
	return err;
}

static void test_fork_decode(void **state)
{
	struct et_fork_record r = fork_record();
	struct event e;

	(void)state;
	assert_int_equal(decode_bytes(&r, sizeof(r), &e), 0);
	assert_int_equal(e.type, EVENT_FORK);
	assert_int_equal(e.fork.ktime_ns, KTIME);
	assert_int_equal(e.fork.pid, 4243);
	assert_int_equal(e.fork.ppid, 4242);
	assert_int_equal(e.fork.uid, 1000);
	assert_int_equal(e.fork.ids.start_time, START_TIME + 1);
	assert_int_equal(e.fork.ids.exec_seq, 3);
	assert_int_equal(e.fork.ids.parent_start_time, START_TIME);
	assert_int_equal(e.fork.ids.parent_exec_seq, 3);
	assert_string_equal(e.fork.comm, "bash");
	/* A perf sample may pad the record: more bytes than the record are fine, fewer are not. */
	assert_int_equal(decode_bytes(&r, sizeof(r) - 1, &e), -EINVAL);
	assert_int_equal(decode_bytes(&r, 3, &e), -EINVAL);
	assert_int_equal(decode_bytes(&r, 0, &e), -EINVAL);
}

static void test_exit_decode(void **state)
{
	struct et_exit_record r = exit_record(42 << 8);
	struct event e;

	(void)state;
	assert_int_equal(decode_bytes(&r, sizeof(r), &e), 0);
	assert_int_equal(e.type, EVENT_EXIT);
	assert_int_equal(e.exit.pid, 4242);
	assert_int_equal(e.exit.ppid, 4241);
	assert_int_equal(e.exit.exit_code, 42);
	assert_int_equal(e.exit.signal, 0);
	assert_false(e.exit.core_dumped);
	/* The kernel sends the start: only an exec seen makes it since_exec (exec_times.c). */
	assert_false(e.exit.since_exec);
	assert_int_equal(e.exit.since_ns, KTIME - 250000000ULL);
	assert_string_equal(e.exit.comm, "0123456789abcdef");
	assert_int_equal(e.exit.cgroup_id, 7777);
	/* The run time split 3:1, as getrusage splits it. */
	assert_int_equal(e.exit.cpu_user_ns, 375000000ULL);
	assert_int_equal(e.exit.cpu_system_ns, 125000000ULL);
	assert_false(e.exit.cpu_truncated);
	assert_int_equal(e.exit.max_rss, 3ULL << 20);
	assert_int_equal(decode_bytes(&r, sizeof(r) - 1, &e), -EINVAL);

	/* Killed by a signal: no exit code; 0x80 says a core was dumped. */
	r = exit_record(9);
	assert_int_equal(decode_bytes(&r, sizeof(r), &e), 0);
	assert_int_equal(e.exit.exit_code, -1);
	assert_int_equal(e.exit.signal, 9);
	assert_false(e.exit.core_dumped);
	r = exit_record(0x80 | 11);
	assert_int_equal(decode_bytes(&r, sizeof(r), &e), 0);
	assert_int_equal(e.exit.signal, 11);
	assert_true(e.exit.core_dumped);

	/* No tick sampled: the run time is all user time, as getrusage has it; none sampled as user: all
	 * system. */
	r = exit_record(0);
	r.utime_ns = r.stime_ns = 0;
	r.flags = ET_X_CPU_CUT;
	assert_int_equal(decode_bytes(&r, sizeof(r), &e), 0);
	assert_int_equal(e.exit.cpu_user_ns, 500000000ULL);
	assert_int_equal(e.exit.cpu_system_ns, 0);
	assert_true(e.exit.cpu_truncated);
	r.stime_ns = 1;
	assert_int_equal(decode_bytes(&r, sizeof(r), &e), 0);
	assert_int_equal(e.exit.cpu_user_ns, 0);
	assert_int_equal(e.exit.cpu_system_ns, 500000000ULL);
	/* Large times do not overflow the split. */
	r.utime_ns = r.stime_ns = r.runtime_ns = 1ULL << 62;
	assert_int_equal(decode_bytes(&r, sizeof(r), &e), 0);
	assert_int_equal(e.exit.cpu_system_ns, 1ULL << 61);
	assert_int_equal(e.exit.cpu_user_ns, 1ULL << 61);
}

/* What the writer writes for the record rec, NUL-terminated; the caller frees it. With since_exec, an exit
 * counts from an exec seen 2 s after its start, as exec_times.c would make it. */
static char *format_record_since(const struct options *o, const void *rec, size_t size, bool since_exec)
{
	const struct output out = {
	    .opts = o, .boot_to_real_ns = BOOT_TO_REAL, .start_boot_ns = (long long)KTIME - NS};
	struct output w = out;
	struct event e;
	char *buf = NULL;
	size_t n = 0;
	int err = 0;

	assert_int_equal(decode_bytes(rec, size, &e), 0);
	if (since_exec && e.type == EVENT_EXIT) {
		e.exit.since_ns += 2 * NS;
		e.exit.since_exec = true;
	}
	w.f = open_memstream(&buf, &n);
	assert_non_null(w.f);
	if (e.type == EVENT_FORK)
		err = o->json ? json_fork(&w, &e.fork) : text_fork(&w, &e.fork);
	else if (e.type == EVENT_EXIT)
		err = o->json ? json_exit(&w, &e.exit) : text_exit(&w, &e.exit);
	assert_int_equal(err, 0);
	assert_int_equal(fclose(w.f), 0);
	return buf;
}

static char *format_record(const struct options *o, const void *rec, size_t size)
{
	return format_record_since(o, rec, size, false);
}

static void test_json_fork_exit(void **state)
{
	struct options o = opts();
	struct et_fork_record f = fork_record();
	struct et_exit_record x = exit_record(42 << 8);
	char *s;

	(void)state;
	o.json = true;
	s = format_record(&o, &f, sizeof(f));
	assert_string_equal(s, "{\"type\":\"fork\",\"time\":\"" TIME_STR "\",\"pid\":4243,\"ppid\":4242,"
			       "\"exec_id\":\"4243-5000000001-3\",\"parent_exec_id\":\"4242-5000000000-3\","
			       "\"uid\":1000,\"comm\":\"bash\"}\n");
	free(s);
	s = format_record(&o, &x, sizeof(x));
	assert_string_equal(
	    s, "{\"type\":\"exit\",\"time\":\"2026-01-01T00:00:02.500000000Z\",\"pid\":4242,"
	       "\"ppid\":4241,\"exec_id\":\"4242-5000000000-3\",\"parent_exec_id\":\"4241-"
	       "4000000000-2\",\"uid\":1000,\"comm\":\"0123456789abcdef\",\"exit_code\":42,"
	       "\"signal\":null,\"core_dumped\":false,\"duration\":2.250000000,\"since_exec\":false,"
	       "\"cpu_user\":0.375000000,\"cpu_system\":0.125000000,\"max_rss\":3145728}\n");
	free(s);
	x = exit_record(0x80 | 6);
	x.flags = ET_X_CPU_CUT;
	x.since_ns = x.ktime_ns + 1; /* a start after the exit cannot be: no negative duration */
	s = format_record(&o, &x, sizeof(x));
	assert_non_null(strstr(s, ",\"exit_code\":null,\"signal\":\"SIGABRT\",\"core_dumped\":true,"
				  "\"duration\":0.000000000,\"since_exec\":false,"));
	assert_non_null(strstr(s, ",\"cpu_truncated\":true,\"max_rss\":3145728}\n"));
	free(s);
	x = exit_record(0);
	s = format_record_since(&o, &x, sizeof(x), true);
	assert_non_null(strstr(s, ",\"duration\":0.250000000,\"since_exec\":true,"));
	free(s);
	/* A signal without a name (a real-time one) by its number. */
	x = exit_record(40);
	s = format_record(&o, &x, sizeof(x));
	assert_non_null(strstr(s, ",\"exit_code\":null,\"signal\":\"SIG40\","));
	free(s);
}

static void test_text_fork_exit(void **state)
{
	struct options o = opts();
	struct et_fork_record f = fork_record();
	struct et_exit_record x = exit_record(42 << 8);
	char *s;

	(void)state;
	s = format_record(&o, &f, sizeof(f));
	assert_string_equal(s, "bash             4243   4242       \\fork\n");
	free(s);
	s = format_record(&o, &x, sizeof(x));
	assert_string_equal(
	    s, "0123456789abcdef 4242   4241    42 \\exit 2.250s since start, user 0.375s, system 0.125s, "
	       "max rss 3072 KiB\n");
	free(s);
	x = exit_record(0x80 | 11);
	x.flags = ET_X_CPU_CUT;
	s = format_record(&o, &x, sizeof(x));
	assert_string_equal(s,
			    "0123456789abcdef 4242   4241   SIGSEGV \\exit 2.250s since start, user 0.375s, "
			    "system 0.125s (at least), max rss 3072 KiB, core dumped\n");
	free(s);
	x = exit_record(0);
	s = format_record_since(&o, &x, sizeof(x), true);
	assert_string_equal(
	    s, "0123456789abcdef 4242   4241     0 \\exit 0.250s, user 0.375s, system 0.125s, max rss "
	       "3072 KiB\n");
	free(s);
	/* The same leading columns as exec lines: -T, -t, -U. */
	o.elapsed_time = o.print_uid = true;
	s = format_record(&o, &f, sizeof(f));
	assert_string_equal(s, "1.000    1000   bash             4243   4242       \\fork\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_comm_full),
	    cmocka_unit_test(test_argc_zero),
	    cmocka_unit_test(test_cut_partial),
	    cmocka_unit_test(test_cut_at_boundary),
	    cmocka_unit_test(test_fault),
	    cmocka_unit_test(test_fault_and_cut),
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_fdpath),
	    cmocka_unit_test(test_filename_fault),
	    cmocka_unit_test(test_exe_deleted),
	    cmocka_unit_test(test_exe_cut),
	    cmocka_unit_test(test_misaligned),
	    cmocka_unit_test(test_no_exe),
	    cmocka_unit_test(test_max_args),
	    cmocka_unit_test(test_max_args_with_fault),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_many_args),
	    cmocka_unit_test(test_no_context),
	    cmocka_unit_test(test_ancestors),
	    cmocka_unit_test(test_env),
	    cmocka_unit_test(test_env_cut),
	    cmocka_unit_test(test_malformed_lineage),
	    cmocka_unit_test(test_context),
	    cmocka_unit_test(test_tty),
	    cmocka_unit_test(test_cwd),
	    cmocka_unit_test(test_text_plain),
	    cmocka_unit_test(test_text_escapes),
	    cmocka_unit_test(test_text_unreadable_truncated),
	    cmocka_unit_test(test_text_quote),
	    cmocka_unit_test(test_text_columns),
	    cmocka_unit_test(test_text_binary),
	    cmocka_unit_test(test_text_execveat),
	    cmocka_unit_test(test_text_binary_unreadable),
	    cmocka_unit_test(test_text_binary_quote),
	    cmocka_unit_test(test_text_binary_max_args),
	    cmocka_unit_test(test_text_argv0_marker),
	    cmocka_unit_test(test_text_header),
	    cmocka_unit_test(test_json_plain),
	    cmocka_unit_test(test_json_failed),
	    cmocka_unit_test(test_json_args),
	    cmocka_unit_test(test_json_cut_marks),
	    cmocka_unit_test(test_json_filter_abandoned),
	    cmocka_unit_test(test_json_context),
	    cmocka_unit_test(test_json_cwd_cut),
	    cmocka_unit_test(test_json_ancestors),
	    cmocka_unit_test(test_json_ancestors_many),
	    cmocka_unit_test(test_json_env),
	    cmocka_unit_test(test_text_no_context),
	    cmocka_unit_test(test_json_context_groups),
	    cmocka_unit_test(test_json_caps_ns_reuse),
	    cmocka_unit_test(test_json_numbers_time),
	    cmocka_unit_test(test_json_lost),
	    cmocka_unit_test(test_write_error),
	    cmocka_unit_test(test_fork_decode),
	    cmocka_unit_test(test_exit_decode),
	    cmocka_unit_test(test_json_fork_exit),
	    cmocka_unit_test(test_text_fork_exit),
	};

	/* -T prints local time: make it UTC so that the expected text is fixed. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
