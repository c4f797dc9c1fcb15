// SPDX-License-Identifier: GPL-2.0
/*
 * storm: an exec storm for the benchmark. W worker processes each fork and exec TARGET in a loop for D
 * seconds and count the execs that happened: a child whose exec failed exits 127, TARGET exits 0, so a child
 * that exits 0 is one exec made. argv[1] of every exec is a marker unique to it, PREFIX-W-N (worker W, its
 * Nth exec), so a tracer's records of the storm's own execs can be counted exactly. At the end one JSON line
 * goes to stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What each worker sends back through the result pipe: small enough for one atomic write. */
struct result {
	uint64_t execs;
	uint64_t failed;
	uint64_t fork_errors;
	int64_t end_ns;
};

struct config {
	long workers;
	double duration;
	long nargs;
	long arg_bytes;
	long big_bytes;
	double rate;
	const char *prefix;
	bool stamp;
	const char *target;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: storm [-w WORKERS] [-d SECONDS] [-k ARGS] [-s BYTES] [-b BYTES] [-r RATE] [-m PREFIX]"
		" [-t] TARGET\n"
		"  -w  worker processes (default: one per online CPU)\n"
		"  -d  seconds to run (default 5)\n"
		"  -k  extra arguments per exec (default 0); argument i is BYTES times the letter 'a'+i%%26\n"
		"  -s  bytes per extra argument (default 100)\n"
		"  -b  one more argument of BYTES times 'Z' (default: none)\n"
		"  -r  execs per second for all workers together (default: as fast as they go)\n"
		"  -m  marker prefix (default XTB): argv[1] is PREFIX-W-N, unique per exec\n"
		"  -t  argv[2] is tNS, the CLOCK_MONOTONIC time in ns just before the exec\n"
		"Prints {\"execs\":...,\"failed\":...,\"seconds\":...,\"rate\":...} on stdout.\n");
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double min, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min))
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct config *c)
{
	int opt;

	while ((opt = getopt(argc, argv, "w:d:k:s:b:r:m:th")) != -1) {
		int err = 0;

		switch (opt) {
		case 'w':
			err = parse_long(optarg, 1, 4096, &c->workers);
			break;
		case 'd':
			err = parse_double(optarg, 0.001, &c->duration);
			break;
		case 'k':
			err = parse_long(optarg, 0, 100000, &c->nargs);
			break;
		case 's':
			err = parse_long(optarg, 0, 1 << 20, &c->arg_bytes);
			break;
		case 'b':
			err = parse_long(optarg, 0, 1 << 20, &c->big_bytes);
			break;
		case 'r':
			err = parse_double(optarg, 0.001, &c->rate);
			break;
		case 'm':
			c->prefix = optarg;
			break;
		case 't':
			c->stamp = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
		if (err) {
			fprintf(stderr, "storm: bad value for -%c: '%s'\n", opt, optarg);
			return -1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	c->target = argv[optind];
	return 0;
}

static char *filled(long len, char ch)
{
	char *s = malloc((size_t)len + 1);

	if (s) {
		memset(s, ch, (size_t)len);
		s[len] = '\0';
	}
	return s;
}

/* The argument vector every exec of this worker uses; the marker (and stamp) buffers are rewritten per exec.
 */
static char **build_argv(const struct config *c, char *marker, char *stamp)
{
	size_t n = 2 + (c->stamp ? 1 : 0) + (size_t)c->nargs + (c->big_bytes ? 1 : 0) + 1, i = 0;
	char **av = calloc(n, sizeof(*av));

	if (!av)
		return NULL;
	av[i++] = (char *)c->target;
	av[i++] = marker;
	if (c->stamp)
		av[i++] = stamp;
	for (long k = 0; k < c->nargs; k++) {
		av[i] = filled(c->arg_bytes, (char)('a' + k % 26));
		if (!av[i++])
			return NULL;
	}
	if (c->big_bytes) {
		av[i] = filled(c->big_bytes, 'Z');
		if (!av[i++])
			return NULL;
	}
	av[i] = NULL;
	return av;
}

static void sleep_until(int64_t t)
{
	struct timespec ts = {.tv_sec = (time_t)(t / 1000000000LL), .tv_nsec = (long)(t % 1000000000LL)};

	while (!stopping && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void worker(const struct config *c, long w, int64_t start, int64_t end, int out_fd)
{
	char marker[64 + 48], stamp[32] = "t0";
	char *envp[] = {NULL};
	char **av = build_argv(c, marker, stamp);
	struct result r = {0};
	/* With -r, worker w's execs are spaced W/RATE apart and the workers are staggered by 1/RATE. */
	int64_t step = c->rate > 0 ? (int64_t)((double)c->workers * 1e9 / c->rate) : 0;
	int64_t slot = start + (c->rate > 0 ? (int64_t)((double)w * 1e9 / c->rate) : 0);

	if (!av) {
		fprintf(stderr, "storm: out of memory\n");
		_exit(1);
	}
	for (uint64_t n = 0; !stopping; n++) {
		pid_t pid;
		int status;

		if (step) {
			if (slot >= end)
				break;
			sleep_until(slot);
			slot += step;
		}
		if (stopping || now_ns() >= end)
			break;
		snprintf(marker, sizeof(marker), "%s-%ld-%" PRIu64, c->prefix, w, n);
		pid = fork();
		if (pid < 0) {
			r.fork_errors++;
			usleep(1000);
			continue;
		}
		if (pid == 0) {
			/* The workers are single-threaded, so the child may format before it execs. */
			if (c->stamp)
				snprintf(stamp, sizeof(stamp), "t%" PRId64, now_ns());
			execve(c->target, av, envp);
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				status = -1;
				break;
			}
		}
		if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			r.execs++;
		else
			r.failed++;
	}
	r.end_ns = now_ns();
	if (write(out_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	struct config c = {.duration = 5, .arg_bytes = 100, .prefix = "XTB"};
	struct sigaction sa = {.sa_handler = on_signal};
	struct result total = {0};
	int64_t start, end, last = 0;
	int fds[2], status = 0;
	long started = 0, reported = 0;

	if (parse_args(argc, argv, &c))
		return 2;
	if (strlen(c.prefix) > 64) {
		fprintf(stderr, "storm: the marker prefix is limited to 64 bytes\n");
		return 2;
	}
	if (!c.workers) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		c.workers = n > 0 ? n : 1;
	}
	if (access(c.target, X_OK)) {
		fprintf(stderr, "storm: cannot execute '%s': %s\n", c.target, strerror(errno));
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (pipe(fds)) {
		perror("storm: pipe");
		return 1;
	}
	start = now_ns();
	end = start + (int64_t)(c.duration * 1e9);
	for (long w = 0; w < c.workers; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("storm: fork");
			stopping = 1;
			break;
		}
		if (pid == 0) {
			close(fds[0]);
			worker(&c, w, start, end, fds[1]);
		}
		started++;
	}
	close(fds[1]);
	for (;;) {
		struct result r;
		ssize_t got = read(fds[0], &r, sizeof(r));

		if (got < 0 && errno == EINTR)
			continue;
		if (got != (ssize_t)sizeof(r))
			break;
		total.execs += r.execs;
		total.failed += r.failed;
		total.fork_errors += r.fork_errors;
		if (r.end_ns > last)
			last = r.end_ns;
		reported++;
	}
	while (wait(&status) > 0 || errno == EINTR)
		;
	if (reported != c.workers || !last) {
		fprintf(stderr, "storm: %ld of %ld workers reported\n", reported, c.workers);
		return 1;
	}
	printf("{\"execs\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"fork_errors\":%" PRIu64
	       ",\"seconds\":%.6f,\"rate\":%.3f,\"workers\":%ld,\"interrupted\":%s}\n",
	       total.execs, total.failed, total.fork_errors, (double)(last - start) / 1e9,
	       (double)total.execs * 1e9 / (double)(last - start), started, stopping ? "true" : "false");
	return total.failed || total.fork_errors ? 1 : 0;
}
