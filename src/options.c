// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exectrace.h"
#include "options.h"
#include "users.h"

#define DEFAULT_BUFFER_SIZE (4UL << 20)

enum {
	OPT_MAX_ARGS = 1000,
	OPT_ARGV_BYTES,
	OPT_BUFFER_SIZE,
	OPT_PERF_BUFFER,
	OPT_CGROUPMAP,
	OPT_MNTNSMAP,
	OPT_COUNT,
	OPT_INTERVAL,
	OPT_TOP,
	OPT_CUMULATIVE,
	OPT_MAX_KEYS,
	OPT_ANCESTORS,
	OPT_ENV,
	OPT_ENV_BYTES,
	OPT_USAGE,
	OPT_METRICS,
	OPT_METRICS_LABELS,
	OPT_METRICS_MAX_SERIES,
	OPT_FORKS,
	OPT_EXITS,
	OPT_CONTEXT,
	OPT_USER,
	OPT_TREE,
	OPT_TREE_EXPAND,
	OPT_HTML,
	OPT_PERFETTO,
};

#define DEFAULT_MAX_KEYS   10240
#define DEFAULT_MAX_SERIES 1000

/* A name an option takes in a comma-separated list, and its bit. */
struct name_bit {
	const char *name;
	unsigned int bit;
};

static const struct name_bit metrics_labels[] = {
    {"comm", METRICS_L_COMM},	  {"user", METRICS_L_USER},	      {"exe", METRICS_L_EXE},
    {"cgroup", METRICS_L_CGROUP}, {"container", METRICS_L_CONTAINER},
};

static const struct name_bit count_keys[] = {
    {"uid", ET_KEY_UID},   {"comm", ET_KEY_COMM}, {"pid", ET_KEY_PID},
    {"ppid", ET_KEY_PPID}, {"exe", ET_KEY_EXE},	  {"cgroup", ET_KEY_CGROUP},
};

/* --context names, in the order the help and docs/output.md list them. */
static const struct name_bit context_names[] = {
    {"ids", ET_CTX_IDS},       {"session", ET_CTX_SESSION}, {"tty", ET_CTX_TTY},   {"cwd", ET_CTX_CWD},
    {"cgroup", ET_CTX_CGROUP}, {"ns", ET_CTX_NS},	    {"caps", ET_CTX_CAPS}, {"all", ET_CTX_ALL},
};

static const char doc[] =
    "Trace exec() system-wide with eBPF: every execve and execveat, with the arguments the "
    "program received.\v"
    "Examples:\n"
    "  exectrace                 # trace all execs\n"
    "  exectrace -x              # include failed execs\n"
    "  exectrace -j -o execs.json  # JSON lines into a file\n"
    "  exectrace -u 1000 -T      # execs by uid 1000, with a time column\n"
    "  exectrace -n '^(ba)?sh$'  # command names matching a regex\n"
    "  exectrace -l 'curl|wget'  # arguments matching a regex\n"
    "  exectrace --exits -j      # with how each process ended\n"
    "  exectrace --cgroup /sys/fs/cgroup/system.slice  # one cgroup v2 subtree\n"
    "  exectrace -j --env=PATH,LANG  # JSON with two environment variables of each exec\n"
    "  exectrace -j -o run.json -- make  # run make, trace it and all it starts (records on stderr or -o)\n"
    "  exectrace --tree --html run.html -- make  # run make, then its process tree and a timeline page\n"
    "  exectrace report run.json  # the process tree of a recording (see exectrace report --help)\n";

