// SPDX-License-Identifier: MIT
/* test_vrtc.c: the emulated MC146818 RTC and the date helpers (vmm/dev/rtc.c). */
#include "vdev_testlib.h"

#include <time.h>

#include <tv/compiler.h>
#include <tv/errno.h>
#include <tv/vdev/rtc.h>

#define GSI 8
#define SEC 1000000000ull
#define MS 1000000ull

static struct vrtc r;

static void setup(s64 wall, u64 start_ns)
{
	fh_reset(start_ns);
	vrtc_init(&r, &fh_host, GSI, wall, start_ns);
}

static u8 cmos_read(u8 idx)
{
	u64 v = 0;

	CHECK_EQ(vrtc_write(&r, 0, 1, idx), 0);
	CHECK_EQ(vrtc_read(&r, 1, 1, &v), 0);
	CHECK(v <= 0xff);
	return (u8)v;
}

static void cmos_write(u8 idx, u8 val)
{
	CHECK_EQ(vrtc_write(&r, 0, 1, idx), 0);
	CHECK_EQ(vrtc_write(&r, 1, 1, val), 0);
}

static int bcd2bin(u8 b)
{
	return (b >> 4) * 10 + (b & 15);
}

static u8 bin2bcd(int v)
{
	return (u8)((v / 10) << 4 | v % 10);
}

/* Linux mc146818_get_time(): the time the guest kernel reads, as epoch seconds. */
static s64 linux_get_time(void)
{
	struct vrtc_tm tm = { 0 };
	u8 b, sec, min, hour, mday, mon, year, cent;

	CHECK_EQ(cmos_read(0x0d) & 0x40, 0);
	sec = cmos_read(0);
	CHECK_EQ(cmos_read(0x0a) & 0x80, 0);    /* UIP never set */
	CHECK_EQ(sec, cmos_read(0));
	min = cmos_read(2);
	hour = cmos_read(4);
	mday = cmos_read(7);
	mon = cmos_read(8);
	year = cmos_read(9);
	cent = cmos_read(0x32);
	b = cmos_read(0x0b);
	if (!(b & 0x04)) {
		sec = (u8)bcd2bin(sec);
		min = (u8)bcd2bin(min);
		hour = (u8)(bcd2bin(hour & 0x7f) | (hour & 0x80));
		mday = (u8)bcd2bin(mday);
		mon = (u8)bcd2bin(mon);
		year = (u8)bcd2bin(year);
		cent = (u8)bcd2bin(cent);
	}
	if (!(b & 0x02)) {
		int h = (hour & 0x7f) % 12 + ((hour & 0x80) ? 12 : 0);

		hour = (u8)h;
	}
	tm.year = cent * 100 + year;
	tm.mon = mon;
	tm.mday = mday;
	tm.hour = hour;
	tm.min = min;
	tm.sec = sec;
	return vrtc_tm_to_secs(&tm);
}

/* Linux mc146818_set_time() (BCD, 24 h as the default B = 0x02). */
static void linux_set_time(s64 secs)
{
	struct vrtc_tm tm;
	u8 save_control, save_freq;

	vrtc_secs_to_tm(secs, &tm);
	save_control = cmos_read(0x0b);
	cmos_write(0x0b, save_control | 0x80);
	save_freq = cmos_read(0x0a);
	cmos_write(0x0a, save_freq | 0x70);     /* RTC_DIV_RESET2 */
	cmos_write(9, bin2bcd(tm.year % 100));
	cmos_write(8, bin2bcd(tm.mon));
	cmos_write(7, bin2bcd(tm.mday));
	cmos_write(4, bin2bcd(tm.hour));
	cmos_write(2, bin2bcd(tm.min));
	cmos_write(0, bin2bcd(tm.sec));
	cmos_write(0x32, bin2bcd(tm.year / 100));
	cmos_write(0x0b, save_control);
	cmos_write(0x0a, save_freq);
}

