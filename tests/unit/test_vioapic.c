// SPDX-License-Identifier: MIT
/* test_vioapic.c: the emulated I/O APIC (vmm/dev/vioapic.c). */
#include "vdev_testlib.h"

#include <tv/errno.h>
#include <tv/vdev/vioapic.h>

static struct vioapic io;

struct delivery {
	u32 dest;
	bool logical;
	u8 mode, vector;
	bool level;
};
static struct delivery dl[64];
static long ndl;

static void deliver(void *ctx, u32 dest, bool logical, u8 mode, u8 vector, bool level)
{
	CHECK(ctx == &fh);
	if (ndl < 64)
		dl[ndl] = (struct delivery){ dest, logical, mode, vector, level };
	ndl++;
}

static void setup(void)
{
	fh_reset(0);
	ndl = 0;
	vioapic_init(&io, &fh_host, deliver, 2);
}

static u32 reg_read(u32 reg)
{
	u64 v = 0;

	CHECK_EQ(vioapic_write(&io, 0x00, 4, reg), 0);
	CHECK_EQ(vioapic_read(&io, 0x10, 4, &v), 0);
	CHECK(v <= 0xffffffffull);
	return (u32)v;
}

static void reg_write(u32 reg, u32 val)
{
	CHECK_EQ(vioapic_write(&io, 0x00, 4, reg), 0);
	CHECK_EQ(vioapic_write(&io, 0x10, 4, val), 0);
}

/* As Linux's ioapic_write_entry: high half first, then low. */
static void rte_write(unsigned pin, u64 e)
{
	reg_write(0x11 + 2 * pin, (u32)(e >> 32));
	reg_write(0x10 + 2 * pin, (u32)e);
}

static u64 rte_read(unsigned pin)
{
	return reg_read(0x10 + 2 * pin) | (u64)reg_read(0x11 + 2 * pin) << 32;
}

