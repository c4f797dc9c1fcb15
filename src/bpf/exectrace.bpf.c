// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel side of exectrace. A successful exec is reported from sched_process_exec,
 * with argv read from the new process's own memory (what the program received,
 * immune to a thread rewriting argv during the syscall). Failed execs (only when
 * asked for) come from the syscall entry/exit pair.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "../exectrace.h"

char LICENSE[] SEC("license") = "GPL";

#define HDR_SIZE       sizeof(struct et_record)
#define CTX_SIZE       sizeof(struct et_context)
#define ANCESTORS_SIZE (ET_ANCESTORS_MAX * sizeof(struct et_ancestor))
/* Where the regions after the header end at most: unreadable argument positions and context. */
#define PRE_SIZE (ET_BAD_ARGS_SIZE + CTX_SIZE)
/* Header, bad arguments, context, filename, exe and cwd regions, argv, ancestors, environment, and one chunk
 * of slack for the last read: the most a record can need. User space sizes the map for the limits it sets. */
#define SCRATCH_SIZE                                                                                         \
	(HDR_SIZE + PRE_SIZE + 3 * ET_PATH_MAX + ET_ARGV_CAP + ANCESTORS_SIZE + ET_ENV_CAP + ET_CHUNK)
/* Highest offset in the record's data where the ancestors start (argv's end), and where a chunk of argv or
 * the environment may start. */
#define ANCESTORS_AT_MAX (PRE_SIZE + 3 * ET_PATH_MAX + argv_limit)
#define COPY_AT_MAX	 (ANCESTORS_AT_MAX + ancestors_max * sizeof(struct et_ancestor) + env_limit)
/* Steps of the walk that names a path (the binary's, the working directory): one per directory or mount
 * crossed. Every path that fits PATH_MAX has at most PATH_MAX / 2 components ("/a" each); a deeper one is
 * cut, and flagged. */
#define PATH_WALK_STEPS (ET_PATH_MAX / 2 + 128)
/* Argv pointers read at once by a failed exec's walk. */
#define PTR_BATCH 32

/* Load-time settings (rodata, set by src/tracer.c before load; the verifier sees them as constants). */
const volatile bool use_ringbuf = true;
const volatile bool track_failures = false;
const volatile __u32 argv_limit = ET_ARGV_DEFAULT;
const volatile __u64 wake_threshold = 1 << 20;
const volatile bool filter_uid = false;
const volatile __u32 target_uid = 0;
const volatile bool filter_cgroup = false;
const volatile bool filter_cgroupmap = false;
const volatile bool filter_mntnsmap = false;
const volatile bool count_mode = false;
/* Whether records carry the context (struct et_context): JSON shows it. context_groups: which of its groups
 * (ET_CTX_*) are read; the others cost nothing. */
const volatile bool with_context = false;
const volatile __u32 context_groups = 0;
const volatile __u32 count_fields = 0;
/* With count_mode: records are sent too (--metrics beside tracing), of failed execs only with -x (--metrics
 * loads the failed-exec programs to count them). */
const volatile bool count_and_trace = false;
const volatile bool trace_failures = false;

/* Failed execs counted, none recorded: that needs no pending entry (user space loads no entry program then),
 * since the syscall's exit has the result and the caller is still the current task. */
static __always_inline bool count_failures_only(void)
{
	return count_mode && (!count_and_trace || !trace_failures);
}
/* signal->maxrss counts pages. */
const volatile __u64 page_size = 4096;
/* Whether this kernel's sched_process_exit passes group_dead (set by user space from the kernel's BTF). */
const volatile bool exit_group_dead = false;
/* Ancestors each record carries at most (-j, --ancestors), and the environment's capture limit (--env): 0 for
 * none, and then the verifier drops that code. */
const volatile __u32 ancestors_max = 0;
const volatile __u32 env_limit = 0;
/* The scratch record's size (set at load with its map's value size). */
const volatile __u64 scratch_size = 0;
/* Command mode: only processes in traced_tgids are traced. */
const volatile bool filter_traced = false;

struct et_counters counters = {};
/* 1 while the reader sleeps until woken (user space sets it before it sleeps): the first record after that
 * wakes it, and clears it, so that records that stream while the reader is awake cost no wakeup. */
__u64 reader_asleep = 0;
/* Count mode: execs are added to counts0 or counts1 by this bit; user space flips it, waits until no
 * program can still be using the other map (an RCU grace period), then drains that map undisturbed. */
__u32 count_gen = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

/* One record under construction per CPU; too large for a per-CPU map (32 KiB cap). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* set to the number of CPUs at load */
	/* Sizes without types: a BTF value type would not match the size set at load, and the kernel refuses
	 * that. */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SCRATCH_SIZE);
} scratch SEC(".maps");

/*
 * A path is assembled backwards in buf, from pos down, then copied into the record. pos lives in
 * the map value, not on the stack: the verifier does not track map contents, so each step of the walk looks
 * alike to it (on the stack, pos's range grew with every step and each was verified anew).
 */
struct path_buf {
	char buf[2 * ET_PATH_MAX];
	__u64 pos;
	/* The walk's result, here rather than returned: the verifier then sees one state after the call, not
	 * one per way the walk ended. */
	__u32 len;
	__u32 marks; /* PATH_* */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_buf);
} pathbuf SEC(".maps");

struct argv_copy {
	unsigned long src;
	__u64 off; /* where argv starts in the record's data */
	__u64 len; /* bytes to copy */
	__u64 done;
	bool fault;
};

struct argv_walk {
	const char *const *argv; /* argv, or envp (env) */
	const char *str;	 /* the argument being copied, or NULL between arguments */
	__u64 off;		 /* where argv starts in the record's data */
	__u64 used;		 /* argv bytes copied */
	__u32 argc;		 /* pointers taken from argv */
	__u32 next, have;	 /* batch[next..have) are argv[argc..] */
	__u32 end;		 /* 1: the walk reached argv's NULL, or a pointer it could not read */
	__u32 limit;		 /* bytes to copy at most: --argv-bytes, or --env-bytes */
	__u32 env;		 /* 1: the walk is over envp */
	const char *batch[PTR_BATCH];
};

/*
 * State of the argv loops. Kept in a map value, not on the stack: the verifier does not track
 * map contents, so each loop iteration looks the same to it and verification converges at once.
 */
