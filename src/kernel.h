/* What exectrace needs of the kernel: the decisions on what tracer.c probed, so each error can be tested on
 * any host and says what is missing before anything is loaded. */
#ifndef KERNEL_H
#define KERNEL_H

/* 0 when the kernel's own BTF (kernel_btf, /sys/kernel/btf/vmlinux) can be read: the tp_btf programs and the
 * typed loads need it. */
int kernel_check_btf(const char *kernel_btf);
/* 0 unless bpf_loop, which the argv and path copies use, is missing: probed is libbpf_probe_bpf_helper's
 * answer (1 present, 0 missing, <0 could not tell: the load will say). */
int kernel_check_bpf_loop(int probed);

#endif
