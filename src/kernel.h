/* What exectrace needs of the kernel, checked before loading so the error says what is missing. */
#ifndef KERNEL_H
#define KERNEL_H

/* bpf_loop, which the argv and path copies use, came in 5.17. */
#define KERNEL_MIN_MAJOR 5
#define KERNEL_MIN_MINOR 17

/* 0 when a kernel of this release (uname -r) is new enough, or when the release cannot be read. */
int kernel_check_release(const char *release);
/* 0 when BTF can be had: the file given with --btf (btf_file), else the kernel's own at kernel_btf. */
int kernel_check_btf(const char *btf_file, const char *kernel_btf);

#endif
