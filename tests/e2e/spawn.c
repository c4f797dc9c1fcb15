// SPDX-License-Identifier: GPL-2.0
/*
 * Makes the execs the end-to-end tests check and that a script cannot make itself:
 * argc == 0, execveat on a memfd or a directory fd, exec from a non-leader thread,
 * after setuid, inside a new pid namespace, under an argv-rewriting thread, bursts, a failing execve with
 * millions of arguments, an exec that fails before one that succeeds in the same process, and a chain of
 * processes; and the exits of exit records: exit_group from a non-leader thread, a leader that ends before
 * its last thread, a busy loop, a known peak of resident memory; and a program on a pseudo-terminal that is
 * its controlling terminal. Each mode prints what the test needs to know (pids, the terminal) on stdout
 * before it execs.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
	fprintf(stderr, "spawn: %s: %s\n", what, strerror(errno));
	exit(127);
}

static void say(const char *fmt, long v)
{
	printf(fmt, v);
	fflush(stdout);
}

static int mode_argc0(char **args)
{
	char *none[] = {NULL};

	execve(args[0], none, environ);
	die("execve");
	return 1;
}

/* Copies a binary into a memfd named NAME and runs it with no path at all. */
static int mode_memfd(char **args)
{
	int src = open(args[0], O_RDONLY), fd = memfd_create(args[1], MFD_CLOEXEC);
	struct stat st;
	char *argv[] = {args[1], args[2], NULL};

	if (src < 0 || fd < 0 || fstat(src, &st))
		die("memfd setup");
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(fd, src, NULL, st.st_size - done);

		if (n <= 0)
			die("sendfile");
		done += n;
	}
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	die("execveat");
	return 1;
}

/* execveat(dirfd, relative path): the kernel sees "/dev/fd/N/<rel>", we must report <rel>. */
static int mode_dirfd(char **args)
{
	int dfd = open(args[0], O_RDONLY | O_DIRECTORY);
	char *argv[] = {args[1], args[2], NULL};

	if (dfd < 0)
		die("open dir");
	syscall(SYS_execveat, dfd, args[1], argv, environ, 0);
	die("execveat");
	return 1;
}

static char **thread_args;

static void *exec_from_thread(void *unused)
{
	(void)unused;
	say("tid %ld\n", syscall(SYS_gettid));
	execv(thread_args[0], thread_args);
	die("execv");
	return NULL;
}

static int mode_thread(char **args)
{
	pthread_t t;

	thread_args = args;
	say("pid %ld\n", getpid());
	if (pthread_create(&t, NULL, exec_from_thread, NULL))
		die("pthread_create");
	pause(); /* the exec replaces the whole process */
	return 1;
}

static int mode_setuid(char **args)
{
	long uid = strtol(args[0], NULL, 10);

	if (setgid(uid) || setuid(uid))
		die("setuid");
	execv(args[1], args + 1);
	die("execv");
	return 1;
}

/* The child is pid 1 in its namespace; the tracer must report its host pid, printed here. */
static int mode_pidns(char **args)
{
	pid_t child;
	int status;

	if (unshare(CLONE_NEWPID))
		die("unshare");
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		execv(args[0], args);
		die("execv");
	}
	say("child %ld\n", child);
	waitpid(child, &status, 0);
	return 0;
}

static volatile int racing = 1;
static char race_arg[] = "AAAAAAAAAAAAAAAA";

static void *flip_arg(void *unused)
{
	(void)unused;
	while (racing)
		for (char *p = race_arg; *p; p++)
			*p = *p == 'A' ? 'B' : 'A';
	return NULL;
}

/* Another thread keeps rewriting argv while this one execs: what ran must be what is reported. */
static int mode_race(char **args)
{
	pthread_t t;
	char *argv[] = {args[0], args[1], race_arg, NULL};

	if (pthread_create(&t, NULL, flip_arg, NULL))
		die("pthread_create");
	execv(args[0], argv);
	die("execv");
	return 1;
}

/* Execs itself N more times: N + 1 execs under one pid. */
static int mode_chain(char **args)
{
	long n = strtol(args[0], NULL, 10);
	char left[24];
	char *argv[] = {"spawn", "chain", left, NULL};

	if (n <= 0)
		return 0;
	snprintf(left, sizeof(left), "%ld", n - 1);
	execv("/proc/self/exe", argv);
	die("execv");
	return 1;
}

