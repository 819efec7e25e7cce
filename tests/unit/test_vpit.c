// SPDX-License-Identifier: MIT
/* test_vpit.c: the emulated 8254 PIT and port 0x61 (vmm/dev/pit.c). */
#include "vdev_testlib.h"

#include <tv/errno.h>
#include <tv/vdev/pit.h>

#define GSI 2
#define CH0 0
#define CH2 2
#define CTRL 3
#define MS 1000000ull
#define SEC 1000000000ull
#define PIT_TICK_RATE 1193182ull

static struct vpit p;

static void setup(u64 start)
{
	fh_reset(start);
	vpit_init(&p, &fh_host, GSI);
}

static u8 in(unsigned port)
{
	u64 v = 0;

	CHECK_EQ(vpit_read(&p, port, 1, &v), 0);
	CHECK(v <= 0xff);
	return (u8)v;
}

static void out(unsigned port, u8 v)
{
	CHECK_EQ(vpit_write(&p, port, 1, v), 0);
}

static u8 in61(void)
{
	u64 v = 0;

	CHECK_EQ(vpit_port61_read(&p, 0, 1, &v), 0);
	return (u8)v;
}

static void out61(u8 v)
{
	CHECK_EQ(vpit_port61_write(&p, 0, 1, v), 0);
}

static u64 ticks(u64 ns)
{
	return (u64)((unsigned __int128)ns * PIT_TICK_RATE / SEC);
}

/* Latch and read a 16-bit count (access mode LSB then MSB). */
static u16 read_latched(unsigned ch)
{
	u8 lo, hi;

	out(CTRL, (u8)(ch << 6));
	lo = in(ch);
	hi = in(ch);
	return (u16)(lo | hi << 8);
}

/* Linux arch/x86/kernel/tsc.c pit_calibrate_tsc(): returns the polls it made, *ns how long. */
static long linux_pit_calibrate(u32 latch, u64 ns_per_poll, u64 *ns)
{
	u64 t0;
	long pitcnt = 0;

	out61((in61() & ~0x02) | 0x01);         /* gate high, speaker off */
	out(CTRL, 0xb0);                        /* channel 2, LSB/MSB, mode 0, binary */
	out(CH2, latch & 0xff);
	out(CH2, (u8)(latch >> 8));
	t0 = fh.now;
	while ((in61() & 0x20) == 0) {
		fh_advance(ns_per_poll);
		if (++pitcnt > 100000000)
			break;
	}
	*ns = fh.now - t0;
	return pitcnt;
}

TEST(calibrate_tsc_channel2)
{
	u64 ns;
	long polls;

	setup(5 * SEC);
	CHECK_EQ(in61() & 0x21, 0);             /* gate low, OUT2 low */
	/* CAL_MS = 10: latch = PIT_TICK_RATE / 100 */
	polls = linux_pit_calibrate((u32)(PIT_TICK_RATE / 100), 1000, &ns);
	CHECK(polls > 5000);                    /* loopmin */
	CHECK(ns >= 10 * MS - 1000 && ns <= 10 * MS + 2000);
	CHECK(in61() & 0x20);                   /* OUT2 stays high after terminal count */
	fh_advance(50 * MS);
	CHECK(in61() & 0x20);
	/* CAL2_MS = 50 with coarse polling */
	polls = linux_pit_calibrate((u32)(PIT_TICK_RATE / 20), 37000, &ns);
	CHECK(ns >= 50 * MS && ns <= 50 * MS + 37000);
	CHECK(polls > 1000);
	/* Gate low holds a mode 0 count; OUT2 does not rise. */
	out(CTRL, 0xb0);
	out(CH2, 0x10);
	out(CH2, 0x00);                         /* 16 ticks */
	out61(0x00);
	fh_advance(MS);
	CHECK_EQ(in61() & 0x20, 0);
	out61(0x01);                            /* resume: the rest of the count */
	fh_advance(20000);
	CHECK(in61() & 0x20);
	CHECK_EQ(fh.rising[GSI], 0);            /* channel 2 never interrupts */
}

TEST(quick_pit_calibrate_msb)
{
	int i, prev = 0xff;
	long reads;

	setup(123456789);
	out61((in61() & ~0x02) | 0x01);
	out(CTRL, 0xb0);
	out(CH2, 0xff);
	out(CH2, 0xff);
	/* pit_verify_msb(0): one 16-bit read to let it start */
	in(CH2);
	in(CH2);
	/* pit_expect_msb(0xff - i): poll LSB/MSB pairs until the MSB moves on */
	for (i = 0; i < 233; i++) {
		u8 msb;

		reads = 0;
		for (;;) {
			fh_advance(1500);       /* each inb costs an exit */
			in(CH2);
			msb = in(CH2);
			if (msb != 0xff - i)
				break;
			reads++;
		}
		CHECK(reads > 5);               /* Linux wants more than 5 reads per MSB */
		CHECK_EQ(msb, prev - 1);
		prev = msb;
		if (test_failures)
			break;
	}
}

