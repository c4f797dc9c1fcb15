// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "command.h"
#include "timefmt.h"

#define MAX_GROUPS 256

/* Whom the command runs as: --user, else the sudo caller, else exectrace's own ids. */
struct identity {
	bool drop;
	uid_t uid;
	gid_t gid;
	gid_t groups[MAX_GROUPS];
	int ngroups;
	/* From /etc/passwd, for HOME, USER and LOGNAME; "" for an id it does not list (then left as they are)
	 */
	char login[256], home[PATH_MAX];
};

/* /etc/passwd by name or number, read directly: a static binary cannot load the NSS modules getpwnam needs.
 */
static int find_user(const char *name, uid_t uid, struct identity *id, char *login, size_t size)
{
	FILE *f = fopen("/etc/passwd", "re");
	const struct passwd *pw;
	int err = -1;

	if (!f)
		return -1;
	while ((pw = fgetpwent(f)))
		if (name ? !strcmp(pw->pw_name, name) : pw->pw_uid == uid) {
			id->uid = pw->pw_uid;
			id->gid = pw->pw_gid;
			snprintf(login, size, "%s", pw->pw_name);
			snprintf(id->home, sizeof(id->home), "%s", pw->pw_dir);
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

/* The user's groups as getgrouplist gives them from files: the primary one, and each that lists the login. */
static void find_groups(struct identity *id, const char *login)
{
	FILE *f = fopen("/etc/group", "re");
	const struct group *gr;

	id->groups[0] = id->gid;
	id->ngroups = 1;
	if (!f || !*login) {
		if (f)
			fclose(f);
		return;
	}
	while ((gr = fgetgrent(f)) && id->ngroups < MAX_GROUPS)
		for (char **m = gr->gr_mem; m && *m; m++)
			if (!strcmp(*m, login) && gr->gr_gid != id->gid) {
				id->groups[id->ngroups++] = gr->gr_gid;
				break;
			}
	fclose(f);
}

static int parse_id(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || !*s || *end || *s == '-' ? -1 : 0;
}

static int choose_identity(const struct options *o, struct identity *id)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	char login[256] = "";
	unsigned long v, g;

	memset(id, 0, sizeof(*id));
	if (o->run_user) {
		if (find_user(o->run_user, 0, id, login, sizeof(login)) &&
		    (parse_id(o->run_user, &v) || (id->uid = v, id->gid = v, false))) {
			fprintf(stderr, "exectrace: unknown user '%s' for --user\n", o->run_user);
			return -1;
		}
		if (!*login)
			find_user(NULL, id->uid, id, login, sizeof(login));
	} else if (getuid() == 0 && su && sg) {
		if (parse_id(su, &v) || parse_id(sg, &g)) {
			fprintf(stderr, "exectrace: SUDO_UID '%s' or SUDO_GID '%s' is not a number\n", su,
				sg);
			return -1;
		}
		find_user(NULL, v, id, login, sizeof(login));
		id->uid = v;
		id->gid = g;
	} else {
		return 0;
	}
	id->drop = true;
	snprintf(id->login, sizeof(id->login), "%s", login);
	find_groups(id, login);
	return 0;
}

/* The file execvp would run for name: the first regular file of that name along PATH that the user may
 * execute; NULL when the name has a '/' or none is found. Looked for with stat and access, which the trace
 * does not see, rather than by trying an exec in each directory, which it would show as failed execs of the
 * command. */
static const char *find_program(const char *name, char *buf, size_t size)
{
	const char *p = getenv("PATH");
	struct stat st;

	if (!*name || strchr(name, '/'))
		return NULL;
	if (!p)
		p = "/bin:/usr/bin"; /* execvp's own when PATH is unset */
	for (;;) {
		size_t len = strcspn(p, ":");
		/* An empty entry is the working directory. */
		int n = snprintf(buf, size, "%.*s%s%s", (int)len, p, len ? "/" : "", name);

		if (n > 0 && (size_t)n < size && !stat(buf, &st) && S_ISREG(st.st_mode) && !access(buf, X_OK))
			return buf;
		if (!p[len])
			return NULL;
		p += len + 1;
	}
}

/* In the child: waits to be released, becomes the user, execs. Reports a failure's errno on err_fd. */
static void __attribute__((noreturn)) run_child(int go_fd, int err_fd, char **argv, const struct identity *id)
{
	char go, buf[PATH_MAX];
	const char *program;
	int err;

	if (read(go_fd, &go, 1) != 1)
		_exit(127); /* exectrace gave up before tracing began */
	close(go_fd);
	/* As login(1) and sudo -i set them: tools keep their caches and settings in the user's own home. */
	if (id->drop && ((*id->login && (setenv("HOME", id->home, 1) || setenv("USER", id->login, 1) ||
					 setenv("LOGNAME", id->login, 1))) ||
			 setgroups(id->ngroups, id->groups) || setgid(id->gid) || setuid(id->uid))) {
		err = errno;
		if (write(err_fd, &err, sizeof(err)) < 0)
			_exit(126);
		_exit(126);
	}
	program = find_program(argv[0], buf, sizeof(buf));
	if (program)
		execv(program, argv);
	/* Not found, or not run as is (a script without "#!", which execvp gives to sh): execvp decides. */
	execvp(argv[0], argv);
	err = errno;
	if (write(err_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(err == ENOENT ? 127 : 126);
}

int command_start(struct command *c, const struct options *o)
{
	struct identity id;
	int go[2], err[2];

	c->pid = 0;
	c->go_fd = c->err_fd = -1;
	c->reaped = false;
	c->argv0 = o->command[0];
	if (choose_identity(o, &id))
		return -1;
	if (pipe2(go, O_CLOEXEC))
		goto fail;
	if (pipe2(err, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		goto fail;
	}
	c->pid = fork();
	if (c->pid == 0) {
		close(go[1]);
		close(err[0]);
		run_child(go[0], err[1], o->command, &id);
	}
	close(go[0]);
	close(err[1]);
	if (c->pid < 0) {
		close(go[1]);
		close(err[0]);
		c->pid = 0;
		goto fail;
	}
	c->go_fd = go[1];
	c->err_fd = err[0];
	return 0;
fail:
	fprintf(stderr, "exectrace: cannot start the command: %s\n", strerror(errno));
	return -1;
}

int command_release(struct command *c)
{
	char go = 1;
	int err = 0;
	ssize_t n;

	c->released_ns = clock_now_ns(CLOCK_BOOTTIME);
	n = write(c->go_fd, &go, 1);
	close(c->go_fd);
	c->go_fd = -1;
	if (n != 1) {
		fprintf(stderr, "exectrace: cannot release the command: %s\n", strerror(errno));
		return 127;
	}
	/* Closed by the exec (close-on-exec), or written by a failure. */
	do
		n = read(c->err_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(c->err_fd);
	c->err_fd = -1;
	if (n != sizeof(err))
		return 0;
	fprintf(stderr, "exectrace: cannot run '%s': %s\n", c->argv0, strerror(err));
	return err == ENOENT ? 127 : 126;
}

bool command_ended(struct command *c)
{
	if (!c->reaped && c->pid > 0 && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->reaped = true;
	return c->reaped;
}

int command_wait(struct command *c)
{
	if (c->pid <= 0)
		return 1;
	if (c->go_fd >= 0) {
		close(c->go_fd); /* the held child gives up */
		c->go_fd = -1;
	}
	if (c->err_fd >= 0) {
		close(c->err_fd);
		c->err_fd = -1;
	}
	while (!c->reaped) {
		if (waitpid(c->pid, &c->status, 0) == c->pid)
			c->reaped = true;
		else if (errno != EINTR)
			return 1;
	}
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return WEXITSTATUS(c->status);
}

void command_signal(const struct command *c, int sig)
{
	if (c->pid > 0 && !c->reaped)
		kill(c->pid, sig);
}
