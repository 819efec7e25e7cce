/* SPDX-License-Identifier: MIT */
/*
 * vioapic.h: an emulated I/O APIC (82093AA register model, version 0x20
 * with the EOI register) of VIOAPIC_PINS pins at GUEST_IOAPIC_BASE.
 *
 * MMIO: IOREGSEL at 0x00, IOWIN at 0x10, EOI at 0x40, 32-bit accesses
 * only (other sizes return -EOPNOTSUPP); other offsets in the page read 0
 * and ignore writes. Indirect registers: 0x00 ID (bits 27:24), 0x01
 * version, 0x02 arbitration (reads the ID), 0x10 + 2n / 0x11 + 2n the low
 * and high halves of redirection entry n. Unknown indices read 0.
 *
 * Pins carry electrical levels (vioapic_set_irq); the polarity bit says
 * which level is asserted. Edge-triggered pins deliver on each
 * deassert-to-assert transition while unmasked (masked edges are lost).
 * Level-triggered pins deliver while asserted, unmasked and Remote IRR is
 * clear, and set Remote IRR; only an EOI for the entry's vector clears it,
 * and an EOI re-delivers if the line is still asserted - so an asserted
 * level line costs one delivery per guest EOI, never a host loop.
 * Unmasking an asserted level pin delivers. Writing an entry as
 * edge-triggered clears its Remote IRR (what Linux's fallback EOI does).
 * Delivery status always reads 0: delivery is immediate.
 */
#ifndef TV_VDEV_VIOAPIC_H
#define TV_VDEV_VIOAPIC_H

#include <tv/types.h>
#include <tv/vdev.h>
#include <tv/vmm_layout.h>

#define VIOAPIC_PINS GUEST_IOAPIC_PINS
#define VIOAPIC_VERSION 0x20
#define VIOAPIC_MMIO_SIZE 0x1000

/* Redirection entry fields (low dword; destination is bits 63:56). */
#define VIOAPIC_RTE_VECTOR 0x000000ffull
#define VIOAPIC_RTE_DELMODE 0x00000700ull
#define VIOAPIC_RTE_LOGICAL 0x00000800ull
#define VIOAPIC_RTE_DELIVS 0x00001000ull
#define VIOAPIC_RTE_ACTIVE_LOW 0x00002000ull
#define VIOAPIC_RTE_REMOTE_IRR 0x00004000ull
#define VIOAPIC_RTE_LEVEL 0x00008000ull
#define VIOAPIC_RTE_MASKED 0x00010000ull

/*
 * Deliver an interrupt message. dest: the 8-bit destination (APIC ID, or
 * logical mask); delivery_mode: 0 fixed, 1 lowest priority, 2 SMI, 4 NMI,
 * 5 INIT, 7 ExtINT (passed as programmed); level: level-triggered (the
 * LAPIC sets TMR and will report the EOI back through vioapic_eoi).
 */
typedef void (*vioapic_deliver_fn)(void *ctx, u32 dest, bool logical, u8 delivery_mode,
				   u8 vector, bool level);

struct vioapic {
	struct vdev_host host;
	vioapic_deliver_fn deliver;
	u32 regsel;
	u8 id;
	u64 rte[VIOAPIC_PINS];
	bool pin_level[VIOAPIC_PINS];   /* electrical input levels */
};

/* id: the APIC ID the MADT gives this I/O APIC. */
void vioapic_init(struct vioapic *io, const struct vdev_host *h, vioapic_deliver_fn deliver,
		  u8 id);
/* VM reboot: every entry masked, Remote IRR clear; input levels are kept. */
void vioapic_reset(struct vioapic *io);
int vioapic_read(struct vioapic *io, u64 offset, unsigned size, u64 *val);
int vioapic_write(struct vioapic *io, u64 offset, unsigned size, u64 val);
/* A device drives input pin `pin` (GSI); out-of-range pins are ignored. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);
/* The guest's local APIC EOI'd a level-triggered vector. */
void vioapic_eoi(struct vioapic *io, u8 vector);

#endif