TEST(latch_and_access_modes)
{
	u64 t0, t0_ch0;
	u16 v;

	setup(1000);
	out(CTRL, 0x34);                        /* ch0, LSB/MSB, mode 2 */
	out(CH0, 1000 & 0xff);
	out(CH0, 1000 >> 8);
	t0 = t0_ch0 = fh.now;
	CHECK_EQ(read_latched(0), 1000);
	for (int i = 0; i < 50; i++) {
		fh_advance(fh_rand() % (3 * MS));
		v = read_latched(0);
		CHECK_EQ(v, 1000 - ticks(fh.now - t0) % 1000);
	}
	/* A latch holds while time moves; a second latch before reading is ignored. */
	out(CTRL, 0x00);
	v = (u16)(1000 - ticks(fh.now - t0) % 1000);
	fh_advance(400000);
	out(CTRL, 0x00);
	CHECK_EQ(in(CH0), v & 0xff);
	fh_advance(300000);
	CHECK_EQ(in(CH0), v >> 8);
	/* Unlatched reads are live, alternating LSB and MSB. */
	v = (u16)(1000 - ticks(fh.now - t0) % 1000);
	CHECK_EQ(in(CH0), v & 0xff);
	CHECK_EQ(in(CH0), v >> 8);

	/* LSB-only and MSB-only access modes on channel 1, mode 0. */
	out(CTRL, 0x50);                        /* ch1, LSB only, mode 0 */
	out(1, 200);
	t0 = fh.now;
	fh_advance(50000);                      /* 59 ticks */
	CHECK_EQ(in(1), 200 - ticks(fh.now - t0));
	CHECK_EQ(in(1), 200 - ticks(fh.now - t0));
	out(CTRL, 0x60);                        /* ch1, MSB only, mode 0 */
	out(1, 0x20);                           /* 0x2000 */
	t0 = fh.now;
	fh_advance(MS);
	CHECK_EQ(in(1), (0x2000 - ticks(fh.now - t0)) >> 8);

	/* Read-back: status then count of channel 0. */
	out(CTRL, 0xc2);                        /* latch count and status, ch0 */
	CHECK_EQ(in(CH0), 0x80 | 0x30 | 2 << 1);        /* OUT high, LSB/MSB, mode 2 */
	v = (u16)(1000 - ticks(fh.now - t0_ch0) % 1000);
	fh_advance(5000);
	CHECK_EQ(in(CH0), v & 0xff);
	CHECK_EQ(in(CH0), v >> 8);
	out(CTRL, 0xe2);                        /* status only */
	CHECK_EQ(in(CH0), 0xb4);
	out(CTRL, 0x34);                        /* new control word: null count */
	out(CTRL, 0xe2);
	CHECK_EQ(in(CH0) & 0x40, 0x40);
	out(CH0, 0x10);
	out(CH0, 0x00);
	out(CTRL, 0xe2);
	CHECK_EQ(in(CH0) & 0x40, 0);
	CHECK_EQ(in(CTRL), 0xff);               /* the control port cannot be read */
}

TEST(mode0_wraps_and_bcd)
{
	u64 t0;

	setup(SEC);
	out(CTRL, 0x30);                        /* ch0 mode 0 */
	out(CH0, 0);
	out(CH0, 0);                            /* 0 = 65536 */
	t0 = fh.now;
	CHECK_EQ(read_latched(0), 0);
	fh_advance(1000);
	CHECK_EQ(read_latched(0), 65536 - ticks(fh.now - t0));
	fh_run_until(t0 + 60 * MS);             /* past terminal count: wraps from 0xffff */
	CHECK_EQ(read_latched(0), (65536 * 2 - ticks(fh.now - t0)) & 0xffff);
	CHECK_EQ(fh.rising[GSI], 1);

	/* BCD: count 1000 decimal, read in BCD */
	out(CTRL, 0x31);
	out(CH0, 0x00);
	out(CH0, 0x10);
	t0 = fh.now;
	fh_advance(200000);                     /* 238 ticks */
	{
		u64 n = 1000 - ticks(fh.now - t0);
		u16 bcd = (u16)((n / 100) << 8 | (n / 10 % 10) << 4 | n % 10);

		CHECK_EQ(read_latched(0), bcd);
	}
	out(CTRL, 0x31);
	out(CH0, 0xff);                         /* not BCD: taken at face value, reduced */
	out(CH0, 0xff);
	CHECK(read_latched(0) <= 0x9999);
}