union loop_state {
	struct argv_copy copy;
	struct argv_walk walk;
	__u64 ancestors_off; /* where the ancestors start in the record's data */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, union loop_state);
} loopstate SEC(".maps");

struct count_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* --max-keys, set at load */
	__type(key, struct et_count_key);
	__type(value, struct et_count_value);
};
struct count_map counts0 SEC(".maps");
struct count_map counts1 SEC(".maps");

/* The path of each binary counted under ET_KEY_EXE, written once, when first seen. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1); /* set at load in count mode */
	__type(key, struct et_exe_id);
	__type(value, struct et_exe_name);
} exe_names SEC(".maps");

struct pending_exec {
	const char *filename;
	const char *const *argv;
	const char *const *envp;
};

/* Failed-exec tracking: what was passed at entry, keyed by thread id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct pending_exec);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/* execsnoop-compatible pinned filter maps, replaced by the user's at load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u64);
} cgroupmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u32);
} mntnsmap SEC(".maps");

/* Command mode's traced set: the command's pid, put there by user space before it may exec, and every process
 * a traced one forks, put there by fork_done in the fork itself; each leaves at its exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* set at load in command mode */
	__type(key, __u32);
	__type(value, __u8);
} traced_tgids SEC(".maps");

static __always_inline bool in_traced_set(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return bpf_map_lookup_elem(&traced_tgids, &tgid) != NULL;
}

static __always_inline bool pass_filters(void)
{
	if (filter_traced && !in_traced_set())
		return false;
	if (filter_uid && (__u32)bpf_get_current_uid_gid() != target_uid)
		return false;
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
		return false;
	if (filter_cgroupmap) {
		__u64 id = bpf_get_current_cgroup_id();

		if (!bpf_map_lookup_elem(&cgroupmap, &id))
			return false;
	}
	if (filter_mntnsmap) {
		__u64 ns = bpf_get_current_task_btf()->nsproxy->mnt_ns->ns.inum;

		if (!bpf_map_lookup_elem(&mntnsmap, &ns))
			return false;
	}
	return true;
}

static __always_inline struct et_record *scratch_record(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch, &cpu);
}

static __always_inline union loop_state *loop_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&loopstate, &zero);
}

/* The inode number of the task's own pid namespace, the one /proc/PID/ns/pid shows (task_active_pid_ns). */
static __always_inline __u32 pid_ns_inum(struct task_struct *task)
{
	struct pid_namespace *ns = task->nsproxy->pid_ns_for_children;
	struct pid *pid = task->thread_pid;
	unsigned long at;

	/* Plain loads in the usual case: the namespace for children is the task's own or one below it (after
	 * unshare(CLONE_NEWPID)), so at the same level it is the task's own. */
	if (ns->level == pid->level)
		return ns->ns.inum;
	/* Else pid->numbers[pid->level].ns, at a variable index that typed loads do not allow. */
	at = (unsigned long)BPF_CORE_READ(task, thread_pid) + bpf_core_field_offset(struct pid, numbers) +
	     (pid->level & 63) * bpf_core_type_size(struct upid) + bpf_core_field_offset(struct upid, ns);
	if (bpf_probe_read_kernel(&ns, sizeof(ns), (const void *)at))
		return 0;
	return BPF_CORE_READ(ns, ns.inum);
}

/* The context of an exec at r->data + at: exec identity, and the groups asked for (context_groups). */
static __always_inline void fill_context(struct et_record *r, struct task_struct *task, __u32 at)
{
	struct et_context *cx = (struct et_context *)(r->data + at);
	struct task_struct *leader, *parent;
	const struct cred *cred;
	struct nsproxy *nsproxy;
	struct tty_struct *tty;

	if (!with_context) {
		r->context_len = 0;
		return;
	}
	r->context_len = ET_CONTEXT_MIN;
	/* The process and its parent as processes: a thread's exec identity is its thread group's. */
	leader = task->group_leader;
	parent = task->real_parent->group_leader;
	cx->start_time = leader->start_time;
	cx->exec_seq = leader->self_exec_id;
	cx->parent_start_time = parent->start_time;
	cx->parent_exec_seq = parent->self_exec_id;
	cred = task->cred;
	if (context_groups & ET_CTX_IDS) {
		cx->euid = cred->euid.val;
		cx->egid = cred->egid.val;
	}
	if (context_groups & ET_CTX_SESSION) {
		/* Without CONFIG_AUDIT there are none: unset. */
		cx->loginuid = bpf_core_field_exists(task->loginuid) ? task->loginuid.val : ET_ID_UNSET;
		cx->sessionid = bpf_core_field_exists(task->sessionid) ? task->sessionid : ET_ID_UNSET;
	}
	if (context_groups & ET_CTX_CGROUP)
		cx->cgroup_id = bpf_get_current_cgroup_id();
	/* A u64 since 6.3, two u32 before: the same 8 bytes on a little-endian machine. */
	if ((context_groups & ET_CTX_CAPS) &&
	    bpf_core_read(&cx->cap_effective, sizeof(cx->cap_effective), &cred->cap_effective))
		cx->cap_effective = 0;
	if (context_groups & ET_CTX_NS) {
		nsproxy = task->nsproxy;
		cx->ns[ET_NS_MNT] = nsproxy->mnt_ns->ns.inum;
		cx->ns[ET_NS_PID] = pid_ns_inum(task);
		cx->ns[ET_NS_NET] = nsproxy->net_ns->ns.inum;
		cx->ns[ET_NS_UTS] = nsproxy->uts_ns->ns.inum;
		cx->ns[ET_NS_IPC] = nsproxy->ipc_ns->ns.inum;
		cx->ns[ET_NS_USER] = cred->user_ns->ns.inum;
		cx->ns[ET_NS_CGROUP] = nsproxy->cgroup_ns->ns.inum;
		/* NULL without CONFIG_TIME_NS: the load gives 0 */
		cx->ns[ET_NS_TIME] = nsproxy->time_ns->ns.inum;
	}
	if (context_groups & ET_CTX_TTY) {
		long n = 1;

		tty = task->signal->tty;
		cx->tty[0] = '\0';
		if (tty) {
			n = bpf_probe_read_kernel_str(cx->tty, sizeof(cx->tty), tty->name);
			if (n < 1 || n > ET_TTY_LEN) {
				cx->tty[0] = '\0';
				n = 1;
			}
		}
		r->context_len = ET_CONTEXT_MIN + n;
	}
}

