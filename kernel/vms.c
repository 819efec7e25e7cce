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
#include <tv/string.h>
#include <tv/sched.h>
#include <tv/vms.h>

static struct vm_slot slots[VMS_MAX];
static unsigned nslots;

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
		unsigned why_line;

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
		if (sched_admit(c, s->why, sizeof(s->why))) {
			/* Point at the key the reason is about. */
			unsigned line = strstr(s->why, "affinity") ? c->cpu_affinity_line
					: strstr(s->why, "limit")  ? c->cpu_max_line
								   : c->cpu_min_line;

			pr_err("%s:%u: %s\n", c->file, line, s->why);
			pr_err("vm %s (%s): not started: its CPU settings cannot be met\n", c->name,
			       c->file);
			continue;
		}
		s->vm = vm_create(c, s->why, sizeof(s->why), &why_line);
		if (!s->vm) {
			/* Resource problems point at the line that asked for the resource. */
			if (why_line)
				pr_err("%s:%u: %s\n", c->file, why_line, s->why);
			else
				pr_err("%s: %s\n", c->file, s->why);
			pr_err("vm %s (%s): not started\n", c->name, c->file);
			continue;
		}
		if (corrupt && strcmp(corrupt, c->name) == 0)
			vm_test_corrupt(s->vm);
		s->state = VM_STATE_RUNNING;
	}
}

/*
 * The host's serial input goes to one VM's serial port (console.attach=NAME)
 * until the operator console can switch it.
 */
static struct vm *attached;

void vms_attach_console(const char *name)
{
	for (unsigned i = 0; name && i < nslots; i++) {
		if (slots[i].vm && strcmp(slots[i].vm->name, name) == 0) {
			attached = slots[i].vm;
			pr_info("console: serial input goes to VM %s\n", name);
			return;
		}
	}
	if (name)
		pr_warn("console: console.attach=%s: no such running VM\n", name);
}

void vms_console_pump(void)
{
	int c;

	/* What the VM's queue cannot take stays in the host's ring for later. */
	while (attached && attached->state == VM_STATE_RUNNING &&
	       attached->con_in_head - attached->con_in_tail < sizeof(attached->con_in) &&
	       (c = uart_getc()) >= 0) {
		char ch = (char)c;

		vm_console_input(attached, &ch, 1);
	}
	if (!attached || attached->state != VM_STATE_RUNNING)
		while (uart_getc() >= 0)
			; /* nobody to type to: drop it */
}

unsigned vms_count(void)
{
	return nslots;
}

struct vm_slot *vms_slot(unsigned i)
{
	return i < nslots ? &slots[i] : NULL;
}
