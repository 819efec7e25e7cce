// SPDX-License-Identifier: MIT
/* vlapic.c: the emulated local APIC (tv/vdev/vlapic.h). */
#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/vdev/vlapic.h>

#define REG_ID 0x020
#define REG_VERSION 0x030
#define REG_TPR VLAPIC_REG_TPR
#define REG_APR 0x090
#define REG_PPR 0x0a0
#define REG_EOI 0x0b0
#define REG_RRD 0x0c0
#define REG_LDR 0x0d0
#define REG_DFR 0x0e0
#define REG_SVR 0x0f0
#define REG_ISR 0x100
#define REG_TMR 0x180
#define REG_IRR 0x200
#define REG_ESR 0x280
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT0 0x320          /* LVT n at 0x320 + 0x10 n */
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DCR 0x3e0
#define REG_END 0x400           /* the architectural register space ends here */

#define SVR_ENABLE 0x100
#define SVR_RW 0x3ff            /* vector, enable, focus checking */
#define LVT_MASKED 0x10000u
#define LVT_TIMER_MODE_SHIFT 17
#define TIMER_ONESHOT 0
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2
#define ICR_LO_RW 0x000ccfffu   /* vector, mode, dest mode, level, trigger, shorthand */
#define ICR_LEVEL_ASSERT 0x4000u
#define ICR_TRIGGER_LEVEL 0x8000u
#define ICR_LOGICAL 0x800u
#define DCR_RW 0xbu

#define NS_PER_TICK (VDEV_NS_PER_SEC / VLAPIC_BUS_HZ)
_Static_assert(VDEV_NS_PER_SEC % VLAPIC_BUS_HZ == 0, "whole ns per bus tick");

/* Writable bits of each LVT (the timer's bit 18 only with TSC-deadline). */
static const u32 lvt_rw[VLAPIC_NR_LVT] = {
	[VLAPIC_LVT_TIMER] = 0x300ff,
	[VLAPIC_LVT_THERMAL] = 0x107ff,
	[VLAPIC_LVT_PERF] = 0x107ff,
	[VLAPIC_LVT_LINT0] = 0x1a7ff,
	[VLAPIC_LVT_LINT1] = 0x1a7ff,
	[VLAPIC_LVT_ERROR] = 0x100ff,
};

static u64 lapic_now(const struct vlapic *l)
{
	return l->host.now_ns(l->host.ctx);
}

static bool lapic_enabled(const struct vlapic *l)
{
	return l->svr & SVR_ENABLE;
}

/* ---- the 256-bit vector registers ---- */

static bool vec_test(const u32 *r, u8 v)
{
	return r[v >> 5] & (1u << (v & 31));
}

static void vec_set(u32 *r, u8 v)
{
	r[v >> 5] |= 1u << (v & 31);
}

static void vec_clear(u32 *r, u8 v)
{
	r[v >> 5] &= ~(1u << (v & 31));
}

