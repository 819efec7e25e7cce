/* SPDX-License-Identifier: MIT */
/*
 * vlapic.h: the emulated local APIC of one vCPU, xAPIC MMIO at
 * GUEST_LAPIC_BASE (4 KiB), plus the IA32_TSC_DEADLINE MSR.
 *
 * Registers: ID (read/write), version 0x00050014 (6 LVTs: timer, thermal,
 * perf, LINT0, LINT1, error; no CMCI), TPR, APR and PPR (computed), EOI,
 * LDR, DFR, SVR, ISR/TMR/IRR, ESR (a write latches the errors since the
 * last write), ICR (delivery status always 0: an IPI is delivered into
 * its targets during the ICR write itself), the LVTs, timer initial /
 * current count and divide configuration. Only aligned 32-bit accesses at
 * 16-byte register offsets do anything; every other access (size, offset)
 * reads 0 and ignores writes, and returns 0. An aligned access to an
 * undefined register below 0x400 also sets ESR "illegal register address".
 * Writes to read-only registers are ignored. x2APIC is not emulated.
 *
 * Interrupt acceptance: vlapic_set_irq (or vlapic_deliver) puts a vector
 * in IRR (TMR = level), the VMM asks vlapic_pending_vector and, when it
 * injects one, calls vlapic_accept. EOI clears the highest ISR bit and, if
 * that vector was level-triggered, calls ops->eoi (-> vioapic_eoi).
 * While software-disabled (SVR bit 8 clear) the LVTs are masked (writes
 * keep the mask), fixed interrupts are refused and nothing is pending;
 * NMI, INIT and SIPI are still accepted.
 *
 * INIT and SIPI (SDM 8.4, 10.4.7.3): an INIT resets this local APIC at
 * once to its power-up state except the APIC ID, drops a pending NMI and
 * SIPI, and leaves init_pending for the VMM, which puts the CPU into
 * wait-for-SIPI. A SIPI is recorded only if none is recorded yet (the
 * first one starts the CPU); the VMM takes it and ignores it unless the
 * CPU waits for SIPI. So an INIT voids SIPIs sent before it, and a SIPI
 * that finds the CPU running is dropped, whatever order the VMM sees them.
 *
 * Timer: runs at VLAPIC_BUS_HZ (the divide register divides that), modes
 * one-shot, periodic and TSC-deadline (if init got a tsc_hz). Current
 * count is computed on read. A periodic period below VLAPIC_MIN_PERIOD_NS
 * is stretched to it (both the interrupts and the current count follow the
 * stretched period; the initial count reads as written). Missed periods
 * are dropped, never delivered in a burst. Per the SDM a write to the LVT
 * timer that changes the mode disarms the timer; the reserved mode 11b
 * counts like one-shot. In TSC-deadline mode a
 * deadline at or before the guest TSC fires at once; writes to the MSR in
 * other modes are ignored and it reads 0.
 *
 * The VMM must re-evaluate vlapic_pending_vector after every access the
 * vCPU makes to its own LAPIC (TPR and EOI writes unblock interrupts
 * without a kick). ops->kick is called whenever something becomes pending
 * from outside the vCPU's own instruction stream (set_irq, NMI, INIT,
 * SIPI, timer).
 */
#ifndef TV_VDEV_VLAPIC_H
#define TV_VDEV_VLAPIC_H

#include <tv/types.h>
#include <tv/vdev.h>

#define VLAPIC_BUS_HZ 1000000000u        /* timer input clock: 1 GHz, 1 ns per tick */
/* Register offsets other code names (CR8 is TPR[7:4]). */
#define VLAPIC_REG_TPR 0x080
#define VLAPIC_MIN_PERIOD_NS 100000u     /* periodic timer: at most 10000 interrupts/s */
#define VLAPIC_VERSION 0x00050014u
#define VLAPIC_MMIO_SIZE 0x1000
#define VLAPIC_MAX_TSC_HZ 17000000000ull /* larger tsc_hz: no TSC-deadline mode */

/* LVT indices */
enum {
	VLAPIC_LVT_TIMER,
	VLAPIC_LVT_THERMAL,
	VLAPIC_LVT_PERF,
	VLAPIC_LVT_LINT0,
	VLAPIC_LVT_LINT1,
	VLAPIC_LVT_ERROR,
	VLAPIC_NR_LVT
};

/* ESR bits */
#define VLAPIC_ESR_SEND_ILLEGAL 0x20
#define VLAPIC_ESR_RECV_ILLEGAL 0x40
#define VLAPIC_ESR_ILLEGAL_REG 0x80

/* Delivery modes (ICR, LVT, I/O APIC) */
#define VLAPIC_DM_FIXED 0
#define VLAPIC_DM_LOWEST 1
#define VLAPIC_DM_SMI 2
#define VLAPIC_DM_NMI 4
#define VLAPIC_DM_INIT 5
#define VLAPIC_DM_SIPI 6
#define VLAPIC_DM_EXTINT 7

