// SPDX-License-Identifier: MIT
/* test_pic8259.c: the dual 8259A PICs as registers only (vmm/dev/pic8259.c). */
#include "test.h"

#include <tv/errno.h>
#include <tv/vdev/pic8259.h>

/* Offsets of the ports 0x20/0x21 and 0xa0/0xa1, and of the ELCR at 0x4d0/0x4d1. */
#define M_CMD 0x00
#define M_DATA 0x01
#define S_CMD 0x80
#define S_DATA 0x81

static struct pic8259 pic;

static u8 in(u64 off)
{
	u64 v = 0xdeadbeef;

	CHECK_EQ(pic8259_read(&pic, off, 1, &v), 0);
	CHECK(v <= 0xff);
	return (u8)v;
}

static void out(u64 off, u8 v)
{
	CHECK_EQ(pic8259_write(&pic, off, 1, v), 0);
}

static u8 elcr_in(u64 off)
{
	u64 v = 0xdeadbeef;

	CHECK_EQ(pic8259_elcr_read(&pic, off, 1, &v), 0);
	CHECK(v <= 0xff);
	return (u8)v;
}

static void elcr_out(u64 off, u64 v)
{
	CHECK_EQ(pic8259_elcr_write(&pic, off, 1, v), 0);
}

/* Linux's init_8259A(): ICW1-ICW4 on both chips (arch/x86/kernel/i8259.c). */
static void linux_init(bool icw4)
{
	u8 icw1 = icw4 ? 0x11 : 0x10;

	out(M_DATA, 0xff);
	out(S_DATA, 0xff);
	out(M_CMD, icw1);         /* ICW1: edge, cascade */
	out(M_DATA, 0x30);        /* ICW2: vectors 0x30-0x37 */
	out(M_DATA, 1u << 2);     /* ICW3: slave on IRQ 2 */
	if (icw4)
		out(M_DATA, 0x01);        /* ICW4: 8086 mode, normal EOI */
	out(S_CMD, icw1);
	out(S_DATA, 0x38);        /* vectors 0x38-0x3f */
	out(S_DATA, 2);           /* ICW3: cascade identity 2 */
	if (icw4)
		out(S_DATA, 0x01);
}

TEST(power_on)
{
	memset(&pic, 0xa5, sizeof(pic));
	pic8259_init(&pic);
	CHECK_EQ(in(M_DATA), 0xff);
	CHECK_EQ(in(S_DATA), 0xff);
	CHECK_EQ(in(M_CMD), 0);
	CHECK_EQ(in(S_CMD), 0);
	CHECK_EQ(elcr_in(0), 0);
	CHECK_EQ(elcr_in(1), 0);
	CHECK_EQ(pic.chip[0].icw_step, 0);
	CHECK_EQ(pic.chip[1].icw_step, 0);
	/* Ready for OCW1 at once: a mask write is a mask write. */
	out(M_DATA, 0x12);
	CHECK_EQ(in(M_DATA), 0x12);
	CHECK_EQ(in(S_DATA), 0xff);
	out(S_DATA, 0x34);
	CHECK_EQ(in(S_DATA), 0x34);
	CHECK_EQ(in(M_DATA), 0x12);
}

TEST(linux_probe)
{
	/* probe_8259A(): mask the slave, write a probe value to the master, read it back. */
	pic8259_init(&pic);
	out(S_DATA, 0xff);
	out(M_DATA, 0xfb);
	CHECK_EQ(in(M_DATA), 0xfb);
	CHECK_EQ(in(S_DATA), 0xff);
	/* Every value reads back, on both chips. */
	for (unsigned v = 0; v < 256; v++) {
		out(M_DATA, (u8)v);
		out(S_DATA, (u8)~v);
		CHECK_EQ(in(M_DATA), v);
		CHECK_EQ(in(S_DATA), (u8)~v);
	}
}