TEST(date_helpers)
{
	int y, m, d, py = 1969, pm = 12, pd = 31;
	struct vrtc_tm tm;

	CHECK(vrtc_leap(2000));
	CHECK(vrtc_leap(2024));
	CHECK(!vrtc_leap(1900));
	CHECK(!vrtc_leap(2100));
	CHECK(!vrtc_leap(2023));
	CHECK_EQ(vrtc_days_in_month(2024, 2), 29);
	CHECK_EQ(vrtc_days_in_month(2100, 2), 28);
	CHECK_EQ(vrtc_days_in_month(2000, 2), 29);
	CHECK_EQ(vrtc_days_in_month(2023, 13), 0);
	CHECK_EQ(vrtc_days_from_date(1970, 1, 1), 0);
	CHECK_EQ(vrtc_days_from_date(2000, 3, 1), 11017);
	CHECK_EQ(vrtc_days_from_date(1900, 1, 1), (u64)(s64)-25567);
	CHECK_EQ(vrtc_days_from_date(2100, 1, 1), 47482);
	/* Every day 1970..2100 follows the previous one. */
	for (s64 day = 0; day <= vrtc_days_from_date(2100, 12, 31); day++) {
		vrtc_date_from_days(day, &y, &m, &d);
		if (d == pd + 1 && m == pm && y == py) {
			/* next day */
		} else {
			CHECK_EQ(d, 1);
			CHECK(pd == vrtc_days_in_month(py, pm));
			CHECK((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1));
		}
		CHECK_EQ(vrtc_days_from_date(y, m, d), day);
		py = y;
		pm = m;
		pd = d;
		if (test_failures)
			break;
	}
	CHECK_EQ(py, 2100);
	/* Against the C library, seconds 1970..2100 */
	for (int i = 0; i < 200000; i++) {
		time_t t = (time_t)(fh_rand() % 4133980800ull);       /* < 2101-01-01 */
		struct tm g;

		gmtime_r(&t, &g);
		vrtc_secs_to_tm((s64)t, &tm);
		CHECK_EQ(tm.year, g.tm_year + 1900);
		CHECK_EQ(tm.mon, g.tm_mon + 1);
		CHECK_EQ(tm.mday, g.tm_mday);
		CHECK_EQ(tm.hour, g.tm_hour);
		CHECK_EQ(tm.min, g.tm_min);
		CHECK_EQ(tm.sec, g.tm_sec);
		CHECK_EQ(tm.wday, g.tm_wday);
		CHECK_EQ(vrtc_tm_to_secs(&tm), (s64)t);
		if (test_failures)
			break;
	}
	/* The ends of the supported range and before 1970 */
	for (int year = 0; year <= 9999; year += 1) {
		s64 dd = vrtc_days_from_date(year, 2, vrtc_leap(year) ? 29 : 28);

		vrtc_date_from_days(dd, &y, &m, &d);
		CHECK(y == year && m == 2 && d == (vrtc_leap(year) ? 29 : 28));
		vrtc_date_from_days(dd + 1, &y, &m, &d);
		CHECK(y == year && m == 3 && d == 1);
		if (test_failures)
			break;
	}
	vrtc_secs_to_tm(-1, &tm);
	CHECK(tm.year == 1969 && tm.mon == 12 && tm.mday == 31 && tm.hour == 23 && tm.sec == 59);
	CHECK_EQ(tm.wday, 3);
	/* Absurd inputs stay defined */
	vrtc_secs_to_tm(INT64_MAX / 2, &tm);
	vrtc_secs_to_tm(INT64_MIN / 2, &tm);
	CHECK(tm.mon >= 1 && tm.mon <= 12 && tm.mday >= 1 && tm.mday <= 31);
}

