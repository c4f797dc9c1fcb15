/* Capability names, as <linux/capability.h> numbers them. */
#ifndef CAPS_H
#define CAPS_H

#include <stddef.h>

/* "CAP_CHOWN" for 0; "CAP_<n>" (written in buf) for a capability this build has no name for. */
const char *cap_name(unsigned int cap, char *buf, size_t size);

#endif
