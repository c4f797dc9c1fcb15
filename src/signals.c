// SPDX-License-Identifier: GPL-2.0
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
