// SPDX-License-Identifier: MIT
/* pit.c: the emulated 8254 PIT and port 0x61 (tv/vdev/pit.h). */
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/vdev/pit.h>

#define PORT_CTRL 3

#define P61_GATE2 0x01
#define P61_STORED 0x0f         /* gate 2, speaker, parity/IOCHK enables */
#define P61_REFRESH 0x10
#define P61_OUT2 0x20

static u64 pit_now(const struct vpit *p)
{
	return p->host.now_ns(p->host.ctx);
}

static u64 pit_ticks(u64 ns)
{
	return vdev_muldiv(ns, VPIT_HZ, VDEV_NS_PER_SEC);
}

/* Host ns until tick `ticks` has certainly happened. */
static u64 pit_ticks_ns(u64 ticks)
{
	return vdev_muldiv_up(ticks, VDEV_NS_PER_SEC, VPIT_HZ);
}

static u32 pit_modulus(const struct vpit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

/* Ticks counted since the current count was loaded (or triggered). */
static u64 pit_elapsed(const struct vpit_channel *c, u64 now)
{
	u64 e = c->base_ticks;

	if (c->counting && now > c->base_ns)
		e += pit_ticks(now - c->base_ns);
	return e;
}

/* Stop the counting element, keeping what it counted. */
static void pit_pause(struct vpit_channel *c, u64 now)
{
	c->base_ticks = pit_elapsed(c, now);
	c->counting = false;
}

static void pit_start(struct vpit_channel *c, u64 now, bool restart)
{
	if (restart)
		c->base_ticks = 0;
	c->base_ns = now;
	c->counting = true;
}

/* The counting element's value, binary, in [0, modulus). */
static u32 pit_value(const struct vpit_channel *c, u64 now)
{
	u64 e = pit_elapsed(c, now), n = c->reload, m = pit_modulus(c), p, v;

	if (!c->have_count || !n)
		return 0;
	switch (c->mode) {
	case 2:
		v = n - e % n;
		break;
	case 3:
		/* Counts down by two through each half period. */
		p = e % n;
		if (p >= (n + 1) / 2)
			p -= (n + 1) / 2;
		v = n - 2 * p;
		break;
	default:
		/* 0, 1, 4, 5: down from n, wrapping around after terminal count. */
		v = n + m - e % m;
		break;
	}
	return (u32)(v % m);
}

static bool pit_out(const struct vpit_channel *c, u64 now)
{
	u64 e, n = c->reload;

	if (!c->have_count || !n)
		return c->mode != 0;    /* mode 0: low after the control word; others high */
	if (!c->counting && (c->mode == 1 || c->mode == 5 || c->mode == 2 || c->mode == 3))
		return true;            /* not triggered / gate low: high */
	e = pit_elapsed(c, now);
	switch (c->mode) {
	case 0:
	case 1:
		return e >= n;
	case 2:
		return e % n != n - 1;
	case 3:
		return e % n < (n + 1) / 2;
	default:
		return e != n;          /* 4, 5: one tick low at terminal count */
	}
}

static u16 pit_encode(const struct vpit_channel *c, u32 v)
{
	if (!c->bcd)
		return (u16)v;
	return (u16)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* A written count, decoded; 0 stands for the modulus. */
static u32 pit_decode(const struct vpit_channel *c, u16 raw)
{
	u32 n = raw;

	if (c->bcd)
		n = ((raw >> 12) & 15) * 1000u + ((raw >> 8) & 15) * 100u +
		    ((raw >> 4) & 15) * 10u + (raw & 15u);
	n %= pit_modulus(c);
	return n ? n : pit_modulus(c);
}

/* ---- channel 0 interrupts ---- */

static bool pit_periodic(const struct vpit_channel *c)
{
	return c->mode == 2 || c->mode == 3;
}

static u64 pit_irq_period(const struct vpit_channel *c)
{
	return c->reload < VPIT_MIN_IRQ_TICKS ? VPIT_MIN_IRQ_TICKS : c->reload;
}

/* Recompute when channel 0's next edge is due and (re)arm or cancel the timer. */
static void pit_irq_update(struct vpit *p, u64 now)
{
	const struct vpit_channel *c = &p->ch[0];
	u64 d = 0, e, k, per, target;

	if (c->have_count && c->counting && c->reload) {
		e = pit_elapsed(c, now);
		if (pit_periodic(c)) {
			per = pit_irq_period(c);
			k = e / per + 1;
			target = k * per;   /* rising edge at each period start */
		} else if ((c->mode == 0 || c->mode == 4) && !c->irq_done) {
			target = c->reload;
		} else {
			target = 0;
		}
		if (target) {
			/* base_ticks is 0 on channel 0 but for a mode 0 LSB pause. */
			d = target > c->base_ticks ?
				c->base_ns + pit_ticks_ns(target - c->base_ticks) : now;
			if (p->last_irq_ns && d < p->last_irq_ns + VPIT_MIN_IRQ_NS)
				d = p->last_irq_ns + VPIT_MIN_IRQ_NS;
			if (!d)
				d = 1;
		}
	}
	p->irq_deadline = d;
	if (d)
		p->host.timer_arm(p->host.ctx, &p->timer, d);
	else
		p->host.timer_cancel(p->host.ctx, &p->timer);
}

static void pit_fire(struct vtimer *t, u64 now)
{
	struct vpit *p = t->owner;
	struct vpit_channel *c = &p->ch[0];

	if (p->irq_deadline && now >= p->irq_deadline) {
		p->host.set_irq(p->host.ctx, p->gsi, true);
		p->host.set_irq(p->host.ctx, p->gsi, false);
		p->last_irq_ns = now;
		if (!pit_periodic(c))
			c->irq_done = true;
	}
	pit_irq_update(p, now);
}

/* ---- channel programming ---- */

static void pit_load(struct vpit_channel *c, u16 raw, u64 now)
{
	u32 n = pit_decode(c, raw);

	c->have_count = true;
	if (c->mode == 1 || c->mode == 5) {
		/* Hardware-triggered: the count waits for a rising gate edge. */
		c->pending = n;
		c->null_count = true;
		return;
	}
	c->reload = n;
	c->null_count = false;
	c->irq_done = false;
	c->base_ticks = 0;
	c->base_ns = now;
	/* Gate low holds modes 0, 2, 3, 4; a rising gate (re)starts them. */
	c->counting = c->gate;
}

static void pit_set_gate(struct vpit_channel *c, bool gate, u64 now)
{
	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->have_count)
		return;
	switch (c->mode) {
	case 0:
	case 4:
		if (gate)
			pit_start(c, now, false);       /* resume */
		else if (c->counting)
			pit_pause(c, now);
		break;
	case 2:
	case 3:
		if (gate)
			pit_start(c, now, true);        /* a rising gate reloads */
		else if (c->counting)
			pit_pause(c, now);
		break;
	default:
		if (gate) {                             /* 1, 5: trigger */
			c->reload = c->pending;
			c->null_count = false;
			c->irq_done = false;
			pit_start(c, now, true);
		}
		break;
	}
}

static void pit_latch_count(struct vpit_channel *c, u64 now)
{
	if (c->count_latched)
		return;         /* the first latch holds until it is read */
	c->latch = pit_encode(c, pit_value(c, now));
	c->count_latched = true;
}

static void pit_latch_status(struct vpit_channel *c, u64 now)
{
	if (c->status_latched)
		return;
	c->status = (u8)((pit_out(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
			 c->rw << 4 | c->ctrl_mode << 1 | (c->bcd ? 1 : 0));
	c->status_latched = true;
}

static void pit_control(struct vpit *p, u8 val, u64 now)
{
	unsigned sc = val >> 6, rw = (val >> 4) & 3, m = (val >> 1) & 7;
	struct vpit_channel *c;
	bool gate;

	if (sc == 3) {
		/* Read-back: bit 5 clear latches counts, bit 4 clear latches status. */
		for (unsigned i = 0; i < 3; i++) {
			if (!(val & (2u << i)))
				continue;
			if (!(val & 0x20))
				pit_latch_count(&p->ch[i], now);
			if (!(val & 0x10))
				pit_latch_status(&p->ch[i], now);
		}
		return;
	}
	c = &p->ch[sc];
	if (!rw) {
		pit_latch_count(c, now);
		return;
	}
	/* A control word resets the channel's logic; only the gate input survives. */
	gate = c->gate;
	memset(c, 0, sizeof(*c));
	c->gate = gate;
	c->ctrl_mode = (u8)m;
	c->mode = (u8)(m > 5 ? m - 4 : m);     /* 6 and 7 are aliases of 2 and 3 */
	c->rw = (u8)rw;
	c->bcd = val & 1;
	c->null_count = true;
	if (sc == 0)
		pit_irq_update(p, now);
}

static u8 pit_read_channel(struct vpit_channel *c, u64 now)
{
	u16 v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched) {
		v = c->latch;
		if (c->rw != 3 || c->read_msb)
			c->count_latched = false;
	} else {
		v = pit_encode(c, pit_value(c, now));
	}
	switch (c->rw) {
	case 1:
		return (u8)v;
	case 2:
		return (u8)(v >> 8);
	default:
		c->read_msb = !c->read_msb;
		return c->read_msb ? (u8)v : (u8)(v >> 8);
	}
}

static void pit_write_channel(struct vpit_channel *c, u8 byte, u64 now)
{
	switch (c->rw) {
	case 1:
		pit_load(c, byte, now);
		break;
	case 2:
		pit_load(c, (u16)(byte << 8), now);
		break;
	default:
		if (!c->write_msb) {
			c->write_lsb = byte;
			c->write_msb = true;
			/* Mode 0: writing the first byte stops the count. */
			if (c->mode == 0 && c->counting)
				pit_pause(c, now);
			return;
		}
		c->write_msb = false;
		pit_load(c, (u16)(c->write_lsb | byte << 8), now);
		break;
	}
}

/* ---- bus interface ---- */

void vpit_reset(struct vpit *p)
{
	memset(p->ch, 0, sizeof(p->ch));
	for (unsigned i = 0; i < 3; i++) {
		p->ch[i].rw = 3;
		p->ch[i].gate = i != 2;  /* channels 0 and 1: gate tied high */
	}
	p->port61 = 0;
	p->irq_deadline = 0;
	p->last_irq_ns = 0;
	p->host.timer_cancel(p->host.ctx, &p->timer);
}

void vpit_init(struct vpit *p, const struct vdev_host *h, unsigned gsi)
{
	memset(p, 0, sizeof(*p));
	p->host = *h;
	p->gsi = gsi;
	p->timer.fire = pit_fire;
	p->timer.owner = p;
	vpit_reset(p);
}

int vpit_read(struct vpit *p, u64 offset, unsigned size, u64 *val)
{
	*val = ~0ull;
	if (offset > PORT_CTRL)
		return -EINVAL;
	if (size != 1)
		return -EOPNOTSUPP;
	if (offset == PORT_CTRL)
		*val = 0xff;    /* the control register cannot be read */
	else
		*val = pit_read_channel(&p->ch[offset], pit_now(p));
	return 0;
}

int vpit_write(struct vpit *p, u64 offset, unsigned size, u64 val)
{
	u64 now;

	if (offset > PORT_CTRL)
		return -EINVAL;
	if (size != 1)
		return -EOPNOTSUPP;
	now = pit_now(p);
	if (offset == PORT_CTRL) {
		pit_control(p, (u8)val, now);
		return 0;
	}
	pit_write_channel(&p->ch[offset], (u8)val, now);
	if (offset == 0)
		pit_irq_update(p, now);
	return 0;
}

int vpit_port61_read(struct vpit *p, u64 offset, unsigned size, u64 *val)
{
	u64 now;
	u8 v;

	*val = ~0ull;
	if (offset)
		return -EINVAL;
	if (size != 1)
		return -EOPNOTSUPP;
	now = pit_now(p);
	v = p->port61 & P61_STORED;
	if ((now / VPIT_REFRESH_NS) & 1)
		v |= P61_REFRESH;
	if (pit_out(&p->ch[2], now))
		v |= P61_OUT2;
	*val = v;       /* bits 6-7 (SERR/IOCHK NMI reasons) never set */
	return 0;
}

int vpit_port61_write(struct vpit *p, u64 offset, unsigned size, u64 val)
{
	if (offset)
		return -EINVAL;
	if (size != 1)
		return -EOPNOTSUPP;
	p->port61 = (u8)val & P61_STORED;
	pit_set_gate(&p->ch[2], val & P61_GATE2, pit_now(p));
	return 0;
}