TEST(time_registers_formats)
{
	/* 2024-02-29 23:59:58 UTC, a Thursday */
	s64 t = vrtc_days_from_date(2024, 2, 29) * 86400 + 23 * 3600 + 59 * 60 + 58;

	setup(t, 777 * SEC);
	CHECK_EQ(cmos_read(0x0a), 0x26);
	CHECK_EQ(cmos_read(0x0b), 0x02);
	CHECK_EQ(cmos_read(0x0d), 0x80);
	CHECK_EQ(cmos_read(0), 0x58);
	CHECK_EQ(cmos_read(2), 0x59);
	CHECK_EQ(cmos_read(4), 0x23);
	CHECK_EQ(cmos_read(6), 5);
	CHECK_EQ(cmos_read(7), 0x29);
	CHECK_EQ(cmos_read(8), 0x02);
	CHECK_EQ(cmos_read(9), 0x24);
	CHECK_EQ(cmos_read(0x32), 0x20);
	CHECK_EQ(linux_get_time(), t);
	fh_advance(2 * SEC);
	CHECK_EQ(linux_get_time(), t + 2);
	CHECK_EQ(cmos_read(7), 0x01);
	CHECK_EQ(cmos_read(8), 0x03);
	CHECK_EQ(cmos_read(4), 0x00);
	CHECK_EQ(cmos_read(6), 6);
	/* binary, 24 h */
	cmos_write(0x0b, 0x06);
	CHECK_EQ(cmos_read(0), 0);
	CHECK_EQ(cmos_read(8), 3);
	CHECK_EQ(cmos_read(9), 24);
	CHECK_EQ(cmos_read(0x32), 20);
	CHECK_EQ(linux_get_time(), t + 2);
	/* 12 h, BCD: midnight is 12 AM */
	cmos_write(0x0b, 0x00);
	CHECK_EQ(cmos_read(4), 0x12);
	CHECK_EQ(linux_get_time(), t + 2);
	fh_advance(13 * 3600 * SEC);            /* 13:00:00 = 1 PM */
	CHECK_EQ(cmos_read(4), 0x81);
	fh_advance(10 * 3600 * SEC + 59 * 60 * SEC);    /* 23:59 */
	CHECK_EQ(cmos_read(4), 0x91);
	cmos_write(0x0b, 0x04);                 /* 12 h, binary */
	CHECK_EQ(cmos_read(4), 0x8b);
	CHECK_EQ(linux_get_time(), t + 2 + 13 * 3600 + 10 * 3600 + 59 * 60);
	/* noon */
	cmos_write(0x0b, 0x00);
	cmos_write(4, 0x92);
	CHECK_EQ(cmos_read(4), 0x92);
	cmos_write(0x0b, 0x02);
	CHECK_EQ(cmos_read(4), 0x12);
}

TEST(guest_sets_time)
{
	s64 host = 1700000000, want = vrtc_days_from_date(2031, 7, 15) * 86400 + 8 * 3600 + 30 * 60;
	struct vrtc_tm tm;

	setup(host, 5 * SEC);
	fh_advance(300 * MS);
	linux_set_time(want);
	CHECK_EQ(vrtc_time(&r), want);
	/* Divider reset released: the first update comes 500 ms later. */
	fh_advance(499 * MS);
	CHECK_EQ(linux_get_time(), want);
	fh_advance(2 * MS);
	CHECK_EQ(linux_get_time(), want + 1);
	fh_advance(3600 * SEC);
	CHECK_EQ(linux_get_time(), want + 3601);
	/* The offset survives a VM reboot. */
	vrtc_reset(&r);
	CHECK_EQ(linux_get_time(), want + 3601);
	/* One field at a time, no SET: minutes */
	cmos_write(2, 0x05);
	vrtc_secs_to_tm(vrtc_time(&r), &tm);
	CHECK_EQ(tm.min, 5);
	CHECK_EQ(tm.hour, 9);
	/* Invalid values are ignored. */
	cmos_write(8, 0x13);
	cmos_write(8, 0x1a);
	cmos_write(4, 0x24);
	cmos_write(0, 0x60);
	cmos_write(7, 0x00);
	cmos_write(7, 0x32);
	vrtc_secs_to_tm(vrtc_time(&r), &tm);
	CHECK(tm.year == 2031 && tm.mon == 7 && tm.mday == 15 && tm.hour == 9 && tm.min == 5);
	cmos_write(6, 0x01);                    /* day of week: derived, write ignored */
	CHECK_EQ(cmos_read(6), 3);              /* 2031-07-15 is a Tuesday */
	/* Field-wise through an impossible date: Feb 31 2024 becomes Feb 29 */
	cmos_write(0x0b, 0x82);
	cmos_write(0x32, 0x20);
	cmos_write(9, 0x24);
	cmos_write(7, 0x31);
	cmos_write(8, 0x02);
	CHECK_EQ(cmos_read(7), 0x31);           /* held as written while SET */
	cmos_write(0x0b, 0x02);
	vrtc_secs_to_tm(vrtc_time(&r), &tm);
	CHECK(tm.year == 2024 && tm.mon == 2 && tm.mday == 29);
	/* SET holds the clock */
	cmos_write(0x0b, 0x82);
	fh_advance(10 * SEC);
	CHECK_EQ(cmos_read(7), 0x29);
	s64 held = vrtc_time(&r);
	fh_advance(10 * SEC);
	CHECK_EQ(vrtc_time(&r), held);
	cmos_write(0x0b, 0x02);
	fh_advance(SEC);
	CHECK_EQ(vrtc_time(&r), held + 1);
	/* Century writes: year 2099 -> 2199 */
	cmos_write(0x32, 0x21);
	vrtc_secs_to_tm(vrtc_time(&r), &tm);
	CHECK_EQ(tm.year, 2124);
}

