/* SPDX-License-Identifier: MIT */
/*
 * percpu.h: the per-CPU area. GS and FS bases point at it: GS for this_cpu,
 * FS because the stack protector (ours and Debian libfdt.a's) reads the
 * canary at %fs:0x28.
 */
#ifndef X86_PERCPU_H
#define X86_PERCPU_H

#include <tv/compiler.h>
#include <tv/types.h>
#include <x86/desc.h>

#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3
#define IST_STACK_SIZE 0x4000

struct percpu {
	struct percpu *self;          /* 0x00 */
	u32 cpu_id;                   /* 0x08 */
	u32 apic_id;                  /* 0x0c */
	u64 ticks;                    /* 0x10 */
	u64 reserved[2];              /* 0x18 */
	u64 stack_canary;             /* 0x28: fixed by the ABI of -fstack-protector */
	struct tss64 tss __aligned(16);
	u64 gdt[GDT_ENTRIES] __aligned(16);
	u8 *ist[4];                   /* tops of the IST stacks, [1..3] used */
	u8 *stack_top;                /* application processors: the kernel stack */
	bool online;                  /* takes IPIs (set once its LAPIC works) */
};

extern struct percpu bsp_percpu;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* CPUs running the kernel (the boot CPU counts from arch_early_init). */
unsigned smp_cpus_online(void);
void smp_mark_online(void);

/* Application processors' share of arch_early_init and arch_timer_init (smp.c). */
void arch_cpu_setup_ap(void);
void arch_timer_init_ap(void);

/* Give the calling CPU its GDT (with TSS) and IST stacks. */
void percpu_load_descriptors(struct percpu *pc);

#endif
