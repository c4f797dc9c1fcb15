/* Command-line options: parsed and validated here, so the rest of the program trusts them. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include "exectrace.h"
#include "match.h"

/* The context groups JSON shows unless --context says otherwise, chosen by their cost (docs/output.md). */
#define CONTEXT_DEFAULT	      (ET_CTX_ALL & ~ET_CTX_CAPS)
#define CONTEXT_DEFAULT_NAMES "all but caps"

struct options {
	bool help;		     /* -h was given: the help is printed */
	bool version;		     /* -V: the version is to be printed */
	bool json;		     /* -j: one JSON object per line */
	unsigned int context_groups; /* --context: ET_CTX_* groups on JSON exec records */
	bool context_set;
	bool clock_time;   /* -T: HH:MM:SS column */
	bool elapsed_time; /* -t: seconds since start column */
	bool fails;	   /* -x: failed execs too */
	bool quote;	   /* -q: quote each argument */
	bool print_uid;	   /* -U: UID column */
	bool verbose;	   /* -v: libbpf's messages */
	bool perf_buffer;  /* force the perf buffer transport */
	bool forks;	   /* --forks: a record per new process */
	bool exits;	   /* --exits: a record per process that ends */
	bool filter_uid;
	uid_t uid;
	struct matcher *name_match, *line_match; /* -n on comm, -l on the arguments; NULL when not given */
	long max_args;				 /* --max-args, -1 for all */
	unsigned long argv_bytes;		 /* --argv-bytes */
	bool argv_bytes_set;
	unsigned long buffer_size; /* --buffer-size: ring buffer, or each CPU's perf buffer */
	double duration;	   /* -d seconds, 0 for until interrupted */
	const char *output;	   /* -o FILE */
	const char *cgroup;	   /* --cgroup: a cgroup v2 directory */
	const char *cgroupmap;	   /* --cgroupmap: pinned map of cgroup ids */
	const char *mntnsmap;	   /* --mntnsmap: pinned map of mount namespace ids */
	unsigned int count_fields; /* --count: ET_KEY_* bits; 0 when tracing */
	double interval;	   /* --interval seconds, 0 for once at exit */
	long top;		   /* --top N rows, -1 for all */
	bool cumulative;	   /* --cumulative: counts since the start, not per interval */
	unsigned long max_keys;	   /* --max-keys: size of the kernel's count map */
	/* Process lineage on JSON exec records */
	unsigned int ancestors; /* --ancestors: the most each record carries, 0 for none */
	bool ancestors_set;
	bool env;		 /* --env: the new program's environment */
	const char *env_names;	 /* --env=NAME,...: only these (comma-separated, validated); NULL for all */
	unsigned long env_bytes; /* --env-bytes */
	bool env_bytes_set;
	/* The Prometheus endpoint (--metrics) */
	bool metrics;
	struct sockaddr_storage metrics_addr; /* --metrics [ADDR:]PORT: loopback unless an address is given */
	socklen_t metrics_addr_len;
	unsigned int metrics_labels;	  /* --metrics-labels: METRICS_L_* bits */
	unsigned long metrics_max_series; /* --metrics-max-series */
	char **command;	      /* after "--": the command to start and trace (command mode); NULL otherwise */
	const char *run_user; /* --user: whom the command runs as; NULL for the sudo caller, or as is */
	bool records;	      /* records cross to user space: tracing, not count mode nor --metrics alone */
	/* The pictures drawn when the run ends (they turn on forks, exits and failed execs) */
	bool tree;	      /* --tree: a process tree on the output */
	bool tree_expand;     /* --tree-expand: every process on its own line */
	const char *html;     /* --html FILE: a timeline page */
	const char *perfetto; /* --perfetto FILE: a Perfetto trace */
	bool pictures;	      /* any of the three */
};

/* The labels --metrics-labels chooses from. */
enum metrics_label {
	METRICS_L_COMM = 1 << 0,
	METRICS_L_USER = 1 << 1,
	METRICS_L_EXE = 1 << 2,
	METRICS_L_CGROUP = 1 << 3,
	METRICS_L_CONTAINER = 1 << 4,
};

enum options_result {
	OPTIONS_OK,
	OPTIONS_EXIT,	 /* --help was shown: exit 0 */
	OPTIONS_VERSION, /* --version was given (and no --help): print it, exit 0 */
	OPTIONS_ERROR	 /* one line was printed to stderr */
};

enum options_result options_parse(int argc, char **argv, struct options *o);
void options_free(struct options *o);
/* The end of the ready line: how the run will end (-d, the command, or Ctrl-C). */
const char *options_until(const struct options *o);

#endif
