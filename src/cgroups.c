// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
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

static void add(struct table *t, unsigned long long id, const char *path)
{
	char *copy;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		struct cgroup *c = realloc(t->cgroups, cap * sizeof(*c));

		if (!c)
			return;
		t->cgroups = c;
		t->cap = cap;
	}
	copy = strdup(path);
	if (!copy)
		return;
	t->cgroups[t->n++] = (struct cgroup){.id = id, .path = copy};
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
}

const char *cgroup_path(unsigned long long id)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < known.n; i++)
			if (known.cgroups[i].id == id)
				return known.cgroups[i].path;
		if (pass || !may_refresh)
			break;
		may_refresh = false;
		refresh();
	}
	return NULL;
}

void cgroups_refresh_allowed(void)
{
	may_refresh = true;
}

void cgroups_free(void)
{
	table_free(&known);
	free(root);
	root = NULL;
	may_refresh = true;
}
