// SPDX-License-Identifier: MIT
/* test_vacpi_pm.c: ACPI PM1/PM timer, reset register and legacy ports (vmm/dev/acpi_pm.c). */
#include "vdev_testlib.h"

#include <tv/errno.h>
#include <tv/vdev/acpi_pm.h>
#include <tv/vmm_layout.h>

#define GSI 9
#define SEC 1000000000ull
#define MS 1000000ull

static struct vacpi_pm pm;
static int poweroffs, resets, sleeps;
static unsigned last_sleep;

static void cb_poweroff(void *ctx)
{
	CHECK(ctx == &fh);
	poweroffs++;
}

static void cb_reset(void *ctx)
{
	CHECK(ctx == &fh);
	resets++;
}

static void cb_sleep(void *ctx, unsigned typ)
{
	sleeps++;
	last_sleep = typ;
}

static const struct vacpi_pm_ops ops = {
	.poweroff = cb_poweroff,
	.reset = cb_reset,
	.sleep = cb_sleep,
};

static void setup(u64 start)
{
	fh_reset(start);
	poweroffs = resets = sleeps = 0;
	vacpi_pm_init(&pm, &fh_host, GSI, &ops);
}

static u64 rd(enum vacpi_pm_region reg, unsigned off, unsigned size)
{
	u64 v = 0;

	CHECK_EQ(vacpi_pm_read(&pm, reg, off, size, &v), 0);
	CHECK(size == 4 || v < (1ull << (8 * size)));
	return v;
}

static void wr(enum vacpi_pm_region reg, unsigned off, unsigned size, u64 v)
{
	CHECK_EQ(vacpi_pm_write(&pm, reg, off, size, v), 0);
}

static u64 tmr_ticks(u64 ns)
{
	return (u64)((unsigned __int128)ns * VACPI_PM_TMR_HZ / SEC);
}

TEST(ranges_match_layout)
{
	CHECK_EQ(vacpi_pm_ranges[VACPI_PM_EVT].port, GUEST_PORT_PM1A_EVT);
	CHECK_EQ(vacpi_pm_ranges[VACPI_PM_EVT].len, 4);
	CHECK_EQ(vacpi_pm_ranges[VACPI_PM_CNT].port, GUEST_PORT_PM1A_CNT);
	CHECK_EQ(vacpi_pm_ranges[VACPI_PM_CNT].len, 2);
	CHECK_EQ(vacpi_pm_ranges[VACPI_PM_TMR].port, GUEST_PORT_PM_TMR);
	CHECK_EQ(vacpi_pm_ranges[VACPI_PM_TMR].len, 4);
	CHECK_EQ(vacpi_pm_ranges[VACPI_PM_RESET].port, GUEST_PORT_RESET);
	CHECK_EQ(vacpi_pm_ranges[VACPI_PM_KBD_DATA].port, 0x60);
	CHECK_EQ(vacpi_pm_ranges[VACPI_PM_KBD_CMD].port, 0x64);
	CHECK_EQ(vacpi_pm_ranges[VACPI_PM_POST].port, 0x80);
}

TEST(pm_timer)
{
	u64 t0, a, b;

	setup(3 * SEC + 17);
	t0 = fh.now;
	CHECK_EQ(rd(VACPI_PM_TMR, 0, 4), 0);
	fh_advance(SEC);
	a = rd(VACPI_PM_TMR, 0, 4);
	CHECK_EQ(a, VACPI_PM_TMR_HZ);           /* 3.579545 MHz */
	for (int i = 0; i < 1000; i++) {
		fh_advance(fh_rand() % (5 * MS));
		b = rd(VACPI_PM_TMR, 0, 4);
		CHECK_EQ(b, tmr_ticks(fh.now - t0) & 0xffffffff);
		CHECK(b >= a);
		a = b;
	}
	/* narrower reads see the same counter */
	b = rd(VACPI_PM_TMR, 0, 4);
	CHECK_EQ(rd(VACPI_PM_TMR, 0, 2), b & 0xffff);
	CHECK_EQ(rd(VACPI_PM_TMR, 2, 2), b >> 16);
	CHECK_EQ(rd(VACPI_PM_TMR, 3, 1), b >> 24);
	wr(VACPI_PM_TMR, 0, 4, 0);              /* read-only */
	CHECK_EQ(rd(VACPI_PM_TMR, 0, 4), b);
	/* wraps at 32 bits (~20 minutes) */
	fh_advance(1300 * SEC);
	CHECK_EQ(rd(VACPI_PM_TMR, 0, 4), tmr_ticks(fh.now - t0) & 0xffffffff);
	CHECK(tmr_ticks(fh.now - t0) > 0xffffffffull);
	/* and after 100 days */
	fh_jump(100ull * 86400 * SEC);
	CHECK_EQ(rd(VACPI_PM_TMR, 0, 4), tmr_ticks(fh.now - t0) & 0xffffffff);
}

