// SPDX-License-Identifier: GPL-2.0
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "users.h"

struct user {
	uid_t uid;
	char *name;
};

static struct user *users;
static size_t nusers;
static int loaded; /* 1: loaded, -1: could not be read */

int user_id(const char *name, uid_t *uid)
{
	FILE *f = fopen("/etc/passwd", "re");
	const struct passwd *pw;
	int err = -1;

	if (!f)
		return -1;
	while ((pw = fgetpwent(f)))
		if (!strcmp(pw->pw_name, name)) {
			*uid = pw->pw_uid;
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

static void load(void)
{
	FILE *f = fopen("/etc/passwd", "re");
	const struct passwd *pw;
	size_t cap = 0;

	loaded = -1;
	if (!f)
		return;
	while ((pw = fgetpwent(f))) {
		if (nusers == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct user *u = realloc(users, ncap * sizeof(*u));

			if (!u)
				break;
			users = u;
			cap = ncap;
		}
		users[nusers].name = strdup(pw->pw_name);
		if (!users[nusers].name)
			break;
		users[nusers++].uid = pw->pw_uid;
	}
	fclose(f);
	loaded = 1;
}

const char *user_name(uid_t uid)
{
	if (!loaded)
		load();
	for (size_t i = 0; i < nusers; i++)
		if (users[i].uid == uid)
			return users[i].name;
	return NULL;
}

void users_free(void)
{
	for (size_t i = 0; i < nusers; i++)
		free(users[i].name);
	free(users);
	users = NULL;
	nusers = 0;
	loaded = 0;
}
