/* Errno names as failed exec records show them. */
#ifndef ERRNOS_H
#define ERRNOS_H

#include <stddef.h>

/* "ENOENT" for 2; "E<n>" for a value without a name (written into buf, which holds at least 16 bytes). */
const char *error_name(int err, char *buf, size_t size);

#endif
