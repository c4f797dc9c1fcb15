/* Loading, configuring and attaching the kernel programs; the transport and count maps they feed. */
#ifndef TRACER_H
#define TRACER_H

#include <stddef.h>
#include <sys/types.h>
#include "count_maps.h"
#include "exectrace.h"
#include "options.h"
#include "transport.h"

struct tracer;

/* 0, or a negative errno after printing one line that says what is wrong. fn gets each record (not in count
 * mode). */
int tracer_open(struct tracer **t, const struct options *o, tracer_record_fn fn, void *ctx);
/* Waits up to timeout_ms, then hands every pending record to fn. Returns fn's non-zero value, or <0. */
int tracer_poll(struct tracer *t, int timeout_ms);
/* Records lost so far, all causes together. */
unsigned long long tracer_lost(const struct tracer *t);
const char *tracer_transport(const struct tracer *t);
/* The argv capture limit in force: --argv-bytes, or less where the transport carries less. */
unsigned long tracer_argv_limit(const struct tracer *t);
/* Command mode: the most processes of the command's tree traced at once. */
#define TRACED_MAX 65536
/* Command mode: pid joins the traced set (its descendants join it at fork). 0, or -errno after one line. */
int tracer_trace_pid(struct tracer *t, pid_t pid);
/* Command mode: processes of the tree still in the traced set (not yet exited). */
unsigned long tracer_traced_count(const struct tracer *t);
/* The fields of the kernel's count keys: --count's and those --metrics-labels needs. */
unsigned int tracer_count_fields(const struct options *o);
/* Count mode's maps (--count or --metrics). */
const struct count_maps *tracer_count_maps(const struct tracer *t);
void tracer_close(struct tracer *t);

#endif