static long edges_in(u64 ns)
{
	long before = fh.rising[GSI];

	fh_advance(ns);
	return fh.rising[GSI] - before;
}

TEST(channel0_periodic_irq)
{
	long n;

	setup(7 * SEC);
	/* Linux i8253 periodic: 0x34, LATCH for HZ = 250 */
	out(CTRL, 0x34);
	out(CH0, (PIT_TICK_RATE / 250) & 0xff);
	out(CH0, (PIT_TICK_RATE / 250) >> 8);
	n = edges_in(SEC);
	CHECK(n >= 249 && n <= 251);
	CHECK(!fh.line[GSI]);                   /* pulses: the line ends low */
	CHECK_EQ(fh.rising[GSI], fh.falling[GSI]);
	/* mode 3, 100 Hz */
	out(CTRL, 0x36);
	out(CH0, (PIT_TICK_RATE / 100) & 0xff);
	out(CH0, (PIT_TICK_RATE / 100) >> 8);
	n = edges_in(10 * SEC);
	CHECK(n >= 999 && n <= 1001);
	/* A VMM that was away for 3 s: one edge, no burst of 300. */
	n = fh.rising[GSI];
	fh_jump(3 * SEC);
	CHECK_EQ(fh.rising[GSI] - n, 1);
	n = edges_in(SEC);
	CHECK(n >= 99 && n <= 101);
	/* Reprogramming to mode 0 stops the periodic edges. */
	out(CTRL, 0x30);
	CHECK(!fh_is_armed(&p.timer));
	CHECK_EQ(edges_in(SEC), 0);
}

TEST(channel0_rate_clamp)
{
	long n;

	for (unsigned reload = 1; reload <= 130; reload += 43) {
		setup(SEC);
		out(CTRL, 0x34);
		out(CH0, (u8)reload);
		out(CH0, 0);
		n = edges_in(SEC);
		CHECK(n <= 10000);
		CHECK(n >= 9000);
		CHECK(fh.fires <= 10001);
	}
	/* mode 2 with 1 and mode 3 with 1, 2: illegal on the 8254 but harmless here */
	setup(SEC);
	out(CTRL, 0x16);                        /* LSB only, mode 3 */
	out(CH0, 1);
	CHECK(edges_in(SEC) <= 10000);
	/* One-shots back to back are spaced too. */
	setup(SEC);
	out(CTRL, 0x10);                        /* LSB only, mode 0 */
	for (int i = 0; i < 1000; i++) {
		out(CH0, 1);
		fh_advance(1000);
	}
	CHECK(fh.rising[GSI] <= 12);
	CHECK_EQ(fh.bad_calls, 0);
}

TEST(channel0_oneshot_modes)
{
	u64 t0;

	setup(SEC);
	out(CTRL, 0x30);                        /* mode 0: one edge at terminal count */
	out(CH0, 0x00);
	out(CH0, 0x10);                         /* 4096 ticks = 3.433 ms */
	t0 = fh.now;
	fh_advance(3 * MS);
	CHECK_EQ(fh.rising[GSI], 0);
	fh_advance(MS);
	CHECK_EQ(fh.rising[GSI], 1);
	fh_advance(SEC);
	CHECK_EQ(fh.rising[GSI], 1);
	(void)t0;
	/* Linux's oneshot clockevent: mode 4 (0x38), each count write one edge */
	out(CTRL, 0x38);
	for (int i = 0; i < 5; i++) {
		out(CH0, 0x00);
		out(CH0, 0x04);                 /* 1024 ticks */
		fh_advance(2 * MS);
	}
	CHECK_EQ(fh.rising[GSI], 6);
	/* mode 1 and 5 need a gate edge: never on channel 0 */
	out(CTRL, 0x32);
	out(CH0, 10);
	out(CH0, 0);
	CHECK_EQ(edges_in(SEC), 0);
}

