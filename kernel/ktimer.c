// SPDX-License-Identifier: MIT
/*
 * ktimer.c: per-CPU sorted one-shot timers over the arch's one-shot
 * interrupt. A timer fires on the CPU that armed it last; arming or
 * cancelling it from another CPU takes the owning CPU's lock to unlink it.
 */
#include <tv/arch.h>
#include <tv/ktimer.h>
#include <tv/spinlock.h>

#define MAX_CPUS ARCH_MAX_CPUS

static struct {
	struct ktimer *head;
	spinlock_t lock;
	struct ktimer tick;
	u64 tick_ns;
} cpus[MAX_CPUS];

static void unlink(struct ktimer **head, struct ktimer *t)
{
	for (struct ktimer **p = head; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

static void program(unsigned cpu)
{
	arch_timer_oneshot(cpus[cpu].head ? cpus[cpu].head->deadline : 0);
}

/* Unlink t from whichever CPU's list holds it (timers may be re-armed from any CPU). */
static void disarm(struct ktimer *t)
{
	for (;;) {
		unsigned cpu = READ_ONCE(t->cpu);
		irqflags_t f = spin_lock_irqsave(&cpus[cpu].lock);

		if (t->cpu == cpu) {
			if (t->armed) {
				bool was_head = cpus[cpu].head == t;

				unlink(&cpus[cpu].head, t);
				/* Another CPU's timer fires early at worst and finds nothing due. */
				if (was_head && cpu == arch_cpu_id())
					program(cpu);
			}
			spin_unlock_irqrestore(&cpus[cpu].lock, f);
			return;
		}
		spin_unlock_irqrestore(&cpus[cpu].lock, f);   /* moved meanwhile: retry */
	}
}

void ktimer_arm(struct ktimer *t, u64 deadline)
{
	unsigned cpu = arch_cpu_id();
	irqflags_t f;
	struct ktimer **p;

	/* Callers serialise arming one timer (the VM's is armed under vm->lock). */
	if (READ_ONCE(t->armed))
		disarm(t);
	f = spin_lock_irqsave(&cpus[cpu].lock);
	t->deadline = deadline;
	t->cpu = cpu;
	t->armed = true;
	for (p = &cpus[cpu].head; *p && (*p)->deadline <= deadline; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	if (cpus[cpu].head == t)
		program(cpu);
	spin_unlock_irqrestore(&cpus[cpu].lock, f);
}

void ktimer_cancel(struct ktimer *t)
{
	disarm(t);
}

u64 ktimer_next_deadline(void)
{
	unsigned cpu = arch_cpu_id();
	irqflags_t f = spin_lock_irqsave(&cpus[cpu].lock);
	u64 d = cpus[cpu].head ? cpus[cpu].head->deadline : 0;

	spin_unlock_irqrestore(&cpus[cpu].lock, f);
	return d;
}

void ktimer_interrupt(void)
{
	unsigned cpu = arch_cpu_id();
	u64 now = arch_uptime_ns();

	spin_lock(&cpus[cpu].lock);
	while (cpus[cpu].head && cpus[cpu].head->deadline <= now) {
		struct ktimer *t = cpus[cpu].head;

		cpus[cpu].head = t->next;
		t->next = NULL;
		t->armed = false;
		/* Unlocked: a callback may re-arm itself or others. */
		spin_unlock(&cpus[cpu].lock);
		t->fn(t);
		spin_lock(&cpus[cpu].lock);
		now = arch_uptime_ns();
	}
	program(cpu);
	spin_unlock(&cpus[cpu].lock);
}

static void tick_fn(struct ktimer *t)
{
	unsigned cpu = arch_cpu_id();

	arch_tick_account();
	/* Keep the phase: the next tick is one period after this one was due. */
	ktimer_arm(t, t->deadline + cpus[cpu].tick_ns);
}

void ktimer_start_tick(unsigned hz)
{
	unsigned cpu = arch_cpu_id();

	cpus[cpu].tick_ns = 1000000000ull / hz;
	cpus[cpu].tick.fn = tick_fn;
	ktimer_arm(&cpus[cpu].tick, arch_uptime_ns() + cpus[cpu].tick_ns);
}
