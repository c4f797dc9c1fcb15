// SPDX-License-Identifier: GPL-2.0
/*
 * --perfetto FILE: the run as a Perfetto trace of TrackEvents, for ui.perfetto.dev (docs/perfetto.md says
 * what it holds). A trace is a Trace message, that is a stream of TracePackets: each is built in one buffer
 * and written out at once, so memory holds a packet, never the trace.
 *
 * The field numbers are those of Perfetto's protos (github.com/google/perfetto, protos/perfetto/):
 * trace/trace.proto, trace/trace_packet.proto, trace/clock_snapshot.proto, common/builtin_clock.proto,
 * trace/track_event/track_descriptor.proto, trace/track_event/track_event.proto and
 * trace/track_event/debug_annotation.proto.
 *
 * - One track per process: a TrackDescriptor with a uuid (its place in h->procs, plus 1: 0 is the trace's
 *   global track), a name, and parent_uuid its parent's track, so that tracks nest as processes do. No
 *   ProcessDescriptor: a process track ignores parent_uuid and a track under one is drawn as its sibling
 *   (track_descriptor.proto), so the tree would be lost, and the UI would merge processes that reused a pid.
 *   pid, ppid and comm are annotations instead.
 * - Time: wall-clock nanoseconds (the history's times: the records' own, so a live run and the report of
 *   its recording give the same times) on the clock REALTIME, which a ClockSnapshot makes the trace's
 *   clock; every timed packet names its clock too.
 * - A protobuf string must be UTF-8 and a traced program's bytes need not be: names and annotations are
 *   escaped as the text output escapes them (escape.h: bytes that are not UTF-8 as \xHH, controls,
 *   backslashes and invisible code points too), an unreadable argument is \?, as there.
 * - One packet sequence, whose first packet clears its (unused) incremental state as the UI expects: the
 *   clock, the tracks, then every event in time order, a merge of the processes' own ordered events.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "errnos.h"
#include "escape.h"
#include "pictures.h"
#include "protobuf.h"
#include "signals.h"

enum {
	/* Trace */
	TRACE_PACKET = 1,
	/* TracePacket */
	PACKET_CLOCK_SNAPSHOT = 6,
	PACKET_TIMESTAMP = 8,
	PACKET_SEQUENCE_ID = 10, /* trusted_packet_sequence_id */
	PACKET_TRACK_EVENT = 11,
	PACKET_SEQUENCE_FLAGS = 13,
	PACKET_TIMESTAMP_CLOCK_ID = 58,
	PACKET_TRACK_DESCRIPTOR = 60,
	PACKET_FIRST_ON_SEQUENCE = 87,
	SEQ_INCREMENTAL_STATE_CLEARED = 1,
	/* ClockSnapshot, its Clock, BuiltinClock */
	SNAPSHOT_CLOCKS = 1,
	SNAPSHOT_PRIMARY_TRACE_CLOCK = 2,
	CLOCK_ID = 1,
	CLOCK_TIMESTAMP = 2,
	BUILTIN_CLOCK_REALTIME = 1,
	/* TrackDescriptor */
	TRACK_UUID = 1,
	TRACK_NAME = 2,
	TRACK_PARENT_UUID = 5,
	TRACK_CHILD_ORDERING = 11,
	CHILD_ORDERING_CHRONOLOGICAL = 2,
	TRACK_SIBLING_MERGE_BEHAVIOR = 15,
	SIBLING_MERGE_BEHAVIOR_NONE = 2,
	/* TrackEvent */
	EVENT_DEBUG_ANNOTATIONS = 4,
	EVENT_TYPE = 9,
	EVENT_TRACK_UUID = 11,
	EVENT_NAME = 23,
	TYPE_SLICE_BEGIN = 1,
	TYPE_SLICE_END = 2,
	TYPE_INSTANT = 3,
	/* DebugAnnotation */
	ANNOTATION_BOOL = 2,
	ANNOTATION_INT = 4,
	ANNOTATION_STRING = 6,
	ANNOTATION_NAME = 10,
	ANNOTATION_ARRAY = 12,
};

/* Any id but 0 (invalid): the trace has one sequence. */
#define SEQUENCE_ID 1

/* A process by its address, to find a parent's place in h->procs. */
struct slot {
	const struct hist_proc *p;
	size_t i;
};

