// SPDX-License-Identifier: MIT
/* percpu.c: per-CPU areas and each CPU's GDT, TSS and IST stacks. */
#include <tv/string.h>
#include <x86/percpu.h>

_Static_assert(__builtin_offsetof(struct percpu, stack_canary) == 0x28,
	       "the stack protector reads the canary at %fs:0x28");
_Static_assert(__builtin_offsetof(struct percpu, self) == 0, "this_cpu reads %gs:0");
_Static_assert(__builtin_offsetof(struct percpu, cpu_id) == 8, "arch_cpu_id reads %gs:8");

/* The boot CPU's area is static: it is needed before any allocator exists. */
struct percpu bsp_percpu = { .self = &bsp_percpu };
static u8 bsp_ist_stacks[3][IST_STACK_SIZE] __aligned(16);

static unsigned cpus_online;

unsigned smp_cpus_online(void)
{
	return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
}

void smp_mark_online(void)
{
	__atomic_add_fetch(&cpus_online, 1, __ATOMIC_ACQ_REL);
}

static u64 seg_desc(u64 flags)
{
	/* flags holds access byte at bits 40-47 and G/L/D bits at 52-55 */
	return flags | 0xffff | (0xfull << 48);
}

static void set_tss_desc(u64 *gdt, const struct tss64 *tss)
{
	u64 base = (u64)(uintptr_t)tss, limit = sizeof(*tss) - 1;

	gdt[GDT_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS + 1] = base >> 32;
}

void percpu_load_descriptors(struct percpu *pc)
{
	struct desc_ptr gdtr;

	if (pc == &bsp_percpu)
		for (int i = 0; i < 3; i++)
			pc->ist[i + 1] = bsp_ist_stacks[i] + IST_STACK_SIZE;
	memset(&pc->tss, 0, sizeof(pc->tss));
	for (int i = 1; i <= 3; i++)
		pc->tss.ist[i - 1] = (u64)(uintptr_t)pc->ist[i];
	pc->tss.iomap_base = sizeof(pc->tss); /* no I/O bitmap */

	pc->gdt[GDT_NULL] = 0;
	pc->gdt[GDT_KCODE] = seg_desc(0x9aull << 40 | 1ull << 53 | 1ull << 55); /* P DPL0 code, L, G */
	pc->gdt[GDT_KDATA] = seg_desc(0x92ull << 40 | 1ull << 54 | 1ull << 55); /* P DPL0 data, D, G */
	set_tss_desc(pc->gdt, &pc->tss);

	gdtr.limit = sizeof(pc->gdt) - 1;
	gdtr.base = (u64)(uintptr_t)pc->gdt;
	/* Reload every segment register; the far return reloads CS. */
	__asm__ __volatile__("lgdt %0\n\t"
			     "movl %1, %%eax\n\t"
			     "movl %%eax, %%ds\n\t"
			     "movl %%eax, %%es\n\t"
			     "movl %%eax, %%ss\n\t"
			     "pushq %2\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "ltr %w3"
			     : : "m"(gdtr), "i"(SEL_KDATA), "i"(SEL_KCODE), "r"(SEL_TSS)
			     : "rax", "memory");
}
