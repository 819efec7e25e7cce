// SPDX-License-Identifier: MIT
/* desc.c: the interrupt descriptor table, one for all CPUs. */
#include <tv/panic.h>
#include <x86/desc.h>
#include <x86/percpu.h>

#define ISR_STUB_SIZE 16

extern char isr_stubs_start[], isr_stubs_end[];

struct idt_gate {
	u16 off0;
	u16 sel;
	u8 ist;
	u8 type;                 /* P, DPL, gate type */
	u16 off1;
	u32 off2;
	u32 reserved;
} __packed;

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate size");

static struct idt_gate idt[256] __aligned(16);
static bool idt_built;

static void set_gate(unsigned v, u64 handler, unsigned ist)
{
	idt[v].off0 = handler & 0xffff;
	idt[v].sel = SEL_KCODE;
	idt[v].ist = ist & 7;
	idt[v].type = 0x8e;      /* present, DPL 0, 64-bit interrupt gate: IF cleared */
	idt[v].off1 = (handler >> 16) & 0xffff;
	idt[v].off2 = handler >> 32;
	idt[v].reserved = 0;
}

void idt_set_ist(unsigned vector, unsigned ist)
{
	idt[vector].ist = ist & 7;
}

void idt_load(void)
{
	struct desc_ptr idtr;

	if (!idt_built) {
		if (isr_stubs_end - isr_stubs_start != 256 * ISR_STUB_SIZE)
			panic("idt_load: isr stubs are not %d bytes each", ISR_STUB_SIZE);
		for (unsigned v = 0; v < 256; v++)
			set_gate(v, (u64)(uintptr_t)(isr_stubs_start + v * ISR_STUB_SIZE), 0);
		/* Faults that mean the current stack cannot be trusted get their own. */
		idt_set_ist(8, IST_DF);
		idt_set_ist(2, IST_NMI);
		idt_set_ist(18, IST_MC);
		idt_built = true;
	}
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (u64)(uintptr_t)idt;
	__asm__ __volatile__("lidt %0" : : "m"(idtr));
}
