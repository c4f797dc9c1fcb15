/* Loading, configuring and attaching the kernel programs, and reading their records. */
#ifndef TRACER_H
#define TRACER_H

#include <stddef.h>
#include "options.h"

struct tracer;

/* Called for each record the kernel sent; a non-zero return stops the current poll. */
typedef int (*tracer_record_fn)(void *ctx, const void *data, size_t size);

/* 0, or a negative errno after printing one line that says what is wrong. */
int tracer_open(struct tracer **t, const struct options *o, tracer_record_fn fn, void *ctx);
/* Waits up to timeout_ms, then hands every pending record to fn. Returns fn's non-zero value, or <0. */
int tracer_poll(struct tracer *t, int timeout_ms);
/* Records lost so far, all causes together. */
unsigned long long tracer_lost(const struct tracer *t);
const char *tracer_transport(const struct tracer *t);
void tracer_close(struct tracer *t);

#endif
