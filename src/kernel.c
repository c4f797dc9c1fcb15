// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "kernel.h"

int kernel_check_btf(const char *kernel_btf)
{
	if (!access(kernel_btf, R_OK))
		return 0;
	fprintf(stderr, "exectrace: this kernel has no BTF (%s): it needs CONFIG_DEBUG_INFO_BTF=y\n",
		kernel_btf);
	return -ENOTSUP;
}

int kernel_check_bpf_loop(int probed)
{
	if (probed)
		return 0;
	fprintf(
	    stderr,
	    "exectrace: this kernel lacks the bpf_loop BPF helper (Linux 5.17 or later, or a backport, is "
	    "needed)\n");
	return -ENOTSUP;
}
