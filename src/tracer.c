// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "exectrace.h"
#include "exectrace.skel.h"
#include "kernel.h"
#include "tracer.h"

struct tracer {
	struct exectrace_bpf *skel;
	struct transport *transport; /* NULL in count mode */
	struct count_maps counts;
	bool ring;		  /* the transport: ring buffer, or perf buffer */
	unsigned long argv_limit; /* --argv-bytes, within what the transport carries */
	unsigned int ancestors;	  /* per record at most: --ancestors with -j, else 0 */
	unsigned long env_limit;  /* --env-bytes with --env, within what the transport carries; else 0 */
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return vfprintf(stderr, fmt, args);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level, (void)fmt, (void)args;
	return 0;
}

/* Root, or CAP_BPF with CAP_PERFMON (CAP_SYS_ADMIN before 5.8): say which is missing before trying. */
static int check_privileges(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return 0; /* cannot tell: let the load say */
#define HAS(cap) (data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap))
	if (HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON)))
		return 0;
#undef HAS
	fprintf(stderr, "exectrace: not enough privileges: run as root, or with CAP_BPF and CAP_PERFMON "
			"(CAP_SYS_ADMIN on kernels before 5.8)\n");
	return -EPERM;
}

/* Classic tracepoints (the failed-exec pair) are found by the id file of each under tracefs: mount it where
 * it is missing, and say which file this user cannot read (the effective ids and capabilities decide).
 * Mounting needs CAP_SYS_ADMIN, which the service lacks: the error says who should mount it instead. */
static int ensure_tracefs(const char *who)
{
	static const char *const ids[] = {
	    "syscalls/sys_enter_execve/id",
	    "syscalls/sys_enter_execveat/id",
	    "syscalls/sys_exit_execve/id",
	    "syscalls/sys_exit_execveat/id",
	};
	/* Where libbpf looks: debugfs's tracing directory when it can see one, else tracefs. */
	bool debugfs = !faccessat(AT_FDCWD, "/sys/kernel/debug/tracing", F_OK, AT_EACCESS);
	const char *dir = debugfs ? "/sys/kernel/debug/tracing" : "/sys/kernel/tracing";
	char path[128];
	int err;

	snprintf(path, sizeof(path), "%s/events", dir);
	if (!debugfs && faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) && errno == ENOENT &&
	    mount("tracefs", dir, "tracefs", 0, NULL) && errno != EBUSY) {
		err = errno;
		fprintf(
		    stderr,
		    "exectrace: %s needs tracefs, which is not mounted, and mounting it on %s failed: %s; "
		    "mount it as root first (mount -t tracefs tracefs %s; systemd's sys-kernel-tracing.mount "
		    "does at boot)\n",
		    who, dir, strerror(err), dir);
		return -err;
	}
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/%s", dir, ids[i]);
		if (!faccessat(AT_FDCWD, path, R_OK, AT_EACCESS))
			continue;
		err = errno;
		if (err == ENOENT)
			fprintf(
			    stderr,
			    "exectrace: %s needs the syscall tracepoints, and this kernel has none (%s is "
			    "missing: CONFIG_FTRACE_SYSCALLS)\n",
			    who, path);
		else
			fprintf(stderr, "exectrace: %s needs read access to tracefs (%s): %s\n", who, path,
				strerror(err));
		return -err;
	}
	return 0;
}

/* execsnoop's pinned filter maps: what the BPF program looks up in them. */
struct pinned_filter {
	const char *flag; /* the option that names it */
	const char *what; /* what its keys are, in words */
	__u32 value_size; /* execsnoop's value type: u64 for cgroups, u32 for mount namespaces */
};

static const struct pinned_filter cgroupmap_shape = {"--cgroupmap", "cgroup", 8};
static const struct pinned_filter mntnsmap_shape = {"--mntnsmap", "mount namespace", 4};

/* The program looks up a u64 it holds on its stack: with keys of another size the lookup would compare other
 * bytes than the id, and other map types filter wrongly or fail the load with a bare "Permission denied". */
