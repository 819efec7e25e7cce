// SPDX-License-Identifier: MIT
/* pic8259.c: the dual 8259A PICs as registers only (see tv/vdev/pic8259.h). */
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/vdev/pic8259.h>

#define ICW1 0x10               /* command port, bit 4: start of initialization */
#define ICW1_IC4 0x01
#define OCW3 0x08               /* command port, bit 3 with bit 4 clear */
#define OCW3_RR 0x02
#define OCW3_RIS 0x01

void pic8259_init(struct pic8259 *p)
{
	memset(p, 0, sizeof(*p));
	/* Power-on: everything masked; ELCR bits 0-2 of the master cannot be level. */
	p->chip[0].imr = 0xff;
	p->chip[1].imr = 0xff;
}

static struct pic8259_chip *chip_of(struct pic8259 *p, u64 offset, bool *data)
{
	if (offset > 0x81 || (offset > 1 && offset < 0x80))
		return NULL;
	*data = offset & 1;
	return &p->chip[offset >= 0x80];
}

int pic8259_read(struct pic8259 *p, u64 offset, unsigned size, u64 *val)
{
	bool data;
	struct pic8259_chip *c = chip_of(p, offset, &data);

	if (size != 1)
		return -EOPNOTSUPP;
	if (!c)
		return -EINVAL;
	/* Nothing is ever requested or in service: IRR and ISR read 0. */
	*val = data ? c->imr : 0;
	return 0;
}

int pic8259_write(struct pic8259 *p, u64 offset, unsigned size, u64 val)
{
	bool data;
	struct pic8259_chip *c = chip_of(p, offset, &data);
	u8 v = (u8)val;

	if (size != 1)
		return -EOPNOTSUPP;
	if (!c)
		return -EINVAL;
	if (!data) {
		if (v & ICW1) {
			c->icw_step = 2;
			c->icw4_needed = v & ICW1_IC4;
			c->imr = 0;
		} else if (v & OCW3) {
			c->read_isr = v & (OCW3_RR | OCW3_RIS);
		}
		/* OCW2 (EOI and rotation) has nothing to act on. */
		return 0;
	}
	switch (c->icw_step) {
	case 2:
		c->vector_base = v & 0xf8;
		c->icw_step = 3; /* ICW3 always follows in cascade mode */
		break;
	case 3:
		c->icw_step = c->icw4_needed ? 4 : 0;
		break;
	case 4:
		c->icw_step = 0;
		break;
	default:
		c->imr = v; /* OCW1 */
		break;
	}
	return 0;
}

int pic8259_elcr_read(struct pic8259 *p, u64 offset, unsigned size, u64 *val)
{
	if (size != 1)
		return -EOPNOTSUPP;
	if (offset > 1)
		return -EINVAL;
	*val = p->chip[offset].elcr;
	return 0;
}

int pic8259_elcr_write(struct pic8259 *p, u64 offset, unsigned size, u64 val)
{
	if (size != 1)
		return -EOPNOTSUPP;
	if (offset > 1)
		return -EINVAL;
	/* IRQ 0, 1, 2, 8 and 13 are always edge triggered on a PC. */
	p->chip[offset].elcr = (u8)val & (offset ? 0xde : 0xf8);
	return 0;
}
