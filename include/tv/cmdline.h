/* SPDX-License-Identifier: MIT */
/*
 * cmdline.h: kernel options, "key=value" or bare "flag" words separated by
 * spaces, from the boot loader's command line and then the settings key
 * kernel.cmdline (later words win). Options are listed in docs/config.md.
 */
#ifndef TV_CMDLINE_H
#define TV_CMDLINE_H

#include <tv/types.h>

#define CMDLINE_MAX 1024

/* Append words; words past CMDLINE_MAX are dropped and reported by cmdline_overflowed. */
void cmdline_add(const char *s);
bool cmdline_overflowed(void);
/*
 * The value of key (last occurrence), "" for a bare flag, NULL if absent.
 * The string lives in a buffer the next call overwrites: copy it to keep it.
 */
const char *cmdline_get(const char *key);
bool cmdline_flag(const char *key);
/* Unsigned number value of key, or dflt if absent or not a number. */
u64 cmdline_u64(const char *key, u64 dflt);
/* Everything, for the log. */
const char *cmdline_all(void);
void cmdline_reset(void);

#endif
