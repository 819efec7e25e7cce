// SPDX-License-Identifier: MIT
/* uart16550.c: the serial console on COM1, polled. */
#include <tv/arch.h>
#include <tv/drivers.h>
#include <tv/log.h>

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define LCR_DLAB 0x80
#define LCR_8N1 0x03

#define IER_RDA 0x01
#define MCR_OUT2 0x08
#define RX_RING 256

static bool present, irq_mode;
static u8 rx_ring[RX_RING];
static volatile u32 rx_head, rx_tail;   /* head: written by the interrupt */

static void out(unsigned reg, u8 v)
{
	arch_io_write(COM1 + reg, 8, v);
}

static u8 in(unsigned reg)
{
	return (u8)arch_io_read(COM1 + reg, 8);
}

static void putc_raw(char c)
{
	/* Bounded wait: a missing or wedged UART must not hang the log. */
	for (int i = 0; i < 100000 && !(in(REG_LSR) & LSR_THR_EMPTY); i++)
		arch_pause();
	out(REG_DATA, (u8)c);
}

static void uart_write(struct console *c, const char *s, size_t n)
{
	(void)c;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
}

static struct console uart_console = { .name = "ttyS0", .write = uart_write };

void uart_init(void)
{
	out(REG_IER, 0);
	out(REG_LCR, LCR_DLAB);
	out(REG_DATA, 1);   /* divisor 1: 115200 baud */
	out(REG_IER, 0);
	out(REG_LCR, LCR_8N1);
	out(REG_FCR, 0x07); /* enable and clear FIFOs */
	out(REG_MCR, 0x03); /* DTR, RTS */
	/* No UART answers 0xff from its line status register. */
	present = in(REG_LSR) != 0xff;
	if (present)
		console_register(&uart_console);
}

/* Drain the receive FIFO into the ring; a full ring drops the newest bytes. */
static void uart_rx_interrupt(void *arg)
{
	(void)arg;
	while (in(REG_LSR) & LSR_DATA_READY) {
		u8 c = in(REG_DATA);

		if (rx_head - rx_tail < RX_RING) {
			rx_ring[rx_head % RX_RING] = c;
			rx_head++;
		}
	}
}

int uart_enable_rx_irq(void)
{
	int r;

	if (!present)
		return -1;
	r = arch_isa_irq_request(4, uart_rx_interrupt, NULL);
	if (r)
		return r;
	out(REG_MCR, 0x03 | MCR_OUT2); /* OUT2 gates the IRQ line on a PC */
	out(REG_IER, IER_RDA);
	irq_mode = true;
	return 0;
}

int uart_getc(void)
{
	int c = -1;

	if (!present)
		return -1;
	if (!irq_mode)
		return (in(REG_LSR) & LSR_DATA_READY) ? in(REG_DATA) : -1;
	irqflags_t f = arch_irq_save();

	if (rx_tail != rx_head) {
		c = rx_ring[rx_tail % RX_RING];
		rx_tail++;
	}
	arch_irq_restore(f);
	return c;
}
