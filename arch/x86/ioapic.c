// SPDX-License-Identifier: MIT
/* ioapic.c: I/O APICs from the MADT; the legacy 8259 PICs are silenced. */
#include <tv/acpi.h>
#include <tv/arch.h>
#include <tv/errno.h>
#include <tv/log.h>
#include <x86/io.h>
#include <x86/lapic.h>
#include <x86/trap.h>

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))
#define RTE_MASKED (1u << 16)
#define RTE_LEVEL (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)

struct ioapic {
	volatile u32 *regs;
	u32 gsi_base;
	u32 nr_pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned nioapics;

static u32 ioapic_read(struct ioapic *io, u32 reg)
{
	io->regs[IOREGSEL / 4] = reg;
	return io->regs[IOWIN / 4];
}

static void ioapic_write(struct ioapic *io, u32 reg, u32 v)
{
	io->regs[IOREGSEL / 4] = reg;
	io->regs[IOWIN / 4] = v;
}

/* Remap the PICs away from the exception vectors, then mask every line. */
static void pic_disable(void)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

int arch_irq_init(void)
{
	const struct acpi_info *ai = acpi_host();

	if (!ai)
		return -ENODEV;
	if (ai->pcat_compat)
		pic_disable();
	for (unsigned i = 0; i < ai->nioapics && nioapics < ACPI_MAX_IOAPICS; i++) {
		struct ioapic *io = &ioapics[nioapics];

		io->regs = arch_ioremap(ai->ioapics[i].addr, 4096, false);
		if (!io->regs)
			return -ENOMEM;
		io->gsi_base = ai->ioapics[i].gsi_base;
		io->nr_pins = ((ioapic_read(io, IOAPIC_VER) >> 16) & 0xff) + 1;
		for (u32 pin = 0; pin < io->nr_pins; pin++) {
			ioapic_write(io, IOAPIC_REDTBL(pin) + 1, 0);
			ioapic_write(io, IOAPIC_REDTBL(pin), RTE_MASKED);
		}
		pr_info("ioapic: id %u at %#x, GSIs %u-%u\n", ai->ioapics[i].id, ai->ioapics[i].addr,
			io->gsi_base, io->gsi_base + io->nr_pins - 1);
		nioapics++;
	}
	return nioapics ? 0 : -ENODEV;
}

int arch_irq_route(unsigned gsi, unsigned vector, bool level, bool active_low)
{
	for (unsigned i = 0; i < nioapics; i++) {
		struct ioapic *io = &ioapics[i];

		if (gsi < io->gsi_base || gsi >= io->gsi_base + io->nr_pins)
			continue;
		u32 pin = gsi - io->gsi_base;
		u32 lo = vector | (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0);

		ioapic_write(io, IOAPIC_REDTBL(pin) + 1, lapic_id() << 24);
		ioapic_write(io, IOAPIC_REDTBL(pin), lo);
		return 0;
	}
	return -ENODEV;
}

/* ---- ISA interrupts for host drivers ---- */

static struct {
	void (*fn)(void *arg);
	void *arg;
} isa_handlers[16];

static void isa_dispatch(struct trap_frame *tf)
{
	unsigned irq = (unsigned)(tf->vector - VEC_IRQ_BASE);

	if (irq < 16 && isa_handlers[irq].fn)
		isa_handlers[irq].fn(isa_handlers[irq].arg);
}

int arch_isa_irq_request(unsigned irq, void (*fn)(void *arg), void *arg)
{
	const struct acpi_info *ai = acpi_host();
	unsigned gsi = irq;
	bool level = false, low = false;

	if (irq >= 16)
		return -EINVAL;
	/* ISA defaults: edge, active high, GSI = IRQ, unless an override says otherwise. */
	for (unsigned i = 0; ai && i < ai->nisos; i++) {
		if (ai->isos[i].bus_irq != irq)
			continue;
		gsi = ai->isos[i].gsi;
		low = (ai->isos[i].flags & 3) == 3;
		level = ((ai->isos[i].flags >> 2) & 3) == 3;
	}
	isa_handlers[irq].fn = fn;
	isa_handlers[irq].arg = arg;
	trap_set_handler(VEC_IRQ_BASE + irq, isa_dispatch);
	return arch_irq_route(gsi, VEC_IRQ_BASE + irq, level, low);
}
