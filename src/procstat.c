// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "procstat.h"

/* The boot time in seconds since the epoch (/proc/stat's btime). */
static int boot_time(unsigned long long *btime)
{
	FILE *f = fopen("/proc/stat", "re");
	char line[256];
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %llu", btime) == 1)
			found = 0;
	fclose(f);
	return found;
}

static int count_fds(unsigned long long *n)
{
	DIR *d = opendir("/proc/self/fd");
	const struct dirent *e;

	if (!d)
		return -1;
	*n = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			(*n)++;
	closedir(d);
	/* The directory's own descriptor was listed. */
	if (*n)
		(*n)--;
	return 0;
}

int procstat_read(struct procstat *p)
{
	char buf[1024];
	unsigned long utime, stime, vsize;
	unsigned long long start, btime;
	long rss, ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct rlimit rl;
	FILE *f = fopen("/proc/self/stat", "re");
	const char *after;
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* Fields from the third on follow the command name's closing parenthesis. */
	after = strrchr(buf, ')');
	if (!after || ticks <= 0 || page <= 0 ||
	    sscanf(after + 2,
		   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d %llu %lu %ld",
		   &utime, &stime, &start, &vsize, &rss) != 5 ||
	    boot_time(&btime) || count_fds(&p->open_fds) || getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	p->cpu_seconds = (double)(utime + stime) / (double)ticks;
	p->start_time_seconds = (double)btime + (double)start / (double)ticks;
	p->virtual_bytes = vsize;
	p->rss_bytes = (unsigned long long)rss * (unsigned long long)page;
	p->max_fds = rl.rlim_cur;
	return 0;
}
