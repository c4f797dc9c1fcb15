// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/membarrier.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "exectrace.h"
#include "exectrace.skel.h"
#include "kernel.h"
#include "tracer.h"

struct tracer {
	struct exectrace_bpf *skel;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	tracer_record_fn fn;
	void *ctx;
	int stop;		  /* fn's non-zero return, for the perf callback */
	bool ring;		  /* the transport: ring buffer, or perf buffer */
	unsigned long argv_limit; /* --argv-bytes, within what the transport carries */
	int batch_ms; /* records stream: look again after this long, without being woken; 0: asleep */
};

/*
 * A quiet reader sleeps until the first record wakes it (reader_asleep in the BPF program), so a record after
 * a quiet spell is printed at once. While records stream, the reader looks again after 1 ms, then 2, 4, ...
 * up to 64 ms, unwoken: a storm costs about 16 reads a second and no wakeup in the programs. The first look
 * that finds nothing puts it back to sleep.
 */
#define BATCH_FIRST_MS 1
#define BATCH_MAX_MS   64

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
 * it is missing, and say which file this user cannot read (the effective ids and capabilities decide). */
static int ensure_tracefs(void)
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
		fprintf(stderr, "exectrace: -x needs tracefs, and mounting it on %s failed: %s\n", dir,
			strerror(err));
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
			    "exectrace: -x needs the syscall tracepoints, and this kernel has none (%s is "
			    "missing: CONFIG_FTRACE_SYSCALLS)\n",
			    path);
		else
			fprintf(stderr, "exectrace: -x needs read access to tracefs (%s): %s\n", path,
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

static unsigned long round_pow2(unsigned long v)
{
	unsigned long p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static int on_ring_record(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	return t->fn(t->ctx, data, size);
}

struct perf_sample {
	struct perf_event_header header;
	__u32 size;
	char data[];
};

static enum bpf_perf_event_ret on_perf_event(void *ctx, int cpu, struct perf_event_header *e)
{
	struct tracer *t = ctx;

	(void)cpu;
	if (e->type == PERF_RECORD_SAMPLE) {
		const struct perf_sample *s = (const void *)e;

		t->stop = t->fn(t->ctx, s->data, s->size);
		return t->stop ? LIBBPF_PERF_EVENT_DONE : LIBBPF_PERF_EVENT_CONT;
	}
	/* PERF_RECORD_LOST repeats what the programs counted when their output failed (see emit). */
	return LIBBPF_PERF_EVENT_CONT;
}

static int configure(struct tracer *t, const struct options *o, int *cgroup_fd)
{
	struct exectrace_bpf *s = t->skel;
	int ncpus = libbpf_num_possible_cpus();
	bool ring = t->ring;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	s->rodata->use_ringbuf = ring;
	s->rodata->track_failures = o->fails;
	s->rodata->argv_limit = t->argv_limit;
	s->rodata->filter_uid = o->filter_uid;
	s->rodata->target_uid = o->uid;
	bpf_map__set_max_entries(s->maps.scratch, ncpus);
	/* Header, filename and exe regions, argv, and one chunk of slack for the last argv read. */
	bpf_map__set_value_size(s->maps.scratch,
				sizeof(struct et_record) + 2UL * ET_PATH_MAX + t->argv_limit + ET_CHUNK);
	if (ring) {
		unsigned long size = round_pow2(o->buffer_size);

		bpf_map__set_max_entries(s->maps.events, size);
		/* Wake the reader early only when a burst could fill the buffer before its next poll. */
		s->rodata->wake_threshold = size / 4;
	}
	if (o->count_fields) {
		s->rodata->count_mode = true;
		s->rodata->count_fields = o->count_fields;
		bpf_map__set_max_entries(s->maps.counts0, o->max_keys);
		bpf_map__set_max_entries(s->maps.counts1, o->max_keys);
		/* Paths are written once per binary; least recently used ones make room. */
		if (o->count_fields & ET_KEY_EXE)
			bpf_map__set_max_entries(s->maps.exe_names, 4096);
		if (ring)
			bpf_map__set_max_entries(s->maps.events, sysconf(_SC_PAGESIZE)); /* unused */
	}
	if (!o->fails) {
		bpf_program__set_autoload(s->progs.execve_enter, false);
		bpf_program__set_autoload(s->progs.execveat_enter, false);
		bpf_program__set_autoload(s->progs.execve_exit, false);
		bpf_program__set_autoload(s->progs.execveat_exit, false);
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

static int open_transport(struct tracer *t, const struct options *o)
{
	if (t->ring) {
		t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_ring_record, t, NULL);
		if (!t->rb) {
			fprintf(stderr, "exectrace: cannot open the ring buffer: %s\n", strerror(errno));
			return -errno;
		}
		return 0;
	}
	/* Wake the reader when a CPU's buffer is a quarter full, not per record. */
	long page = sysconf(_SC_PAGESIZE);
	size_t pages = round_pow2((o->buffer_size + page - 1) / page);
	struct perf_event_attr attr = {
	    .type = PERF_TYPE_SOFTWARE,
	    .config = PERF_COUNT_SW_BPF_OUTPUT,
	    .sample_type = PERF_SAMPLE_RAW,
	    .watermark = 1,
	    .wakeup_watermark = pages * page / 4,
	};

	t->pb = perf_buffer__new_raw(bpf_map__fd(t->skel->maps.perf_events), pages, &attr, on_perf_event, t,
				     NULL);
	if (!t->pb) {
		fprintf(stderr, "exectrace: cannot open the perf buffer: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Writes every page of the ring buffer once, then reads it through: see warm_ring in the BPF program. */
static int warm_ring(struct tracer *t)
{
	struct bpf_test_run_opts opts = {.sz = sizeof(opts)};

	if (bpf_prog_test_run_opts(bpf_program__fd(t->skel->progs.warm_ring), &opts) ||
	    ring_buffer__consume(t->rb) < 0) {
		fprintf(stderr, "exectrace: cannot prepare the ring buffer: %s\n", strerror(errno));
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
	if (!err && o->fails)
		err = ensure_tracefs();
	if (err)
		return err;
	t = calloc(1, sizeof(*t));
	if (!t) {
		fprintf(stderr, "exectrace: out of memory\n");
		return -ENOMEM;
	}
	t->fn = fn;
	t->ctx = ctx;
	t->skel = exectrace_bpf__open();
	if (!t->skel) {
		err = -errno;
		fprintf(stderr, "exectrace: cannot open the BPF object: %s\n", strerror(errno));
		goto fail;
	}
	/* Kernels before 5.8 have no ring buffer: the perf buffer carries the records there. */
	t->ring = !o->perf_buffer && libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	t->argv_limit = o->argv_bytes;
	if (!t->ring && t->argv_limit > ET_PERF_ARGV_MAX)
		t->argv_limit = ET_PERF_ARGV_MAX;
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
	if (cgroup_fd >= 0 &&
	    bpf_map_update_elem(bpf_map__fd(t->skel->maps.cgroup_filter), &key, &cgroup_fd, 0)) {
		err = -errno;
		fprintf(stderr,
			"exectrace: cannot filter on cgroup '%s': %s (is it a cgroup v2 directory?)\n",
			o->cgroup, strerror(errno));
		goto fail;
	}
	err = open_transport(t, o);
	if (err)
		goto fail;
	if (t->ring && !o->count_fields) {
		err = warm_ring(t);
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

/* The ring buffer's wait: batch_ms while records stream, else asleep until a record or timeout_ms. Returns 0,
 * fn's non-zero value, or <0. */
static int poll_ring(struct tracer *t, int timeout_ms)
{
	__u64 *asleep = &t->skel->bss->reader_asleep;
	int n, err;

	if (t->batch_ms) {
		/* Only a quarter-full ring wakes this wait early. */
		err = ring_buffer__poll(t->rb, timeout_ms < t->batch_ms ? timeout_ms : t->batch_ms);
		n = err >= 0 ? ring_buffer__consume(t->rb) : 0;
	} else {
		/* Said before the last look: a record that lands after the look finds the flag and wakes us.
		 */
		__atomic_store_n(asleep, 1, __ATOMIC_SEQ_CST);
		err = ring_buffer__consume(t->rb);
		if (!err)
			err = ring_buffer__poll(t->rb, timeout_ms);
		__atomic_store_n(asleep, 0, __ATOMIC_SEQ_CST);
		n = err >= 0 ? ring_buffer__consume(t->rb) : 0;
	}
	if (err < 0 || n < 0)
		return err < 0 ? err : n;
	if (err + n == 0)
		t->batch_ms = 0;
	else if (!t->batch_ms)
		t->batch_ms = BATCH_FIRST_MS;
	else if (t->batch_ms < BATCH_MAX_MS)
		t->batch_ms *= 2;
	return 0;
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	int err;

	t->stop = 0;
	if (t->rb) {
		err = poll_ring(t, timeout_ms);
	} else {
		err = perf_buffer__poll(t->pb, timeout_ms);
		if (err >= 0 && !t->stop)
			err = perf_buffer__consume(t->pb);
	}
	if (err == -EINTR)
		return 0;
	if (t->stop)
		return t->stop;
	return err < 0 ? err : 0;
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

long long tracer_count_drain(struct tracer *t, tracer_count_fn fn, void *ctx)
{
	enum { BATCH = 256 };
	struct exectrace_bpf__bss *bss = t->skel->bss;
	__u32 old = __atomic_load_n(&bss->count_gen, __ATOMIC_RELAXED);
	struct bpf_map *map = old & 1 ? t->skel->maps.counts1 : t->skel->maps.counts0;
	struct et_count_key keys[BATCH];
	struct et_count_value values[BATCH];
	__u64 batch = 0;
	bool first = true;
	int fd = bpf_map__fd(map), err;

	__atomic_store_n(&bss->count_gen, old + 1, __ATOMIC_SEQ_CST);
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
	return (long long)__atomic_exchange_n(&bss->counters.count_overflow[old & 1], 0, __ATOMIC_SEQ_CST);
}

int tracer_exe_name(const struct tracer *t, const struct et_exe_id *id, struct et_exe_name *name)
{
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.exe_names), id, name))
		return -ENOENT;
	if (name->len > ET_PATH_MAX)
		name->len = ET_PATH_MAX;
	return 0;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	perf_buffer__free(t->pb);
	exectrace_bpf__destroy(t->skel);
	free(t);
}
