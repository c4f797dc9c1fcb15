/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The records the kernel programs send and user space decodes. An exec's: one header, then a failed exec's
 * unreadable argument positions (ET_F_BAD_ARGS), the context (JSON), filename, exe, cwd and argv bytes, the
 * ancestors and the environment back to back (lengths and counts in the header). A fork's and an exit's: one
 * fixed struct each. All start with {type, flags}. Shared by
 * src/bpf/exectrace.bpf.c and the user-space decoder (src/event.c).
 */
#ifndef EXECTRACE_H
#define EXECTRACE_H

#define ET_COMM_LEN 16
/* tty_struct.name */
#define ET_TTY_LEN  64
#define ET_PATH_MAX 4096
/* Failed execs: how many unreadable argument positions are named one by one. */
#define ET_BAD_ARGS_MAX 8
/* argv capture limit: default, and the most the kernel side is built for. */
#define ET_ARGV_DEFAULT 65536	/* 64 KiB */
#define ET_ARGV_CAP	1048576 /* 1 MiB */
/* A perf sample carries at most 64 KiB with its headers. */
#define ET_PERF_RECORD_MAX (65535 - 64)
/* Steps a failed exec's argv walk takes at most, whatever the caller passes: each copies one argument (or 4
 * KiB of one) or, past --argv-bytes, counts up to 32 pointers. Bounds the work done in the syscall's exit. */
#define ET_FAILED_WALK_STEPS 16384
/* The same for a failed exec's environment (--env), each step one entry (or 4 KiB of one). */
#define ET_FAILED_ENV_STEPS 4096
/* Ancestors (-j): the most a record can hold, and how many by default (--ancestors). */
#define ET_ANCESTORS_MAX     64
#define ET_ANCESTORS_DEFAULT 0
/* The environment (--env): capture limit by default (--env-bytes), and the most the kernel side is built for.
 */
#define ET_ENV_DEFAULT 32768   /* 32 KiB */
#define ET_ENV_CAP     1048576 /* 1 MiB */
/* Chunk in which argv is copied: one page keeps each read inside one fault-free page run. */
#define ET_CHUNK 4096

enum et_record_type {
	ET_REC_EXEC = 1,
	ET_REC_FORK, /* struct et_fork_record (--forks) */
	ET_REC_EXIT, /* struct et_exit_record (--exits) */
};

enum et_flags {
	/* argv bytes beyond the capture limit were not copied. */
	ET_F_ARGV_CUT = 1 << 0,
	/* Reading argv faulted: arguments from the last complete one on are unreadable. */
	ET_F_ARGV_FAULT = 1 << 1,
	/* filename is bprm->filename built from execveat's fd ("/dev/fd/N[/rel]"). */
	ET_F_FDPATH = 1 << 2,
	/* The binary's path is not reachable by name: unlinked, or a memfd. */
	ET_F_EXE_DELETED = 1 << 3,
	/* The binary's path could not be named whole (longer than PATH_MAX, deeper than the walk's steps, or
	 * a name that could not be read): exe holds its tail. */
	ET_F_EXE_CUT = 1 << 4,
	/* filename could not be read. */
	ET_F_FILENAME_FAULT = 1 << 5,
	/* A failed exec's argv walk ran out of steps before argv's end: argc is a lower bound. */
	ET_F_ARGC_PARTIAL = 1 << 6,
	/* The working directory was removed. */
	ET_F_CWD_DELETED = 1 << 7,
	/* The working directory could not be named whole, as for ET_F_EXE_CUT: cwd holds its tail. */
	ET_F_CWD_CUT = 1 << 8,
	/* A failed exec's record: ET_BAD_ARGS_SIZE bytes after the header name the first unreadable argument
	 * positions (see nr_bad_args). A successful exec has no unreadable argument, and not these bytes. */
	ET_F_BAD_ARGS = 1 << 9,
	/* The chain of ancestors went on past the number asked for (--ancestors). */
	ET_F_ANCESTORS_CUT = 1 << 10,
	/* Environment bytes beyond --env-bytes were not copied. */
	ET_F_ENV_CUT = 1 << 11,
	/* Reading the environment faulted: entries from the last complete one on are unreadable. */
	ET_F_ENV_FAULT = 1 << 12,
};

/* The unreadable argument positions of a failed exec: ET_BAD_ARGS_MAX u32, the first nr_bad_args used. */
#define ET_BAD_ARGS_SIZE (ET_BAD_ARGS_MAX * sizeof(unsigned int))

/* The namespaces of a record, by the inode number /proc/PID/ns/<name> shows. */
enum et_ns {
	ET_NS_MNT,
	ET_NS_PID,
	ET_NS_NET,
	ET_NS_UTS,
	ET_NS_IPC,
	ET_NS_USER,
	ET_NS_CGROUP,
	ET_NS_TIME,
	ET_NS_COUNT,
};