/* Who execs: ids, names, and the context when it is shown. A failed exec's record has room for its unreadable
 * arguments first (failed: a constant at each call). */
static __always_inline void fill_common(struct et_record *r, struct task_struct *task, bool failed)
{
	__u64 ugid = bpf_get_current_uid_gid();

	r->type = ET_REC_EXEC;
	r->flags = 0;
	r->ktime_ns = bpf_ktime_get_boot_ns();
	r->pid = bpf_get_current_pid_tgid() >> 32;
	r->ppid = task->real_parent->tgid;
	r->uid = (__u32)ugid;
	r->gid = ugid >> 32;
	r->nr_bad_args = 0;
	if (failed)
		r->flags = ET_F_BAD_ARGS;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	fill_context(r, task, failed ? ET_BAD_ARGS_SIZE : 0);
}

/* Sends size bytes of a record at r to the reader; a record the transport refuses is counted lost. */
static __always_inline void send(void *ctx, void *r, __u64 size)
{
	if (use_ringbuf) {
		/* A wakeup costs more than the tracing: only a sleeping reader gets one, and a reader that
		 * has not caught up with a burst when a quarter of the ring is full. */
		__u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wake_threshold
				  ? BPF_RB_FORCE_WAKEUP
				  : BPF_RB_NO_WAKEUP;

		if (bpf_ringbuf_output(&events, r, size, flags)) {
			__sync_fetch_and_add(&counters.lost, 1);
			return;
		}
		/* After the record is in: a reader that went to sleep before this exchange sees the flag
		 * cleared and is woken; one that goes to sleep after it finds the record when it looks once
		 * more. */
		if (reader_asleep && __sync_lock_test_and_set(&reader_asleep, 0)) {
			void *wake = bpf_ringbuf_reserve(&events, 8, 0);

			if (wake)
				bpf_ringbuf_discard(wake, BPF_RB_FORCE_WAKEUP);
		}
	} else {
		/* Options keep a record under the perf sample limit. Every failure is counted here, and only
		 * here: the kernel's own lost-sample records only reach the reader with the next sample that
		 * fits. */
		if (bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, r, size))
			__sync_fetch_and_add(&counters.lost, 1);
	}
}

static __always_inline void emit(void *ctx, struct et_record *r)
{
	/* Each length is bounded on its own so the verifier can bound the sum. */
	__u64 size = HDR_SIZE + (r->flags & ET_F_BAD_ARGS ? ET_BAD_ARGS_SIZE : 0);
	__u64 cx = r->context_len, fn = r->filename_len, exe = r->exe_len, cwd = r->cwd_len,
	      argv = r->argv_len;
	/* Zero without a load where they are not asked for: the verifier then drops their checks. */
	__u64 anc = ancestors_max ? r->nr_ancestors : 0, env = env_limit ? r->env_len : 0;

	if (cx > CTX_SIZE || fn > ET_PATH_MAX || exe > ET_PATH_MAX || cwd > ET_PATH_MAX ||
	    argv > argv_limit || anc > ancestors_max || env > env_limit)
		return;
	size += cx + fn + exe + cwd + argv + anc * sizeof(struct et_ancestor) + env;
	/* Never true, given the checks above; but an older verifier (6.1) may lose their bounds when the
	 * compiler reloads a length from the stack, and this one bounds the sum where it is used. */
	if (size > scratch_size)
		return;
	send(ctx, r, size);
}

/* ---- ring buffer warm-up ---- */

/* A page-sized record (header included), so that each reservation writes its header on a new page. */
#define RINGBUF_HDR_SIZE 8

static long touch_page(__u32 i, void *ctx)
{
	void *p = bpf_ringbuf_reserve(&events, ET_CHUNK - RINGBUF_HDR_SIZE, 0);

	if (!p)
		return 1; /* the ring is full: every page has been written */
	bpf_ringbuf_discard(p, BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * Run once by user space before attaching. Where guest memory is backed lazily (virtual machines), the first
 * write to each page of a fresh ring buffer costs tens of microseconds; this pays it at start-up instead of
 * in the first execs traced. User space then consumes the discarded records.
 */
SEC("syscall")
int warm_ring(void *ctx)
{
	bpf_loop(ET_ARGV_CAP, touch_page, NULL, 0);
	return 0;
}

/* ---- absolute paths: the binary's, the working directory ---- */

/*
 * exectrace's own root (dentry and vfsmount), noted once at start-up by note_root: paths are named as
 * exectrace's readlink of /proc/PID/exe would name them, and the kernel's d_path stops at the reader's root.
 * A walk that reaches it is whole without crossing to the mount below: the common case, with plain loads
 * only.
 */
__u64 reader_root_dentry = 0;
__u64 reader_root_mnt = 0;

SEC("syscall")
int note_root(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	reader_root_dentry = (unsigned long)BPF_CORE_READ(task, fs, root.dentry);
	reader_root_mnt = (unsigned long)BPF_CORE_READ(task, fs, root.mnt);
	return 0;
}

/* Prepends "/name" to the path built downwards in pb; false when it does not fit or cannot be read: what is
 * built so far is then the path's tail. */
static __always_inline bool prepend(struct path_buf *pb, const unsigned char *name, __u64 len)
{
	char *buf = pb->buf;
	__u64 p = pb->pos;

	if (len > 255 || len + 1 > p)
		return false;
	p -= len + 1;
	barrier_var(p);
	if (p > ET_PATH_MAX)
		return false;
	if (bpf_probe_read_kernel(buf + p + 1, len & 255, name))
		return false;
	buf[p] = '/';
	pb->pos = p;
	return true;
}

/* The walk within the path's own mount: typed pointers, plain loads, no helper call but the name's copy. */
struct typed_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct path_buf *pb;
};

/*
 * The steps write nothing but the walk's position: a constant stored per outcome would multiply the states
 * the verifier explores. The caller tells how a walk ended from where it stopped.
 */
static long typed_step(__u32 i, void *data)
{
	struct typed_walk *w = data;
	struct dentry *dentry = w->dentry, *parent;

	if (dentry == w->vfsmnt->mnt_root)
		return 1; /* path_step crosses to the parent mount */
	parent = dentry->d_parent;
	if (parent == dentry || !prepend(w->pb, dentry->d_name.name, dentry->d_name.len))
		return 1;
	w->dentry = parent;
	return 0;
}

/* The walk across mounts: struct mount is reached by pointer arithmetic, which typed loads do not allow. */
struct path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct path_buf *pb;
};

