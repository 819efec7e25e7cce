// SPDX-License-Identifier: MIT
/* rtc.c: the emulated MC146818 RTC and CMOS RAM (tv/vdev/rtc.h). */
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/vdev/rtc.h>

#define REG_SEC 0x00
#define REG_SEC_ALARM 0x01
#define REG_MIN 0x02
#define REG_MIN_ALARM 0x03
#define REG_HOUR 0x04
#define REG_HOUR_ALARM 0x05
#define REG_WDAY 0x06
#define REG_MDAY 0x07
#define REG_MON 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d

#define A_UIP 0x80
#define A_RATE 0x0f
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_SQWE 0x08
#define B_BINARY 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define D_VRT 0x80

#define SECS_PER_DAY 86400
#define NS_PER_SEC VDEV_NS_PER_SEC
#define DAYS_PER_400Y 146097
#define ALARM_ANY (-1)
#define ALARM_NEVER (-2)

/* ---- pure date helpers ---- */

bool vrtc_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int vrtc_days_in_month(int year, int mon)
{
	static const u8 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mon < 1 || mon > 12)
		return 0;
	return days[mon - 1] + (mon == 2 && vrtc_leap(year));
}

/* Days from 0001-01-01 to y-01-01, y >= 1. */
static s64 rtc_days_before_year(s64 y)
{
	y--;
	return 365 * y + y / 4 - y / 100 + y / 400;
}

static s64 rtc_days_before_month(int year, int mon)
{
	s64 d = 0;

	for (int m = 1; m < mon && m <= 12; m++)
		d += vrtc_days_in_month(year, m);
	return d;
}

s64 vrtc_days_from_date(int year, int mon, int mday)
{
	/* Shift by 400 years (exactly DAYS_PER_400Y) so year 0 needs no negative division. */
	return rtc_days_before_year((s64)year + 400) - DAYS_PER_400Y - rtc_days_before_year(1970) +
	       rtc_days_before_month(year, mon) + mday - 1;
}

void vrtc_date_from_days(s64 days, int *year, int *mon, int *mday)
{
	s64 n = days + rtc_days_before_year(1970), y = 1, k, c100, c4, c1;
	int m;

	/* Bring n into [0, ...) by whole 400-year cycles: the calendar repeats. */
	if (n < 0) {
		k = -n / DAYS_PER_400Y + 1;
		n += k * DAYS_PER_400Y;
		y -= 400 * k;
	}
	y += n / DAYS_PER_400Y * 400;
	n %= DAYS_PER_400Y;
	c100 = n / 36524;
	if (c100 == 4)
		c100 = 3;       /* the last day of a 400-year cycle */
	n -= c100 * 36524;
	c4 = n / 1461;
	n -= c4 * 1461;
	c1 = n / 365;
	if (c1 == 4)
		c1 = 3;         /* the last day of a leap year */
	n -= c1 * 365;
	y += c100 * 100 + c4 * 4 + c1;
	for (m = 1; m < 12 && n >= vrtc_days_in_month((int)y, m); m++)
		n -= vrtc_days_in_month((int)y, m);
	*year = (int)y;
	*mon = m;
	*mday = (int)n + 1;
}

s64 vrtc_tm_to_secs(const struct vrtc_tm *tm)
{
	return vrtc_days_from_date(tm->year, tm->mon, tm->mday) * SECS_PER_DAY +
	       tm->hour * 3600 + tm->min * 60 + tm->sec;
}

void vrtc_secs_to_tm(s64 secs, struct vrtc_tm *tm)
{
	s64 days = secs / SECS_PER_DAY, rem = secs % SECS_PER_DAY;

	if (rem < 0) {
		rem += SECS_PER_DAY;
		days--;
	}
	vrtc_date_from_days(days, &tm->year, &tm->mon, &tm->mday);
	tm->hour = (int)(rem / 3600);
	tm->min = (int)(rem / 60 % 60);
	tm->sec = (int)(rem % 60);
	tm->wday = (int)(((days + 4) % 7 + 7) % 7);     /* 1970-01-01 was a Thursday */
}

