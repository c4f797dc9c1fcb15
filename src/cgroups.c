// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <stddef.h>
#include <stdbool.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroups.h"

/* A cgroup v2 directory's inode number is its cgroup id. */
struct cgroup {
	unsigned long long id;
	char *path;
};

struct table {
	struct cgroup *cgroups;
	size_t n, cap;
};

static struct table known;
static bool may_refresh = true;
static char *root;
/* Naming a cgroup by its id alone: the mount's root, opened, and the type of its file handles, whose 8 bytes
 * are the id. 0: not tried yet; -1: not possible here (then the tree is read). */
static int root_fd = -1;
static int handle_type;
/* The last one found, in known: execs come in runs from one cgroup. */
static unsigned long long last_id;
static const char *last_path;

static char *find_root(void)
{
	FILE *f = setmntent("/proc/mounts", "re");
	const struct mntent *m;
	char *path = NULL;

	if (!f)
		return NULL;
	while (!path && (m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2"))
			path = strdup(m->mnt_dir);
	endmntent(f);
	return path;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->cgroups[i].path);
	free(t->cgroups);
	*t = (struct table){0};
}

/* The copy of path in the table, or NULL when out of memory. */
static const char *add(struct table *t, unsigned long long id, const char *path)
{
	char *copy;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		struct cgroup *c = realloc(t->cgroups, cap * sizeof(*c));

		if (!c)
			return NULL;
		t->cgroups = c;
		t->cap = cap;
	}
	copy = strdup(path);
	if (!copy)
		return NULL;
	t->cgroups[t->n++] = (struct cgroup){.id = id, .path = copy};
	return copy;
}

/* rel is the path below the mount: "/" for the root cgroup, as /proc/PID/cgroup shows it. */
static void scan(struct table *t, int dirfd, char *rel, size_t len, size_t size)
{
	DIR *d = fdopendir(dirfd);
	const struct dirent *e;
	struct stat st;

	if (!d) {
		close(dirfd);
		return;
	}
	if (!fstat(dirfd, &st))
		add(t, st.st_ino, len ? rel : "/");
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		int fd;

		if (e->d_type != DT_DIR || e->d_name[0] == '.' || len + n + 2 > size)
			continue;
		fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		rel[len] = '/';
		memcpy(rel + len + 1, e->d_name, n + 1);
		scan(t, fd, rel, len + n + 1, size);
		rel[len] = '\0';
	}
	closedir(d);
}

/* A file handle on the cgroup v2 mount: its 8 bytes (f_handle) are the cgroup id. */
struct cgroup_handle {
	struct file_handle fh;
	unsigned char id[sizeof(unsigned long long)];
};
_Static_assert(offsetof(struct cgroup_handle, id) == offsetof(struct file_handle, f_handle),
	       "the id must be the handle's bytes");

/* Whether a file handle on the cgroup v2 mount is the cgroup id (kernfs's, as the root's shows), and
 * open_by_handle_at is allowed (CAP_DAC_READ_SEARCH): then an id names its cgroup at once. */
static bool handles_usable(void)
{
	struct cgroup_handle h = {.fh.handle_bytes = sizeof(h.id)};
	unsigned long long id;
	struct stat st;
	int mount_id;

	if (handle_type)
		return handle_type > 0;
	handle_type = -1;
	if (!root)
		root = find_root();
	if (!root)
		return false;
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return false;
	if (!fstat(root_fd, &st) && !name_to_handle_at(root_fd, "", &h.fh, &mount_id, AT_EMPTY_PATH) &&
	    h.fh.handle_bytes == sizeof(id)) {
		int fd = -1;

		memcpy(&id, h.id, sizeof(id));
		if (id == st.st_ino)
			fd = open_by_handle_at(root_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			handle_type = h.fh.handle_type;
			return true;
		}
	}
	close(root_fd);
	root_fd = -1;
	return false;
}

/* The path of the cgroup with this id, named through its file handle, added to the table; NULL when it is
 * gone or cannot be named so. */
static const char *by_handle(unsigned long long id)
{
	struct cgroup_handle h = {.fh.handle_bytes = sizeof(h.id)};
	char link[64], path[4096];
	size_t rlen;
	ssize_t n;
	int fd;

	if (!handles_usable())
		return NULL;
	h.fh.handle_type = handle_type;
	memcpy(h.id, &id, sizeof(id));
	fd = open_by_handle_at(root_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	path[n] = '\0';
	/* The link is the path from this process's root: the part below the mount, as the tree walk names it.
	 */
	rlen = strcmp(root, "/") ? strlen(root) : 0;
	if (strncmp(path, root, rlen) != 0 || (path[rlen] && path[rlen] != '/'))
		return NULL;
	return add(&known, id, path[rlen] ? path + rlen : "/");
}

/* Reads the tree into a new table, then replaces the old one. */
static void refresh(void)
{
	struct table fresh = {0};
	int fd;

	if (!root)
		root = find_root();
	if (!root)
		return;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		char rel[4096] = "";

		scan(&fresh, fd, rel, 0, sizeof(rel));
	}
	table_free(&known);
	known = fresh;
	last_path = NULL;
}

static const char *find(unsigned long long id)
{
	for (size_t i = 0; i < known.n; i++)
		if (known.cgroups[i].id == id)
			return known.cgroups[i].path;
	return NULL;
}

const char *cgroup_path(unsigned long long id)
{
	const char *path;

	if (last_path && last_id == id)
		return last_path;
	path = find(id);
	if (!path)
		path = by_handle(id);
	/* The tree is read only where handles cannot name a cgroup: a handle that names nothing means the
	 * cgroup is gone. */
	if (!path && handle_type < 0 && may_refresh) {
		may_refresh = false;
		refresh();
		path = find(id);
	}
	if (path) {
		last_id = id;
		last_path = path;
	}
	return path;
}

void cgroups_refresh_allowed(void)
{
	may_refresh = true;
}

void cgroups_free(void)
{
	table_free(&known);
	last_path = NULL;
	free(root);
	root = NULL;
	may_refresh = true;
	if (root_fd >= 0)
		close(root_fd);
	root_fd = -1;
	handle_type = 0;
}