static long path_step(__u32 i, void *data)
{
	struct path_walk *w = data;
	struct dentry *dentry = w->dentry, *parent;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	struct qstr name;

	/* Locals: CO-RE reads must not relocate fields of our own struct. */
	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt)
			return 1; /* the top of the mount tree */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		w->vfsmnt = &up->mnt;
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry)
		return 1;
	name = BPF_CORE_READ(dentry, d_name);
	if (!prepend(w->pb, name.name, name.len))
		return 1;
	w->dentry = parent;
	return 0;
}

/* How a path walk ended (path_buf.marks). */
#define PATH_CUT     1 /* not named whole: the path's tail */
#define PATH_DELETED 2 /* unlinked, or a pseudo file (memfd) */

/*
 * Writes the absolute path of dentry in mount vfsmnt at out, its length in pb->len and how it ended in
 * pb->marks; ns_root is the root mount of the task's mount namespace. The path is the one the host sees
 * (readlink of /proc/PID/exe or /proc/PID/cwd from the initial mount namespace): the walk goes up to the top
 * of the mount tree, through a chroot and through the mounts of another mount namespace, so a chrooted binary
 * shows its host path and a pivoted container's its in-container path. Within the path's own mount the walk
 * reads with plain loads; across mounts it goes on with BPF_CORE_READ. A path the walk could not finish is
 * its tail, marked PATH_CUT. Not inlined: the binary and the working directory share one copy of the walk.
 */
static __noinline void read_path(struct path_buf *pb, struct dentry *d, struct vfsmount *vfsmnt, char *out,
				 struct mount *ns_root)
{
	struct typed_walk tw = {};
	struct path_walk w = {};
	bool done;
	__u64 len, pos;
	long steps;

	pb->len = 0;
	pb->marks = 0;
	if (!d)
		return;

	/* memfds and other pseudo files name themselves (d_dname): "/<name> (deleted)". */
	if (d->d_op && d->d_op->d_dname) {
		/* Field by field: 6.1's verifier refuses one load across qstr's hash/len union. */
		__u64 n = d->d_name.len & 255;

		pb->marks = PATH_DELETED;
		out[0] = '/';
		if (bpf_probe_read_kernel(out + 1, n, d->d_name.name)) {
			pb->marks |= PATH_CUT;
			return;
		}
		pb->len = n + 1;
		return;
	}
	if (!d->d_hash.pprev && d->d_parent != d)
		pb->marks = PATH_DELETED;

	tw.dentry = d;
	tw.vfsmnt = vfsmnt;
	pb->pos = ET_PATH_MAX;
	tw.pb = pb;
	steps = bpf_loop(PATH_WALK_STEPS, typed_step, &tw, 0);
	/* Stopped at the root of a filesystem that is no mount's root (a detached one): the path is whole. */
	done = tw.dentry->d_parent == tw.dentry && tw.dentry != tw.vfsmnt->mnt_root;
	if (tw.dentry == tw.vfsmnt->mnt_root && (unsigned long)tw.dentry == reader_root_dentry &&
	    (unsigned long)tw.vfsmnt == reader_root_mnt)
		done = true;
	else if (tw.dentry == tw.vfsmnt->mnt_root && steps > 0 && steps < PATH_WALK_STEPS) {
		/* Locals: CO-RE reads must not relocate fields of our own struct. */
		struct dentry *top, *end;
		struct vfsmount *mnt_at;
		struct mount *mnt, *up;

		/* Pointers as plain values from here: they will come from struct mount. */
		w.dentry = (void *)(unsigned long)tw.dentry;
		w.vfsmnt = (void *)(unsigned long)tw.vfsmnt;
		w.mnt = (struct mount *)((void *)w.vfsmnt - bpf_core_field_offset(struct mount, mnt));
		w.pb = pb;
		mnt = w.mnt;
		up = BPF_CORE_READ(mnt, mnt_parent);
		/* Most paths end here, without a second loop: at the top of the mount tree, or on a mount
		 * over the root of its namespace's top mount (the root filesystem over rootfs): whole, either
		 * way. ns_root's fields are plain loads. */
		done = up == mnt || (up == ns_root && ns_root->mnt_parent == ns_root &&
				     BPF_CORE_READ(mnt, mnt_mountpoint) == ns_root->mnt.mnt_root);
		if (!done) {
			bpf_loop(PATH_WALK_STEPS - steps, path_step, &w, 0);
			/* Whole when it stopped at the top of the mount tree, or at the root of a detached
			 * filesystem. */
			end = w.dentry;
			mnt_at = w.vfsmnt;
			mnt = w.mnt;
			top = BPF_CORE_READ(mnt_at, mnt_root);
			up = BPF_CORE_READ(mnt, mnt_parent);
			done = end == top ? up == mnt : BPF_CORE_READ(end, d_parent) == end;
		}
	}
	if (!done)
		pb->marks |= PATH_CUT;
	pos = pb->pos;
	if (pos >= ET_PATH_MAX) {
		if (done) {
			out[0] = '/';
			pb->len = 1;
		}
		return;
	}
	len = ET_PATH_MAX - pos;
	barrier_var(len);
	if (len > ET_PATH_MAX)
		return;
	bpf_probe_read_kernel(out, len, pb->buf + (pos & (ET_PATH_MAX - 1)));
	pb->len = len;
}

/* The task's executable at out (ET_F_EXE_* in *flags); its length. */
static __always_inline __u32 read_exe(struct task_struct *task, char *out, __u32 *flags)
{
	__u32 zero = 0;
	struct path_buf *pb = bpf_map_lookup_elem(&pathbuf, &zero);
	struct file *file = task->mm->exe_file;

	if (!pb || !file)
		return 0;
	read_path(pb, file->f_path.dentry, file->f_path.mnt, out, task->nsproxy->mnt_ns->root);
	if (pb->marks & PATH_CUT)
		*flags |= ET_F_EXE_CUT;
	if (pb->marks & PATH_DELETED)
		*flags |= ET_F_EXE_DELETED;
	return pb->len;
}

