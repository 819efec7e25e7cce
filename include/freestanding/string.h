/* SPDX-License-Identifier: MIT */
/* string.h for freestanding builds: thinvisor's own (lib/string.c). */
#ifndef TV_FREESTANDING_STRING_H
#define TV_FREESTANDING_STRING_H

#include <tv/string.h>

#endif