TEST(icw_sequence)
{
	pic8259_init(&pic);
	out(M_DATA, 0xfb);
	/* ICW1 starts initialization and clears the mask. */
	out(M_CMD, 0x11);
	CHECK_EQ(pic.chip[0].icw_step, 2);
	CHECK(pic.chip[0].icw4_needed);
	CHECK_EQ(in(M_DATA), 0x00);
	/* ICW2-ICW4 are not masks. */
	out(M_DATA, 0x30);
	CHECK_EQ(pic.chip[0].icw_step, 3);
	CHECK_EQ(pic.chip[0].vector_base, 0x30);
	CHECK_EQ(in(M_DATA), 0x00);
	out(M_DATA, 0x04);
	CHECK_EQ(pic.chip[0].icw_step, 4);
	CHECK_EQ(in(M_DATA), 0x00);
	out(M_DATA, 0x01);
	CHECK_EQ(pic.chip[0].icw_step, 0);
	CHECK_EQ(in(M_DATA), 0x00);
	/* The slave was not touched. */
	CHECK_EQ(in(S_DATA), 0xff);
	CHECK_EQ(pic.chip[1].icw_step, 0);
	/* Now OCW1 sets the mask. */
	out(M_DATA, 0xfb);
	CHECK_EQ(in(M_DATA), 0xfb);
	CHECK_EQ(pic.chip[0].vector_base, 0x30);

	/* Both chips, as Linux does it, then Linux's restored masks. */
	pic8259_init(&pic);
	linux_init(true);
	CHECK_EQ(pic.chip[0].vector_base, 0x30);
	CHECK_EQ(pic.chip[1].vector_base, 0x38);
	CHECK_EQ(pic.chip[0].icw_step, 0);
	CHECK_EQ(pic.chip[1].icw_step, 0);
	CHECK_EQ(in(M_DATA), 0);
	CHECK_EQ(in(S_DATA), 0);
	out(M_DATA, 0xfb);
	out(S_DATA, 0xff);
	CHECK_EQ(in(M_DATA), 0xfb);
	CHECK_EQ(in(S_DATA), 0xff);
	CHECK_EQ(in(M_CMD), 0);
	CHECK_EQ(in(S_CMD), 0);

	/* ICW2's low three bits are the IRQ number, not part of the base. */
	pic8259_init(&pic);
	out(S_CMD, 0x11);
	out(S_DATA, 0x77);
	CHECK_EQ(pic.chip[1].vector_base, 0x70);
}

TEST(icw4_optional)
{
	/* ICW1 without IC4: ICW2, ICW3, and the next data write is OCW1. */
	pic8259_init(&pic);
	linux_init(false);
	CHECK(!pic.chip[0].icw4_needed);
	CHECK_EQ(pic.chip[0].icw_step, 0);
	CHECK_EQ(pic.chip[1].icw_step, 0);
	CHECK_EQ(pic.chip[0].vector_base, 0x30);
	CHECK_EQ(pic.chip[1].vector_base, 0x38);
	out(M_DATA, 0xf0);
	out(S_DATA, 0x0f);
	CHECK_EQ(in(M_DATA), 0xf0);
	CHECK_EQ(in(S_DATA), 0x0f);

	/* With IC4 the same three writes leave it waiting for ICW4. */
	pic8259_init(&pic);
	out(M_CMD, 0x11);
	out(M_DATA, 0x20);
	out(M_DATA, 0x04);
	out(M_DATA, 0xf0);        /* ICW4, not a mask */
	CHECK_EQ(in(M_DATA), 0);
	out(M_DATA, 0xf0);
	CHECK_EQ(in(M_DATA), 0xf0);

	/* A new ICW1 in the middle starts over. */
	pic8259_init(&pic);
	out(M_CMD, 0x11);
	out(M_DATA, 0x08);
	out(M_CMD, 0x10);         /* again, now without ICW4 */
	CHECK_EQ(pic.chip[0].icw_step, 2);
	CHECK(!pic.chip[0].icw4_needed);
	out(M_DATA, 0x68);
	out(M_DATA, 0x04);
	CHECK_EQ(pic.chip[0].icw_step, 0);
	CHECK_EQ(pic.chip[0].vector_base, 0x68);
	out(M_DATA, 0x5a);
	CHECK_EQ(in(M_DATA), 0x5a);

	/* ICW1's other bits (LTIM, ADI) are accepted: bit 4 is what counts. */
	pic8259_init(&pic);
	out(M_DATA, 0x33);
	out(M_CMD, 0x1d);         /* level, interval 4, IC4 */
	CHECK_EQ(pic.chip[0].icw_step, 2);
	CHECK(pic.chip[0].icw4_needed);
	CHECK_EQ(in(M_DATA), 0);
}

