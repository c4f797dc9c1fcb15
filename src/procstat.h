/* The exporter's own process_* metrics, from /proc/self. */
#ifndef PROCSTAT_H
#define PROCSTAT_H

struct procstat {
	double cpu_seconds;	   /* user and system */
	double start_time_seconds; /* since the epoch */
	unsigned long long rss_bytes, virtual_bytes;
	unsigned long long open_fds, max_fds;
};

/* 0, or -1 when /proc could not be read. */
int procstat_read(struct procstat *p);

#endif
