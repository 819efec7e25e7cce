// SPDX-License-Identifier: MIT
/* pci.c: host PCI segment 0: enumeration, config access, BARs, driver matching. */
#include <tv/acpi.h>
#include <tv/arch.h>
#include <tv/compiler.h>
#include <tv/log.h>
#include <tv/pci.h>
#include <tv/spinlock.h>

#define PCI_MAX_DEVS 128

static struct pci_dev devs[PCI_MAX_DEVS];
static unsigned ndevs;
static u8 *ecam;                 /* NULL: mechanism #1 through ports 0xcf8/0xcfc */
static u8 ecam_bus1;             /* ECAM covers buses 0..ecam_bus1 */
static spinlock_t cf8_lock = SPINLOCK_INIT;

static volatile void *ecam_addr(u8 bus, u8 dev, u8 fn, u16 off)
{
	return ecam + ((u64)bus << 20) + ((u32)dev << 15) + ((u32)fn << 12) + off;
}

/* Mechanism #1: select the dword, then access the data port. Returns the port. */
static u16 cf8_select(u8 bus, u8 dev, u8 fn, u16 off)
{
	arch_io_write(0xcf8, 4, 0x80000000u | (u32)bus << 16 | (u32)dev << 11 | (u32)fn << 8 | (off & 0xfc));
	return 0xcfc + (off & 3);
}

static u32 cfg_read(u8 bus, u8 dev, u8 fn, u16 off, unsigned width)
{
	irqflags_t f;
	u32 v;

	if (ecam) {
		if (bus > ecam_bus1)
			return ~0u;
		volatile void *p = ecam_addr(bus, dev, fn, off);

		return width == 1 ? *(volatile u8 *)p : width == 2 ? *(volatile u16 *)p : *(volatile u32 *)p;
	}
	if (off >= 256)
		return ~0u;
	f = spin_lock_irqsave(&cf8_lock);
	v = arch_io_read(cf8_select(bus, dev, fn, off), width);
	spin_unlock_irqrestore(&cf8_lock, f);
	return v;
}

static void cfg_write(u8 bus, u8 dev, u8 fn, u16 off, unsigned width, u32 v)
{
	irqflags_t f;

	if (ecam) {
		if (bus > ecam_bus1)
			return;
		volatile void *p = ecam_addr(bus, dev, fn, off);

		if (width == 1)
			*(volatile u8 *)p = (u8)v;
		else if (width == 2)
			*(volatile u16 *)p = (u16)v;
		else
			*(volatile u32 *)p = v;
		return;
	}
	if (off >= 256)
		return;
	f = spin_lock_irqsave(&cf8_lock);
	arch_io_write(cf8_select(bus, dev, fn, off), width, v);
	spin_unlock_irqrestore(&cf8_lock, f);
}

u32 pci_cfg_read(const struct pci_dev *d, u16 off, unsigned width)
{
	return cfg_read(d->bus, d->dev, d->fn, off, width);
}

void pci_cfg_write(const struct pci_dev *d, u16 off, unsigned width, u32 v)
{
	cfg_write(d->bus, d->dev, d->fn, off, width, v);
}

static u8 dev_read8(void *ctx, u16 off)
{
	return (u8)pci_cfg_read(ctx, off, 1);
}

u8 pci_find_cap(const struct pci_dev *d, u8 id)
{
	if (!(pci_cfg_read(d, PCI_STATUS, 2) & PCI_STATUS_CAPS))
		return 0;
	return pci_cap_walk(dev_read8, (void *)d, id);
}

static void scan_bus(u8 bus, u32 *seen);

static void add_function(u8 bus, u8 dev, u8 fn, u32 *seen)
{
	u32 id = cfg_read(bus, dev, fn, PCI_VENDOR_ID, 4);
	u32 cls = cfg_read(bus, dev, fn, PCI_CLASS_REV, 4) >> 8;
	u8 ht = cfg_read(bus, dev, fn, PCI_HEADER_TYPE, 1) & 0x7f;

	pr_info("pci: %02x:%02x.%u %04x:%04x class %06x%s\n", bus, dev, fn, id & 0xffff, id >> 16,
		cls, ht == 1 ? " bridge" : "");
	if (ndevs < PCI_MAX_DEVS) {
		struct pci_dev *d = &devs[ndevs++];

		d->bus = bus, d->dev = dev, d->fn = fn, d->hdr_type = ht;
		d->vendor = (u16)id, d->device = (u16)(id >> 16), d->class = cls;
	} else {
		pr_warn("pci: more than %u functions; %02x:%02x.%u not kept\n", PCI_MAX_DEVS, bus, dev, fn);
	}
	/* Firmware numbered the buses; follow PCI-to-PCI bridges to theirs. */
	if (ht == 1) {
		u8 sec = cfg_read(bus, dev, fn, PCI_SECONDARY_BUS, 1);

		if (sec > bus)
			scan_bus(sec, seen);
	}
}