/* The task's working directory at out (ET_F_CWD_* in *flags), when asked for; its length. */
static __always_inline __u32 read_cwd(struct task_struct *task, char *out, __u32 *flags)
{
	__u32 zero = 0;
	struct path_buf *pb = bpf_map_lookup_elem(&pathbuf, &zero);
	struct fs_struct *fs = task->fs;

	if (!with_context || !(context_groups & ET_CTX_CWD) || !pb || !fs)
		return 0;
	read_path(pb, fs->pwd.dentry, fs->pwd.mnt, out, task->nsproxy->mnt_ns->root);
	if (pb->marks & PATH_CUT)
		*flags |= ET_F_CWD_CUT;
	if (pb->marks & PATH_DELETED)
		*flags |= ET_F_CWD_DELETED;
	return pb->len;
}

/* ---- count mode ---- */

static __always_inline void count_names(struct et_count_value *v, struct task_struct *task)
{
	if (count_fields & ET_KEY_PID)
		bpf_get_current_comm(v->comm, sizeof(v->comm));
	if (count_fields & ET_KEY_PPID)
		BPF_CORE_READ_STR_INTO(&v->pcomm, task, real_parent, comm);
}

static __always_inline void count_add(void *map, struct et_count_key *key, struct task_struct *task,
				      __u32 gen)
{
	struct et_count_value *v = bpf_map_lookup_elem(map, key);

	if (!v) {
		struct et_count_value one = {.count = 1};

		count_names(&one, task);
		if (!bpf_map_update_elem(map, key, &one, BPF_NOEXIST))
			return;
		v = bpf_map_lookup_elem(map, key); /* another CPU added the key first */
		if (!v) {
			__sync_fetch_and_add(&counters.count_overflow[gen], 1);
			return;
		}
	}
	__sync_fetch_and_add(&v->count, 1);
	/* Racing writers may mix two names' bytes; the name is for display, the count stays exact. */
	count_names(v, task);
}

static __always_inline void count_exec(struct task_struct *task, bool failed)
{
	struct et_count_key key = {};
	__u32 gen;

	if (count_fields & ET_KEY_UID)
		key.uid = (__u32)bpf_get_current_uid_gid();
	if (count_fields & ET_KEY_COMM)
		bpf_get_current_comm(key.comm, sizeof(key.comm));
	if (count_fields & ET_KEY_PID)
		key.pid = bpf_get_current_pid_tgid() >> 32;
	if (count_fields & ET_KEY_PPID)
		key.ppid = BPF_CORE_READ(task, real_parent, tgid);
	if (count_fields & ET_KEY_CGROUP)
		key.cgroup = bpf_get_current_cgroup_id();
	if ((count_fields & ET_KEY_EXE) && !failed) {
		struct inode *inode = task->mm->exe_file->f_inode;

		key.exe.ino = inode->i_ino;
		key.exe.dev = inode->i_sb->s_dev;
		if (!bpf_map_lookup_elem(&exe_names, &key.exe)) {
			/* The scratch record is free in count mode: build the name there. */
			struct et_exe_name *name = (struct et_exe_name *)scratch_record();

			if (name) {
				name->flags = 0;
				name->len = read_exe(task, name->path, &name->flags);
				bpf_map_update_elem(&exe_names, &key.exe, name, BPF_NOEXIST);
			}
		}
	}
	key.failed = failed;
	gen = count_gen & 1;
	if (gen)
		count_add(&counts1, &key, task, 1);
	else
		count_add(&counts0, &key, task, 0);
}

/* ---- argv and environment of the new process, from its memory ---- */

static long copy_chunk(__u32 i, void *data)
{
	union loop_state *st = loop_state();
	struct et_record *r = scratch_record();
	struct argv_copy *c;
	__u64 n, at;

	if (!r || !st)
		return 1;
	c = &st->copy;
	n = c->len - c->done;
	if (c->done >= c->len)
		return 1;
	if (n > ET_CHUNK)
		n = ET_CHUNK;
	at = c->off + c->done;
	barrier_var(at);
	if (at > COPY_AT_MAX)
		return 1;
	if (bpf_probe_read_user(r->data + at, n, (const void *)(c->src + c->done))) {
		c->fault = true;
		return 1;
	}
	c->done += n;
	return 0;
}

/* ---- ancestors and environment, after argv ---- */

/* The process whose parent is the next ancestor; a typed pointer, so the walk reads with plain loads. */
struct ancestor_cursor {
	struct task_struct *task;
};

/* One step up the chain: the parent of the cursor's process, written as the record's next ancestor. */
static long ancestor_step(__u32 i, void *data)
{
	struct ancestor_cursor *cur = data;
	union loop_state *st = loop_state();
	struct et_record *r = scratch_record();
	struct task_struct *up = cur->task->real_parent->group_leader;
	struct et_ancestor *a;
	__u32 n, pid = up->tgid;
	__u64 at, comm[2];

	/* The idle task (pid 0) is above init and kthreadd: no process. */
	if (!r || !st || !pid)
		return 1;
	n = r->nr_ancestors;
	if (n >= ancestors_max) {
		r->flags |= ET_F_ANCESTORS_CUT;
		return 1;
	}
	at = st->ancestors_off + n * sizeof(*a);
	barrier_var(at);
	if (at > ANCESTORS_AT_MAX + (ET_ANCESTORS_MAX - 1) * sizeof(*a))
		return 1;
	a = (struct et_ancestor *)(r->data + at);
	a->start_time = up->start_time;
	a->exec_seq = up->self_exec_id;
	a->pid = pid;
	a->pad = 0;
	/* Two plain 8-byte loads rather than a helper call. */
	comm[0] = *(const __u64 *)&up->comm[0];
	comm[1] = *(const __u64 *)&up->comm[8];
	__builtin_memcpy(a->comm, comm, sizeof(a->comm));
	r->nr_ancestors = n + 1;
	cur->task = up;
	return pid == 1; /* init is the top */
}

/* Where a region after argv cannot start: the record is not one this program built. */
#define NO_ROOM (~0ULL)

/* The chain above the parent of task, nearest first, after the record's argv; returns where the environment
 * goes. */
