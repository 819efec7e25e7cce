// SPDX-License-Identifier: MIT
/*
 * timer.c: TSC and local APIC timer calibration, and the periodic tick.
 * The reference is CPUID leaf 0x15 when it states the TSC frequency, else
 * the ACPI PM timer (3.579545 MHz), else PIT channel 2.
 */
#include <tv/acpi.h>
#include <tv/arch.h>
#include <tv/errno.h>
#include <tv/ktimer.h>
#include <tv/log.h>
#include <x86/cpuid.h>
#include <x86/io.h>
#include <x86/lapic.h>
#include <x86/percpu.h>
#include <x86/trap.h>

#define PM_TIMER_HZ 3579545ull
#define PIT_HZ 1193182ull
#define CALIBRATE_MS 50

static u64 tsc_hz, lapic_hz, tsc0, ns_mult;
static u64 lapic_mult; /* LAPIC counts per ns, 32.32 fixed point */
static const char *reference;

static inline u64 rdtsc(void)
{
	return arch_cycles();
}

/* Wait CALIBRATE_MS on the PM timer; false if there is none. */
static bool wait_pm_timer(void)
{
	const struct acpi_info *ai = acpi_host();
	u32 mask, start, target, now;
	u16 port;

	if (!ai || !ai->pm_tmr.address || ai->pm_tmr.space != ACPI_GAS_IO)
		return false;
	port = (u16)ai->pm_tmr.address;
	mask = ai->pm_tmr_32bit ? 0xffffffffu : 0xffffffu;
	start = inl(port) & mask;
	target = (u32)(PM_TIMER_HZ * CALIBRATE_MS / 1000);
	do {
		now = inl(port) & mask;
	} while (((now - start) & mask) < target);
	return true;
}

/* PIT channel 2 in one-shot mode, gated through port 0x61. */
static void wait_pit(void)
{
	u16 count = (u16)(PIT_HZ * CALIBRATE_MS / 1000);

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0); /* channel 2, lobyte/hibyte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	while (!(inb(0x61) & 0x20))
		;
}

static void calibrate(void)
{
	struct cpuid_regs r15 = { 0 };
	u64 t0, t1;
	u32 c1;

	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	t0 = rdtsc();
	if (wait_pm_timer()) {
		reference = "ACPI PM timer";
	} else {
		/* Restart both counters: the PIT path begins later. */
		lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
		t0 = rdtsc();
		wait_pit();
		reference = "PIT";
	}
	t1 = rdtsc();
	c1 = lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	tsc_hz = (t1 - t0) * 1000 / CALIBRATE_MS;
	lapic_hz = (u64)(0xffffffffu - c1) * 1000 / CALIBRATE_MS;

	/* An exact figure from the CPU beats any measurement. */
	if (cpuid_max_leaf() >= 0x15)
		r15 = cpuid(0x15, 0);
	if (r15.eax && r15.ebx && r15.ecx) {
		tsc_hz = (u64)r15.ecx * r15.ebx / r15.eax;
		reference = "CPUID 0x15";
	}
}

static void timer_interrupt(struct trap_frame *tf)
{
	(void)tf;
	ktimer_interrupt();
}

void arch_tick_account(void)
{
	this_cpu()->ticks++;
}

/*
 * One-shot mode: count down from the time left. Deadlines beyond the 32-bit
 * counter get the longest count; ktimer reprograms when it finds nothing due.
 */
void arch_timer_oneshot(u64 deadline)
{
	u64 now = arch_uptime_ns(), count;

	if (!deadline) {
		lapic_write(LAPIC_TIMER_INIT, 0);
		return;
	}
	count = deadline > now ? (u64)(((unsigned __int128)(deadline - now) * lapic_mult) >> 32) : 0;
	if (count == 0)
		count = 1;
	if (count > 0xffffffffull)
		count = 0xffffffffull;
	lapic_write(LAPIC_TIMER_INIT, (u32)count);
}

int arch_timer_init(unsigned hz)
{
	int r = lapic_init();

	if (r)
		return r;
	calibrate();
	if (!tsc_hz || !lapic_hz)
		return -EIO;
	ns_mult = (1000000000ull << 32) / tsc_hz;
	lapic_mult = (lapic_hz << 32) / 1000000000ull;
	tsc0 = rdtsc();
	trap_set_handler(VEC_TIMER, timer_interrupt);
	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER); /* one-shot */
	ktimer_start_tick(hz);
	pr_info("timer: TSC %llu.%03llu MHz, LAPIC timer %llu.%03llu MHz (/16), by %s; "
		"one-shot, %u Hz bookkeeping tick, %s\n",
		(unsigned long long)(tsc_hz / 1000000), (unsigned long long)(tsc_hz / 1000 % 1000),
		(unsigned long long)(lapic_hz / 1000000), (unsigned long long)(lapic_hz / 1000 % 1000),
		reference, hz, lapic_is_x2apic() ? "x2APIC" : "xAPIC");
	return 0;
}

void arch_timer_init_ap(void)
{
	/* Calibration is the boot CPU's: every LAPIC timer runs off the same clock. */
	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
}

u64 arch_tsc_hz(void)
{
	return tsc_hz;
}

u64 arch_uptime_ns(void)
{
	if (!ns_mult)
		return 0;
	return (u64)(((unsigned __int128)(rdtsc() - tsc0) * ns_mult) >> 32);
}

u64 arch_ticks(void)
{
	return this_cpu()->ticks;
}
