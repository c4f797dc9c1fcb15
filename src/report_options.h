/* The options of exectrace report, apart from report.c: argp's header pulls in <limits.h>, whose
 * TTY_NAME_MAX event.h's own would clash with. */
#ifndef REPORT_OPTIONS_H
#define REPORT_OPTIONS_H

#include <stdbool.h>

struct report_options {
	bool help;
	bool tree;	  /* --tree, or no other picture asked for */
	bool tree_expand; /* --tree-expand: repeated siblings not collapsed */
	const char *html, *perfetto;
	const char *input; /* "-": standard input */
};

enum report_options_result {
	REPORT_OPTIONS_OK,
	REPORT_OPTIONS_EXIT,  /* --help was shown: exit 0 */
	REPORT_OPTIONS_ERROR, /* one line was printed to stderr */
};

/* argv[0] is "report". */
enum report_options_result report_options_parse(int argc, char **argv, struct report_options *o);

#endif
