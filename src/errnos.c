// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "errnos.h"

const char *error_name(int err, char *buf, size_t size)
{
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, size, "E%d", err);
	return buf;
}
