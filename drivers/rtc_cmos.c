// SPDX-License-Identifier: MIT
/* rtc_cmos.c: the host's wall clock, read once from the CMOS RTC at boot. */
#include <tv/arch.h>
#include <tv/drivers.h>
#include <tv/log.h>

static s64 boot_secs;
static u64 boot_ns;

static u8 cmos(u8 reg)
{
	arch_io_write(0x70, 8, reg);
	return (u8)arch_io_read(0x71, 8);
}

static int from_bcd(u8 v, bool bcd)
{
	return bcd ? (v & 0xf) + (v >> 4) * 10 : v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's method). */
static s64 days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	s64 era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (s64)doe - 719468;
}

void rtc_init(void)
{
	u8 sec, min, hour, day, mon, year, cent, b;
	bool bcd, h12;
	int y;

	/* Wait out an update in progress (at most ~2 ms), then read twice until stable. */
	for (int i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++)
		arch_pause();
	do {
		sec = cmos(0x00);
		min = cmos(0x02);
		hour = cmos(0x04);
		day = cmos(0x07);
		mon = cmos(0x08);
		year = cmos(0x09);
		cent = cmos(0x32);
	} while (sec != cmos(0x00));
	b = cmos(0x0b);
	bcd = !(b & 0x04);
	h12 = !(b & 0x02);
	int hr = from_bcd(hour & 0x7f, bcd);

	if (h12 && (hour & 0x80))
		hr = (hr % 12) + 12;
	else if (h12 && hr == 12)
		hr = 0;
	y = from_bcd(year, bcd) + (cent && cent != 0xff ? from_bcd(cent, bcd) * 100 : 2000);
	boot_secs = days_from_civil(y, from_bcd(mon, bcd), from_bcd(day, bcd)) * 86400 + hr * 3600 +
		    from_bcd(min, bcd) * 60 + from_bcd(sec, bcd);
	boot_ns = arch_uptime_ns();
	pr_info("rtc: %04d-%02d-%02d %02d:%02d:%02d UTC\n", y, from_bcd(mon, bcd),
		from_bcd(day, bcd), hr, from_bcd(min, bcd), from_bcd(sec, bcd));
}

s64 rtc_wall_secs(u64 *at_ns)
{
	*at_ns = boot_ns;
	return boot_secs;
}
