/* SPDX-License-Identifier: MIT */
/*
 * pci.h: the host's PCI devices (drivers/pci.c). Segment 0 is enumerated
 * once at boot, through ECAM when the MCFG names it, else configuration
 * mechanism #1: bus 0 and the buses behind its bridges, then every other
 * bus (root buses of further host bridges); drivers claim functions by
 * class or vendor:device.
 * BAR decoding and the capability walk are pure (drivers/pci_decode.c).
 */
#ifndef TV_PCI_H
#define TV_PCI_H

#include <tv/types.h>

#define PCI_VENDOR_ID 0x00
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REV 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SECONDARY_BUS 0x19
#define PCI_CAP_PTR 0x34

#define PCI_CMD_IO (1u << 0)
#define PCI_CMD_MEM (1u << 1)
#define PCI_CMD_MASTER (1u << 2)
#define PCI_STATUS_CAPS (1u << 4)

#define PCI_CAP_MSI 0x05
#define PCI_CAP_PCIE 0x10
#define PCI_CAP_MSIX 0x11

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	u64 base;
	u64 size;                /* 0: not implemented */
	enum pci_bar_kind kind;
	bool prefetch;
};

struct pci_dev {
	u8 bus, dev, fn;
	u8 hdr_type;             /* without the multi-function bit */
	u16 vendor, device;
	u32 class;               /* base class << 16 | subclass << 8 | prog-if */
	bool claimed;
	struct pci_bar bar[6];   /* filled when a driver claims the function */
};

/*
 * Which functions a driver takes: vendor:device when vendor is non-zero,
 * else (class & class_mask) == class. probe returns 0 to keep the function.
 */
struct pci_driver {
	const char *name;
	u16 vendor, device;
	u32 class, class_mask;
	int (*probe)(struct pci_dev *d);
};

/* Enumerate segment 0 and log every function. Returns how many were found. */
unsigned pci_init(void);

/*
 * Size the BARs of every unclaimed matching function, enable memory space
 * and bus mastering, and call drv->probe. Returns how many it kept.
 */
unsigned pci_probe(const struct pci_driver *drv);

/* Map memory BAR i uncached; NULL if it is not a memory BAR or mapping fails. */
void *pci_map_bar(struct pci_dev *d, unsigned i);

u32 pci_cfg_read(const struct pci_dev *d, u16 off, unsigned width);
void pci_cfg_write(const struct pci_dev *d, u16 off, unsigned width, u32 v);

/* Offset of capability id in d's list, 0 if absent. */
u8 pci_find_cap(const struct pci_dev *d, u8 id);

/* ---- pure helpers (drivers/pci_decode.c, unit-tested) ---- */

/*
 * Decode BAR i from its value and what reads back after writing all ones
 * (lo/mask_lo; hi/mask_hi for the upper half of a 64-bit BAR). Returns the
 * number of BAR slots it occupies (1, or 2 for 64-bit memory).
 */
unsigned pci_bar_decode(u32 lo, u32 hi, u32 mask_lo, u32 mask_hi, struct pci_bar *out);

/*
 * Walk a capability list through read8 (config space of one function),
 * starting at the pointer at 0x34; stops on loops and bad pointers.
 * Returns the offset of the first capability id, 0 if none.
 */
u8 pci_cap_walk(u8 (*read8)(void *ctx, u16 off), void *ctx, u8 id);

#endif