TEST(pm1_status_enable)
{
	setup(SEC);
	CHECK_EQ(rd(VACPI_PM_EVT, 0, 2), 0);
	CHECK_EQ(rd(VACPI_PM_EVT, 2, 2), 0);
	vacpi_pm_power_button(&pm);
	CHECK_EQ(rd(VACPI_PM_EVT, 0, 2), VACPI_PM1_PWRBTN);
	CHECK(!fh.line[GSI]);                   /* not enabled */
	wr(VACPI_PM_EVT, 2, 2, VACPI_PM1_PWRBTN);
	CHECK(fh.line[GSI]);
	CHECK_EQ(rd(VACPI_PM_EVT, 2, 2), VACPI_PM1_PWRBTN);
	wr(VACPI_PM_EVT, 0, 2, 0);              /* writing 0 clears nothing */
	CHECK(fh.line[GSI]);
	wr(VACPI_PM_EVT, 0, 2, 0xfeff);         /* other bits: no effect */
	CHECK(fh.line[GSI]);
	wr(VACPI_PM_EVT, 0, 2, VACPI_PM1_PWRBTN);       /* write 1 to clear */
	CHECK(!fh.line[GSI]);
	CHECK_EQ(rd(VACPI_PM_EVT, 0, 2), 0);
	/* 32-bit access: status W1C in the low half, enable in the high half */
	vacpi_pm_power_button(&pm);
	CHECK(fh.line[GSI]);
	wr(VACPI_PM_EVT, 0, 4, VACPI_PM1_PWRBTN | 0u << 16);
	CHECK(!fh.line[GSI]);
	CHECK_EQ(rd(VACPI_PM_EVT, 0, 4), 0);
	wr(VACPI_PM_EVT, 0, 4, 0xffffu << 16);
	CHECK_EQ(rd(VACPI_PM_EVT, 2, 2), 0x4721);       /* only defined enables stick */
	/* byte access to the high byte of the enable register */
	wr(VACPI_PM_EVT, 3, 1, 0);
	CHECK_EQ(rd(VACPI_PM_EVT, 2, 2), 0x0021);
	CHECK_EQ(rd(VACPI_PM_EVT, 2, 1), 0x21);
}

TEST(pm_timer_status_and_sci)
{
	u64 flip;

	setup(SEC);
	/* TMR_STS when bit 31 flips: 2^31 ticks = 599.9 s */
	flip = (u64)((((unsigned __int128)1 << 31) * SEC + VACPI_PM_TMR_HZ - 1) / VACPI_PM_TMR_HZ);
	fh_advance(flip - 1000);
	CHECK_EQ(rd(VACPI_PM_EVT, 0, 2) & VACPI_PM1_TMR, 0);
	fh_advance(2000);
	CHECK_EQ(rd(VACPI_PM_EVT, 0, 2) & VACPI_PM1_TMR, VACPI_PM1_TMR);
	wr(VACPI_PM_EVT, 0, 2, VACPI_PM1_TMR);
	CHECK_EQ(rd(VACPI_PM_EVT, 0, 2) & VACPI_PM1_TMR, 0);
	/* enabled: the SCI rises at the next flip, by timer */
	wr(VACPI_PM_EVT, 2, 2, VACPI_PM1_TMR);
	CHECK(fh_is_armed(&pm.timer));
	fh_advance(flip - 3000);
	CHECK(!fh.line[GSI]);
	fh_advance(2000);
	CHECK(fh.line[GSI]);
	CHECK(!fh_is_armed(&pm.timer));         /* nothing to wait for while it is pending */
	wr(VACPI_PM_EVT, 0, 2, VACPI_PM1_TMR);
	CHECK(!fh.line[GSI]);
	CHECK(fh_is_armed(&pm.timer));
	wr(VACPI_PM_EVT, 2, 2, 0);
	CHECK(!fh_is_armed(&pm.timer));
}

TEST(sleep_and_poweroff)
{
	setup(SEC);
	CHECK_EQ(rd(VACPI_PM_CNT, 0, 2), 0x0001);       /* SCI_EN always set */
	/* ACPICA: SLP_TYP first, then SLP_TYP | SLP_EN */
	wr(VACPI_PM_CNT, 0, 2, GUEST_S5_SLP_TYP << 10);
	CHECK_EQ(poweroffs, 0);
	CHECK_EQ(rd(VACPI_PM_CNT, 0, 2), GUEST_S5_SLP_TYP << 10 | 1);
	wr(VACPI_PM_CNT, 0, 2, GUEST_S5_SLP_TYP << 10 | 0x2000);
	CHECK_EQ(poweroffs, 1);
	CHECK_EQ(rd(VACPI_PM_CNT, 0, 2) & 0x2000, 0);   /* SLP_EN reads 0 */
	/* other sleep types: reported, not acted on */
	wr(VACPI_PM_CNT, 0, 2, 3 << 10 | 0x2000);
	CHECK_EQ(poweroffs, 1);
	CHECK_EQ(sleeps, 1);
	CHECK_EQ(last_sleep, 3);
	/* a byte write to the high byte works too */
	wr(VACPI_PM_CNT, 1, 1, (GUEST_S5_SLP_TYP << 2) | 0x20);
	CHECK_EQ(poweroffs, 2);
	wr(VACPI_PM_CNT, 0, 1, 0xff);           /* low byte: no SLP_EN */
	CHECK_EQ(poweroffs, 2);
	CHECK_EQ(resets, 0);
}

