/* The pictures of a finished run, each drawn from its history (src/history.h): a process tree on a terminal
 * (tree.c), a self-contained HTML timeline (html.c), a Perfetto trace (perfetto.c). A live run draws them
 * when it ends (sink_pictures.c), exectrace report from a recording (report.c). */
#ifndef PICTURES_H
#define PICTURES_H

#include <stdbool.h>
#include <stdio.h>
#include "history.h"

struct tree_options {
	unsigned int width; /* columns a line may take (argv is shortened to fit); 0: no limit */
	bool expand;	    /* every process on its own line: repeated siblings are not collapsed */
};

/* Each writes one picture of a finished history (history_finish done) to f: 0, or -1 when writing failed
 * (errno set). */
int tree_write(FILE *f, const struct history *h, const struct tree_options *o);
int html_write(FILE *f, const struct history *h);
int perfetto_write(FILE *f, const struct history *h);

#endif