TEST(gate_and_hardware_triggers)
{
	setup(SEC);
	/* channel 2 mode 2: gate low stops (OUT high), rising gate reloads */
	out(CTRL, 0xb4);
	out(CH2, 100);
	out(CH2, 0);
	CHECK_EQ(read_latched(2), 100);         /* gate low: not counting */
	out61(0x01);
	fh_advance(20000);                      /* 23 ticks */
	CHECK_EQ(read_latched(2), 100 - 23);
	out61(0x00);
	fh_advance(MS);
	CHECK_EQ(read_latched(2), 100 - 23);
	CHECK(in61() & 0x20);
	out61(0x01);
	CHECK_EQ(read_latched(2), 100);
	/* mode 1: one-shot retriggered by the gate, OUT low while counting */
	out61(0x00);
	out(CTRL, 0xb2);
	out(CH2, 50);
	out(CH2, 0);
	CHECK(in61() & 0x20);
	fh_advance(MS);
	CHECK(in61() & 0x20);                   /* no trigger yet */
	out61(0x01);
	CHECK_EQ(in61() & 0x20, 0);
	fh_advance(30000);                      /* 35 ticks */
	CHECK_EQ(in61() & 0x20, 0);
	fh_advance(20000);
	CHECK(in61() & 0x20);
	out61(0x00);
	out61(0x01);                            /* retrigger */
	CHECK_EQ(in61() & 0x20, 0);
	/* mode 3 square wave on OUT2: half the period high */
	out(CTRL, 0xb6);
	out(CH2, 0xe8);
	out(CH2, 0x03);                         /* 1000 ticks */
	{
		int high = 0;

		for (int i = 0; i < 1000; i++) {
			fh_advance(838);
			high += !!(in61() & 0x20);
		}
		CHECK(high >= 480 && high <= 520);
	}
}

TEST(port61_bits)
{
	int toggles = 0;
	u8 prev;

	setup(SEC);
	out61(0xff);
	CHECK_EQ(in61() & 0xcf, 0x0f);          /* bits 0-3 stored, 6-7 never set */
	prev = in61() & 0x10;
	for (int i = 0; i < 1000; i++) {
		fh_advance(1000);
		if ((in61() & 0x10) != prev) {
			toggles++;
			prev = in61() & 0x10;
		}
	}
	/* 1 ms of 15 us refresh cycles */
	CHECK(toggles >= 60 && toggles <= 70);
}

TEST(long_uptime)
{
	u64 t0;

	/* 40 days of host uptime: counts still exact */
	setup(40ull * 86400 * SEC + 12345);
	out(CTRL, 0x34);
	out(CH0, 0x00);
	out(CH0, 0x00);
	t0 = fh.now;
	fh_advance(37 * MS + 123);
	CHECK_EQ(read_latched(0), (65536 - ticks(fh.now - t0) % 65536) & 0xffff);
	/* and 40 days after programming */
	fh_jump(40ull * 86400 * SEC);
	CHECK_EQ(read_latched(0), (65536 - ticks(fh.now - t0) % 65536) & 0xffff);
	CHECK(edges_in(SEC) >= 18);
}

TEST(bad_accesses_and_hostile_guest)
{
	u64 v;
	long worst = 0;

	setup(SEC);
	CHECK_EQ(vpit_read(&p, 0, 2, &v), -EOPNOTSUPP);
	CHECK_EQ(vpit_write(&p, 3, 4, 0x34), -EOPNOTSUPP);
	CHECK_EQ(vpit_read(&p, 4, 1, &v), -EINVAL);
	CHECK_EQ(vpit_port61_read(&p, 1, 1, &v), -EINVAL);
	CHECK_EQ(vpit_port61_write(&p, 0, 2, 1), -EOPNOTSUPP);
	for (int s = 0; s < 20; s++) {
		long start = fh.rising[GSI];
		u64 end = fh.now + SEC;

		while (fh.now < end) {
			u64 r = fh_rand();

			switch (r % 4) {
			case 0:
				vpit_write(&p, (r >> 8) % 4, 1, r >> 16);
				break;
			case 1:
				vpit_read(&p, (r >> 8) % 4, 1, &v);
				break;
			case 2:
				vpit_port61_write(&p, 0, 1, r >> 16);
				break;
			default:
				vpit_port61_read(&p, 0, 1, &v);
				break;
			}
			fh_advance((r >> 32) % 20000);
		}
		if (fh.rising[GSI] - start > worst)
			worst = fh.rising[GSI] - start;
	}
	CHECK(worst <= 10001);
	CHECK_EQ(fh.bad_calls, 0);
	vpit_reset(&p);
	CHECK(!fh_is_armed(&p.timer));
	CHECK_EQ(edges_in(SEC), 0);
}

TEST_MAIN({ "calibrate_tsc_channel2", calibrate_tsc_channel2 },
	  { "quick_pit_calibrate_msb", quick_pit_calibrate_msb },
	  { "latch_and_access_modes", latch_and_access_modes },
	  { "mode0_wraps_and_bcd", mode0_wraps_and_bcd },
	  { "channel0_periodic_irq", channel0_periodic_irq },
	  { "channel0_rate_clamp", channel0_rate_clamp },
	  { "channel0_oneshot_modes", channel0_oneshot_modes },
	  { "gate_and_hardware_triggers", gate_and_hardware_triggers },
	  { "port61_bits", port61_bits },
	  { "long_uptime", long_uptime },
	  { "bad_accesses_and_hostile_guest", bad_accesses_and_hostile_guest })