enum step { STEP_BEGIN, STEP_EXEC, STEP_FAILED, STEP_END, STEP_DONE };

/* A process's events still to write, in its own order; t never goes back, so a merge of all is in order. */
struct cursor {
	unsigned long long t; /* the next one's time */
	size_t i;	      /* the process's place in h->procs */
	size_t exec, failed;  /* the next exec and failed exec */
	enum step step;
};

struct writer {
	FILE *f;
	const struct history *h;
	struct pb pb;		 /* the packet being built */
	FILE *esc;		 /* escape_text's output: appends to pb */
	struct slot *slots;	 /* every process, sorted by address */
	unsigned long long last; /* the latest event written */
};

/* The writer's esc stream (fopencookie, unbuffered): escape_text writes straight into the packet. */
static ssize_t esc_write(void *cookie, const char *buf, size_t size)
{
	struct pb *b = cookie;

	pb_raw(b, buf, size);
	return b->failed ? 0 : (ssize_t)size;
}

static int slot_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct slot *)a)->p, y = (uintptr_t)((const struct slot *)b)->p;

	return (x > y) - (x < y);
}

/* The track of p (0 for none: a root has no parent track). */
static unsigned long long track_of(const struct writer *w, const struct hist_proc *p)
{
	struct slot key = {.p = p}, *s;

	if (!p)
		return 0;
	s = bsearch(&key, w->slots, w->h->nprocs, sizeof(key), slot_cmp);
	return s ? s->i + 1 : 0;
}

/* A traced program's bytes, escaped (see the top of the file); NULL: unreadable. */
static void put_escaped(struct writer *w, const char *s, size_t len)
{
	if (!s)
		pb_raw(&w->pb, "\\?", 2);
	else if (escape_text(w->esc, s, len, false))
		w->pb.failed = true;
}

static void put_cstr(struct writer *w, const char *s)
{
	pb_raw(&w->pb, s, strlen(s));
}

static void put_text(struct writer *w, unsigned int field, const struct hist_str *s)
{
	size_t m = pb_begin(&w->pb, field);

	put_escaped(w, s->s, s->len);
	pb_end(&w->pb, m);
}

/* The last part of a path; false when there is none to show (unknown, or ending in '/'). */
static bool put_base(struct writer *w, const struct hist_str *path)
{
	const char *slash, *base;

	if (!path->s)
		return false;
	slash = memrchr(path->s, '/', path->len);
	base = slash ? slash + 1 : path->s;
	if (base == path->s + path->len)
		return false;
	put_escaped(w, base, (size_t)(path->s + path->len - base));
	return true;
}

/* Its name as ps and top show it, and the records' comm: the file it ran last as given to exec (cc, not the
 * gcc-12 a symlink leads to; a script's own name, not its interpreter's), else its parent's. */
static void put_comm(struct writer *w, const struct hist_proc *p)
{
	put_escaped(w, p->comm, strnlen(p->comm, sizeof(p->comm)));
}

static size_t annotation(struct writer *w, const char *name)
{
	size_t m = pb_begin(&w->pb, EVENT_DEBUG_ANNOTATIONS);

	pb_str(&w->pb, ANNOTATION_NAME, name);
	return m;
}

static void annotate_int(struct writer *w, const char *name, long long v)
{
	size_t m = annotation(w, name);

	pb_int(&w->pb, ANNOTATION_INT, v);
	pb_end(&w->pb, m);
}

static void annotate_bool(struct writer *w, const char *name, bool v)
{
	size_t m = annotation(w, name);

	pb_bool(&w->pb, ANNOTATION_BOOL, v);
	pb_end(&w->pb, m);
}

/* Our own words: ASCII. */
static void annotate_word(struct writer *w, const char *name, const char *s)
{
	size_t m = annotation(w, name);

	pb_str(&w->pb, ANNOTATION_STRING, s);
	pb_end(&w->pb, m);
}

static void annotate_text(struct writer *w, const char *name, const struct hist_str *s)
{
	size_t m = annotation(w, name);

	put_text(w, ANNOTATION_STRING, s);
	pb_end(&w->pb, m);
}

