// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "signals.h"

const char *signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "SIG%d", sig);
	return buf;
}

int signal_number(const char *name, size_t len)
{
	char buf[16];

	/* signal_name's names fit in its 16 bytes: a longer one is none of them. */
	if (len < 4 || len >= sizeof(buf) || memcmp(name, "SIG", 3) != 0)
		return 0;
	for (int sig = 1; sig < NSIG; sig++) {
		signal_name(sig, buf, sizeof(buf));
		if (strlen(buf) == len && memcmp(buf, name, len) == 0)
			return sig;
	}
	return 0;
}
