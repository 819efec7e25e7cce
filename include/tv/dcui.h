/* SPDX-License-Identifier: MIT */
/*
 * dcui.h: the direct console, as ESXi's DCUI: a status screen (hostname,
 * management address, CPUs, memory, VMs), F2 to configure the management
 * network, a VM screen (start, stop, restart, attach to the serial
 * console), a log view, F12 to shut down or restart. Every function key has
 * a letter for serial terminals that send none.
 *
 * Pure (kernel/dcui.c): keys come in, text goes out through ops; the host
 * side (kernel/dcui_host.c) supplies the facts and carries out actions.
 * Output is lines, not cursor addressing, so that it reads the same on a
 * serial terminal, in a log file and on the framebuffer.
 */
#ifndef TV_DCUI_H
#define TV_DCUI_H

#include <tv/hostcfg.h>
#include <tv/mgmt.h>

struct dcui_host {
	const char *version;
	unsigned cpus, vm_cpus;         /* CPUs found, CPUs running vCPUs */
	u64 mem_mib, free_mib;
	struct mgmt_status net;
	const char *save_why;           /* NULL: changes are saved; else why not */
};

struct dcui_vm {
	char name[32];
	const char *state;              /* "running", "off", "crashed", "not started" */
	bool running;
	unsigned cpu_permille;          /* share of one CPU over the last interval */
	unsigned mem_mib;
	unsigned granted_mib;           /* of mem_mib, with frames of its own */
	unsigned shared_mib, zero_mib;  /* on frames shared with other pages, on the zero frame */
	unsigned balloon_mib;           /* in the guest's balloon */
	unsigned overhead_kib;          /* the hypervisor's memory for the VM */
	unsigned vcpus;
};

enum dcui_vm_op { DCUI_VM_START, DCUI_VM_STOP, DCUI_VM_RESTART };

struct dcui_ops {
	void (*out)(void *ctx, const char *s);
	void (*host)(void *ctx, struct dcui_host *h);
	unsigned (*vm_count)(void *ctx);
	void (*vm_info)(void *ctx, unsigned i, struct dcui_vm *vm);
	/* 0, or -1 with msg saying why not. msg also reports success. */
	int (*vm_op)(void *ctx, unsigned i, enum dcui_vm_op op, char *msg, size_t len);
	/* Send the operator's input to VM i's serial port until detach. 0 or -1 with msg. */
	int (*attach)(void *ctx, unsigned i, char *msg, size_t len);
	void (*detach)(void *ctx);
	/* Use and save new settings (already checked). msg: "saved", or why not saved. */
	void (*apply)(void *ctx, const struct hostcfg *c, char *msg, size_t len);
	size_t (*log_tail)(void *ctx, char *buf, size_t size);
	void (*power)(void *ctx, bool restart);
};

enum dcui_screen {
	DCUI_STATUS, DCUI_CONFIG, DCUI_VMS, DCUI_LOG, DCUI_POWER, DCUI_PROMPT, DCUI_CONFIRM,
	DCUI_ATTACHED,
};

enum dcui_field { DCUI_F_HOSTNAME, DCUI_F_ADDRESS, DCUI_F_GATEWAY, DCUI_F_DNS };
enum dcui_action { DCUI_A_STOP, DCUI_A_RESTART, DCUI_A_HALT, DCUI_A_REBOOT };

#define DCUI_LINE_MAX 80

struct dcui {
	const struct dcui_ops *ops;
	void *ctx;
	enum dcui_screen screen;
	struct hostcfg cfg;             /* the settings in use */
	struct hostcfg edit;            /* being edited: address, then gateway */
	enum dcui_field field;
	enum dcui_action action;        /* waiting for y/n */
	enum dcui_screen back;          /* where a prompt or confirmation returns */
	unsigned sel;                   /* the selected VM */
	char line[DCUI_LINE_MAX + 1];
	unsigned len;
};

void dcui_init(struct dcui *d, const struct dcui_ops *ops, void *ctx, const struct hostcfg *cfg);
/* One key from any keyboard (tv/keys.h). */
void dcui_key(struct dcui *d, int key);
/* Draw the current screen again (a changed address, a VM that stopped). */
void dcui_redraw(struct dcui *d);
/* Attached to a VM's serial console: the host sends it input, Ctrl-] comes here. */
static inline bool dcui_attached(const struct dcui *d)
{
	return d->screen == DCUI_ATTACHED;
}

#endif
