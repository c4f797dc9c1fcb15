/* Signal names as exit records show them. */
#ifndef SIGNALS_H
#define SIGNALS_H

#include <stddef.h>

/* "SIGKILL" for 9; "SIG<n>" for a number without a name (a real-time signal); buf holds at least 16 bytes. */
const char *signal_name(int sig, char *buf, size_t size);
/* The number signal_name gave name, len bytes long: 0 for a name it never gives. */
int signal_number(const char *name, size_t len);

#endif