static int check_pinned(int fd, const char *path, const struct pinned_filter *pf)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char link[64], target[32] = "";
	const char *type;

	/* A pinned program or link opens as well, and its info would read as a map's: tell by the fd's inode
	 * (where /proc cannot say, the map checks below still run). */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if (readlink(link, target, sizeof(target) - 1) > 0 && strcmp(target, "anon_inode:bpf-map") != 0) {
		fprintf(
		    stderr,
		    "exectrace: '%s' is not a BPF map (%s): %s needs a hash map with 8-byte keys (%s ids) "
		    "and %u-byte values\n",
		    path, target, pf->flag, pf->what, pf->value_size);
		return -EINVAL;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		int err = -errno;

		fprintf(stderr, "exectrace: cannot inspect pinned %s map '%s': %s\n", pf->what, path,
			strerror(-err));
		return err;
	}
	if (info.type == BPF_MAP_TYPE_HASH && info.key_size == 8 && info.value_size == pf->value_size)
		return 0;
	type = libbpf_bpf_map_type_str(info.type);
	if (!type)
		type = "unknown"; /* newer than this libbpf */
	fprintf(stderr,
		"exectrace: '%s' is a%s %s map with %u-byte keys and %u-byte values: %s needs a hash map "
		"with 8-byte keys (%s ids) and %u-byte values\n",
		path, strchr("aeiou", type[0]) ? "n" : "", type, info.key_size, info.value_size, pf->flag,
		pf->what, pf->value_size);
	return -EINVAL;
}

/* Puts the user's pinned filter map (execsnoop's --cgroupmap/--mntnsmap) in place of ours. */
static int use_pinned(struct bpf_map *map, const char *path, const struct pinned_filter *pf)
{
	struct statfs fs;
	int fd, err;

	if (!statfs(path, &fs) && fs.f_type != BPF_FS_MAGIC) {
		fprintf(stderr, "exectrace: '%s' is not a pinned %s map (not on a BPF filesystem)\n", path,
			pf->what);
		return -EINVAL;
	}
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "exectrace: cannot open pinned %s map '%s': %s\n", pf->what, path,
			strerror(errno));
		return -errno;
	}
	err = check_pinned(fd, path, pf);
	if (!err && bpf_map__reuse_fd(map, fd)) {
		fprintf(stderr, "exectrace: cannot use '%s' as a %s map\n", path, pf->what);
		err = -EINVAL;
	}
	close(fd); /* reuse_fd keeps its own copy */
	return err;
}

/* Whether sched_process_exit passes group_dead (the thread that ends its group) after the task: newer kernels
 * declare it so. From the kernel's BTF, since the program may read that argument only where it exists. */
static bool exit_passes_group_dead(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	bool yes = false;
	int id;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (t)
		t = btf__type_by_id(btf, t->type); /* the pointer */
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(btf, t->type); /* the prototype: (void *, task, group_dead) */
	if (t && btf_is_func_proto(t) && btf_vlen(t) >= 3)
		yes = true;
	btf__free(btf);
	return yes;
}

/* Where the perf buffer is used for want of a ring buffer (options fit --perf-buffer's own limits): argv and
 * the environment share what a perf sample has room for. */
static void fit_perf_sample(struct tracer *t)
{
	unsigned long room = ET_PERF_ROOM(t->ancestors);

	if (t->env_limit > room / 2)
		t->env_limit = room / 2;
	if (t->argv_limit > room - t->env_limit)
		t->argv_limit = room - t->env_limit;
}

