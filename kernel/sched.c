// SPDX-License-Identifier: MIT
/*
 * sched.c: the vCPU scheduler of this version: every vCPU runs on the boot
 * CPU, round-robin with 10 ms slices. A halted vCPU is skipped until an
 * interrupt or a timer is due for it; with nothing to run the CPU halts.
 */
#include <tv/arch.h>
#include <tv/ktimer.h>
#include <tv/log.h>
#include <tv/sched.h>
#include <tv/vmm.h>
#include <tv/vms.h>

#define SLICE_NS 10000000ull
#define MAX_VCPUS 256

static struct vcpu *runq[MAX_VCPUS];
static unsigned nrun, cursor;
static volatile bool need_resched;
static struct ktimer slice_timer;
static struct vcpu *last_run;
static struct vcpu *current;     /* inside vcpu_run right now, or NULL */

static void slice_end(struct ktimer *t)
{
	(void)t;
	need_resched = true;
}

static u64 cpu_mask;

void sched_cpu_add(unsigned cpu)
{
	__atomic_or_fetch(&cpu_mask, 1ull << cpu, __ATOMIC_RELEASE);
}

void sched_add(struct vcpu *v)
{
	irqflags_t f = arch_irq_save();

	if (nrun < MAX_VCPUS)
		runq[nrun++] = v;
	else
		pr_err("sched: more than %u vCPUs; %s vCPU %u never runs\n", MAX_VCPUS,
		       v->vm->name, v->id);
	arch_irq_restore(f);
}

bool sched_need_resched(void)
{
	return need_resched;
}

void sched_wake(void)
{
	need_resched = true;
}

void sched_wake_vcpu(struct vcpu *v)
{
	/* The running vCPU notices new interrupts at its next entry by itself. */
	if (v != current)
		need_resched = true;
}

unsigned sched_running_vms(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nrun; i++)
		if (runq[i]->vm->state == VM_STATE_RUNNING && runq[i]->id == 0)
			n++;
	return n;
}

/* Drop vCPUs of stopped VMs from the queue; the VM keeps only its status. */
static void reap(void)
{
	for (unsigned i = 0; i < nrun;) {
		struct vcpu *v = runq[i];

		if (v->vm->state == VM_STATE_RUNNING) {
			i++;
			continue;
		}
		if (last_run == v)
			last_run = NULL;
		runq[i] = runq[--nrun];
		if (cursor > nrun)
			cursor = 0;
		vm_release_if_idle(v);
	}
}

/*
 * A vCPU that was halted and now has an interrupt or timer due runs first
 * (a wake-up boost, as Xen's credit scheduler gives): it will usually handle
 * it and halt again at once, and its timers stay accurate. The rest share
 * the CPU round-robin.
 */
static struct vcpu *pick(void)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned k = 0; k < nrun; k++) {
			struct vcpu *v = runq[(cursor + k) % nrun];

			if ((pass == 0 && !v->halted) || !vcpu_runnable(v))
				continue;
			cursor = (cursor + k + 1) % nrun;
			return v;
		}
	}
	return NULL;
}

void sched_run(void)
{
	if (arch_cpu_id() != 0) {
		/* Interim: application processors idle until the SMP scheduler. */
		arch_irq_enable();
		for (;;)
			arch_wait_for_interrupt();
	}
	slice_timer.fn = slice_end;
	for (;;) {
		struct vcpu *v;

		vms_console_pump();
		arch_irq_disable();
		reap();
		v = pick();
		if (!v) {
			if (sched_idle_hook())
				continue;
			/* sti;hlt is atomic: a wake-up interrupt cannot slip in between. */
			arch_wait_for_interrupt();
			continue;
		}
		need_resched = false;
		ktimer_arm(&slice_timer, arch_uptime_ns() + SLICE_NS);
		arch_irq_enable();
		if (last_run && last_run != v)
			vcpu_put(last_run);
		last_run = v;
		current = v;
		vcpu_run(v);
		current = NULL;
		ktimer_cancel(&slice_timer);
	}
}