static int mode_burst(char **args)
{
	long n = strtol(args[0], NULL, 10);

	for (long i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (!p) {
			execv(args[1], args + 1);
			_exit(127);
		}
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}

/* Prints the ids the process runs with, as the kernel gave them at exec (a setuid binary changes the
 * effective ones). */
static int mode_ids(char **args)
{
	(void)args;
	printf("uid %u euid %u gid %u egid %u\n", getuid(), geteuid(), getgid(), getegid());
	return 0;
}

/* execv(MISSING) fails, then the same process execs PATH ARGS...: one failed and one successful exec. */
static int mode_retry(char **args)
{
	char *argv[] = {args[0], NULL};

	execv(args[0], argv);
	say("errno %ld\n", errno);
	execv(args[1], args + 1);
	die("execv");
	return 1;
}

/* The bottom of mode_nest's chain: waits for SIGUSR1, then execs /bin/true AFTER. */
static int nest_bottom(char *after)
{
	char *argv[] = {"/bin/true", after, NULL};
	sigset_t usr1;
	int sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, NULL) || sigwait(&usr1, &sig))
		die("sigwait");
	execv(argv[0], argv);
	die("execv");
	return 1;
}

/*
 * A chain of processes, each the child of the one before: at depth N > 0 the process forks a child that execs
 * "spawn nest N-1 MARKER AFTER" and waits for it; at depth 0 it waits for SIGUSR1, then execs /bin/true
 * AFTER.
 */
static int mode_nest(char **args)
{
	long n = strtol(args[0], NULL, 10);
	pid_t child;

	if (n <= 0)
		return nest_bottom(args[2]);
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		char left[24];
		char *argv[] = {"spawn", "nest", left, args[1], args[2], NULL};

		snprintf(left, sizeof(left), "%ld", n - 1);
		execv("/proc/self/exe", argv);
		die("execv");
	}
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* Waits for a signal: a live process whose /proc/PID/exe the test can read. */
static int mode_pause(char **args)
{
	(void)args;
	pause();
	return 0;
}

/* Runs PROGRAM ARGS... in a new session whose controlling terminal is a new pseudo-terminal (its stdin and
 * stdout too); prints the terminal's path first, and exits with the program's status. */
static int mode_pty(char **args)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), status;
	char name[64];
	pid_t child;

	if (master < 0 || grantpt(master) || unlockpt(master) || ptsname_r(master, name, sizeof(name)))
		die("pty setup");
	printf("%s\n", name);
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		int slave;

		close(master);
		if (setsid() < 0 || (slave = open(name, O_RDWR | O_NOCTTY)) < 0 ||
		    ioctl(slave, TIOCSCTTY, 0) || dup2(slave, 0) < 0 || dup2(slave, 1) < 0)
			die("pty child");
		if (slave > 1)
			close(slave);
		execv(args[0], args);
		die("execv");
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	close(master);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static long exit_code_arg;

static void *sleeper(void *unused)
{
	(void)unused;
	pause();
	return NULL;
}

static void *group_exiter(void *unused)
{
	(void)unused;
	usleep(100000);
	syscall(SYS_exit_group, exit_code_arg);
	return NULL;
}

/* Three threads: two that sleep, one that calls exit_group(CODE) while the leader sleeps too. */
static int mode_group_exit(char **args)
{
	pthread_t t;

	exit_code_arg = strtol(args[0], NULL, 10);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, sleeper, NULL))
			die("pthread_create");
	if (pthread_create(&t, NULL, group_exiter, NULL))
		die("pthread_create");
	pause();
	return 1;
}

static void *last_exiter(void *unused)
{
	(void)unused;
	usleep(100000);
	syscall(SYS_exit, exit_code_arg);
	return NULL;
}

/* The leader ends first (exit, not exit_group), then the last thread with exit(CODE): the process's status is
 * the leader's, 0. */
static int mode_leader_exit(char **args)
{
	pthread_t t;

	exit_code_arg = strtol(args[0], NULL, 10);
	if (pthread_create(&t, NULL, last_exiter, NULL))
		die("pthread_create");
	syscall(SYS_exit, 0);
	return 1;
}

/* Spins until it has used SECONDS of CPU time. */
static int mode_busy(char **args)
{
	long long want = (long long)(strtod(args[0], NULL) * 1e9), used;
	struct timespec ts;

	do {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		used = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	} while (used < want);
	return 0;
}

