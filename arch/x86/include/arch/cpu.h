/* SPDX-License-Identifier: MIT */
/* arch/cpu.h: CPU primitives generic code may use (interrupt flag, pause, halt). */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <tv/types.h>

typedef u64 irqflags_t;

/* Host CPUs the kernel uses at most (affinity masks are 64 bits). */
#define ARCH_MAX_CPUS 64

static inline irqflags_t arch_irq_save(void)
{
	irqflags_t f;

	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(f) : : "memory");
	return f;
}

static inline void arch_irq_restore(irqflags_t f)
{
	if (f & 0x200)
		__asm__ __volatile__("sti" : : : "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ __volatile__("sti" : : : "memory");
}

static inline void arch_irq_disable(void)
{
	__asm__ __volatile__("cli" : : : "memory");
}

static inline bool arch_irq_enabled(void)
{
	irqflags_t f;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(f));
	return f & 0x200;
}

static inline void arch_pause(void)
{
	__asm__ __volatile__("pause" : : : "memory");
}

/* Enable interrupts and halt atomically (sti shadow covers hlt). */
static inline void arch_wait_for_interrupt(void)
{
	__asm__ __volatile__("sti; hlt" : : : "memory");
}

/* This CPU's number (0 = the boot CPU), from the per-CPU area. */
static inline unsigned arch_cpu_id(void)
{
	u32 id;

	__asm__ __volatile__("movl %%gs:8, %0" : "=r"(id));
	return id;
}

static inline u64 arch_cycles(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#endif
