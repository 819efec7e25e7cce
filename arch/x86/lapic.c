// SPDX-License-Identifier: MIT
/* lapic.c: the local APIC, x2APIC (MSRs) when available, xAPIC (MMIO) otherwise. */
#include <tv/arch.h>
#include <tv/errno.h>
#include <x86/cpuid.h>
#include <x86/io.h>
#include <x86/lapic.h>
#include <x86/msr.h>
#include <x86/trap.h>

#define X2APIC_MSR(reg) (0x800u + ((reg) >> 4))
#define ICR_DELIVERY_NMI (4u << 8)
#define ICR_DELIVERY_INIT (5u << 8)
#define ICR_DELIVERY_SIPI (6u << 8)
#define ICR_TRIGGER_LEVEL (1u << 15)
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_DEST_ALL_BUT_SELF (3u << 18)

static volatile u8 *xapic;
static bool x2;

u32 lapic_read(u32 reg)
{
	if (x2)
		return (u32)rdmsr(X2APIC_MSR(reg));
	return mmio_read32(xapic + reg);
}

void lapic_write(u32 reg, u32 v)
{
	if (x2)
		wrmsr(X2APIC_MSR(reg), v);
	else
		mmio_write32(xapic + reg, v);
}

bool lapic_is_x2apic(void)
{
	return x2;
}

int lapic_init(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(cpuid(1, 0).edx & CPUID1_EDX_APIC))
		return -ENODEV;
	x2 = cpuid(1, 0).ecx & CPUID1_ECX_X2APIC;
	if (x2) {
		/* xAPIC must be enabled before x2APIC may be switched on. */
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	} else {
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
		if (!xapic)
			xapic = arch_ioremap(base & 0xffffff000ull, 4096, false);
		if (!xapic)
			return -ENOMEM;
	}
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	/* Interrupts come through the IOAPIC; the 8259 wire on LINT0 stays masked. */
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_ESR, 0);
	return 0;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

u32 lapic_id(void)
{
	u32 id = lapic_read(LAPIC_ID);

	return x2 ? id : id >> 24;
}

static void send_icr(u32 dest, u32 low)
{
	if (x2) {
		wrmsr(X2APIC_MSR(LAPIC_ICR), ((u64)dest << 32) | low);
		return;
	}
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR, low);
	for (int i = 0; i < 1000000 && (lapic_read(LAPIC_ICR) & ICR_PENDING); i++)
		__asm__ __volatile__("pause");
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	send_icr(apic_id, ICR_ASSERT | vector);
}

void lapic_nmi_others(void)
{
	send_icr(0, ICR_ASSERT | ICR_DELIVERY_NMI | ICR_DEST_ALL_BUT_SELF);
}

void lapic_send_init(u32 apic_id)
{
	send_icr(apic_id, ICR_DELIVERY_INIT | ICR_ASSERT | ICR_TRIGGER_LEVEL);
}

void lapic_send_sipi(u32 apic_id, u8 page)
{
	send_icr(apic_id, ICR_DELIVERY_SIPI | ICR_ASSERT | page);
}
