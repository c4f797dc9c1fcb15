/* Loading, configuring and attaching the kernel programs, and reading their records. */
#ifndef TRACER_H
#define TRACER_H

#include <stddef.h>
#include "exectrace.h"
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
/* The argv capture limit in force: --argv-bytes, or less where the transport carries less. */
unsigned long tracer_argv_limit(const struct tracer *t);

struct et_count_key;
struct et_exe_name;
typedef void (*tracer_count_fn)(void *ctx, const struct et_count_key *key,
				const struct et_count_value *value);
/* Count mode: hands fn every count the kernel added since the last call, and clears them, losing none that
 * arrive meanwhile. Returns the execs whose key did not fit the map, or <0 on error. */
long long tracer_count_drain(struct tracer *t, tracer_count_fn fn, void *ctx);
/* The path of a binary counted under ET_KEY_EXE; 0, or -ENOENT when it is no longer known. */
int tracer_exe_name(const struct tracer *t, const struct et_exe_id *id, struct et_exe_name *name);
void tracer_close(struct tracer *t);

#endif
