/* SPDX-License-Identifier: MIT */
/* vms.h: the VMs defined on the stick, started at boot (kernel/vms.c). */
#ifndef TV_VMS_H
#define TV_VMS_H

#include <tv/vmm.h>

struct bootinfo;

#define VMS_MAX 64

/* What the host knows about each config on the stick, started or not. */
struct vm_slot {
	struct vm_config cfg;
	bool config_ok;
	struct vm *vm;            /* NULL if never started */
	enum vm_state state;      /* REFUSED until started */
	char why[128];
};

/*
 * Parse every VM config among the boot modules, report each problem as
 * "file:line: reason", and start every valid autostart VM in start order.
 * vmm_ready false: virtualization is unavailable (reason given); the
 * configs are still checked and listed.
 */
void vms_start_all(const struct bootinfo *bi, bool vmm_ready, const char *no_vmm_reason);
/* Send the host's serial input to the running VM called name. */
void vms_attach_console(const char *name);
/* Move typed bytes to the attached VM (called by the scheduler loop). */
void vms_console_pump(void);
unsigned vms_count(void);
struct vm_slot *vms_slot(unsigned i);

#endif