/* A handler like rtc-cmos: on each rising edge read register C. */
static long run_with_handler(u64 ns, u8 *flags_seen)
{
	long irqs = 0;
	u64 end = fh.now + ns;

	while (fh.now < end) {
		long before = fh.rising[GSI];

		fh_run_until(MIN(end, fh.now + 50000));
		if (fh.rising[GSI] != before || fh.line[GSI]) {
			u8 c = cmos_read(0x0c);

			CHECK(c & 0x80);
			*flags_seen |= c;
			irqs++;
			CHECK(!fh.line[GSI]);
		}
	}
	return irqs;
}

TEST(interrupts)
{
	u8 seen = 0;
	long n;
	s64 t = vrtc_days_from_date(2025, 1, 1) * 86400 + 12 * 3600;

	setup(t, 100 * SEC);
	CHECK(!fh_is_armed(&r.timer));          /* no sources enabled: no timer */
	fh_advance(1500 * MS);
	CHECK_EQ(cmos_read(0x0c), 0x50);        /* UF, PF (A = 0x26: 1024 Hz) set though not enabled; no IRQF */
	CHECK_EQ(cmos_read(0x0c), 0x00);        /* read clears */
	CHECK(!fh.line[GSI]);
	/* update-ended, 1 Hz */
	cmos_write(0x0b, 0x12);
	n = run_with_handler(10 * SEC, &seen);
	CHECK(n >= 9 && n <= 11);
	CHECK(seen & 0x10);
	/* SET clears UIE */
	cmos_write(0x0b, 0x92);
	CHECK_EQ(cmos_read(0x0b), 0x82);
	cmos_write(0x0b, 0x02);
	cmos_read(0x0c);
	/* periodic at 1024 Hz (the rtc-cmos default A = 0x26) */
	cmos_write(0x0b, 0x42);
	seen = 0;
	n = run_with_handler(SEC, &seen);
	CHECK(seen & 0x40);
	/* the handler polls every 50 us, so it sees each of the 1024 */
	CHECK(n >= 1020 && n <= 1025);
	/* 8192 Hz is the fastest; 2 Hz the slowest */
	cmos_write(0x0a, 0x23);
	n = run_with_handler(SEC, &seen);
	CHECK(n >= 6000 && n <= 8193);
	cmos_write(0x0a, 0x2f);
	n = run_with_handler(10 * SEC, &seen);
	CHECK(n >= 19 && n <= 21);
	/* nobody reads C: the line stays up and no timer runs (no host storm) */
	cmos_write(0x0a, 0x23);
	fh_advance(10 * MS);
	CHECK(fh.line[GSI]);
	n = fh.fires;
	fh_advance(10 * SEC);
	CHECK(fh.fires - n <= 1);
	CHECK(!fh_is_armed(&r.timer));
	cmos_write(0x0b, 0x02);                 /* disabling the source drops IRQF */
	CHECK(!fh.line[GSI]);
	CHECK_EQ(cmos_read(0x0c), 0x50);
	cmos_write(0x0a, 0x26);
	/* alarm at 12:00:30 every minute (hour, minute don't care) */
	cmos_write(1, 0x30);
	cmos_write(3, 0xc0);
	cmos_write(5, 0xff);
	cmos_write(0x0b, 0x22);
	seen = 0;
	n = run_with_handler(180 * SEC, &seen);
	CHECK_EQ(n, 3);
	CHECK(seen & 0x20);
	/* alarm once a day at a fixed time */
	cmos_write(0x0b, 0x02);
	cmos_write(1, 0x00);
	cmos_write(3, 0x00);
	cmos_write(5, 0x13);
	cmos_read(0x0c);
	cmos_write(0x0b, 0x22);
	n = run_with_handler(2 * 3600 * SEC, &seen);
	CHECK_EQ(n, 1);
	/* an alarm byte that can never match: no interrupt, no timer */
	cmos_write(5, 0x3f);
	CHECK(!fh_is_armed(&r.timer));
	CHECK_EQ(fh.bad_calls, 0);
}