static int configure(struct tracer *t, const struct options *o, int *cgroup_fd)
{
	struct exectrace_bpf *s = t->skel;
	unsigned int fields = tracer_count_fields(o);
	int ncpus = libbpf_num_possible_cpus();
	bool ring = t->ring;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	s->rodata->use_ringbuf = ring;
	/* Metrics count failed execs whether or not records show them. */
	s->rodata->track_failures = o->fails || o->metrics;
	s->rodata->trace_failures = o->fails;
	s->rodata->argv_limit = t->argv_limit;
	/* The pictures join an exec to its process by its exec identity, and show its working directory. */
	s->rodata->with_context = o->json || o->pictures;
	s->rodata->context_groups = (o->json ? o->context_groups : 0) | (o->pictures ? ET_CTX_CWD : 0);
	s->rodata->ancestors_max = t->ancestors;
	s->rodata->env_limit = t->env_limit;
	s->rodata->filter_uid = o->filter_uid;
	s->rodata->target_uid = o->uid;
	bpf_map__set_max_entries(s->maps.scratch, ncpus);
	/* Header, bad arguments, context, filename, exe and cwd regions, argv, ancestors, environment, and
	 * one chunk of slack for the last read. */
	s->rodata->scratch_size = sizeof(struct et_record) + ET_BAD_ARGS_SIZE + sizeof(struct et_context) +
				  3UL * ET_PATH_MAX + t->argv_limit +
				  t->ancestors * sizeof(struct et_ancestor) + t->env_limit + ET_CHUNK;
	bpf_map__set_value_size(s->maps.scratch, s->rodata->scratch_size);
	if (ring) {
		unsigned long size = round_pow2(o->buffer_size);

		bpf_map__set_max_entries(s->maps.events, size);
		/* Wake the reader early only when a burst could fill the buffer before its next poll. */
		s->rodata->wake_threshold = size / 4;
	}
	if (fields) {
		s->rodata->count_mode = true;
		s->rodata->count_fields = fields;
		s->rodata->count_and_trace = o->records;
		bpf_map__set_max_entries(s->maps.counts0, o->max_keys);
		bpf_map__set_max_entries(s->maps.counts1, o->max_keys);
		/* Paths are written once per binary; least recently used ones make room. */
		if (fields & ET_KEY_EXE)
			bpf_map__set_max_entries(s->maps.exe_names, 4096);
		if (ring && !o->records)
			bpf_map__set_max_entries(s->maps.events, sysconf(_SC_PAGESIZE)); /* unused */
	}
	s->rodata->page_size = sysconf(_SC_PAGESIZE);
	s->rodata->exit_group_dead = (o->exits || o->command) && exit_passes_group_dead();
	/* Off, the fork and exit programs are not even loaded: they cost nothing. A command's tree needs them
	 * to follow its processes. */
	bpf_program__set_autoload(s->progs.fork_done, o->forks || o->command);
	bpf_program__set_autoload(s->progs.exit_done, o->exits || o->command);
	if (o->command) {
		s->rodata->filter_traced = true;
		bpf_map__set_max_entries(s->maps.traced_tgids, TRACED_MAX);
	}
	if (!o->fails && !o->metrics) {
		bpf_program__set_autoload(s->progs.execve_enter, false);
		bpf_program__set_autoload(s->progs.execveat_enter, false);
		bpf_program__set_autoload(s->progs.execve_exit, false);
		bpf_program__set_autoload(s->progs.execveat_exit, false);
		bpf_map__set_max_entries(s->maps.pending, 1);
	} else if (fields && !(o->records && o->fails)) {
		/* Failed execs counted but not recorded are counted at the syscall's exit, with no pending
		 * entry. */
		bpf_program__set_autoload(s->progs.execve_enter, false);
		bpf_program__set_autoload(s->progs.execveat_enter, false);
		bpf_map__set_max_entries(s->maps.pending, 1);
	}
	if (o->cgroup) {
		*cgroup_fd = open(o->cgroup, O_RDONLY | O_DIRECTORY);
		if (*cgroup_fd < 0) {
			fprintf(stderr, "exectrace: cannot open cgroup '%s': %s\n", o->cgroup,
				strerror(errno));
			return -errno;
		}
		s->rodata->filter_cgroup = true;
	}
	if (o->cgroupmap) {
		int err = use_pinned(s->maps.cgroupmap, o->cgroupmap, &cgroupmap_shape);

		if (err)
			return err;
		s->rodata->filter_cgroupmap = true;
	}
	if (o->mntnsmap) {
		int err = use_pinned(s->maps.mntnsmap, o->mntnsmap, &mntnsmap_shape);

		if (err)
			return err;
		s->rodata->filter_mntnsmap = true;
	}
	return 0;
}

unsigned int tracer_count_fields(const struct options *o)
{
	unsigned int fields = o->count_fields;

	if (!o->metrics)
		return fields;
	if (o->metrics_labels & METRICS_L_COMM)
		fields |= ET_KEY_COMM;
	if (o->metrics_labels & METRICS_L_USER)
		fields |= ET_KEY_UID;
	if (o->metrics_labels & METRICS_L_EXE)
		fields |= ET_KEY_EXE;
	if (o->metrics_labels & (METRICS_L_CGROUP | METRICS_L_CONTAINER))
		fields |= ET_KEY_CGROUP;
	return fields;
}

