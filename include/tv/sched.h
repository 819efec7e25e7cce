/* SPDX-License-Identifier: MIT */
/*
 * sched.h: running vCPUs on host CPUs (kernel/sched.c). This version keeps
 * every vCPU on the boot CPU and shares it round-robin with 10 ms slices;
 * a halted vCPU costs nothing until an interrupt is due for it.
 */
#ifndef TV_SCHED_H
#define TV_SCHED_H

#include <tv/types.h>

struct vcpu;

/* Host CPU cpu can run vCPUs (virtualization enabled on it). */
void sched_cpu_add(unsigned cpu);
void sched_add(struct vcpu *v);
/* The scheduler loop of this CPU; never returns. */
void __attribute__((noreturn)) sched_run(void);
/* True when the running vCPU should give up the CPU at the next chance. */
bool sched_need_resched(void);
/* Something may have become runnable: re-check at the next opportunity. */
void sched_wake(void);
/* v has something pending: preempt whoever runs unless it is v itself. */
void sched_wake_vcpu(struct vcpu *v);
/* How many VMs still run (for test.poweroff_idle). */
unsigned sched_running_vms(void);
/* Nothing to run: kmain's policy (test.poweroff_idle); true if it acted. */
bool sched_idle_hook(void);

#endif
