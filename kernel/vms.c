// SPDX-License-Identifier: MIT
/*
 * vms.c: the VMs on the stick. At boot every config is parsed; problems are
 * reported with file:line and that VM alone is not started; the rest start
 * in their configured order.
 */
#include <arch/mm.h>
#include <tv/bootinfo.h>
#include <tv/cmdline.h>
#include <tv/drivers.h>
#include <tv/heap.h>
#include <tv/log.h>
#include <tv/printf.h>
#include <tv/string.h>
#include <tv/sched.h>
#include <tv/vms.h>

static struct vm_slot slots[VMS_MAX];
static unsigned nslots;
/* The host's serial input goes to this VM's serial port while attached. */
static struct vm *attached;

static bool module_exists(void *ctx, const char *path)
{
	return bootinfo_module(ctx, path) != NULL;
}

static void report(const char *file, const struct vmcfg_diag *d)
{
	for (unsigned i = 0; i < d->n; i++) {
		if (d->d[i].line)
			pr_err("%s:%u: %s\n", file, d->d[i].line, d->d[i].msg);
		else
			pr_err("%s: %s\n", file, d->d[i].msg);
	}
	if (d->dropped)
		pr_err("%s: %u more problems not shown\n", file, d->dropped);
}

static bool vmm_usable;

/* Admit and create the slot's VM; every problem logged as file:line. 0 or -1. */
static int start_slot(struct vm_slot *s)
{
	const struct vm_config *c = &s->cfg;
	unsigned why_line;

	s->state = VM_STATE_REFUSED;    /* until it runs; a failed restart shows so */
	if (sched_admit(c, s->why, sizeof(s->why))) {
		/* Point at the key the reason is about. */
		unsigned line = strstr(s->why, "affinity") ? c->cpu_affinity_line
				: strstr(s->why, "limit")  ? c->cpu_max_line
							   : c->cpu_min_line;

		pr_err("%s:%u: %s\n", c->file, line, s->why);
		pr_err("vm %s (%s): not started: its CPU settings cannot be met\n", c->name, c->file);
		return -1;
	}
	s->vm = vm_create(c, s->why, sizeof(s->why), &why_line);
	if (!s->vm) {
		/* Resource problems point at the line that asked for the resource. */
		if (why_line)
			pr_err("%s:%u: %s\n", c->file, why_line, s->why);
		else
			pr_err("%s: %s\n", c->file, s->why);
		pr_err("vm %s (%s): not started\n", c->name, c->file);
		return -1;
	}
	s->state = VM_STATE_RUNNING;
	return 0;
}

void vms_start_all(const struct bootinfo *bi, bool vmm_ready, const char *no_vmm_reason)
{
	static struct vmcfg_diag diags[VMS_MAX];
	static struct vm_config cfgs[VMS_MAX];
	static bool ok[VMS_MAX];
	static unsigned order[VMS_MAX];
	static struct vm_config sorted[VMS_MAX];
	static struct vmcfg_diag sorted_diags[VMS_MAX];
	static bool sorted_ok[VMS_MAX];
	const char *corrupt = cmdline_get("test.corrupt_vm");

	vmm_usable = vmm_ready;

	nslots = 0;
	for (size_t i = 0; i < bi->nmodules; i++) {
		const struct bi_module *m = &bi->modules[i];

		if (strcmp(m->kind, BI_KIND_VMCONFIG) != 0)
			continue;
		if (nslots == VMS_MAX) {
			pr_err("%s: more than %u VM configs; ignored\n", m->name, VMS_MAX);
			continue;
		}
		ok[nslots] = vmcfg_parse(m->name, phys_to_virt(m->base), m->size, module_exists,
					 (void *)bi, &cfgs[nslots], &diags[nslots]) == 0;
		nslots++;
	}
	/* Names are checked in start order: the VM that would start first keeps its name. */
	vmcfg_start_order(cfgs, order, nslots);
	for (unsigned k = 0; k < nslots; k++) {
		sorted[k] = cfgs[order[k]];
		sorted_diags[k] = diags[order[k]];
		sorted_ok[k] = ok[order[k]];
	}
	vmcfg_check_names(sorted, sorted_diags, sorted_ok, nslots);
	pr_info("vms: %u VM config%s on the stick\n", nslots, nslots == 1 ? "" : "s");

	for (unsigned k = 0; k < nslots; k++) {
		struct vm_config *c = &sorted[k];
		struct vm_slot *s = &slots[k];

		s->cfg = *c;
		s->config_ok = sorted_ok[k];
		s->state = VM_STATE_REFUSED;
		if (!sorted_ok[k]) {
			report(c->file, &sorted_diags[k]);
			tv_strlcpy(s->why, "config errors", sizeof(s->why));
			pr_err("vm %s (%s): not started: config errors\n", c->name, c->file);
			continue;
		}
		if (!vmm_ready) {
			tv_strlcpy(s->why, no_vmm_reason, sizeof(s->why));
			pr_err("vm %s (%s): not started: %s\n", c->name, c->file, no_vmm_reason);
			continue;
		}
		if (!c->autostart) {
			tv_strlcpy(s->why, "autostart is off", sizeof(s->why));
			pr_info("vm %s (%s): not started: autostart is off\n", c->name, c->file);
			continue;
		}
		if (start_slot(s))
			continue;
		if (corrupt && strcmp(corrupt, c->name) == 0)
			vm_test_corrupt(s->vm);
	}
}