TEST(reset_paths)
{
	struct vacpi_pm_ops none = { 0 };

	setup(SEC);
	wr(VACPI_PM_RESET, 0, 1, 0x02);         /* "hard reset next": no reset yet */
	CHECK_EQ(resets, 0);
	CHECK_EQ(rd(VACPI_PM_RESET, 0, 1), 0x02);
	wr(VACPI_PM_RESET, 0, 1, GUEST_RESET_VALUE);
	CHECK_EQ(resets, 1);
	wr(VACPI_PM_RESET, 0, 1, 0x0e);
	CHECK_EQ(resets, 2);
	wr(VACPI_PM_RESET, 0, 1, 0x04);
	CHECK_EQ(resets, 3);
	CHECK_EQ(rd(VACPI_PM_RESET, 0, 1), 0x00);
	/* i8042: nothing there but the reset line */
	CHECK_EQ(rd(VACPI_PM_KBD_CMD, 0, 1), 0xff);
	CHECK_EQ(rd(VACPI_PM_KBD_DATA, 0, 1), 0xff);
	wr(VACPI_PM_KBD_CMD, 0, 1, 0xd1);
	wr(VACPI_PM_KBD_DATA, 0, 1, 0xfe);
	CHECK_EQ(resets, 3);
	wr(VACPI_PM_KBD_CMD, 0, 1, 0xfe);
	CHECK_EQ(resets, 4);
	wr(VACPI_PM_POST, 0, 1, 0x55);
	CHECK_EQ(rd(VACPI_PM_POST, 0, 1), 0xff);
	CHECK_EQ(poweroffs, 0);
	/* NULL callbacks are fine */
	vacpi_pm_init(&pm, &fh_host, GSI, &none);
	wr(VACPI_PM_RESET, 0, 1, 0x06);
	wr(VACPI_PM_CNT, 0, 2, GUEST_S5_SLP_TYP << 10 | 0x2000);
	vacpi_pm_init(&pm, &fh_host, GSI, NULL);
	wr(VACPI_PM_KBD_CMD, 0, 1, 0xfe);
	CHECK_EQ(resets, 4);
}

TEST(bad_accesses_and_hostile_guest)
{
	u64 v;

	setup(SEC);
	CHECK_EQ(vacpi_pm_read(&pm, VACPI_PM_TMR, 0, 8, &v), -EOPNOTSUPP);
	CHECK_EQ(v, ~0ull);
	CHECK_EQ(vacpi_pm_read(&pm, VACPI_PM_TMR, 1, 4, &v), -EOPNOTSUPP);
	CHECK_EQ(vacpi_pm_read(&pm, VACPI_PM_EVT, 0, 3, &v), -EOPNOTSUPP);
	CHECK_EQ(vacpi_pm_write(&pm, VACPI_PM_RESET, 0, 2, 6), -EOPNOTSUPP);
	CHECK_EQ(vacpi_pm_write(&pm, VACPI_PM_CNT, 2, 1, 0), -EINVAL);
	CHECK_EQ(vacpi_pm_read(&pm, VACPI_PM_NR_REGIONS, 0, 1, &v), -EINVAL);
	CHECK_EQ(vacpi_pm_read(&pm, (enum vacpi_pm_region)-1, 0, 1, &v), -EINVAL);
	CHECK_EQ(resets, 0);
	for (int i = 0; i < 100000; i++) {
		u64 x = fh_rand();
		enum vacpi_pm_region reg = (enum vacpi_pm_region)(x % VACPI_PM_NR_REGIONS);
		unsigned size = 1u << ((x >> 8) % 3), off = (unsigned)((x >> 12) % 4);

		if (x & (1ull << 20))
			vacpi_pm_write(&pm, reg, off, size, x >> 24);
		else
			vacpi_pm_read(&pm, reg, off, size, &v);
		if ((x >> 60) == 0)
			vacpi_pm_power_button(&pm);
		fh_advance((x >> 32) % (10 * MS));
		CHECK_EQ(fh.line[GSI], (pm.sts & pm.en & 0x0721) != 0);
		if (test_failures)
			break;
	}
	CHECK(resets > 0);
	CHECK_EQ(fh.bad_calls, 0);
	vacpi_pm_reset(&pm);
	CHECK(!fh.line[GSI]);
	CHECK_EQ(rd(VACPI_PM_EVT, 0, 4), 0);
}

TEST_MAIN({ "ranges_match_layout", ranges_match_layout },
	  { "pm_timer", pm_timer },
	  { "pm1_status_enable", pm1_status_enable },
	  { "pm_timer_status_and_sci", pm_timer_status_and_sci },
	  { "sleep_and_poweroff", sleep_and_poweroff },
	  { "reset_paths", reset_paths },
	  { "bad_accesses_and_hostile_guest", bad_accesses_and_hostile_guest })
