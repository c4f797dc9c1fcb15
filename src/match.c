// SPDX-License-Identifier: GPL-2.0
/* PCRE2 under limits. Its match and depth limits count from each start position, and one step may scan the
 * whole subject: against 64 KiB of arguments, x+y took 1.7 s in the interpreter and (?=x)x+y 0.9 s in the
 * JIT, neither reaching a match limit of 100000. So a CPU-time budget, looked at every few items of the
 * pattern, bounds the whole match; the limits bound the memory, and end runaway backtracking early. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <pcre2.h>
#include "match.h"
#include "timefmt.h"

/* Bytes, not UTF-8 (PCRE2_NEVER_UTF refuses (*UTF) too): arguments are whatever bytes a program passed. In
 * UTF mode an invalid sequence fails the match, or with PCRE2_MATCH_INVALID_UTF matches no item of the
 * pattern, so "curl.*evil" would miss "curl\xff evil": a program could hide behind one stray byte. In byte
 * mode each byte is a character, matched by . and [^a], named by \xff. DOTALL and DOLLAR_ENDONLY keep POSIX's
 * meaning of . and $ for arguments that hold newlines. AUTO_CALLOUT calls on_step before each item. */
#define COMPILE_OPTIONS (PCRE2_NEVER_UTF | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | PCRE2_AUTO_CALLOUT)

/* Backtracking steps from one start position: ordinary patterns on 64 KiB take up to 66000 (".*x"). */
#define MATCH_LIMIT 1000000
/* How deep backtracking may nest: ".*x" on 64 KiB goes 49000 deep. */
#define DEPTH_LIMIT 100000
/* The interpreter's backtracking frames, kept in the match data for the next match: "(\S+ )*x" on 64 KiB
 * takes 1.4 MiB, and the first match to take 4 MiB spends 3 ms faulting it in. The JIT has a stack instead,
 * which that pattern fills to 172 KiB. */
#define HEAP_LIMIT_KIB	4096
#define JIT_STACK_START (32 << 10)
#define JIT_STACK_MAX	(1 << 20)
/* CPU time a match may take: ordinary patterns on 64 KiB take under 1 ms, 2.5 ms without the JIT. */
#define CPU_BUDGET_NS 5000000LL
/* Wall time a match runs before its CPU time is read, a system call: most matches end before. */
#define CPU_CHECK_AFTER_NS 100000LL
/* Callouts per reading of the clock, which costs more than a callout. A step is rarely more than one scan of
 * the subject, so the budget is overrun by little: x+y on 1 MiB of x takes 6.6 ms instead of 5.5 ms, and
 * ordinary matches a third of the time. */
#define STEPS_PER_CLOCK 8

struct matcher {
	pcre2_code *code;
	pcre2_match_data *data;
	pcre2_match_context *ctx;
	pcre2_jit_stack *jit_stack; /* NULL when the interpreter runs the pattern */
	/* The budget of the match under way */
	unsigned int steps_left; /* callouts before the clock is read again */
	long long check_at_ns;	 /* CLOCK_MONOTONIC: when to read the CPU time next */
	long long cpu_start_ns;	 /* CLOCK_THREAD_CPUTIME_ID when first read, -1 before */
};

/* The callout before each item. The CPU time is what is counted, so that a match which was only preempted is
 * not abandoned; the monotonic clock (vDSO, no system call) says when it may have run out. */
static int on_step(pcre2_callout_block *block, void *data)
{
	struct matcher *m = data;
	long long now, used = 0;

	(void)block;
	if (--m->steps_left)
		return 0;
	m->steps_left = STEPS_PER_CLOCK;
	now = clock_now_ns(CLOCK_MONOTONIC);
	if (now < m->check_at_ns)
		return 0;
	if (m->cpu_start_ns < 0) {
		m->cpu_start_ns = clock_now_ns(CLOCK_THREAD_CPUTIME_ID);
	} else {
		used = clock_now_ns(CLOCK_THREAD_CPUTIME_ID) - m->cpu_start_ns;
		if (used >= CPU_BUDGET_NS)
			return PCRE2_ERROR_CALLOUT;
	}
	/* CPU time runs no faster than the wall clock: the rest of the budget cannot be spent before then. */
	m->check_at_ns = now + CPU_BUDGET_NS - used;
	return 0;
}

int matcher_new(struct matcher **out, const char *pattern, char *msg, size_t size)
{
	struct matcher *m = calloc(1, sizeof(*m));
	PCRE2_UCHAR text[256];
	PCRE2_SIZE offset;
	int err;

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->code =
	    pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, COMPILE_OPTIONS, &err, &offset, NULL);
	if (!m->code) {
		if (pcre2_get_error_message(err, text, sizeof(text)) < 0)
			snprintf((char *)text, sizeof(text), "PCRE2 error %d", err);
		snprintf(msg, size, "%s at offset %zu", (const char *)text, (size_t)offset);
		matcher_free(m);
		return -EINVAL;
	}
	/* The JIT where this build and the system have it (it needs executable memory), the interpreter
	 * otherwise: both honour the match limit and the callouts. */
	if (!pcre2_jit_compile(m->code, PCRE2_JIT_COMPLETE)) {
		m->jit_stack = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, NULL);
		if (!m->jit_stack)
			goto nomem;
	}
	m->data = pcre2_match_data_create(1, NULL);
	m->ctx = pcre2_match_context_create(NULL);
	if (!m->data || !m->ctx)
		goto nomem;
	/* These store a value and cannot fail. */
	pcre2_set_match_limit(m->ctx, MATCH_LIMIT);
	pcre2_set_depth_limit(m->ctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(m->ctx, HEAP_LIMIT_KIB);
	pcre2_set_callout(m->ctx, on_step, m);
	if (m->jit_stack)
		pcre2_jit_stack_assign(m->ctx, NULL, m->jit_stack);
	*out = m;
	return 0;
nomem:
	matcher_free(m);
	return -ENOMEM;
}

enum match_result matcher_match(struct matcher *m, const char *s, size_t len)
{
	int rc;

	m->steps_left = STEPS_PER_CLOCK;
	m->check_at_ns = clock_now_ns(CLOCK_MONOTONIC) + CPU_CHECK_AFTER_NS;
	m->cpu_start_ns = -1;
	rc = pcre2_match(m->code, (PCRE2_SPTR)s, len, 0, 0, m->data, m->ctx);
	if (rc >= 0)
		return MATCH_YES;
	/* Any other error is a limit (steps, depth, heap, JIT stack, CPU time) or memory: no answer. */
	return rc == PCRE2_ERROR_NOMATCH ? MATCH_NO : MATCH_ABANDONED;
}

void matcher_free(struct matcher *m)
{
	if (!m)
		return;
	pcre2_match_context_free(m->ctx);
	pcre2_match_data_free(m->data);
	pcre2_jit_stack_free(m->jit_stack);
	pcre2_code_free(m->code);
	free(m);
}