/* Highest set vector, or -1. */
static int vec_highest(const u32 *r)
{
	for (int i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	return -1;
}

/* ---- priorities ---- */

u8 vlapic_ppr(const struct vlapic *l)
{
	int isrv = vec_highest(l->isr);
	u32 tpr = l->tpr & 0xff;

	if (isrv < 0 || (tpr >> 4) >= ((u32)isrv >> 4))
		return (u8)tpr;
	return (u8)(isrv & 0xf0);
}

static u32 lapic_apr(const struct vlapic *l)
{
	int isrv = vec_highest(l->isr), irrv = vec_highest(l->irr);
	u32 tpc = (l->tpr >> 4) & 15, isc = isrv < 0 ? 0 : (u32)isrv >> 4,
	    irc = irrv < 0 ? 0 : (u32)irrv >> 4;

	if (tpc >= irc && tpc > isc)
		return l->tpr & 0xff;
	return MAX(tpc, MAX(isc, irc)) << 4;
}

int vlapic_pending_vector(const struct vlapic *l)
{
	int v;

	if (!l->irr_count)
		return -1; /* the common case, checked before every guest entry */
	v = vec_highest(l->irr);

	if (v < 0 || !lapic_enabled(l))
		return -1;
	return ((u32)v & 0xf0) > (vlapic_ppr(l) & 0xf0u) ? v : -1;
}

/* ---- acceptance ---- */

static void lapic_kick(struct vlapic *l)
{
	if (l->ops.kick)
		l->ops.kick(l->ops.ctx);
}

static bool lapic_accept_irq(struct vlapic *l, u8 vector, bool level);

/* Log an error; a new one raises the LVT error interrupt if it is unmasked. */
static void lapic_error(struct vlapic *l, u32 bits)
{
	u32 lvt = l->lvt[VLAPIC_LVT_ERROR];
	u8 vec = (u8)lvt;

	if ((l->esr_pending & bits) == bits)
		return;
	l->esr_pending |= bits;
	/* An illegal error vector would only log again: stop there, no recursion. */
	if (!(lvt & LVT_MASKED) && vec >= 16)
		lapic_accept_irq(l, vec, false);
}

static bool lapic_accept_irq(struct vlapic *l, u8 vector, bool level)
{
	if (vector < 16) {
		lapic_error(l, VLAPIC_ESR_RECV_ILLEGAL);
		return false;
	}
	if (!lapic_enabled(l))
		return false;
	if (!vec_test(l->irr, vector)) {
		vec_set(l->irr, vector);
		l->irr_count++;
	}
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
	lapic_kick(l);
	return true;
}

bool vlapic_set_irq(struct vlapic *l, u8 vector, bool level)
{
	return lapic_accept_irq(l, vector, level);
}

static void lapic_init_reset(struct vlapic *l);

void vlapic_deliver(struct vlapic *l, u8 delivery_mode, u8 vector, bool level)
{
	switch (delivery_mode) {
	case VLAPIC_DM_FIXED:
	case VLAPIC_DM_LOWEST:
		lapic_accept_irq(l, vector, level);
		break;
	case VLAPIC_DM_NMI:
		l->nmi_pending = true;
		lapic_kick(l);
		break;
	case VLAPIC_DM_INIT:
		lapic_init_reset(l);
		lapic_kick(l);
		break;
	case VLAPIC_DM_SIPI:
		/* The first SIPI starts the CPU; until the VMM takes it, later ones are void. */
		if (l->sipi_vector < 0)
			l->sipi_vector = vector;
		lapic_kick(l);
		break;
	default:
		break;          /* SMI, ExtINT (no 8259), reserved: dropped */
	}
}

bool vlapic_match_dest(const struct vlapic *l, u32 dest, bool logical)
{
	u32 ldr = l->ldr >> 24;

	dest &= 0xff;
	if (!logical)
		return dest == 0xff || dest == (l->id >> 24);
	if ((l->dfr >> 28) == 0xf)
		return dest & ldr;                      /* flat */
	if (dest == 0xff)
		return true;                            /* cluster broadcast */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

void vlapic_accept(struct vlapic *l, u8 vector)
{
	if (!vec_test(l->irr, vector))
		return;
	vec_clear(l->irr, vector);
	l->irr_count--;
	vec_set(l->isr, vector);
}

static void lapic_eoi(struct vlapic *l)
{
	int v = vec_highest(l->isr);

	if (v < 0)
		return;
	vec_clear(l->isr, (u8)v);
	if (vec_test(l->tmr, (u8)v) && l->ops.eoi)
		l->ops.eoi(l->ops.ctx, (u8)v);
}

bool vlapic_take_nmi(struct vlapic *l)
{
	bool p = l->nmi_pending;

	l->nmi_pending = false;
	return p;
}

bool vlapic_take_init(struct vlapic *l)
{
	bool p = l->init_pending;

	l->init_pending = false;
	return p;
}

int vlapic_take_sipi(struct vlapic *l)
{
	int v = l->sipi_vector;

	l->sipi_vector = -1;
	return v;
}

/* ---- timer ---- */

static unsigned timer_mode(const struct vlapic *l)
{
	return (l->lvt[VLAPIC_LVT_TIMER] >> LVT_TIMER_MODE_SHIFT) & 3;
}

static u64 timer_tick_ns(const struct vlapic *l)
{
	unsigned v = ((l->timer_dcr >> 1) & 4) | (l->timer_dcr & 3);

	return (u64)NS_PER_TICK << (v == 7 ? 0 : v + 1);       /* divide by 2..128, or 1 */
}

static u64 timer_period(const struct vlapic *l)
{
	u64 p = (u64)l->timer_initial * timer_tick_ns(l);

	return p < VLAPIC_MIN_PERIOD_NS ? VLAPIC_MIN_PERIOD_NS : p;
}

/* Ticks left until the next expiry (0 when stopped). */
static u64 timer_remaining(const struct vlapic *l, u64 now)
{
	u64 tick = timer_tick_ns(l), left;

	if (!l->timer_running || timer_mode(l) == TIMER_TSC_DEADLINE)
		return 0;
	if (now < l->timer_next_ns)
		left = l->timer_next_ns - now;
	else if (timer_mode(l) == TIMER_PERIODIC)
		left = l->timer_period_ns - (now - l->timer_next_ns) % l->timer_period_ns;
	else
		return 0;
	return DIV_ROUND_UP(left, tick);
}

/* Process an expiry that is due by now, under the current settings. */
static bool timer_catch_up(struct vlapic *l, u64 now)
{
	u32 lvt = l->lvt[VLAPIC_LVT_TIMER];

	if (!l->timer_next_ns || now < l->timer_next_ns)
		return false;
	/* One interrupt however many expiries passed: no bursts. */
	if (!(lvt & LVT_MASKED))
		lapic_accept_irq(l, (u8)lvt, false);
	if (timer_mode(l) == TIMER_PERIODIC && l->timer_running) {
		l->timer_next_ns += ((now - l->timer_next_ns) / l->timer_period_ns + 1) *
				    l->timer_period_ns;
		return true;
	}
	l->timer_next_ns = 0;
	l->timer_running = false;
	l->tsc_deadline = 0;    /* TSC-deadline: firing disarms and clears the MSR */
	return true;
}

/* A host timer only runs when an interrupt can come out of it. */
static void timer_rearm(struct vlapic *l)
{
	if (l->timer_next_ns && !(l->lvt[VLAPIC_LVT_TIMER] & LVT_MASKED))
		l->host.timer_arm(l->host.ctx, &l->timer, l->timer_next_ns);
	else
		l->host.timer_cancel(l->host.ctx, &l->timer);
}

static void timer_fire(struct vtimer *t, u64 now)
{
	struct vlapic *l = t->owner;

	timer_catch_up(l, now);
	timer_rearm(l);
}

static void timer_stop(struct vlapic *l)
{
	l->timer_running = false;
	l->timer_next_ns = 0;
	l->tsc_deadline = 0;
}

/* (Re)start counting `ticks` ticks from now in the current mode. */
static void timer_start(struct vlapic *l, u64 now, u64 ticks)
{
	u64 d = ticks * timer_tick_ns(l);

	l->timer_period_ns = timer_period(l);
	if (timer_mode(l) == TIMER_PERIODIC && d < VLAPIC_MIN_PERIOD_NS)
		d = VLAPIC_MIN_PERIOD_NS;
	l->timer_running = true;
	l->timer_next_ns = now + d;
}

static void timer_write_initial(struct vlapic *l, u32 val, u64 now)
{
	if (timer_mode(l) == TIMER_TSC_DEADLINE)
		return;         /* ignored in TSC-deadline mode */
	l->timer_initial = val;
	if (val)
		timer_start(l, now, val);
	else
		timer_stop(l);  /* writing 0 stops the timer */
}

static void timer_write_dcr(struct vlapic *l, u32 val, u64 now)
{
	u64 left = timer_remaining(l, now);

	l->timer_dcr = val & DCR_RW;
	/* Keep the count where it is; it goes on at the new rate. */
	if (l->timer_running && left)
		timer_start(l, now, left);
}

static void timer_write_lvt(struct vlapic *l, u32 val)
{
	u32 old = l->lvt[VLAPIC_LVT_TIMER];

	l->lvt[VLAPIC_LVT_TIMER] = val;
	if (((old ^ val) >> LVT_TIMER_MODE_SHIFT) & 3)
		timer_stop(l);  /* a mode change disarms the timer */
}

void vlapic_write_tsc_deadline(struct vlapic *l, u64 tsc)
{
	u64 now = lapic_now(l), g, delta;

	if (timer_mode(l) != TIMER_TSC_DEADLINE)
		return;
	timer_catch_up(l, now);
	l->tsc_deadline = tsc;
	if (!tsc) {
		timer_stop(l);
	} else {
		g = l->ops.guest_tsc ? l->ops.guest_tsc(l->ops.ctx) : 0;
		if (tsc <= g) {
			l->timer_next_ns = now;         /* already due: fires below */
		} else {
			delta = tsc - g;
			/* Beyond ~30 years is "never" for practical purposes and cannot overflow. */
			if (delta / l->tsc_hz >= (1ull << 30))
				delta = (1ull << 30) * l->tsc_hz;
			l->timer_next_ns = now + vdev_muldiv_up(delta, VDEV_NS_PER_SEC, l->tsc_hz);
		}
		if (!l->timer_next_ns)
			l->timer_next_ns = 1;
	}
	timer_catch_up(l, now);
	timer_rearm(l);
}

u64 vlapic_read_tsc_deadline(struct vlapic *l)
{
	u64 now = lapic_now(l);

	if (timer_mode(l) != TIMER_TSC_DEADLINE)
		return 0;
	if (timer_catch_up(l, now))
		timer_rearm(l);
	return l->tsc_deadline;
}

/* ---- registers ---- */

static void lapic_send_ipi(struct vlapic *l)
{
	struct vlapic_ipi ipi = {
		.dest = l->icr_hi >> 24,
		.vector = (u8)l->icr_lo,
		.delivery_mode = (l->icr_lo >> 8) & 7,
		.shorthand = (l->icr_lo >> 18) & 3,
		.logical = l->icr_lo & ICR_LOGICAL,
		.level_assert = l->icr_lo & ICR_LEVEL_ASSERT,
		.trigger_level = l->icr_lo & ICR_TRIGGER_LEVEL,
	};

	if ((ipi.delivery_mode == VLAPIC_DM_FIXED || ipi.delivery_mode == VLAPIC_DM_LOWEST) &&
	    ipi.vector < 16) {
		lapic_error(l, VLAPIC_ESR_SEND_ILLEGAL);
		return;
	}
	/* INIT level de-assert only synchronised arbitration IDs on P6; a no-op since. */
	if (ipi.delivery_mode == VLAPIC_DM_INIT && !ipi.level_assert && ipi.trigger_level)
		return;
	if (ipi.shorthand == VLAPIC_SH_SELF) {
		/* Only fixed self IPIs are defined; handled here without the VMM. */
		if (ipi.delivery_mode == VLAPIC_DM_FIXED)
			lapic_accept_irq(l, ipi.vector, ipi.trigger_level);
		return;
	}
	if (l->ops.ipi)
		l->ops.ipi(l->ops.ctx, &ipi);
}

static void lapic_write_svr(struct vlapic *l, u32 val)
{
	l->svr = val & SVR_RW;
	if (!lapic_enabled(l))
		for (unsigned i = 0; i < VLAPIC_NR_LVT; i++)
			l->lvt[i] |= LVT_MASKED;
}

static u32 lapic_lvt_rw(const struct vlapic *l, unsigned i)
{
	u32 rw = lvt_rw[i];

	if (i == VLAPIC_LVT_TIMER && l->tsc_hz)
		rw |= 1u << 18;         /* TSC-deadline mode selectable */
	return rw;
}

static bool lapic_read_reg(struct vlapic *l, u32 reg, u64 now, u32 *v)
{
	if (reg >= REG_ISR && reg < REG_ISR + 0x80) {
		*v = l->isr[(reg - REG_ISR) >> 4];
		return true;
	}
	if (reg >= REG_TMR && reg < REG_TMR + 0x80) {
		*v = l->tmr[(reg - REG_TMR) >> 4];
		return true;
	}
	if (reg >= REG_IRR && reg < REG_IRR + 0x80) {
		*v = l->irr[(reg - REG_IRR) >> 4];
		return true;
	}
	if (reg >= REG_LVT0 && reg < REG_LVT0 + 0x10 * VLAPIC_NR_LVT) {
		*v = l->lvt[(reg - REG_LVT0) >> 4];
		return true;
	}
	switch (reg) {
	case REG_ID:
		*v = l->id;
		break;
	case REG_VERSION:
		*v = VLAPIC_VERSION;
		break;
	case REG_TPR:
		*v = l->tpr;
		break;
	case REG_APR:
		*v = lapic_apr(l);
		break;
	case REG_PPR:
		*v = vlapic_ppr(l);
		break;
	case REG_EOI:
	case REG_RRD:
		*v = 0;
		break;
	case REG_LDR:
		*v = l->ldr;
		break;
	case REG_DFR:
		*v = l->dfr;
		break;
	case REG_SVR:
		*v = l->svr;
		break;
	case REG_ESR:
		*v = l->esr;
		break;
	case REG_ICR_LO:
		*v = l->icr_lo;         /* delivery status (bit 12) always idle */
		break;
	case REG_ICR_HI:
		*v = l->icr_hi;
		break;
	case REG_TIMER_INIT:
		*v = l->timer_initial;
		break;
	case REG_TIMER_CUR:
		if (timer_catch_up(l, now))
			timer_rearm(l);
		*v = (u32)timer_remaining(l, now);
		break;
	case REG_TIMER_DCR:
		*v = l->timer_dcr;
		break;
	default:
		return false;
	}
	return true;
}

static bool lapic_write_reg(struct vlapic *l, u32 reg, u32 val, u64 now)
{
	unsigned i;

	if (reg >= REG_LVT0 && reg < REG_LVT0 + 0x10 * VLAPIC_NR_LVT) {
		i = (reg - REG_LVT0) >> 4;
		val &= lapic_lvt_rw(l, i);
		if (!lapic_enabled(l))
			val |= LVT_MASKED;      /* software-disabled: masks stick */
		if (i == VLAPIC_LVT_TIMER)
			timer_write_lvt(l, val);
		else
			l->lvt[i] = val;
		return true;
	}
	if ((reg >= REG_ISR && reg < REG_IRR + 0x80) || reg == REG_VERSION || reg == REG_APR ||
	    reg == REG_PPR || reg == REG_RRD || reg == REG_TIMER_CUR)
		return true;                    /* read-only: ignored */
	switch (reg) {
	case REG_ID:
		l->id = val & 0xff000000u;
		break;
	case REG_TPR:
		l->tpr = val & 0xff;
		break;
	case REG_EOI:
		lapic_eoi(l);
		break;
	case REG_LDR:
		l->ldr = val & 0xff000000u;
		break;
	case REG_DFR:
		l->dfr = val | 0x0fffffffu;
		break;
	case REG_SVR:
		lapic_write_svr(l, val);
		break;
	case REG_ESR:
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case REG_ICR_LO:
		l->icr_lo = val & ICR_LO_RW;
		lapic_send_ipi(l);
		break;
	case REG_ICR_HI:
		l->icr_hi = val & 0xff000000u;
		break;
	case REG_TIMER_INIT:
		timer_write_initial(l, val, now);
		break;
	case REG_TIMER_DCR:
		timer_write_dcr(l, val, now);
		break;
	default:
		return false;
	}
	return true;
}

void vlapic_reset(struct vlapic *l)
{
	l->host.timer_cancel(l->host.ctx, &l->timer);
	l->id = (u32)l->initial_id << 24;
	l->tpr = 0;
	l->ldr = 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	l->esr = 0;
	l->esr_pending = 0;
	l->icr_lo = 0;
	l->icr_hi = 0;
	for (unsigned i = 0; i < VLAPIC_NR_LVT; i++)
		l->lvt[i] = LVT_MASKED;
	memset(l->irr, 0, sizeof(l->irr));
	l->irr_count = 0;
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->timer_initial = 0;
	l->timer_dcr = 0;
	l->timer_period_ns = VLAPIC_MIN_PERIOD_NS;
	timer_stop(l);
	l->nmi_pending = false;
	l->init_pending = false;
	l->sipi_vector = -1;
}

/*
 * INIT: the local APIC goes back to its power-up state except for the APIC
 * ID (SDM 10.4.7.3); what was pending (NMI, an earlier SIPI) is gone, and
 * the CPU is to enter wait-for-SIPI when the VMM takes the INIT.
 */
static void lapic_init_reset(struct vlapic *l)
{
	u32 id = l->id;

	vlapic_reset(l);
	l->id = id;
	l->init_pending = true;
}

void vlapic_init(struct vlapic *l, const struct vdev_host *h, const struct vlapic_ops *ops,
		 u8 apic_id, u64 tsc_hz)
{
	memset(l, 0, sizeof(*l));
	l->host = *h;
	if (ops)
		l->ops = *ops;
	l->initial_id = apic_id;
	l->tsc_hz = tsc_hz <= VLAPIC_MAX_TSC_HZ ? tsc_hz : 0;
	l->timer.fire = timer_fire;
	l->timer.owner = l;
	vlapic_reset(l);
}

int vlapic_read(struct vlapic *l, u64 offset, unsigned size, u64 *val)
{
	u32 v = 0;

	*val = 0;
	if (offset >= VLAPIC_MMIO_SIZE)
		return -EINVAL;
	if (size != 4 || (offset & 0xf))
		return 0;       /* not a register access: reads 0 */
	if (!lapic_read_reg(l, (u32)offset, lapic_now(l), &v)) {
		if (offset < REG_END)
			lapic_error(l, VLAPIC_ESR_ILLEGAL_REG);
		v = 0;
	}
	*val = v;
	return 0;
}

int vlapic_write(struct vlapic *l, u64 offset, unsigned size, u64 val)
{
	u64 now;

	if (offset >= VLAPIC_MMIO_SIZE)
		return -EINVAL;
	if (size != 4 || (offset & 0xf))
		return 0;       /* not a register access: ignored */
	now = lapic_now(l);
	/* Expiries due before this write happen under the old settings. */
	timer_catch_up(l, now);
	if (!lapic_write_reg(l, (u32)offset, (u32)val, now) && offset < REG_END)
		lapic_error(l, VLAPIC_ESR_ILLEGAL_REG);
	timer_catch_up(l, now);
	timer_rearm(l);
	return 0;
}
