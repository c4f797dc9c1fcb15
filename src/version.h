/* exectrace --version. */
#ifndef VERSION_H
#define VERSION_H

#include <stdio.h>

/* Prints the version, the commit it was built from and libbpf's version; the exit status. */
int version_print(FILE *f);

#endif
