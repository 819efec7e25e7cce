/* SPDX-License-Identifier: MIT */
/*
 * efivar.h: UEFI variables through the runtime services the loader kept
 * (kernel/efivar.c). Only on UEFI boots; GRUB/multiboot boots have none.
 * Calls are serialized host-wide and run with interrupts off.
 */
#ifndef TV_EFIVAR_H
#define TV_EFIVAR_H

#include <tv/types.h>

/* The vendor GUID of thinvisor's variables: d99e1718-d4c7-400f-b6ba-b5b35f7f1138. */
#define TV_EFI_GUID_INIT { 0xd99e1718, 0xd4c7, 0x400f, { 0xb6, 0xba, 0xb5, 0xb3, 0x5f, 0x7f, 0x11, 0x38 } }
/* The saved host settings (lib/hostcfg.c's saved form); non-volatile, boot + runtime access. */
#define TV_EFI_SETTINGS_VAR "ThinvisorSettings"

struct bootinfo;

/* Take the runtime services from the boot info; false with *why if unusable. */
bool efivar_init(const struct bootinfo *bi, const char **why);
bool efivar_usable(void);
/* Write name (ASCII) under thinvisor's GUID, non-volatile. 0 or -errno (-ENODEV: no runtime services). */
int efivar_set(const char *name, const void *data, size_t len);
/* Read it back: 0 with *len set, -ENOENT, -ENOSPC (*len: the size needed), -ENODEV, -EIO. */
int efivar_get(const char *name, void *buf, size_t *len);
/* Tests (test.efivar=TEXT): log a test variable's previous value, write TEXT, read it back. */
void efivar_selftest(const char *text);

#endif