static void scan_bus(u8 bus, u32 *seen)
{
	if (seen[bus / 32] & (1u << (bus % 32)))
		return;
	seen[bus / 32] |= 1u << (bus % 32);
	for (u8 dev = 0; dev < 32; dev++) {
		if ((cfg_read(bus, dev, 0, PCI_VENDOR_ID, 2) & 0xffff) == 0xffff)
			continue;
		u8 nfn = (cfg_read(bus, dev, 0, PCI_HEADER_TYPE, 1) & 0x80) ? 8 : 1;

		for (u8 fn = 0; fn < nfn; fn++)
			if ((cfg_read(bus, dev, fn, PCI_VENDOR_ID, 2) & 0xffff) != 0xffff)
				add_function(bus, dev, fn, seen);
	}
}

unsigned pci_init(void)
{
	const struct acpi_info *ai = acpi_host();
	u32 seen[256 / 32] = { 0 };

	if (ai && ai->has_mcfg && ai->mcfg_segment == 0 && ai->mcfg_bus_start == 0) {
		ecam_bus1 = ai->mcfg_bus_end;
		ecam = arch_ioremap(ai->mcfg_base, ((u64)ecam_bus1 + 1) << 20, false);
		if (!ecam)
			pr_warn("pci: ECAM at %#llx not mappable; using ports 0xcf8/0xcfc\n",
				(unsigned long long)ai->mcfg_base);
	}
	pr_info("pci: segment 0 through %s\n", ecam ? "ECAM (MCFG)" : "ports 0xcf8/0xcfc");
	scan_bus(0, seen);
	/*
	 * Servers have more host bridges whose root buses no bridge leads to
	 * (ACPI names them in AML we do not run): look at every bus left.
	 */
	for (unsigned b = 1; b <= (ecam ? ecam_bus1 : 255u); b++)
		scan_bus((u8)b, seen);
	pr_info("pci: %u functions\n", ndevs);
	return ndevs;
}

/* Decode with memory and I/O decoding off, so the probe value never aliases a live device. */
static void size_bars(struct pci_dev *d)
{
	unsigned n = d->hdr_type == 0 ? 6 : d->hdr_type == 1 ? 2 : 0;
	u16 cmd = pci_cfg_read(d, PCI_COMMAND, 2);

	pci_cfg_write(d, PCI_COMMAND, 2, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (unsigned i = 0; i < n;) {
		u16 off = PCI_BAR0 + 4 * i;
		u32 lo = pci_cfg_read(d, off, 4), hi = 0, mlo, mhi = 0;
		bool is64 = !(lo & 1) && ((lo >> 1) & 3) == 2 && i + 1 < n;

		pci_cfg_write(d, off, 4, ~0u);
		mlo = pci_cfg_read(d, off, 4);
		pci_cfg_write(d, off, 4, lo);
		if (is64) {
			hi = pci_cfg_read(d, off + 4, 4);
			pci_cfg_write(d, off + 4, 4, ~0u);
			mhi = pci_cfg_read(d, off + 4, 4);
			pci_cfg_write(d, off + 4, 4, hi);
		}
		i += pci_bar_decode(lo, hi, mlo, mhi, &d->bar[i]);
	}
	pci_cfg_write(d, PCI_COMMAND, 2, cmd);
}

unsigned pci_probe(const struct pci_driver *drv)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < ndevs; i++) {
		struct pci_dev *d = &devs[i];
		bool match = drv->vendor ? d->vendor == drv->vendor && d->device == drv->device
					 : (d->class & drv->class_mask) == drv->class;

		if (d->claimed || !match)
			continue;
		u16 cmd = pci_cfg_read(d, PCI_COMMAND, 2);

		size_bars(d);
		pci_cfg_write(d, PCI_COMMAND, 2, cmd | PCI_CMD_MEM | PCI_CMD_MASTER);
		if (drv->probe(d) == 0) {
			d->claimed = true;
			kept++;
		} else {
			/* No DMA from a function nobody drives. */
			pci_cfg_write(d, PCI_COMMAND, 2, cmd);
		}
	}
	return kept;
}

void *pci_map_bar(struct pci_dev *d, unsigned i)
{
	struct pci_bar *b = &d->bar[i < 6 ? i : 0];

	if (i >= 6 || (b->kind != PCI_BAR_MEM32 && b->kind != PCI_BAR_MEM64) || !b->size || !b->base)
		return NULL;
	return arch_ioremap(b->base, b->size, false);
}
