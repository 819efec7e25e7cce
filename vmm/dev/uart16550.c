// SPDX-License-Identifier: MIT
/* uart16550.c: the emulated 16550A serial port (tv/vdev/uart16550.h). */
#include <tv/errno.h>
#include <tv/string.h>
#include <tv/vdev/uart16550.h>

/* Register offsets */
#define REG_RBR_THR 0
#define REG_IER 1
#define REG_IIR_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define NREGS 8

#define IER_ERBFI 0x01          /* received data available */
#define IER_ETBEI 0x02          /* transmitter holding register empty */
#define IER_ELSI 0x04           /* receiver line status */
#define IER_EDSSI 0x08          /* modem status */
#define IER_MASK 0x0f           /* bits 4-7 read as 0 (Linux's XScale probe checks) */

#define IIR_NONE 0x01
#define IIR_MSR 0x00
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO 0xc0           /* "FIFOs enabled": what makes it a 16550A */

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_KEEP 0xc8           /* trigger level and DMA mode bits we store */

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_ERRORS 0x1e         /* OE PE FE BI: the line status interrupt */
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

static bool uart_fifo_on(const struct uart16550 *u)
{
	return u->fcr & FCR_ENABLE;
}

static unsigned uart_rx_cap(const struct uart16550 *u)
{
	return uart_fifo_on(u) ? UART16550_FIFO : 1;
}

static unsigned uart_rx_trigger(const struct uart16550 *u)
{
	static const u8 levels[4] = { 1, 4, 8, 14 };

	return levels[u->fcr >> 6];
}

/* The modem status inputs (MSR bits 4-7) as the guest sees them now. */
static u8 uart_modem_inputs(const struct uart16550 *u)
{
	u8 m = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	/* Loopback wires the outputs back: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
	if (u->mcr & MCR_RTS)
		m |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		m |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		m |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		m |= MSR_DCD;
	return m;
}

/* Latch delta bits for inputs that changed since we last looked. */
static void uart_update_msr(struct uart16550 *u)
{
	u8 now = uart_modem_inputs(u), changed = now ^ u->msr_prev;

	if (changed & MSR_CTS)
		u->msr_delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		u->msr_delta |= MSR_DDSR;
	if ((u->msr_prev & MSR_RI) && !(now & MSR_RI))
		u->msr_delta |= MSR_TERI;       /* trailing edge only */
	if (changed & MSR_DCD)
		u->msr_delta |= MSR_DDCD;
	u->msr_prev = now;
}

/* The highest-priority pending interrupt: the low bits of IIR. */
static u8 uart_iir_id(const struct uart16550 *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr_err & LSR_ERRORS))
		return IIR_RLS;
	if ((u->ier & IER_ERBFI) && u->rx_count) {
		/*
		 * No character clock: data below the trigger level is reported
		 * as a timeout at once, so small input is not held back.
		 */
		if (uart_fifo_on(u) && u->rx_count < uart_rx_trigger(u))
			return IIR_TIMEOUT;
		return IIR_RDA;
	}
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && u->msr_delta)
		return IIR_MSR;
	return IIR_NONE;
}

static void uart_update_irq(struct uart16550 *u)
{
	/*
	 * On a PC the INTR pin reaches the interrupt controller only through
	 * a buffer enabled by OUT2, and loopback forces OUT2 inactive.
	 */
	bool level = uart_iir_id(u) != IIR_NONE && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->host.set_irq)
		u->host.set_irq(u->host.ctx, u->gsi, level);
}

static void uart_rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/* Into the receiver: from the host or from the transmitter in loopback. */
static bool uart_rx_push(struct uart16550 *u, u8 byte)
{
	if (u->rx_count >= uart_rx_cap(u)) {
		u->lsr_err |= LSR_OE;
		/* Without FIFO the holding register is overwritten; with it the shift register is. */
		if (!uart_fifo_on(u) && u->rx_count)
			u->rx[u->rx_head] = byte;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART16550_FIFO] = byte;
	u->rx_count++;
	return true;
}

static u8 uart_rx_pop(struct uart16550 *u)
{
	if (!u->rx_count)
		return u->rbr_last;
	u->rbr_last = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART16550_FIFO;
	u->rx_count--;
	return u->rbr_last;
}

static void uart_write_thr(struct uart16550 *u, u8 byte)
{
	/* Whole bytes whatever LCR says: a guest that never set 8N1 still gets readable output. */
	if (u->mcr & MCR_LOOP)
		uart_rx_push(u, byte);
	else if (u->tx)
		u->tx(u->host.ctx, byte);
	/* The byte left at once: THR is empty again and says so. */
	u->thre_pending = true;
}