/* ---- the console's VM screen ---- */

/* The VM's state as the console shows it. */
enum vm_state vms_state(const struct vm_slot *s)
{
	return s->vm ? READ_ONCE(s->vm->state) : s->state;
}

/* A stopped VM holds its memory until the scheduler has let go of every vCPU. */
static bool released(const struct vm *vm)
{
	return __atomic_load_n(&vm->vcpus_queued, __ATOMIC_ACQUIRE) == 0;
}

int vms_start(unsigned i, char *msg, size_t len)
{
	struct vm_slot *s = vms_slot(i);

	if (!s)
		return -1;
	if (!s->config_ok || !vmm_usable) {
		snprintf(msg, len, "VM %s cannot start: %s", s->cfg.name, s->why);
		return -1;
	}
	if (s->vm && s->vm->state == VM_STATE_RUNNING) {
		snprintf(msg, len, "VM %s is already running", s->cfg.name);
		return -1;
	}
	if (s->vm && !released(s->vm)) {
		snprintf(msg, len, "VM %s is still stopping; try again in a moment", s->cfg.name);
		return -1;
	}
	/*
	 * The old VM object stays allocated: the scheduler's records of its
	 * vCPUs still point at it (they are kept for the life of the host).
	 */
	pr_info("vm %s: starting (asked at the console)\n", s->cfg.name);
	if (start_slot(s)) {
		snprintf(msg, len, "VM %s not started: %s", s->cfg.name, s->why);
		return -1;
	}
	snprintf(msg, len, "VM %s started", s->cfg.name);
	return 0;
}

int vms_stop(unsigned i, bool restart, char *msg, size_t len)
{
	struct vm_slot *s = vms_slot(i);

	if (!s)
		return -1;
	if (!s->vm || s->vm->state != VM_STATE_RUNNING) {
		if (restart)
			return vms_start(i, msg, len);
		snprintf(msg, len, "VM %s is not running", s->cfg.name);
		return -1;
	}
	if (restart) {
		pr_info("vm %s: reset (asked at the console)\n", s->vm->name);
		vm_request_reset(s->vm);
		snprintf(msg, len, "VM %s restarted", s->vm->name);
	} else {
		vm_stop(s->vm, VM_STATE_OFF, "powered off at the console");
		if (attached == s->vm)
			attached = NULL;
		snprintf(msg, len, "VM %s powered off", s->vm->name);
	}
	return 0;
}

int vms_attach(unsigned i, char *msg, size_t len)
{
	struct vm_slot *s = vms_slot(i);

	if (!s || !s->vm || s->vm->state != VM_STATE_RUNNING) {
		snprintf(msg, len, "VM %s is not running", s ? s->cfg.name : "?");
		return -1;
	}
	attached = s->vm;
	pr_info("console: input goes to VM %s (Ctrl-] detaches)\n", s->vm->name);
	return 0;
}

void vms_detach(void)
{
	attached = NULL;
}

int vms_find(const char *name)
{
	for (unsigned i = 0; name && i < nslots; i++)
		if (strcmp(slots[i].cfg.name, name) == 0)
			return (int)i;
	return -1;
}

bool vms_attached(void)
{
	return attached && READ_ONCE(attached->state) == VM_STATE_RUNNING;
}

bool vms_console_put(char c)
{
	/* What the VM's queue cannot take waits with the caller. */
	return attached && vm_console_input(attached, &c, 1) == 1;
}

unsigned vms_count(void)
{
	return nslots;
}

struct vm_slot *vms_slot(unsigned i)
{
	return i < nslots ? &slots[i] : NULL;
}
