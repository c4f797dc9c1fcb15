/* Kernel timestamps (CLOCK_BOOTTIME) to wall-clock text. */
#ifndef TIMEFMT_H
#define TIMEFMT_H

#include <stddef.h>

#include <time.h>

/* The clock's time now, in nanoseconds. */
long long clock_now_ns(clockid_t id);
/* Offset to add to a CLOCK_BOOTTIME stamp to get CLOCK_REALTIME, measured now. */
long long boot_to_real_offset_ns(void);
/* RFC 3339, UTC, nanoseconds: 2026-11-25T10:00:00.123456789Z */
int format_rfc3339(char *buf, size_t size, long long real_ns);
/* HH:MM:SS, local time (execsnoop's -T). */
int format_clock(char *buf, size_t size, long long real_ns);

#endif
