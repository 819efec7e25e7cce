/* SPDX-License-Identifier: MIT */
/*
 * sched.h: running vCPUs on host CPUs (kernel/sched.c): every CPU with
 * virtualization enabled runs vCPUs, chosen by the proportional-share
 * policy (tv/sched_policy.h) from each VM's shares, reservation, limit and
 * affinity. A halted vCPU costs nothing until an interrupt is due for it.
 */
#ifndef TV_SCHED_H
#define TV_SCHED_H

#include <tv/types.h>

struct vcpu;
struct vm_config;
struct sp_pct;

/* Host CPU cpu can run vCPUs (virtualization enabled on it). */
void sched_cpu_add(unsigned cpu);
/*
 * Admission control: can a VM with this config's reservation start next to
 * the VMs admitted so far? 0, or -ENOSPC/-EINVAL with the reason in why.
 */
int sched_admit(const struct vm_config *c, char *why, size_t whylen);
/* A new vCPU, runnable or halted; vCPU 0 admits its VM's reservation. */
void sched_add(struct vcpu *v);
/* The scheduler loop of this CPU; never returns. */
void __attribute__((noreturn)) sched_run(void);
/* True when the running vCPU should give up the CPU at the next chance. */
bool sched_need_resched(void);
/* Something may have become runnable: re-check at the next opportunity. */
void sched_wake(void);
/* v has something pending: preempt whoever runs unless it is v itself. */
void sched_wake_vcpu(struct vcpu *v);
/* VMs still running or not yet released (for test.poweroff_idle). */
unsigned sched_running_vms(void);
/*
 * Up to max running VMs into out. Boot CPU only: a VM is released by the
 * boot CPU's own housekeeping, so the pointers stay good until it returns.
 */
struct vm;
unsigned sched_vms(struct vm **out, unsigned max);
/*
 * The vCPU's %RUN/%RDY/%WAIT (permille) over the last sampling interval
 * (sched.stats), for the console; false if it is not scheduled.
 */
bool sched_vcpu_pct(struct vcpu *v, struct sp_pct *out);
/* bench.sched: cycles per scheduling decision, 4 to 64 runnable vCPUs, to the log. */
void sched_bench(void);
/* Nothing to run: kmain's policy (test.poweroff_idle); true if it acted. */
bool sched_idle_hook(void);

#endif