/* loginuid and sessionid when unset (the kernel's AUDIT_UID_UNSET and AUDIT_SID_UNSET). */
#define ET_ID_UNSET 0xffffffffU

/*
 * The context of an exec, groups of JSON fields each read in the kernel only when shown (--context): ET_CTX_*
 * bits, set at load. A record carries it (context_len) only in JSON mode.
 */
enum et_context_group {
	ET_CTX_IDS = 1 << 0,	 /* euid, egid */
	ET_CTX_SESSION = 1 << 1, /* loginuid, sessionid */
	ET_CTX_TTY = 1 << 2,
	ET_CTX_CWD = 1 << 3,
	ET_CTX_CGROUP = 1 << 4, /* cgroup_id, cgroup, container_id */
	ET_CTX_NS = 1 << 5,
	ET_CTX_CAPS = 1 << 6, /* cap_effective */
	ET_CTX_ALL = (1 << 7) - 1,
};

struct et_record {
	unsigned int type;
	unsigned int flags;
	unsigned long long ktime_ns; /* CLOCK_BOOTTIME */
	unsigned int pid;	     /* tgid after the exec */
	unsigned int ppid;
	unsigned int uid; /* real ids */
	unsigned int gid;
	int retval;	   /* 0, or -errno for a failed exec */
	unsigned int argc; /* the true count, whatever was copied */
	unsigned int filename_len;
	unsigned int exe_len; /* 0: no binary ran (failed exec) */
	unsigned int cwd_len;
	unsigned int argv_len;	   /* NUL-separated; the last may lack its NUL when cut */
	unsigned int nr_ancestors; /* struct et_ancestor entries after argv, nearest first */
	unsigned int env_len;	   /* after the ancestors, NUL-separated like argv; 0 unless --env */
	unsigned int nr_bad_args;  /* all of them: the first ET_BAD_ARGS_MAX are named (ET_F_BAD_ARGS) */
	/* 0, or the context's length (JSON): the context is then the first bytes of data, struct et_context
	 * up to its tty (ET_CONTEXT_MIN bytes) and, with the tty group, the terminal's name and its NUL. Text
	 * mode sends none: every byte of a record costs the kernel a write to the buffer, most of them cache
	 * misses. */
	unsigned int context_len;
	char comm[ET_COMM_LEN];
	char data[];
};

/* One process above the parent of the process that execs, as it was at the exec (its thread group leader). */
struct et_ancestor {
	unsigned long long start_time; /* its exec identity, as struct et_record's */
	unsigned long long exec_seq;
	unsigned int pid; /* tgid */
	char comm[ET_COMM_LEN];
	unsigned int pad;
};

/* Threads of an exiting process whose CPU time is added up one by one at most: those not yet released (the
 * kernel keeps the released ones' sum). Past it, ET_X_CPU_CUT. */
#define ET_THREAD_WALK_MAX 1024

/* A new process (thread group): not a new thread. Starts with struct et_record's {type, flags}. */
struct et_fork_record {
	unsigned int type; /* ET_REC_FORK */
	unsigned int flags;
	unsigned long long ktime_ns; /* CLOCK_BOOTTIME */
	unsigned int pid;	     /* the child's */
	unsigned int ppid;	     /* its parent's (the forking process, or its parent with CLONE_PARENT) */
	unsigned int uid;
	unsigned int pad;
	/* The child's exec identity (its start_time; the self_exec_id it copied at the fork: the image it
	 * runs until it execs) and its parent's, as in struct et_record. */
	unsigned long long start_time;
	unsigned long long exec_seq;
	unsigned long long parent_start_time;
	unsigned long long parent_exec_seq;
	char comm[ET_COMM_LEN];
};

enum et_exit_flags {
	/* More threads than ET_THREAD_WALK_MAX were still to add up: the CPU times are lower bounds. */
	ET_X_CPU_CUT = 1 << 0,
};

/* A process whose last thread ended. Starts with struct et_record's {type, flags}. */
struct et_exit_record {
	unsigned int type;	     /* ET_REC_EXIT */
	unsigned int flags;	     /* ET_X_* */
	unsigned long long ktime_ns; /* CLOCK_BOOTTIME */
	unsigned int pid;
	unsigned int ppid;
	unsigned int uid;
	/* As wait() gives it: the signal in bits 0-6, 0x80 when a core was dumped, else the code in bits
	 * 8-15. */
	unsigned int status;
	unsigned long long start_time;
	unsigned long long exec_seq;
	unsigned long long parent_start_time;
	unsigned long long parent_exec_seq;
	unsigned long long since_ns; /* CLOCK_BOOTTIME of its start (start_boottime) */
	/* The thread group's tick-sampled user and system time and its exact run time (ns): user space splits
	 * the run time in their ratio, as getrusage() does. */
	unsigned long long utime_ns;
	unsigned long long stime_ns;
	unsigned long long runtime_ns;
	unsigned long long max_rss; /* bytes */
	unsigned long long
	    cgroup_id; /* the cgroup v2 it ended in, for --metrics' cgroup and container labels (else 0) */
	char comm[ET_COMM_LEN];
};

