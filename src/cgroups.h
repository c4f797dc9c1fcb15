/* cgroup v2 ids (what the kernel counts by) to paths (what people read). */
#ifndef CGROUPS_H
#define CGROUPS_H

/* The path of the cgroup with this id under the cgroup v2 mount, or NULL. An id met for the first time is
 * named through its file handle (which needs CAP_DAC_READ_SEARCH); where that cannot be done, it makes the
 * tree be read again, at most once per call to cgroups_refresh_allowed(). A cgroup v2 id is never reused
 * during a boot, nor is its cgroup renamed: a path once found stays right. */
const char *cgroup_path(unsigned long long id);
/* Allows one more re-read of the tree (once per interval: cgroups come and go). */
void cgroups_refresh_allowed(void);
void cgroups_free(void);

#endif
