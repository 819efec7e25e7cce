// SPDX-License-Identifier: MIT
/*
 * timer.c: interrupts from the virtual local APIC timer.
 *
 * The APIC is software-enabled (SVR, spurious vector 0xff), the timer uses
 * vector 0x40 with divide 16 and every interrupt is EOIed. Times are measured
 * with the TSC, calibrated against the ACPI PM timer.
 *  1. The timer counts: its rate is measured with the LVT masked.
 *  2. One-shot: one 5 ms shot waited for by polling with interrupts on, then
 *     three more waited for with `sti; hlt`. Each interrupt must come, not
 *     much before its time, and only once.
 *  3. Periodic: 1 ms period for about 100 ms, idle in `hlt`; the count of
 *     interrupts must be plausible (50..150% of the expected 100).
 *  4. TSC-deadline (LVT mode 10b, MSR 0x6e0): a deadline 10 ms ahead, polled,
 *     then waited for in `hlt`; the interrupt must not come before the
 *     deadline, and the MSR reads 0 once it fired. A deadline in the past
 *     fires at once; a deadline disarmed by writing 0 never fires.
 */
#include "rt.h"

TV_TEST_NAME("timer");

#define TIMER_VECTOR 0x40
#define SPURIOUS_VECTOR 0xff
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define DCR_DIV16 0x3

static volatile u64 irqs, spurious, last_irq_tsc;

static void timer_irq(struct tv_frame *f)
{
	last_irq_tsc = rdtsc();
	irqs++;
	lapic_write(LAPIC_EOI, 0);
}

static void spurious_irq(struct tv_frame *f)
{
	spurious++; /* no EOI for the spurious vector */
}

static u64 apic_hz; /* timer ticks per second after the divider */

/* Interrupts on, polling (no hlt) until `irqs` passes `before` or `timeout_us` passes. */
static int poll_irq(u64 before, u64 timeout_us)
{
	u64 end = rdtsc() + us_to_tsc(timeout_us);

	sti();
	while (irqs == before && (s64)(rdtsc() - end) < 0)
		cpu_relax();
	cli();
	return irqs != before;
}

/* Interrupts on, sleeping in hlt until an interrupt is counted (hangs if none comes). */
static void hlt_irq(u64 before)
{
	while (irqs == before) {
		sti_hlt();
		cli();
	}
}

static int measure_rate(void)
{
	lapic_write(LAPIC_TIMER_DCR, DCR_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
	u64 t0 = rdtsc_ordered();
	u32 c0 = lapic_read(LAPIC_TIMER_CCR);

	udelay(20000);
	u32 c1 = lapic_read(LAPIC_TIMER_CCR);
	u64 t1 = rdtsc_ordered();

	lapic_write(LAPIC_TIMER_ICR, 0);
	u64 us = tsc_to_us(t1 - t0);

	tv_printf("timer: APIC timer counted %u -> %u in %llu us\n", c0, c1, us);
	if (!tv_check(c1 < c0 && us, "APIC timer (masked, divide 16) counts down"))
		return 0;
	apic_hz = (u64)(c0 - c1) * 1000000ull / us;
	tv_printf("timer: APIC timer at %llu kHz after divide-by-16 (%llu MHz bus)\n", apic_hz / 1000,
		  apic_hz * 16 / 1000000);
	return tv_check(apic_hz >= 1000, "APIC timer rate %llu Hz is usable", apic_hz);
}

/* One 5 ms one-shot; `use_hlt` waits in hlt, else polls. */
static int one_shot(int use_hlt, int n)
{
	const u64 us = 5000;
	u32 count = (u32)(apic_hz * us / 1000000ull);
	u64 before = irqs;

	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR); /* one-shot, unmasked */
	u64 t0 = rdtsc();

	lapic_write(LAPIC_TIMER_ICR, count);
	if (use_hlt)
		hlt_irq(before);
	else if (!tv_check(poll_irq(before, 1000000), "one-shot #%d (%u ticks, 5 ms): interrupt "
			   "within 1 s (polling with interrupts on)", n, count))
		return 0;
	u64 took = tsc_to_us(last_irq_tsc - t0);
	int ok = tv_check(took >= us * 3 / 4, "one-shot #%d%s: interrupt after %llu us (5000 us "
			  "programmed)", n, use_hlt ? " (in hlt)" : "", took);

	/* Only one: nothing more within three more periods. */
	poll_irq(irqs, 3 * us);
	ok &= tv_check(irqs == before + 1, "one-shot #%d: %llu interrupt(s), expected exactly 1", n,
		       irqs - before);
	u32 ccr = lapic_read(LAPIC_TIMER_CCR);

	ok &= tv_check(ccr == 0, "one-shot #%d: current count %u after expiry, expected 0", n, ccr);
	return ok;
}

