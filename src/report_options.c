// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <string.h>
#include "report_options.h"

enum {
	OPT_TREE = 1000,
	OPT_TREE_EXPAND,
	OPT_HTML,
	OPT_PERFETTO,
	OPT_USAGE,
};

static const char doc[] =
    "Draw the pictures of a run from its JSON lines recording, made with exectrace -j -x --forks --exits "
    "(- reads standard input). Without --html or --perfetto, the process tree is printed.\v"
    "Examples:\n"
    "  exectrace -j -x --forks --exits -o run.jsonl      # record (Ctrl-C to stop)\n"
    "  exectrace report run.jsonl                        # its process tree\n"
    "  exectrace report --html run.html --perfetto run.pftrace run.jsonl\n";

static const struct argp_option opts[] = {
    {"tree", OPT_TREE, NULL, 0, "Print the process tree on standard output", 0},
    {"tree-expand", OPT_TREE_EXPAND, NULL, 0,
     "Print the process tree with every process on its own line (repeated siblings not collapsed)", 0},
    {"html", OPT_HTML, "FILE", 0, "Write the HTML timeline to FILE", 0},
    {"perfetto", OPT_PERFETTO, "FILE", 0, "Write a Perfetto trace to FILE (open it in ui.perfetto.dev)", 0},
    {"help", 'h', NULL, 0, "Show this help", -1},
    {"usage", OPT_USAGE, NULL, OPTION_HIDDEN, "Show a short usage message", -1},
    {},
};

static int parse_opt(int key, char *arg, struct argp_state *state)
{
	struct report_options *o = state->input;

	switch (key) {
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP & ~ARGP_HELP_EXIT_OK);
		o->help = true;
		return 0;
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE);
		o->help = true;
		return 0;
	case OPT_TREE:
		o->tree = true;
		return 0;
	case OPT_TREE_EXPAND:
		o->tree = o->tree_expand = true;
		return 0;
	case OPT_HTML:
		o->html = arg;
		return 0;
	case OPT_PERFETTO:
		o->perfetto = arg;
		return 0;
	case ARGP_KEY_ARG:
		if (o->input) {
			argp_failure(state, 0, 0, "one recording at a time: '%s' after '%s'", arg, o->input);
			return EINVAL;
		}
		o->input = arg;
		return 0;
	case ARGP_KEY_END:
		if (!o->input && !o->help) {
			argp_failure(
			    state, 0, 0,
			    "the recording to read is missing (RECORDS.jsonl, or - for standard input)");
			return EINVAL;
		}
		if (!o->html && !o->perfetto)
			o->tree = true;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

enum report_options_result report_options_parse(int argc, char **argv, struct report_options *o)
{
	static const struct argp argp = {
	    .options = opts, .parser = parse_opt, .args_doc = "RECORDS.jsonl", .doc = doc};
	char *argv0 = argv[0];
	int err;

	memset(o, 0, sizeof(*o));
	/* Usage lines and messages name the subcommand: "exectrace report: ...", "Try `exectrace report
	 * --help'". */
	argv[0] = "exectrace report";
	err = argp_parse(&argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP, NULL, o);
	argv[0] = argv0;
	if (err)
		return REPORT_OPTIONS_ERROR;
	return o->help ? REPORT_OPTIONS_EXIT : REPORT_OPTIONS_OK;
}
