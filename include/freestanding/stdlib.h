/* SPDX-License-Identifier: MIT */
/* stdlib.h for freestanding builds: only what libfdt.h and zlib.h expect. */
#ifndef TV_FREESTANDING_STDLIB_H
#define TV_FREESTANDING_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);

#endif
