/* SPDX-License-Identifier: MIT */
/*
 * uart16550.h: an emulated 16550A UART (8 byte-wide registers at offsets
 * 0-7, e.g. COM1 at GUEST_PORT_COM1). The transmitter is infinitely fast:
 * every byte the guest writes goes to the host's tx callback at once. Host
 * input is queued with uart16550_rx. Modem lines outside loopback read as
 * CTS, DSR and DCD asserted, RI clear. Line settings (divisor, LCR) are
 * stored but change nothing: no pacing, bytes pass whole even with a word
 * length below 8 bits; parity/framing errors and break never occur.
 */
#ifndef TV_VDEV_UART16550_H
#define TV_VDEV_UART16550_H

#include <tv/types.h>
#include <tv/vdev.h>

#define UART16550_FIFO 16

struct uart16550 {
	struct vdev_host host;
	void (*tx)(void *ctx, u8 byte);
	unsigned gsi;

	u8 ier, lcr, mcr, scr, dll, dlm;
	u8 fcr;                 /* FIFO enable and trigger bits as last written */
	u8 lsr_err;             /* sticky OE until LSR is read */
	u8 msr_delta;           /* MSR bits 0-3, cleared when MSR is read */
	u8 msr_prev;            /* last modem inputs (MSR bits 4-7), for deltas */
	bool thre_pending;      /* THR-empty interrupt not yet acknowledged */
	bool irq_level;         /* what we last told set_irq */

	u8 rx[UART16550_FIFO];
	u8 rx_head, rx_count;
	u8 rbr_last;            /* what RBR reads when the FIFO is empty */
};

/* Power-on state; tx may be NULL (output dropped). The line starts low. */
void uart16550_init(struct uart16550 *u, const struct vdev_host *h, unsigned gsi,
		    void (*tx)(void *ctx, u8 byte));
/* VM reboot: registers to their reset values, FIFO emptied, line lowered. */
void uart16550_reset(struct uart16550 *u);
/* Byte accesses only (size 1); other sizes return -EOPNOTSUPP. */
int uart16550_read(struct uart16550 *u, u64 offset, unsigned size, u64 *val);
int uart16550_write(struct uart16550 *u, u64 offset, unsigned size, u64 val);

/*
 * A byte from the host for the guest. Returns false if it did not fit: the
 * byte is lost and LSR.OE set, as on a real overrun (in non-FIFO mode the
 * new byte replaces the unread one, which is what is lost). In loopback
 * mode the line is disconnected and host input is dropped (returns false,
 * no overrun).
 */
bool uart16550_rx(struct uart16550 *u, u8 byte);
/* How many bytes uart16550_rx accepts now without overrun (0 in loopback). */
unsigned uart16550_rx_space(const struct uart16550 *u);

#endif