/* ICR shorthands */
#define VLAPIC_SH_NONE 0
#define VLAPIC_SH_SELF 1
#define VLAPIC_SH_ALL 2
#define VLAPIC_SH_OTHERS 3

/*
 * An IPI the guest sent through the ICR, for the VMM to route. Never seen
 * here: IPIs with the "self" shorthand (handled locally), fixed/lowest
 * priority IPIs with an illegal vector (ESR "send illegal vector"), and
 * the legacy INIT level de-assert (a no-op since the Pentium 4).
 */
struct vlapic_ipi {
	u32 dest;               /* ICR bits 63:56 */
	u8 vector;
	u8 delivery_mode;       /* VLAPIC_DM_* */
	u8 shorthand;           /* VLAPIC_SH_NONE, _ALL (includes the sender) or _OTHERS */
	bool logical;           /* destination mode */
	bool level_assert;      /* ICR bit 14 */
	bool trigger_level;     /* ICR bit 15 */
};

/* Per-vCPU callbacks; they all get ctx (the vCPU), timers use the vdev_host. */
struct vlapic_ops {
	void *ctx;
	void (*eoi)(void *ctx, u8 vector);      /* EOI of a level-triggered vector */
	void (*ipi)(void *ctx, const struct vlapic_ipi *ipi);
	void (*kick)(void *ctx);                /* something became pending */
	u64 (*guest_tsc)(void *ctx);            /* the vCPU's TSC now (TSC-deadline) */
};

struct vlapic {
	struct vdev_host host;
	struct vlapic_ops ops;
	struct vtimer timer;
	u64 tsc_hz;                     /* 0: no TSC-deadline mode */
	u8 initial_id;

	u32 id, tpr, ldr, dfr, svr;
	u32 esr, esr_pending;
	u32 icr_lo, icr_hi;
	u32 lvt[VLAPIC_NR_LVT];
	u32 irr[8], isr[8], tmr[8];
	unsigned irr_count;             /* vectors set in irr */

	u32 timer_initial, timer_dcr;
	bool timer_running;             /* one-shot/periodic count in progress */
	u64 timer_next_ns;              /* next expiry not yet processed; 0 none */
	u64 timer_period_ns;            /* periodic: the (stretched) period */
	u64 tsc_deadline;

	bool nmi_pending, init_pending;
	int sipi_vector;                /* -1: none */
};

/*
 * apic_id: this vCPU's APIC ID. tsc_hz: the guest TSC rate for the
 * TSC-deadline mode (0 or above VLAPIC_MAX_TSC_HZ: mode not offered, LVT
 * timer bit 18 stays 0; the VMM should then not set CPUID.1:ECX[24]).
 */
void vlapic_init(struct vlapic *l, const struct vdev_host *h, const struct vlapic_ops *ops,
		 u8 apic_id, u64 tsc_hz);
/* Power-up/INIT state: everything clear, LVTs masked, SVR 0xff, timer stopped. */
void vlapic_reset(struct vlapic *l);
int vlapic_read(struct vlapic *l, u64 offset, unsigned size, u64 *val);
int vlapic_write(struct vlapic *l, u64 offset, unsigned size, u64 val);

/* MSR 0x6e0 */
void vlapic_write_tsc_deadline(struct vlapic *l, u64 guest_tsc_value);
u64 vlapic_read_tsc_deadline(struct vlapic *l);

/*
 * A fixed interrupt for this vCPU. Vectors 0-15 are illegal: refused with
 * ESR "received illegal vector". Returns whether it went into IRR.
 */
bool vlapic_set_irq(struct vlapic *l, u8 vector, bool level);
/* Any interrupt message after destination matching: fixed/lowest -> IRR, NMI, INIT, SIPI. */
void vlapic_deliver(struct vlapic *l, u8 delivery_mode, u8 vector, bool level);
/* Whether a message to dest (physical ID or logical mask, 0xff = all) targets this LAPIC. */
bool vlapic_match_dest(const struct vlapic *l, u32 dest, bool logical);

/* SVR bit 8: the APIC is software-enabled (it takes fixed and lowest-priority interrupts). */
static inline bool vlapic_enabled(const struct vlapic *l)
{
	return l->svr & 0x100;
}

/* The highest IRR vector whose priority class is above PPR, or -1. */
int vlapic_pending_vector(const struct vlapic *l);
/* The VMM injected vector: IRR -> ISR. */
void vlapic_accept(struct vlapic *l, u8 vector);
u8 vlapic_ppr(const struct vlapic *l);

/* Take (and clear) pending NMI / INIT / SIPI; take_sipi returns the vector or -1. */
bool vlapic_take_nmi(struct vlapic *l);
bool vlapic_take_init(struct vlapic *l);
int vlapic_take_sipi(struct vlapic *l);

#endif
