// SPDX-License-Identifier: MIT
/*
 * vtimer.c: device timers of a VM. Armed vtimers are kept sorted in the VM;
 * one host ktimer is armed for the earliest. Its interrupt only marks the
 * VM as having due timers; the device callbacks run later in the VM's run
 * loop, never in interrupt context (tv/vdev.h promises that).
 */
#include <tv/arch.h>
#include <tv/ktimer.h>
#include <tv/vmm.h>
#include "vmm_internal.h"

static void vm_ktimer_fn(struct ktimer *t)
{
	struct vm *vm = t->data;

	/*
	 * Whichever vCPU of the VM loops next runs the device callbacks, which
	 * kick the vCPUs they interrupt. vCPU 0 is the one woken for them: it
	 * never waits for SIPI, and waking every vCPU would be a thundering herd.
	 */
	WRITE_ONCE(vm->timers_due, true);
	vcpu_kick(vm->vcpus[0]);
}

static void rearm(struct vm *vm)
{
	if (vm->timers)
		ktimer_arm(&vm->ktimer, vm->timers->deadline_ns);
	else
		ktimer_cancel(&vm->ktimer);
}

static void unlink(struct vm *vm, struct vtimer *t)
{
	for (struct vtimer **p = &vm->timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->next = NULL;
}

static void host_timer_arm(void *ctx, struct vtimer *t, u64 deadline)
{
	struct vm *vm = ctx;
	struct vtimer **p;

	if (t->deadline_ns)
		unlink(vm, t);
	/* 0 means "not armed" to devices: a deadline of 0 is simply overdue. */
	t->deadline_ns = deadline ? deadline : 1;
	for (p = &vm->timers; *p && (*p)->deadline_ns <= t->deadline_ns; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	rearm(vm);
}

static void host_timer_cancel(void *ctx, struct vtimer *t)
{
	struct vm *vm = ctx;

	if (!t->deadline_ns)
		return;
	unlink(vm, t);
	t->deadline_ns = 0;
	rearm(vm);
}

static u64 host_now(void *ctx)
{
	(void)ctx;
	return arch_uptime_ns();
}

void vm_timers_init(struct vm *vm)
{
	vm->ktimer.fn = vm_ktimer_fn;
	vm->ktimer.data = vm;
	vm->host.ctx = vm;
	vm->host.now_ns = host_now;
	vm->host.timer_arm = host_timer_arm;
	vm->host.timer_cancel = host_timer_cancel;
}

/* A lock-free peek: the list may change under us, but its vtimers live as long as the VM. */
bool vm_timers_due(struct vm *vm)
{
	struct vtimer *first = READ_ONCE(vm->timers);

	return READ_ONCE(vm->timers_due) ||
	       (first && READ_ONCE(first->deadline_ns) <= arch_uptime_ns());
}

void vm_timers_run(struct vm *vm)
{
	irqflags_t f = spin_lock_irqsave(&vm->lock);
	u64 now = arch_uptime_ns();

	WRITE_ONCE(vm->timers_due, false);
	while (vm->timers && vm->timers->deadline_ns <= now) {
		struct vtimer *t = vm->timers;

		vm->timers = t->next;
		t->next = NULL;
		t->deadline_ns = 0;
		t->fire(t, now);   /* may re-arm t or others */
	}
	rearm(vm);
	spin_unlock_irqrestore(&vm->lock, f);
}

void vm_timers_cancel_all(struct vm *vm)
{
	irqflags_t f = spin_lock_irqsave(&vm->lock);

	while (vm->timers) {
		struct vtimer *t = vm->timers;

		vm->timers = t->next;
		t->next = NULL;
		t->deadline_ns = 0;
	}
	ktimer_cancel(&vm->ktimer);
	spin_unlock_irqrestore(&vm->lock, f);
}
