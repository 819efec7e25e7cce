/* SPDX-License-Identifier: MIT */
/*
 * pic8259.h: the dual 8259A PICs, as registers only (vmm/dev/pic8259.c).
 *
 * Guests program and probe them (Linux decides from a mask read-back
 * whether legacy IRQs 0-15 exist, and then routes them through the I/O
 * APIC). This model never delivers an interrupt itself: every device
 * interrupt goes through the I/O APIC.
 */
#ifndef TV_VDEV_PIC8259_H
#define TV_VDEV_PIC8259_H

#include <tv/types.h>

struct pic8259_chip {
	u8 imr;                 /* interrupt mask, reads back what was written */
	u8 icw_step;            /* 0: ready; 2-4: expecting ICW2..ICW4 */
	bool icw4_needed;
	u8 vector_base;         /* ICW2 */
	u8 read_isr;            /* OCW3 RR/RIS: next command-port read gives ISR (always 0) */
	u8 elcr;                /* edge/level control (ports 0x4d0/0x4d1) */
};

struct pic8259 {
	struct pic8259_chip chip[2]; /* master at 0x20, slave at 0xa0 */
};

void pic8259_init(struct pic8259 *p);
/* offset: 0/1 master, 0x80/0x81 slave (ports 0x20-0x21, 0xa0-0xa1). */
int pic8259_read(struct pic8259 *p, u64 offset, unsigned size, u64 *val);
int pic8259_write(struct pic8259 *p, u64 offset, unsigned size, u64 val);
/* ELCR at 0x4d0 (master) and 0x4d1 (slave): offset 0 or 1. */
int pic8259_elcr_read(struct pic8259 *p, u64 offset, unsigned size, u64 *val);
int pic8259_elcr_write(struct pic8259 *p, u64 offset, unsigned size, u64 val);

#endif