/* The kernel writes the variable part at data, user space reads it at sizeof: they must agree. */
_Static_assert(__builtin_offsetof(struct et_record, data) == sizeof(struct et_record),
	       "struct et_record must end 8-byte aligned");

/* The exec identity, and the context groups asked for (the fields of the others are left as they were). */
struct et_context {
	/* The exec identity of the process (pid) and of its parent (ppid): the thread group leader's
	 * start_time (CLOCK_MONOTONIC ns at fork) and self_exec_id (one more with each exec). For a failed
	 * exec, the caller's, unchanged. Always there. */
	unsigned long long start_time;
	unsigned long long exec_seq;
	unsigned long long parent_start_time;
	unsigned long long parent_exec_seq;
	unsigned long long cgroup_id;	  /* cgroup v2 */
	unsigned long long cap_effective; /* bit n: capability n */
	unsigned int euid;		  /* effective ids */
	unsigned int egid;
	unsigned int loginuid;	      /* ET_ID_UNSET: unset */
	unsigned int sessionid;	      /* ET_ID_UNSET: unset */
	unsigned int ns[ET_NS_COUNT]; /* inode numbers; 0: unknown */
	/* The controlling terminal's name (tty_struct.name), "" when none: last, sent up to its NUL only. */
	char tty[ET_TTY_LEN];
};

/* The shortest context: all but the terminal's name. */
#define ET_CONTEXT_MIN __builtin_offsetof(struct et_context, tty)

_Static_assert(sizeof(struct et_context) % 8 == 0, "data after struct et_context must stay 8-byte aligned");

/* Count mode (--count): which fields make up a count key. */
enum et_count_field {
	ET_KEY_UID = 1 << 0,
	ET_KEY_COMM = 1 << 1,
	ET_KEY_PID = 1 << 2,  /* with the process's command name */
	ET_KEY_PPID = 1 << 3, /* with the parent's command name */
	ET_KEY_EXE = 1 << 4,
	ET_KEY_CGROUP = 1 << 5,
};

/* The binary's identity; its path is kept apart, once per binary (see exe_names). */
struct et_exe_id {
	unsigned long long ino;
	unsigned int dev;
	unsigned int pad;
};

/* The path of a binary counted by ET_KEY_EXE (len bytes, no NUL; flags as ET_F_EXE_*). */
struct et_exe_name {
	unsigned int len;
	unsigned int flags;
	char path[ET_PATH_MAX];
};

/* Fields outside the selected ones stay zero, so those execs add up under one key. */
struct et_count_key {
	unsigned int uid;
	unsigned int pid;
	unsigned int ppid;
	unsigned int failed; /* 1 for a failed exec (-x): counted apart */
	unsigned long long cgroup;
	struct et_exe_id exe;
	char comm[ET_COMM_LEN]; /* ET_KEY_COMM */
};

/* A count, and the names that go with pid and ppid keys: the latest, since a process's name changes
 * with each exec while it stays the same process. */
struct et_count_value {
	unsigned long long count;
	char comm[ET_COMM_LEN];	 /* ET_KEY_PID: the process's */
	char pcomm[ET_COMM_LEN]; /* ET_KEY_PPID: the parent's */
};

/* The most argv and environment together that a perf sample holds next to the header, filename, exe, cwd and
 * n ancestors, in whole KiB (user space only). */
#define ET_PERF_ROOM(n)                                                                                      \
	((ET_PERF_RECORD_MAX - sizeof(struct et_record) - ET_BAD_ARGS_SIZE - sizeof(struct et_context) -     \
	  3UL * ET_PATH_MAX - (unsigned long)(n) * sizeof(struct et_ancestor)) &                             \
	 ~1023UL)

/* Counters the kernel side keeps in .bss; user space reads them through the mmapped skeleton. */
struct et_counters {
	unsigned long long lost;	 /* records the transport refused (buffer full) */
	unsigned long long lost_pending; /* failed-exec entries that did not fit the pending map */
	/* Count mode: execs whose key did not fit the count map, per generation (see count_gen). */
	unsigned long long count_overflow[2];
};

#endif
