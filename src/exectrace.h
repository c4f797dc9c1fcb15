/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record the kernel programs send and user space decodes: one header, then
 * filename, exe and argv bytes back to back (lengths in the header). Shared by
 * src/bpf/exectrace.bpf.c and the user-space decoder (src/event.c).
 */
#ifndef EXECTRACE_H
#define EXECTRACE_H

#define ET_COMM_LEN 16
#define ET_PATH_MAX 4096
/* Failed execs: how many unreadable argument positions are named one by one. */
#define ET_BAD_ARGS_MAX 8
/* argv capture limit: default, and the most the kernel side is built for. */
#define ET_ARGV_DEFAULT 65536	/* 64 KiB */
#define ET_ARGV_CAP	1048576 /* 1 MiB */
/* A perf sample carries at most 64 KiB with its headers. */
#define ET_PERF_RECORD_MAX (65535 - 64)
/* Chunk in which argv is copied: one page keeps each read inside one fault-free page run. */
#define ET_CHUNK 4096

enum et_record_type {
	ET_REC_EXEC = 1,
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
	/* The binary's path was deeper than the kernel walk follows: exe holds its tail. */
	ET_F_EXE_CUT = 1 << 4,
	/* filename could not be read. */
	ET_F_FILENAME_FAULT = 1 << 5,
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
	unsigned int exe_len;  /* 0: no binary ran (failed exec) */
	unsigned int argv_len; /* NUL-separated; the last may lack its NUL when cut */
	unsigned int nr_bad_args;
	unsigned int bad_args[ET_BAD_ARGS_MAX];
	char comm[ET_COMM_LEN];
	char data[];
};

/* Counters the kernel side keeps in .bss; user space reads them through the mmapped skeleton. */
struct et_counters {
	unsigned long long lost;	 /* records the transport refused (buffer full) */
	unsigned long long lost_pending; /* failed-exec entries that did not fit the pending map */
};

#endif
