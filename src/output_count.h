/* Count mode's output: a table per interval (text), or one JSON object per interval. */
#ifndef OUTPUT_COUNT_H
#define OUTPUT_COUNT_H

#include <stdbool.h>
#include <stdio.h>
#include "count.h"
#include "options.h"

struct count_view {
	FILE *f;
	const struct options *opts;
	bool redraw;	   /* a terminal: draw over the last table, like top */
	long long real_ns; /* when the interval ended */
	double interval_s; /* its length */
};

/* 0, or -1 when writing failed (errno set). */
int count_print_text(const struct count_view *v, const struct count_table *t);
int count_print_json(const struct count_view *v, const struct count_table *t);

#endif
