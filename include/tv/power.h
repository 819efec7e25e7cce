/* SPDX-License-Identifier: MIT */
/* power.h: resetting and powering off the host through ACPI (kernel/power.c). */
#ifndef TV_POWER_H
#define TV_POWER_H

#include <tv/compiler.h>

/* ACPI reset register, then the legacy ways. */
void __noreturn power_reset(void);
/* ACPI S5 soft-off; halts with a message if the platform cannot. */
void __noreturn power_off(void);

#endif