TEST(ocw2_ocw3)
{
	pic8259_init(&pic);
	linux_init(true);
	out(M_DATA, 0xfa);
	out(S_DATA, 0xbf);

	/* OCW3: read IRR, read ISR: both read 0 (nothing is ever pending here). */
	out(M_CMD, 0x0a);
	CHECK_EQ(pic.chip[0].read_isr, 0x02);
	CHECK_EQ(in(M_CMD), 0);
	out(M_CMD, 0x0b);
	CHECK_EQ(pic.chip[0].read_isr, 0x03);
	CHECK_EQ(in(M_CMD), 0);
	out(S_CMD, 0x0b);
	CHECK_EQ(pic.chip[1].read_isr, 0x03);
	CHECK_EQ(in(S_CMD), 0);
	/* Special mask mode set (OCW3 with ESMM|SMM): no read selection. */
	out(M_CMD, 0x68);
	CHECK_EQ(pic.chip[0].read_isr, 0);

	/* OCW2: non-specific EOI, specific EOI for IRQ 2, rotate: accepted, nothing changes. */
	out(M_CMD, 0x20);
	out(M_CMD, 0x62);
	out(S_CMD, 0x20);
	out(M_CMD, 0xc7);
	CHECK_EQ(in(M_DATA), 0xfa);
	CHECK_EQ(in(S_DATA), 0xbf);
	CHECK_EQ(pic.chip[0].icw_step, 0);
	CHECK_EQ(pic.chip[1].icw_step, 0);
	CHECK_EQ(pic.chip[0].vector_base, 0x30);
	CHECK_EQ(in(M_CMD), 0);
	CHECK_EQ(in(S_CMD), 0);
	/* The next data write is still OCW1. */
	out(M_DATA, 0x01);
	CHECK_EQ(in(M_DATA), 0x01);
}

TEST(elcr)
{
	pic8259_init(&pic);
	/* IRQ 0, 1, 2 (master) and 8, 13 (slave) are always edge. */
	elcr_out(0, 0xff);
	CHECK_EQ(elcr_in(0), 0xf8);
	elcr_out(1, 0xff);
	CHECK_EQ(elcr_in(1), 0xde);
	elcr_out(0, 0x07);
	CHECK_EQ(elcr_in(0), 0x00);
	elcr_out(1, 0x21);
	CHECK_EQ(elcr_in(1), 0x00);
	/* The PCI interrupts a BIOS would make level: 5, 9, 10, 11. */
	elcr_out(0, 0x20);
	elcr_out(1, 0x0e);
	CHECK_EQ(elcr_in(0), 0x20);
	CHECK_EQ(elcr_in(1), 0x0e);
	/* Each bit on its own. */
	for (unsigned b = 0; b < 8; b++) {
		elcr_out(0, 1u << b);
		elcr_out(1, 1u << b);
		CHECK_EQ(elcr_in(0), b <= 2 ? 0 : 1u << b);
		CHECK_EQ(elcr_in(1), b == 0 || b == 5 ? 0 : 1u << b);
	}
	/* Only the low byte of the value counts. */
	elcr_out(0, 0xf00ull | 0x18);
	CHECK_EQ(elcr_in(0), 0x18);
	/* The ELCR and the masks are separate registers. */
	CHECK_EQ(in(M_DATA), 0xff);
	CHECK_EQ(in(S_DATA), 0xff);
	out(M_DATA, 0);
	CHECK_EQ(elcr_in(0), 0x18);
	/* ICW1 does not reset the ELCR. */
	out(M_CMD, 0x11);
	CHECK_EQ(elcr_in(0), 0x18);
}