static const struct argp_option opts[] = {
    {"help", 'h', NULL, 0, "Show this help", -1},
    /* argp's hint after an unknown option names --usage; ARGP_NO_HELP drops argp's own, so it is here. */
    {"usage", OPT_USAGE, NULL, OPTION_HIDDEN, "Show a short usage message", -1},
    {"version", 'V', NULL, 0, "Show the version, the commit and libbpf's version", -1},
    {"json", 'j', NULL, 0, "Print one JSON object per line", 0},
    {"context", OPT_CONTEXT, "GROUPS", 0,
     "JSON context fields: ids, session, tty, cwd, cgroup, ns, caps, comma-separated, or all or none "
     "(default: " CONTEXT_DEFAULT_NAMES ")",
     0},
    {"output", 'o', "FILE", 0,
     "Append records to FILE instead of standard output (reopened by name on SIGHUP)", 0},
    {"duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0},
    {"time", 'T', NULL, 0, "Include a time column (HH:MM:SS)", 0},
    {"timestamp", 't', NULL, 0, "Include a column of seconds since the start", 0},
    {"print-uid", 'U', NULL, 0, "Include a UID column", 0},
    {"quote", 'q', NULL, 0, "Quote each argument", 0},
    {"fails", 'x', NULL, 0, "Include failed execs", 0},
    {"forks", OPT_FORKS, NULL, 0, "Include a record for each new process (fork, not a new thread)", 0},
    {"exits", OPT_EXITS, NULL, 0,
     "Include a record for each process that ends: exit code or signal, duration, CPU time, peak memory", 0},
    {"uid", 'u', "USER", 0, "Trace this user only (name or number; in the kernel)", 0},
    {"cgroup", 'c', "PATH", 0, "Trace this cgroup v2 subtree only (in the kernel)", 0},
    {"cgroupmap", OPT_CGROUPMAP, "PATH", 0, "Trace cgroup ids in this pinned BPF hash map only", 0},
    {"mntnsmap", OPT_MNTNSMAP, "PATH", 0, "Trace mount namespace ids in this pinned BPF hash map only", 0},
    {"name", 'n', "REGEX", 0,
     "Show commands whose name matches REGEX (PCRE2 syntax) only (exec, fork and exit records)", 0},
    {"line", 'l', "REGEX", 0,
     "Show execs whose arguments (joined by spaces) match REGEX (PCRE2 syntax) only (fork and exit records "
     "pass)",
     0},
    {"max-args", OPT_MAX_ARGS, "N", 0, "Show at most N arguments (default: all)", 0},
    {"argv-bytes", OPT_ARGV_BYTES, "SIZE", 0,
     "Capture at most SIZE bytes of argv, NULs included (default 64K; at most 1M, 51K with --perf-buffer)",
     0},
    {"buffer-size", OPT_BUFFER_SIZE, "SIZE", 0,
     "Ring buffer size, or each CPU's perf buffer (default 4M; rounded up to a power of two)", 0},
    {"perf-buffer", OPT_PERF_BUFFER, NULL, 0, "Use the perf buffer even where a ring buffer is available", 0},
    {"verbose", 'v', NULL, 0, "Show libbpf's messages", 0},
    {"ancestors", OPT_ANCESTORS, "N", 0,
     "JSON: the chain of processes above the parent, at most N (default 0: none; at most 64)", 0},
    {"env", OPT_ENV, "NAME,...", OPTION_ARG_OPTIONAL,
     "JSON: the environment of each exec, all of it, or only the variables named (--env=NAME,...)", 0},
    {"env-bytes", OPT_ENV_BYTES, "SIZE", 0,
     "Capture at most SIZE bytes of the environment (default 32K, at most 1M)", 0},
    {"user", OPT_USER, "USER", 0,
     "With -- CMD: run CMD as USER (default under sudo: the invoking user, SUDO_UID and SUDO_GID)", 0},
    {NULL, 0, NULL, 0, "Pictures of the run, drawn when it ends (with forks, exits and failed execs):", 1},
    {"tree", OPT_TREE, NULL, 0,
     "Print the process tree when the run ends: after the text records (with -j, on standard error; in "
     "command mode without -j or -o, instead of them)",
     1},
    {"tree-expand", OPT_TREE_EXPAND, NULL, 0,
     "--tree with every process on its own line (repeated siblings not collapsed)", 1},
    {"html", OPT_HTML, "FILE", 0, "A timeline of the processes, one self-contained HTML page, into FILE", 1},
    {"perfetto", OPT_PERFETTO, "FILE", 0, "A Perfetto trace (ui.perfetto.dev) of the processes, into FILE",
     1},
    {NULL, 0, NULL, 0, "Count mode:", 2},
    {"count", OPT_COUNT, "KEYS", 0,
     "Count execs in the kernel per KEYS instead of printing them: uid, comm, pid, ppid, exe, cgroup, "
     "comma-separated",
     2},
    {"interval", OPT_INTERVAL, "SECONDS", 0, "Print the counts every SECONDS (default: once, at exit)", 2},
    {"top", OPT_TOP, "N", 0, "Print the N highest counts only", 2},
    {"cumulative", OPT_CUMULATIVE, NULL, 0, "Counts since the start instead of per interval", 2},
    {"max-keys", OPT_MAX_KEYS, "N", 0, "Distinct keys the kernel holds between reads (default 10240)", 2},
    {NULL, 0, NULL, 0, "Prometheus metrics:", 3},
    {"metrics", OPT_METRICS, "[ADDR:]PORT", 0,
     "Serve metrics on http://ADDR:PORT/metrics (loopback unless ADDR is given; [::1]:PORT for IPv6); alone, "
     "only counts in the kernel (add -j or -o to trace too)",
     3},
    {"metrics-labels", OPT_METRICS_LABELS, "LABELS", 0,
     "Labels of exectrace_execs_total: comm, user, exe, cgroup, container, comma-separated (default comm)",
     3},
    {"metrics-max-series", OPT_METRICS_MAX_SERIES, "N", 0,
     "At most N series; the rest add up under label values _other (default 1000)", 3},
    {},
};

#define fail(state, ...)                                                                                     \
	do {                                                                                                 \
		argp_failure(state, 0, 0, __VA_ARGS__);                                                      \
		return EINVAL;                                                                               \
	} while (0)

/* A whole number in [min, max], with an optional K, M or G (powers of 1024) when scaled. */
static int parse_number(const char *s, unsigned long min, unsigned long max, bool scaled, unsigned long *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (scaled && *end) {
		switch (*end++) {
		case 'k':
		case 'K':
			mul = 1ULL << 10;
			break;
		case 'm':
		case 'M':
			mul = 1ULL << 20;
			break;
		case 'g':
		case 'G':
			mul = 1ULL << 30;
			break;
		default:
			return -1;
		}
	}
	if (*end || v > max / mul || v * mul < min)
		return -1;
	*out = v * mul;
	return 0;
}

/* A number of seconds in [min, max]: digits with an optional fraction (5, 0.5, .5, 5.), the plain form
 * parse_number takes; no sign, space, exponent, hexadecimal, inf or nan, which strtod alone would accept. */
static int parse_seconds(const char *s, double min, double max, double *out)
{
	static const char digits[] = "0123456789";
	size_t whole = strspn(s, digits), frac = 0;
	const char *p = s + whole;
	char *end;
	double v;

	if (*p == '.') {
		frac = strspn(++p, digits);
		p += frac;
	}
	if (*p || whole + frac == 0)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "uid,comm": names from the n in names, each once, at least one; their bits or'ed into *bits. */
static int parse_names(const char *arg, const struct name_bit *names, size_t n, unsigned int *bits)
{
	const char *p = arg;

	*bits = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		unsigned int bit = 0;

		for (size_t i = 0; i < n; i++)
			if (strlen(names[i].name) == len && !strncmp(p, names[i].name, len))
				bit = names[i].bit;
		if (!bit || (*bits & bit))
			return -1;
		*bits |= bit;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

#define PARSE_NAMES(arg, names, bits) parse_names(arg, names, sizeof(names) / sizeof((names)[0]), bits)

/* "tty,cwd", "all" or "none" alone. */
static int parse_context(const char *arg, unsigned int *groups)
{
	*groups = 0;
	return strcmp(arg, "none") ? PARSE_NAMES(arg, context_names, groups) : 0;
}

/* "PORT", "ADDR:PORT" or "[ADDR6]:PORT", numeric only: a name would need a resolver (a static binary has
 * none) and could bind where the user did not mean. */
static int parse_listen(const char *arg, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1] = "127.0.0.1";
	const char *port = arg, *colon = strrchr(arg, ':');
	unsigned long v;
	bool six = false;

	if (colon) {
		const char *h = arg;
		size_t n = (size_t)(colon - arg);

		if (*h == '[') {
			if (n < 2 || h[n - 1] != ']')
				return -1;
			h++;
			n -= 2;
			six = true;
		}
		if (!n || n >= sizeof(host))
			return -1;
		memcpy(host, h, n);
		host[n] = 0;
		port = colon + 1;
	}
	if (parse_number(port, 1, 65535, false, &v))
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (six) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((unsigned short)v);
		*len = sizeof(*a);
		return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons((unsigned short)v);
	*len = sizeof(*a);
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

/* --env's names: "NAME,NAME", each non-empty and without '=' (an entry's name is its text before the first
 * '='). */
static bool valid_env_names(const char *names)
{
	for (const char *p = names;; p++) {
		size_t len = strcspn(p, ",=");

		if (!len || p[len] == '=')
			return false;
		p += len;
		if (!*p)
			return true;
	}
}

/* The perf buffer carries at most 64K per record: argv and the environment share what the header, paths and
 * ancestors leave. A size given too large is refused, argv's default shrunk to fit (the environment's default
 * always leaves room). */
static int fit_perf_record(struct argp_state *state, struct options *o)
{
	unsigned long room = ET_PERF_ROOM(o->json ? o->ancestors : 0), env = o->env ? o->env_bytes : 0;

	if (env + 1024 > room)
		fail(state, "--env-bytes is at most %luK with --perf-buffer (a perf record holds 64K)",
		     (room - 1024) >> 10);
	if (o->argv_bytes > room - env) {
		if (o->argv_bytes_set)
			fail(state,
			     "--argv-bytes is at most %luK with --perf-buffer (a perf record holds 64K%s)",
			     (room - env) >> 10, env ? ", the environment included" : "");
		o->argv_bytes = room - env;
	}
	return 0;
}

/* The pattern of -n or -l into *m, replacing one given before. */
static int compile_pattern(struct argp_state *state, struct matcher **m, const char *pattern,
			   const char *flag)
{
	char msg[320];
	int err;

	matcher_free(*m);
	err = matcher_new(m, pattern, msg, sizeof(msg));
	if (err == -EINVAL)
		fail(state, "invalid regex for %s '%s': %s", flag, pattern, msg);
	if (err)
		fail(state, "cannot compile the regex for %s '%s': %s", flag, pattern, strerror(-err));
	return 0;
}

static int parse_opt(int key, char *arg, struct argp_state *state)
{
	struct options *o = state->input;
	unsigned long v;

	switch (key) {
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP & ~ARGP_HELP_EXIT_OK);
		o->help = true;
		return 0;
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE);
		o->help = true;
		return 0;
	case 'V':
		o->version = true;
		return 0;
	case 'j':
		o->json = true;
		break;
	case 'T':
		o->clock_time = true;
		break;
	case 't':
		o->elapsed_time = true;
		break;
	case 'U':
		o->print_uid = true;
		break;
	case 'q':
		o->quote = true;
		break;
	case 'x':
		o->fails = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	case OPT_PERF_BUFFER:
		o->perf_buffer = true;
		break;
	case OPT_FORKS:
		o->forks = true;
		break;
	case OPT_EXITS:
		o->exits = true;
		break;
	case OPT_USER:
		o->run_user = arg;
		break;
	case OPT_TREE:
		o->tree = true;
		break;
	case OPT_TREE_EXPAND:
		o->tree = o->tree_expand = true;
		break;
	case OPT_HTML:
		o->html = arg;
		break;
	case OPT_PERFETTO:
		o->perfetto = arg;
		break;
	case 'o':
		o->output = arg;
		break;
	case 'c':
		o->cgroup = arg;
		break;
	case OPT_CGROUPMAP:
		o->cgroupmap = arg;
		break;
	case OPT_MNTNSMAP:
		o->mntnsmap = arg;
		break;
	case 'd':
		if (parse_seconds(arg, 1e-9, 1e9, &o->duration))
			fail(state, "invalid duration '%s': give a positive number of seconds", arg);
		break;
	case 'u':
		if (!parse_number(arg, 0, UINT_MAX - 1, false, &v))
			o->uid = v;
		else if (user_id(arg, &o->uid))
			fail(state, "unknown user '%s' (give a number for users not in /etc/passwd)", arg);
		o->filter_uid = true;
		break;
	case 'n':
		return compile_pattern(state, &o->name_match, arg, "-n");
	case 'l':
		return compile_pattern(state, &o->line_match, arg, "-l");
	case OPT_MAX_ARGS:
		if (parse_number(arg, 1, INT_MAX, false, &v))
			fail(state, "invalid --max-args '%s': give a whole number of at least 1", arg);
		o->max_args = (long)v;
		break;
	case OPT_ARGV_BYTES:
		if (parse_number(arg, 1, ET_ARGV_CAP, true, &v))
			fail(state,
			     "invalid --argv-bytes '%s': give a size from 1 to 1M (K and M suffixes allowed)",
			     arg);
		o->argv_bytes = v;
		o->argv_bytes_set = true;
		break;
	case OPT_BUFFER_SIZE:
		if (parse_number(arg, 4096, 1UL << 30, true, &v))
			fail(state,
			     "invalid --buffer-size '%s': give a size from 4K to 1G (K, M, G suffixes "
			     "allowed)",
			     arg);
		o->buffer_size = v;
		break;
	case OPT_COUNT:
		if (PARSE_NAMES(arg, count_keys, &o->count_fields))
			fail(state, "invalid --count '%s': give keys among uid, comm, pid, ppid, exe, cgroup",
			     arg);
		break;
	case OPT_CONTEXT:
		if (parse_context(arg, &o->context_groups))
			fail(state,
			     "invalid --context '%s': give groups among ids, session, tty, cwd, cgroup, ns, "
			     "caps, or all or none",
			     arg);
		o->context_set = true;
		break;
	case OPT_INTERVAL:
		if (parse_seconds(arg, 0.1, 1e6, &o->interval))
			fail(state, "invalid --interval '%s': give a number of seconds, at least 0.1", arg);
		break;
	case OPT_TOP:
		if (parse_number(arg, 1, INT_MAX, false, &v))
			fail(state, "invalid --top '%s': give a whole number of at least 1", arg);
		o->top = (long)v;
		break;
	case OPT_CUMULATIVE:
		o->cumulative = true;
		break;
	case OPT_MAX_KEYS:
		if (parse_number(arg, 1, 1UL << 24, false, &v))
			fail(state, "invalid --max-keys '%s': give a whole number from 1 to 16777216", arg);
		o->max_keys = v;
		break;
	case OPT_ANCESTORS:
		if (parse_number(arg, 0, ET_ANCESTORS_MAX, false, &v))
			fail(state, "invalid --ancestors '%s': give a whole number from 0 to %d", arg,
			     ET_ANCESTORS_MAX);
		o->ancestors = v;
		o->ancestors_set = true;
		break;
	case OPT_ENV:
		if (arg && !valid_env_names(arg))
			fail(state,
			     "invalid --env '%s': give variable names separated by commas, without '=' "
			     "(--env=PATH,HOME)",
			     arg);
		o->env = true;
		o->env_names = arg;
		break;
	case OPT_ENV_BYTES:
		if (parse_number(arg, 1, ET_ENV_CAP, true, &v))
			fail(state,
			     "invalid --env-bytes '%s': give a size from 1 to 1M (K and M suffixes allowed)",
			     arg);
		o->env_bytes = v;
		o->env_bytes_set = true;
		break;
	case OPT_METRICS:
		if (parse_listen(arg, &o->metrics_addr, &o->metrics_addr_len))
			fail(
			    state,
			    "invalid --metrics '%s': give PORT, IPV4:PORT or [IPV6]:PORT (numeric, port 1 to "
			    "65535)",
			    arg);
		o->metrics = true;
		break;
	case OPT_METRICS_LABELS:
		if (PARSE_NAMES(arg, metrics_labels, &o->metrics_labels))
			fail(state,
			     "invalid --metrics-labels '%s': give labels among comm, user, exe, cgroup, "
			     "container",
			     arg);
		break;
	case OPT_METRICS_MAX_SERIES:
		if (parse_number(arg, 1, 1000000, false, &v))
			fail(state,
			     "invalid --metrics-max-series '%s': give a whole number from 1 to 1000000", arg);
		o->metrics_max_series = v;
		break;
	case ARGP_KEY_ARG:
		/* "-- CMD ARG...": the rest is the command, options of its own included. */
		if (state->next >= 2 && !strcmp(state->argv[state->next - 2], "--")) {
			o->command = &state->argv[state->next - 1];
			state->next = state->argc;
			return 0;
		}
		/* "--env PATH": argp takes an optional argument only after '='. */
		if (state->next >= 2 && !strcmp(state->argv[state->next - 2], "--env"))
			fail(state, "unexpected argument '%s': name variables as --env=%s", arg, arg);
		fail(state, "unexpected argument '%s' (see --help)", arg);
	case ARGP_KEY_END:
		if (o->context_set && (!o->json || o->count_fields))
			fail(state, "--context chooses the fields of JSON exec records: it goes with -j");
		if (!o->count_fields && (o->interval || o->top >= 0 || o->cumulative))
			fail(state, "--interval, --top and --cumulative go with --count");
		if (o->count_fields && (o->forks || o->exits))
			fail(state,
			     "--forks and --exits add records to the trace; --count counts execs only");
		if (o->count_fields && (o->name_match || o->line_match))
			fail(state,
			     "-n and -l select printed execs; with --count, filter with -u or --cgroup");
		if (o->env_bytes_set && !o->env)
			fail(state, "--env-bytes goes with --env");
		if ((o->env || o->ancestors_set) && (!o->json || o->count_fields))
			fail(state,
			     "--env and --ancestors add to JSON exec records: use them with -j, without "
			     "--count");
		if (!o->metrics && (o->metrics_labels || o->metrics_max_series))
			fail(state, "--metrics-labels and --metrics-max-series go with --metrics");
		if (!o->metrics_labels)
			o->metrics_labels = METRICS_L_COMM;
		if (!o->metrics_max_series)
			o->metrics_max_series = DEFAULT_MAX_SERIES;
		o->pictures = o->tree || o->html || o->perfetto;
		if (o->count_fields && o->pictures)
			fail(state,
			     "--tree, --html and --perfetto draw the traced processes; --count counts execs "
			     "only");
		o->records = !o->count_fields && (!o->metrics || o->json || o->output);
		if (!o->records && !o->count_fields && o->pictures)
			fail(state,
			     "--tree, --html and --perfetto are drawn from records: with --metrics, add -j "
			     "or -o");
		if ((o->html && o->perfetto && !strcmp(o->html, o->perfetto)) ||
		    (o->output && ((o->html && !strcmp(o->output, o->html)) ||
				   (o->perfetto && !strcmp(o->output, o->perfetto)))))
			fail(state, "--html, --perfetto and -o each need a file of their own");
		/* A picture shows how each process started and ended, and what failed. */
		if (o->pictures)
			o->forks = o->exits = o->fails = true;
		if (!o->records && !o->count_fields && (o->forks || o->exits))
			fail(state, "--forks and --exits add records: with --metrics, add -j or -o");
		if (!o->records && !o->count_fields && (o->name_match || o->line_match))
			fail(state, "-n and -l select printed execs: with --metrics alone nothing is printed "
				    "(add -j or -o)");
		if (o->run_user && !o->command)
			fail(state, "--user goes with a command (-- CMD)");
		if (o->command && (o->filter_uid || o->cgroup || o->cgroupmap || o->mntnsmap))
			fail(state,
			     "-u, --cgroup, --cgroupmap and --mntnsmap choose processes system-wide; with "
			     "-- CMD the command's tree is traced (select records with -n or -l)");
		/* Command mode's records show how the tree forked and ended; count mode and --metrics alone
		 * follow the tree all the same. */
		if (o->command && o->records)
			o->forks = o->exits = true;
		if (o->perf_buffer)
			return fit_perf_record(state, o);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

enum options_result options_parse(int argc, char **argv, struct options *o)
{
	static const struct argp argp = {.options = opts, .parser = parse_opt, .doc = doc};
	char *argv0 = argv[0];
	int err;

	memset(o, 0, sizeof(*o));
	o->max_args = -1;
	o->argv_bytes = ET_ARGV_DEFAULT;
	o->buffer_size = DEFAULT_BUFFER_SIZE;
	o->top = -1;
	o->max_keys = DEFAULT_MAX_KEYS;
	o->context_groups = CONTEXT_DEFAULT;
	o->ancestors = ET_ANCESTORS_DEFAULT;
	o->env_bytes = ET_ENV_DEFAULT;
	/* Messages start "exectrace:", however the program was invoked. */
	argv[0] = "exectrace";
	err = argp_parse(&argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP, NULL, o);
	argv[0] = argv0;
	if (err) {
		options_free(o);
		return OPTIONS_ERROR;
	}
	if (o->help) {
		options_free(o);
		return OPTIONS_EXIT;
	}
	if (o->version) {
		options_free(o);
		return OPTIONS_VERSION;
	}
	return OPTIONS_OK;
}

void options_free(struct options *o)
{
	matcher_free(o->name_match);
	matcher_free(o->line_match);
	o->name_match = o->line_match = NULL;
}

const char *options_until(const struct options *o)
{
	if (o->command)
		return "; until the command ends";
	return o->duration > 0 ? "" : "; Ctrl-C to stop";
}
