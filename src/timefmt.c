// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <time.h>
#include "timefmt.h"

long long clock_now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long boot_to_real_offset_ns(void)
{
	/* Bracket the boot clock read so the offset's error is half the gap, not all of it. */
	long long b1 = clock_now_ns(CLOCK_BOOTTIME), real = clock_now_ns(CLOCK_REALTIME),
		  b2 = clock_now_ns(CLOCK_BOOTTIME);

	return real - (b1 + (b2 - b1) / 2);
}

int format_rfc3339(char *buf, size_t size, long long real_ns)
{
	time_t sec = real_ns / 1000000000LL;
	struct tm tm;
	size_t n;

	if (!gmtime_r(&sec, &tm))
		return -1;
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!n || snprintf(buf + n, size - n, ".%09lldZ", real_ns % 1000000000LL) >= (int)(size - n))
		return -1;
	return 0;
}

int format_clock(char *buf, size_t size, long long real_ns)
{
	time_t sec = real_ns / 1000000000LL;
	struct tm tm;

	if (!localtime_r(&sec, &tm) || !strftime(buf, size, "%H:%M:%S", &tm))
		return -1;
	return 0;
}