static void uart_write_fcr(struct uart16550 *u, u8 val)
{
	/* Switching FIFO mode on or off empties the FIFOs. */
	if ((val ^ u->fcr) & FCR_ENABLE)
		uart_rx_clear(u);
	if (!(val & FCR_ENABLE)) {
		/* The other bits are only programmed together with FCR0. */
		u->fcr &= (u8)~FCR_ENABLE;
		return;
	}
	if (val & FCR_CLEAR_RX)
		uart_rx_clear(u);
	/* FCR_CLEAR_TX: the transmitter is always empty already. */
	u->fcr = (u8)(val & (FCR_ENABLE | FCR_KEEP));
}

static void uart_write_ier(struct uart16550 *u, u8 val)
{
	val &= IER_MASK;
	/* Enabling ETBEI while THR is empty raises THRE (Linux's THRE tests). */
	if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
		u->thre_pending = true;
	else if (!(val & IER_ETBEI))
		u->thre_pending = false;
	u->ier = val;
}

void uart16550_reset(struct uart16550 *u)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->fcr = 0;
	u->scr = 0;
	u->dll = 1;             /* 115200 baud; the reset value is undefined */
	u->dlm = 0;
	u->lsr_err = 0;
	u->msr_delta = 0;
	u->msr_prev = uart_modem_inputs(u);
	u->thre_pending = false;
	u->rbr_last = 0;
	uart_rx_clear(u);
	uart_update_irq(u);
}

void uart16550_init(struct uart16550 *u, const struct vdev_host *h, unsigned gsi,
		    void (*tx)(void *ctx, u8 byte))
{
	memset(u, 0, sizeof(*u));
	u->host = *h;
	u->gsi = gsi;
	u->tx = tx;
	uart16550_reset(u);
}

int uart16550_read(struct uart16550 *u, u64 offset, unsigned size, u64 *val)
{
	u8 v = 0, id;

	if (offset >= NREGS) {
		*val = ~0ull;
		return -EINVAL;
	}
	if (size != 1) {
		*val = ~0ull;
		return -EOPNOTSUPP;
	}
	switch (offset) {
	case REG_RBR_THR:
		v = (u->lcr & LCR_DLAB) ? u->dll : uart_rx_pop(u);
		break;
	case REG_IER:
		v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case REG_IIR_FCR:
		id = uart_iir_id(u);
		/* Reading IIR acknowledges THRE when that is what it reports. */
		if (id == IIR_THRE)
			u->thre_pending = false;
		v = id | (uart_fifo_on(u) ? IIR_FIFO : 0);
		break;
	case REG_LCR:
		v = u->lcr;
		break;
	case REG_MCR:
		v = u->mcr;
		break;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT | u->lsr_err | (u->rx_count ? LSR_DR : 0);
		u->lsr_err = 0;
		break;
	case REG_MSR:
		uart_update_msr(u);
		v = u->msr_prev | u->msr_delta;
		u->msr_delta = 0;
		break;
	case REG_SCR:
		v = u->scr;
		break;
	}
	uart_update_irq(u);
	*val = v;
	return 0;
}

int uart16550_write(struct uart16550 *u, u64 offset, unsigned size, u64 val)
{
	u8 v = (u8)val;

	if (offset >= NREGS)
		return -EINVAL;
	if (size != 1)
		return -EOPNOTSUPP;
	switch (offset) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			uart_write_thr(u, v);
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB)
			u->dlm = v;
		else
			uart_write_ier(u, v);
		break;
	case REG_IIR_FCR:
		/* FCR is at offset 2 whatever DLAB says (16550A: no EFR). */
		uart_write_fcr(u, v);
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & MCR_MASK;
		uart_update_msr(u);
		break;
	case REG_LSR:
	case REG_MSR:
		break;          /* factory test on real parts: ignored */
	case REG_SCR:
		u->scr = v;
		break;
	}
	uart_update_irq(u);
	return 0;
}

bool uart16550_rx(struct uart16550 *u, u8 byte)
{
	bool ok;

	if (u->mcr & MCR_LOOP)
		return false;
	ok = uart_rx_push(u, byte);
	uart_update_irq(u);
	return ok;
}

unsigned uart16550_rx_space(const struct uart16550 *u)
{
	if (u->mcr & MCR_LOOP)
		return 0;
	return uart_rx_cap(u) - u->rx_count;
}