/* An array of strings, an argument each: the UI lists them as argv[0], argv[1], ... */
static void annotate_argv(struct writer *w, const struct hist_str *argv, size_t argc, bool truncated)
{
	size_t m = annotation(w, "argv");

	for (size_t i = 0; i < argc; i++) {
		size_t v = pb_begin(&w->pb, ANNOTATION_ARRAY);

		put_text(w, ANNOTATION_STRING, &argv[i]);
		pb_end(&w->pb, v);
	}
	pb_end(&w->pb, m);
	if (truncated)
		annotate_bool(w, "argv_truncated", true);
}

/* An exec's argv, exe and cwd; exe and cwd only when known. */
static void annotate_exec(struct writer *w, const struct hist_exec *e)
{
	annotate_argv(w, e->argv, e->argc, e->truncated);
	if (e->exe.s)
		annotate_text(w, "exe", &e->exe);
	if (e->cwd.s)
		annotate_text(w, "cwd", &e->cwd);
}

static void packet_begin(struct writer *w)
{
	pb_reset(&w->pb);
	pb_uint(&w->pb, PACKET_SEQUENCE_ID, SEQUENCE_ID);
}

/* Writes the packet built as one Trace.packet field. */
static int packet_end(struct writer *w)
{
	unsigned char head[2 * PB_VARINT_MAX];
	size_t n;

	if (w->pb.failed) {
		errno = ENOMEM;
		return -1;
	}
	n = pb_len_prefix(head, TRACE_PACKET, w->pb.len);
	if (fwrite(head, 1, n, w->f) != n || fwrite(w->pb.buf, 1, w->pb.len, w->f) != w->pb.len)
		return -1;
	return 0;
}

/* Starts a packet with a TrackEvent at t on the track uuid; returns the event's mark for pb_end. */
static size_t event_begin(struct writer *w, unsigned long long t, unsigned long long uuid, unsigned int type)
{
	size_t m;

	packet_begin(w);
	pb_uint(&w->pb, PACKET_TIMESTAMP, t);
	pb_uint(&w->pb, PACKET_TIMESTAMP_CLOCK_ID, BUILTIN_CLOCK_REALTIME);
	m = pb_begin(&w->pb, PACKET_TRACK_EVENT);
	pb_uint(&w->pb, EVENT_TYPE, type);
	pb_uint(&w->pb, EVENT_TRACK_UUID, uuid);
	if (t > w->last)
		w->last = t;
	return m;
}

static int event_end(struct writer *w, size_t m)
{
	pb_end(&w->pb, m);
	return packet_end(w);
}

/* The first packet: it starts the sequence and makes REALTIME the trace's clock. */
static int write_clock(struct writer *w)
{
	size_t s, c;

	packet_begin(w);
	pb_uint(&w->pb, PACKET_SEQUENCE_FLAGS, SEQ_INCREMENTAL_STATE_CLEARED);
	pb_bool(&w->pb, PACKET_FIRST_ON_SEQUENCE, true);
	s = pb_begin(&w->pb, PACKET_CLOCK_SNAPSHOT);
	c = pb_begin(&w->pb, SNAPSHOT_CLOCKS);
	pb_uint(&w->pb, CLOCK_ID, BUILTIN_CLOCK_REALTIME);
	pb_uint(&w->pb, CLOCK_TIMESTAMP, w->h->start_ns);
	pb_end(&w->pb, c);
	pb_uint(&w->pb, SNAPSHOT_PRIMARY_TRACE_CLOCK, BUILTIN_CLOCK_REALTIME);
	pb_end(&w->pb, s);
	return packet_end(w);
}

/* Process i's track, "COMM PID", its children in start order; never merged with a sibling of the same name
 * (the default), so a pid reused under one parent still has two tracks. */
static int write_track(struct writer *w, size_t i)
{
	const struct hist_proc *p = w->h->procs[i];
	unsigned long long parent = track_of(w, p->parent);
	char pid[16];
	size_t d, m;

	packet_begin(w);
	d = pb_begin(&w->pb, PACKET_TRACK_DESCRIPTOR);
	pb_uint(&w->pb, TRACK_UUID, i + 1);
	if (parent)
		pb_uint(&w->pb, TRACK_PARENT_UUID, parent);
	m = pb_begin(&w->pb, TRACK_NAME);
	put_comm(w, p);
	snprintf(pid, sizeof(pid), " %u", p->pid);
	put_cstr(w, pid);
	pb_end(&w->pb, m);
	pb_uint(&w->pb, TRACK_CHILD_ORDERING, CHILD_ORDERING_CHRONOLOGICAL);
	pb_uint(&w->pb, TRACK_SIBLING_MERGE_BEHAVIOR, SIBLING_MERGE_BEHAVIOR_NONE);
	pb_end(&w->pb, d);
	return packet_end(w);
}

