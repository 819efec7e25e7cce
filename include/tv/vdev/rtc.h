/* SPDX-License-Identifier: MIT */
/*
 * rtc.h: an emulated MC146818 CMOS real-time clock with 128 bytes of CMOS
 * (port 0x70 index, bit 7 the NMI mask, ignored; port 0x71 data).
 *
 * Registers 0-9 (time, alarm, date), A-D and the century byte at 0x32 are
 * live; every other index is plain RAM. The clock is the host wall clock
 * given at init plus an offset the guest sets by writing time registers
 * (hwclock --systohc), advancing with host time. Time registers are
 * computed on each read in the format register B selects (BCD or binary,
 * 12 or 24 hours), so changing the format converts them - friendlier than
 * the real part, which would reinterpret the stored bytes. The century
 * follows the same BCD/binary format (as Linux reads it).
 *
 * Register A: UIP always reads 0 (reads never collide with an update);
 * divider values 110/111 hold the clock in reset, leaving reset starts the
 * first update 500 ms later; other divider values count normally.
 * Register B: SET freezes the clock so several writes apply at once, and
 * clears UIE; SQWE and DSE are stored but have no effect.
 * Register C: PF/AF/UF/IRQF, cleared by reading. Register D: 0x80 (VRT).
 * Day of week is computed from the date; writes to it are ignored.
 *
 * Interrupts on `gsi`: periodic (rate from register A, 2 Hz - 8192 Hz),
 * alarm (with 0xC0-0xFF don't-care bytes) and update-ended. The line
 * follows IRQF like the real active-level pin: it stays high until the
 * guest reads register C, and no timer runs while it is high, so the rate
 * is bounded by the guest's own register C reads (at most 8192/s).
 */
#ifndef TV_VDEV_RTC_H
#define TV_VDEV_RTC_H

#include <tv/types.h>
#include <tv/vdev.h>

#define VRTC_CMOS_SIZE 128
#define VRTC_CENTURY 0x32

/* A broken-down UTC (or whatever the guest keeps in its RTC) date and time. */
struct vrtc_tm {
	int year;       /* full year, 0-9999 */
	int mon;        /* 1-12 */
	int mday;       /* 1-31 */
	int hour, min, sec;
	int wday;       /* 0 = Sunday */
};

struct vrtc {
	struct vdev_host host;
	unsigned gsi;
	struct vtimer timer;
	u8 index;
	u8 cmos[VRTC_CMOS_SIZE];        /* RAM, alarm bytes and registers A-C */

	/* Running clock: seconds at base_ns, plus base_sub_ns already elapsed in that second. */
	s64 base_secs;
	u64 base_ns;
	u64 base_sub_ns;
	bool frozen;                    /* SET or divider reset: time holds in `held` */
	struct vrtc_tm held;

	u64 last_eval_ns;               /* flags in register C are due up to here */
	u64 irq_deadline;
	bool irq_level;
};

/*
 * wall_secs: host wall clock (seconds since 1970-01-01 00:00 UTC) at host
 * time wall_at_ns. Registers A = 0x26, B = 0x02 (24 h, BCD), CMOS RAM zero.
 */
void vrtc_init(struct vrtc *r, const struct vdev_host *h, unsigned gsi, s64 wall_secs,
	       u64 wall_at_ns);
/* VM reboot: like a power cycle with the battery kept: time, offset and RAM survive. */
void vrtc_reset(struct vrtc *r);
/* Offsets 0 (port 0x70) and 1 (port 0x71); byte accesses only. */
int vrtc_read(struct vrtc *r, u64 offset, unsigned size, u64 *val);
int vrtc_write(struct vrtc *r, u64 offset, unsigned size, u64 val);
/* For the VMM: fill CMOS RAM (e.g. memory size bytes). Indices 0-13 and 0x32 are ignored. */
void vrtc_cmos_set(struct vrtc *r, u8 index, u8 val);
/* The clock now, in seconds since 1970 (as the guest set it). */
s64 vrtc_time(struct vrtc *r);

/* ---- pure date helpers (proleptic Gregorian, any year 0-9999) ---- */

bool vrtc_leap(int year);
int vrtc_days_in_month(int year, int mon);
/* Days since 1970-01-01 (negative before). mon and mday must be valid. */
s64 vrtc_days_from_date(int year, int mon, int mday);
void vrtc_date_from_days(s64 days, int *year, int *mon, int *mday);
s64 vrtc_tm_to_secs(const struct vrtc_tm *tm);
void vrtc_secs_to_tm(s64 secs, struct vrtc_tm *tm);

#endif