static void periodic(void)
{
	const u64 period_us = 1000, run_us = 100000;
	u32 count = (u32)(apic_hz * period_us / 1000000ull);

	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | TIMER_VECTOR);
	u64 before = irqs, t0 = rdtsc(), end = t0 + us_to_tsc(run_us);

	lapic_write(LAPIC_TIMER_ICR, count);
	while ((s64)(rdtsc() - end) < 0) {
		sti_hlt();
		cli();
	}
	u64 n = irqs - before, took = tsc_to_us(rdtsc() - t0);

	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_ICR, 0);
	/* A tick that fired after the loop's last one, before the mask, waits in IRR: it still comes. */
	u32 latched = lapic_read(LAPIC_IRR + 0x10 * (TIMER_VECTOR / 32)) >> (TIMER_VECTOR % 32) & 1;
	u64 want = took / period_us;

	tv_printf("timer: periodic: %llu interrupts in %llu us at a %llu us period\n", n, took,
		  period_us);
	/*
	 * Not every tick arrives when other VMs hold the CPU (hostile.sh runs
	 * ten, spinners among them, and a guest that spun earlier has used its
	 * fair share): missed periods coalesce, as on a busy host. A tenth
	 * still tells a running periodic timer from a stopped one; the upper
	 * bound catches one that runs fast.
	 */
	tv_check(n * 10 >= want && n * 2 <= want * 3,
		 "periodic timer: %llu interrupts in %llu us, expected about %llu", n, took, want);
	/* Masked and stopped: the latched tick, if any, and no more in five periods. */
	before = irqs;
	u64 quiet_end = rdtsc() + us_to_tsc(5 * period_us);

	sti();
	while ((s64)(rdtsc() - quiet_end) < 0)
		cpu_relax();
	cli();
	tv_check(irqs - before == latched,
		 "periodic timer stopped: %llu interrupts after ICR = 0 (%u latched in IRR before)",
		 irqs - before, latched);
}

static int deadline_shot(int use_hlt, int n)
{
	u64 before = irqs, dl = rdtsc() + us_to_tsc(10000);

	if (!tv_check(wrmsr_safe(MSR_TSC_DEADLINE, dl) == 0, "wrmsr TSC deadline (0x6e0) #%d", n))
		return 0;
	if (use_hlt)
		hlt_irq(before);
	else if (!tv_check(poll_irq(before, 1000000), "TSC deadline #%d (10 ms ahead): interrupt "
			   "within 1 s (polling with interrupts on)", n))
		return 0;
	s64 late = (s64)(last_irq_tsc - dl);
	int ok = tv_check(late >= 0, "TSC deadline #%d%s: interrupt %s%llu us %s the deadline", n,
			  use_hlt ? " (in hlt)" : "", late < 0 ? "-" : "",
			  tsc_to_us(late < 0 ? (u64)-late : (u64)late), late < 0 ? "BEFORE" : "after");
	u64 msr = ~0ull;

	rdmsr_safe(MSR_TSC_DEADLINE, &msr);
	ok &= tv_check(msr == 0, "TSC deadline MSR reads %#llx after firing, expected 0", msr);
	poll_irq(irqs, 10000);
	ok &= tv_check(irqs == before + 1, "TSC deadline #%d: %llu interrupt(s), expected exactly 1",
		       n, irqs - before);
	return ok;
}

static void tsc_deadline(void)
{
	struct cpuid_regs r = cpuid(1, 0);

	if (!tv_check(r.ecx & (1u << 24), "CPUID.1:ECX[24] TSC-deadline timer present"))
		return;
	lapic_write(LAPIC_LVT_TIMER, LVT_TSC_DEADLINE | TIMER_VECTOR);
	if (!deadline_shot(0, 1))
		goto out;
	deadline_shot(1, 2);
	deadline_shot(1, 3);

	/* A deadline already past fires at once. */
	u64 before = irqs;

	wrmsr_safe(MSR_TSC_DEADLINE, rdtsc() - us_to_tsc(1000));
	tv_check(poll_irq(before, 100000), "TSC deadline in the past: interrupt within 100 ms");

	/* Writing 0 disarms. */
	before = irqs;
	wrmsr_safe(MSR_TSC_DEADLINE, rdtsc() + us_to_tsc(5000));
	wrmsr_safe(MSR_TSC_DEADLINE, 0);
	poll_irq(before, 20000);
	tv_check(irqs == before, "TSC deadline disarmed by writing 0: %llu interrupt(s) in 20 ms",
		 irqs - before);
out:
	wrmsr_safe(MSR_TSC_DEADLINE, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
}

void guest_main(const u8 *boot_params)
{
	if (!tv_check(tsc_hz() != 0, "TSC calibrated against the ACPI PM timer"))
		tv_finish();
	tv_set_handler(TIMER_VECTOR, timer_irq);
	tv_set_handler(SPURIOUS_VECTOR, spurious_irq);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
	u32 svr = lapic_read(LAPIC_SVR);

	tv_check((svr & 0x1ff) == 0x1ff, "SVR reads %#x: APIC enabled, spurious vector 0xff", svr);
	if (measure_rate()) {
		tv_current_case = "one-shot";
		if (one_shot(0, 1)) {
			for (int i = 2; i <= 4; i++)
				one_shot(1, i);
			tv_current_case = "periodic";
			periodic();
		}
	}
	tv_current_case = "TSC deadline";
	tsc_deadline();
	tv_current_case = NULL;
	lapic_write(LAPIC_TIMER_ICR, 0);
	tv_printf("timer: %llu timer interrupts, %llu spurious\n", irqs, spurious);
}