/* How p ended: exit_code, or signal and core_dumped, or running (at the run's end). */
static void annotate_end(struct writer *w, const struct hist_proc *p)
{
	char buf[16];

	if (!p->ended) {
		annotate_bool(w, "running", true);
	} else if (p->signal) {
		annotate_word(w, "signal", signal_name(p->signal, buf, sizeof(buf)));
		if (p->core_dumped)
			annotate_bool(w, "core_dumped", true);
	} else {
		annotate_int(w, "exit_code", p->exit_code);
	}
	if (p->have_usage) {
		annotate_int(w, "cpu_user_ns", (long long)p->cpu_user_ns);
		annotate_int(w, "cpu_system_ns", (long long)p->cpu_system_ns);
		if (p->cpu_truncated)
			annotate_bool(w, "cpu_truncated", true);
		annotate_int(w, "max_rss_bytes", (long long)p->max_rss);
	}
}

/* The slice's start, with all there is to say of the process: its command, and how it ended. */
static int write_begin(struct writer *w, const struct cursor *c)
{
	const struct hist_proc *p = w->h->procs[c->i];
	struct hist_str comm = {.s = (char *)p->comm, .len = strnlen(p->comm, sizeof(p->comm))};
	size_t e = event_begin(w, c->t, c->i + 1, TYPE_SLICE_BEGIN), m;

	m = pb_begin(&w->pb, EVENT_NAME);
	put_comm(w, p);
	pb_end(&w->pb, m);
	annotate_int(w, "pid", p->pid);
	annotate_int(w, "ppid", p->ppid);
	annotate_text(w, "comm", &comm);
	if (p->nexecs)
		annotate_exec(w, &p->execs[p->nexecs - 1]);
	annotate_end(w, p);
	return event_end(w, e);
}

static int write_exec(struct writer *w, const struct cursor *c, const struct hist_exec *x)
{
	size_t e = event_begin(w, c->t, c->i + 1, TYPE_INSTANT), m;

	m = pb_begin(&w->pb, EVENT_NAME);
	put_cstr(w, "exec ");
	if (!(x->argc && put_base(w, &x->argv[0])))
		put_base(w, &x->exe);
	pb_end(&w->pb, m);
	annotate_exec(w, x);
	return event_end(w, e);
}

static int write_failed(struct writer *w, const struct cursor *c, const struct hist_failed_exec *x)
{
	char buf[16];
	const char *error = error_name(x->error, buf, sizeof(buf));
	size_t e = event_begin(w, c->t, c->i + 1, TYPE_INSTANT), m;

	m = pb_begin(&w->pb, EVENT_NAME);
	put_cstr(w, "failed exec: ");
	put_escaped(w, x->filename.s, x->filename.len);
	put_cstr(w, " (");
	put_cstr(w, error);
	put_cstr(w, ")");
	pb_end(&w->pb, m);
	annotate_text(w, "filename", &x->filename);
	annotate_argv(w, x->argv, x->argc, x->truncated);
	annotate_word(w, "error", error);
	return event_end(w, e);
}

/* Moves c on to its process's next event: the execs and failed execs in time order, then the end. */
static void next_step(const struct history *h, struct cursor *c)
{
	const struct hist_proc *p = h->procs[c->i];
	bool exec = c->exec < p->nexecs, failed = c->failed < p->nfailed;
	unsigned long long t;

	if (c->step == STEP_END) {
		c->step = STEP_DONE;
		return;
	}
	if (exec && (!failed || p->execs[c->exec].time_ns <= p->failed[c->failed].time_ns)) {
		c->step = STEP_EXEC;
		t = p->execs[c->exec].time_ns;
	} else if (failed) {
		c->step = STEP_FAILED;
		t = p->failed[c->failed].time_ns;
	} else {
		/* Still running: drawn to the run's end. */
		c->step = STEP_END;
		t = p->ended ? p->end_ns : h->end_ns;
	}
	if (t > c->t)
		c->t = t;
}

