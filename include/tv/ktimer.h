/* SPDX-License-Identifier: MIT */
/*
 * ktimer.h: one-shot host timers (kernel/ktimer.c). Each CPU keeps its armed
 * timers sorted and programs its local timer for the earliest: an idle host
 * takes no interrupts. Callbacks run in interrupt context with interrupts
 * off on the CPU that armed the timer; they must be short and must not sleep.
 */
#ifndef TV_KTIMER_H
#define TV_KTIMER_H

#include <tv/types.h>

struct ktimer {
	u64 deadline;                   /* arch_uptime_ns() time */
	void (*fn)(struct ktimer *t);
	void *data;
	struct ktimer *next;
	bool armed;
	unsigned cpu;
};

/* (Re-)arm t to fire at deadline on this CPU; a past deadline fires soon. */
void ktimer_arm(struct ktimer *t, u64 deadline);
void ktimer_cancel(struct ktimer *t);
/* The earliest deadline armed on this CPU, 0 if none. */
u64 ktimer_next_deadline(void);
/* From the timer interrupt: run what is due, program the next. */
void ktimer_interrupt(void);
/* Start the 100 Hz bookkeeping tick (arch_ticks) on this CPU. */
void ktimer_start_tick(unsigned hz);

#endif
