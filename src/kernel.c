// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kernel.h"

int kernel_check_release(const char *release)
{
	int major, minor;

	if (sscanf(release, "%d.%d", &major, &minor) != 2)
		return 0; /* unknown: the load will say */
	if (major > KERNEL_MIN_MAJOR || (major == KERNEL_MIN_MAJOR && minor >= KERNEL_MIN_MINOR))
		return 0;
	fprintf(stderr, "exectrace: kernel %s is too old: exectrace needs %d.%d or later\n", release,
		KERNEL_MIN_MAJOR, KERNEL_MIN_MINOR);
	return -ENOTSUP;
}

int kernel_check_btf(const char *btf_file, const char *kernel_btf)
{
	if (btf_file) {
		if (!access(btf_file, R_OK))
			return 0;
		fprintf(stderr, "exectrace: cannot read BTF file '%s': %s\n", btf_file, strerror(errno));
		return -errno;
	}
	if (!access(kernel_btf, R_OK))
		return 0;
	fprintf(
	    stderr,
	    "exectrace: this kernel has no BTF (%s): it needs CONFIG_DEBUG_INFO_BTF=y, or give a BTF file "
	    "with --btf\n",
	    kernel_btf);
	return -ENOTSUP;
}
