/* The records' way from the kernel to user space: the BPF ring buffer, or the perf buffer where there is
 * none. */
#ifndef TRANSPORT_H
#define TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

/* Called for each record the kernel sent; a non-zero return stops the current poll. */
typedef int (*tracer_record_fn)(void *ctx, const void *data, size_t size);

struct transport;

struct transport_config {
	bool ring;		    /* the ring buffer (ring_fd), else the perf buffer (perf_fd) */
	int ring_fd, perf_fd;	    /* the maps */
	unsigned long buffer_size;  /* each CPU's perf buffer; the ring's size is the map's */
	unsigned long long *asleep; /* the programs' reader_asleep word, mapped */
	int warm_prog_fd;	    /* the ring's warm-up program, or -1 */
};

/* 0, or a negative errno after printing one line that says what is wrong. */
int transport_open(struct transport **out, const struct transport_config *c, tracer_record_fn fn, void *ctx);
/* Waits up to timeout_ms, then hands every pending record to fn. Returns fn's non-zero value, or <0. */
int transport_poll(struct transport *t, int timeout_ms);
void transport_free(struct transport *t);
/* The smallest power of two not below v. */
unsigned long round_pow2(unsigned long v);

#endif