/* ---- the clock ---- */

static u64 rtc_now(const struct vrtc *r)
{
	return r->host.now_ns(r->host.ctx);
}

/* Nanoseconds since the start of the running second at base_ns. */
static u64 rtc_phase(const struct vrtc *r, u64 now)
{
	return (now > r->base_ns ? now - r->base_ns : 0) + r->base_sub_ns;
}

static s64 rtc_secs_at(const struct vrtc *r, u64 now)
{
	return r->base_secs + (s64)(rtc_phase(r, now) / NS_PER_SEC);
}

static void rtc_get_tm(const struct vrtc *r, u64 now, struct vrtc_tm *tm)
{
	if (r->frozen)
		*tm = r->held;
	else
		vrtc_secs_to_tm(rtc_secs_at(r, now), tm);
}

/* Restart the running clock at tm, keeping the position within the second. */
static void rtc_set_running(struct vrtc *r, struct vrtc_tm *tm, u64 now, u64 sub_ns)
{
	int dim = vrtc_days_in_month(tm->year, tm->mon);

	if (tm->mday > dim)
		tm->mday = dim;         /* e.g. Feb 31 left by field-wise writes */
	r->base_secs = vrtc_tm_to_secs(tm);
	r->base_ns = now;
	r->base_sub_ns = sub_ns;
}

static bool rtc_should_freeze(const struct vrtc *r)
{
	return (r->cmos[REG_B] & B_SET) || ((r->cmos[REG_A] >> 4) & 7) >= 6;
}

static bool rtc_bcd(const struct vrtc *r)
{
	return !(r->cmos[REG_B] & B_BINARY);
}

static u8 rtc_enc(const struct vrtc *r, int v)
{
	return rtc_bcd(r) ? (u8)((v / 10) << 4 | v % 10) : (u8)v;
}

/* A register byte as a number; -1 if it is not valid BCD. */
static int rtc_dec(const struct vrtc *r, u8 b)
{
	if (!rtc_bcd(r))
		return b;
	if ((b >> 4) > 9 || (b & 15) > 9)
		return -1;
	return (b >> 4) * 10 + (b & 15);
}