TEST(cmos_ram_and_ports)
{
	u64 v;

	setup(0, 0);
	cmos_write(0x40, 0xab);
	CHECK_EQ(cmos_read(0x40), 0xab);
	cmos_write(0x80 | 0x41, 0xcd);          /* NMI mask bit ignored */
	CHECK_EQ(cmos_read(0x41), 0xcd);
	vrtc_cmos_set(&r, 0x34, 0x12);
	CHECK_EQ(cmos_read(0x34), 0x12);
	vrtc_cmos_set(&r, 0x0b, 0xff);          /* registers are not RAM */
	CHECK_EQ(cmos_read(0x0b), 0x02);
	cmos_write(0x0c, 0xff);
	cmos_write(0x0d, 0x00);
	CHECK_EQ(cmos_read(0x0d), 0x80);
	cmos_write(0x0a, 0xff);
	CHECK_EQ(cmos_read(0x0a), 0x7f);        /* UIP read-only */
	CHECK_EQ(linux_get_time(), 0);          /* divider in reset: 1970-01-01 held */
	CHECK_EQ(vrtc_read(&r, 0, 2, &v), -EOPNOTSUPP);
	CHECK_EQ(vrtc_read(&r, 2, 1, &v), -EINVAL);
	CHECK_EQ(vrtc_write(&r, 1, 4, 0), -EOPNOTSUPP);
}

TEST(hostile_guest)
{
	u64 v;
	s64 t;

	setup(1700000000, SEC);
	for (int s = 0; s < 30; s++) {
		long start = fh.rising[GSI];
		u64 end = fh.now + SEC;

		while (fh.now < end) {
			u64 x = fh_rand();

			if (x & 1)
				vrtc_write(&r, (x >> 1) & 1, 1, x >> 8);
			else
				vrtc_read(&r, (x >> 1) & 1, 1, &v);
			fh_advance((x >> 40) % 30000);
		}
		CHECK(fh.rising[GSI] - start <= 8193);
	}
	t = vrtc_time(&r);
	CHECK(t >= vrtc_days_from_date(0, 1, 1) * 86400 && t <= vrtc_days_from_date(10000, 1, 1) * 86400);
	CHECK_EQ(fh.bad_calls, 0);
	vrtc_reset(&r);
	CHECK(!fh.line[GSI]);
	CHECK_EQ(cmos_read(0x0b) & 0x78, 0);
}

TEST_MAIN({ "date_helpers", date_helpers },
	  { "time_registers_formats", time_registers_formats },
	  { "guest_sets_time", guest_sets_time },
	  { "interrupts", interrupts },
	  { "cmos_ram_and_ports", cmos_ram_and_ports },
	  { "hostile_guest", hostile_guest })
