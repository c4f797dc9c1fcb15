/* Count mode's kernel maps: two that alternate, so that one is read while the programs write the other. */
#ifndef COUNT_MAPS_H
#define COUNT_MAPS_H

#include "exectrace.h"

struct count_maps {
	int fd[2];		      /* counts0, counts1 */
	int names_fd;		      /* exe_names: the path of each counted binary */
	unsigned int *gen;	      /* the programs' count_gen, mapped: which map they add to */
	unsigned long long *overflow; /* the programs' count_overflow[2], mapped */
};

typedef void (*tracer_count_fn)(void *ctx, const struct et_count_key *key,
				const struct et_count_value *value);
/* Hands fn every count the kernel added since the last call, and clears them, losing none that arrive
 * meanwhile. Returns the execs whose key did not fit the map, or <0 on error. */
long long count_maps_drain(const struct count_maps *m, tracer_count_fn fn, void *ctx);
/* The path of a binary counted under ET_KEY_EXE; 0, or -ENOENT when it is no longer known. */
int count_maps_exe_name(const struct count_maps *m, const struct et_exe_id *id, struct et_exe_name *name);

#endif