static u8 rtc_enc_hour(const struct vrtc *r, int h)
{
	if (r->cmos[REG_B] & B_24H)
		return rtc_enc(r, h);
	return rtc_enc(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

/* An hour byte as 0-23; -1 if invalid in the current format. */
static int rtc_dec_hour(const struct vrtc *r, u8 b)
{
	int h;

	if (r->cmos[REG_B] & B_24H) {
		h = rtc_dec(r, b);
		return h <= 23 ? h : -1;
	}
	h = rtc_dec(r, b & 0x7f);
	if (h < 1 || h > 12)
		return -1;
	return h % 12 + ((b & 0x80) ? 12 : 0);
}

/* ---- interrupt flags ---- */

/* Periodic interrupt: log2 of its period in 32768 Hz ticks, or -1 if off. */
static int rtc_pf_shift(const struct vrtc *r)
{
	unsigned rate = r->cmos[REG_A] & A_RATE;

	if (!rate || ((r->cmos[REG_A] >> 4) & 7) >= 6)
		return -1;
	return rate <= 2 ? (int)rate + 6 : (int)rate - 1;  /* 1, 2: 256, 128 Hz */
}

static u64 rtc_32k(u64 ns)
{
	return vdev_muldiv(ns, 32768, NS_PER_SEC);
}

static int rtc_alarm_field(const struct vrtc *r, unsigned reg, int max)
{
	u8 b = r->cmos[reg];
	int v;

	if ((b & 0xc0) == 0xc0)
		return ALARM_ANY;
	v = reg == REG_HOUR_ALARM ? rtc_dec_hour(r, b) : rtc_dec(r, b);
	return v >= 0 && v <= max ? v : ALARM_NEVER;
}

/*
 * Seconds from tod (second of the day) to the next second strictly after
 * it that matches the alarm, or -1 if none ever does. Each loop level
 * returns at its first match, so this is a few hundred steps at most.
 */
static s64 rtc_alarm_next(const struct vrtc *r, s64 tod)
{
	int ah = rtc_alarm_field(r, REG_HOUR_ALARM, 23);
	int am = rtc_alarm_field(r, REG_MIN_ALARM, 59);
	int as = rtc_alarm_field(r, REG_SEC_ALARM, 59);
	int ch = (int)(tod / 3600), cm = (int)(tod / 60 % 60), cs = (int)(tod % 60);

	if (ah == ALARM_NEVER || am == ALARM_NEVER || as == ALARM_NEVER)
		return -1;
	for (int d = 0; d < 2; d++) {
		for (int h = d ? 0 : ch; h < 24; h++) {
			bool same_h = !d && h == ch;

			if (ah != ALARM_ANY && h != ah)
				continue;
			for (int m = same_h ? cm : 0; m < 60; m++) {
				bool same_m = same_h && m == cm;

				if (am != ALARM_ANY && m != am)
					continue;
				for (int s = same_m ? cs + 1 : 0; s < 60; s++) {
					if (as != ALARM_ANY && s != as)
						continue;
					return (s64)d * SECS_PER_DAY + h * 3600 + m * 60 + s - tod;
				}
			}
		}
	}
	return -1;
}

static s64 rtc_tod(s64 secs)
{
	s64 t = secs % SECS_PER_DAY;

	return t < 0 ? t + SECS_PER_DAY : t;
}

static void rtc_update_irq(struct vrtc *r)
{
	bool level = r->cmos[REG_C] & r->cmos[REG_B] & (C_PF | C_AF | C_UF);

	/* IRQF = PF.PIE + AF.AIE + UF.UIE, recomputed whenever flags or enables change. */
	if (level)
		r->cmos[REG_C] |= C_IRQF;
	else
		r->cmos[REG_C] &= (u8)~C_IRQF;
	if (level != r->irq_level) {
		r->irq_level = level;
		r->host.set_irq(r->host.ctx, r->gsi, level);
	}
}

/* Set the flags of every event in (last_eval_ns, now] under the current settings. */
static void rtc_catch_up(struct vrtc *r, u64 now)
{
	u64 t0 = r->last_eval_ns;
	s64 s0, s1, next;
	int shift;

	if (now <= t0)
		return;
	r->last_eval_ns = now;
	if (!r->frozen) {
		s0 = rtc_secs_at(r, t0 > r->base_ns ? t0 : r->base_ns);
		s1 = rtc_secs_at(r, now);
		if (s1 > s0) {
			r->cmos[REG_C] |= C_UF;
			next = rtc_alarm_next(r, rtc_tod(s0));
			if (next > 0 && s0 + next <= s1)
				r->cmos[REG_C] |= C_AF;
		}
	}
	shift = rtc_pf_shift(r);
	if (shift >= 0 && rtc_32k(now) >> shift > rtc_32k(t0) >> shift)
		r->cmos[REG_C] |= C_PF;
	rtc_update_irq(r);
}

/* Arm the timer for the next enabled event, unless the line is already up. */
static void rtc_rearm(struct vrtc *r, u64 now)
{
	u8 b = r->cmos[REG_B];
	u64 d = 0, t, to_next_sec;
	s64 a;
	int shift;

	if (!r->irq_level) {
		to_next_sec = NS_PER_SEC - rtc_phase(r, now) % NS_PER_SEC;
		if ((b & B_UIE) && !r->frozen)
			d = now + to_next_sec;
		shift = rtc_pf_shift(r);
		if ((b & B_PIE) && shift >= 0) {
			t = vdev_muldiv_up(((rtc_32k(now) >> shift) + 1) << shift, NS_PER_SEC, 32768);
			if (!d || t < d)
				d = t;
		}
		if ((b & B_AIE) && !r->frozen) {
			a = rtc_alarm_next(r, rtc_tod(rtc_secs_at(r, now)));
			t = now + to_next_sec + (u64)(a - 1) * NS_PER_SEC;
			if (a > 0 && (!d || t < d))
				d = t;
		}
	}
	r->irq_deadline = d;
	if (d)
		r->host.timer_arm(r->host.ctx, &r->timer, d);
	else
		r->host.timer_cancel(r->host.ctx, &r->timer);
}

static void rtc_fire(struct vtimer *t, u64 now)
{
	struct vrtc *r = t->owner;

	rtc_catch_up(r, now);
	rtc_rearm(r, now);
}

/* After register A or B changed: enter or leave the frozen state. */
static void rtc_refreeze(struct vrtc *r, u64 now, bool div_was_reset)
{
	bool freeze = rtc_should_freeze(r);

	if (freeze && !r->frozen) {
		rtc_get_tm(r, now, &r->held);
		r->frozen = true;
	} else if (!freeze && r->frozen) {
		r->frozen = false;
		/* Leaving divider reset: the first update comes 500 ms later. */
		rtc_set_running(r, &r->held, now, div_was_reset ? NS_PER_SEC / 2 : 0);
	}
}

static void rtc_write_time(struct vrtc *r, u8 idx, u8 val, u64 now)
{
	struct vrtc_tm tm;
	int v = idx == REG_HOUR ? rtc_dec_hour(r, val) : rtc_dec(r, val);

	rtc_get_tm(r, now, &tm);
	/* Out-of-range values are ignored: the clock stays a valid date. */
	switch (idx) {
	case REG_SEC:
		if (v < 0 || v > 59)
			return;
		tm.sec = v;
		break;
	case REG_MIN:
		if (v < 0 || v > 59)
			return;
		tm.min = v;
		break;
	case REG_HOUR:
		if (v < 0)
			return;
		tm.hour = v;
		break;
	case REG_MDAY:
		if (v < 1 || v > 31)
			return;
		tm.mday = v;
		break;
	case REG_MON:
		if (v < 1 || v > 12)
			return;
		tm.mon = v;
		break;
	case REG_YEAR:
		if (v < 0 || v > 99)
			return;
		tm.year = tm.year / 100 * 100 + v;
		break;
	case VRTC_CENTURY:
		if (v < 0 || v > 99)
			return;
		tm.year = v * 100 + tm.year % 100;
		break;
	default:
		return;         /* day of week: derived from the date */
	}
	if (r->frozen) {
		r->held = tm;   /* day-of-month clamped when the clock restarts */
		return;
	}
	rtc_set_running(r, &tm, now, rtc_phase(r, now) % NS_PER_SEC);
}

/* A time register's value (binary), from the clock now. */
static int rtc_time_field(const struct vrtc_tm *tm, u8 idx)
{
	switch (idx) {
	case REG_SEC:
		return tm->sec;
	case REG_MIN:
		return tm->min;
	case REG_WDAY:
		/* Computed from the date: a held (being set) date may be stale or odd. */
		return (int)(((vrtc_days_from_date(tm->year, tm->mon, tm->mday) + 4) % 7 + 7) % 7) + 1;
	case REG_MDAY:
		return tm->mday;
	case REG_MON:
		return tm->mon;
	case REG_YEAR:
		return tm->year % 100;
	default:
		return tm->year / 100 % 100;
	}
}

static u8 rtc_read_reg(struct vrtc *r, u8 idx, u64 now)
{
	struct vrtc_tm tm;
	u8 v;

	switch (idx) {
	case REG_SEC:
	case REG_MIN:
	case REG_HOUR:
	case REG_WDAY:
	case REG_MDAY:
	case REG_MON:
	case REG_YEAR:
	case VRTC_CENTURY:
		rtc_get_tm(r, now, &tm);
		if (idx == REG_HOUR)
			return rtc_enc_hour(r, tm.hour);
		return rtc_enc(r, rtc_time_field(&tm, idx));
	case REG_A:
		return r->cmos[REG_A] & (u8)~A_UIP;
	case REG_C:
		rtc_catch_up(r, now);
		v = r->cmos[REG_C];
		r->cmos[REG_C] = 0;
		rtc_update_irq(r);
		rtc_rearm(r, now);
		return v;
	case REG_D:
		return D_VRT;
	default:
		return r->cmos[idx];
	}
}

static void rtc_write_reg(struct vrtc *r, u8 idx, u8 val, u64 now)
{
	bool div_reset;

	switch (idx) {
	case REG_SEC:
	case REG_MIN:
	case REG_HOUR:
	case REG_WDAY:
	case REG_MDAY:
	case REG_MON:
	case REG_YEAR:
	case VRTC_CENTURY:
		rtc_catch_up(r, now);
		rtc_write_time(r, idx, val, now);
		rtc_rearm(r, now);
		break;
	case REG_SEC_ALARM:
	case REG_MIN_ALARM:
	case REG_HOUR_ALARM:
		rtc_catch_up(r, now);
		r->cmos[idx] = val;
		rtc_rearm(r, now);
		break;
	case REG_A:
	case REG_B:
		rtc_catch_up(r, now);
		div_reset = ((r->cmos[REG_A] >> 4) & 7) >= 6;
		if (idx == REG_A)
			r->cmos[REG_A] = val & (u8)~A_UIP;
		else
			r->cmos[REG_B] = (val & B_SET) ? val & (u8)~B_UIE : val;  /* SET clears UIE */
		rtc_refreeze(r, now, div_reset);
		rtc_update_irq(r);      /* enabling a source whose flag is set raises IRQF */
		rtc_rearm(r, now);
		break;
	case REG_C:
	case REG_D:
		break;                  /* read-only */
	default:
		r->cmos[idx] = val;
		break;
	}
}

/* ---- bus interface ---- */

void vrtc_reset(struct vrtc *r)
{
	u64 now = rtc_now(r);

	rtc_catch_up(r, now);
	/* The RESET pin clears the interrupt enables and flags, not time or format. */
	r->cmos[REG_B] &= (u8)~(B_PIE | B_AIE | B_UIE | B_SQWE);
	r->cmos[REG_C] = 0;
	r->index = 0;
	rtc_update_irq(r);
	rtc_rearm(r, now);
}

void vrtc_init(struct vrtc *r, const struct vdev_host *h, unsigned gsi, s64 wall_secs,
	       u64 wall_at_ns)
{
	memset(r, 0, sizeof(*r));
	r->host = *h;
	r->gsi = gsi;
	r->timer.fire = rtc_fire;
	r->timer.owner = r;
	r->cmos[REG_A] = 0x26;          /* 32.768 kHz time base, 1024 Hz periodic rate */
	r->cmos[REG_B] = B_24H;         /* BCD, 24 hours */
	r->base_secs = wall_secs;
	r->base_ns = wall_at_ns;
	r->last_eval_ns = rtc_now(r);
	rtc_rearm(r, r->last_eval_ns);
}

int vrtc_read(struct vrtc *r, u64 offset, unsigned size, u64 *val)
{
	*val = ~0ull;
	if (offset > 1)
		return -EINVAL;
	if (size != 1)
		return -EOPNOTSUPP;
	*val = offset ? rtc_read_reg(r, r->index, rtc_now(r)) : r->index;
	return 0;
}

int vrtc_write(struct vrtc *r, u64 offset, unsigned size, u64 val)
{
	if (offset > 1)
		return -EINVAL;
	if (size != 1)
		return -EOPNOTSUPP;
	if (!offset)
		r->index = (u8)val & 0x7f;      /* bit 7: NMI mask, not emulated */
	else
		rtc_write_reg(r, r->index, (u8)val, rtc_now(r));
	return 0;
}

void vrtc_cmos_set(struct vrtc *r, u8 index, u8 val)
{
	if (index < VRTC_CMOS_SIZE && index > REG_D && index != VRTC_CENTURY)
		r->cmos[index] = val;
}

s64 vrtc_time(struct vrtc *r)
{
	if (r->frozen)
		return vrtc_tm_to_secs(&r->held);
	return rtc_secs_at(r, rtc_now(r));
}
