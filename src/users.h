/* User names and ids from /etc/passwd: a static binary cannot load the NSS modules getpwnam needs. */
#ifndef USERS_H
#define USERS_H

#include <stddef.h>
#include <sys/types.h>

/* 0 and *uid set, or -1 when no such user is listed. */
int user_id(const char *name, uid_t *uid);
/* The name of uid, or NULL; cached, so cheap to call for every row of every interval. */
const char *user_name(uid_t uid);
void users_free(void);

#endif