TEST(registers)
{
	u64 v;

	setup();
	CHECK_EQ(reg_read(0x00), 2u << 24);
	CHECK_EQ(reg_read(0x01), 0x20 | (VIOAPIC_PINS - 1) << 16);
	CHECK_EQ(reg_read(0x01), 0x00170020);
	CHECK_EQ(reg_read(0x02), 2u << 24);
	reg_write(0x00, 0x0f000000);
	CHECK_EQ(reg_read(0x00), 0x0f000000);
	reg_write(0x01, 0);                     /* read-only */
	CHECK_EQ(reg_read(0x01), 0x00170020);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		CHECK_EQ(rte_read(pin), VIOAPIC_RTE_MASKED);
	CHECK_EQ(reg_read(0x10 + 2 * VIOAPIC_PINS), 0);      /* past the table */
	CHECK_EQ(reg_read(0xff), 0);
	/* read-only bits of an entry do not take writes */
	rte_write(3, 0xff000000000000ffull | VIOAPIC_RTE_REMOTE_IRR | VIOAPIC_RTE_DELIVS |
		     VIOAPIC_RTE_MASKED | VIOAPIC_RTE_LEVEL);
	CHECK_EQ(rte_read(3), 0xff000000000000ffull | VIOAPIC_RTE_MASKED | VIOAPIC_RTE_LEVEL);
	reg_write(0x11 + 6, 0xffffffff);        /* only bits 63:56 of the high half */
	CHECK_EQ(rte_read(3) >> 32, 0xff000000);
	CHECK_EQ(vioapic_write(&io, 0x00, 4, 0x1234), 0);
	CHECK_EQ(vioapic_read(&io, 0x00, 4, &v), 0);
	CHECK_EQ(v, 0x34);
	/* other offsets, sizes */
	CHECK_EQ(vioapic_read(&io, 0x20, 4, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vioapic_read(&io, 0x40, 4, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vioapic_read(&io, 0x10, 1, &v), -EOPNOTSUPP);
	CHECK_EQ(vioapic_write(&io, 0x10, 8, 0), -EOPNOTSUPP);
	CHECK_EQ(vioapic_read(&io, 0x1000, 4, &v), -EINVAL);
	CHECK_EQ(vioapic_write(&io, 0x13, 4, 0), 0);
	CHECK_EQ(ndl, 0);
}

TEST(edge_triggered)
{
	setup();
	rte_write(4, (u64)3 << 56 | 0x24);      /* fixed, physical, edge, high, unmasked */
	vioapic_set_irq(&io, 4, true);
	CHECK_EQ(ndl, 1);
	CHECK(dl[0].dest == 3 && !dl[0].logical && dl[0].mode == 0 && dl[0].vector == 0x24 &&
	      !dl[0].level);
	CHECK_EQ(rte_read(4) & VIOAPIC_RTE_REMOTE_IRR, 0);
	vioapic_set_irq(&io, 4, true);          /* no edge */
	CHECK_EQ(ndl, 1);
	vioapic_set_irq(&io, 4, false);
	vioapic_set_irq(&io, 4, true);
	CHECK_EQ(ndl, 2);
	/* PIT-style pulses */
	for (int i = 0; i < 10; i++) {
		vioapic_set_irq(&io, 4, true);
		vioapic_set_irq(&io, 4, false);
	}
	CHECK_EQ(ndl, 11);
	/* masked edges are lost, unmasking does not replay them */
	rte_write(4, (u64)3 << 56 | 0x24 | VIOAPIC_RTE_MASKED);
	vioapic_set_irq(&io, 4, true);
	vioapic_set_irq(&io, 4, false);
	rte_write(4, (u64)3 << 56 | 0x24);
	CHECK_EQ(ndl, 11);
	/* active low: the falling electrical edge asserts */
	rte_write(5, 0x25 | VIOAPIC_RTE_ACTIVE_LOW | VIOAPIC_RTE_LOGICAL | 1ull << 8 |
		     (u64)0x0f << 56);
	vioapic_set_irq(&io, 5, true);
	CHECK_EQ(ndl, 11);
	vioapic_set_irq(&io, 5, false);
	CHECK_EQ(ndl, 12);
	CHECK(dl[11].dest == 0x0f && dl[11].logical && dl[11].mode == 1 && dl[11].vector == 0x25);
	/* pins out of range are ignored */
	vioapic_set_irq(&io, VIOAPIC_PINS, true);
	vioapic_set_irq(&io, ~0u, true);
	CHECK_EQ(ndl, 12);
}

TEST(level_triggered_remote_irr)
{
	setup();
	rte_write(9, 0x39 | VIOAPIC_RTE_LEVEL);
	vioapic_set_irq(&io, 9, true);
	CHECK_EQ(ndl, 1);
	CHECK(dl[0].level && dl[0].vector == 0x39);
	CHECK(rte_read(9) & VIOAPIC_RTE_REMOTE_IRR);
	vioapic_set_irq(&io, 9, true);          /* still in service: nothing */
	vioapic_set_irq(&io, 9, false);
	vioapic_set_irq(&io, 9, true);
	CHECK_EQ(ndl, 1);
	vioapic_eoi(&io, 0x38);                 /* another vector */
	CHECK_EQ(ndl, 1);
	vioapic_eoi(&io, 0x39);                 /* still asserted: again */
	CHECK_EQ(ndl, 2);
	CHECK(rte_read(9) & VIOAPIC_RTE_REMOTE_IRR);
	vioapic_set_irq(&io, 9, false);
	CHECK_EQ(vioapic_write(&io, 0x40, 4, 0x39), 0); /* EOI register */
	CHECK_EQ(ndl, 2);
	CHECK_EQ(rte_read(9) & VIOAPIC_RTE_REMOTE_IRR, 0);
	/* A stuck line costs one delivery per EOI, never more. */
	vioapic_set_irq(&io, 9, true);
	CHECK_EQ(ndl, 3);
	for (int i = 0; i < 1000; i++)
		vioapic_eoi(&io, 0x39);
	CHECK_EQ(ndl, 1003);
	/* masked while asserted: EOI does not deliver; unmasking does */
	rte_write(9, 0x39 | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED);
	vioapic_eoi(&io, 0x39);
	CHECK_EQ(ndl, 1003);
	CHECK_EQ(rte_read(9) & VIOAPIC_RTE_REMOTE_IRR, 0);
	rte_write(9, 0x39 | VIOAPIC_RTE_LEVEL);
	CHECK_EQ(ndl, 1004);
	/* switching to edge clears Remote IRR (Linux's EOI fallback) */
	rte_write(9, 0x39 | VIOAPIC_RTE_MASKED);
	CHECK_EQ(rte_read(9) & VIOAPIC_RTE_REMOTE_IRR, 0);
	CHECK_EQ(ndl, 1004);
	vioapic_set_irq(&io, 9, false);
	rte_write(9, 0x39 | VIOAPIC_RTE_LEVEL);
	CHECK_EQ(ndl, 1004);
	/* the SCI: level, active high, asserted while masked, delivered on unmask */
	vioapic_set_irq(&io, 10, true);
	CHECK_EQ(ndl, 1004);
	rte_write(10, 0x3a | VIOAPIC_RTE_LEVEL);
	CHECK_EQ(ndl, 1005);
	/* active-low level line idle at 0 is asserted */
	rte_write(11, 0x3b | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_ACTIVE_LOW);
	CHECK_EQ(ndl, 1006);
	vioapic_set_irq(&io, 11, true);
	vioapic_eoi(&io, 0x3b);
	CHECK_EQ(ndl, 1006);
	/* two pins sharing a vector are both re-examined on EOI */
	rte_write(12, 0x50 | VIOAPIC_RTE_LEVEL);
	rte_write(13, 0x50 | VIOAPIC_RTE_LEVEL);
	vioapic_set_irq(&io, 12, true);
	vioapic_set_irq(&io, 13, true);
	CHECK_EQ(ndl, 1008);
	vioapic_eoi(&io, 0x50);
	CHECK_EQ(ndl, 1010);
}

TEST(reset_and_hostile_guest)
{
	u64 v;

	setup();
	for (int i = 0; i < 200000; i++) {
		u64 x = fh_rand();
		long before = ndl;

		switch (x % 5) {
		case 0:
			vioapic_write(&io, 0x00, 4, (x >> 8) % 0x40);
			break;
		case 1:
			vioapic_write(&io, 0x10, 4, x >> 16);
			break;
		case 2:
			vioapic_read(&io, (x >> 8) & 0xff0, 4, &v);
			break;
		case 3:
			vioapic_set_irq(&io, (unsigned)((x >> 8) % 30), (x >> 20) & 1);
			break;
		default:
			vioapic_eoi(&io, (u8)(x >> 8));
			break;
		}
		CHECK(ndl - before <= VIOAPIC_PINS);
		CHECK(io.regsel <= 0xff);
	}
	vioapic_reset(&io);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		CHECK_EQ(rte_read(pin) & 0xffffffff, VIOAPIC_RTE_MASKED);
	ndl = 0;
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		vioapic_set_irq(&io, pin, !io.pin_level[pin]);
	CHECK_EQ(ndl, 0);
}

TEST_MAIN({ "registers", registers },
	  { "edge_triggered", edge_triggered },
	  { "level_triggered_remote_irr", level_triggered_remote_irr },
	  { "reset_and_hostile_guest", reset_and_hostile_guest })
