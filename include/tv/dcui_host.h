/* SPDX-License-Identifier: MIT */
/*
 * dcui_host.h: the host side of the direct console (kernel/dcui_host.c):
 * the host settings it edits, where they come from and where they are
 * saved, and the input it reads from the serial line and the keyboard.
 */
#ifndef TV_DCUI_HOST_H
#define TV_DCUI_HOST_H

#include <tv/hostcfg.h>

struct bootinfo;

/*
 * Settings from settings.cfg, then those saved at the console (a UEFI
 * variable), which take precedence; a damaged saved copy is reported and
 * settings.cfg used (docs/config.md, "Precedence").
 */
void host_settings_init(const struct bootinfo *bi);
const struct hostcfg *host_settings(void);
/* Show the status screen; attach: a VM whose console gets the input (NULL: none). */
void dcui_start(unsigned cpus, unsigned vm_cpus, const char *attach);
/* Read typed input and act on it (the boot CPU's scheduler loop). */
void dcui_pump(void);

#endif
