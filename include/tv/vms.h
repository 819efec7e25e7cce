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
unsigned vms_count(void);
struct vm_slot *vms_slot(unsigned i);
/* The slot of the VM called name, or -1. */
int vms_find(const char *name);
/* Its state as the console shows it: the VM's own once it was created. */
enum vm_state vms_state(const struct vm_slot *s);

/* The console's VM screen. 0, or -1; msg says what happened either way. */
int vms_start(unsigned i, char *msg, size_t len);
/* Power off, or reset (restart: a VM that is off is started). */
int vms_stop(unsigned i, bool restart, char *msg, size_t len);
/* The operator's input goes to VM i's serial port (vms_console_put) until vms_detach. */
int vms_attach(unsigned i, char *msg, size_t len);
void vms_detach(void);
/* Attached, and that VM still runs. */
bool vms_attached(void);
/* One typed byte to the attached VM; false if its input queue is full. */
bool vms_console_put(char c);

#endif