static int write_step(struct writer *w, struct cursor *c)
{
	const struct hist_proc *p = w->h->procs[c->i];

	switch (c->step) {
	case STEP_BEGIN:
		return write_begin(w, c);
	case STEP_EXEC:
		return write_exec(w, c, &p->execs[c->exec++]);
	case STEP_FAILED:
		return write_failed(w, c, &p->failed[c->failed++]);
	case STEP_END:
		return event_end(w, event_begin(w, c->t, c->i + 1, TYPE_SLICE_END));
	default:
		return 0;
	}
}

static bool before(const struct cursor *a, const struct cursor *b)
{
	return a->t < b->t || (a->t == b->t && a->i < b->i);
}

static void sift_down(struct cursor *heap, size_t n, size_t k)
{
	for (;;) {
		size_t l = 2 * k + 1, min = k;
		struct cursor tmp;

		if (l < n && before(&heap[l], &heap[min]))
			min = l;
		if (l + 1 < n && before(&heap[l + 1], &heap[min]))
			min = l + 1;
		if (min == k)
			return;
		tmp = heap[k];
		heap[k] = heap[min];
		heap[min] = tmp;
		k = min;
	}
}

/* Every process's events, earliest first: a heap of the processes by their next event. */
static int write_events(struct writer *w, struct cursor *heap)
{
	const struct history *h = w->h;
	size_t n = h->nprocs;

	for (size_t i = 0; i < n; i++) {
		const struct hist_proc *p = h->procs[i];

		/* The exec that made the process at its start is its slice, not a later exec. */
		heap[i] = (struct cursor){.t = p->start_ns,
					  .i = i,
					  .exec = p->nexecs && p->execs[0].time_ns <= p->start_ns,
					  .step = STEP_BEGIN};
	}
	for (size_t k = n / 2; k-- > 0;)
		sift_down(heap, n, k);
	while (n) {
		if (write_step(w, &heap[0]))
			return -1;
		next_step(h, &heap[0]);
		if (heap[0].step == STEP_DONE)
			heap[0] = heap[--n];
		sift_down(heap, n, 0);
	}
	return 0;
}

/* Records lost: a track of its own says so, after the last event. */
static int write_lost(struct writer *w)
{
	unsigned long long uuid = w->h->nprocs + 1, t = w->h->end_ns > w->last ? w->h->end_ns : w->last;
	char name[64];
	size_t d, e;

	packet_begin(w);
	d = pb_begin(&w->pb, PACKET_TRACK_DESCRIPTOR);
	pb_uint(&w->pb, TRACK_UUID, uuid);
	pb_str(&w->pb, TRACK_NAME, "exectrace: records lost");
	pb_end(&w->pb, d);
	if (packet_end(w))
		return -1;
	e = event_begin(w, t, uuid, TYPE_INSTANT);
	snprintf(name, sizeof(name), "%llu records lost: the picture is incomplete", w->h->lost);
	pb_str(&w->pb, EVENT_NAME, name);
	annotate_int(w, "lost", (long long)w->h->lost);
	return event_end(w, e);
}

int perfetto_write(FILE *f, const struct history *h)
{
	struct writer w = {.f = f, .h = h};
	cookie_io_functions_t io = {.write = esc_write};
	struct cursor *heap = NULL;
	size_t n = h->nprocs;
	int ret = -1, err;

	pb_init(&w.pb);
	w.esc = fopencookie(&w.pb, "w", io);
	if (!w.esc || setvbuf(w.esc, NULL, _IONBF, 0))
		goto out;
	w.slots = calloc(n ? n : 1, sizeof(*w.slots));
	heap = calloc(n ? n : 1, sizeof(*heap));
	if (!w.slots || !heap)
		goto out;
	for (size_t i = 0; i < n; i++)
		w.slots[i] = (struct slot){.p = h->procs[i], .i = i};
	qsort(w.slots, n, sizeof(*w.slots), slot_cmp);
	if (write_clock(&w))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (write_track(&w, i))
			goto out;
	}
	if (write_events(&w, heap) || (h->lost && write_lost(&w)))
		goto out;
	/* A full disk shows here, not only at the caller's fclose. */
	if (fflush(f))
		goto out;
	ret = 0;
out:
	err = errno;
	if (w.esc)
		fclose(w.esc);
	free(heap);
	free(w.slots);
	pb_free(&w.pb);
	errno = err;
	return ret;
}
