/* cgroup v2 ids (what the kernel counts by) to paths (what people read). */
#ifndef CGROUPS_H
#define CGROUPS_H

/* The path of the cgroup with this id under the cgroup v2 mount, or NULL. An unknown id makes the tree be
 * read again, at most once per call to cgroups_refresh_allowed(). */
const char *cgroup_path(unsigned long long id);
/* Allows one more re-read of the tree (once per interval: cgroups come and go). */
void cgroups_refresh_allowed(void);
void cgroups_free(void);

#endif