/* Runs note_root once: see reader_root_dentry in the BPF program. */
static int note_root(struct tracer *t)
{
	struct bpf_test_run_opts opts = {.sz = sizeof(opts)};

	if (bpf_prog_test_run_opts(bpf_program__fd(t->skel->progs.note_root), &opts)) {
		fprintf(stderr, "exectrace: cannot note exectrace's own root: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

int tracer_open(struct tracer **out, const struct options *o, tracer_record_fn fn, void *ctx)
{
	struct tracer *t;
	int err, cgroup_fd = -1, key = 0;

	libbpf_set_print(o->verbose ? libbpf_print : libbpf_quiet);
	err = kernel_check_btf("/sys/kernel/btf/vmlinux");
	if (!err)
		err = check_privileges();
	/* After the privilege check: without it the probe's load fails, which it takes for a yes. */
	if (!err)
		err = kernel_check_bpf_loop(
		    libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop, NULL));
	if (!err && (o->fails || o->metrics))
		/* --metrics counts failed execs at the syscall's exit, a classic tracepoint too. */
		err = ensure_tracefs(o->fails ? "-x" : "--metrics (counting failed execs)");
	if (err)
		return err;
	t = calloc(1, sizeof(*t));
	if (!t) {
		fprintf(stderr, "exectrace: out of memory\n");
		return -ENOMEM;
	}
	t->skel = exectrace_bpf__open();
	if (!t->skel) {
		err = -errno;
		fprintf(stderr, "exectrace: cannot open the BPF object: %s\n", strerror(errno));
		goto fail;
	}
	/* Kernels before 5.8 have no ring buffer: the perf buffer carries the records there. */
	t->ring = !o->perf_buffer && libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	t->argv_limit = o->argv_bytes;
	t->ancestors = o->json && o->records ? o->ancestors : 0;
	t->env_limit = o->env ? o->env_bytes : 0;
	if (!t->ring)
		fit_perf_sample(t);
	if (!t->ring && !o->perf_buffer)
		fprintf(
		    stderr,
		    "exectrace: this kernel has no BPF ring buffer: using the perf buffer (argv up to %lu "
		    "bytes)\n",
		    t->argv_limit);
	err = configure(t, o, &cgroup_fd);
	if (err)
		goto fail;
	err = exectrace_bpf__load(t->skel);
	if (err) {
		char msg[128];

		libbpf_strerror(err, msg, sizeof(msg));
		fprintf(stderr, "exectrace: cannot load the BPF programs: %s%s\n", msg,
			o->verbose ? "" : " (run with -v for libbpf's log)");
		goto fail;
	}
	err = note_root(t);
	if (err)
		goto fail;
	if (cgroup_fd >= 0 &&
	    bpf_map_update_elem(bpf_map__fd(t->skel->maps.cgroup_filter), &key, &cgroup_fd, 0)) {
		err = -errno;
		fprintf(stderr,
			"exectrace: cannot filter on cgroup '%s': %s (is it a cgroup v2 directory?)\n",
			o->cgroup, strerror(errno));
		goto fail;
	}
	if (tracer_count_fields(o)) {
		struct exectrace_bpf__bss *bss = t->skel->bss;

		t->counts = (struct count_maps){
		    .fd = {bpf_map__fd(t->skel->maps.counts0), bpf_map__fd(t->skel->maps.counts1)},
		    .names_fd = bpf_map__fd(t->skel->maps.exe_names),
		    .gen = &bss->count_gen,
		    .overflow = bss->counters.count_overflow,
		};
	}
	if (o->records) {
		struct transport_config tc = {
		    .ring = t->ring,
		    .ring_fd = bpf_map__fd(t->skel->maps.events),
		    .perf_fd = bpf_map__fd(t->skel->maps.perf_events),
		    .buffer_size = o->buffer_size,
		    .asleep = &t->skel->bss->reader_asleep,
		    .warm_prog_fd = t->ring ? bpf_program__fd(t->skel->progs.warm_ring) : -1,
		};

		err = transport_open(&t->transport, &tc, fn, ctx);
		if (err)
			goto fail;
	}
	err = exectrace_bpf__attach(t->skel);
	if (err) {
		fprintf(stderr, "exectrace: cannot attach the BPF programs: %s\n", strerror(-err));
		goto fail;
	}
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	*out = t;
	return 0;
fail:
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	tracer_close(t);
	return err;
}

int tracer_trace_pid(struct tracer *t, pid_t pid)
{
	__u32 key = pid;
	__u8 yes = 1;

	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.traced_tgids), &key, &yes, BPF_ANY)) {
		fprintf(stderr, "exectrace: cannot trace the command's process: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

unsigned long tracer_traced_count(const struct tracer *t)
{
	int fd = bpf_map__fd(t->skel->maps.traced_tgids);
	unsigned long n = 0;
	__u32 key, next;

	for (void *at = NULL; !bpf_map_get_next_key(fd, at, &next); at = &key, n++)
		key = next;
	return n;
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	return transport_poll(t->transport, timeout_ms);
}

unsigned long long tracer_lost(const struct tracer *t)
{
	const struct et_counters *c = &t->skel->bss->counters;

	return __atomic_load_n(&c->lost, __ATOMIC_RELAXED) +
	       __atomic_load_n(&c->lost_pending, __ATOMIC_RELAXED);
}

const char *tracer_transport(const struct tracer *t)
{
	return t->ring ? "ring buffer" : "perf buffer";
}

unsigned long tracer_argv_limit(const struct tracer *t)
{
	return t->argv_limit;
}

const struct count_maps *tracer_count_maps(const struct tracer *t)
{
	return &t->counts;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	transport_free(t->transport);
	exectrace_bpf__destroy(t->skel);
	free(t);
}
