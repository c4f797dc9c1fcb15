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

static struct cgroup *cgroups;
static size_t ncgroups, cap;
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

static void add(unsigned long long id, const char *path)
{
	char *copy;

	if (ncgroups == cap) {
		size_t ncap = cap ? 2 * cap : 256;
		struct cgroup *c = realloc(cgroups, ncap * sizeof(*c));

		if (!c)
			return;
		cgroups = c;
		cap = ncap;
	}
	copy = strdup(path);
	if (!copy)
		return;
	cgroups[ncgroups++] = (struct cgroup){.id = id, .path = copy};
}

/* rel is the path below the mount: "/" for the root cgroup, as /proc/PID/cgroup shows it. */
static void scan(int dirfd, char *rel, size_t len, size_t size)
{
	DIR *d = fdopendir(dirfd);
	const struct dirent *e;
	struct stat st;

	if (!d) {
		close(dirfd);
		return;
	}
	if (!fstat(dirfd, &st))
		add(st.st_ino, len ? rel : "/");
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
		scan(fd, rel, len + n + 1, size);
		rel[len] = '\0';
	}
	closedir(d);
}

static void refresh(void)
{
	char rel[4096] = "";
	int fd;

	for (size_t i = 0; i < ncgroups; i++)
		free(cgroups[i].path);
	ncgroups = 0;
	if (!root)
		root = find_root();
	if (!root)
		return;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		scan(fd, rel, 0, sizeof(rel));
}

const char *cgroup_path(unsigned long long id)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ncgroups; i++)
			if (cgroups[i].id == id)
				return cgroups[i].path;
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
	for (size_t i = 0; i < ncgroups; i++)
		free(cgroups[i].path);
	free(cgroups);
	free(root);
	cgroups = NULL;
	root = NULL;
	ncgroups = cap = 0;
	may_refresh = true;
}