TEST(bad_accesses)
{
	struct pic8259 before;
	u64 v;

	pic8259_init(&pic);
	linux_init(true);
	out(M_DATA, 0xfb);
	out(S_DATA, 0xef);
	elcr_out(0, 0x20);
	elcr_out(1, 0x0e);
	out(M_CMD, 0x11);         /* leave the master mid-initialization too */
	before = pic;

	static const unsigned sizes[] = { 0, 2, 4, 8 };
	static const u64 offs[] = { M_CMD, M_DATA, S_CMD, S_DATA };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t j = 0; j < sizeof(offs) / sizeof(offs[0]); j++) {
			v = 0x1234;
			CHECK_EQ(pic8259_read(&pic, offs[j], sizes[i], &v), -EOPNOTSUPP);
			CHECK_EQ(v, 0x1234);
			CHECK_EQ(pic8259_write(&pic, offs[j], sizes[i], 0x10), -EOPNOTSUPP);
		}
		for (u64 off = 0; off < 3; off++) {
			v = 0x1234;
			CHECK_EQ(pic8259_elcr_read(&pic, off, sizes[i], &v), -EOPNOTSUPP);
			CHECK_EQ(v, 0x1234);
			CHECK_EQ(pic8259_elcr_write(&pic, off, sizes[i], 0xff), -EOPNOTSUPP);
		}
	}
	CHECK(memcmp(&before, &pic, sizeof(pic)) == 0);

	static const u64 bad_offs[] = { 2, 3, 0x20, 0x7f, 0x82, 0x83, 0xa0, 0xa1, 0x100,
					0x10000, ~0ull, 1ull << 63 | 1 };
	for (size_t i = 0; i < sizeof(bad_offs) / sizeof(bad_offs[0]); i++) {
		v = 0x1234;
		CHECK_EQ(pic8259_read(&pic, bad_offs[i], 1, &v), -EINVAL);
		CHECK_EQ(v, 0x1234);
		CHECK_EQ(pic8259_write(&pic, bad_offs[i], 1, 0x11), -EINVAL);
		CHECK_EQ(pic8259_elcr_read(&pic, bad_offs[i], 1, &v), -EINVAL);
		CHECK_EQ(v, 0x1234);
		CHECK_EQ(pic8259_elcr_write(&pic, bad_offs[i], 1, 0xff), -EINVAL);
	}
	/* The PIC's own slave offsets are not ELCR offsets. */
	v = 0x1234;
	CHECK_EQ(pic8259_elcr_read(&pic, S_DATA, 1, &v), -EINVAL);
	CHECK_EQ(v, 0x1234);
	CHECK_EQ(pic8259_elcr_write(&pic, S_CMD, 1, 0xff), -EINVAL);
	/* A wrong size wins over a wrong offset. */
	CHECK_EQ(pic8259_read(&pic, 0x7f, 2, &v), -EOPNOTSUPP);
	CHECK_EQ(pic8259_elcr_write(&pic, 5, 4, 0), -EOPNOTSUPP);
	CHECK(memcmp(&before, &pic, sizeof(pic)) == 0);

	/* And the device still works as it did. */
	CHECK_EQ(in(S_DATA), 0xef);
	CHECK_EQ(elcr_in(0), 0x20);
	CHECK_EQ(elcr_in(1), 0x0e);
	out(M_DATA, 0x40);        /* ICW2 */
	CHECK_EQ(pic.chip[0].vector_base, 0x40);
}

TEST_MAIN({ "power_on", power_on }, { "linux_probe", linux_probe }, { "icw_sequence", icw_sequence },
	  { "icw4_optional", icw4_optional }, { "ocw2_ocw3", ocw2_ocw3 }, { "elcr", elcr },
	  { "bad_accesses", bad_accesses })
