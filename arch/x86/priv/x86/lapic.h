/* SPDX-License-Identifier: MIT */
/* lapic.h: the local APIC, in x2APIC mode when the CPU has it, else xAPIC MMIO. */
#ifndef X86_LAPIC_H
#define X86_LAPIC_H

#include <tv/types.h>

/* Register offsets in xAPIC MMIO terms; x2APIC MSR = 0x800 + (offset >> 4). */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ESR 0x280
#define LAPIC_ICR 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define LAPIC_SVR_ENABLE (1u << 8)
#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_TIMER_PERIODIC (1u << 17)
#define LAPIC_TIMER_DIV_16 0x3

/* Enable this CPU's LAPIC (mapping it on first use). Returns 0 or -errno. */
int lapic_init(void);
void lapic_eoi(void);
u32 lapic_id(void);
bool lapic_is_x2apic(void);
u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 v);
/* Send a fixed IPI with vector to the CPU with apic_id. */
void lapic_send_ipi(u32 apic_id, u8 vector);
/* INIT (assert) to apic_id: the CPU waits for a SIPI. */
void lapic_send_init(u32 apic_id);
/* Start-up IPI: the CPU starts in real mode at page << 12. */
void lapic_send_sipi(u32 apic_id, u8 page);
/* NMI to every other CPU (panic). */
void lapic_nmi_others(void);

#endif