/* Allocates MIB mebibytes and touches each page: a known peak resident size. */
static int mode_touch(char **args)
{
	size_t n = (size_t)strtol(args[0], NULL, 10) << 20;
	volatile char *p = malloc(n);

	if (!p)
		die("malloc");
	for (size_t i = 0; i < n; i += 4096)
		p[i] = 1;
	free((void *)p);
	return 0;
}

/*
 * execve(PATH, argv) of N empty arguments then MARKER, which fails (PATH is missing): prints the median time
 * the failing syscall took over ROUNDS tries, in microseconds. The work a tracer does at the syscall's exit
 * is inside that time.
 */
/* execve(path, argv, envp) ROUNDS times, failing each time: prints the median and longest time it took. */
static int time_failing(const char *path, char **argv, char **envp, long rounds)
{
	long long *us = calloc(rounds > 0 ? rounds : 1, sizeof(*us));

	if (!us || rounds <= 0)
		die("timing setup");
	for (long r = 0; r < rounds; r++) {
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		execve(path, argv, envp); /* returns only when it fails, as it must here */
		clock_gettime(CLOCK_MONOTONIC, &b);
		us[r] = (b.tv_sec - a.tv_sec) * 1000000LL + (b.tv_nsec - a.tv_nsec) / 1000;
		/* Insertion sort: rounds are few. */
		for (long k = r; k > 0 && us[k - 1] > us[k]; k--) {
			long long t = us[k];

			us[k] = us[k - 1];
			us[k - 1] = t;
		}
	}
	printf("errno %d median_us %lld max_us %lld\n", errno, us[rounds / 2], us[rounds - 1]);
	free(us);
	return 0;
}

static int mode_hugeargv(char **args)
{
	long n = strtol(args[1], NULL, 10);
	char **argv = calloc(n + 3, sizeof(*argv));
	int ret;

	if (!argv || n < 0)
		die("hugeargv setup");
	argv[0] = args[0];
	for (long i = 1; i <= n; i++)
		argv[i] = "";
	argv[n + 1] = args[2];
	ret = time_failing(args[0], argv, environ, strtol(args[3], NULL, 10));
	free(argv);
	return ret;
}

/* The same with an environment of N empty strings: execve(PATH, {PATH, MARKER}, {"", ...}). */
static int mode_hugeenv(char **args)
{
	long n = strtol(args[1], NULL, 10);
	char **envp = calloc(n + 1, sizeof(*envp));
	char *argv[] = {args[0], args[2], NULL};
	int ret;

	if (!envp || n < 0)
		die("hugeenv setup");
	for (long i = 0; i < n; i++)
		envp[i] = "";
	ret = time_failing(args[0], argv, envp, strtol(args[3], NULL, 10));
	free(envp);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int nargs;
		int (*run)(char **args);
	} modes[] = {
	    {"argc0", 1, mode_argc0},
	    {"memfd", 3, mode_memfd},
	    {"dirfd", 3, mode_dirfd},
	    {"thread", 1, mode_thread},
	    {"setuid", 2, mode_setuid},
	    {"pidns", 1, mode_pidns},
	    {"race", 2, mode_race},
	    {"burst", 2, mode_burst},
	    {"chain", 1, mode_chain},
	    {"hugeargv", 4, mode_hugeargv},
	    {"pause", 1, mode_pause},
	    {"ids", 1, mode_ids},
	    {"retry", 2, mode_retry},
	    {"nest", 3, mode_nest},
	    {"hugeenv", 4, mode_hugeenv},
	    {"group_exit", 1, mode_group_exit},
	    {"leader_exit", 1, mode_leader_exit},
	    {"busy", 1, mode_busy},
	    {"touch", 1, mode_touch},
	    {"pty", 1, mode_pty},
	};

	for (size_t i = 0; argc > 1 && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(argv[1], modes[i].name)) {
			if (argc - 2 < modes[i].nargs) {
				fprintf(stderr, "spawn: %s needs %d arguments\n", argv[1], modes[i].nargs);
				return 2;
			}
			return modes[i].run(argv + 2);
		}
	fprintf(
	    stderr,
	    "usage: spawn "
	    "argc0|memfd|dirfd|thread|setuid|pidns|race|burst|chain|hugeargv|pause|ids|retry|nest|hugeenv|"
	    "group_exit|leader_exit|busy|touch|pty ARGS...\n");
	return 2;
}
