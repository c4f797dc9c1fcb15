// SPDX-License-Identifier: GPL-2.0
/* Reading the records: the ring buffer with its wakeup protocol and warm-up, or the perf buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/sched/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "transport.h"

struct transport {
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	tracer_record_fn fn;
	void *ctx;
	int stop;		    /* fn's non-zero return, for the perf callback */
	unsigned long long *asleep; /* the programs' reader_asleep */
	int batch_ms; /* records stream: look again after this long, without being woken; 0: asleep */
};

/*
 * A quiet reader sleeps until the first record wakes it (reader_asleep in the BPF program), so a record after
 * a quiet spell is printed at once. While records stream, the reader looks again after 1 ms, then 2, 4, ...
 * up to 64 ms, unwoken: a storm costs about 16 reads a second and no wakeup in the programs. The first look
 * that finds nothing puts it back to sleep.
 */
#define BATCH_FIRST_MS 1
#define BATCH_MAX_MS   64

unsigned long round_pow2(unsigned long v)
{
	unsigned long p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static int on_ring_record(void *ctx, void *data, size_t size)
{
	struct transport *t = ctx;

	return t->fn(t->ctx, data, size);
}

struct perf_sample {
	struct perf_event_header header;
	__u32 size;
	char data[];
};

static enum bpf_perf_event_ret on_perf_event(void *ctx, int cpu, struct perf_event_header *e)
{
	struct transport *t = ctx;

	(void)cpu;
	if (e->type == PERF_RECORD_SAMPLE) {
		const struct perf_sample *s = (const void *)e;

		t->stop = t->fn(t->ctx, s->data, s->size);
		return t->stop ? LIBBPF_PERF_EVENT_DONE : LIBBPF_PERF_EVENT_CONT;
	}
	/* PERF_RECORD_LOST repeats what the programs counted when their output failed (see emit). */
	return LIBBPF_PERF_EVENT_CONT;
}

static int open_perf(struct transport *t, const struct transport_config *c)
{
	/* Wake the reader when a CPU's buffer is a quarter full, not per record. */
	long page = sysconf(_SC_PAGESIZE);
	size_t pages = round_pow2((c->buffer_size + page - 1) / page);
	struct perf_event_attr attr = {
	    .type = PERF_TYPE_SOFTWARE,
	    .config = PERF_COUNT_SW_BPF_OUTPUT,
	    .sample_type = PERF_SAMPLE_RAW,
	    .watermark = 1,
	    .wakeup_watermark = pages * page / 4,
	};

	t->pb = perf_buffer__new_raw(c->perf_fd, pages, &attr, on_perf_event, t, NULL);
	if (!t->pb) {
		fprintf(stderr, "exectrace: cannot open the perf buffer: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Writes every page of the ring buffer once, then reads it through: see warm_ring in the BPF program. */
static int warm_ring(struct transport *t, int prog_fd)
{
	struct bpf_test_run_opts opts = {.sz = sizeof(opts)};

	if (bpf_prog_test_run_opts(prog_fd, &opts) || ring_buffer__consume(t->rb) < 0) {
		fprintf(stderr, "exectrace: cannot prepare the ring buffer: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

#define READER_SLICE_NS 100000ULL /* the shortest the kernel takes */

/*
 * A woken reader waits for the task on its CPU to end its slice unless it preempts it, and the kernel
 * preempts for it only where their groups let it: an exec from another session (another autogroup) would wait
 * for the new program (about 0.9 ms here, the rest of a short program's life). A short slice (EEVDF,
 * Linux 6.12 and later) lets the woken reader run at once: 0.3 ms. Its nice level is kept; older kernels
 * ignore the slice, and without it only the latency is longer, so a refusal is no error. After CMD was
 * started, which keeps the scheduling it would have without exectrace.
 */
static void ask_short_slice(void)
{
	struct sched_attr a = {.size = sizeof(a),
			       .sched_policy = SCHED_NORMAL,
			       .sched_nice = getpriority(PRIO_PROCESS, 0),
			       .sched_runtime = READER_SLICE_NS};

	if (syscall(SYS_sched_setattr, 0, &a, 0))
		errno = 0;
}

int transport_open(struct transport **out, const struct transport_config *c, tracer_record_fn fn, void *ctx)
{
	struct transport *t = calloc(1, sizeof(*t));
	int err = 0;

	if (!t) {
		fprintf(stderr, "exectrace: out of memory\n");
		return -ENOMEM;
	}
	t->fn = fn;
	t->ctx = ctx;
	t->asleep = c->asleep;
	ask_short_slice();
	if (c->ring) {
		t->rb = ring_buffer__new(c->ring_fd, on_ring_record, t, NULL);
		if (!t->rb) {
			err = -errno;
			fprintf(stderr, "exectrace: cannot open the ring buffer: %s\n", strerror(errno));
		} else if (c->warm_prog_fd >= 0) {
			err = warm_ring(t, c->warm_prog_fd);
		}
	} else {
		err = open_perf(t, c);
	}
	if (err) {
		transport_free(t);
		return err;
	}
	*out = t;
	return 0;
}

/* The ring buffer's wait: batch_ms while records stream, else asleep until a record or timeout_ms. Returns 0,
 * fn's non-zero value, or <0. */
static int poll_ring(struct transport *t, int timeout_ms)
{
	int n, err;

	if (t->batch_ms) {
		/* Only a quarter-full ring wakes this wait early. */
		err = ring_buffer__poll(t->rb, timeout_ms < t->batch_ms ? timeout_ms : t->batch_ms);
		n = err >= 0 ? ring_buffer__consume(t->rb) : 0;
	} else {
		/* Said before the last look: a record that lands after the look finds the flag and wakes us.
		 */
		__atomic_store_n(t->asleep, 1, __ATOMIC_SEQ_CST);
		err = ring_buffer__consume(t->rb);
		if (!err)
			err = ring_buffer__poll(t->rb, timeout_ms);
		__atomic_store_n(t->asleep, 0, __ATOMIC_SEQ_CST);
		n = err >= 0 ? ring_buffer__consume(t->rb) : 0;
	}
	if (err < 0 || n < 0)
		return err < 0 ? err : n;
	if (err + n == 0)
		t->batch_ms = 0;
	else if (!t->batch_ms)
		t->batch_ms = BATCH_FIRST_MS;
	else if (t->batch_ms < BATCH_MAX_MS)
		t->batch_ms *= 2;
	return 0;
}

int transport_poll(struct transport *t, int timeout_ms)
{
	int err;

	t->stop = 0;
	if (t->rb) {
		err = poll_ring(t, timeout_ms);
	} else {
		err = perf_buffer__poll(t->pb, timeout_ms);
		if (err >= 0 && !t->stop)
			err = perf_buffer__consume(t->pb);
	}
	if (err == -EINTR)
		return 0;
	if (t->stop)
		return t->stop;
	return err < 0 ? err : 0;
}

void transport_free(struct transport *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	perf_buffer__free(t->pb);
	free(t);
}
