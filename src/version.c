// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "build_version.h"
#include "version.h"

int version_print(FILE *f)
{
	/* libbpf's version as linked, which a dynamic build takes from the system at run time. */
	fprintf(f, "exectrace %s\ncommit %s\nlibbpf %u.%u\n", EXECTRACE_VERSION, EXECTRACE_COMMIT,
		libbpf_major_version(), libbpf_minor_version());
	if (fflush(f) || ferror(f)) {
		fprintf(stderr, "exectrace: writing the version failed: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
