/* SPDX-License-Identifier: MIT */
/*
 * pit.h: an emulated Intel 8254 programmable interval timer (ports
 * 0x40-0x43, offsets 0-3) and the PC's system control port B (port 0x61).
 *
 * The counters run at VPIT_HZ derived from host time; nothing ticks while
 * nobody looks: counts and OUT levels are computed from now_ns when read.
 * Channel 0 drives GSI `gsi` (edges: set_irq 1 then 0): modes 2 and 3 every
 * period, modes 0 and 4 once at terminal count. Channel 0/1 gates are tied
 * high; channel 2's gate is port 0x61 bit 0 and its OUT is bit 5.
 *
 * Simplifications (documented, harmless for PC guests):
 *  - A count is loaded the moment it is written (the real part waits for
 *    the next CLK edge, 838 ns).
 *  - In modes 2 and 3 a new count written while counting restarts the
 *    period at once instead of at the end of the current one.
 *  - BCD mode counts modulo 10000 and reads/writes in BCD; nibbles above 9
 *    written by the guest are taken at face value and the result reduced
 *    modulo 10000.
 *  - Interrupt rate: channel 0 edges are at least VPIT_MIN_IRQ_NS apart
 *    (at most ~10000/s): a periodic reload below VPIT_MIN_IRQ_TICKS
 *    interrupts every VPIT_MIN_IRQ_TICKS instead (the counter still reads
 *    as programmed), and one-shot edges closer than that to the previous
 *    one are delayed. Missed periods (VMM late) are dropped, never burst.
 *  - Speaker output (port 0x61 bit 1) is stored only.
 *  - There is no BIOS: after reset every channel is unprogrammed (mode 0,
 *    LSB then MSB, no count) and channel 0 raises nothing until programmed.
 */
#ifndef TV_VDEV_PIT_H
#define TV_VDEV_PIT_H

#include <tv/types.h>
#include <tv/vdev.h>

#define VPIT_HZ 1193182u
#define VPIT_MIN_IRQ_NS 100000u         /* 10 kHz */
#define VPIT_MIN_IRQ_TICKS 120u         /* ceil(VPIT_HZ * 100 us) */
#define VPIT_REFRESH_NS 15085u          /* port 0x61 bit 4 toggles this often */

struct vpit_channel {
	u8 ctrl_mode;           /* mode bits as programmed (0-7), for read-back */
	u8 mode;                /* effective mode 0-5 */
	u8 rw;                  /* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;
	bool gate;
	bool have_count;        /* a count was loaded since the control word */
	bool counting;          /* the counting element runs (gate, trigger) */
	bool null_count;        /* written count not yet loaded */
	bool write_msb;         /* rw 3: the next write is the MSB */
	bool read_msb;          /* rw 3: the next read is the MSB */
	bool count_latched, status_latched;
	bool irq_done;          /* one-shot modes: the terminal-count edge was sent */
	u8 write_lsb;
	u8 status;
	u16 latch;
	u32 reload;             /* 1..65536 (1..10000 in BCD), decoded */
	u32 pending;            /* modes 1/5: count written, waits for a trigger */
	u64 base_ns;            /* host time where base_ticks were counted */
	u64 base_ticks;         /* ticks counted before base_ns (gate pauses) */
};

struct vpit {
	struct vdev_host host;
	unsigned gsi;
	struct vtimer timer;            /* channel 0 interrupts */
	struct vpit_channel ch[3];
	u8 port61;                      /* bits 0-3 as written */
	u64 irq_deadline;               /* next channel 0 edge; 0 if none */
	u64 last_irq_ns;                /* rate limit; 0 before the first edge */
};

void vpit_init(struct vpit *p, const struct vdev_host *h, unsigned gsi);
/* VM reboot: channels unprogrammed, gate 2 low, timer cancelled. */
void vpit_reset(struct vpit *p);
/* Ports 0x40-0x43 as offsets 0-3; byte accesses only (-EOPNOTSUPP else). */
int vpit_read(struct vpit *p, u64 offset, unsigned size, u64 *val);
int vpit_write(struct vpit *p, u64 offset, unsigned size, u64 val);
/* Port 0x61 as offset 0; byte accesses only. */
int vpit_port61_read(struct vpit *p, u64 offset, unsigned size, u64 *val);
int vpit_port61_write(struct vpit *p, u64 offset, unsigned size, u64 val);

#endif