static __always_inline __u64 append_ancestors(struct et_record *r, struct task_struct *task)
{
	__u64 fn, exe, cwd, argv, off, pre, cx;
	struct ancestor_cursor cur;
	union loop_state *st;

	r->nr_ancestors = 0;
	r->env_len = 0;
	/* Before any load: the compiler would hoist them above a later check, onto every exec's path. */
	if (!ancestors_max && !env_limit)
		return NO_ROOM; /* neither asked for: none of this is loaded */
	fn = r->filename_len;
	exe = r->exe_len;
	cwd = r->cwd_len;
	argv = r->argv_len;
	pre = r->flags & ET_F_BAD_ARGS ? ET_BAD_ARGS_SIZE : 0;
	cx = r->context_len;
	st = loop_state();
	if (cx > CTX_SIZE || fn > ET_PATH_MAX || exe > ET_PATH_MAX || cwd > ET_PATH_MAX ||
	    argv > argv_limit || !st)
		return NO_ROOM; /* cannot happen: each length is bounded */
	off = pre + cx + fn + exe + cwd + argv;
	if (!ancestors_max)
		return off;
	st->ancestors_off = off;
	cur.task = task->real_parent->group_leader;
	/* One more step than entries: it finds whether the chain went on. */
	bpf_loop(ET_ANCESTORS_MAX + 1, ancestor_step, &cur, 0);
	return off + (r->nr_ancestors & (2 * ET_ANCESTORS_MAX - 1)) * sizeof(struct et_ancestor);
}

/* The environment the new program received, copied like argv at off in the record's data. */
static __always_inline void append_env(struct et_record *r, struct task_struct *task, __u64 off)
{
	unsigned long env_start, env_end;
	union loop_state *st;
	struct argv_copy *c;

	if (!env_limit || off == NO_ROOM)
		return;
	st = loop_state();
	if (!st)
		return;
	env_start = task->mm->env_start;
	env_end = task->mm->env_end;
	c = &st->copy;
	c->src = env_start;
	c->off = off;
	c->done = 0;
	c->fault = false;
	c->len = env_end > env_start ? env_end - env_start : 0;
	if (c->len > env_limit) {
		c->len = env_limit;
		r->flags |= ET_F_ENV_CUT;
	}
	bpf_loop(ET_ENV_CAP / ET_CHUNK + 1, copy_chunk, NULL, 0);
	if (c->fault)
		r->flags |= ET_F_ENV_FAULT;
	r->env_len = c->done;
}

/* ---- forks and exits (--forks, --exits) ---- */

/* Kernels whose sched_process_exit does not say group_dead: 1 on the leader once its exit was reported. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} exit_marks SEC(".maps");

/* PF_KTHREAD: kernel threads are no processes of a user's tree. */
#define ET_PF_KTHREAD 0x00200000
/* signal_struct.flags: the whole group exits (exit_group, a fatal signal); its status is group_exit_code. */
#define ET_SIGNAL_GROUP_EXIT 0x00000004

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_done, struct task_struct *parent, struct task_struct *child)
{
	struct et_fork_record r;
	struct task_struct *up;

	/* A thread (CLONE_THREAD) is no new process. */
	if (child->group_leader != child || (child->flags & ET_PF_KTHREAD) || !pass_filters())
		return 0;
	if (filter_traced) {
		__u32 tgid = child->tgid;
		__u8 yes = 1;

		/* A child that finds no room is not traced: its records count as lost. */
		if (bpf_map_update_elem(&traced_tgids, &tgid, &yes, BPF_ANY))
			__sync_fetch_and_add(&counters.lost, 1);
	}
	if (count_mode && !count_and_trace)
		return 0; /* loaded to follow the command's tree only */
	up = child->real_parent->group_leader;
	r.type = ET_REC_FORK;
	r.flags = 0;
	r.ktime_ns = bpf_ktime_get_boot_ns();
	r.pid = child->tgid;
	r.ppid = child->real_parent->tgid;
	r.uid = (__u32)bpf_get_current_uid_gid();
	r.pad = 0;
	r.start_time = child->start_time;
	r.exec_seq = child->self_exec_id;
	r.parent_start_time = up->start_time;
	r.parent_exec_seq = up->self_exec_id;
	__builtin_memcpy(r.comm, child->comm, sizeof(r.comm));
	send(ctx, &r, sizeof(r));
	return 0;
}

/* The thread group's CPU time, as the kernel's thread_group_cputime adds it up: the released threads' sum in
 * signal_struct, and each thread still on the list. Pointers as plain values: the walk reads with CO-RE. */
struct cpu_walk {
	unsigned long head; /* &signal->thread_head */
	unsigned long pos;  /* the list node being visited */
	__u64 utime, stime, runtime;
};

static long cpu_step(__u32 i, void *data)
{
	struct cpu_walk *w = data;
	struct task_struct *t;
	struct list_head *node = (struct list_head *)w->pos;

	if (w->pos == w->head || !w->pos)
		return 1;
	t = (struct task_struct *)(w->pos - bpf_core_field_offset(struct task_struct, thread_node));
	w->utime += BPF_CORE_READ(t, utime);
	w->stime += BPF_CORE_READ(t, stime);
	w->runtime += BPF_CORE_READ(t, se.sum_exec_runtime);
	w->pos = (unsigned long)BPF_CORE_READ(node, next);
	return 0;
}

