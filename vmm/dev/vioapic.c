// SPDX-License-Identifier: MIT
/* vioapic.c: the emulated I/O APIC (tv/vdev/vioapic.h). */
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/vdev/vioapic.h>

#define MMIO_REGSEL 0x00
#define MMIO_WIN 0x10
#define MMIO_EOI 0x40

#define REG_ID 0x00
#define REG_VER 0x01
#define REG_ARB 0x02
#define REG_RTE0 0x10

/* What the guest may write in the low dword; Remote IRR and delivery status are read-only. */
#define RTE_LOW_RW (VIOAPIC_RTE_VECTOR | VIOAPIC_RTE_DELMODE | VIOAPIC_RTE_LOGICAL | \
		    VIOAPIC_RTE_ACTIVE_LOW | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED)
#define RTE_DEST_SHIFT 56
#define RTE_HIGH_RW (0xffull << RTE_DEST_SHIFT)

static bool ioapic_asserted(const struct vioapic *io, unsigned pin)
{
	return io->pin_level[pin] != !!(io->rte[pin] & VIOAPIC_RTE_ACTIVE_LOW);
}

static void ioapic_deliver(struct vioapic *io, unsigned pin)
{
	u64 e = io->rte[pin];
	bool level = e & VIOAPIC_RTE_LEVEL;

	if (level)
		io->rte[pin] |= VIOAPIC_RTE_REMOTE_IRR;
	io->deliver(io->host.ctx, (u32)(e >> RTE_DEST_SHIFT), e & VIOAPIC_RTE_LOGICAL,
		    (u8)((e & VIOAPIC_RTE_DELMODE) >> 8), (u8)(e & VIOAPIC_RTE_VECTOR), level);
}

/* A level pin delivers when asserted, unmasked and not awaiting an EOI. */
static void ioapic_check_level(struct vioapic *io, unsigned pin)
{
	u64 e = io->rte[pin];

	if ((e & VIOAPIC_RTE_LEVEL) && !(e & (VIOAPIC_RTE_MASKED | VIOAPIC_RTE_REMOTE_IRR)) &&
	    ioapic_asserted(io, pin))
		ioapic_deliver(io, pin);
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
	bool was;

	if (pin >= VIOAPIC_PINS)
		return;
	was = ioapic_asserted(io, pin);
	io->pin_level[pin] = level;
	if (io->rte[pin] & VIOAPIC_RTE_LEVEL) {
		ioapic_check_level(io, pin);
		return;
	}
	if (!was && ioapic_asserted(io, pin) && !(io->rte[pin] & VIOAPIC_RTE_MASKED))
		ioapic_deliver(io, pin);
}

void vioapic_eoi(struct vioapic *io, u8 vector)
{
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		u64 e = io->rte[pin];

		if (!(e & VIOAPIC_RTE_REMOTE_IRR) || (e & VIOAPIC_RTE_VECTOR) != vector)
			continue;
		io->rte[pin] &= ~VIOAPIC_RTE_REMOTE_IRR;
		/* Still asserted: one new delivery per EOI. */
		ioapic_check_level(io, pin);
	}
}

static u32 ioapic_read_reg(const struct vioapic *io, u32 reg)
{
	unsigned pin;

	switch (reg) {
	case REG_ID:
	case REG_ARB:
		return (u32)io->id << 24;
	case REG_VER:
		return VIOAPIC_VERSION | (VIOAPIC_PINS - 1) << 16;
	}
	if (reg < REG_RTE0 || reg >= REG_RTE0 + 2 * VIOAPIC_PINS)
		return 0;
	pin = (reg - REG_RTE0) / 2;
	return (reg & 1) ? (u32)(io->rte[pin] >> 32) : (u32)io->rte[pin];
}

static void ioapic_write_reg(struct vioapic *io, u32 reg, u32 val)
{
	unsigned pin;
	u64 e;

	if (reg == REG_ID) {
		io->id = (u8)(val >> 24);
		return;
	}
	if (reg < REG_RTE0 || reg >= REG_RTE0 + 2 * VIOAPIC_PINS)
		return;         /* version, arbitration, unknown: read-only */
	pin = (reg - REG_RTE0) / 2;
	e = io->rte[pin];
	if (reg & 1) {
		io->rte[pin] = (e & 0xffffffffull) | (((u64)val << 32) & RTE_HIGH_RW);
		return;
	}
	e = (e & ~RTE_LOW_RW) | (val & RTE_LOW_RW);
	if (!(e & VIOAPIC_RTE_LEVEL))
		e &= ~VIOAPIC_RTE_REMOTE_IRR;
	io->rte[pin] = e;
	/* Unmasking (or retargeting) an asserted level line delivers it now. */
	ioapic_check_level(io, pin);
}

void vioapic_reset(struct vioapic *io)
{
	io->regsel = 0;
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		io->rte[pin] = VIOAPIC_RTE_MASKED;
}

void vioapic_init(struct vioapic *io, const struct vdev_host *h, vioapic_deliver_fn deliver,
		  u8 id)
{
	memset(io, 0, sizeof(*io));
	io->host = *h;
	io->deliver = deliver;
	io->id = id;
	vioapic_reset(io);
}

int vioapic_read(struct vioapic *io, u64 offset, unsigned size, u64 *val)
{
	*val = ~0ull;
	if (offset >= VIOAPIC_MMIO_SIZE)
		return -EINVAL;
	if (size != 4)
		return -EOPNOTSUPP;
	switch (offset) {
	case MMIO_REGSEL:
		*val = io->regsel;
		break;
	case MMIO_WIN:
		*val = ioapic_read_reg(io, io->regsel);
		break;
	default:
		*val = 0;       /* EOI is write-only; the rest of the page is empty */
		break;
	}
	return 0;
}

int vioapic_write(struct vioapic *io, u64 offset, unsigned size, u64 val)
{
	if (offset >= VIOAPIC_MMIO_SIZE)
		return -EINVAL;
	if (size != 4)
		return -EOPNOTSUPP;
	switch (offset) {
	case MMIO_REGSEL:
		io->regsel = (u32)val & 0xff;
		break;
	case MMIO_WIN:
		ioapic_write_reg(io, io->regsel, (u32)val);
		break;
	case MMIO_EOI:
		vioapic_eoi(io, (u8)val);
		break;
	default:
		break;
	}
	return 0;
}
