// SPDX-License-Identifier: GPL-2.0
/* Count mode's maps, read without losing a count: see "Count mode" in docs/design.md. */
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "count_maps.h"

long long count_maps_drain(const struct count_maps *m, tracer_count_fn fn, void *ctx)
{
	enum { BATCH = 256 };
	unsigned int old = __atomic_load_n(m->gen, __ATOMIC_RELAXED);
	struct et_count_key keys[BATCH];
	struct et_count_value values[BATCH];
	__u64 batch = 0;
	bool first = true;
	int fd = m->fd[old & 1], err;

	__atomic_store_n(m->gen, old + 1, __ATOMIC_SEQ_CST);
	/* A global membarrier is an RCU grace period: every program that chose the old map has returned.
	 * Where it is refused (nohz_full), wait far longer than a program runs. */
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(50000);
	do {
		__u32 n = BATCH;

		err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &batch, &batch, keys, values, &n,
						      NULL);
		if (err && errno != ENOENT)
			return -errno;
		for (__u32 i = 0; i < n; i++)
			fn(ctx, &keys[i], &values[i]);
		first = false;
	} while (!err);
	return (long long)__atomic_exchange_n(&m->overflow[old & 1], 0, __ATOMIC_SEQ_CST);
}

int count_maps_exe_name(const struct count_maps *m, const struct et_exe_id *id, struct et_exe_name *name)
{
	if (bpf_map_lookup_elem(m->names_fd, id, name))
		return -ENOENT;
	if (name->len > ET_PATH_MAX)
		name->len = ET_PATH_MAX;
	return 0;
}