/* Whether this exiting thread is the one to report its process's end: the last of the group. */
static __always_inline bool ends_group(unsigned long long *ctx, struct task_struct *task)
{
	__u64 *mark;

	if (exit_group_dead)
		return ctx[1];
	/* Before, each thread decrements signal->live before the tracepoint: 0 means the group is dead, but
	 * threads exiting together may all see it. The first to mark the leader reports. */
	if (task->signal->live.counter)
		return false;
	mark = bpf_task_storage_get(&exit_marks, task->group_leader, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	return mark && !__sync_lock_test_and_set(mark, 1);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_done, struct task_struct *task)
{
	struct task_struct *leader = task->group_leader, *up;
	struct signal_struct *sig = task->signal;
	struct cpu_walk w = {};
	struct et_exit_record r;
	long steps;

	if ((task->flags & ET_PF_KTHREAD) || !pass_filters() || !ends_group(ctx, task))
		return 0;
	if (filter_traced) {
		__u32 tgid = task->tgid;

		bpf_map_delete_elem(&traced_tgids, &tgid);
	}
	if (count_mode && !count_and_trace)
		return 0; /* loaded to follow the command's tree only */
	up = task->real_parent->group_leader;
	r.type = ET_REC_EXIT;
	r.flags = 0;
	r.ktime_ns = bpf_ktime_get_boot_ns();
	r.pid = task->tgid;
	r.ppid = task->real_parent->tgid;
	r.uid = (__u32)bpf_get_current_uid_gid();
	/* What the parent's wait() gets: the group's status, or the leader's own when the threads ended one
	 * by one. */
	r.status = (sig->flags & ET_SIGNAL_GROUP_EXIT) ? sig->group_exit_code : leader->exit_code;
	r.start_time = leader->start_time;
	r.exec_seq = leader->self_exec_id;
	r.parent_start_time = up->start_time;
	r.parent_exec_seq = up->self_exec_id;
	/* The kernel keeps no exec time: user space counts from the exec record when it saw one. */
	r.since_ns = leader->start_boottime;
	if (sig->nr_threads == 1) {
		/* The usual case: the ending thread is the only one not yet released. Plain loads. */
		w.utime = task->utime;
		w.stime = task->stime;
		w.runtime = task->se.sum_exec_runtime;
	} else {
		w.head = (unsigned long)&sig->thread_head;
		w.pos = (unsigned long)sig->thread_head.next;
		steps = bpf_loop(ET_THREAD_WALK_MAX, cpu_step, &w, 0);
		if (steps >= ET_THREAD_WALK_MAX && w.pos != w.head)
			r.flags |= ET_X_CPU_CUT;
	}
	r.utime_ns = sig->utime + w.utime;
	r.stime_ns = sig->stime + w.stime;
	r.runtime_ns = sig->sum_sched_runtime + w.runtime;
	/* In pages: do_exit takes the mm's high-water mark into it before the tracepoint, for the group's
	 * last thread. */
	r.max_rss = sig->maxrss * page_size;
	/* For --metrics' cgroup and container labels only (a helper call); do_exit leaves the cgroup after
	 * this tracepoint. */
	r.cgroup_id = count_fields & ET_KEY_CGROUP ? bpf_get_current_cgroup_id() : 0;
	__builtin_memcpy(r.comm, leader->comm, sizeof(r.comm));
	send(ctx, &r, sizeof(r));
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_done, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	union loop_state *st = loop_state();
	struct et_record *r;
	struct argv_copy *c;
	unsigned long arg_start, arg_end;
	__u64 off;
	long n;

	/* The exec succeeded: its entry is no longer pending (keyed by the thread id before the exec). */
	if (track_failures && !count_failures_only())
		bpf_map_delete_elem(&pending, &old_pid);
	if (!pass_filters())
		return 0;
	if (count_mode) {
		count_exec(task, false);
		if (!count_and_trace)
			return 0;
	}
	r = scratch_record();
	if (!r || !st)
		return 0;
	fill_common(r, task, false);
	r->retval = 0;
	r->argc = bprm->argc;

	/* The regions follow the context. */
	off = r->context_len;
	if (off > CTX_SIZE)
		return 0; /* cannot happen: fill_context bounds it */
	n = bpf_probe_read_kernel_str(r->data + off, ET_PATH_MAX, bprm->filename);
	if (n < 1) {
		r->flags |= ET_F_FILENAME_FAULT;
		n = 1;
	}
	r->filename_len = n - 1;
	if (bprm->fdpath)
		r->flags |= ET_F_FDPATH;
	off += r->filename_len & (ET_PATH_MAX - 1);

	r->exe_len = read_exe(task, r->data + off, &r->flags);
	off += r->exe_len & (2 * ET_PATH_MAX - 1);
	if (off > CTX_SIZE + 2 * ET_PATH_MAX) {
		__sync_fetch_and_add(&counters.lost, 1); /* cannot happen: both lengths are bounded */
		return 0;
	}
	r->cwd_len = read_cwd(task, r->data + off, &r->flags);
	off += r->cwd_len & (2 * ET_PATH_MAX - 1);
	if (off > CTX_SIZE + 3 * ET_PATH_MAX) {
		__sync_fetch_and_add(&counters.lost, 1); /* cannot happen: the three lengths are bounded */
		return 0;
	}

	arg_start = task->mm->arg_start;
	arg_end = task->mm->arg_end;
	c = &st->copy;
	c->src = arg_start;
	c->off = off;
	c->done = 0;
	c->fault = false;
	c->len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (c->len > argv_limit) {
		c->len = argv_limit;
		r->flags |= ET_F_ARGV_CUT;
	}
	bpf_loop(ET_ARGV_CAP / ET_CHUNK + 1, copy_chunk, NULL, 0);
	if (c->fault)
		r->flags |= ET_F_ARGV_FAULT;
	r->argv_len = c->done;
	append_env(r, task, append_ancestors(r, task));
	emit(ctx, r);
	return 0;
}

/* ---- failed execs: what was passed, read from the caller's memory at syscall exit ---- */

static __always_inline void exec_entered(const char *filename, const char *const *argv,
					 const char *const *envp)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_exec p = {.filename = filename, .argv = argv, .envp = envp};

	if (!pass_filters())
		return;
	if (bpf_map_update_elem(&pending, &tid, &p, BPF_ANY))
		__sync_fetch_and_add(&counters.lost_pending, 1);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int execve_enter(struct trace_event_raw_sys_enter *ctx)
{
	exec_entered((const char *)ctx->args[0], (const char *const *)ctx->args[1],
		     (const char *const *)ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int execveat_enter(struct trace_event_raw_sys_enter *ctx)
{
	exec_entered((const char *)ctx->args[1], (const char *const *)ctx->args[2],
		     (const char *const *)ctx->args[3]);
	return 0;
}

/* Reads the next pointers of argv into the batch, up to the end of their page so that a batch never faults
 * beyond argv's NULL; false when not even one can be read. */
static __always_inline bool refill(struct argv_walk *w)
{
	__u64 addr = (unsigned long)&w->argv[w->argc];
	__u64 n = (ET_CHUNK - (addr & (ET_CHUNK - 1))) / sizeof(w->batch[0]);

	if (n > PTR_BATCH)
		n = PTR_BATCH;
	if (n == 0)
		n = 1; /* a misaligned pointer across two pages */
	barrier_var(n);
	if (n > PTR_BATCH || bpf_probe_read_user(w->batch, n * sizeof(w->batch[0]), (const void *)addr))
		return false;
	w->next = 0;
	w->have = n;
	return true;
}

/* Past the argv limit only argc is wanted: the rest of the batch is counted in one step of argv_walk_step. */
static long count_pointer(__u32 i, void *data)
{
	union loop_state *st = loop_state();
	struct et_record *r = scratch_record();
	struct argv_walk *w;

	if (!r || !st)
		return 1;
	w = &st->walk;
	if (w->next >= w->have)
		return 1;
	if (!w->batch[w->next & (PTR_BATCH - 1)]) {
		w->end = 1;
		return 1;
	}
	w->next++;
	w->argc++;
	r->flags |= ET_F_ARGV_CUT;
	return 0;
}

/* One step: take the next pointer, count a batch of them, or copy one chunk of the current string. */
static long argv_walk_step(__u32 i, void *data)
{
	union loop_state *st = loop_state();
	struct et_record *r = scratch_record();
	struct argv_walk *w;
	__u64 room, at;
	long n;

	if (!r || !st)
		return 1;
	w = &st->walk;
	if (!w->str) {
		const char *p;

		if (w->next >= w->have && !refill(w)) {
			/* The kernel fails this exec with EFAULT at the same pointer. */
			r->flags |= w->env ? ET_F_ENV_FAULT : ET_F_ARGV_FAULT;
			w->end = 1;
			return 1;
		}
		if (w->used >= w->limit && w->env) {
			/* Past the limit only whether the environment goes on matters. */
			if (w->batch[w->next & (PTR_BATCH - 1)])
				r->flags |= ET_F_ENV_CUT;
			w->end = 1;
			return 1;
		}
		if (w->used >= w->limit) {
			/* A loop of its own: unrolled, its 32 steps made this program ten times longer to
			 * verify. */
			bpf_loop(PTR_BATCH, count_pointer, NULL, 0);
			return w->end & 1; /* the verifier wants a callback's return within [0, 1] */
		}
		p = w->batch[w->next & (PTR_BATCH - 1)];
		w->next++;
		if (!p) {
			w->end = 1;
			return 1;
		}
		w->argc++;
		w->str = p;
	}
	room = w->limit - w->used;
	if (room > ET_CHUNK)
		room = ET_CHUNK;
	at = w->off + w->used;
	barrier_var(at);
	if (at > COPY_AT_MAX)
		return 1;
	n = bpf_probe_read_user_str(r->data + at, room, w->str);
	if (n < 0 && w->env) {
		/* The kernel fails the exec with EFAULT there too. */
		r->flags |= ET_F_ENV_FAULT;
		w->end = 1;
		return 1;
	}
	if (n < 0) {
		__u32 k = r->nr_bad_args;

		if (k < ET_BAD_ARGS_MAX)
			((__u32 *)r->data)[k] = w->argc - 1;
		r->nr_bad_args = k + 1;
		r->data[at] = '\0';
		w->used += 1;
		w->str = NULL;
		return 0;
	}
	if ((__u64)n == room) {
		char next = 0;

		/* The chunk is full: the string ended exactly there, or goes on. */
		bpf_probe_read_user(&next, 1, w->str + n - 1);
		if (next && room == ET_CHUNK) {
			w->used += n - 1; /* resume over our NUL */
			w->str += n - 1;
			return 0;
		}
		if (next) {
			/* The limit cut it: no NUL, so it reads as partial. */
			r->flags |= w->env ? ET_F_ENV_CUT : ET_F_ARGV_CUT;
			w->used += n - 1;
			w->str = NULL;
			return 0;
		}
	}
	w->used += n;
	w->str = NULL;
	return 0;
}

/* A failed exec's environment as passed (envp), read from the caller's memory by argv's walk, with a budget
 * of its own; at off in the record's data. */
static __always_inline void append_failed_env(struct et_record *r, const char *const *envp, __u64 off)
{
	union loop_state *st;

	if (!env_limit || !envp || off == NO_ROOM)
		return;
	st = loop_state();
	if (!st)
		return;
	st->walk = (struct argv_walk){.argv = envp, .off = off, .limit = env_limit, .env = 1};
	bpf_loop(ET_FAILED_ENV_STEPS, argv_walk_step, NULL, 0);
	if (!st->walk.end)
		r->flags |= ET_F_ENV_CUT;
	r->env_len = st->walk.used;
}

static __always_inline void exec_exited(void *ctx, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	union loop_state *st = loop_state();
	struct pending_exec args, *p;
	struct task_struct *task;
	struct et_record *r;
	__u64 off;
	long n;

	if (count_failures_only()) {
		if (ret < 0 && pass_filters())
			count_exec(bpf_get_current_task_btf(), true);
		return;
	}
	p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return;
	args = *p;
	bpf_map_delete_elem(&pending, &tid);
	if (ret >= 0)
		return; /* reported by exec_done */
	if (count_mode) {
		count_exec(bpf_get_current_task_btf(), true);
		/* Recorded too with --metrics beside -x (count_failures_only() is false only then). */
		if (!count_and_trace)
			return;
	}
	r = scratch_record();
	if (!r || !st)
		return;
	task = bpf_get_current_task_btf();
	fill_common(r, task, true);
	r->retval = ret;
	off = r->context_len;
	if (off > CTX_SIZE)
		return; /* cannot happen: fill_context bounds it */
	off += ET_BAD_ARGS_SIZE;
	n = bpf_probe_read_user_str(r->data + off, ET_PATH_MAX, args.filename);
	if (n < 1) {
		r->flags |= ET_F_FILENAME_FAULT;
		n = 1;
	}
	r->filename_len = n - 1;
	r->exe_len = 0;
	off += r->filename_len & (ET_PATH_MAX - 1);
	r->cwd_len = read_cwd(task, r->data + off, &r->flags);
	off += r->cwd_len & (2 * ET_PATH_MAX - 1);
	if (off > PRE_SIZE + 2 * ET_PATH_MAX)
		return; /* cannot happen: both lengths are bounded */
	st->walk = (struct argv_walk){.argv = args.argv, .off = off, .limit = argv_limit};
	if (args.argv) {
		/* Bounded whatever the caller passes: a walk that did not reach argv's end leaves argc a
		 * lower bound. */
		bpf_loop(ET_FAILED_WALK_STEPS, argv_walk_step, NULL, 0);
		if (!st->walk.end)
			r->flags |= ET_F_ARGV_CUT | ET_F_ARGC_PARTIAL;
	}
	r->argc = st->walk.argc;
	r->argv_len = st->walk.used;
	append_failed_env(r, args.envp, append_ancestors(r, task));
	emit(ctx, r);
}

SEC("tracepoint/syscalls/sys_exit_execve")
int execve_exit(struct trace_event_raw_sys_exit *ctx)
{
	exec_exited(ctx, ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int execveat_exit(struct trace_event_raw_sys_exit *ctx)
{
	exec_exited(ctx, ctx->ret);
	return 0;
}
